"""PermissionRequest, Stop, Notification and SessionEnd hooks through ``harken ask``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hooks.conftest import hook, result_text, tool_results, user_content, user_hooks
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e


def answer(behavior: str) -> str:
    decision = {"behavior": behavior, "message": "No writes on Fridays."}
    output = {"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": decision}}
    return f"echo '{json.dumps(output)}'"


@pytest.mark.parametrize("behavior", ["allow", "deny"])
def test_a_permission_request_hook_answers_the_question_in_the_users_place(
    api: ScriptedAPI, harken, workspace: Path, behavior: str
) -> None:
    user_hooks({"PermissionRequest": [hook(answer(behavior), "Write")]})
    api.script(
        Reply([tool_use("Write", {"file_path": "out.txt", "content": "x"})]),
        Reply([text("Ok.")]),
    )

    result = harken("ask", "--mode", "standard", "write out.txt")  # nobody else answers

    assert result.returncode == 0, result.stderr
    [block] = tool_results(api, 1)
    if behavior == "allow":
        assert (workspace / "out.txt").read_text() == "x"
    else:
        assert not (workspace / "out.txt").exists()
        assert block["is_error"] is True and "No writes on Fridays." in result_text(block)


def test_a_stop_hook_that_exits_2_keeps_the_model_going_and_session_end_runs_last(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    once = "[ -e stopped ] && exit 0; touch stopped; echo 'Also update CHANGELOG.md.' >&2; exit 2"
    user_hooks(
        {
            "Stop": [hook(once)],
            "Notification": [hook("cat > notified.json")],
            "SessionEnd": [hook("cat > ended.json")],
        }
    )
    api.script(Reply([text("Done.")]), Reply([text("Changelog updated too.")]))

    result = harken("ask", "fix the bug")

    assert result.returncode == 0, result.stderr
    assert "Changelog updated too." in result.stdout
    assert len(api.requests) == 2
    sent = "\n".join(b.get("text", "") for b in user_content(api.requests[1]))
    assert "Also update CHANGELOG.md." in sent
    ended = json.loads((workspace / "ended.json").read_text())
    assert ended["hook_event_name"] == "SessionEnd"
    assert not (workspace / "notified.json").exists()  # no question was asked


def test_a_notification_hook_hears_when_harken_needs_permission(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    user_hooks({"Notification": [hook("cat > notified.json", "permission_prompt")]})
    api.script(
        Reply([tool_use("Write", {"file_path": "out.txt", "content": "x"})]),
        Reply([text("Ok.")]),
    )

    result = harken("ask", "--mode", "standard", "write out.txt")

    assert result.returncode == 0, result.stderr
    notified = json.loads((workspace / "notified.json").read_text())
    assert notified["notification_type"] == "permission_prompt"
    assert "Write" in notified["message"]
