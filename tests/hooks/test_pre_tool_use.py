"""PreToolUse (and PostToolUse) hooks through the real ``harken ask``: a hook that blocks
with exit 2, one that only logs, one that hangs, and a hook's ``allow`` that must not
override a deny rule, a protected path or plan mode."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.hooks.conftest import hook, result_text, tool_results, user_hooks
from tests.processes import process_alive, wait_gone
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

WRITE = {"file_path": "out.txt", "content": "hello\n"}
ALLOW = json.dumps(
    {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "allow",
            "permissionDecisionReason": "the team hook trusts this",
        }
    }
)


def script_a_write(api: ScriptedAPI, tool_input: dict[str, str] = WRITE) -> None:
    api.script(Reply([tool_use("Write", tool_input)]), Reply([text("Done.")]))


def test_exit_2_blocks_the_call_and_the_model_reads_the_hooks_stderr(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    blocker = "cat > seen.json; echo 'Writes are frozen during the release.' >&2; exit 2"
    user_hooks({"PreToolUse": [hook(blocker, "Edit|Write")]})
    script_a_write(api)

    result = harken("ask", "--mode", "bypass", "write out.txt")

    assert result.returncode == 0, result.stderr
    assert not (workspace / "out.txt").exists()
    [block] = tool_results(api, 1)
    assert block["is_error"] is True
    assert "Writes are frozen during the release." in result_text(block)
    seen = json.loads((workspace / "seen.json").read_text())
    assert seen["hook_event_name"] == "PreToolUse"
    assert seen["tool_name"] == "Write" and seen["tool_input"] == WRITE
    assert Path(seen["cwd"]).resolve() == workspace.resolve()
    assert seen["session_id"] and Path(seen["transcript_path"]).is_file()


@pytest.mark.parametrize(
    "output",
    [
        {"decision": "block", "reason": "Writes are frozen during the release."},
        {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": "Writes are frozen during the release.",
            }
        },
    ],
    ids=["decision-block", "permission-decision-deny"],
)
def test_a_hooks_json_block_or_deny_stops_the_call_even_in_bypass_mode(
    api: ScriptedAPI, harken, workspace: Path, output: dict[str, object]
) -> None:
    # Exit 0 with JSON on stdout: the other way a hook refuses (not only exit 2).
    user_hooks({"PreToolUse": [hook(f"cat > /dev/null; echo '{json.dumps(output)}'", "Write")]})
    script_a_write(api)

    result = harken("ask", "--mode", "bypass", "write out.txt")

    assert result.returncode == 0, result.stderr
    assert not (workspace / "out.txt").exists()
    [block] = tool_results(api, 1)
    assert block["is_error"] is True
    assert "Writes are frozen during the release." in result_text(block)


def test_a_post_tool_use_hooks_objection_and_context_reach_the_model_after_the_call(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    objects = "cat > /dev/null; echo 'Lint: out.txt lacks a licence header.' >&2; exit 2"
    context = {"hookSpecificOutput": {"hookEventName": "PostToolUse",
                                      "additionalContext": "The CI runs on push."}}  # fmt: skip
    adds = f"cat > /dev/null; echo '{json.dumps(context)}'"
    user_hooks({"PostToolUse": [hook(objects, "Write"), hook(adds, "Write")]})
    script_a_write(api)

    result = harken("ask", "--mode", "bypass", "write out.txt")

    assert result.returncode == 0, result.stderr
    assert (workspace / "out.txt").read_text() == "hello\n"  # it ran: PostToolUse comes after
    [block] = tool_results(api, 1)
    said = result_text(block)
    assert "PostToolUse hook: Lint: out.txt lacks a licence header." in said
    assert "PostToolUse hook context: The CI runs on push." in said


def test_a_hook_that_only_logs_lets_the_call_run_and_changes_nothing(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    log = workspace.parent / "hooks.log"
    logger = f"cat >> '{log}'; echo >> '{log}'"
    user_hooks({"PreToolUse": [hook(logger, "Write")], "PostToolUse": [hook(logger, "Write")]})
    script_a_write(api)

    result = harken("ask", "--mode", "bypass", "write out.txt")

    assert result.returncode == 0, result.stderr
    assert (workspace / "out.txt").read_text() == "hello\n"
    pre, post = [json.loads(line) for line in log.read_text().splitlines() if line]
    assert pre["hook_event_name"] == "PreToolUse" and pre["tool_input"] == WRITE
    assert post["hook_event_name"] == "PostToolUse" and post["tool_name"] == "Write"
    assert post["tool_response"]["is_error"] is False
    [block] = tool_results(api, 1)
    assert not block.get("is_error")
    assert "hook" not in result_text(block).lower()


def test_a_hook_that_hangs_is_killed_with_its_children_and_the_turn_goes_on(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    pids = workspace.parent
    hanger = f"echo $$ > '{pids}/hook.pid'; sleep 600 & echo $! > '{pids}/child.pid'; wait"
    # 3 s: time enough for a loaded machine to start the hook and write both pids first.
    user_hooks({"PreToolUse": [hook(hanger, "Write", timeout=3)]})
    script_a_write(api)

    result = harken("ask", "--mode", "bypass", "write out.txt")

    assert result.returncode == 0, result.stderr
    assert (workspace / "out.txt").read_text() == "hello\n"
    lines = [line for line in result.stderr.splitlines() if "timed out" in line]
    assert len(lines) == 1
    assert "PreToolUse hook" in lines[0] and "after 3 s and was killed" in lines[0]
    # Killed, but a killed process takes a moment to end: wait for that (a hang would not).
    hook_pids = [int((pids / name).read_text()) for name in ("hook.pid", "child.pid")]
    assert asyncio.run(wait_gone(hook_pids)), [p for p in hook_pids if process_alive(p)]


def test_a_hooks_allow_skips_the_question_it_would_have_asked(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    user_hooks({"PreToolUse": [hook(f"echo '{ALLOW}'", "Write")]})
    script_a_write(api)

    result = harken("ask", "--mode", "standard", "write out.txt")  # nobody to answer

    assert result.returncode == 0, result.stderr
    assert (workspace / "out.txt").read_text() == "hello\n"


@pytest.mark.parametrize(
    ("flags", "tool_input", "said"),
    [
        (["--deny", "Write(out.txt)"], WRITE, "Permission denied: denied by the rule"),
        (["--mode", "plan"], WRITE, "Permission denied: plan mode"),
        ([], {"file_path": ".vscode/tasks.json", "content": "{}"}, "nobody was there to ask"),
    ],
    ids=["deny-rule", "plan-mode", "protected-path"],
)
def test_a_hooks_allow_never_overrides_a_deny_rule_plan_mode_or_a_protected_path(
    api: ScriptedAPI,
    harken,
    workspace: Path,
    flags: list[str],
    tool_input: dict[str, str],
    said: str,
) -> None:
    seen = workspace.parent / "seen.json"
    user_hooks({"PreToolUse": [hook(f"cat > '{seen}'; echo '{ALLOW}'", "Write")]})
    script_a_write(api, tool_input)

    result = harken("ask", *flags, "write it")

    assert result.returncode == 0, result.stderr
    assert json.loads(seen.read_text())["tool_input"] == tool_input  # it was asked, said allow
    assert not (workspace / tool_input["file_path"]).exists()
    [block] = tool_results(api, 1)
    assert block["is_error"] is True and said in result_text(block)
