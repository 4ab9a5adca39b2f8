"""Open and Notify through the real ``harken ask``: Open hands a web address, a file and an
application to the desktop's own handler (gio, with a handler registered the way desktops
register them: a desktop entry and mimeapps.list); Notify reaches a notification daemon on
a private session bus; and the permission engine judges both."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from jeepney import HeaderFields, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

from agent.permissions import Mode, PermissionEngine, ToolCall, Verdict
from agent.permissions.rules import parse_rule
from agent.permissions.settings import RuleSet
from agent.tools.base import ToolKind
from tests.desktop.fake_portal import private_bus
from tests.e2e.conftest import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

HANDLER = "harken-test-opener"


def harken_ask(
    api: ScriptedAPI, workspace: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """``harken ask --yes ARGS`` on the test display (a screen is what brings the tools)."""
    full = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, **env}  # type: ignore[attr-defined]
    return subprocess.run(
        [*harken_command(), "ask", "--yes", *args],
        cwd=workspace,
        env=full,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def last_result(request: dict[str, Any]) -> str:
    [block] = [b for b in request["messages"][-1]["content"] if b.get("type") == "tool_result"]
    content = block["content"]
    return content if isinstance(content, str) else "\n".join(b["text"] for b in content)


@pytest.fixture
def opener(isolated_env: Path, tmp_path: Path) -> Path:
    """A desktop application that records what it is asked to open (one line each), the
    default for web addresses and text files; returns the file it writes."""
    marker = tmp_path / "opened.txt"
    script = tmp_path / "opener.sh"
    script.write_text(f'#!/bin/sh\nprintf "opened:%s\\n" "$@" >> {marker}\n')
    script.chmod(0o755)
    apps = isolated_env / "xdg_data_home" / "applications"
    apps.mkdir(parents=True)
    (apps / f"{HANDLER}.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Harken Test Opener\n"
        f"Exec={script} %u\nMimeType=x-scheme-handler/https;text/plain;\n"
    )
    config = isolated_env / "xdg_config_home"
    config.mkdir(parents=True, exist_ok=True)
    (config / "mimeapps.list").write_text(
        f"[Default Applications]\nx-scheme-handler/https={HANDLER}.desktop\n"
        f"text/plain={HANDLER}.desktop\n"
    )
    return marker


def opened(marker: Path, count: int) -> list[str]:
    """The lines the handler wrote, once it wrote ``count`` (it runs on its own)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = marker.read_text().splitlines() if marker.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    return marker.read_text().splitlines() if marker.exists() else []


@pytest.mark.real_display
def test_open_hands_addresses_files_and_applications_to_the_desktop(
    api: ScriptedAPI, workspace: Path, opener: Path
) -> None:
    if not (shutil.which("xdg-open") or shutil.which("gio")):
        pytest.skip("no desktop handler (xdg-open, or gio from libglib2.0-bin) is installed")
    (workspace / "notes.txt").write_text("remember the milk\n")
    api.script(
        Reply([tool_use("Open", {"target": "https://example.org/docs?page=2"})]),
        Reply([tool_use("Open", {"target": "notes.txt"})]),
        Reply([tool_use("Open", {"application": "Harken Test Opener"})]),
        Reply([tool_use("Open", {"target": "missing.txt"})]),
        Reply([text("Opened.")]),
    )

    result = harken_ask(api, workspace, "open the docs, my notes and the opener")

    assert result.returncode == 0, result.stderr
    said = [last_result(r) for r in api.requests[1:5]]
    assert (
        said[0] == "Opened https://example.org/docs?page=2 with the desktop's default application."
    )
    assert said[2] == f"Started Harken Test Opener ({HANDLER}.desktop)."
    assert said[3] == f"There is no file or folder {workspace / 'missing.txt'}."
    lines = opened(opener, 3)
    assert lines[:2] == ["opened:https://example.org/docs?page=2", f"opened:{workspace}/notes.txt"]
    assert lines[2] in ("opened:", "")  # the application, started with nothing to open


