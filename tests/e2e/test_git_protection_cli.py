"""`harken permissions check` on a real repository with a submodule: planting a command in
the submodule's git configuration or hooks is asked about in every mode, bypass too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_permissions_cli import check
from tests.git_repos import PLANTED, build_layout

pytestmark = pytest.mark.e2e

PLANT_CONFIG = {
    "file_path": ".git/modules/sub/config",
    "old_string": "[core]",
    "new_string": PLANTED.format(marker="OUT/PWNED"),
}
PLANT_SHELL = {
    "command": "printf '[core]\\n\\tfsmonitor = \"touch OUT/PWNED; false\"\\n' "
    ">> .git/modules/sub/config"
}
PLANT_HOOK = {"file_path": ".git/modules/sub/hooks/post-checkout", "content": "touch PWNED\n"}


@pytest.mark.parametrize("mode", ["standard", "auto", "bypass"])
@pytest.mark.parametrize(
    ("tool", "tool_input"),
    [("Edit", PLANT_CONFIG), ("Bash", PLANT_SHELL), ("Write", PLANT_HOOK)],
    ids=["edit-config", "shell-config", "write-hook"],
)
def test_planting_in_a_submodule_git_folder_is_asked_about_in_every_mode(
    tmp_path: Path, mode: str, tool: str, tool_input: dict[str, str]
) -> None:
    ws = build_layout(tmp_path).workspace
    rules = ["--allow", "Edit(**)", "--allow", "Write(**)", "--allow", "Bash(printf *)"]
    out = check(ws, "--mode", mode, "--tool", tool, "--input", json.dumps(tool_input), *rules)
    assert out["decision"] == "ask", out
    assert out["reason"].startswith("writes a protected path: ")
    assert out["rule"] is None  # no rule, whatever it allows, lets it through


@pytest.mark.parametrize("mode", ["standard", "auto", "bypass"])
def test_a_redirection_after_cd_in_a_list_is_judged_where_it_opens(
    tmp_path: Path, mode: str
) -> None:
    # tree-sitter-bash hangs `>> config` on the whole `cd ... && echo` list; bash opens it
    # in .git/modules/sub, where the last command runs.
    ws = build_layout(tmp_path).workspace
    command = "cd .git/modules/sub && echo '\tfsmonitor = \"touch PWNED\"' >> config"
    out = check(
        ws,
        "--mode",
        mode,
        "--tool",
        "Bash",
        "--input",
        json.dumps({"command": command}),
        "--allow",
        "Bash(echo *)",
        "--allow",
        "Bash(cd *)",
    )
    assert out["decision"] == "ask", out
    assert out["reason"] == f"writes a protected path: {ws / '.git/modules/sub/config'}"


@pytest.mark.parametrize("mode", ["standard", "auto", "bypass"])
@pytest.mark.parametrize(
    ("tool", "tool_input", "protected"),
    [
        (
            "Bash",
            {"command": "ln -s .git/modules/sub/hooks h && echo x > h/post-checkout"},
            ".git/modules/sub/hooks",
        ),
        ("Bash", {"command": "ln .git/config notes && echo '[core]' >> notes"}, ".git/config"),
        ("Bash", {"command": "cp -r vendor/lib/.git ."}, ".git"),
        ("Bash", {"command": "git init --template=tpl newrepo"}, "newrepo/.git/hooks"),
        ("Write", {"file_path": ".GIT/config", "content": "[core]\n"}, ".GIT/config"),
    ],
    ids=["symlink-then-write", "hard-link-then-write", "copy-into", "init-template", "case"],
)
def test_ways_round_a_protected_path_are_asked_about_in_every_mode(
    tmp_path: Path, mode: str, tool: str, tool_input: dict[str, str], protected: str
) -> None:
    ws = build_layout(tmp_path).workspace
    rules = ["--allow", "Bash", "--allow", "Write(**)"]
    out = check(ws, "--mode", mode, "--tool", tool, "--input", json.dumps(tool_input), *rules)
    assert out == {
        "decision": "ask",
        "reason": f"writes a protected path: {ws / protected}",
        "rule": None,
    }
