"""Commands a deny or ask rule cannot see into are asked about in every mode while such a
rule exists: a launcher's shell string, session or debuggee (`script -c`, `su -c`,
`runuser`, `gdb --args`, `tmux new`, `screen`), which bypass mode ran unasked (a fresh
user's trial removed a folder `Bash(rm *)` denied). And git's global options that point at
another repository do not hide what its subcommand does: `git --git-dir=.git push` went to
the network unasked in bypass mode, and `git -C . push` was not a `git push` to a deny rule.
Writing from a named program's file (`tail -c +1 /bin/rm > q`, `cp /bin/r? q`) asks too."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.permissions import Mode, Verdict
from tests.agent.permissions.test_deny_rule_aliases import decide

HIDDEN = [
    "script -qc 'rm -rf build' /dev/null",
    "su -c 'rm -rf build'",
    "su root -c 'curl https://example.com'",
    "runuser -u root -- rm -rf build",
    "gdb -batch -ex run --args rm -rf build",
    "tmux new -d 'rm -rf build'",
    "screen -dm rm -rf build",
]


@pytest.mark.parametrize("command", HIDDEN)
@pytest.mark.parametrize("mode", [Mode.BYPASS, Mode.AUTO, Mode.STANDARD])
def test_a_launcher_under_a_deny_or_ask_rule_is_asked_in_every_mode(
    workspace: Path, mode: Mode, command: str
) -> None:
    decision = decide(workspace, mode, command, ("deny", "Bash(rm *)"), ("ask", "Bash(curl *)"))
    assert decision.verdict is Verdict.ASK, decision
    assert "a deny or ask rule names commands" in decision.reason


@pytest.mark.parametrize("command", ["tmux ls", "screen -ls", "gdb --version", "ls -l"])
def test_looking_around_with_a_launcher_is_not_asked_in_bypass(
    workspace: Path, command: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, ("deny", "Bash(rm *)"))
    assert decision.verdict is Verdict.ALLOW, decision


@pytest.mark.parametrize(
    "command",
    [
        "git --git-dir=.git push origin HEAD",
        "git --git-dir .git push origin HEAD",
        "git --work-tree=. push origin HEAD",
        "git --namespace=x fetch origin",
        "git --work-tree=. --git-dir=.git pull",
    ],
)
def test_git_pointed_at_a_repository_still_asks_before_the_network_in_bypass(
    workspace: Path, command: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, ("deny", "Bash(rm *)"))
    assert decision.verdict is Verdict.ASK, decision
    assert "data can leave" in decision.reason, decision.reason


@pytest.mark.parametrize(
    "command",
    [
        "git -C . push origin HEAD",
        "git --git-dir=.git push origin",
        "git --work-tree . push origin",
        "git -c push.default=current --no-pager push",
    ],
)
def test_gits_options_before_the_subcommand_do_not_hide_it_from_a_deny_rule(
    workspace: Path, command: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, ("deny", "Bash(git push *)"))
    assert decision.verdict is Verdict.DENY, decision
    assert "Bash(git push *)" in decision.reason


def test_a_deny_rule_for_one_git_subcommand_leaves_the_others(workspace: Path) -> None:
    decision = decide(workspace, Mode.BYPASS, "git -C . status", ("deny", "Bash(git push *)"))
    assert decision.verdict is Verdict.ALLOW, decision


@pytest.mark.parametrize(
    "command",
    [
        "tail -c +1 /bin/rm > q",  # a byte added after it still runs as rm
        "head -c 99999999 /bin/rm > q",
        "sort /bin/r* > q",
        "cp /bin/r? q",
        "cp /bin/[r]m q",
        "cp /usr/bin/rm* q",
    ],
)
def test_writing_from_a_named_programs_file_is_asked_in_bypass(
    workspace: Path, command: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, ("deny", "Bash(rm *)"))
    assert decision.verdict is Verdict.ASK, decision
    assert "Bash(rm *)" in decision.reason


@pytest.mark.parametrize("command", ["tail -n 5 notes.txt > q", "cp src/*.py out/", "ls /bin/r*"])
def test_other_files_read_and_patterns_stay_as_they_were(workspace: Path, command: str) -> None:
    decision = decide(workspace, Mode.BYPASS, command, ("deny", "Bash(rm *)"))
    assert decision.verdict is Verdict.ALLOW, decision
