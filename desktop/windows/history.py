"""A resumed session's messages, retold as the events a live turn would have sent.

``history_events(messages)`` turns a Messages-API message list into ``TurnStarted``,
``TextDelta``, ``ThinkingDelta``, ``ToolStarted``/``ToolFinished`` and ``Notice`` events,
so the conversation window draws a resumed session with the same code as a live one.
Tool calls in a transcript carry no human line, so ``describe_call`` makes one from the
tool's input, worded as the tools word theirs ("Editing src/app.py").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from agent.events import (
    Event,
    Notice,
    TextDelta,
    ThinkingDelta,
    ToolFinished,
    ToolStarted,
    TurnStarted,
)

SUMMARY_OPEN = "<summary of the earlier conversation>"
FILE_VERBS = {"Read": "Reading", "Edit": "Editing", "Write": "Writing"}


def history_events(messages: list[dict[str, Any]]) -> list[Event]:
    """The events that draw ``messages`` (user, assistant, user, ...)."""
    events: list[Event] = []
    names: dict[str, tuple[str, str]] = {}  # tool_use id -> (name, description)
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if not isinstance(content, list):
            continue
        blocks = [b for b in content if isinstance(b, dict)]
        if message.get("role") == "assistant":
            events.extend(_assistant(blocks, names))
        else:
            events.extend(_user(blocks, names))
    return events


def _assistant(blocks: list[dict[str, Any]], names: dict[str, tuple[str, str]]) -> list[Event]:
    out: list[Event] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "text" and block.get("text"):
            out.append(TextDelta(block["text"]))
        elif kind == "thinking" and block.get("thinking"):
            out.append(ThinkingDelta(block["thinking"]))
        elif kind == "tool_use":
            call_id, name = str(block.get("id", "")), str(block.get("name", "tool"))
            data = block.get("input") if isinstance(block.get("input"), dict) else {}
            description = describe_call(name, data)
            names[call_id] = (name, description)
            out.append(ToolStarted(call_id, name, description, data))
    return out


def _user(blocks: list[dict[str, Any]], names: dict[str, tuple[str, str]]) -> list[Event]:
    out: list[Event] = []
    words = []
    for block in blocks:
        kind = block.get("type")
        if kind == "tool_result":
            call_id = str(block.get("tool_use_id", ""))
            name, description = names.get(call_id, ("tool", "A tool call"))
            output = _result_text(block.get("content"))
            out.append(
                ToolFinished(call_id, name, description, output, bool(block.get("is_error")), 0.0)
            )
        elif kind == "text":
            text = str(block.get("text", ""))
            if text.startswith(SUMMARY_OPEN):
                out.append(Notice("Earlier messages were summarised to save room."))
            elif text.strip():
                words.append(text.strip())
    if words:
        out.append(TurnStarted("", "\n\n".join(words)))
    return out


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            "[image]" if b.get("type") == "image" else str(b.get("text", ""))
            for b in content
            if isinstance(b, dict)
        )
    return ""


def describe_call(name: str, data: dict[str, Any]) -> str:
    """One human line for a tool call, from its input alone."""
    path = str(data.get("file_path") or data.get("path") or "")
    if name == "Bash":
        command = str(data.get("command", "")).strip()
        first = command.splitlines()[0] if command else ""
        if len(first) > 80 or first != command:
            first = first[:77].rstrip() + "..."
        return f"Running `{first}`"
    if name in FILE_VERBS and path:
        return f"{FILE_VERBS[name]} {path}"
    if name == "Glob":
        return f"Finding files matching {data.get('pattern', '')!r}"
    if name == "Grep":
        return f"Searching for {data.get('pattern', '')!r}" + (f" in {path}" if path else "")
    if name == "WebFetch":
        host = urlsplit(str(data.get("url", ""))).hostname
        return f"Fetching {host or data.get('url', 'a page')}"
    if name == "TodoWrite":
        return "Updating the todo list"
    if name == "BashOutput":
        return f"Reading output of {data.get('bash_id', 'a shell')}"
    if name == "KillShell":
        return f"Stopping {data.get('shell_id', 'a shell')}"
    return name
