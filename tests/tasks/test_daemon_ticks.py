"""``harken tasks proactive on`` and a running ``harken daemon``: the folder gets ticks."""

from __future__ import annotations

import os
import signal
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from agent.journal import read_day
from tests.scripted_api import Reply, ScriptedAPI, request_text, text, tool_use
from tests.tasks.conftest import harken_command
from tests.tasks.test_daemon import wait_for

pytestmark = pytest.mark.e2e


def test_proactive_mode_is_off_by_default_and_a_daemon_ticks_once_on(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    status = harken("tasks", "proactive")
    assert status.returncode == 0 and "Proactive mode is off" in status.stdout
    on = harken("tasks", "proactive", "on", "--every", "3600", "--budget-usd", "0.5")
    assert on.returncode == 0, on.stderr
    assert "is on" in on.stdout and "every 3600 s" in on.stdout and "$0.50 a day" in on.stdout
    api.script(
        Reply([tool_use("PushNotification", {"message": "Disk almost full."})]),
        Reply([tool_use("Sleep", {"seconds": 7200})]),
        Reply([text("Nothing more to do.")]),
    )
    daemon = subprocess.Popen(
        [*harken_command(), "daemon"],
        cwd=workspace,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},  # type: ignore[attr-defined]
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    today = datetime.now().astimezone().date()
    try:
        wait_for(lambda: any(e.heading.startswith("Tick") for e in read_day(today)), "a tick")
    finally:
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=60)

    assert daemon.returncode == 0 and "Traceback" not in err
    assert len(api.requests) == 3 and "<tick" in request_text(api.requests[0])
    headings = [e.heading for e in read_day(today)]
    assert headings[0] == "Notification pushed to the user"
    assert "slept 7200 s" in headings[1]
    log = (Path(os.environ["XDG_STATE_HOME"]) / "harken" / "log" / "daemon.log").read_text()
    assert "notification: Disk almost full." in log

    off = harken("tasks", "proactive", "off")
    assert off.returncode == 0 and "is off" in off.stdout
