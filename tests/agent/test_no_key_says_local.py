"""The no-key error names the way that needs no key: a local Anthropic-compatible server."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import run_harken
from tests.scripted_api import ScriptedAPI


def test_no_key_error_also_says_how_to_use_a_local_server(
    api: ScriptedAPI, workspace: Path
) -> None:
    no_key = {"ANTHROPIC_API_KEY": "", "ANTHROPIC_BASE_URL": ""}
    result = run_harken(api, workspace, "ask", "hello", env=no_key)

    assert result.returncode == 1
    line = result.stderr.strip()
    assert line.startswith("harken: No API key: set ANTHROPIC_API_KEY"), line
    assert "\n" not in line, line
    assert "ANTHROPIC_BASE_URL" in line and "base_url" in line and "Local models" in line
    assert api.requests == []
