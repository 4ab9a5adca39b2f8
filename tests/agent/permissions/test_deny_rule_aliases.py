"""A Bash deny or ask rule that names a program is not evaded by renaming the program: a
symbolic link, hard link or copy of it (made earlier, or made within the same command
line), the dynamic loader running it, ``$PWD/`` or ``~/`` in front of such a name. Making
such a link or copy is itself asked about, naming the rule. Workspace programs that are
not copies of a named program stay as they were."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

import pytest

from agent.permissions import Mode, PermissionEngine, ToolCall, Verdict
from agent.permissions.rules import Source, parse_rule
from agent.permissions.settings import RuleSet
from agent.tools.base import ToolKind

RM = os.path.realpath(shutil.which("rm") or "/bin/rm")
GIT = shutil.which("git")
LOADERS = sorted(glob.glob("/lib64/ld-linux*.so*") + glob.glob("/lib/ld-linux*.so*"))
RULE = "Bash(rm *) (command line)"
RUN_MODES = [Mode.BYPASS, Mode.AUTO, Mode.STANDARD]


def decide(
    workspace: Path,
    mode: Mode,
    command: str,
    *rules: tuple[str, str],
    home: Path | None = None,
):
    """The engine's decision on a Bash ``command`` under ``rules`` ((kind, text) pairs)."""
    rule_set = RuleSet()
    for kind, text in rules or (("deny", "Bash(rm *)"),):
        rule_set.add(kind, parse_rule(text, Source.CLI))
    engine = PermissionEngine(
        mode=mode,
        workspace=workspace,
        rules=rule_set,
        sandbox=True,
        home=home or workspace.parent,
    )
    call = ToolCall("t1", "Bash", {"command": command}, ToolKind.EXECUTE, "Bash", workspace)
    return engine.decide(call)


