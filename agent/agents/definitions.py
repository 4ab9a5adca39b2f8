"""Agent types: the built-in ones and custom agents from Markdown files.

A custom agent is a Markdown file in ``$XDG_CONFIG_HOME/harken/agents/`` (the user's) or
``<workspace>/.harken/agents/`` (the project's: used only once the user trusted exactly
those files, as a project's skills and hooks; it wins over the user's on a name clash but
never replaces a built-in type), shaped like Claude Code's agent files::

    ---
    name: test-runner
    description: Runs the tests and reports failures
    tools: Read, Grep, Glob, Bash        # optional; a list works too; absent: all tools
    model: haiku                         # optional: inherit, sonnet, opus, haiku or an id
    ---
    You run the project's tests ...      # the body is the agent's system prompt

A file that cannot be read as such is kept as *broken* with the reason, so asking for that
agent gives a clear error instead of "no such agent".
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import paths
from agent.agents import texts
from agent.hooks import trust
from agent.tools.base import ToolError

log = logging.getLogger(__name__)

MODEL_ALIASES = {
    "sonnet": "claude-sonnet-4-6",
    "opus": "claude-opus-4-6",
    "haiku": "claude-haiku-4-5",
}
TRUST_KEY = "trusted_project_agents"  # beside the hooks' and skills' in permissions.json
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_FILE_BYTES = 100_000


class AgentFileError(ToolError):
    """An agent file that cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class AgentDefinition:
    """One agent type. ``tools`` None means every tool the parent could give it;
    ``read_only`` keeps only the tools that read."""

    name: str
    description: str
    prompt: str
    tools: tuple[str, ...] | None = None
    read_only: bool = False
    model: str | None = None  # None: the parent's model
    source: str = "built-in"


BUILTIN: dict[str, AgentDefinition] = {
    "explore": AgentDefinition(
        "explore",
        "Fast read-only search of the workspace: finds files, reads them, answers "
        "questions about the code. Cannot change anything.",
        texts.EXPLORE,
        read_only=True,
    ),
    "plan": AgentDefinition(
        "plan",
        "Read-only research that returns a step-by-step implementation plan naming "
        "files and changes. Cannot change anything.",
        texts.PLAN,
        read_only=True,
    ),
    "general-purpose": AgentDefinition(
        "general-purpose",
        "A capable agent with the same tools as you, for multi-step tasks (research, "
        "edits, running commands).",
        texts.GENERAL,
    ),
}


@dataclass
class Catalog:
    """The agent types a session can use, and the custom files that are broken."""

    agents: dict[str, AgentDefinition] = field(default_factory=lambda: dict(BUILTIN))
    broken: dict[str, str] = field(default_factory=dict)  # name or file stem -> problem
    untrusted: list[AgentDefinition] = field(default_factory=list)  # the project's, waiting
    project_fingerprint: str = ""  # what trust must match (empty: the project has none)
    warnings: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        """What to tell the user once: the project's agents waiting for trust."""
        if not self.untrusted:
            return []
        names = ", ".join(a.name for a in self.untrusted)
        return [
            f"This folder's .harken/agents has agents ({names}); they stay off until you "
            "run `harken agents trust` there."
        ]

    def get(self, name: str) -> AgentDefinition:
        """The agent ``name``; raises ``ToolError`` saying what is wrong or what exists."""
        found = self.agents.get(name)
        if found is not None:
            return found
        if name in self.broken:
            raise AgentFileError(self.broken[name])
        raise ToolError(
            f"There is no subagent type {name!r}. Available: {', '.join(sorted(self.agents))}."
        )

    def listing(self) -> str:
        """One line per type, for the Agent tool's description."""
        return "\n".join(f"- {a.name}: {a.description}" for a in self.agents.values())


def agent_dirs(workspace: Path) -> list[Path]:
    """Where custom agents are looked for, lowest precedence first."""
    return [paths.config_dir() / "agents", workspace / ".harken" / "agents"]


