"""A private D-Bus session bus with a scripted GlobalShortcuts portal on it, for tests.

``private_bus()`` starts ``dbus-daemon`` and yields its address. ``FakePortal(address)``
owns ``org.freedesktop.portal.Desktop`` there and answers like xdg-desktop-portal:
CreateSession and BindShortcuts reply with a Request path, then send its Response
signal; ``activate()`` / ``deactivate()`` emit the shortcut signals. ``shortcuts=False``
serves a portal without the GlobalShortcuts interface (as GNOME before 48).
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"


@contextlib.contextmanager
def private_bus() -> Iterator[str]:
    """A fresh session bus (dbus-daemon) for one test; yields its address."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        import pytest

        pytest.skip("dbus-daemon is not installed")
    process = subprocess.Popen(
        [daemon, "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=5)


class FakePortal:
    """Answers portal calls on its own thread until ``close()``."""

    def __init__(self, address: str, *, shortcuts: bool = True, trigger: str = "Ctrl+Alt+Space"):
        self.shortcuts = shortcuts
        self.trigger = trigger
        self.calls: list[tuple[str, tuple[Any, ...]]] = []  # (member, body) of each call
        self.sessions: list[str] = []
        self._ids = itertools.count(1)
        self._conn = open_dbus_connection(address)
        Proxy(message_bus, self._conn).RequestName(PORTAL_NAME)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._conn.close()

    def activate(self, shortcut_id: str = "push-to-talk", session: str = "") -> None:
        self._shortcut_signal("Activated", shortcut_id, session)

    def deactivate(self, shortcut_id: str = "push-to-talk", session: str = "") -> None:
        self._shortcut_signal("Deactivated", shortcut_id, session)

    def _shortcut_signal(self, member: str, shortcut_id: str, session: str) -> None:
        emitter = DBusAddress(PORTAL_PATH, interface=SHORTCUTS)
        body = (session or self.sessions[-1], shortcut_id, 0, {})
        self._conn.send(new_signal(emitter, member, "osta{sv}", body))

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            if message.header.message_type == MessageType.method_call:
                self._answer(message)

    def _answer(self, message: Any) -> None:
        fields = message.header.fields
        interface, member = fields.get(HeaderFields.interface), fields[HeaderFields.member]
        self.calls.append((member, message.body))
        version = (SHORTCUTS, "version")
        if (
            interface == PROPERTIES
            and member == "Get"
            and self.shortcuts
            and message.body == version
        ):
            self._conn.send(new_method_return(message, "v", (("u", 1),)))
            return
        if interface == SHORTCUTS and self.shortcuts:
            if member == "CreateSession":
                session = f"{PORTAL_PATH}/session/test/s{next(self._ids)}"
                self.sessions.append(session)
                self._respond(message, message.body[0], {"session_handle": ("o", session)})
                return
            if member == "BindShortcuts":
                session, shortcuts, _parent, options = message.body
                bound = [
                    (sid, {"trigger_description": ("s", self.trigger)}) for sid, _ in shortcuts
                ]
                self._respond(message, options, {"shortcuts": ("a(sa{sv})", bound)})
                return
        if interface == SESSION and member == "Close":
            self._conn.send(new_method_return(message))
            return
        error = "org.freedesktop.DBus.Error.UnknownMethod"
        if interface == PROPERTIES:
            error = "org.freedesktop.DBus.Error.InvalidArgs"
        self._conn.send(new_error(message, error, "s", (f"No such method {member}",)))

    def _respond(self, call: Any, options: dict[str, Any], results: dict[str, Any]) -> None:
        sender = call.header.fields[HeaderFields.sender][1:].replace(".", "_")
        token = options.get("handle_token", ("s", f"t{next(self._ids)}"))[1]
        request = f"{PORTAL_PATH}/request/{sender}/{token}"
        self._conn.send(new_method_return(call, "o", (request,)))
        emitter = DBusAddress(request, interface=REQUEST)
        self._conn.send(new_signal(emitter, "Response", "ua{sv}", (0, results)))
