"""What the tray app imports, and when: the icon before anything heavy, the agent after Qt.

Each check runs in a fresh interpreter, as ``harken`` starts in one.
"""

from __future__ import annotations

import os
import subprocess
import sys

HEAVY = ("anthropic", "faster_whisper", "ctranslate2", "pydantic", "numpy", "agent.session")


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


def test_what_puts_the_tray_icon_up_imports_nothing_heavy() -> None:
    done = run_python(
        "import sys\n"
        "import desktop.cli, desktop.app, desktop.instance, desktop.tray\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "desktop.tray.TrayIcon().show()\n"
        "print('\\n'.join(sys.modules))\n"
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert not [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY]


def test_the_agent_imports_after_qt_while_the_windows_import_too() -> None:
    # shiboken's import hook breaks pydantic's lazy imports when pydantic was partly
    # imported before PySide6; the app imports it only after, on the agent thread, while
    # the GUI thread may be importing the permission and settings windows (pydantic too).
    done = run_python(
        "import threading\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from desktop.bridge import warm_up_agent\n"
        "errors = []\n"
        "def warm():\n"
        "    try:\n"
        "        warm_up_agent()\n"
        "    except Exception as exc:\n"
        "        errors.append(repr(exc))\n"
        "worker = threading.Thread(target=warm)\n"
        "worker.start()\n"
        "import desktop.windows.permission, desktop.windows.settings, agent.config_file\n"
        "worker.join()\n"
        "assert not errors, errors\n"
        "print('ok')\n"
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
