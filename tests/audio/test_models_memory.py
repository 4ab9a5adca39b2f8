"""Loading Whisper leaves out what the app does not use: PyAV stays unloaded until a file
is decoded, and a file still decodes when one is."""

from __future__ import annotations

import subprocess
import sys


def test_faster_whisper_comes_without_pyav_until_a_file_is_decoded(tmp_path) -> None:
    wav = tmp_path / "tone.wav"
    code = (
        "import sys, wave, numpy as np\n"
        f"path = {str(wav)!r}\n"
        "with wave.open(path, 'wb') as out:\n"
        "    out.setnchannels(1); out.setsampwidth(2); out.setframerate(16000)\n"
        "    out.writeframes((np.ones(1600) * 1000).astype(np.int16).tobytes())\n"
        "from audio.vad import has_speech\n"
        "has_speech(np.zeros(1600, np.float32))\n"
        "print('av.container' in sys.modules)\n"
        "from faster_whisper import decode_audio\n"
        "print(len(decode_audio(path)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "1600"]
