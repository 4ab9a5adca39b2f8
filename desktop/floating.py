"""Small windows that float above the desktop without ever taking the keyboard focus:
the pet, its card and speech bubble, the recording overlay."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def make_floating(widget: QWidget, *, click_through: bool = False) -> None:
    """Frameless, translucent, always on top, shown without activation, never focused.

    ``click_through`` lets mouse clicks pass to whatever is below (the speech bubble)."""
    flags = (
        Qt.WindowType.Tool
        | Qt.WindowType.FramelessWindowHint
        | Qt.WindowType.WindowStaysOnTopHint
        | Qt.WindowType.WindowDoesNotAcceptFocus
    )
    if click_through:
        flags |= Qt.WindowType.WindowTransparentForInput
    widget.setWindowFlags(flags)
    widget.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    widget.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
