"""What the desktop tools touch, for the permission engine (``classify`` hands them here).

    Clipboard      read: reads the clipboard (outside the workspace: asks, except in bypass)
                   write: replaces it (a change: asks; plan mode refuses)
    Screenshot     reads the screen: asks in every mode but bypass (a screen shows private
                   things: mail, chats, passwords being typed)
    ActiveWindow   reads the focused window's title and the selected text: asks likewise
    Notify         shows a notification: changes nothing the user keeps; never asks
    Open           a web address, a link for another application (irc://, ssh://,
                   magnet:) or a web page on disk: contacts hosts (network); mailto: and
                   other drafts, a file or an application: starts a program (execute)
    WebSearch      searches the web on Anthropic's servers (network); only a deny rule or
                   plan mode matter, since nobody can be asked per search

What these tools read is not a file, so they name it with a relative pseudo-path ("the
screen"): never inside the workspace, never matched by a path rule, and what the engine
says when it asks ("reads outside the workspace: the screen") is plain words. Rules name
the tools whole: ``Screenshot``, ``Clipboard``, ``Open``, ``WebSearch``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from agent.permissions.decision import ToolCall
from agent.permissions.paths import resolve
from agent.tools.base import ToolKind

if TYPE_CHECKING:
    from agent.permissions.classify import Classification

DESKTOP_TOOLS = frozenset(
    {"Clipboard", "Screenshot", "ActiveWindow", "Notify", "Open", "WebSearch"}
)
SCREEN = Path("the screen")
CLIPBOARD = Path("the clipboard")
FOCUSED_WINDOW = Path("the focused window")
WEB_SCHEMES = frozenset({"http", "https", "ftp", "ftps"})
COMPOSE_SCHEMES = frozenset({"mailto", "sms", "tel", "callto"})
WEB_DOCUMENTS = frozenset({".html", ".htm", ".xhtml", ".shtml", ".svg", ".mht", ".mhtml"})


def classify_desktop(call: ToolCall, workspace: Path) -> Classification:
    """The classification of a desktop tool's call (``call.name`` in ``DESKTOP_TOOLS``)."""
    from agent.permissions.classify import UNKNOWN, Classification

    name, given = call.name, call.input
    if name == "Clipboard":
        if str(given.get("action", "read")) == "write":
            return Classification(name, ToolKind.WRITE, summary="replaces the clipboard's text")
        return Classification(
            name, ToolKind.READ, reads=(CLIPBOARD,), summary="reads the clipboard"
        )
    if name == "Screenshot":
        what = "a window" if given.get("window") else "the screen"
        return Classification(name, ToolKind.READ, reads=(SCREEN,), summary=f"captures {what}")
    if name == "ActiveWindow":
        return Classification(
            name,
            ToolKind.READ,
            reads=(FOCUSED_WINDOW,),
            summary="reads the focused window's title and selected text",
        )
    if name == "Notify":
        return Classification(name, ToolKind.INTERNAL, summary="shows a desktop notification")
    if name == "WebSearch":
        return Classification(
            name, ToolKind.NETWORK, unknown_hosts=True, summary="searches the web"
        )
    # Open: what the desktop's handler is given decides what it does.
    application = str(given.get("application") or "").strip()
    target = str(given.get("target") or "").strip()
    if application:
        return Classification(
            name, ToolKind.EXECUTE, summary=f"starts the application {application}"
        )
    scheme = urlsplit(target).scheme.lower() if "://" in target or ":" in target[:12] else ""
    if scheme in WEB_SCHEMES:
        host = urlsplit(target).hostname or UNKNOWN
        return Classification(
            name, ToolKind.NETWORK, hosts=(host,), summary=f"opens {host} in the browser"
        )
    if scheme in COMPOSE_SCHEMES:  # a draft the user sends, or not
        return Classification(
            name, ToolKind.EXECUTE, summary=f"hands a {scheme}: link to its application"
        )
    if scheme and scheme != "file" and len(scheme) > 1:
        # irc://, ssh://, smb://, magnet: (its trackers), a custom handler: the
        # application it starts connects where the link says, outside any sandbox.
        host = urlsplit(target).hostname if "://" in target else None
        return Classification(
            name,
            ToolKind.NETWORK,
            hosts=(host,) if host else (),
            unknown_hosts=not host,
            summary=f"hands a {scheme}: link to its application, which can contact "
            + (host or "hosts named in the link"),
        )
    raw = unquote(urlsplit(target).path) if scheme == "file" else target
    path = resolve(raw or ".", workspace)
    if path.suffix.lower() in WEB_DOCUMENTS:
        # The browser loads what the page names (images, scripts): a page written here
        # can carry what was read to any host.
        return Classification(
            name,
            ToolKind.NETWORK,
            reads=(path,),
            unknown_hosts=True,
            summary=f"opens the web page {path} in the browser",
        )
    return Classification(
        name,
        ToolKind.EXECUTE,
        reads=(path,),
        summary=f"opens {path} with its default application",
    )
