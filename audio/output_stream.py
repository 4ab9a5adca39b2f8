"""Opening and closing a sound output without waiting for ever on the sound server.

PortAudio's open and close are blocking calls into the device: through ALSA's pulse plugin
they wait on PulseAudio, and a frozen server (stopped, or hung) never answers, so a speaker
thread that opens its stream there would hang with it. Both run here on a helper thread
that is waited for with a bound; one that overruns is abandoned (a stream it opens late is
closed at once) and the caller gets ``AudioDeviceError`` in words a person can act on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from audio.devices import AudioDeviceError, explain, find_device


class OutputOpenTimeout(AudioDeviceError):
    """The sound server did not answer while the output was opening (frozen, or hung)."""


OPEN_SECONDS = 5.0  # a healthy server opens a stream in well under 100 ms
CLOSE_SECONDS = 2.0


def open_output(
    device: str | int | None, callback: Callable[..., None], *, limit: float = OPEN_SECONDS
) -> tuple[Any, float]:
    """A started mono float32 ``sounddevice.OutputStream`` on ``device`` (a setting: "",
    an index or part of a name) and its sample rate.

    Raises ``AudioDeviceError`` when there is no such device, it cannot be opened, or
    opening takes longer than ``limit`` seconds.
    """
    lock = threading.Lock()  # the helper's answer and the caller's giving up, one at a time
    done = threading.Event()
    result: dict[str, Any] = {}

    def open_now() -> None:
        dev = None
        try:
            # Importing sounddevice starts PortAudio, which asks the sound server too.
            import sounddevice as sd

            dev = find_device(device, "output")
            stream = sd.OutputStream(
                device=dev.index,
                samplerate=dev.default_rate,
                channels=1,
                dtype="float32",
                callback=callback,
                latency="low",
            )
            stream.start()
        except AudioDeviceError as exc:
            answer: dict[str, Any] = {"error": exc}
        except Exception as exc:  # PortAudioError mostly; any failure is the caller's answer
            answer = {"error": _output_error(exc, dev.name if dev else str(device or "default"))}
        else:
            answer = {"stream": stream, "rate": dev.default_rate}
        with lock:
            if result.get("abandoned"):
                if "stream" in answer:
                    close_output(answer["stream"])  # opened after the caller gave up
                return
            result.update(answer)
            done.set()

    threading.Thread(target=open_now, name="harken-output-open", daemon=True).start()
    done.wait(limit)
    with lock:
        if not done.is_set():
            result["abandoned"] = True
            raise OutputOpenTimeout(
                f"the sound output did not open within {limit:.0f} s (is the sound server frozen?)."
            )
    if "error" in result:
        raise result["error"]
    return result["stream"], result["rate"]


def _output_error(exc: Exception, name: str) -> AudioDeviceError:
    """PortAudio's failure to open an output, in words: its "Unanticipated host error"
    [-9999] from ALSA's pulse plugin means the sound server refused the stream, which it
    does when it has no output device (sink) at all, or is not running."""
    if "-9999" in str(exc) or "unanticipated host error" in str(exc).lower():
        return AudioDeviceError(
            f"The sound output {name!r} could not open: the sound server has no speaker or "
            "headphones to play on, or is not running. Check the output in the sound settings."
        )
    return explain(exc, name)


def close_output(stream: Any, *, limit: float = CLOSE_SECONDS) -> None:
    """Close ``stream``, waiting at most ``limit`` seconds (a hung one is left behind)."""

    def close() -> None:
        with contextlib.suppress(Exception):  # a vanished device: nothing to close
            stream.close()

    closer = threading.Thread(target=close, name="harken-output-close", daemon=True)
    closer.start()
    closer.join(limit)
