"""Leaving the process while the speech model is still at work.

The model loads (and warms up) on its own thread while the user already speaks. A
`harken listen` take that ended before that work did (a silent take, Ctrl-C) left the
process while CTranslate2 was mid-load or mid-decode: it said why it stopped, then died
of SIGABRT ("terminate called without an active exception") or SIGSEGV, so its exit
status was a signal (seen in 5 of 6 silent takes on a busy machine).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio.clips import Listen

ROOT = Path(__file__).resolve().parents[2]

# A process that starts a Transcriber whose load is still running when the script ends.
# The loader stands in for CTranslate2's (native work the interpreter must not tear down
# under); it can only finish if leaving the process waits for it.
LEAVES_MID_LOAD = """
import sys, threading, time
from pathlib import Path
from audio.transcribe import Transcriber

began = threading.Event()

def load():
    began.set()
    time.sleep(0.5)
    Path(sys.argv[1]).write_text("loaded")
    raise RuntimeError("no model in this test")

Transcriber(loader=load).start()
began.wait()
"""


def test_leaving_the_process_waits_for_the_models_work_to_finish(tmp_path: Path) -> None:
    marker = tmp_path / "loaded"
    done = subprocess.run(
        [sys.executable, "-c", LEAVES_MID_LOAD, str(marker)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "loaded", "the process left while the model was loading"


@pytest.mark.usefixtures("virtual_mic")
def test_ctrl_c_while_the_model_loads_exits_as_interrupted() -> None:
    listen = Listen()
    listen.start()
    listen.process.send_signal(signal.SIGINT)
    code = listen.process.wait(timeout=listen.timeout)
    assert code == 130, f"exit status {code}:\n{listen.stderr}"
    assert "interrupted" in listen.stderr
