"""Finding the skills a session may use, and the listing the model sees.

    $XDG_CONFIG_HOME/harken/skills/<name>/SKILL.md     the user's
    <workspace>/.harken/skills/<name>/SKILL.md         the project's, offered only once
                                                       the user trusted exactly that set

A skill the user has and the project also defines stays the user's. A malformed SKILL.md
costs one warning line; the other skills still load.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from agent import paths
from agent.hooks import trust
from agent.skills.skill_file import Skill, SkillError, read_skill

log = logging.getLogger("agent.skills")

PROJECT_DIR = Path(".harken") / "skills"
MAX_SKILLS = 200  # per folder; more is a mistake, and each costs prompt space


@dataclass
class LoadedSkills:
    """The skills offered, the project's skills waiting for trust, the warnings met, and
    the fingerprint trust must match (empty when the project has no skill)."""

    skills: list[Skill] = field(default_factory=list)
    untrusted: list[Skill] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    project_fingerprint: str = ""

    def find(self, name: str) -> Skill | None:
        return next((s for s in self.skills if s.name == name), None)

    def notes(self) -> list[str]:
        """What to tell the user once: the project's skills waiting for trust."""
        if not self.untrusted:
            return []
        names = ", ".join(s.name for s in self.untrusted)
        return [
            f"This folder's .harken/skills has skills ({names}); they stay off until you "
            "run `harken skills trust` there."
        ]


def user_dir() -> Path:
    return paths.config_dir() / "skills"


def discover_skills(workspace: Path, *, store: Path | None = None) -> LoadedSkills:
    """The user's skills and (when trusted) the project's, for ``workspace``."""
    loaded = LoadedSkills()
    loaded.skills = _scan(user_dir(), "user", loaded.warnings)
    project = _scan(Path(os.path.realpath(workspace)) / PROJECT_DIR, "project", loaded.warnings)
    if project:
        loaded.project_fingerprint = project_fingerprint(project)
        if trust.is_trusted(workspace, trust.SKILLS, loaded.project_fingerprint, store):
            mine = {s.name for s in loaded.skills}
            for skill in project:
                if skill.name in mine:
                    loaded.warnings.append(
                        f"{skill.path}: the user's skill {skill.name!r} is used instead"
                    )
                else:
                    loaded.skills.append(skill)
        else:
            loaded.untrusted = project
    return loaded


def for_session(workspace: Path) -> LoadedSkills:
    """``discover_skills``, with its warnings and notes logged (one line each)."""
    loaded = discover_skills(workspace)
    for line in loaded.warnings + loaded.notes():
        log.warning("skills: %s", line)
    return loaded


def project_fingerprint(skills: list[Skill]) -> str:
    """What trust covers: each project skill's name and the exact text of its SKILL.md."""
    entries = {}
    for skill in skills:
        try:
            entries[skill.name] = hashlib.sha256(skill.path.read_bytes()).hexdigest()
        except OSError:
            entries[skill.name] = ""
    return trust.fingerprint(entries)


def listing(skills: list[Skill]) -> str:
    """The system prompt's part about skills: names and descriptions only (bodies are
    loaded with the Skill tool); empty without skills."""
    if not skills:
        return ""
    lines = [
        "# Skills",
        "Skills are packaged instructions (and scripts) for particular tasks. When a task "
        "matches a skill's description, or the user names a skill (\"use the release-notes "
        'skill"), load it with the Skill tool first and follow it. Its scripts run through '
        "Bash like any other command. Available skills:",
    ]
    lines += [f"- {s.name}: {s.description}" for s in skills]
    return "\n".join(lines) + "\n"  # the next section starts after a blank line


def _scan(folder: Path, source: str, warnings: list[str]) -> list[Skill]:
    try:
        entries = sorted(p for p in folder.iterdir() if (p / "SKILL.md").is_file())
    except FileNotFoundError:
        return []
    except OSError as exc:
        warnings.append(f"cannot list {folder}: {exc.strerror or exc}")
        return []
    skills: list[Skill] = []
    seen: set[str] = set()
    for entry in entries[:MAX_SKILLS]:
        try:
            skill = read_skill(entry, source)
        except SkillError as exc:
            warnings.append(str(exc))
            continue
        if skill.name in seen:
            warnings.append(f"{skill.path}: another skill there is named {skill.name!r}")
            continue
        seen.add(skill.name)
        skills.append(skill)
    return skills
