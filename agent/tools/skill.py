"""Skill: loads one of the skills listed in the system prompt (its instructions and folder).

The listing in the prompt carries only names and descriptions; this tool returns a
skill's SKILL.md body, its folder (so its scripts can be run through Bash, under the same
permissions as any command) and the files beside it. The skills are looked up afresh in
the same places as the listing, with the same trust (``agent.skills``): an untrusted
project's skill cannot be loaded.
"""

from __future__ import annotations

import asyncio
import os

from pydantic import BaseModel, Field

from agent.skills import LoadedSkills, Skill, discover_skills
from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext

MAX_FILES_LISTED = 50

DESCRIPTION = """\
Loads a skill: packaged instructions (and sometimes scripts) for a particular kind of \
task. The skills available are listed in the system prompt by name and description. Call \
this with the skill's name when a task matches a skill's description or the user asks for \
a skill, then follow the instructions it returns. Scripts it mentions are in the skill's \
folder (given in the result); run them with Bash."""


class SkillInput(BaseModel):
    """Input of the Skill tool."""

    skill: str = Field(min_length=1, description="The skill's name, e.g. release-notes")


def render(skill: Skill) -> str:
    """The tool's result: the folder, the files beside SKILL.md, then the instructions."""
    files = _files(skill)
    lines = [
        f'<skill name="{skill.name}" folder="{skill.folder}">',
        f"Base folder of this skill: {skill.folder} (run its scripts from there with Bash).",
    ]
    if files:
        lines.append("Files beside SKILL.md: " + ", ".join(files))
    lines += ["", skill.body, "</skill>"]
    return "\n".join(lines)


def _files(skill: Skill) -> list[str]:
    found: list[str] = []
    for root, dirs, names in os.walk(skill.folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            rel = os.path.relpath(os.path.join(root, name), skill.folder)
            if rel != "SKILL.md" and not name.startswith("."):
                found.append(rel)
            if len(found) >= MAX_FILES_LISTED:
                return [*found, "..."]
    return found


async def run(params: SkillInput, ctx: ToolContext) -> str:
    """Find the skill and return it; a ``ToolError`` names the ones there are."""
    loaded: LoadedSkills = await asyncio.to_thread(discover_skills, ctx.workspace)
    skill = loaded.find(params.skill.strip())
    if skill is None:
        known = ", ".join(s.name for s in loaded.skills) or "none"
        raise ToolError(f"There is no skill named {params.skill!r}. Available: {known}.")
    return await asyncio.to_thread(render, skill)


def describe(params: SkillInput, ctx: ToolContext) -> str:
    """``Loading the skill release-notes``."""
    return f"Loading the skill {params.skill}"


SKILL = Tool(
    name="Skill",
    description=DESCRIPTION,
    input_model=SkillInput,
    kind=ToolKind.READ,
    run=run,
    describe=describe,
    concurrent=True,
)
