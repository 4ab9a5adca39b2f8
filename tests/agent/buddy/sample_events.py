"""Real agent events for tests, with every field not given filled by a plain value.

The events' fields grow as the runtime grows; filling by annotation keeps these tests
about the pet rather than about the events' constructors.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from agent import events
from agent.usage import Usage

_LOOP: list[asyncio.AbstractEventLoop] = []  # one loop for every permission future


def make(cls: type, **given: Any) -> Any:
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in given:
            values[f.name] = given[f.name]
        else:
            values[f.name] = _blank(str(f.type))
    return cls(**values)


def _blank(annotation: str) -> Any:
    if "Future" in annotation:
        if not _LOOP:
            _LOOP.append(asyncio.new_event_loop())
        return _LOOP[0].create_future()
    if "None" in annotation:
        return None
    if "Usage" in annotation:
        return Usage()
    for prefix, value in (("dict", {}), ("list", []), ("bool", False), ("int", 0)):
        if annotation.startswith(prefix):
            return value
    if annotation.startswith("float"):
        return 0.0
    return ""


def turn(*middle: Any, stop: str = "end_turn") -> list[Any]:
    """A turn: started, ``middle``, finished with ``stop``."""
    return [
        make(events.TurnStarted, prompt="hi"),
        *middle,
        make(events.TurnFinished, stop_reason=stop),
    ]


def tool(name: str = "Bash", error: str = "") -> list[Any]:
    return [
        make(events.ToolStarted, call_id="c1", name=name),
        make(
            events.ToolFinished, call_id="c1", name=name, output=error or "ok", is_error=bool(error)
        ),
    ]
