"""A scheduled task's permission question as a desktop notification, on a real D-Bus.

A private session bus (``dbus-daemon``) with a small notification daemon on it stands in
for the desktop's (the one device a CI machine lacks): it shows nothing, records each
notification, and clicks Allow or Deny, or nothing. The task runs in the tray's scheduler
thread (``desktop.scheduled.ScheduledHost``) against the scripted Messages API; whether
its ``Bash`` call ran is seen in the task's folder.

    FakeNotifications(address, click="allow"|"deny"|None)   the notification daemon
    wait_until(predicate)                                    polls until true (a deadline
                                                             only a hang reaches)
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

from agent.tasks.locks import scheduler_lock
from agent.tasks.model import Task
from agent.tasks.store import TaskStore
from desktop.notifications import DesktopNotifier
from desktop.scheduled import ScheduledHost
from tests.desktop.fake_portal import private_bus
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

NAME, PATH = "org.freedesktop.Notifications", "/org/freedesktop/Notifications"


@dataclass
class Shown:
    id: int
    title: str
    body: str
    actions: list[str]
    expire_ms: int
    closed: bool = False


class FakeNotifications:
    """Serves org.freedesktop.Notifications on its own thread until ``close()``; clicks
    the button ``click`` on every notification that has it."""

    def __init__(
        self,
        address: str,
        *,
        click: str | None = None,
        capabilities: tuple[str, ...] = ("actions", "body"),
    ) -> None:
        self.click = click
        self.capabilities = list(capabilities)
        self.shown: list[Shown] = []
        self._ids = itertools.count(1)
        self._conn = open_dbus_connection(address)
        Proxy(message_bus, self._conn).RequestName(NAME)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._conn.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            if message.header.message_type == MessageType.method_call:
                self._answer(message)

    def _answer(self, message: Any) -> None:
        member = message.header.fields[HeaderFields.member]
        if member == "GetCapabilities":
            self._conn.send(new_method_return(message, "as", (self.capabilities,)))
            return
        if member == "Notify":
            _app, _replaces, _icon, title, body, actions, _hints, expire = message.body
            shown = Shown(next(self._ids), title, body, list(actions), expire)
            self.shown.append(shown)
            self._conn.send(new_method_return(message, "u", (shown.id,)))
            if self.click is not None and self.click in actions[::2]:
                self._signal("ActionInvoked", "us", (shown.id, self.click))
                self._signal("NotificationClosed", "uu", (shown.id, 2))
            return
        if member == "CloseNotification":
            (nid,) = message.body
            for shown in self.shown:
                if shown.id == nid:
                    shown.closed = True
            self._conn.send(new_method_return(message))
            self._signal("NotificationClosed", "uu", (nid, 3))
            return
        error = "org.freedesktop.DBus.Error.UnknownMethod"
        self._conn.send(new_error(message, error, "s", (f"No such method {member}",)))

    def _signal(self, member: str, signature: str, body: tuple[Any, ...]) -> None:
        emitter = DBusAddress(PATH, interface=NAME)
        self._conn.send(new_signal(emitter, member, signature, body))


def wait_until(predicate: Callable[[], Any], timeout: float = 60) -> Any:
    """Poll ``predicate`` until it is true; the deadline is only reached by a hang."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.02)
    return value


