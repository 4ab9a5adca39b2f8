from __future__ import annotations

from PySide6.QtCore import QRect, QSize

from desktop.buddy.bubble import Bubble, place
from tests.desktop.buddy_helpers import Clock

AREA = QRect(0, 0, 1280, 800)
PET = QRect(1000, 600, 128, 128)
SIZE = QSize(160, 50)


def test_a_bubble_goes_above_the_pet_when_there_is_room() -> None:
    rect, side = place(SIZE, PET, AREA, [])
    assert side == "above" and rect.bottom() < PET.center().y() and AREA.contains(rect)


def test_a_bubble_moves_aside_rather_than_cover_a_dialog() -> None:
    above, _ = place(SIZE, PET, AREA, [])
    rect, side = place(SIZE, PET, AREA, [above])
    assert side != "above" and not rect.intersects(above)


def test_no_bubble_when_every_place_would_cover_a_dialog() -> None:
    assert place(SIZE, PET, AREA, [QRect(700, 300, 580, 500)]) is None


def test_a_bubble_near_the_edge_slides_to_stay_on_screen() -> None:
    rect, _ = place(SIZE, QRect(1200, 600, 128, 128), AREA, [])
    assert AREA.contains(rect)


def test_a_bubble_shows_its_line_then_fades_away(qtbot: object) -> None:
    clock = Clock()
    bubble = Bubble(clock=clock, hold=1.0)
    assert bubble.say("Hello there", PET, AREA)
    assert bubble.isVisible() and bubble.text == "Hello there"
    clock.advance(1.0 + 0.04 * len("Hello there") + 0.3)
    qtbot.waitUntil(lambda: bubble._opacity < 1.0, timeout=30_000)
    clock.advance(1.0)
    qtbot.waitUntil(lambda: not bubble.isVisible(), timeout=30_000)


def test_a_dialog_that_opens_later_makes_the_bubble_vanish(qtbot: object) -> None:
    dialog: list[QRect] = []
    bubble = Bubble(lambda: dialog, hold=30.0)
    assert bubble.say("Working on it", PET, AREA)
    dialog.append(QRect(bubble.geometry()))
    qtbot.waitUntil(lambda: not bubble.isVisible(), timeout=30_000)


def test_the_bubble_takes_no_input_and_no_focus(qtbot: object) -> None:
    from PySide6.QtCore import Qt

    flags = Bubble().windowFlags()
    assert flags & Qt.WindowType.WindowDoesNotAcceptFocus
    assert flags & Qt.WindowType.WindowTransparentForInput
