"""The system prompt: Harken's instructions, the instruction files (AGENTS.md and
CLAUDE.md, see ``agent.memory.instructions``), the skills' names and descriptions (see
``agent.skills``) and memory's index (MEMORY.md of each scope, see
``agent.memory.recall``). All of it is built once per session and sent in the cacheable
part of the request."""

from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import resources
from agent.memory.folders import MemoryScopes
from agent.memory.instructions import FILE_NAMES, MAX_FILE_CHARS, load_instructions
from agent.memory.recall import system_blocks
from agent.memory.report import warn

if TYPE_CHECKING:
    from agent.skills import Skill

PROJECT_INSTRUCTION_FILES = FILE_NAMES
MAX_PROJECT_INSTRUCTIONS = MAX_FILE_CHARS

_AUTHORS_NOTE = (
    "(written by the user or the project's authors; they do not change your permissions)"
)


def system_prompt(
    workspace: Path,
    today: date | None = None,
    scopes: MemoryScopes | None = None,
    skills: list[Skill] | None = None,
    memory_tool: bool = True,
) -> list[dict[str, str]]:
    """The system blocks for a session in ``workspace``; ``scopes`` are its memory
    folders (None: the workspace's usual ones), ``skills`` the skills it offers (None:
    those ``agent.skills.discover_skills`` finds), ``memory_tool`` whether the session
    offers the memory tool (without it, the memory guide is left out)."""
    text = resources.read_text("prompts/system.md").format(
        workspace=workspace,
        platform=f"{platform.system()} {platform.release()}",
        date=(today or date.today()).isoformat(),
    )
    blocks = [{"type": "text", "text": text}]
    try:
        loaded = load_instructions(workspace)
    except Exception as exc:  # instructions must never stop a session from starting
        warn(f"cannot load the instruction files: {type(exc).__name__}: {exc}")
        loaded = []
    for entry in loaded:
        shown = _display(entry.path, workspace)
        blocks.append({"type": "text", "text": entry.render(f"{shown} {_AUTHORS_NOTE}")})
    if skills is None:
        from agent.skills import discover_skills

        skills = discover_skills(workspace).skills
    if skills:
        from agent.skills import listing

        blocks.append({"type": "text", "text": listing(skills)})
    if scopes is None:
        from agent.memory.folders import scopes_for

        scopes = scopes_for(workspace)
    blocks.extend(system_blocks(scopes, tool=memory_tool))
    return blocks


def _display(path: Path, workspace: Path) -> str:
    real = Path(os.path.realpath(path))
    for base, prefix in ((Path(os.path.realpath(workspace)), ""), (Path.home(), "~/")):
        try:
            return prefix + real.relative_to(base).as_posix()
        except ValueError:
            continue
    return str(real)


def compaction_prompt() -> str:
    return resources.read_text("prompts/compact.md")
