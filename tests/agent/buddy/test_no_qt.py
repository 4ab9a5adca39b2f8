from __future__ import annotations

import subprocess
import sys


def test_the_buddy_logic_imports_no_qt() -> None:
    code = "import sys, agent.buddy, agent.buddy.moods; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
