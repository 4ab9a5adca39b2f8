"""A scheduled task's permission question as a desktop notification with Allow and Deny.

    ask = ask_in_notification(notifier, tell, expire_s=120)
    await ask(event) -> PermissionAnswer | None      the runner's ``ask`` callback

The question is shown through ``desktop.notifications`` (the desktop's notification daemon
over D-Bus): Allow allows the call, Deny refuses it as the user's no. Dismissed, expired, or
impossible to show (no notification daemon: then ``tell`` says so in words) gives None,
which the runner (``agent.tasks.runner``) turns into a refusal that nobody answered; the
task goes on with that answer either way. No Qt imports: it runs on the scheduler's loop.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from desktop.notifications import DesktopNotifier, NotificationsUnavailable

if TYPE_CHECKING:
    from agent.events import PermissionAnswer, PermissionRequested

log = logging.getLogger(__name__)

ALLOW, DENY = "allow", "deny"
Tell = Callable[[str], None]  # a notification for people, from any thread
Ask = Callable[["PermissionRequested"], Awaitable["PermissionAnswer | None"]]


def ask_in_notification(
    notifier: DesktopNotifier,
    tell: Tell,
    *,
    expire_s: float,
    asking: Callable[[], str | None] = lambda: None,
) -> Ask:
    """The runner's ``ask``: the question as a notification with Allow and Deny; None
    (refused by the runner) when it is dismissed, times out, or cannot be shown.
    ``asking()`` names the task that asks, when the host can tell (None: it cannot)."""

    async def ask(event: PermissionRequested) -> PermissionAnswer | None:
        from agent.events import PermissionAnswer

        title = f"Harken: allow {event.name}?"
        name = asking()
        who = f"Scheduled task “{name}”" if name else "A scheduled task"
        body = f"{who} asks to run: {event.description}"
        if event.reason:
            body += f"\n{event.reason}"
        try:
            buttons = [(ALLOW, "Allow"), (DENY, "Deny")]
            key = await notifier.ask(title, body, buttons, expire_s=expire_s)
        except NotificationsUnavailable as exc:
            log.warning("a scheduled task's question cannot be shown (%s): refused", exc)
            tell(
                f"{who} asked to use {event.name} ({event.description}) and was refused: "
                f"Harken cannot ask you in a notification ({exc}). Give the task an allow "
                "rule instead."
            )
            return None
        log.info("scheduled task question %s %s: %s", event.name, event.description, key)
        if key == ALLOW:
            return PermissionAnswer(True)
        if key == DENY:
            return PermissionAnswer(False, message="denied from the notification")
        return None

    return ask
