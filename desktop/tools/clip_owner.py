"""Holds an X11 selection (the clipboard) with a text until another program takes it.

    python -m desktop.tools.clip_owner [--selection CLIPBOARD]   (the text comes on stdin)

On X11 copied text lives in the program that copied it: it answers other programs'
requests for it, and it is gone when that program exits. ``harken ask`` ends right after
its answer, so the Clipboard tool starts this small process (as xclip does), detached,
which owns the selection, serves it (UTF-8, Latin-1 and the list of targets) and exits
once another program copies something. It prints ``owned`` when the selection is its own.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

TEXT_TYPES = ("UTF8_STRING", "text/plain;charset=utf-8", "text/plain", "STRING", "TEXT")


def serve(text: str, selection_name: str = "CLIPBOARD") -> int:
    """Own ``selection_name`` with ``text`` and answer requests until it is taken."""
    from Xlib import X, Xatom, display
    from Xlib.protocol import event as events

    d = display.Display()
    d.set_error_handler(lambda *_args: None)  # a requestor that went away is not our problem
    window = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
    selection = d.intern_atom(selection_name)
    targets = d.intern_atom("TARGETS")
    types = {d.intern_atom(name): name for name in TEXT_TYPES}
    utf8 = text.encode("utf-8")
    latin = text.encode("latin-1", "replace")
    window.set_selection_owner(selection, X.CurrentTime)
    d.flush()
    if d.get_selection_owner(selection) != window:
        print("not owned", flush=True)
        return 1
    print("owned", flush=True)
    sys.stdout.close()  # the tool stops reading here; nothing is written again
    while True:
        request: Any = d.next_event()
        if request.type == X.SelectionClear and request.atom == selection:
            return 0
        if request.type != X.SelectionRequest:
            continue
        # An obsolete requestor names no property: the target's name is used (ICCCM).
        prop = request.property or request.target
        if request.target == targets:
            values = [targets, *types]
            request.requestor.change_property(prop, Xatom.ATOM, 32, values)
        elif request.target in types:
            data = latin if types[request.target] == "STRING" else utf8
            request.requestor.change_property(prop, request.target, 8, data)
        else:
            prop = X.NONE
        reply = events.SelectionNotify(
            time=request.time,
            requestor=request.requestor,
            selection=request.selection,
            target=request.target,
            property=prop,
        )
        request.requestor.send_event(reply)
        d.flush()


def main(argv: list[str] | None = None) -> int:
    """Read the text from stdin and hold it in the selection."""
    parser = argparse.ArgumentParser(prog="python -m desktop.tools.clip_owner")
    parser.add_argument("--selection", default="CLIPBOARD")
    args = parser.parse_args(argv)
    text = sys.stdin.buffer.read().decode("utf-8", "replace")
    return serve(text, args.selection)


if __name__ == "__main__":
    sys.exit(main())
