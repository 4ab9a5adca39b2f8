"""Markdown for people: a text view that grows with its content, and how code looks in it.

    render_markdown(doc, text, theme)   GitHub-flavoured markdown into ``doc``; code shaded
    MarkdownView                        a frameless QTextBrowser as tall as its text, links
                                        open in the browser; ``set_markdown`` re-renders

Code blocks get a shaded band and wrap instead of running off the edge (the view has no
horizontal scroll bar); inline code gets a light background.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QFont,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLength,
    QTextTableFormat,
)
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

from desktop.windows.style import Theme, mono_font, theme


def render_markdown(doc: QTextDocument, text: str, colours: Theme | None = None) -> None:
    """Replace ``doc``'s content with ``text`` rendered as markdown."""
    colours = colours or theme()
    doc.setMarkdown(text, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    code = mono_font(0.95)
    cursor = QTextCursor(doc)
    runs: list[list[QTextBlock]] = []
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().nonBreakableLines():  # a code block: one text block a line
            if runs and runs[-1][-1] == block.previous():
                runs[-1].append(block)
            else:
                runs.append([block])
        else:
            _shade_inline_code(cursor, block, colours, code)
        block = block.next()
    for run in reversed(runs):  # from the end, so earlier positions stay valid
        _box_code(cursor, run, colours, code)


def _box_code(cursor: QTextCursor, run: list[QTextBlock], colours: Theme, code: QFont) -> None:
    """Put a code block's lines into a shaded one-cell table, which has padding."""
    text = "\n".join(b.text() for b in run)
    cursor.setPosition(run[0].position())
    cursor.setPosition(run[-1].position() + run[-1].length() - 1, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    cursor.setBlockFormat(QTextBlockFormat())
    box = QTextTableFormat()
    box.setBorder(0)
    box.setCellPadding(8)
    box.setCellSpacing(0)
    box.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    box.setTopMargin(4)
    box.setBottomMargin(6)
    table = cursor.insertTable(1, 1, box)
    cell = table.cellAt(0, 0)
    shade = cell.format()
    shade.setBackground(colours.code_bg)
    cell.setFormat(shade)
    mono = QTextCharFormat()
    mono.setFont(code)
    cell.firstCursorPosition().insertText(text, mono)


def _shade_inline_code(cursor: QTextCursor, block: QTextBlock, colours: Theme, code: QFont) -> None:
    it = block.begin()
    while not it.atEnd():
        fragment = it.fragment()
        if fragment.charFormat().fontFixedPitch():  # `inline code`
            cursor.setPosition(fragment.position())
            end = fragment.position() + fragment.length()
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            inline = QTextCharFormat()
            inline.setBackground(colours.code_bg)
            inline.setFont(code)
            cursor.mergeCharFormat(inline)
        it += 1


class MarkdownView(QTextBrowser):
    """Read-only rendered markdown, exactly as tall as its text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setOpenExternalLinks(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextBrowser { background: transparent; }")
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.markdown = ""

    def set_markdown(self, text: str) -> None:
        self.markdown = text
        render_markdown(self.document(), text)

    def _fit(self, size: object = None) -> None:
        height = math.ceil(self.document().size().height()) + 2 * self.frameWidth()
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())

    def wheelEvent(self, event: object) -> None:
        event.ignore()  # type: ignore[attr-defined]  # the surrounding list scrolls, not this
