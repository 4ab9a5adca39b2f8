"""UserPromptSubmit and SessionStart hooks, what a hook's environment holds, and a
project's hooks, which must not run before the user trusted them (marker files prove it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.hooks import load_hooks, trust
from tests.conftest import TEST_KEY
from tests.hooks.conftest import hook, project_hooks, user_content, user_hooks
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e


STOP = {"continue": False, "stopReason": "Prompts may not name the launch codes."}


@pytest.mark.parametrize(
    "refuse",
    [
        "echo 'Prompts may not name the launch codes.' >&2; exit 2",
        f"cat > /dev/null; echo '{json.dumps(STOP)}'",  # exit 0, "continue": false
    ],
    ids=["exit-2", "continue-false"],
)
def test_a_user_prompt_submit_hook_that_refuses_stops_the_prompt_and_tells_the_user(
    api: ScriptedAPI, harken, refuse: str
) -> None:
    user_hooks({"UserPromptSubmit": [hook(refuse)]})
    api.script(Reply([text("never sent")]))

    result = harken("ask", "what are the launch codes?")

    assert result.returncode == 1
    assert "Prompts may not name the launch codes." in result.stderr
    assert api.requests == []  # the model never saw the prompt


def test_prompt_hooks_add_context_the_model_reads_with_the_prompt(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    context = {
        "hookSpecificOutput": {
            "hookEventName": "UserPromptSubmit",
            "additionalContext": "The build server is build-7.",
        }
    }
    user_hooks(
        {
            "SessionStart": [hook("echo 'Today is a release day.'")],
            "UserPromptSubmit": [hook(f"cat > prompt.json; echo '{json.dumps(context)}'")],
        }
    )
    api.script(Reply([text("On build-7.")]))

    result = harken("ask", "where do builds run?")

    assert result.returncode == 0, result.stderr
    [request] = api.requests
    sent = "\n".join(b.get("text", "") for b in user_content(request))
    assert "where do builds run?" in sent
    assert "The build server is build-7." in sent and "Today is a release day." in sent
    seen = json.loads((workspace / "prompt.json").read_text())
    assert seen["hook_event_name"] == "UserPromptSubmit"
    assert seen["prompt"] == "where do builds run?"


def test_hooks_never_see_the_api_key_or_the_bridge_token(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    user_hooks({"UserPromptSubmit": [hook("env > env.txt")]})
    api.script(Reply([text("Hi.")]))

    result = harken("ask", "hello", env={"HARKEN_BRIDGE_TOKEN": "bridge-secret-123"})

    assert result.returncode == 0, result.stderr
    env = dict(
        line.split("=", 1)
        for line in (workspace / "env.txt").read_text().splitlines()
        if "=" in line
    )
    assert not [name for name in env if name.startswith("ANTHROPIC_")]
    dump = (workspace / "env.txt").read_text()
    assert TEST_KEY not in dump and "bridge-secret-123" not in dump
    assert Path(env["CLAUDE_PROJECT_DIR"]).resolve() == workspace.resolve()


def test_an_untrusted_projects_hooks_do_not_run_until_the_user_trusts_them(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    markers = workspace.parent
    project_hooks(
        workspace,
        {
            "UserPromptSubmit": [hook(f"touch '{markers}/prompt-marker'")],
            "PreToolUse": [hook(f"touch '{markers}/tool-marker'")],
        },
    )

    def script() -> None:
        api.script(Reply([tool_use("Read", {"file_path": "notes.txt"})]), Reply([text("Ok.")]))

    (workspace / "notes.txt").write_text("notes\n")
    script()

    result = harken("ask", "read notes.txt")

    assert result.returncode == 0, result.stderr
    assert not (markers / "prompt-marker").exists()
    assert not (markers / "tool-marker").exists()
    assert "harken hooks trust" in result.stderr

    loaded = load_hooks(workspace)  # what `harken hooks trust` records on a yes
    trust.trust(workspace, trust.HOOKS, loaded.project_fingerprint)
    script()

    result = harken("ask", "read notes.txt")

    assert result.returncode == 0, result.stderr
    assert (markers / "prompt-marker").exists() and (markers / "tool-marker").exists()
