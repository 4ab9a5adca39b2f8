"""Sound devices: listing inputs and outputs, choosing one by name or index, clear errors.

``list_devices()`` describes every device; ``find_device(spec, "input")`` turns a setting
("" for the system default, an index, or part of a name) into a device index or raises
``AudioDeviceError`` with a message a person can act on. ``explain(exc)`` does the same
for the errors PortAudio raises when a device is busy or gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["input", "output"]

LIST_SECONDS = 5.0  # a healthy sound server lists its devices in well under a second
SERVER_FROZEN = (
    "The sound server does not answer (frozen?), so no microphone or speaker can be used. "
    "Restart it, or log out and back in."
)


class AudioDeviceError(RuntimeError):
    """A microphone or speaker cannot be used; the message says why and what to do."""


class SoundServerFrozen(AudioDeviceError):
    """The sound server did not answer in time (stopped, or hung): no device is usable
    until it is restarted."""


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    host_api: str
    inputs: int
    outputs: int
    default_rate: float
    is_default_input: bool = False
    is_default_output: bool = False


def list_devices() -> list[Device]:
    """Every device PortAudio knows, inputs and outputs alike. Raises ``AudioDeviceError``
    when PortAudio fails, or when the sound server does not answer within
    ``LIST_SECONDS`` (starting PortAudio asks it, and a frozen one never answers)."""
    from audio.stream_calls import call_bounded

    return call_bounded(
        _query_devices,
        limit=LIST_SECONDS,
        timeout=lambda: SoundServerFrozen(SERVER_FROZEN),
        name="harken-devices",
    )


def _query_devices() -> list[Device]:
    import sounddevice as sd

    try:
        raw = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"Cannot list sound devices: {exc}") from exc
    return [
        Device(
            index=d["index"],
            name=d["name"],
            host_api=apis[d["hostapi"]]["name"],
            inputs=d["max_input_channels"],
            outputs=d["max_output_channels"],
            default_rate=float(d["default_samplerate"]),
            is_default_input=d["index"] == default_in,
            is_default_output=d["index"] == default_out,
        )
        for d in raw
    ]


def find_device(spec: str | int | None, kind: Kind = "input") -> Device:
    """The device a setting names: "" or None for the default, an index, or part of a name."""
    devices = list_devices()
    usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    noun = "microphone" if kind == "input" else "sound output"
    if not usable:
        raise AudioDeviceError(
            f"No {noun} found. Connect one (or check that the sound server is running)."
        )
    if spec in (None, ""):
        flag = "is_default_input" if kind == "input" else "is_default_output"
        return next((d for d in usable if getattr(d, flag)), usable[0])
    text = str(spec).strip()
    if text.isdigit():
        match = [d for d in usable if d.index == int(text)]
    else:
        match = [d for d in usable if d.name.lower() == text.lower()]
        match = match or [d for d in usable if text.lower() in d.name.lower()]
    if not match:
        names = ", ".join(f"{d.index}: {d.name}" for d in usable)
        raise AudioDeviceError(f"No {noun} named {text!r}. Available: {names}.")
    return match[0]


def explain(exc: Exception, device: str) -> AudioDeviceError:
    """A PortAudio error turned into a sentence about the device."""
    message = str(exc)
    lowered = message.lower()
    if "unavailable" in lowered or "busy" in lowered or "-9985" in lowered:
        return AudioDeviceError(
            f"The device {device!r} is busy: another program is using it. "
            "Close that program or choose another device."
        )
    if "invalid device" in lowered or "no default" in lowered or "-9996" in lowered:
        return AudioDeviceError(f"The device {device!r} is not available (unplugged?).")
    # What PortAudio says when ALSA's pulse plugin finds no server ("Illegal combination
    # of I/O devices", "Unanticipated host error") names no cause a person can act on.
    return AudioDeviceError(
        f"Cannot use the device {device!r}: {message}. Is the sound server running?"
    )
