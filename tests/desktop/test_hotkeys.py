"""Global hotkeys: chords, exact matching with auto-repeat debounce, choosing a backend,
the portal over a real (private) D-Bus, and pynput on the real X display with xdotool."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

from desktop.hotkeys import Chord, ChordError, NoBackend, choose_backend
from desktop.hotkeys.chord import key_name
from desktop.hotkeys.matcher import ChordMatcher
from desktop.hotkeys.portal import PortalBackend, portal_trigger
from desktop.hotkeys.windows import KeyboardBackend
from desktop.hotkeys.x11 import X11Backend, pynput_key_name
from tests.desktop.fake_portal import FakePortal, private_bus

# -- chords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("ctrl+alt+space", "ctrl+alt+space"),
        (" Control + Alt + Space ", "ctrl+alt+space"),
        ("space+alt+ctrl", "ctrl+alt+space"),
        ("win+h", "super+h"),
        ("Super+H", "super+h"),
        ("cmd+shift+return", "shift+super+enter"),
        ("F9", "f9"),
        ("ctrl++", "ctrl++"),
        ("ctrl+plus", "ctrl++"),
        ("alt_gr+pgup", "altgr+page_up"),
    ],
)
def test_chords_parse_to_one_canonical_spelling(text: str, canonical: str) -> None:
    chord = Chord.parse(text)
    assert str(chord) == canonical
    assert Chord.parse(str(chord)) == chord


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "empty"),
        ("ctrl+alt", "only modifiers"),
        ("a+b", "two keys"),
        ("ctrl+banana", "Unknown key 'banana'"),
        ("ctrl+control+a", "twice"),
    ],
)
def test_unusable_chords_are_refused_saying_why(text: str, complaint: str) -> None:
    with pytest.raises(ChordError, match=complaint):
        Chord.parse(text)


@pytest.mark.parametrize(
    ("text", "printable_only"),
    [
        ("h", True),
        ("shift+a", True),
        ("space", True),
        ("shift+1", True),
        ("f9", False),
        ("ctrl+alt+space", False),
        ("super+h", False),
        ("pause", False),
    ],
)
def test_a_chord_that_would_type_text_is_flagged(text: str, printable_only: bool) -> None:
    assert Chord.parse(text).is_printable_only is printable_only


def test_backend_key_names_map_to_the_chord_vocabulary() -> None:
    reported = ["ctrl_r", "cmd_l", "alt_gr", "right ctrl", "left windows", "alt gr", "A", " "]
    assert [key_name(k) for k in reported] == [
        "ctrl",
        "super",
        "altgr",
        "ctrl",
        "super",
        "altgr",
        "a",
        "space",
    ]


# -- matching ------------------------------------------------------------------------------


class ManualTimers:
    """Deferred calls that run only when the test says time has passed."""

    def __init__(self) -> None:
        self.pending: list[tuple[Callable[[], None], list[bool]]] = []

    def defer(self, seconds: float, action: Callable[[], None]) -> Callable[[], None]:
        cancelled = [False]
        self.pending.append((action, cancelled))
        return lambda: cancelled.__setitem__(0, True)

    def elapse(self) -> None:
        due, self.pending = self.pending, []
        for action, cancelled in due:
            if not cancelled[0]:
                action()


@pytest.fixture
def timers() -> ManualTimers:
    return ManualTimers()


@pytest.fixture
def events() -> list[str]:
    return []


@pytest.fixture
def matcher(timers: ManualTimers, events: list[str]) -> ChordMatcher:
    return ChordMatcher(
        Chord.parse("ctrl+alt+space"),
        lambda: events.append("press"),
        lambda: events.append("release"),
        defer=timers.defer,
    )


def feed(matcher: ChordMatcher, script: str) -> None:
    """``"+ctrl +alt -alt"``: + presses, - releases."""
    for step in script.split():
        (matcher.press if step[0] == "+" else matcher.release)(step[1:])


def test_the_exact_chord_gives_one_press_and_one_release(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    feed(matcher, "+ctrl +alt +space")
    assert events == ["press"]
    feed(matcher, "-space -alt -ctrl")
    timers.elapse()
    assert events == ["press", "release"]


def test_a_chord_with_an_extra_key_does_not_fire(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    feed(matcher, "+ctrl +shift +alt +space -space -alt -shift -ctrl")
    feed(matcher, "+ctrl +space -space -ctrl")
    timers.elapse()
    assert events == []


def test_auto_repeat_presses_while_held_are_ignored(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    feed(matcher, "+ctrl +alt +space" + " +space" * 20)
    feed(matcher, "-ctrl")
    timers.elapse()
    assert events == ["press", "release"]


def test_auto_repeat_release_press_pairs_do_not_end_the_hold(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    feed(matcher, "+ctrl +alt +space" + " -space +space" * 20)
    timers.elapse()
    assert events == ["press"]
    assert matcher.active
    feed(matcher, "-space")
    timers.elapse()
    assert events == ["press", "release"]


def test_releasing_any_key_of_the_chord_ends_the_hold(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    feed(matcher, "+ctrl +alt +space -alt")
    timers.elapse()
    assert events == ["press", "release"]
    feed(matcher, "+alt")  # back to the whole chord: a new hold
    assert events == ["press", "release", "press"]


def test_a_held_back_release_is_reported_before_the_next_key(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    feed(matcher, "+ctrl +alt +space -space +x")
    assert events == ["press", "release"]  # without waiting for the repeat window
    timers.elapse()
    assert events == ["press", "release"]


def test_a_repeat_of_another_chord_key_after_a_release_still_ends_the_hold(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    # What X11 delivers when the chord is let go while space repeats.
    feed(matcher, "+ctrl +alt +space +space -ctrl +space -alt -space")
    timers.elapse()
    assert events == ["press", "release"]


def test_other_keys_released_during_the_hold_do_not_end_it(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    feed(matcher, "+x +ctrl +alt -x +space")
    timers.elapse()
    assert events == ["press"]


def test_a_key_released_under_another_name_does_not_block_the_chord(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    # "1" is pressed, shift goes down, and the release arrives as "!".
    feed(matcher, "+1 +shift -! -shift +ctrl +alt +space")
    assert events == ["press"]


def test_rebinding_during_a_hold_ends_it_and_matches_the_new_chord(
    matcher: ChordMatcher, timers: ManualTimers, events: list[str]
) -> None:
    feed(matcher, "+ctrl +alt +space")
    matcher.rebind(Chord.parse("super+h"))
    assert events == ["press", "release"]
    feed(matcher, "-space -alt -ctrl +super +h")
    timers.elapse()
    assert events == ["press", "release", "press"]


def test_the_real_timer_reports_the_release_after_the_repeat_window(events: list[str]) -> None:
    matcher = ChordMatcher(
        Chord.parse("f9"), lambda: events.append("press"), lambda: events.append("release")
    )
    feed(matcher, "+f9 -f9")
    assert events == ["press"]
    wait_for(lambda: events == ["press", "release"])


# -- choosing a backend --------------------------------------------------------------------

CHORD = Chord.parse("ctrl+alt+space")


@pytest.mark.parametrize(
    ("environ", "platform", "name"),
    [
        ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, "linux", "portal"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", "portal"),
        ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, "linux", "x11"),
        ({"DISPLAY": ":0"}, "linux", "x11"),
        ({}, "win32", "keyboard"),
        ({}, "linux", "none"),
    ],
)
def test_auto_picks_the_backend_for_the_session(
    environ: dict[str, str], platform: str, name: str
) -> None:
    assert choose_backend("auto", CHORD, environ, platform).name == name


@pytest.mark.parametrize("forced", ["portal", "x11", "keyboard", "none"])
def test_a_forced_backend_is_used_whatever_the_session(forced: str) -> None:
    assert choose_backend(forced, CHORD, {"WAYLAND_DISPLAY": "wayland-0"}, "linux").name == forced


def test_without_a_session_the_reason_says_to_bind_harken_ptt() -> None:
    backend = choose_backend("auto", CHORD, {}, "linux")
    assert isinstance(backend, NoBackend)
    ok, reason = backend.available()
    assert not ok
    assert "`harken ptt toggle`" in reason
    assert "shortcut settings" in reason


def test_an_unknown_setting_names_the_valid_ones() -> None:
    ok, reason = choose_backend("evdev", CHORD, {"DISPLAY": ":0"}, "linux").available()
    assert not ok
    assert "auto, portal, x11, keyboard, none" in reason


def test_x11_without_a_display_is_unavailable_and_names_the_fix() -> None:
    ok, reason = X11Backend(CHORD, {}).available()
    assert not ok
    assert "DISPLAY is not set" in reason
    assert "`harken ptt toggle`" in reason


def test_the_keyboard_backend_declines_on_linux() -> None:
    ok, reason = KeyboardBackend(CHORD, "linux").available()
    assert not ok
    assert "Windows" in reason and "root" in reason


# -- the GlobalShortcuts portal ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("ctrl+alt+space", "CTRL+ALT+space"),
        ("super+h", "LOGO+h"),
        ("f9", "F9"),
        ("shift+ctrl+enter", "CTRL+SHIFT+Return"),
    ],
)
def test_chords_become_xdg_shortcut_triggers(text: str, trigger: str) -> None:
    assert portal_trigger(Chord.parse(text)) == trigger


@pytest.fixture
def bus() -> Iterator[str]:
    with private_bus() as address:
        yield address


@pytest.fixture
def portal(bus: str) -> Iterator[FakePortal]:
    fake = FakePortal(bus)
    yield fake
    fake.close()


def test_portal_is_available_when_the_desktop_serves_global_shortcuts(
    bus: str, portal: FakePortal
) -> None:
    ok, reason = PortalBackend(CHORD, {"DBUS_SESSION_BUS_ADDRESS": bus}).available()
    assert ok, reason
    assert "version 1" in reason


def test_portal_without_global_shortcuts_is_unavailable_with_the_fix(bus: str) -> None:
    fake = FakePortal(bus, shortcuts=False)
    try:
        ok, reason = PortalBackend(CHORD, {"DBUS_SESSION_BUS_ADDRESS": bus}).available()
    finally:
        fake.close()
    assert not ok
    assert "has no GlobalShortcuts" in reason
    assert "`harken ptt toggle`" in reason


def test_no_portal_on_the_bus_is_unavailable_with_the_fix(bus: str) -> None:
    ok, reason = PortalBackend(CHORD, {"DBUS_SESSION_BUS_ADDRESS": bus}).available()
    assert not ok
    assert "xdg-desktop-portal is not running" in reason


def test_no_session_bus_is_unavailable_with_the_fix() -> None:
    ok, reason = PortalBackend(CHORD, {}).available()
    assert not ok
    assert "No D-Bus session bus" in reason


def test_portal_signals_become_press_and_release(bus: str, portal: FakePortal) -> None:
    events: list[str] = []
    backend = PortalBackend(CHORD, {"DBUS_SESSION_BUS_ADDRESS": bus})
    backend.start(lambda: events.append("press"), lambda: events.append("release"))
    try:
        wait_for(lambda: backend.trigger == "Ctrl+Alt+Space")
        bind = next(body for member, body in portal.calls if member == "BindShortcuts")
        assert bind[1][0][0] == "push-to-talk"
        assert bind[1][0][1]["preferred_trigger"] == ("s", "CTRL+ALT+space")
        portal.activate()
        portal.activate()  # a repeat while held
        portal.activate("someone-elses-shortcut")
        wait_for(lambda: events == ["press"])
        portal.deactivate()
        wait_for(lambda: events == ["press", "release"])
    finally:
        backend.stop()  # joins the listening thread: nothing can arrive after this
    assert ("Close", ()) in portal.calls
    assert events == ["press", "release"]


# -- pynput on the real X display ----------------------------------------------------------

needs_display = pytest.mark.skipif(
    os.environ.get("HARKEN_TEST_DISPLAY") != "1" or not shutil.which("xdotool"),
    reason="needs the virtual screen and xdotool: run under tests/desktop_env.sh",
)


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


class WatchedX11Backend(X11Backend):
    """The real backend, also noting every key its listener has handled, in order: the
    listener thread reports a chord's press and release (a held-back release included:
    the next key press settles it) before it takes the next key."""

    def __init__(self, chord: Chord) -> None:
        super().__init__(chord)
        self.keys_handled: list[str] = []

    def _pressed(self, key: object) -> None:
        super()._pressed(key)
        self.keys_handled.append(pynput_key_name(key))


@pytest.fixture
def x11() -> Iterator[tuple[WatchedX11Backend, list[str]]]:
    events: list[str] = []
    backend = WatchedX11Backend(CHORD)
    ok, reason = backend.available()
    assert ok, reason
    backend.start(lambda: events.append("press"), lambda: events.append("release"))
    yield backend, events
    backend.stop()


def hold(chord: str, seconds: float) -> None:
    xdotool("keydown", chord)
    try:
        time.sleep(seconds)
    finally:
        xdotool("keyup", chord)


@needs_display
def test_xdotool_chord_is_one_press_and_one_release(
    x11: tuple[WatchedX11Backend, list[str]],
) -> None:
    backend, events = x11
    hold("ctrl+alt+space", 0.2)
    wait_for(lambda: events == ["press", "release"])
    nothing_more_arrived(backend, events, ["press", "release"])


@needs_display
def test_holding_past_auto_repeat_is_still_one_press_and_one_release(
    x11: tuple[WatchedX11Backend, list[str]],
) -> None:
    backend, events = x11
    hold("ctrl+alt+space", 1.5)  # X repeats after 660 ms, 25 times a second
    wait_for(lambda: events == ["press", "release"])
    nothing_more_arrived(backend, events, ["press", "release"])


@needs_display
def test_a_different_chord_does_not_fire(x11: tuple[WatchedX11Backend, list[str]]) -> None:
    backend, events = x11
    hold("ctrl+shift+alt+space", 0.2)
    hold("ctrl+space", 0.2)
    hold("alt+space", 0.2)
    nothing_more_arrived(backend, events, [])


@needs_display
def test_rebinding_listens_for_the_new_chord_at_once(
    x11: tuple[WatchedX11Backend, list[str]],
) -> None:
    backend, events = x11
    backend.rebind(Chord.parse("super+h"))
    hold("ctrl+alt+space", 0.2)
    hold("super+h", 0.2)
    wait_for(lambda: events == ["press", "release"])
    nothing_more_arrived(backend, events, ["press", "release"])


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout:g} s")
        time.sleep(0.01)


def nothing_more_arrived(
    backend: WatchedX11Backend, events: list[str], expected: list[str]
) -> None:
    """``events`` is ``expected`` and nothing else will come: a key outside every chord is
    pressed, and once the listener has handled it, it has reported all keys before it (X
    delivers them in order)."""
    handled = len(backend.keys_handled)
    hold("F12", 0.05)
    wait_for(lambda: "f12" in backend.keys_handled[handled:])
    assert events == expected
