"""Colours and fonts the windows share, derived from the desktop's palette.

``theme()`` reads the application palette, so the windows follow a light or dark desktop;
only the accents (success, error, risk, diff lines) are Harken's own, in a light and a
dark variant. ``css(colour)`` writes a colour for a style sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

RISK_LABELS = {
    "low": "Low risk",
    "medium": "Medium risk",
    "high": "High risk",
    "catastrophic": "Destructive",
}


@dataclass(frozen=True)
class Theme:
    dark: bool
    base: QColor  # where text sits (the conversation, input fields)
    window: QColor  # the window's own background
    text: QColor
    muted: QColor  # secondary text: labels, hints, the footer
    faint: QColor  # hairlines and borders
    accent: QColor
    user_bg: QColor  # the person's words
    code_bg: QColor
    ok: QColor
    error: QColor
    error_bg: QColor
    warn: QColor
    warn_bg: QColor
    add_bg: QColor
    add_fg: QColor
    del_bg: QColor
    del_fg: QColor
    hunk_fg: QColor


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` of the way to ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def theme(palette: QPalette | None = None) -> Theme:
    """The shared colours for ``palette`` (default: the application's)."""
    palette = palette or QApplication.palette()
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    dark = base.lightness() < 128
    accent = palette.color(QPalette.ColorRole.Highlight)
    if dark:
        ok, error, warn = QColor("#5cc98a"), QColor("#ff7b72"), QColor("#e3b341")
        add_bg, add_fg = QColor("#1c3a28"), QColor("#8fe0a8")
        del_bg, del_fg = QColor("#4a1f22"), QColor("#ffaba8")
    else:
        ok, error, warn = QColor("#1f8a4c"), QColor("#c9302c"), QColor("#9a6700")
        add_bg, add_fg = QColor("#e6f6ea"), QColor("#116329")
        del_bg, del_fg = QColor("#fdebec"), QColor("#a40e26")
    return Theme(
        dark=dark,
        base=base,
        window=palette.color(QPalette.ColorRole.Window),
        text=text,
        muted=mix(text, base, 0.45),
        faint=mix(text, base, 0.85),
        accent=accent,
        user_bg=mix(accent, base, 0.88),
        code_bg=mix(text, base, 0.94),
        ok=ok,
        error=error,
        error_bg=mix(error, base, 0.9),
        warn=warn,
        warn_bg=mix(warn, base, 0.88),
        add_bg=add_bg,
        add_fg=add_fg,
        del_bg=del_bg,
        del_fg=del_fg,
        hunk_fg=mix(accent, text, 0.3),
    )


def risk_colour(risk: str) -> QColor:
    """Green for low, amber for medium, orange-red for high, red for destructive."""
    return QColor(
        {"low": "#2e9d57", "medium": "#c98500", "high": "#e0592a", "catastrophic": "#c4242b"}.get(
            risk, "#7a8494"
        )
    )


def css(colour: QColor) -> str:
    if colour.alpha() == 255:
        return colour.name()
    return f"rgba({colour.red()}, {colour.green()}, {colour.blue()}, {colour.alpha()})"


def mono_font(scale: float = 1.0) -> QFont:
    """The desktop's fixed-width font, ``scale`` times the normal text size."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    size = QApplication.font().pointSizeF()
    if size > 0:
        font.setPointSizeF(size * scale)
    return font


def text_font(scale: float = 1.0, bold: bool = False) -> QFont:
    """The desktop's normal font, ``scale`` times its size."""
    font = QFont(QApplication.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    return font
