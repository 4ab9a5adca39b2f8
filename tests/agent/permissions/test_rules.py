from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.permissions.rules import (
    command_matches,
    domain_matches,
    mcp_matches,
    parse_rule,
    path_matches,
    spells,
)


@pytest.mark.parametrize(
    ("pattern", "command", "expected"),
    [
        ("npm run test:*", "npm run test", True),
        ("npm run test:*", "npm run test --watch", True),
        ("npm run test:*", "npm run test:unit", False),
        ("npm run test:*", "npm run testing", False),
        ("npm run test *", "npm run test -- -x", True),
        ("git log *", "git log --oneline", True),
        ("git log *", "git logx", False),
        ("git status", "git status", True),
        ("git status", "git status --short", False),
        ("pytest -q", "pytest  -q", False),
        ("ls *.py", "ls a.py", True),
    ],
)
def test_command_patterns(pattern: str, command: str, expected: bool) -> None:
    assert command_matches(pattern, command) is expected


def test_a_rule_written_with_shell_quotes_matches_the_command_as_typed() -> None:
    """ "Always allow" saves the command quoted as a shell would read it."""
    quoted = "find . -name '*.pyc' -delete"
    assert command_matches(quoted, "find . -name *.pyc -delete")
    assert not command_matches(quoted, "find . -name a.pyc -delete")  # a quoted * is literal
    assert command_matches("find . -exec rm {} \\;", "find . -exec rm {} ;")
    assert command_matches('git commit -m "fix it"', "git commit -m fix it")
    assert command_matches("echo don't", "echo don't")  # unbalanced: taken as written


_FIND = ("find", ".", "-exec", "grep", "x", "{}", ";", "-exec", "rm", "{}", ";")


@pytest.mark.parametrize(
    ("pattern", "words", "indices", "expected"),
    [
        ("find *", ("find", ".", "-delete"), (2,), False),
        ("find * -delete", ("find", ".", "-delete"), (2,), True),
        ("find . -delete", ("find", ".", "-delete"), (2,), True),
        ("find -delete *", ("find", ".", "-delete"), (2,), False),
        ("find * -exec grep *", _FIND, (2, 3), True),
        ("find * -exec grep *", _FIND, (7, 8), False),
        ("find * -exec rm *", _FIND, (7, 8), True),
        ("find * -exec *", _FIND, (7, 8), False),
        ("rg --pre *", ("rg", "--pre", "sh", "x"), (1, 2), False),
        ("rg --pre sh *", ("rg", "--pre", "sh", "x"), (1, 2), True),
        ("rg --pre s? *", ("rg", "--pre", "sh", "x"), (1, 2), False),
        ("rg *", ("rg", "--pre", "sh", "x"), (-1,), False),
        ("git *", ("git", "clean", "-fdx"), (1,), False),
        ("git clean:*", ("git", "clean", "-fdx"), (1,), True),
    ],
)
def test_a_rule_spells_out_only_the_words_its_literal_text_matches(
    pattern: str, words: tuple[str, ...], indices: tuple[int, ...], expected: bool
) -> None:
    assert spells(pattern, words, indices) is expected


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("src/**", "/ws/src/a/b.py", True),
        ("src/**", "/ws/src", True),
        ("src/**", "/ws/srcx/a.py", False),
        ("src/*.py", "/ws/src/a.py", True),
        ("src/*.py", "/ws/src/sub/a.py", False),
        ("~/.ssh/**", "/home/u/.ssh/id_rsa", True),
        ("~/.ssh/**", "/home/u/.sshx", False),
        ("/etc/**", "/etc/passwd", True),
        (".env", "/ws/.env", True),
        ("./.env", "/ws/.env", True),
        ("**/*.key", "/ws/deep/x.key", True),
    ],
)
def test_path_patterns(pattern: str, path: str, expected: bool) -> None:
    assert path_matches(pattern, Path(path), Path("/ws"), Path("/home/u")) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("python.org", True),
        ("docs.python.org", True),
        ("DOCS.Python.org.", True),
        ("evilpython.org", False),
        ("python.org.evil.com", False),
        ("python.org.", True),
    ],
)
def test_domain_rules_match_the_domain_and_its_subdomains_only(host: str, expected: bool) -> None:
    assert domain_matches("domain:python.org", host) is expected


def test_mcp_rules() -> None:
    assert mcp_matches("mcp__gh", "mcp__gh__create_issue")
    assert mcp_matches("mcp__gh__*", "mcp__gh__create_issue")
    assert mcp_matches("mcp__gh__create_issue", "mcp__gh__create_issue")
    assert not mcp_matches("mcp__gh__create_issue", "mcp__gh__delete_repo")
    assert not mcp_matches("mcp__gh", "mcp__ghx__tool")


@pytest.mark.parametrize("text", ["Bash(", "Bash()", "Ba sh", "WebFetch(python.org)", ""])
def test_malformed_rules_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_rule(text)
