"""The tray's automatic dream: when Harken has been idle long enough and 24 hours and 5
sessions have passed, a dream runs off the GUI thread and its summary is a notification;
a hotkey press or a new turn cancels it (memory as it was); another dream holding the
lock is not an error. Times are explicit: nothing sleeps."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import paths
from agent.config import Config
from agent.memory.dream import dream_lock
from agent.memory.dream_state import memory_id, save_state
from agent.memory.folders import dream_dir, scopes_for
from desktop.auto_dream import (
    CHECK_SECONDS,
    IDLE_SECONDS,
    RETRY_AFTER_FAILURE_SECONDS,
    AutoDream,
    DreamCancelled,
    DreamJob,
    may_check,
)
from desktop.background import Background
from tests.scripted_api import Failure, Reply, ScriptedAPI, text, tool_use

T0 = 1_800_000_000.0  # an explicit "now" (2027)
HOUR = 3600.0
NOTE = "---\nname: Standup\ndescription: when the standup is\ntype: project\n---\n{}\n"


def sessions_in(workspace: Path, count: int, mtime: float) -> None:
    """``count`` transcripts of sessions that ran in ``workspace``, last written at ``mtime``."""
    folder = paths.sessions_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        path = folder / f"s-{n:03d}.jsonl"
        head = {"type": "session", "id": path.stem, "started": "2027-01-01T09:00:00+00:00"}
        said = {"type": "prompt", "text": f"prompt {n}", "at": "x"}
        path.write_text(json.dumps(head | {"cwd": str(workspace)}) + "\n" + json.dumps(said) + "\n")
        os.utime(path, (mtime, mtime))


def seed(workspace: Path) -> Path:
    folder = scopes_for(workspace).workspace
    folder.mkdir(parents=True)
    (folder / "standup.md").write_text(NOTE.format("Standup is at 10:00."))
    (folder / "standup-2.md").write_text(NOTE.format("The standup is at ten."))
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def merge_steps() -> list[Reply]:
    delete = {"command": "delete", "path": "/memories/workspace/standup-2.md"}
    return [Reply([tool_use("memory", delete)]), Reply([text("Merged the standup notes.")])]


def at_once(work: Callable[[], Any], ok: Callable[[Any], None], fail: Callable[..., None]) -> None:
    """``Background.run`` without threads: work, then its callback, at once."""
    try:
        result = work()
    except Exception as exc:
        fail(exc)
    else:
        ok(result)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def auto_dream(
    api: ScriptedAPI, workspace: Path, run: Any, clock: Clock, notes: list[str]
) -> AutoDream:
    config = Config().override(base_url=api.base_url, max_retries=0)  # type: ignore[attr-defined]
    return AutoDream(run, notes.append, lambda: workspace, lambda: config, clock=clock)


def idle_long_enough(auto: AutoDream, clock: Clock) -> None:
    """Harken idle from now on; the next poll is IDLE_SECONDS later."""
    auto.poll(idle=True)
    clock.now += IDLE_SECONDS


@pytest.fixture
def background() -> Iterator[Background]:
    work = Background()
    yield work
    work.shutdown(wait=True)


# -- the decision, with explicit times ----------------------------------------------------


def test_it_checks_only_after_harken_was_idle_long_enough_and_not_too_often() -> None:
    base = {"now": T0, "last_check": None, "dreaming": False}
    assert not may_check(**base, idle_since=None)  # busy
    assert not may_check(**base, idle_since=T0 - IDLE_SECONDS + 1)
    assert may_check(**base, idle_since=T0 - IDLE_SECONDS)
    idle = T0 - 2 * IDLE_SECONDS
    assert not may_check(now=T0, idle_since=idle, last_check=None, dreaming=True)
    assert not may_check(now=T0, idle_since=idle, last_check=T0 - CHECK_SECONDS + 1, dreaming=False)
    assert may_check(now=T0, idle_since=idle, last_check=T0 - CHECK_SECONDS, dreaming=False)
    recent_failure = T0 - RETRY_AFTER_FAILURE_SECONDS + 1
    assert not may_check(**base, idle_since=idle, failed_at=recent_failure)
    assert may_check(**base, idle_since=idle, failed_at=T0 - RETRY_AFTER_FAILURE_SECONDS)


def test_it_dreams_once_24_hours_and_5_sessions_have_passed(
    api: ScriptedAPI, workspace: Path
) -> None:
    folder = seed(workspace)
    last = time.time()
    save_state(memory_id(workspace))  # the last dream: now
    sessions_in(workspace, 4, last + 60)
    api.script(*merge_steps())
    clock, notes = Clock(last + 25 * HOUR), []
    auto = auto_dream(api, workspace, at_once, clock, notes)

    idle_long_enough(auto, clock)
    auto.poll(idle=True)  # 4 sessions: not yet
    assert auto.last_check == clock.now and api.requests == [] and notes == []

    sessions_in(workspace, 5, last + 60)
    clock.now += CHECK_SECONDS - 1
    auto.poll(idle=True)  # checked too recently to look again
    assert api.requests == []
    clock.now += 1
    auto.poll(idle=True)
    assert len(notes) == 1 and "Merged the standup notes." in notes[0]
    assert "The dream changed 1 file(s)" in notes[0]
    assert sorted(snapshot(folder)) == ["standup.md"]


def test_it_does_not_dream_within_24_hours_of_the_last_dream(
    api: ScriptedAPI, workspace: Path
) -> None:
    seed(workspace)
    last = time.time()
    save_state(memory_id(workspace))
    sessions_in(workspace, 6, last + 60)
    clock, notes = Clock(last + 23 * HOUR), []
    auto = auto_dream(api, workspace, at_once, clock, notes)

    idle_long_enough(auto, clock)
    auto.poll(idle=True)
    assert auto.last_check is not None and api.requests == [] and notes == []


def test_a_busy_harken_is_never_checked(api: ScriptedAPI, workspace: Path) -> None:
    seed(workspace)
    sessions_in(workspace, 5, T0 - HOUR)
    clock, notes = Clock(T0), []
    auto = auto_dream(api, workspace, at_once, clock, notes)

    for _ in range(10):
        auto.poll(idle=False)  # recording, thinking or speaking
        clock.now += IDLE_SECONDS
    assert auto.last_check is None and api.requests == []
    auto.poll(idle=True)  # idle from now: the wait starts again
    assert auto.last_check is None


# -- the run, on the app's background workers -----------------------------------------------


def test_a_hotkey_press_cancels_the_dream_and_memory_stays_as_it_was(
    qtbot: Any, api: ScriptedAPI, workspace: Path, background: Background
) -> None:
    folder = seed(workspace)
    before = snapshot(folder)
    sessions_in(workspace, 5, T0 - HOUR)
    delete = merge_steps()[0]
    api.script(delete, Reply([text("Still tidying")], pause_after=3))
    clock, notes = Clock(T0), []
    auto = auto_dream(api, workspace, background.run, clock, notes)

    idle_long_enough(auto, clock)
    auto.poll(idle=True)
    qtbot.waitUntil(lambda: api.paused.is_set(), timeout=30000)
    assert auto.dreaming
    auto.activity()  # the hotkey goes down
    api.release()
    qtbot.waitUntil(lambda: not auto.dreaming, timeout=30000)

    assert snapshot(folder) == before
    assert notes == [] and auto.failed_at is None
    assert not (dream_dir() / "dream.lock").exists()
    assert not (dream_dir() / "log").exists()


def test_a_dream_the_user_came_back_during_the_check_does_not_start(
    qtbot: Any, api: ScriptedAPI, workspace: Path, background: Background
) -> None:
    seed(workspace)
    sessions_in(workspace, 5, T0 - HOUR)
    clock, notes = Clock(T0), []
    auto = auto_dream(api, workspace, background.run, clock, notes)

    idle_long_enough(auto, clock)
    auto.poll(idle=True)  # the check runs on a worker...
    auto.activity()  # ...while a new turn starts
    qtbot.waitUntil(lambda: not auto.checking, timeout=30_000)
    assert not auto.dreaming and api.requests == []


def test_another_dream_holding_the_lock_is_not_an_error(
    qtbot: Any, api: ScriptedAPI, workspace: Path, background: Background
) -> None:
    seed(workspace)
    sessions_in(workspace, 5, T0 - HOUR)
    clock, notes = Clock(T0), []
    auto = auto_dream(api, workspace, background.run, clock, notes)

    with dream_lock():  # `harken memory dream`, or the window's Dream now
        idle_long_enough(auto, clock)
        auto.poll(idle=True)
        qtbot.waitUntil(lambda: auto.last_check is not None and not auto.checking, timeout=30_000)
        qtbot.waitUntil(lambda: not auto.dreaming, timeout=30_000)
    assert notes == [] and auto.failed_at is None and api.requests == []


def test_a_failed_dream_is_said_once_and_not_retried_at_once(
    qtbot: Any, api: ScriptedAPI, workspace: Path, background: Background
) -> None:
    folder = seed(workspace)
    before = snapshot(folder)
    sessions_in(workspace, 5, T0 - HOUR)
    api.script(Failure(400, "scripted refusal"))
    clock, notes = Clock(T0), []
    auto = auto_dream(api, workspace, background.run, clock, notes)

    idle_long_enough(auto, clock)
    auto.poll(idle=True)
    qtbot.waitUntil(lambda: bool(notes), timeout=30000)
    assert "memory is as it was" in notes[0] and auto.failed_at == clock.now
    assert snapshot(folder) == before
    clock.now += CHECK_SECONDS
    auto.poll(idle=True)
    assert not auto.checking and len(api.requests) == 1


def test_a_job_cancelled_before_it_starts_never_calls_the_model(
    api: ScriptedAPI, workspace: Path
) -> None:
    seed(workspace)
    config = Config().override(base_url=api.base_url)  # type: ignore[attr-defined]
    job = DreamJob(config, workspace)
    job.cancel()
    with pytest.raises(DreamCancelled, match="memory is as it was"):
        job.run()
    assert api.requests == []


def test_quitting_stops_the_dream_and_starts_no_other(
    qtbot: Any, api: ScriptedAPI, workspace: Path, background: Background
) -> None:
    folder = seed(workspace)
    before = snapshot(folder)
    sessions_in(workspace, 5, T0 - HOUR)
    api.script(merge_steps()[0], Reply([text("Still tidying")], pause_after=3))
    clock, notes = Clock(T0), []
    auto = auto_dream(api, workspace, background.run, clock, notes)
    idle_long_enough(auto, clock)
    auto.poll(idle=True)
    qtbot.waitUntil(lambda: api.paused.is_set(), timeout=30000)

    auto.stop()  # Harken quits
    api.release()
    qtbot.waitUntil(lambda: not auto.dreaming, timeout=30000)
    clock.now += RETRY_AFTER_FAILURE_SECONDS
    auto.poll(idle=True)
    auto.poll(idle=True)
    assert not auto.checking and not auto.dreaming and len(api.requests) == 2
    assert snapshot(folder) == before and notes == []
