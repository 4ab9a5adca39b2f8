"""`harken permissions check --allow`: a rule for a program approves what the program does
by itself, not a program it starts nor an option that destroys (issue 10, section 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_permissions_cli import check as permissions_check

pytestmark = pytest.mark.e2e


def check(workspace: Path, mode: str, command: str, *rules: str) -> dict:
    """``harken permissions check`` on a Bash ``command`` in ``mode`` with ``rules``."""
    bash = ["--tool", "Bash", "--input", json.dumps({"command": command})]
    return permissions_check(workspace, "--mode", mode, *bash, *rules)


def wildcard(command: str) -> list[str]:
    """The ``--allow`` of a rule for every use of the program ``command`` starts with."""
    return ["--allow", f"Bash({command.split()[0]} *)"]


@pytest.mark.parametrize("mode", ["standard", "auto"])
@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("find . -exec rm {} \\;", "find -exec runs rm"),
        ("find . -delete", "find -delete removes files"),
        ("rg --pre 'sh -c id' foo .", "rg --pre runs sh -c id"),
    ],
)
def test_a_wildcard_rule_does_not_approve_what_its_program_starts_or_destroys(
    workspace: Path, mode: str, command: str, reason: str
) -> None:
    out = check(workspace, mode, command, *wildcard(command))

    assert out == {"decision": "ask", "reason": reason, "rule": None}


def test_rules_that_name_the_started_program_or_the_option_approve_it(workspace: Path) -> None:
    both = ["--allow", "Bash(find *)", "--allow", "Bash(rm *)"]
    out = check(workspace, "standard", "find . -name '*.pyc' -exec rm {} +", *both)
    assert out["decision"] == "allow" and out["rule"] == "Bash(find *) (command line)"

    spelled = ["--allow", "Bash(find * -delete)"]
    allowed = check(workspace, "standard", "find . -name '*.pyc' -delete", *spelled)
    asked = check(workspace, "standard", "find . -exec rm {} + -delete", *spelled)
    assert (allowed["decision"], asked["decision"]) == ("allow", "ask")


def test_a_deny_rule_catches_a_program_that_find_starts(workspace: Path) -> None:
    out = check(workspace, "bypass", "find . -exec rm {} \\;", "--deny", "Bash(rm *)")

    assert out == {
        "decision": "deny",
        "reason": "denied by the rule Bash(rm *) (command line)",
        "rule": "Bash(rm *) (command line)",
    }


UNKNOWN = "{} is an option Harken does not know ({} can run programs)"


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        # command languages that escape to a shell
        ("sqlite3 app.db '.shell id'", "sqlite3 '.shell id' can run programs"),
        ("sqlite3 -cmd '.system id' app.db", "sqlite3 '.system id' can run programs"),
        ("sqlite3 app.db '.load ./evil'", "sqlite3 '.load ./evil' can run programs"),
        ("sqlite3 -init boot.sql app.db", "sqlite3 -init runs the commands of a file"),
        ("psql -c '\\! id'", "psql -c runs a shell escape"),
        ("psql -o '|sh' -c 'select 1'", "psql -o pipes into a program"),
        ("mysql -e 'system id'", "mysql -e runs a shell escape"),
        ("mysql --pager=sh -e 'select 1'", "mysql --pager names a program or code to load"),
        ("dc -e '!id'", "dc -e runs a shell command"),
        ("ex -c '!id' notes.txt", "ex -c runs commands or scripts"),
        # options that name a program
        ("tcpdump -w cap -z sh", "tcpdump -z runs a program"),
        ("ack --pager='sh -c id' foo", "ack --pager runs a program"),
        ("npm explore left-pad -- sh", "npm explore runs sh"),
        ("npm explore left-pad", "npm explore runs a shell"),
        # options that write where the program otherwise would not
        ("tar -xf a.tar --index-file=/etc/cron.d/x", "writes outside the workspace: /etc/cron.d/x"),
        ("tar -xf a.tar --volno-file=/etc/x", "writes outside the workspace: /etc/x"),
        # programs whose work is running the command after them
        ("nsenter rm -rf src", "removes files"),
        ("catchsegv rm -rf src", "removes files"),
        ("proot rm -rf src", "removes files"),
        # options Harken does not know, on programs that can run others: fail closed
        ("sqlite3 -newopt app.db", UNKNOWN.format("sqlite3 -newopt", "sqlite3")),
        ("psql --newopt", UNKNOWN.format("psql --newopt", "psql")),
    ],
)
def test_a_rule_does_not_approve_a_program_started_by_its_command_language(
    workspace: Path, command: str, reason: str
) -> None:
    out = check(workspace, "standard", command, *wildcard(command))

    assert out == {"decision": "ask", "reason": reason, "rule": None}


@pytest.mark.parametrize(
    "command",
    [
        "sqlite3 app.db 'select count(*) from t'",
        "sqlite3 -safe app.db '.shell id'",  # -safe: sqlite refuses it
        "psql -c 'select 1'",
        "mysql -u app -e 'select 1'",
        "tcpdump -i lo -c 1",
    ],
)
def test_the_same_rules_still_approve_the_programs_own_work(workspace: Path, command: str) -> None:
    out = check(workspace, "standard", command, *wildcard(command))

    assert out["decision"] == "allow", out


@pytest.mark.parametrize(
    "command", ["/bin/rm -f x", "/usr/bin/../bin/rm x", "find . -exec /usr/bin/rm {} +"]
)
def test_a_deny_rule_stops_its_program_named_by_a_path_in_bypass(
    workspace: Path, command: str
) -> None:
    out = check(workspace, "bypass", command, "--deny", "Bash(rm *)")

    assert out["decision"] == "deny"
    assert out["rule"] == "Bash(rm *) (command line)"


def test_bypass_asks_before_a_command_a_deny_rule_cannot_read(workspace: Path) -> None:
    out = check(workspace, "bypass", "echo rm x | sh", "--deny", "Bash(rm *)")

    assert out["decision"] == "ask"
    assert "`sh` runs commands it reads from its input" in out["reason"]
