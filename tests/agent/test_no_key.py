"""Harken without an Anthropic key: `harken ask` against an Anthropic-compatible server
that needs none (the scripted API standing in for Ollama or a LiteLLM proxy), with a model
name the price table does not know."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from agent import credentials
from agent.usage import Usage, cost_text, cost_usd
from tests.conftest import TEST_KEY
from tests.e2e.conftest import harken_command, write_config
from tests.scripted_api import Reply, ScriptedAPI, text

LOCAL_MODEL = "qwen3-coder"


def harken(workspace: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``harken ARGS`` as a user with no key runs it (no key in the environment; the
    tests' keyring keeps nothing)."""
    full_env = {**os.environ, "ANTHROPIC_API_KEY": "", **env}
    return subprocess.run(
        [*harken_command(), *args],
        cwd=workspace,
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def sent_keys(api: ScriptedAPI) -> list[str]:
    """The key each request carried (as x-api-key, or as a bearer token)."""
    keys = []
    for headers in api.headers:
        lower = {name.lower(): value for name, value in headers.items()}
        bearer = lower.get("authorization", "").removeprefix("Bearer ")
        keys.append(lower.get("x-api-key") or bearer)
    return keys


def test_ask_without_a_key_talks_to_a_local_endpoint(api: ScriptedAPI, workspace: Path) -> None:
    api.script(Reply([text("Four, computed locally.")]))

    result = harken(
        workspace,
        "ask",
        "what is 2+2?",
        "--model",
        LOCAL_MODEL,
        ANTHROPIC_BASE_URL=api.base_url,  # type: ignore[attr-defined]
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Four, computed locally."
    assert [r["model"] for r in api.requests] == [LOCAL_MODEL]
    # Only the placeholder went out: never a real key, never the tests' own.
    assert sent_keys(api) == [credentials.NO_KEY]
    assert TEST_KEY not in json.dumps(api.headers)


def test_the_base_url_setting_is_enough_too(
    api: ScriptedAPI, workspace: Path, isolated_env: Path
) -> None:
    write_config(isolated_env, f'base_url = "{api.base_url}"\nmodel = "{LOCAL_MODEL}"\n')  # type: ignore[attr-defined]
    api.script(Reply([text("Hello from the setting.")]))

    result = harken(workspace, "ask", "hi")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Hello from the setting."
    assert sent_keys(api) == [credentials.NO_KEY]


def test_a_local_models_cost_is_not_priced_as_sonnet(api: ScriptedAPI, workspace: Path) -> None:
    usage = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}
    api.script(Reply([text("ok")], usage=usage))

    result = harken(
        workspace,
        "ask",
        "hi",
        "--json",
        "--model",
        LOCAL_MODEL,
        ANTHROPIC_BASE_URL=api.base_url,  # type: ignore[attr-defined]
    )

    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    finished = [e for e in events if e.get("kind") == "turn_finished"]
    assert len(finished) == 1
    # A million tokens each way would be $18 at Sonnet's price: nothing is made up.
    assert finished[0]["cost_usd"] is None and finished[0]["cost_known"] is False
    assert cost_text(0.0, LOCAL_MODEL) == "unknown"
    assert cost_text(cost_usd("claude-sonnet-4-6", Usage(**usage)), "claude-sonnet-4-6") == "$18.00"


def test_ask_says_the_cost_is_unknown(api: ScriptedAPI, workspace: Path) -> None:
    api.script(Reply([text("ok")]))

    result = harken(
        workspace,
        "ask",
        "hi",
        "--model",
        LOCAL_MODEL,
        ANTHROPIC_BASE_URL=api.base_url,  # type: ignore[attr-defined]
    )

    assert result.returncode == 0, result.stderr
    assert "unknown" in result.stderr.splitlines()[-1]
    assert "$0.0000" not in result.stderr


@pytest.mark.parametrize("endpoint", ["", "https://api.anthropic.com"])
def test_anthropics_own_api_still_needs_a_key(
    api: ScriptedAPI, workspace: Path, endpoint: str
) -> None:
    result = harken(workspace, "ask", "hello", ANTHROPIC_BASE_URL=endpoint)

    assert result.returncode == 1
    assert result.stderr.startswith("harken: No API key")
    assert len(result.stderr.strip().splitlines()) == 1
    assert api.requests == []


def test_a_real_key_is_still_sent_to_a_local_endpoint(api: ScriptedAPI, workspace: Path) -> None:
    # A LiteLLM proxy with a master key: the user's key is what it gets.
    api.script(Reply([text("ok")]))

    result = harken(
        workspace,
        "ask",
        "hi",
        ANTHROPIC_API_KEY="sk-proxy-key",
        ANTHROPIC_BASE_URL=api.base_url,  # type: ignore[attr-defined]
    )

    assert result.returncode == 0, result.stderr
    assert sent_keys(api) == ["sk-proxy-key"]
