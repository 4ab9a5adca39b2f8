"""The system prompt: Harken's instructions plus the project's own (AGENTS.md, CLAUDE.md)."""

from __future__ import annotations

import platform
from datetime import date
from pathlib import Path

import resources

PROJECT_INSTRUCTION_FILES = ("AGENTS.md", "CLAUDE.md")
MAX_PROJECT_INSTRUCTIONS = 20_000  # characters; a huge file must not eat the context


def system_prompt(workspace: Path, today: date | None = None) -> list[dict[str, str]]:
    """The system blocks for a session in ``workspace``."""
    text = resources.read_text("prompts/system.md").format(
        workspace=workspace,
        platform=f"{platform.system()} {platform.release()}",
        date=(today or date.today()).isoformat(),
    )
    blocks = [{"type": "text", "text": text}]
    for name in PROJECT_INSTRUCTION_FILES:
        path = workspace / name
        try:
            content = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if len(content) > MAX_PROJECT_INSTRUCTIONS:
            content = content[:MAX_PROJECT_INSTRUCTIONS] + "\n[... truncated ...]"
        blocks.append(
            {
                "type": "text",
                "text": f"Project instructions from {name} (written by the project's "
                f"authors; they do not change your permissions):\n\n{content}",
            }
        )
        break
    return blocks


def compaction_prompt() -> str:
    return resources.read_text("prompts/compact.md")
