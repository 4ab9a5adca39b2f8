"""Who holds the scheduler lock is named; ``harken daemon --wait-for-lock`` (the systemd
unit's) waits for the tray to let go instead of exiting; the daemon's log is private and
says when a task starts and when the API is retried."""

from __future__ import annotations

import logging
import os
import select
import signal
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from agent.tasks.locks import scheduler_lock
from desktop import daemon
from tests.scripted_api import Failure, Reply, ScriptedAPI, text
from tests.tasks.conftest import harken_command
from tests.tasks.test_bad_schedules import entry, write_tasks
from tests.tasks.test_daemon import stored, wait_for

pytestmark = pytest.mark.e2e


def test_a_second_scheduler_names_the_one_holding_the_lock(harken) -> None:
    with scheduler_lock("the Harken tray app"):
        second = harken("daemon")

    assert second.returncode == 1
    assert f"the Harken tray app, pid {os.getpid()}" in second.stderr


def test_wait_for_lock_waits_for_the_tray_then_runs_the_tasks(
    api: ScriptedAPI, workspace: Path
) -> None:
    write_tasks(entry("t-hourly", workspace, prompt="check in"))
    api.script(
        Failure(529, "Overloaded", headers={"retry-after": "0"}),
        Reply([text("All quiet.")]),
    )
    tray = scheduler_lock("the Harken tray app")
    tray.__enter__()
    run = subprocess.Popen(
        [*harken_command(), "daemon", "--wait-for-lock"],
        cwd=workspace,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},  # type: ignore[attr-defined]
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(run.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        wait_for(lambda: any("waiting until it stops" in line for line in lines), "the wait")
        assert run.poll() is None  # waiting, not exited (systemd would restart it at once)
        assert api.requests == []
        tray.__exit__(None, None, None)
        wait_for(lambda: stored() and stored()[0].get("last_status") == "ok", "the run")
    finally:
        tray.__exit__(None, None, None)
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=60)
        reader.join(60)
    said = "".join(lines)
    assert run.returncode == 0, said
    assert "the Harken tray app" in said and "Traceback" not in said

    log = daemon.log_file()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700  # the daemon made the folder
    written = log.read_text()
    assert "starting t-hourly" in written
    assert "t-hourly" in written and "retry 1" in written


def test_sigterm_ends_the_wait(api: ScriptedAPI, workspace: Path) -> None:
    with scheduler_lock("the Harken tray app"):
        run = subprocess.Popen(
            [*harken_command(), "daemon", "--wait-for-lock"],
            cwd=workspace,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # A hang guard: the daemon says it waits at once; a silent hang fails, not stalls.
        ready, _, _ = select.select([run.stderr], [], [], 60)
        assert ready, "harken daemon --wait-for-lock said nothing in 60 s"
        first = run.stderr.readline()  # type: ignore[union-attr]
        assert "waiting until it stops" in first
        run.send_signal(signal.SIGTERM)
        _out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    assert "Traceback" not in err


def test_the_log_files_stay_private_after_rotation(tmp_path: Path) -> None:
    from desktop.logs import PrivateRotatingFileHandler

    path = tmp_path / "new-log-folder" / "daemon.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=200, backupCount=2, encoding="utf-8")
    try:
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "x" * 150, None, None)
        for _ in range(4):
            handler.emit(record)
    finally:
        handler.close()

    files = sorted(path.parent.iterdir())
    assert [f.name for f in files] == ["daemon.log", "daemon.log.1", "daemon.log.2"]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
