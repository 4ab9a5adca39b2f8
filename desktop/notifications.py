"""Desktop notifications with buttons: the freedesktop Notifications service over D-Bus.

    notifier = DesktopNotifier()                       the session bus of this desktop
    await notifier.ask(title, body, [("allow", "Allow"), ("deny", "Deny")], expire_s=120)
                                                       -> the key of the button clicked,
                                                          or None (dismissed, expired)
    await notifier.show(title, body)                   a plain notification
    await notifier.show_clickable(title, body, listen_s=600)
                                                       -> True when clicked (its default
                                                          action), else False
    NotificationsUnavailable                           no session bus, nothing serves
                                                       org.freedesktop.Notifications, or
                                                       (for ``ask``) it shows no buttons

Qt's tray balloon has no buttons, so questions that need an answer while nobody looks at
Harken's windows (a scheduled task's permission question) go to the desktop's notification
daemon directly (the Desktop Notifications Specification: ``Notify`` with actions, then the
``ActionInvoked`` or ``NotificationClosed`` signal). Each call opens its own connection
with jeepney's asyncio I/O, so it works from any event loop (the scheduler's thread) and
never touches the GUI thread. Cancelling ``ask`` (a timeout) closes the notification, so
a question that was refused is not left on screen to be clicked. No Qt imports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
APP_NAME = "Harken"
DESKTOP_ENTRY = "io.github.harken.Harken"
ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "harken.svg"
CALL_TIMEOUT = 5.0  # seconds for the daemon to answer a call (not the user)
URGENCY_NORMAL, URGENCY_CRITICAL = 1, 2


class NotificationsUnavailable(Exception):
    """No session bus, no notification daemon on it, or (asking) one without the
    ``actions`` capability; ``str()`` says which."""


def session_bus_address(environ: Mapping[str, str] = os.environ) -> str:
    """The session bus: DBUS_SESSION_BUS_ADDRESS, else systemd's per-user socket; "" if none."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime and (Path(runtime) / "bus").exists():
        return f"unix:path={Path(runtime) / 'bus'}"
    return ""