def _hard_link(source: str, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError as e:  # another file system, or links to others' files forbidden
        pytest.skip(f"cannot hard-link {source} here: {e}")


def _script(path: Path, line: str = "#!/bin/sh") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{line}\necho hi\n")
    path.chmod(0o755)


@pytest.fixture(params=["symlink", "hardlink", "copy"])
def renamed(request: pytest.FixtureRequest, workspace: Path) -> Path:
    """``d`` and ``tools/d`` in the workspace: another name for rm, made by an earlier
    command."""
    (workspace / "tools").mkdir()
    for target in (workspace / "d", workspace / "tools" / "d"):
        if request.param == "symlink":
            target.symlink_to(RM)
        elif request.param == "hardlink":
            _hard_link(RM, target)
        else:
            shutil.copy2(RM, target)
    return workspace / "d"


# -- a link or copy made within the same command line, then run -------------------------

MADE_AND_RUN = [
    ("ln -s /bin/rm d; ./d x", "./d becomes a link to rm"),
    ("ln -s /bin/rm d && ./d x", "./d becomes a link to rm"),
    ("ln -sf /usr/bin/rm d && ./d -f x", "./d becomes a link to rm"),
    ("cp /bin/rm d && ./d x", "./d becomes a copy of rm"),
    ("install /bin/rm d && ./d x", "./d becomes a copy of rm"),
    ("ln /bin/rm d && ./d x", "./d becomes a hard link to rm"),
    ("cp -l /bin/rm d && ./d x", "./d becomes a hard link to rm"),
    ("cp -s /bin/rm d && ./d x", "./d becomes a link to rm"),
    ("link /bin/rm d && ./d x", "./d becomes a hard link to rm"),
    ("rsync /usr/bin/rm d && ./d x", "./d becomes a copy of rm"),
    ("cat /bin/rm > d; chmod +x d; ./d x", "./d becomes a copy of rm"),
    ("dd if=/bin/rm of=d && chmod 755 d && ./d x", "./d becomes a copy of rm"),
    ("tee d < /bin/rm; chmod +x d; ./d x", "./d becomes a copy of rm"),
    ("ln -s /bin/rm a && cp a b && ./b x", "./b becomes a copy of rm"),
    ("mkdir -p t && cd t && ln -s /bin/rm d && ./d x", "./d becomes a link to rm"),
    ("ln -s /bin/rm d && find . -name y -exec ./d {} +", "./d becomes a link to rm"),
    ("ln -s /bin/rm d && sudo ./d x", "./d becomes a link to rm"),
    ("ln -s /bin/rm d && bash -c './d x'", "./d becomes a link to rm"),
    # A loop runs what a later command of its body made.
    ("for i in 1 2; do ./d x; ln -sf /bin/rm d; done", "./d becomes a link to rm"),
]


@pytest.mark.parametrize("mode", RUN_MODES)
@pytest.mark.parametrize(("command", "says"), MADE_AND_RUN)
def test_a_deny_rule_stops_its_program_renamed_in_the_same_command(
    workspace: Path, mode: Mode, command: str, says: str
) -> None:
    decision = decide(workspace, mode, command)

    assert decision.verdict is Verdict.DENY
    assert decision.reason == f"{says}, which the deny rule {RULE} names"
    assert decision.rule == RULE


@pytest.mark.parametrize(("command", "says"), MADE_AND_RUN)
def test_an_ask_rule_asks_for_its_program_renamed_in_the_same_command(
    workspace: Path, command: str, says: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, ("ask", "Bash(rm *)"))

    assert decision.verdict is Verdict.ASK
    assert decision.reason == f"{says}, which the ask rule {RULE} names"


# -- making a link or copy of a named program is asked about ----------------------------

MAKES = [
    ("ln -s /bin/rm d", "a link to"),
    ("ln /bin/rm d", "a hard link to"),
    ("cp /usr/bin/rm d", "a copy of"),
    ("cp -l /bin/rm d", "a hard link to"),
    ("cp -s /bin/rm d", "a link to"),
    ("cp --symbolic-link /bin/rm d", "a link to"),
    ("install /bin/rm d", "a copy of"),
    ("install -m 755 /bin/rm tools/d", "a copy of"),
    ("rsync /usr/bin/rm d", "a copy of"),
    ("link /bin/rm d", "a hard link to"),
    ("dd if=/bin/rm of=d", "a copy of"),
    ("cat /usr/bin/../bin/rm > d", "a copy of"),
    ("tee d < /bin/rm", "a copy of"),
]


@pytest.mark.parametrize("kind", ["deny", "ask"])
@pytest.mark.parametrize(("command", "makes"), MAKES)
def test_making_another_name_for_a_named_program_asks_naming_the_rule(
    workspace: Path, kind: str, command: str, makes: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, (kind, "Bash(rm *)"))

    assert decision.verdict is Verdict.ASK
    assert decision.reason == f"`{command}` makes {makes} rm, which the {kind} rule {RULE} names"
    assert decision.rule == RULE


def test_renaming_an_existing_alias_asks_and_the_new_name_is_still_stopped(
    workspace: Path,
) -> None:
    (workspace / "d").symlink_to(RM)

    moved = decide(workspace, Mode.BYPASS, "mv d e")
    moved_and_run = decide(workspace, Mode.BYPASS, "mv d e && ./e x")

    assert moved.verdict is Verdict.ASK
    assert moved.reason == f"`mv d e` makes another name for rm, which the deny rule {RULE} names"
    assert moved_and_run.verdict is Verdict.DENY
    assert moved_and_run.reason.startswith("./e becomes another name for rm")


# -- another name made by an earlier command ----------------------------------------------

RUN_EXISTING = [
    "./d x",
    "tools/d x",
    "cd tools && ./d x",
    "$PWD/d x",
    '"$PWD/d" x',
    "${PWD}/tools/d x",
    "sudo ./d x",
    "env ./d -f x",
    "nice ./d x",
    "find . -name y -exec ./d {} +",
    "echo y | xargs ./d",
    "bash -c './d x'",
]


@pytest.mark.parametrize("mode", RUN_MODES)
@pytest.mark.parametrize("command", RUN_EXISTING)
def test_a_deny_rule_stops_an_existing_link_or_copy_of_its_program(
    workspace: Path, renamed: Path, mode: Mode, command: str
) -> None:
    decision = decide(workspace, mode, command)

    assert decision.verdict is Verdict.DENY
    assert decision.rule == RULE
    assert "which the deny rule Bash(rm *) (command line) names" in decision.reason


def test_the_reason_says_which_name_is_what(workspace: Path, renamed: Path) -> None:
    how = {True: "a link to", False: None}[renamed.is_symlink()]
    if how is None:
        same_inode = os.stat(renamed).st_ino == os.stat(RM).st_ino
        how = "a hard link to" if same_inode else "a copy of"

    decision = decide(workspace, Mode.BYPASS, "./d x")

    assert decision.reason == f"./d is {how} rm, which the deny rule {RULE} names"


@pytest.mark.parametrize("command", RUN_EXISTING)
def test_an_ask_rule_asks_for_an_existing_link_or_copy_of_its_program(
    workspace: Path, renamed: Path, command: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, ("ask", "Bash(rm *)"))

    assert decision.verdict is Verdict.ASK
    assert decision.rule == RULE


def test_an_allow_rule_for_every_command_does_not_outweigh_the_deny_rule(
    workspace: Path, renamed: Path
) -> None:
    rules = (("deny", "Bash(rm *)"), ("allow", "Bash"))

    decision = decide(workspace, Mode.STANDARD, "./d x", *rules)

    assert decision.verdict is Verdict.DENY


def test_a_link_in_the_home_folder_is_stopped(workspace: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "d").symlink_to(RM)

    for command in ("~/d x", "$HOME/d x"):
        decision = decide(workspace, Mode.BYPASS, command, home=home)
        assert decision.verdict is Verdict.DENY, command


@pytest.mark.skipif(not LOADERS, reason="no glibc dynamic loader at /lib64 or /lib")
@pytest.mark.parametrize("program", ["/bin/rm", "./d"])
def test_the_dynamic_loader_running_the_program_is_stopped(workspace: Path, program: str) -> None:
    (workspace / "d").symlink_to(RM)

    decision = decide(workspace, Mode.BYPASS, f"{LOADERS[0]} {program} x")

    says = f"{LOADERS[0]} runs rm" if program == "/bin/rm" else "./d is a link to rm, run by"
    assert decision.verdict is Verdict.DENY
    assert decision.reason.startswith(says)


def test_a_rule_with_arguments_judges_the_renamed_program_by_them(workspace: Path) -> None:
    (workspace / "d").symlink_to(RM)
    rule = ("deny", "Bash(rm -rf *)")

    assert decide(workspace, Mode.BYPASS, "./d -rf build", rule).verdict is Verdict.DENY
    assert decide(workspace, Mode.BYPASS, "./d build", rule).verdict is Verdict.ALLOW


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_link_to_git_is_judged_by_the_git_push_rule(workspace: Path) -> None:
    (workspace / "g").symlink_to(str(GIT))
    rule = ("deny", "Bash(git push *)")

    pushed = decide(workspace, Mode.BYPASS, "./g push origin main", rule)
    status = decide(workspace, Mode.BYPASS, "./g status", rule)

    assert pushed.verdict is Verdict.DENY
    assert pushed.reason == (
        "./g is a link to git, which the deny rule Bash(git push *) (command line) names"
    )
    assert status.verdict is Verdict.ALLOW


@pytest.mark.parametrize(
    ("command", "maker"),
    [
        ("gzip -dc tool.gz > d; chmod +x d; ./d x", "gzip -dc tool.gz > d"),
        ("base64 -d tool.b64 > a && cp a d && ./d x", "cp a d"),
        ("gzip -dc tool.gz > a; mv a d; ./d x", "mv a d"),
        ("cat /bin/rm | tee d; chmod +x d; ./d x", "tee d"),
        ("{ cat /bin/rm; } > d; chmod +x d; ./d x", "{ cat /bin/rm; } > d"),
        ("cp -r lib dst && ./dst/new x", "cp -r lib dst"),
    ],
)
def test_a_program_made_unseen_by_another_command_of_the_line_asks(
    workspace: Path, command: str, maker: str
) -> None:
    (workspace / "lib").mkdir()
    decision = decide(workspace, Mode.BYPASS, command)

    program = command.rsplit("&& ", 1)[-1].rsplit("; ", 1)[-1].split()[0]
    assert decision.verdict is Verdict.ASK
    assert decision.reason.startswith(f"{program} is made by `{maker}` in the same command")


@pytest.mark.parametrize("command", ["python3 make_it.py; ./d x", "./d x", "tools/d x"])
def test_a_program_that_does_not_exist_when_judged_asks(workspace: Path, command: str) -> None:
    decision = decide(workspace, Mode.BYPASS, command)

    assert decision.verdict is Verdict.ASK
    assert decision.reason == (
        f"{command.split('; ')[-1].split()[0]} does not exist when the command is judged, "
        "and a deny or ask rule names programs: Harken cannot tell which program it will be"
    )


def test_a_copied_folder_holding_a_link_to_the_program_is_stopped(workspace: Path) -> None:
    (workspace / "lib").mkdir()
    (workspace / "lib" / "run").symlink_to(RM)
    _script(workspace / "lib" / "ok")
    (workspace / "old").mkdir()

    into_new = decide(workspace, Mode.BYPASS, "cp -r lib dst && ./dst/run x")
    into_old = decide(workspace, Mode.BYPASS, "cp -r lib old && old/lib/run x")
    other = decide(workspace, Mode.BYPASS, "cp -r lib dst && ./dst/ok x")

    assert into_new.verdict is Verdict.DENY
    assert into_new.reason == f"./dst/run becomes a link to rm, which the deny rule {RULE} names"
    assert into_old.verdict is Verdict.DENY
    assert other.verdict is Verdict.ALLOW


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("#!/bin/rm", "./d x"),
        ("#!/bin/rm -f", "./d x"),
        ("#!/usr/bin/env rm", "./d x"),
        ("#!/usr/bin/env -S rm -f", "tools/d x"),
    ],
)
def test_a_script_whose_hashbang_runs_the_program_is_stopped(
    workspace: Path, line: str, command: str
) -> None:
    for script in (workspace / "d", workspace / "tools" / "d"):
        _script(script, line)

    decision = decide(workspace, Mode.BYPASS, command)

    assert decision.verdict is Verdict.DENY
    assert decision.reason == (
        f"{command.split()[0]} runs rm by its #! line, which the deny rule {RULE} names"
    )