@pytest.fixture
def bus() -> Iterator[str]:
    with private_bus() as address:
        yield address


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def endpoint(api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch) -> ScriptedAPI:
    """The scripted API as the user's endpoint (tasks read it as ``harken ask`` does)."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)  # type: ignore[attr-defined]
    return api


def missed_task(project: Path, prompt: str = "make the file") -> Task:
    """A task whose 9:00 slot passed long ago: due at once (a missed slot runs once)."""
    task = Task(
        id="t-0000beef",
        name="make the file",
        prompt=prompt,
        cron="0 9 * * *",
        cwd=str(project),
        created="2026-01-01T08:00:00+00:00",
    )
    TaskStore().add(task)
    return task


def finished(task_id: str) -> Task | None:
    task = TaskStore().get(task_id)
    return task if task.last_status not in (None, "running") else None


def tool_results(api: ScriptedAPI, n: int) -> list[str]:
    message = [m for m in api.requests[n]["messages"] if m["role"] == "user"][-1]
    found = []
    for block in message["content"]:
        if block.get("type") == "tool_result":
            content = block["content"]
            found.append(content if isinstance(content, str) else str(content))
    return found


def host_for(bus: str, told: list[str], **options: Any) -> ScheduledHost:
    return ScheduledHost(tell=told.append, notifier=DesktopNotifier(bus), **options)


@pytest.mark.parametrize("click", ["allow", "deny"])
def test_the_button_clicked_in_the_notification_decides_whether_the_tool_runs(
    bus: str, endpoint: ScriptedAPI, project: Path, click: str
) -> None:
    daemon = FakeNotifications(bus, click=click)
    task = missed_task(project)
    endpoint.script(
        Reply([tool_use("Bash", {"command": "touch made.txt"})]),
        Reply([text("Done.")]),
    )
    told: list[str] = []
    host = host_for(bus, told, question_timeout=60)
    host.start()
    try:
        done = wait_until(lambda: finished(task.id))
    finally:
        host.stop()
        daemon.close()

    [shown] = daemon.shown
    assert shown.title == "Harken: allow Bash?"
    assert shown.body.startswith("Scheduled task “make the file” asks to run:")
    assert "touch made.txt" in shown.body
    assert shown.actions == ["allow", "Allow", "deny", "Deny"]
    assert done.last_status == "ok" and told == []
    [result] = tool_results(endpoint, 1)
    if click == "allow":
        assert (project / "made.txt").exists()
    else:
        assert not (project / "made.txt").exists()
        assert "denied" in result.lower()


def test_a_question_nobody_answers_is_refused_and_its_notification_closed(
    bus: str, endpoint: ScriptedAPI, project: Path
) -> None:
    daemon = FakeNotifications(bus, click=None)  # the user is away
    task = missed_task(project)
    endpoint.script(
        Reply([tool_use("Bash", {"command": "touch made.txt"})]),
        Reply([text("Could not make it.")]),
    )
    host = host_for(bus, [], question_timeout=0.5)
    host.start()
    try:
        done = wait_until(lambda: finished(task.id))
        wait_until(lambda: daemon.shown and daemon.shown[0].closed)
    finally:
        host.stop()
        daemon.close()

    assert not (project / "made.txt").exists()
    assert done.last_status == "ok"  # the task went on with the refusal
    [result] = tool_results(endpoint, 1)
    assert "nobody answered" in result
    assert daemon.shown[0].closed  # no stale Allow button left on screen


@pytest.mark.parametrize("daemon", ["none", "without buttons"])
def test_without_a_notification_daemon_with_buttons_the_question_is_refused_and_said(
    bus: str, endpoint: ScriptedAPI, project: Path, daemon: str
) -> None:
    shows = FakeNotifications(bus, capabilities=("body",)) if daemon != "none" else None
    task = missed_task(project)
    endpoint.script(
        Reply([tool_use("Bash", {"command": "touch made.txt"})]),
        Reply([text("Could not make it.")]),
    )
    told: list[str] = []
    host = host_for(bus, told, question_timeout=60)
    host.start()
    try:
        wait_until(lambda: finished(task.id))
    finally:
        host.stop()
        if shows is not None:
            shows.close()

    assert not (project / "made.txt").exists()
    assert shows is None or shows.shown == []  # no question without buttons to answer it
    [said] = told
    assert "refused" in said and "allow rule" in said


def test_the_tray_leaves_tasks_to_a_running_daemon_and_takes_over_when_it_stops(
    bus: str, endpoint: ScriptedAPI, project: Path
) -> None:
    endpoint.script(Reply([text("Summary: nothing changed.")]))
    task = missed_task(project, prompt="summarise the repo")
    owners: list[bool] = []
    host = host_for(bus, [], check_every=0.05, on_owner=owners.append)
    daemon_lock = scheduler_lock()
    daemon_lock.__enter__()  # as `harken daemon` holds it
    try:
        host.start()
        wait_until(lambda: host.checks >= 3)  # it looked, more than once
        assert endpoint.requests == [] and TaskStore().get(task.id).last_run is None
        assert not host.owner
    finally:
        daemon_lock.__exit__(None, None, None)  # the daemon stops
    try:
        done = wait_until(lambda: finished(task.id))
    finally:
        host.stop()

    assert done.last_status == "ok" and len(endpoint.requests) == 1
    assert owners == [True, False]  # took over, and let go when it stopped


def test_a_task_run_by_hand_runs_while_the_daemon_schedules(
    bus: str, endpoint: ScriptedAPI, project: Path
) -> None:
    endpoint.script(Reply([text("Ran by hand.")]))
    task = missed_task(project)
    host = host_for(bus, [], check_every=60)
    daemon_lock = scheduler_lock()
    daemon_lock.__enter__()
    try:
        host.start()
        wait_until(lambda: host.checks >= 1)
        result = host.run_now(task.id).result(timeout=60)
    finally:
        host.stop()
        daemon_lock.__exit__(None, None, None)

    assert result.status == "ok" and result.summary == "Ran by hand."
    assert TaskStore().get(task.id).last_status == "ok"


def test_a_corrupt_tasks_file_is_told_once_and_left_as_it_is(bus: str, isolated_env: Path) -> None:
    tasks = isolated_env / "xdg_data_home" / "harken" / "tasks.json"
    tasks.parent.mkdir(parents=True, exist_ok=True)
    tasks.write_text('{"version": 1, "tasks": [')
    told: list[str] = []
    host = host_for(bus, told, check_every=60)
    host.start()
    try:
        wait_until(lambda: told)
    finally:
        host.stop()

    [said] = told
    assert said.startswith("Scheduled tasks: ") and "corrupt" in said
    assert tasks.read_text() == '{"version": 1, "tasks": ['