class DesktopNotifier:
    """Sends notifications to the desktop's notification daemon (any thread's loop)."""

    def __init__(self, address: str | None = None) -> None:
        self._address = address  # None: read the environment at each call

    def available(self) -> bool:
        """Whether a session bus is configured (the daemon itself is checked when used)."""
        return bool(self._address or session_bus_address())

    async def show(self, title: str, body: str) -> None:
        """A plain notification; raises ``NotificationsUnavailable``."""
        from jeepney.io.asyncio import open_dbus_router

        async with self._router(open_dbus_router) as router:
            await self._notify(router, title, body, [], URGENCY_NORMAL, -1)

    async def ask(
        self, title: str, body: str, actions: Sequence[tuple[str, str]], *, expire_s: float
    ) -> str | None:
        """Show ``title``/``body`` with a button per ``(key, label)``; the key of the one
        clicked, or None when the notification is closed without a click. Raises
        ``NotificationsUnavailable``; cancelling closes the notification."""
        from jeepney import HeaderFields, MatchRule
        from jeepney.bus_messages import message_bus
        from jeepney.io.asyncio import Proxy, open_dbus_router

        async with self._router(open_dbus_router) as router:
            if "actions" not in await self._capabilities(router):
                # Its notifications would show no buttons: nobody could answer.
                raise NotificationsUnavailable("the notification daemon shows no buttons")
            rule = MatchRule(type="signal", interface=INTERFACE, path=OBJECT_PATH)
            await asyncio.wait_for(Proxy(message_bus, router).AddMatch(rule), CALL_TIMEOUT)
            signals: asyncio.Queue[Any] = asyncio.Queue()
            with router.filter(rule, queue=signals):
                flat = [text for action in actions for text in action]
                expire_ms = max(1, int(expire_s * 1000))
                nid = await self._notify(router, title, body, flat, URGENCY_CRITICAL, expire_ms)
                try:
                    while True:
                        message = await signals.get()
                        member = message.header.fields.get(HeaderFields.member)
                        if not message.body or message.body[0] != nid:
                            continue
                        if member == "ActionInvoked":
                            key = str(message.body[1])
                            if key in {k for k, _ in actions}:
                                return key
                            # "default" (the body clicked) answers nothing: wait on.
                        elif member == "NotificationClosed":
                            return None
                except asyncio.CancelledError:
                    await self._close(router, nid)
                    raise

    async def show_clickable(self, title: str, body: str, *, listen_s: float) -> bool:
        """A notification whose click (its ``default`` action) is told: True when it was
        clicked within ``listen_s``, False when closed or not clicked by then (a daemon
        without actions shows it plain: False). Raises ``NotificationsUnavailable``."""
        from jeepney import HeaderFields, MatchRule
        from jeepney.bus_messages import message_bus
        from jeepney.io.asyncio import Proxy, open_dbus_router

        async with self._router(open_dbus_router) as router:
            if "actions" not in await self._capabilities(router):
                await self._notify(router, title, body, [], URGENCY_NORMAL, -1)
                return False
            rule = MatchRule(type="signal", interface=INTERFACE, path=OBJECT_PATH)
            await asyncio.wait_for(Proxy(message_bus, router).AddMatch(rule), CALL_TIMEOUT)
            signals: asyncio.Queue[Any] = asyncio.Queue()
            with router.filter(rule, queue=signals):
                actions = ["default", "Open"]  # "default": a click on the notification itself
                nid = await self._notify(router, title, body, actions, URGENCY_NORMAL, -1)
                # Not forever: a daemon that keeps notifications never says they closed.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(listen_s):
                        while True:
                            message = await signals.get()
                            member = message.header.fields.get(HeaderFields.member)
                            if not message.body or message.body[0] != nid:
                                continue
                            if member == "ActionInvoked" and message.body[1] == "default":
                                return True
                            if member == "NotificationClosed":
                                return False
                return False

    @contextlib.asynccontextmanager
    async def _router(self, opener: Any) -> Any:
        address = self._address or session_bus_address()
        if not address:
            raise NotificationsUnavailable("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS)")
        try:
            manager = opener(address)
            router = await asyncio.wait_for(manager.__aenter__(), CALL_TIMEOUT)
        except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
            raise NotificationsUnavailable(f"cannot reach the D-Bus session bus: {exc}") from None
        try:
            yield router
        finally:
            with contextlib.suppress(Exception):
                await manager.__aexit__(None, None, None)

    async def _capabilities(self, router: Any) -> list[str]:
        from jeepney import DBusAddress, DBusErrorResponse, new_method_call
        from jeepney.wrappers import unwrap_msg

        daemon = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
        call = new_method_call(daemon, "GetCapabilities")
        try:
            reply = await asyncio.wait_for(router.send_and_get_reply(call), CALL_TIMEOUT)
            return [str(c) for c in unwrap_msg(reply)[0]]
        except DBusErrorResponse as exc:
            raise NotificationsUnavailable(f"no notification daemon: {exc.name}") from None
        except TimeoutError:
            raise NotificationsUnavailable("the notification daemon does not answer") from None

    async def _notify(
        self,
        router: Any,
        title: str,
        body: str,
        actions: list[str],
        urgency: int,
        expire_ms: int,
    ) -> int:
        from jeepney import DBusAddress, DBusErrorResponse, new_method_call
        from jeepney.wrappers import unwrap_msg

        daemon = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
        hints = {"urgency": ("y", urgency), "desktop-entry": ("s", DESKTOP_ENTRY)}
        call = new_method_call(
            daemon,
            "Notify",
            "susssasa{sv}i",
            (APP_NAME, 0, str(ICON), title, body, actions, hints, expire_ms),
        )
        try:
            reply = await asyncio.wait_for(router.send_and_get_reply(call), CALL_TIMEOUT)
            return int(unwrap_msg(reply)[0])
        except DBusErrorResponse as exc:
            raise NotificationsUnavailable(f"no notification daemon: {exc.name}") from None
        except TimeoutError:
            raise NotificationsUnavailable("the notification daemon does not answer") from None

    async def _close(self, router: Any, nid: int) -> None:
        from jeepney import DBusAddress, new_method_call

        daemon = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
        # Shielded: the caller was cancelled, but the stale question must still go away.
        call = new_method_call(daemon, "CloseNotification", "u", (nid,))
        with contextlib.suppress(Exception):
            await asyncio.shield(asyncio.wait_for(router.send_and_get_reply(call), CALL_TIMEOUT))
