"""The layering DESIGN.md fixes: the core never imports Qt, and nothing heavy loads early."""

from __future__ import annotations

import subprocess
import sys


def modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_agent_and_audio_do_not_import_qt_or_each_other() -> None:
    loaded = modules_after("import agent.session, agent.tools, audio")
    assert not any(m.startswith(("PySide6", "desktop")) for m in loaded)
    assert not any(m.startswith("audio") for m in modules_after("import agent.session"))
    assert not any(m.startswith("agent") for m in modules_after("import audio"))


def test_starting_a_session_module_does_not_load_the_sdk_or_http_stack() -> None:
    # anthropic alone takes about a second to import: it loads when the first call is made.
    loaded = modules_after("import desktop.cli, agent.session, agent.tools")
    assert "anthropic" not in loaded
    assert not any(m.split(".")[0] in ("httpx", "httpx2", "markdownify", "bs4") for m in loaded)
