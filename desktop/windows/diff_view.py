"""A read-only monospace view of a unified diff: added lines green, removed lines red.

    DiffView.show_lines(lines)   one text line per diff line, coloured by its first character
    DiffView.show_text(text)     plain monospace text (the full input of a call)

Colours fill whole rows (block backgrounds), as code review tools show them.
"""

from __future__ import annotations

from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QWidget

from desktop.windows.style import Theme, css, mono_font, theme


class DiffView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colours = theme()
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(mono_font(0.95))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setObjectName("diffView")
        self.setStyleSheet(
            f"#diffView {{ background: {css(self.colours.base)};"
            f" border: 1px solid {css(self.colours.faint)}; border-radius: 6px; }}"
        )

    def show_text(self, text: str) -> None:
        self.setPlainText(text)

    def show_lines(self, lines: list[str]) -> None:
        self.clear()
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        for i, line in enumerate(lines):
            block, chars = _formats(line, self.colours)
            if i == 0:
                cursor.setBlockFormat(block)
                cursor.setCharFormat(chars)
            else:
                cursor.insertBlock(block, chars)
            cursor.insertText(line)
        cursor.endEditBlock()
        self.moveCursor(QTextCursor.MoveOperation.Start)


def _formats(line: str, colours: Theme) -> tuple[QTextBlockFormat, QTextCharFormat]:
    block, chars = QTextBlockFormat(), QTextCharFormat()
    if line.startswith(("+++", "---")):
        chars.setForeground(colours.muted)
        chars.setFontWeight(700)
    elif line.startswith("+"):
        block.setBackground(colours.add_bg)
        chars.setForeground(colours.add_fg)
    elif line.startswith("-"):
        block.setBackground(colours.del_bg)
        chars.setForeground(colours.del_fg)
    elif line.startswith("@@"):
        block.setBackground(colours.code_bg)
        chars.setForeground(colours.hunk_fg)
    elif line.startswith("…"):
        chars.setForeground(colours.muted)
    return block, chars
