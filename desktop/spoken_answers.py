"""Questions said aloud and answered by voice: permission questions and AskUserQuestion.

    permission_sentence(request)    "Harken wants to delete the build folder. Allow?"
    question_sentence(question)     "Which database? Postgres, or SQLite?"
    answer_permission(dialog, text) a spoken reply to an open permission dialog: what it
                                    did ("allow", "always", "deny") or None (unclear: the
                                    dialog stays open)
    rule_readback(rule)             what is said after "always": the rule it saved

The words themselves are judged by ``audio.answer_words`` (Qt-free, tested as a table);
this module turns them into clicks on the dialog, so a spoken answer goes exactly the way
a clicked one goes (armed Allow, the rule saved by the session, the flow's bookkeeping).
A deny is one word away: "no" or "deny" always works, armed or not.
"""

from __future__ import annotations

import os
import re
import shlex
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from audio.answer_words import permission_answer

if TYPE_CHECKING:
    from agent.events import PermissionRequested
    from agent.questions import Question
    from desktop.windows.permission import PermissionDialog

MAX_SPOKEN_NAME = 40  # characters of a file or program name said aloud


def permission_sentence(request: PermissionRequested) -> str:
    """One short sentence asking about ``request``, for the ear."""
    return f"Harken wants to {_action(request.name, request.input)}. Allow?"


def _action(name: str, data: dict[str, Any]) -> str:
    if name == "Bash":
        return _command_action(str(data.get("command", "")))
    if name in ("Write", "Edit", "Read"):
        return f"{name.lower()} {_short(str(data.get('file_path', 'a file')))}"
    if name == "WebFetch":
        host = urlsplit(str(data.get("url", ""))).hostname
        return f"fetch a page from {host}" if host else "fetch a web page"
    return f"use {_spoken_tool(name)}"


def _command_action(command: str) -> str:
    try:
        words = shlex.split(command.splitlines()[0]) if command.strip() else []
    except ValueError:
        words = command.split()
    if not words:
        return "run a command"
    program = os.path.basename(words[0])
    targets = [w for w in words[1:] if not w.startswith("-")]
    if program in ("rm", "rmdir") and targets:
        flags = "".join(w for w in words[1:] if w.startswith("-"))
        first = _short(targets[0])
        what = f"the {first} folder" if ("r" in flags.lower() or program == "rmdir") else first
        more = f" and {len(targets) - 1} more" if len(targets) > 1 else ""
        return f"delete {what}{more}"
    return f"run {_short(program)}"


def _short(path: str) -> str:
    name = os.path.basename(path.rstrip("/")) or path
    return name if len(name) <= MAX_SPOKEN_NAME else name[: MAX_SPOKEN_NAME - 3] + "..."


def _spoken_tool(name: str) -> str:
    # "mcp__github__create_issue" -> "github create issue"; "ActiveWindow" -> "active window"
    name = name.removeprefix("mcp__").replace("__", " ").replace("_", " ")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def question_sentence(question: Question) -> str:
    """The question and its options, as said aloud ("..., Postgres, or SQLite?")."""
    text = question.question.strip()
    labels = [o.label for o in question.options]
    if not labels:
        return text
    choices = ", ".join(labels[:-1]) + ", or " + labels[-1] if len(labels) > 1 else labels[0]
    return f"{text} {choices}?"


def answer_permission(dialog: PermissionDialog, text: str) -> str | None:
    """Answer ``dialog`` with the spoken ``text``; what it did, or None (left open)."""
    meaning = permission_answer(text)
    if meaning == "deny":
        dialog.deny()
    elif meaning == "always" and dialog.request.always_rule and dialog.armed:
        dialog.allow_always()
    elif meaning == "allow" and dialog.armed:
        dialog.allow_once()
    else:
        return None
    return meaning


def rule_readback(rule: str) -> str:
    """What is said after an "always" answer: the rule it saved, for the ear
    (``Bash(npm run test:*)`` -> "Always allowed: Bash, npm run test.")."""
    spoken = re.sub(r"[:*]+\)?$|\)$", "", rule.strip()).replace("(", ", ")
    spoken = spoken.replace(":*", "").replace("*", "").rstrip(" ,")
    return f"Always allowed: {spoken}."
