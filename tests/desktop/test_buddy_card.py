from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QPainter, Qt

from desktop.buddy.card import HEIGHT, WIDTH, Card, paint_card
from tests.desktop.buddy_helpers import image_bytes, opaque_pixels, pet


def card_image(buddy: object, name: str) -> QImage:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    paint_card(p, WIDTH, HEIGHT, buddy, name)
    p.end()
    return image


def test_the_card_is_drawn_and_kept_as_an_artifact(qapp: object, buddy_artifacts: Path) -> None:
    image = card_image(pet("owl", rarity="legendary", hat="wizard", shiny=True), "Professor Hoot")
    assert opaque_pixels(image) > (WIDTH * HEIGHT / 4) * 0.7
    assert image.save(str(buddy_artifacts / "card-owl-legendary.png"))


def test_the_card_differs_by_rarity_name_and_stats(qapp: object) -> None:
    base = card_image(pet("cat"), "Biscuit")
    assert image_bytes(base) != image_bytes(card_image(pet("cat", rarity="common"), "Biscuit"))
    assert image_bytes(base) != image_bytes(card_image(pet("cat"), "Crumpet"))


def test_a_very_long_name_still_fits(qapp: object) -> None:
    assert opaque_pixels(card_image(pet("duck"), "W" * 32)) > 0


def test_the_card_opens_beside_the_pet_on_screen_and_a_click_closes_it(qtbot: object) -> None:
    card = Card(pet("cat"), "Biscuit")
    qtbot.addWidget(card)
    area = QRect(0, 0, 1280, 800)
    pet_rect = QRect(1130, 650, 128, 128)
    card.show_beside(pet_rect, area)
    assert card.isVisible() and area.contains(card.geometry())
    assert card.geometry().right() <= pet_rect.left() + 8
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert not card.isVisible()
