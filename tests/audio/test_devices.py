"""Devices: listed by the CLI, chosen by name or index, clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from audio.devices import AudioDeviceError, explain, find_device


def test_devices_command_lists_the_microphone(virtual_mic) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "devices"], capture_output=True, text=True, check=True
    ).stdout
    inputs = out.split("Outputs")[0]
    assert "Inputs" in inputs and "default" in inputs and "*" in inputs


def test_device_by_index_and_by_part_of_its_name(virtual_mic) -> None:
    default = find_device("", "input")
    assert find_device(str(default.index), "input") == default
    assert find_device(default.name[:3].upper(), "input").inputs > 0


def test_busy_device_error_says_what_to_do() -> None:
    import sounddevice as sd

    error = explain(sd.PortAudioError("Device unavailable [PaErrorCode -9985]"), "USB mic")
    assert isinstance(error, AudioDeviceError)
    assert "busy" in str(error) and "another program" in str(error)


def test_unknown_output_device_lists_the_available_ones(virtual_mic) -> None:
    with pytest.raises(AudioDeviceError, match=r"No sound output named 'nope'\. Available:"):
        find_device("nope", "output")
