"""A model without a price (a local model behind an Anthropic-compatible endpoint): its
cost is "unknown" in `harken sessions` and null in JSON, never $0."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text

LOCAL_MODEL = "qwen3-coder"


def harken(api: ScriptedAPI, workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANTHROPIC_API_KEY": "", "ANTHROPIC_BASE_URL": api.base_url}  # type: ignore[attr-defined]
    return subprocess.run(
        [*harken_command(), *args],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def asked(api: ScriptedAPI, workspace: Path) -> list[dict[str, object]]:
    """One `harken ask --json` turn on the local model: its events."""
    api.script(Reply([text("ok")], usage={"input_tokens": 1000, "output_tokens": 1000}))
    result = harken(api, workspace, "ask", "hi", "--json", "--model", LOCAL_MODEL)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_ask_json_gives_null_costs_for_a_model_without_a_price(
    asked: list[dict[str, object]],
) -> None:
    finished = [e for e in asked if e.get("kind") == "turn_finished"]
    assert len(finished) == 1 and finished[0]["cost_known"] is False
    assert finished[0]["cost_usd"] is None and finished[0]["session_cost_usd"] is None


def test_sessions_show_unknown_cost_for_a_model_without_a_price(
    api: ScriptedAPI, workspace: Path, asked: list[dict[str, object]]
) -> None:
    listing = harken(api, workspace, "sessions")
    assert listing.returncode == 0, listing.stderr
    row = listing.stdout.strip().splitlines()[1]
    assert "unknown" in row and "$0.0000" not in row, listing.stdout

    as_json = json.loads(harken(api, workspace, "sessions", "--json").stdout)
    assert as_json["cost_usd"] is None and as_json["model"] == LOCAL_MODEL


def test_sessions_on_a_priced_model_still_show_dollars(api: ScriptedAPI, workspace: Path) -> None:
    api.script(Reply([text("ok")], usage={"input_tokens": 1000, "output_tokens": 1000}))
    assert harken(api, workspace, "ask", "hi", "--model", "claude-sonnet-4-5").returncode in (0,)
    row = harken(api, workspace, "sessions").stdout.strip().splitlines()[1]
    assert "$0.0180" in row
    as_json = json.loads(harken(api, workspace, "sessions", "--json").stdout)
    assert as_json["cost_usd"] == pytest.approx(0.018)
