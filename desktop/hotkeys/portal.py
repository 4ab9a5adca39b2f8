"""The Wayland backend: the XDG GlobalShortcuts portal over D-Bus (jeepney, pure Python).

Under Wayland no program may read the keyboard globally; the compositor owns shortcuts
and the portal hands them out:

    Registry.Register(app id)              optional; tells the portal who we are
    CreateSession -> Request.Response      a session handle
    BindShortcuts(session, [("push-to-talk", {description, preferred_trigger})])
                  -> Request.Response      (the desktop may ask the user to confirm)
    Activated / Deactivated signals        press / release: hold-to-talk

The chord is only a suggestion (``preferred_trigger``); once bound, the desktop's
shortcut settings own the actual key, and ``trigger`` says what the desktop reported.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import secrets
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from desktop.hotkeys.base import PTT_FIX, HotkeyBackend, HotkeyError
from desktop.hotkeys.chord import Chord

log = logging.getLogger(__name__)

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
REGISTRY = "org.freedesktop.host.portal.Registry"
SHORTCUT_ID = "push-to-talk"
CALL_TIMEOUT = 5.0

_MISSING_INTERFACE = (
    "org.freedesktop.DBus.Error.InvalidArgs",
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.UnknownProperty",
    "org.freedesktop.DBus.Error.UnknownMethod",
)
_NO_PORTAL = (
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.Spawn.ServiceNotFound",
)

# XDG shortcut trigger names (modifiers, then an xkb keysym name).
_TRIGGER_MODIFIERS = {"ctrl": "CTRL", "alt": "ALT", "shift": "SHIFT", "super": "LOGO"}
_KEYSYMS = {
    "enter": "Return", "esc": "Escape", "tab": "Tab", "backspace": "BackSpace",
    "delete": "Delete", "insert": "Insert", "home": "Home", "end": "End",
    "page_up": "Prior", "page_down": "Next", "up": "Up", "down": "Down", "left": "Left",
    "right": "Right", "pause": "Pause", "print_screen": "Print", "scroll_lock": "Scroll_Lock",
    "caps_lock": "Caps_Lock", "num_lock": "Num_Lock", "menu": "Menu", "space": "space",
}  # fmt: skip


def portal_trigger(chord: Chord) -> str:
    """``chord`` in the XDG shortcuts format: "CTRL+ALT+space", "LOGO+h", "F9"."""
    parts = [
        _TRIGGER_MODIFIERS[m] for m in ("ctrl", "alt", "shift", "super") if m in chord.modifiers
    ]
    key = chord.key
    if key.startswith("f") and key[1:].isdigit():
        parts.append(key.upper())
    else:
        parts.append(_KEYSYMS.get(key, key))
    return "+".join(parts)


def session_bus_address(environ: Mapping[str, str]) -> str:
    """The session bus: DBUS_SESSION_BUS_ADDRESS, else systemd's per-user socket."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime and (Path(runtime) / "bus").exists():
        return f"unix:path={Path(runtime) / 'bus'}"
    return ""


