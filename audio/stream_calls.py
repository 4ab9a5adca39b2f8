"""Calls into a sound stream that may never return, made with a bound.

PortAudio's open, start, abort and close are blocking calls into the device: through
ALSA's pulse plugin they wait on PulseAudio, and a frozen server (stopped, or hung) never
answers. A microphone or speaker thread making such a call would hang with it, and so
would a tray app quitting. Here each call runs on a helper thread that is waited for with a
bound; one that overruns is abandoned (a stream it opens late is closed at once, by
``late``) and the caller goes on.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

OPEN_SECONDS = 5.0  # a healthy server opens a stream in well under 100 ms
CLOSE_SECONDS = 2.0


def call_bounded(
    call: Callable[[], T],
    *,
    limit: float,
    timeout: Callable[[], Exception],
    late: Callable[[T], None] | None = None,
    name: str = "harken-stream-call",
) -> T:
    """``call()`` on a helper thread: its result, or the exception it raised.

    Raises ``timeout()`` when it has not returned within ``limit`` seconds; a result that
    arrives after that is handed to ``late`` (to close a stream nobody will use)."""
    lock = threading.Lock()  # the helper's answer and the caller's giving up, one at a time
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            answer: dict[str, Any] = {"value": call()}
        except BaseException as exc:  # any failure is the caller's to raise
            answer = {"error": exc}
        with lock:
            if outcome.get("abandoned"):
                if "value" in answer and late is not None:
                    late(answer["value"])
                return
            outcome.update(answer)
            done.set()

    stderr = _dup_stderr()
    try:
        threading.Thread(target=run, name=name, daemon=True).start()
        done.wait(limit)
        with lock:
            if not done.is_set():
                outcome["abandoned"] = True
                if stderr is not None:
                    # Importing sounddevice points descriptor 2 at /dev/null while PortAudio
                    # starts: a start that never ends would leave every later message unseen.
                    os.dup2(stderr, 2)
                raise timeout()
    finally:
        if stderr is not None:
            os.close(stderr)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _dup_stderr() -> int | None:
    try:
        return os.dup(2)
    except OSError:  # no descriptor 2 (a windowed app)
        return None


def close_stream(stream: Any, *, abort: bool = False, limit: float = CLOSE_SECONDS) -> bool:
    """Close a sounddevice stream (``abort``: drop what is buffered first), waiting at most
    ``limit`` seconds; False when the sound server did not answer (the stream is left
    behind, on a thread of its own). A device that vanished fails to close: it is gone."""

    def close() -> None:
        with contextlib.suppress(Exception):
            if abort:
                stream.abort()
            stream.close()

    closer = threading.Thread(target=close, name="harken-stream-close", daemon=True)
    closer.start()
    closer.join(limit)
    if closer.is_alive():
        log.info("the sound server did not close a stream within %.0f s: left behind", limit)
        _skip_portaudio_teardown()
        return False
    return True


def _skip_portaudio_teardown() -> None:
    """sounddevice stops its last stream and terminates PortAudio at exit: with a close
    still stuck in the server on another thread, that frees the stream twice (the process
    dies of "double free or corruption" on its way out). The process is ending and the
    server will drop its streams when it wakes: skip the teardown."""
    import sys

    sd = sys.modules.get("sounddevice")
    handler = getattr(sd, "_exit_handler", None)
    if handler is not None:
        atexit.unregister(handler)
