"""Turning a stream of key presses and releases into one press and one release of a chord.

``ChordMatcher`` is fed key names (``press("ctrl")``, ``release("space")``) by a backend's
listener thread and calls ``on_press`` when exactly the chord's keys are down (a chord
with an extra key held does not count) and ``on_release`` when any of them comes up.

Auto-repeat is debounced in both forms X11 produces: repeated presses of a held key, and
a release immediately followed by a press of the same key (what clients without
detectable auto-repeat see). A release of a chord key is therefore held back for
``repeat_window`` seconds; a press of that key within the window cancels it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from desktop.hotkeys.chord import MODIFIERS, Chord

REPEAT_WINDOW = 0.03  # X11 sends the release+press pair of a repeat within a few ms

Cancel = Callable[[], None]
Defer = Callable[[float, Callable[[], None]], Cancel]


def defer_with_timer(seconds: float, action: Callable[[], None]) -> Cancel:
    """Run ``action`` after ``seconds`` on a timer thread; returns its cancel."""
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()
    return timer.cancel


class ChordMatcher:
    """Exact chord matching with auto-repeat debounce; thread-safe."""

    def __init__(
        self,
        chord: Chord,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        *,
        repeat_window: float = REPEAT_WINDOW,
        defer: Defer = defer_with_timer,
    ) -> None:
        self.chord = chord
        self._on_press = on_press
        self._on_release = on_release
        self._window = repeat_window
        self._defer = defer
        self._lock = threading.Lock()
        self._held: set[str] = set()
        self._active = False
        self._pending: str | None = None  # a chord key released, not yet reported
        self._cancel_pending: Cancel | None = None
        self._generation = 0  # bumped whenever the pending release is settled

    @property
    def active(self) -> bool:
        """The chord is held (its press was reported, its release not yet)."""
        return self._active

    def press(self, key: str) -> None:
        with self._lock:
            if self._pending == key:
                self._drop_pending()  # release+press of one key: an auto-repeat
                return
            calls = self._flush_pending()
            # A key already held is repeating: nothing changes.
            if key not in self._held:
                self._held.add(key)
                if not self._active and self._held == self.chord.keys:
                    self._active = True
                    calls.append(self._on_press)
        _call(calls)

    def release(self, key: str) -> None:
        with self._lock:
            calls = self._flush_pending()
            if key not in self._held:
                self._forget_lost_keys(key)
            self._held.discard(key)
            if self._active and key in self.chord.keys:
                self._pending = key
                generation = self._generation
                self._cancel_pending = self._defer(self._window, lambda: self._expire(generation))
        _call(calls)

    def rebind(self, chord: Chord) -> None:
        """Match ``chord`` from now on; a hold in progress ends (its release is reported)."""
        with self._lock:
            calls = self._flush_pending()
            if self._active:
                self._active = False
                calls.append(self._on_release)
            self.chord = chord
        _call(calls)

    def reset(self) -> None:
        """Forget every held key without reporting anything (the listener restarted)."""
        with self._lock:
            self._drop_pending()
            self._held.clear()
            self._active = False

    def _expire(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # settled meanwhile
            calls = self._flush_pending()
        _call(calls)

    def _flush_pending(self) -> list[Callable[[], None]]:
        """Settle a held-back release as real: the hold ends."""
        if self._pending is None:
            return []
        self._drop_pending()
        self._active = False
        return [self._on_release]

    def _drop_pending(self) -> None:
        if self._cancel_pending is not None:
            self._cancel_pending()
        self._pending = None
        self._cancel_pending = None
        self._generation += 1

    def _forget_lost_keys(self, key: str) -> None:
        # A release of a key never seen pressed: its press was reported under another
        # name (shift turns "1" into "!"). Without this the pressed name would stay
        # "held" for good and the chord could never match exactly again.
        if key not in MODIFIERS:
            self._held.intersection_update(MODIFIERS)


def _call(calls: list[Callable[[], None]]) -> None:
    # Outside the lock: a callback may rebind or stop the backend.
    for call in calls:
        call()
