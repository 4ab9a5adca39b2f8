"""The generated part of the settings window: where each setting goes, and how a row looks.

    section_of(key)                      the (tab, section) a setting is shown in
    add_page(tabs, tab)                  a scrolling tab holding one form
    add_heading(form, title)             a section's bold title
    name_label(text) / hint_label(...)   the left column and a muted hint
    add_setting_row(form, editor, ...)   one setting's editor, its name and its hint
    column(top, below)                   a field with a hint under it
    voice_choices() / voice_picker(edit) the voices offered for spoken replies (the natural
                                         Piper voice where installed), and a ▾ menu of
                                         them beside the voice field

Every setting appears in one of four tabs (Assistant, Voice, Buddy, Advanced), in a
section of its kind; a setting added to ``SETTINGS`` later lands by its key's prefix, or
under Advanced. The window (``settings.py``) adds the rows no setting describes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.windows.setting_editors import SettingEditor, split_label
from desktop.windows.style import Theme, css, text_font

# (tab, section, keys) in the order shown; keys not yet declared are skipped.
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Assistant", "Agent", ("model", "mode", "workspace", "max_turns")),
    (
        "Voice",
        "Push-to-talk",
        (
            "hotkey",
            "hotkey_mode",
            "hotkey_backend",
            "transcript_grace_seconds",
            "sound_cues",
            "end_silence_ms",
        ),
    ),
    ("Voice", "Dictation", ("dictation_hotkey", "dictation_replacements")),
    (
        "Voice",
        "Listening",
        ("input_device", "whisper_model", "language", "hotwords", "workspace_hotwords"),
    ),
    (
        "Voice",
        "Speaking",
        ("speak_summaries", "progress_updates", "output_device", "speech_voice", "speech_rate"),
    ),
    ("Buddy", "Buddy", ("buddy_visible", "buddy_name", "buddy_user_id")),
    (
        "Advanced",
        "Model requests",
        ("max_tokens", "thinking_budget", "context_window", "max_retries", "base_url"),
    ),
    (
        "Advanced",
        "Recording",
        ("beam_size", "max_recording_seconds", "min_recording_ms", "level_floor_db", "preroll_ms"),
    ),
)
TABS = ("Assistant", "Voice", "Buddy", "Advanced")
LABEL_WIDTH = 210
VOICE_KEY = "speech_voice"
SHORT_HINT = 14  # hints this short sit beside their box; longer ones go under it
# Where a setting that no section names goes, by the start of its key.
PREFIXES = (
    (("buddy_",), ("Buddy", "Buddy")),
    (("dictation_",), ("Voice", "Dictation")),
    (("hotkey", "transcript_", "sound_", "ptt_"), ("Voice", "Push-to-talk")),
    (("speech_", "speak_", "voice_"), ("Voice", "Speaking")),
    (("whisper_", "input_", "recording_"), ("Voice", "Listening")),
)


def section_of(key: str) -> tuple[str, str]:
    """The (tab, section) a setting is shown in."""
    for tab, section, keys in SECTIONS:
        if key in keys:
            return tab, section
    for starts, place in PREFIXES:
        if key.startswith(starts):
            return place
    return "Advanced", "Other"


def display_order() -> dict[str, int]:
    """Each key SECTIONS names -> its place; other settings come after them."""
    return {key: i for i, key in enumerate(k for _t, _s, keys in SECTIONS for k in keys)}


def add_page(tabs: QTabWidget, tab: str) -> QFormLayout:
    """A scrolling tab holding one form, so labels line up across its sections."""
    page = QWidget()
    form = QFormLayout(page)
    form.setContentsMargins(22, 10, 22, 16)
    form.setHorizontalSpacing(18)
    form.setVerticalSpacing(9)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    tabs.addTab(scroll, tab)
    return form


def add_heading(form: QFormLayout, title: str) -> None:
    """A section's title across both columns of ``form``."""
    heading = QLabel(title)
    heading.setFont(text_font(1.08, bold=True))
    heading.setContentsMargins(0, 12 if form.rowCount() else 4, 0, 0)
    form.addRow(heading)


def name_label(text: str) -> QLabel:
    """A setting's name in the left column."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setFixedWidth(LABEL_WIDTH)  # one column width for every tab
    return label


def hint_label(text: str, colours: Theme) -> QLabel:
    """A smaller, muted line explaining a field."""
    hint = QLabel(text)
    hint.setWordWrap(True)
    hint.setFont(text_font(0.9))
    hint.setStyleSheet(f"color: {css(colours.muted)};")
    return hint


def add_setting_row(
    form: QFormLayout, editor: SettingEditor, colours: Theme, *, explains_itself: bool = False
) -> None:
    """``editor``'s row: its name left, its hint beside or under it (``explains_itself``:
    the widget says enough, no hint)."""
    name, hint = split_label(editor.setting.label)
    if explains_itself:
        hint = ""
    widget = editor.widget
    if editor.setting.key == VOICE_KEY and isinstance(widget, QLineEdit):
        form.addRow(name_label(name), voice_picker(widget))
        return
    if isinstance(widget, QCheckBox):
        form.addRow("", column(widget, hint_label(hint, colours) if hint else None))
    elif isinstance(widget, QLineEdit) or not hint:
        form.addRow(name_label(name), widget)
    elif len(hint) <= SHORT_HINT:  # a unit or "0: off", beside the box
        cell = QWidget()
        row = QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget)
        row.addWidget(hint_label(hint, colours), 1)
        form.addRow(name_label(name), cell)
    else:
        form.addRow(name_label(name), column(widget, hint_label(hint, colours)))


def column(top: QWidget, below: QWidget | None) -> QWidget:
    """``top`` with ``below`` under it (a hint), as one form field."""
    if below is None:
        return top
    cell = QWidget()
    layout = QVBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    layout.addWidget(top)
    layout.addWidget(below)
    return cell


def voice_choices() -> list[tuple[str, str]]:
    """(setting value, what the menu shows) of the voices offered for spoken replies: the
    natural Piper voice where the ``natural-voice`` extra is installed, espeak-ng's always
    (``harken say --voices`` lists every espeak-ng voice; any of them can be typed)."""
    from audio.synth_piper import ESPEAK_VOICE, PIPER_NAME, PIPER_VOICE, available

    natural = available()  # a look at the installed packages: onnxruntime is not loaded
    default = "the natural voice (Piper)" if natural else "espeak-ng"
    choices = [("", f"Default: {default}")]
    if natural:
        choices.append((PIPER_VOICE, PIPER_NAME))
    choices += [
        (ESPEAK_VOICE, "espeak-ng (robotic, fastest)"),
        ("en-us", "espeak-ng: English (America)"),
        ("en-gb", "espeak-ng: English (Great Britain)"),
    ]
    return choices


def voice_picker(edit: QLineEdit) -> QWidget:
    """The voice field ``edit`` with a ▾ menu of ``voice_choices``; picking one fills it."""
    cell = QWidget()
    row = QHBoxLayout(cell)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    button = QToolButton()
    button.setObjectName("voice_picker")
    button.setText("▾")
    button.setToolTip("Pick a voice")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    choices = voice_choices()
    for value, title in choices:
        action = QAction(title, menu)
        action.setData(value)
        action.triggered.connect(lambda _=False, v=value: edit.setText(v))
        menu.addAction(action)
    button.setMenu(menu)
    row.addWidget(button)
    edit.setPlaceholderText(choices[0][1])
    return cell
