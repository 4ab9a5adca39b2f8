"""Keep the sound libraries' own diagnostics off the terminal.

PortAudio and alsa-lib write straight to file descriptor 2 when a device fails ("Expression
'...' failed in 'src/hostapi/alsa/pa_linux_alsa.c'", "ALSA lib pulse.c:242:(pulse_connect)
..."). PortAudio's build in Debian exports no way to redirect them, so a command that plays
or records sound would show three lines of C internals before its own one-line message.
``native_noise_to_log()`` holds what is written to descriptor 2 while it is active, then
passes on every line except those diagnostics, which go to the log at debug level.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator

log = logging.getLogger(__name__)

# The line shapes of PortAudio's PA_ENSURE/PaUtil_DebugPrint and alsa-lib's error handler.
NOISE = re.compile(r"^(?:Expression '.*' failed in '.*'|ALSA lib [\w./-]+:\d+:|PaAlsa\w*:)")


@contextlib.contextmanager
def native_noise_to_log() -> Iterator[None]:
    """While inside, C-level stderr is held; on leaving, what is not sound-library noise
    goes back to stderr in order, and the noise to the log (debug). Python's own
    ``sys.stderr`` writes are not held: a message said at once (the microphone went quiet)
    reaches the terminal at once."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no descriptor 2 (a windowed app): nothing to hold
        yield
        return
    python_stderr = sys.stderr
    direct = open(  # noqa: SIM115 (closed below, after sys.stderr is given back)
        os.dup(saved), "w", encoding="utf-8", errors="backslashreplace", buffering=1
    )
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        sys.stderr = direct
        try:
            yield
        finally:
            sys.stderr = python_stderr
            with contextlib.suppress(Exception):
                direct.close()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            _pass_on(held.read().decode("utf-8", "replace"))


def _pass_on(text: str) -> None:
    kept = []
    for line in text.splitlines():
        if NOISE.match(line) or not line.strip():
            log.debug("sound library: %s", line)
        else:
            kept.append(line)
    if kept:
        print("\n".join(kept), file=sys.stderr, flush=True)
