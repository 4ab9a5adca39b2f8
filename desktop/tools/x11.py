"""The X11 side of the desktop tools, through python-xlib (no Qt, no external programs).

    connect()                         a Display on $DISPLAY; raises ``NoDisplay``
    focused_window(d)                 the window with the focus (EWMH's active window,
                                      else the input focus), as its top-level client
    window_info(d, window)            title, application class, process, geometry
    find_window(d, text)              the first top-level window whose title or class
                                      contains ``text``
    read_selection(d, name)           the text of PRIMARY or CLIPBOARD (None: empty)
    capture(d, x, y, width, height)   the pixels of that part of the screen, RGB rows

Everything here blocks (it waits on the X server): callers run it in a worker thread.
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SELECTION_TIMEOUT_S = 2.0
TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT")


class NoDisplay(Exception):
    """There is no X display to talk to (a message for people)."""


@dataclass(frozen=True)
class WindowInfo:
    """A top-level window as the user sees it."""

    id: int
    title: str
    app_class: str  # WM_CLASS's class, e.g. "firefox", "Gnome-terminal"
    app_instance: str
    pid: int | None
    process: str  # the program's name from /proc, "" when unknown
    x: int
    y: int
    width: int
    height: int


def x_errors() -> tuple[type[BaseException], ...]:
    """What python-xlib raises when the server refuses a request or goes away (a window
    closed while it was being looked at, the display shut down)."""
    from Xlib import error

    return (error.XError, error.ConnectionClosedError)


def connect() -> Any:
    """An open ``Xlib.display.Display`` on ``$DISPLAY``; raises ``NoDisplay``."""
    if not os.environ.get("DISPLAY"):
        raise NoDisplay("No X display (DISPLAY is not set).")
    from Xlib import display, error

    try:
        return display.Display()
    except (error.DisplayError, error.ConnectionClosedError, OSError) as exc:
        raise NoDisplay(f"Cannot open the X display {os.environ['DISPLAY']}: {exc}") from None


def focused_window(d: Any) -> Any | None:
    """The focused top-level window, or None when nothing has the focus."""
    from Xlib import X

    root = d.screen().root
    active = root.get_full_property(d.intern_atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
    if active is not None and len(active.value) and active.value[0]:
        return _client(d, d.create_resource_object("window", int(active.value[0])))
    # No window manager telling (a bare X server): where the keyboard input goes.
    focus = d.get_input_focus().focus
    if isinstance(focus, int) or focus.id in (X.NONE, X.PointerRoot, root.id):
        return None
    return _client(d, focus)


def _client(d: Any, window: Any) -> Any:
    """``window`` or the nearest ancestor that names itself (a toolkit's top level)."""
    root = d.screen().root
    current = window
    while current is not None and current.id != root.id:
        if _title(d, current) or current.get_wm_class():
            return current
        parent = current.query_tree().parent
        current = None if parent is None or isinstance(parent, int) else parent
    return window


def window_info(d: Any, window: Any) -> WindowInfo:
    """What the window is: title, application, process and where it is on screen."""
    from Xlib import X

    wm_class = window.get_wm_class() or ("", "")
    pid_prop = window.get_full_property(d.intern_atom("_NET_WM_PID"), X.AnyPropertyType)
    pid = int(pid_prop.value[0]) if pid_prop is not None and len(pid_prop.value) else None
    geometry = window.get_geometry()
    origin = window.translate_coords(d.screen().root, 0, 0)
    return WindowInfo(
        window.id,
        _title(d, window),
        str(wm_class[1]),
        str(wm_class[0]),
        pid,
        _process_name(pid),
        -int(origin.x),
        -int(origin.y),
        int(geometry.width),
        int(geometry.height),
    )


def top_windows(d: Any) -> list[Any]:
    """The top-level windows that name themselves, bottom to top."""
    root = d.screen().root
    found = []
    for child in root.query_tree().children:
        client = _named_descendant(d, child, depth=2)
        if client is not None:
            found.append(client)
    return found


def find_window(d: Any, text: str) -> Any | None:
    """The topmost window whose title or application class contains ``text`` (any case)."""
    wanted = text.casefold()
    for window in reversed(top_windows(d)):
        attributes = window.get_attributes()
        if attributes.map_state != 2:  # IsViewable
            continue
        info = window_info(d, window)
        if wanted in info.title.casefold() or wanted in info.app_class.casefold():
            return window
    return None


def _named_descendant(d: Any, window: Any, depth: int) -> Any | None:
    if _title(d, window) or window.get_wm_class():
        return window
    if depth == 0:
        return None
    for child in window.query_tree().children:
        found = _named_descendant(d, child, depth - 1)
        if found is not None:
            return found
    return None


def _title(d: Any, window: Any) -> str:
    prop = window.get_full_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"))
    if prop is not None and prop.value:
        value = prop.value
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    name = window.get_wm_name()
    if isinstance(name, bytes):
        return name.decode("latin-1")
    return str(name or "")


def _process_name(pid: int | None) -> str:
    if not pid:
        return ""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def read_selection(d: Any, name: str = "CLIPBOARD") -> str | None:
    """The text in selection ``name`` (PRIMARY: what is selected; CLIPBOARD: what was
    copied), or None when nobody holds it or it holds no text."""
    from Xlib import X

    selection = d.intern_atom(name)
    if d.get_selection_owner(selection) == X.NONE:
        return None
    window = d.screen().root.create_window(
        0, 0, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask
    )
    try:
        for target in TEXT_TARGETS:
            data = _convert(d, window, selection, d.intern_atom(target))
            if data is not None:
                encoding = "latin-1" if target == "STRING" else "utf-8"
                return data.decode(encoding, "replace")
        return None
    finally:
        window.destroy()
        d.flush()


def _convert(d: Any, window: Any, selection: int, target: int) -> bytes | None:
    """Ask the owner for ``target``; the bytes it put in our property (None: refused)."""
    from Xlib import X

    prop = d.intern_atom("HARKEN_SELECTION")
    window.convert_selection(selection, target, prop, X.CurrentTime)
    d.flush()
    event = _wait(d, lambda e: e.type == X.SelectionNotify and e.requestor.id == window.id)
    if event is None or event.property == X.NONE:
        return None
    reply = window.get_full_property(prop, X.AnyPropertyType, sizehint=1 << 20)
    if reply is None:
        return None
    if reply.property_type == d.intern_atom("INCR"):
        return _incremental(d, window, prop)
    window.delete_property(prop)
    d.flush()
    return bytes(reply.value) if not isinstance(reply.value, str) else reply.value.encode()


def _incremental(d: Any, window: Any, prop: int) -> bytes | None:
    """A large selection, sent in pieces (ICCCM's INCR): each piece is a new value of the
    property, which we delete to ask for the next; an empty piece ends it."""
    from Xlib import X

    window.delete_property(prop)
    d.flush()
    chunks = []
    while True:
        event = _wait(
            d,
            lambda e: (
                e.type == X.PropertyNotify
                and e.window.id == window.id
                and e.atom == prop
                and e.state == X.PropertyNewValue
            ),
        )
        if event is None:
            return None
        reply = window.get_full_property(prop, X.AnyPropertyType, sizehint=1 << 20)
        window.delete_property(prop)
        d.flush()
        if reply is None or not len(reply.value):
            return b"".join(chunks)
        chunks.append(bytes(reply.value))


def _wait(d: Any, wanted: Any, timeout: float = SELECTION_TIMEOUT_S) -> Any | None:
    """The next event ``wanted`` accepts, or None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        while d.pending_events():
            event = d.next_event()
            if wanted(event):
                return event
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        select.select([d.fileno()], [], [], left)


def capture(d: Any, x: int, y: int, width: int, height: int) -> Any:
    """The screen's pixels in that rectangle (clipped to the screen) as an RGB numpy array
    of shape (height, width, 3)."""
    import numpy as np
    from Xlib import X

    screen = d.screen()
    x0, y0 = max(0, x), max(0, y)
    x1 = min(screen.width_in_pixels, x + width)
    y1 = min(screen.height_in_pixels, y + height)
    if x1 <= x0 or y1 <= y0:
        raise ValueError("that part of the screen is empty (outside it, or no size)")
    w, h = x1 - x0, y1 - y0
    image = screen.root.get_image(x0, y0, w, h, X.ZPixmap, 0xFFFFFFFF)
    visual = _root_visual(d)
    if image.depth not in (24, 32) or visual is None or visual.red_mask != 0xFF0000:
        raise ValueError(f"unsupported screen format (depth {image.depth})")
    data = np.frombuffer(image.data, dtype=np.uint8)
    stride = len(image.data) // h
    pixels = data[: stride * h].reshape(h, stride)[:, : w * 4].reshape(h, w, 4)
    return np.ascontiguousarray(pixels[:, :, 2::-1])  # B, G, R, X -> R, G, B


def _root_visual(d: Any) -> Any | None:
    screen = d.screen()
    for depth in screen.allowed_depths:
        for visual in depth.visuals:
            if visual.visual_id == screen.root_visual:
                return visual
    return None