class FakeNotifications:
    """A notification daemon on a private bus: records each Notify, answers an id."""

    def __init__(self, address: str) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self._conn = open_dbus_connection(address)
        Proxy(message_bus, self._conn).RequestName("org.freedesktop.Notifications")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            member = message.header.fields.get(HeaderFields.member)
            if message.header.message_type == MessageType.method_call and member == "Notify":
                self.calls.append(message.body)
                self._conn.send(new_method_return(message, "u", (41 + len(self.calls),)))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._conn.close()


@pytest.mark.real_display
def test_notify_reaches_the_desktops_notification_daemon(api: ScriptedAPI, workspace: Path) -> None:
    api.script(
        Reply([tool_use("Notify", {"title": "Build done", "body": "All 212 tests pass."})]),
        Reply([text("Told you.")]),
    )
    with private_bus() as address:
        daemon = FakeNotifications(address)
        try:
            result = harken_ask(
                api, workspace, "tell me when done", DBUS_SESSION_BUS_ADDRESS=address
            )
        finally:
            daemon.close()

    assert result.returncode == 0, result.stderr
    assert last_result(api.requests[1]) == "Notification shown (id 42)."
    [(app, replaces, _icon, title, body, actions, hints, expires)] = daemon.calls
    assert (app, title, body) == ("Harken", "Build done", "All 212 tests pass.")
    assert (replaces, actions, expires) == (0, [], -1)
    assert hints["urgency"] == ("y", 1)


@pytest.mark.real_display
def test_without_a_notification_daemon_the_model_hears_why(
    api: ScriptedAPI, workspace: Path
) -> None:
    api.script(Reply([tool_use("Notify", {"title": "Hello"})]), Reply([text("ok")]))
    with private_bus() as address:
        result = harken_ask(api, workspace, "notify me", DBUS_SESSION_BUS_ADDRESS=address)

    assert result.returncode == 0, result.stderr
    assert last_result(api.requests[1]).startswith("The desktop showed no notification:")


@pytest.mark.parametrize(
    ("name", "given", "standard", "bypass", "plan"),
    [
        ("Screenshot", {}, "ask", "allow", "ask"),
        ("ActiveWindow", {}, "ask", "allow", "ask"),
        ("Clipboard", {"action": "read"}, "ask", "allow", "ask"),
        ("Clipboard", {"action": "write", "text": "x"}, "ask", "allow", "deny"),
        ("Notify", {"title": "x"}, "allow", "allow", "allow"),
        ("Open", {"target": "https://example.org/"}, "ask", "ask", "deny"),
        ("Open", {"target": "notes.txt"}, "ask", "allow", "deny"),
        ("Open", {"application": "firefox"}, "ask", "allow", "deny"),
    ],
)
def test_each_desktop_tool_is_judged_by_what_it_touches(
    tmp_path: Path, name: str, given: dict[str, Any], standard: str, bypass: str, plan: str
) -> None:
    call = ToolCall("t1", name, given, ToolKind.READ, name)
    verdicts = [PermissionEngine(mode=m, workspace=tmp_path).decide(call).verdict for m in
                (Mode.STANDARD, Mode.BYPASS, Mode.PLAN)]  # fmt: skip
    assert verdicts == [Verdict(standard), Verdict(bypass), Verdict(plan)]


def test_rules_name_the_desktop_tools(tmp_path: Path) -> None:
    rules = RuleSet()
    rules.add("allow", parse_rule("Screenshot"))
    rules.add("deny", parse_rule("Clipboard"))
    engine = PermissionEngine(mode=Mode.STANDARD, workspace=tmp_path, rules=rules)

    def verdict(name: str, given: dict[str, Any]) -> Verdict:
        return engine.decide(ToolCall("t1", name, given, ToolKind.READ, name)).verdict

    assert verdict("Screenshot", {}) is Verdict.ALLOW
    assert verdict("Clipboard", {"action": "write", "text": "x"}) is Verdict.DENY
    assert verdict("ActiveWindow", {}) is Verdict.ASK