class PortalBackend(HotkeyBackend):
    name = "portal"
    label = "XDG GlobalShortcuts portal"

    def __init__(self, chord: Chord, environ: Mapping[str, str] = os.environ) -> None:
        super().__init__(chord)
        self.environ = environ
        self.trigger = ""  # what the desktop bound, as it describes it
        self.error = ""  # why binding failed, when it did
        self._conn: Any = None
        self._router: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._session = ""
        self._callbacks: tuple[Callable[[], None], Callable[[], None]] | None = None

    def available(self) -> tuple[bool, str]:
        from jeepney import DBusErrorResponse

        address = session_bus_address(self.environ)
        if not address:
            return False, f"No D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): {PTT_FIX}."
        try:
            conn, router = _connect(address)
        except Exception as exc:  # OSError, TimeoutError, RuntimeError (bad address)
            return False, f"Cannot connect to the D-Bus session bus ({exc}): {PTT_FIX}."
        try:
            version = _property(router, "version")
        except DBusErrorResponse as exc:
            return False, _explain(exc)
        except TimeoutError:
            return False, f"The desktop portal did not answer within {CALL_TIMEOUT:g} s: {PTT_FIX}."
        finally:
            _disconnect(conn, router)
        return True, f"GlobalShortcuts portal version {version}"

    def start(self, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        if self._thread is not None:
            return
        from jeepney import DBusErrorResponse

        address = session_bus_address(self.environ)
        if not address:
            raise HotkeyError("No D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set).")
        try:
            self._conn, self._router = _connect(address)
        except Exception as exc:
            raise HotkeyError(f"Cannot connect to the D-Bus session bus: {exc}") from None
        signals: queue.Queue[Any] = queue.Queue()
        try:
            _register_app(self._router)
            _watch(self._router, signals, interface=SHORTCUTS)
            _watch(self._router, signals, interface=REQUEST, member="Response")
            self._session = _create_session(self._router, signals)
            bind_handle = self._bind()
        except DBusErrorResponse as exc:
            self._close_connection()
            raise HotkeyError(_explain(exc)) from None
        except (TimeoutError, HotkeyError) as exc:
            self._close_connection()
            raise HotkeyError(f"The GlobalShortcuts portal failed: {exc}") from None
        self._callbacks = (on_press, on_release)
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._listen,
            args=(signals, bind_handle, on_press, on_release),
            name="harken-portal",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        thread.join(timeout=2)
        if self._session:
            with contextlib.suppress(Exception):  # the session dies with the connection anyway
                _call(self._router, self._session, SESSION, "Close", "", [])
            self._session = ""
        self._close_connection()

    def rebind(self, chord: Chord) -> None:
        """Bind again in a new session, suggesting ``chord``; the desktop may keep the key
        the user chose in its own settings."""
        self.chord = chord
        if self._thread is not None and self._callbacks is not None:
            callbacks = self._callbacks
            self.stop()
            self.start(*callbacks)

    def _bind(self) -> str:
        shortcut = {
            "description": ("s", "Push to talk (Harken)"),
            "preferred_trigger": ("s", portal_trigger(self.chord)),
        }
        options = {"handle_token": ("s", _token())}
        body = (self._session, [(SHORTCUT_ID, shortcut)], "", options)
        reply = _call(
            self._router, PORTAL_PATH, SHORTCUTS, "BindShortcuts", "oa(sa{sv})sa{sv}", body
        )
        return str(reply[0])  # its Response arrives once the user has confirmed, if asked

    # -- on the backend's thread ----------------------------------------------------------

    def _listen(
        self,
        signals: queue.Queue[Any],
        bind_handle: str,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
    ) -> None:
        held = False
        while not self._stopping.is_set():
            try:
                message = signals.get(timeout=0.2)
            except queue.Empty:
                continue
            member = _member(message)
            if member == "Response" and _path(message) == bind_handle:
                self._bound(message.body)
            elif member in ("Activated", "Deactivated") and self._ours(message.body):
                pressed = member == "Activated"
                if pressed != held:  # a repeated Activated while held changes nothing
                    held = pressed
                    (on_press if pressed else on_release)()

    def _ours(self, body: tuple[Any, ...]) -> bool:
        return len(body) >= 2 and str(body[0]) == self._session and body[1] == SHORTCUT_ID

    def _bound(self, body: tuple[Any, ...]) -> None:
        code, results = body
        if code != 0:
            self.error = "the desktop did not bind the shortcut (cancelled or refused)"
            log.warning("GlobalShortcuts: %s", self.error)
            return
        for shortcut_id, props in _unvariant(results).get("shortcuts", []):
            if shortcut_id == SHORTCUT_ID:
                self.trigger = str(_unvariant(props).get("trigger_description", ""))
        log.info("GlobalShortcuts: push-to-talk bound to %s", self.trigger or "(unassigned)")

    def _close_connection(self) -> None:
        conn, router = self._conn, self._router
        self._conn = self._router = None
        if conn is not None:
            _disconnect(conn, router)


# -- D-Bus plumbing ------------------------------------------------------------------------


def _connect(address: str) -> tuple[Any, Any]:
    from jeepney.io.threading import DBusRouter, open_dbus_connection

    conn = open_dbus_connection(address)
    return conn, DBusRouter(conn)


def _disconnect(conn: Any, router: Any) -> None:
    with contextlib.suppress(Exception):
        router.close()
    with contextlib.suppress(Exception):
        conn.close()


def _call(router: Any, path: str, interface: str, method: str, signature: str, body: Any) -> Any:
    from jeepney import DBusAddress, new_method_call
    from jeepney.wrappers import unwrap_msg

    address = DBusAddress(path, bus_name=PORTAL_NAME, interface=interface)
    message = new_method_call(address, method, signature or None, tuple(body))
    return unwrap_msg(router.send_and_get_reply(message, timeout=CALL_TIMEOUT))


def _property(router: Any, name: str) -> Any:
    reply = _call(
        router, PORTAL_PATH, "org.freedesktop.DBus.Properties", "Get", "ss", (SHORTCUTS, name)
    )
    return reply[0][1]  # a variant: (signature, value)


def _watch(router: Any, into: queue.Queue[Any], **match: str) -> None:
    """Deliver the signals ``match`` selects into ``into`` (on the bus and locally)."""
    from jeepney import MatchRule
    from jeepney.bus_messages import message_bus
    from jeepney.io.threading import Proxy

    rule = MatchRule(type="signal", **match)
    Proxy(message_bus, router, timeout=CALL_TIMEOUT).AddMatch(rule)
    router.filter(rule, queue=into)


def _create_session(router: Any, responses: queue.Queue[Any]) -> str:
    """A new GlobalShortcuts session's handle (it comes through a Request's Response)."""
    options = {"handle_token": ("s", _token()), "session_handle_token": ("s", _token())}
    handle = str(_call(router, PORTAL_PATH, SHORTCUTS, "CreateSession", "a{sv}", [options])[0])
    while True:  # nothing else is expected before the session exists: skip it
        try:
            message = responses.get(timeout=CALL_TIMEOUT)
        except queue.Empty:
            raise TimeoutError(f"no answer to CreateSession within {CALL_TIMEOUT:g} s") from None
        if _member(message) == "Response" and _path(message) == handle:
            break
    code, results = message.body
    if code != 0:
        raise HotkeyError(f"CreateSession was refused (response {code})")
    return str(_unvariant(results)["session_handle"])


def _register_app(router: Any) -> None:
    """Tell the portal our app id; portals before 1.19 lack the registry, which is fine."""
    from jeepney import DBusErrorResponse

    from desktop.integration import APP_ID

    with contextlib.suppress(DBusErrorResponse, TimeoutError):
        _call(router, PORTAL_PATH, REGISTRY, "Register", "sa{sv}", (APP_ID, {}))


def _explain(exc: Any) -> str:
    if exc.name in _NO_PORTAL:
        return (
            "xdg-desktop-portal is not running: install it with your desktop's portal "
            f"backend (xdg-desktop-portal-kde, -gnome, -hyprland), or {PTT_FIX}."
        )
    if exc.name in _MISSING_INTERFACE:
        return (
            f"This desktop's portal has no GlobalShortcuts (GNOME before 48, for one): {PTT_FIX}."
        )
    return f"The desktop portal refused: {exc.name}: {exc.data}; {PTT_FIX}."


def _member(message: Any) -> str:
    from jeepney import HeaderFields

    return message.header.fields.get(HeaderFields.member, "")


def _path(message: Any) -> str:
    from jeepney import HeaderFields

    return str(message.header.fields.get(HeaderFields.path, ""))


def _unvariant(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value[1] for key, value in values.items()}


def _token() -> str:
    return f"harken{secrets.token_hex(6)}"
