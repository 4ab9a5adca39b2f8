"""Agent Skills: folders with a SKILL.md (front matter ``name`` and ``description``,
Markdown instructions, optional scripts and files beside it).

    skill_file.py  one SKILL.md: front matter and body; ``SkillError`` says what is wrong
    discover.py    the user's ($XDG_CONFIG_HOME/harken/skills/) and, once trusted, the
                   project's (<workspace>/.harken/skills/) skills; the prompt listing

Only each skill's name and description go into the system prompt (``agent.prompts``);
the ``Skill`` tool (``agent.tools.skill``) gives the model a skill's body and folder when
it needs it, and the skill's scripts then run through Bash under the same permissions.
A project's skills are trusted like its hooks (``agent.hooks.trust``).

May import: ``agent.paths``, ``agent.hooks.trust`` and the standard library. Never
``desktop`` or ``audio``.
"""

from __future__ import annotations

from agent.skills.discover import LoadedSkills, discover_skills, for_session, listing
from agent.skills.skill_file import Skill, SkillError, read_skill

__all__ = [
    "LoadedSkills",
    "Skill",
    "SkillError",
    "discover_skills",
    "for_session",
    "listing",
    "read_skill",
]