def test_a_hashbang_is_judged_with_its_argument(workspace: Path) -> None:
    _script(workspace / "forced", "#!/bin/rm -f")
    _script(workspace / "plain", "#!/bin/rm")
    rule = ("deny", "Bash(rm -f *)")

    assert decide(workspace, Mode.BYPASS, "./forced x", rule).verdict is Verdict.DENY
    assert decide(workspace, Mode.BYPASS, "./plain x", rule).verdict is Verdict.ALLOW


def test_a_link_on_path_run_by_its_bare_name_is_stopped(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "zap").symlink_to(RM)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', os.defpath)}")

    decision = decide(workspace, Mode.BYPASS, "zap x")

    assert decision.verdict is Verdict.DENY
    assert decision.reason == f"zap is a link to rm, which the deny rule {RULE} names"


# -- what stays as it was -------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "./gradlew build",
        ".venv/bin/pytest -q",
        "cp gradlew g && ./g",
        "ln -s gradlew g && ./g",
        "mv gradlew g && ./g",
        "mkdir -p tools && cp -t tools gradlew && tools/gradlew",
        "./same-size x",
        "./ls-link -l",
        "ls -l /bin/rm",
        "sha256sum /bin/rm",
    ],
)
def test_workspace_programs_that_are_not_the_named_program_run_in_bypass(
    workspace: Path, command: str
) -> None:
    _script(workspace / "gradlew")
    _script(workspace / ".venv" / "bin" / "pytest")
    # As large as rm, and executable, but other bytes: the hash tells them apart.
    same_size = workspace / "same-size"
    same_size.write_bytes(b"\0" * os.path.getsize(RM))
    same_size.chmod(0o755)
    (workspace / "ls-link").symlink_to(os.path.realpath(shutil.which("ls") or "/bin/ls"))

    decision = decide(workspace, Mode.BYPASS, command)

    assert decision.verdict is Verdict.ALLOW
    assert decision.reason == "bypass mode"


def test_without_a_bash_rule_naming_a_program_links_are_not_looked_at(
    workspace: Path,
) -> None:
    (workspace / "d").symlink_to(RM)

    decision = decide(workspace, Mode.BYPASS, "./d x", ("deny", "Read(~/.ssh/**)"))

    assert decision.verdict is Verdict.ALLOW
