"""Notify and Open: the model reaches the user through the desktop's own services.

Notify sends ``org.freedesktop.Notifications.Notify`` on the session bus (jeepney; the bus
found as ``desktop.notifications`` finds it), which every Linux desktop's notification
daemon serves. Open hands a web address or a file to
the desktop's handler (``xdg-open``, else ``gio open``, else ``kde-open``), and starts an
application from its desktop entry (``gio launch``, else ``gtk-launch``). The handler
starts the program and exits; its exit status and error text say whether that worked.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, Field, model_validator

from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext

HANDLER_TIMEOUT_S = 20.0
NOTIFY_TIMEOUT_S = 5.0
URGENCY = {"low": 0, "normal": 1, "critical": 2}

NOTIFY_DESCRIPTION = """\
Shows a desktop notification (title and an optional body): for something the user \
should notice while looking elsewhere, such as a long task being done. Keep it short; \
do not repeat what your answer says anyway."""

OPEN_DESCRIPTION = """\
Opens something with the user's own desktop applications:
- target: a web address (opens in their browser) or a file or folder path (opens in its \
default application; relative paths are inside the workspace).
- application: the name or desktop-file id of an installed application to start \
("firefox", "org.gnome.Calculator").
Give one of them. The user is usually asked first."""


class NotifyInput(BaseModel):
    """Input of the Notify tool."""

    title: str = Field(min_length=1, max_length=200, description="The notification's title")
    body: str = Field(default="", max_length=2000, description="Its text (optional)")
    urgency: Literal["low", "normal", "critical"] = "normal"


class OpenInput(BaseModel):
    """Input of the Open tool."""

    target: str | None = Field(default=None, description="A web address, file or folder")
    application: str | None = Field(default=None, description="An application to start")

    @model_validator(mode="after")
    def _one_of_them(self) -> OpenInput:
        if bool((self.target or "").strip()) == bool((self.application or "").strip()):
            raise ValueError("give either target or application")
        return self


def notify(title: str, body: str, urgency: str) -> int:
    """Show a notification; its id. Raises ``ToolError`` when no service answers."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    from desktop.notifications import APP_NAME, DESKTOP_ENTRY, session_bus_address

    bus = session_bus_address()
    if not bus:
        raise ToolError("No desktop session bus (DBUS_SESSION_BUS_ADDRESS) to notify on.")
    address = DBusAddress(
        "/org/freedesktop/Notifications",
        bus_name="org.freedesktop.Notifications",
        interface="org.freedesktop.Notifications",
    )
    hints = {"urgency": ("y", URGENCY[urgency]), "desktop-entry": ("s", DESKTOP_ENTRY)}
    message = new_method_call(
        address,
        "Notify",
        "susssasa{sv}i",
        (APP_NAME, 0, "", title, body, [], hints, -1),
    )
    try:
        with open_dbus_connection(bus) as connection:
            reply = connection.send_and_get_reply(message, timeout=NOTIFY_TIMEOUT_S)
    except (OSError, KeyError, TimeoutError) as exc:
        raise ToolError(f"No desktop session bus to show notifications on ({exc}).") from None
    if reply.header.message_type.name == "error":
        why = reply.body[0] if reply.body else reply.header.fields
        raise ToolError(f"The desktop showed no notification: {why}")
    return int(reply.body[0])


async def _notify(params: NotifyInput, ctx: ToolContext) -> str:
    number = await asyncio.to_thread(notify, params.title, params.body, params.urgency)
    return f"Notification shown (id {number})."


def _handler(target: str) -> list[str]:
    for program, args in (("xdg-open", []), ("gio", ["open"]), ("kde-open", [])):
        found = shutil.which(program)
        if found:
            return [found, *args, target]
    raise ToolError("No desktop handler to open things with (xdg-open, gio or kde-open).")


