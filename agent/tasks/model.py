"""One scheduled task as stored in tasks.json, and the error every task problem raises."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from agent.errors import HarkenError

MODES = ("plan", "standard", "auto", "bypass")


class TaskError(HarkenError):
    """A task cannot be added, found, stored or run; ``str()`` is one line for people."""


@dataclass
class Task:
    """A prompt run on a cron schedule in a folder, with its own mode and allow rules.

    Times are ISO 8601 with their UTC offset. ``last_run`` is when the last run started
    (scheduled or by hand); ``last_status`` is ``ok``, ``error``, ``interrupted`` or
    ``max_turns``; ``last_summary`` is a short line of its answer or error; ``failures``
    counts the runs in a row that ended in ``error`` (for the back-off)."""

    id: str
    name: str
    prompt: str
    cron: str
    cwd: str
    mode: str = "standard"
    allow: list[str] = field(default_factory=list)
    created: str = ""
    last_run: str | None = None
    last_status: str | None = None
    last_summary: str = ""
    last_session: str | None = None
    failures: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Task:
        """A task from its stored form; raises ``TaskError`` naming what is wrong."""
        if not isinstance(data, dict):
            raise TaskError("a task is not a JSON object")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        missing = [k for k in ("id", "prompt", "cron", "cwd") if not isinstance(known.get(k), str)]
        if missing:
            raise TaskError(f"task {data.get('id', '?')!r} lacks {', '.join(missing)}")
        task = cls(**known)
        if not isinstance(task.failures, int) or isinstance(task.failures, bool):
            task.failures = 0  # a hand-edited count must not stop the task
        if not isinstance(task.allow, list) or not all(isinstance(r, str) for r in task.allow):
            raise TaskError(f"task {task.id!r} has allow rules that are not a list of text")
        if not isinstance(task.name, str):
            task.name = task.id
        if task.mode not in MODES:
            raise TaskError(f"task {task.id!r} has an unknown mode {task.mode!r}")
        return task


def new_task_id() -> str:
    """A short id people can type: ``t-`` and eight hex digits."""
    return "t-" + secrets.token_hex(4)


def plain_name(name: str) -> str:
    """``name`` on one line: control characters (a newline, a tab, an escape) become
    spaces, so a name never breaks ``tasks list``'s table or a journal heading."""
    return " ".join("".join(" " if ch < " " or ch == "\x7f" else ch for ch in name).split())


def default_name(prompt: str) -> str:
    """The first words of ``prompt``, at most 40 characters."""
    words = " ".join(prompt.split())
    return words if len(words) <= 40 else words[:39] + "…"


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    # A time stored without an offset is taken as local time.
    return moment if moment.tzinfo is not None else moment.astimezone()


def now() -> datetime:
    """The local time, with its offset (so cron slots follow the user's clock)."""
    return datetime.now().astimezone()
