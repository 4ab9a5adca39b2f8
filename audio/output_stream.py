"""Opening and closing a sound output without waiting for ever on the sound server.

A frozen sound server never answers PortAudio's open or close, so both are made with a
bound (``audio.stream_calls``); an open that overruns gives the caller ``AudioDeviceError``
in words a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from audio.devices import AudioDeviceError, SoundServerFrozen, explain, find_device
from audio.stream_calls import CLOSE_SECONDS, OPEN_SECONDS, call_bounded, close_stream


class OutputOpenTimeout(SoundServerFrozen):
    """The sound server did not answer while the output was opening (frozen, or hung)."""


def open_output(
    device: str | int | None, callback: Callable[..., None], *, limit: float = OPEN_SECONDS
) -> tuple[Any, float]:
    """A started mono float32 ``sounddevice.OutputStream`` on ``device`` (a setting: "",
    an index or part of a name) and its sample rate.

    Raises ``AudioDeviceError`` when there is no such device, it cannot be opened, or
    opening takes longer than ``limit`` seconds.
    """

    def open_now() -> tuple[Any, float]:
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
        except AudioDeviceError:
            raise
        except Exception as exc:  # PortAudioError mostly
            raise _output_error(exc, dev.name if dev else str(device or "default")) from exc
        return stream, dev.default_rate

    return call_bounded(
        open_now,
        limit=limit,
        timeout=lambda: OutputOpenTimeout(
            f"the sound output did not open within {limit:.0f} s (is the sound server frozen?)."
        ),
        late=lambda opened: close_output(opened[0]),  # opened after the caller gave up
        name="harken-output-open",
    )


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
    close_stream(stream, limit=limit)