def desktop_entry(name: str) -> Path | None:
    """The desktop file of application ``name`` (its id, file name or Name=, any case)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local/share")
    dirs = [
        data_home,
        *(os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":"),
    ]
    wanted = name.strip().removesuffix(".desktop").casefold()
    by_name = None
    for folder in dirs:
        apps = Path(folder) / "applications"
        if not apps.is_dir():
            continue
        for entry in sorted(apps.rglob("*.desktop")):
            if entry.stem.casefold() == wanted:
                return entry
            if by_name is None and _entry_name(entry) == wanted:
                by_name = entry
    return by_name


def _entry_name(entry: Path) -> str:
    try:
        for line in entry.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Name="):
                return line[5:].strip().casefold()
    except OSError:
        pass
    return ""


def _launcher(entry: Path) -> list[str]:
    if shutil.which("gio"):
        return ["gio", "launch", str(entry)]
    if shutil.which("gtk-launch"):
        return ["gtk-launch", entry.stem]
    raise ToolError("No program to start applications with (gio or gtk-launch).")


def open_with_desktop(command: list[str], what: str) -> None:
    """Run the handler ``command``; raises ``ToolError`` with its words when it fails.
    Its output goes to a file, not a pipe: the program it starts inherits the handler's
    output and may run for hours, and a pipe would stay open that long."""
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                timeout=HANDLER_TIMEOUT_S,
                start_new_session=True,  # what it starts is not ended with Harken
            )
        except subprocess.TimeoutExpired:
            raise ToolError(f"The desktop handler did not finish opening {what}.") from None
        errors.seek(0)
        said = errors.read().decode("utf-8", "replace").strip()
    if done.returncode != 0:
        first = said.splitlines()[0] if said else f"exit status {done.returncode}"
        if _no_handler(first):
            raise ToolError(f"{no_application_for(what)} ({what}; the handler said: {first}).")
        raise ToolError(f"Could not open {what}: {first}")


# How gio, xdg-open and kde-open say that nothing is set up to open a kind of thing.
_NO_HANDLER = re.compile(
    r"operation not supported|no method available|no application|no default application"
    r"|no handler|not registered|no apps? (?:is|are) (?:set|registered)",
    re.IGNORECASE,
)


def _no_handler(said: str) -> bool:
    return bool(_NO_HANDLER.search(said))


def no_application_for(what: str) -> str:
    """The sentence for ``what`` (an address, a link or a file) that no application opens."""
    scheme = urlsplit(what).scheme.lower() if "://" in what or _other_scheme(what) else ""
    if scheme in ("http", "https"):
        return "No application is set up to open web addresses"
    if scheme and scheme != "file":
        return f"No application is set up to open {scheme}: links"
    return "No application is set up to open this kind of file"


async def _open(params: OpenInput, ctx: ToolContext) -> str:
    if params.application:
        entry = desktop_entry(params.application)
        if entry is None:
            raise ToolError(f"No installed application is called {params.application!r}.")
        await asyncio.to_thread(open_with_desktop, _launcher(entry), params.application)
        return f"Started {params.application} ({entry.name})."
    target = (params.target or "").strip()
    local = target.startswith("file:") or not ("://" in target or _other_scheme(target))
    if local:
        raw = unquote(urlsplit(target).path) if target.startswith("file:") else target
        path = ctx.resolve(raw)
        if not path.exists():
            raise ToolError(f"There is no file or folder {path}.")
        target = str(path)
    await asyncio.to_thread(open_with_desktop, _handler(target), target)
    return f"Opened {target} with the desktop's default application."


def _other_scheme(target: str) -> bool:
    """Whether ``target`` is a link such as mailto:... or tel:... (not a path)."""
    scheme, sep, _rest = target.partition(":")
    return bool(sep) and len(scheme) > 1 and scheme.isalpha() and "/" not in scheme


def _describe_open(params: OpenInput, ctx: ToolContext) -> str:
    if params.application:
        return f"Starting {params.application}"
    return f"Opening {params.target}"


NOTIFY: Tool[NotifyInput] = Tool(
    name="Notify",
    description=NOTIFY_DESCRIPTION,
    input_model=NotifyInput,
    kind=ToolKind.INTERNAL,
    run=_notify,
    describe=lambda params, _ctx: f"Showing the notification {params.title!r}",
)

OPEN: Tool[OpenInput] = Tool(
    name="Open",
    description=OPEN_DESCRIPTION,
    input_model=OpenInput,
    kind=ToolKind.EXECUTE,  # a web address is classified as network (desktop_calls)
    run=_open,
    describe=_describe_open,
)
