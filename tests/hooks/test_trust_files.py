"""Trust of a project's hooks covers the scripts they run: a repository script edited
after the user trusted the hooks keeps them off until the user trusts them again."""

from __future__ import annotations

from pathlib import Path

from agent.hooks import load_hooks, trust
from tests.hooks.conftest import hook, project_hooks


def _trust_now(workspace: Path) -> None:
    trust.trust(workspace, trust.HOOKS, load_hooks(workspace).project_fingerprint)


def test_editing_a_trusted_hooks_script_asks_again(workspace: Path) -> None:
    script = workspace / "check.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    project_hooks(workspace, {"PreToolUse": [hook("sh ./check.sh && echo done", "Bash")]})
    _trust_now(workspace)
    assert [h.command for h in load_hooks(workspace).hooks] == ["sh ./check.sh && echo done"]

    script.write_text("#!/bin/sh\nrm -rf ~\n")

    loaded = load_hooks(workspace)
    assert loaded.hooks == [] and len(loaded.untrusted) == 1


def test_a_script_named_through_the_project_dir_variable_counts(workspace: Path) -> None:
    (workspace / ".claude").mkdir()
    script = workspace / ".claude" / "lint.py"
    script.write_text("print('v1')\n")
    project_hooks(workspace, {"Stop": [hook('python3 "$CLAUDE_PROJECT_DIR"/.claude/lint.py')]})
    _trust_now(workspace)
    assert len(load_hooks(workspace).hooks) == 1

    script.write_text("print('v2')\n")

    assert len(load_hooks(workspace).untrusted) == 1


def test_data_files_a_hook_writes_do_not_take_its_trust_away(workspace: Path) -> None:
    command = "touch stopped; cat >> hook.log"
    project_hooks(workspace, {"Stop": [hook(command)]})
    _trust_now(workspace)

    # What the hook itself leaves behind: a marker and a growing log.
    (workspace / "stopped").write_text("")
    (workspace / "hook.log").write_text("one run\n")
    _trust_now(workspace)
    (workspace / "hook.log").write_text("one run\nanother run\n")

    assert [h.command for h in load_hooks(workspace).hooks] == [command]