def load_catalog(workspace: Path, *, store: Path | None = None) -> Catalog:
    """The built-in types plus the user's custom agents and, once the user trusted exactly
    those files (``harken agents trust``), the project's. A project file never replaces a
    built-in type: a cloned folder must not turn the read-only explore into one that runs
    commands."""
    catalog = Catalog()
    user_dir, project_dir = agent_dirs(workspace)
    for agent in _scan(user_dir, catalog):
        catalog.agents[agent.name] = agent
        catalog.broken.pop(agent.name, None)
    project = []
    for agent in _scan(project_dir, catalog):
        if agent.name in BUILTIN:
            problem = (
                f"The agent file {agent.source} is ignored: a project cannot replace the "
                f"built-in {agent.name} type (give it another name)"
            )
            log.warning("%s", problem)
            catalog.warnings.append(problem)
        else:
            project.append(agent)
    if not project:
        return catalog
    catalog.project_fingerprint = project_fingerprint(project)
    if trust.is_trusted(workspace, TRUST_KEY, catalog.project_fingerprint, store):
        for agent in project:
            catalog.agents[agent.name] = agent
            catalog.broken.pop(agent.name, None)
        return catalog
    catalog.untrusted = project
    for agent in project:
        if agent.name not in catalog.agents:
            catalog.broken[agent.name] = (
                f"The project's agent {agent.name} ({agent.source}) is not trusted yet: "
                "the user must run `harken agents trust` in this folder"
            )
    for note in catalog.notes():
        log.warning("agents: %s", note)
    return catalog


def _scan(folder: Path, catalog: Catalog) -> list[AgentDefinition]:
    """The agent files of ``folder``; the broken ones go to ``catalog.broken``."""
    try:
        files = sorted(folder.glob("*.md"))
    except OSError:
        return []
    found = []
    for path in files:
        try:
            found.append(parse_agent_file(path))
        except AgentFileError as exc:
            log.warning("%s", exc)
            catalog.broken[_claimed_name(path)] = str(exc)
    return found


def project_fingerprint(agents: list[AgentDefinition]) -> str:
    """What trust covers: each project agent's name and the exact bytes of its file."""
    entries = {}
    for agent in agents:
        try:
            entries[agent.name] = hashlib.sha256(Path(agent.source).read_bytes()).hexdigest()
        except OSError:
            entries[agent.name] = ""
    return trust.fingerprint(entries)


def parse_agent_file(path: Path) -> AgentDefinition:
    """One agent file; raises ``AgentFileError`` naming the file and the problem."""
    try:
        raw = path.read_bytes()[:MAX_FILE_BYTES]
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AgentFileError(f"The agent file {path} cannot be read: {exc}") from None
    meta, body = split_front_matter(text, path)
    name = meta.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise AgentFileError(
            f"The agent file {path} has bad front matter: name must be lowercase letters, "
            f"digits and hyphens, got {name!r}"
        )
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        raise AgentFileError(f"The agent file {path} has bad front matter: no description")
    if not body.strip():
        raise AgentFileError(f"The agent file {path} has no system prompt after its front matter")
    return AgentDefinition(
        name,
        description.strip(),
        body.strip(),
        tools=_tools(meta.get("tools"), path),
        model=_model(meta.get("model"), path),
        source=str(path),
    )


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """The front matter's keys (text values, or lists for ``[a, b]`` and ``- a`` items)
    and the body after it."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise AgentFileError(
            f"The agent file {path} has bad front matter: it must start with a --- line"
        )
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        raise AgentFileError(
            f"The agent file {path} has bad front matter: it is not closed with a --- line"
        ) from None
    meta: dict[str, Any] = {}
    key = ""
    for number, line in enumerate(lines[1:end], 2):
        stripped = line.split(" #", 1)[0].rstrip()
        if not stripped.strip() or stripped.lstrip().startswith("#"):
            continue
        if stripped.lstrip().startswith("- ") and key and meta.get(key) in ("", []):
            meta[key] = [*(meta[key] or []), _unquote(stripped.lstrip()[2:])]
            continue
        if ":" not in stripped or stripped[0].isspace():
            raise AgentFileError(
                f"The agent file {path} has bad front matter: line {number} is not "
                f"'key: value': {line.strip()!r}"
            )
        key, value = (part.strip() for part in stripped.split(":", 1))
        if value.startswith("[") and value.endswith("]"):
            meta[key] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
        else:
            meta[key] = _unquote(value)
    return meta, "\n".join(lines[end + 1 :])


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _tools(value: Any, path: Path) -> tuple[str, ...] | None:
    if value is None or value == "" or value == "*":
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise AgentFileError(f"The agent file {path} has bad front matter: tools must be a list")
    return tuple(v.strip() for v in items if v.strip())


def _model(value: Any, path: Path) -> str | None:
    if value in (None, "", "inherit"):
        return None
    if isinstance(value, str) and value in MODEL_ALIASES:
        return MODEL_ALIASES[value]
    if isinstance(value, str) and value.startswith("claude-"):
        return value
    raise AgentFileError(
        f"The agent file {path} has bad front matter: model must be inherit, sonnet, opus, "
        f"haiku or a model id, got {value!r}"
    )


def _claimed_name(path: Path) -> str:
    """The name a broken file meant to define (its ``name:`` line), else its file name."""
    try:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[:40]:
            if line.startswith("name:"):
                return _unquote(line[5:]) or path.stem
    except OSError:
        pass
    return path.stem
