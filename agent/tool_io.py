"""Between the model's tool calls and the tools: what must not run, and what comes back.

    cut_call_result(block, max_tokens)   the answer to a call the output limit cut off
    with_original_paths(block, base)     a call whose cleaned file names open the real files
    clean_result(block)                  a tool_result that is valid UTF-8, with a note when
                                         it shows U+FFFD for bytes that were not UTF-8, and
                                         no blank text (the API refuses it)

These apply to every tool alike, in the session, before the permission gate and after
the runner, so no tool has to know about them.
"""

from __future__ import annotations

import os
from typing import Any

from agent.conversation import tool_result
from agent.empty_messages import NO_OUTPUT, is_blank
from agent.utf8 import REPLACEMENT, UNDECODABLE_NOTE, clean, needs_cleaning, original_path


def cut_call_result(block: dict[str, Any], max_tokens: int) -> dict[str, Any]:
    """The ``is_error`` tool_result for a call that ``max_tokens`` cut off: it did not run,
    and the model hears why and how to send less (a schema error such as "content: Field
    required" would only make it send the same call again, and be cut again)."""
    note = (
        f"This {block['name']} call was cut off by the output limit (max_tokens "
        f"{max_tokens}) before it was complete, so it did not run. Send it in smaller "
        f"pieces: {_smaller(block['name'])}, or keep the answer before the call shorter."
    )
    return tool_result(block["id"], note, is_error=True)


def _smaller(name: str) -> str:
    """How a call to tool ``name`` can be sent in smaller pieces."""
    if name in ("Write", "Edit", "MultiEdit", "NotebookEdit"):
        return (
            "write large content in parts (create the file with its first part, then add "
            "the rest with further Edit calls)"
        )
    if name == "Bash":
        return (
            "split the work into shorter commands (write a long script to a file in parts "
            "with Write and Edit, then run it)"
        )
    if name in ("Agent", "Task", "SendMessage"):
        return "give a shorter prompt (the agent can read files and look things up itself)"
    return "split the work into several calls with smaller inputs"


def with_original_paths(block: dict[str, Any], base: str | os.PathLike[str]) -> dict[str, Any]:
    """``block`` (a tool_use) with each path input that shows U+FFFD where a real file's
    name has bytes that are not UTF-8 replaced by that file's path (see
    ``agent.utf8.original_path``); the same block when nothing needs it.

    Done before the permission gate, so the gate judges the file that will be touched.
    Only inputs named ``*path`` count: text such as Edit's ``new_string`` stays as sent.
    """
    params = block.get("input")
    if not isinstance(params, dict):
        return block
    found = {
        key: original_path(value, base)
        for key, value in params.items()
        if isinstance(value, str) and key.endswith("path") and REPLACEMENT in value
    }
    changed = {key: path for key, path in found.items() if path is not None}
    return {**block, "input": {**params, **changed}} if changed else block


def clean_result(block: dict[str, Any]) -> dict[str, Any]:
    """``block`` (a tool_result) with valid UTF-8 text, plus ``UNDECODABLE_NOTE`` when
    its text shows U+FFFD (cleaned here, or already by the tool, as Bash output is).
    Blank text (an MCP tool or a hook that said nothing) becomes ``NO_OUTPUT``."""
    block = _without_blank_text(block)
    content = block.get("content")
    if not needs_cleaning(content) and REPLACEMENT not in _text_of(content):
        return block
    content = clean(content)
    if isinstance(content, list):
        content = [*content, {"type": "text", "text": UNDECODABLE_NOTE}]
    else:
        content = f"{content}\n\n{UNDECODABLE_NOTE}"
    return {**block, "content": content}


def _without_blank_text(block: dict[str, Any]) -> dict[str, Any]:
    content = block.get("content")
    if isinstance(content, str):
        return block if content.strip() else {**block, "content": NO_OUTPUT}
    if isinstance(content, list) and (not content or any(is_blank(p) for p in content)):
        parts = [p for p in content if not is_blank(p)]
        return {**block, "content": parts or NO_OUTPUT}
    return block


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""
