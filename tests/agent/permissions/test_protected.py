"""Git's configuration and hooks, in every git directory a workspace touches, are asked
about in every mode (bypass too) and no allow rule lets them through -- decided with the
real engine on real repositories (submodules, a linked worktree, nested, bare and
separate git folders), judged by what the path resolves to, at any depth.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from agent.permissions import Mode, PermissionEngine, ToolCall
from agent.permissions.rules import Source, parse_rule
from agent.permissions.settings import RuleSet
from agent.tools import default_tools
from tests.git_repos import PLANTED, Layout, build_layout, git, make_repo

KINDS = {tool.name: tool.kind for tool in default_tools()}
# Standard mode with rules that would allow every edit and every command.
EVERYTHING = ("Edit(**)", "Write(**)", "Bash")
MODES = [(Mode.STANDARD, EVERYTHING), (Mode.AUTO, ()), (Mode.BYPASS, ())]


def decide(workspace: Path, mode: Mode, tool: str, tool_input: dict[str, Any], allow=()) -> Any:
    rules = RuleSet()
    for text in allow:
        rules.add("allow", parse_rule(text, Source.CLI))
    engine = PermissionEngine(mode=mode, workspace=workspace, rules=rules, sandbox=True)
    return engine.decide(ToolCall("t", tool, tool_input, KINDS[tool], tool, workspace))


def edit(path: str) -> tuple[str, dict[str, Any]]:
    return "Edit", {"file_path": path, "old_string": "[core]", "new_string": PLANTED}


def write(path: str) -> tuple[str, dict[str, Any]]:
    return "Write", {"file_path": path, "content": "#!/bin/sh\ntouch PWNED\n"}


def bash(command: str) -> tuple[str, dict[str, Any]]:
    return "Bash", {"command": command}


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    built = build_layout(tmp_path_factory.mktemp("layout"))
    os.symlink(".git/modules/sub", built.workspace / "sublink")
    return built


def assert_asked(decision: Any) -> None:
    assert decision.verdict == "ask", decision.reason
    assert decision.reason.startswith("writes a protected path: "), decision.reason


# Paths relative to the workspace ({elsewhere}: the folder beside it).
PROTECTED_WRITES = [
    # the example: a submodule's configuration and hooks
    edit(".git/modules/sub/config"),
    write(".git/modules/sub/hooks/post-checkout"),
    write(".git/modules/sub/info/attributes"),
    write(".git/modules/sub/config.worktree"),  # missing today
    write(".git/modules/sub/commondir"),  # missing today: would point at another config
    # a submodule whose name has a slash: its git folder is two levels down
    edit(".git/modules/libs/deep/config"),
    write(".git/modules/libs/deep/hooks/pre-commit"),
    # a submodule that does not exist yet, at any depth
    write(".git/modules/new/deeper/config"),
    # the repository's own, including files it does not have yet
    write(".git/commondir"),
    write(".git/config.worktree"),
    # the linked worktree: its own config and commondir, and its .git file
    write(".git/worktrees/wt/config.worktree"),
    write(".git/worktrees/wt/commondir"),
    write("wt/.git"),
    # a nested repository, a bare one, and git folders that .git files name
    edit("vendor/lib/.git/config"),
    write("vendor/lib/.git/hooks/pre-push"),
    write("fixtures/bare.git/hooks/update"),
    write("store/rel.git/hooks/post-checkout"),
    edit("{elsewhere}/split.git/config"),
    # the .git files themselves: pointing one elsewhere brings in another configuration
    write("sub/.git"),
    write("rel/.git"),
    # judged by the resolved path: `..` and a symlink into .git/modules/sub
    edit("src/../.git/modules/sub/config"),
    edit("sublink/config"),
    # shell writes of the same
    bash("printf '[core]\\n\\tfsmonitor = \"touch PWNED; false\"\\n' >> .git/modules/sub/config"),
    bash("echo 'touch PWNED' | tee -a .git/modules/sub/hooks/post-checkout"),
    bash("cp README .git/modules/libs/deep/hooks/post-checkout"),
    bash("echo 'gitdir: ../vendor/lib/.git' > sub/.git"),
    # replacing a git folder, or all of them, wholesale
    bash("mv vendor .git/modules/sub"),
    bash("rm -rf .git/modules && cp -r vendor/lib/.git .git/modules"),
    bash("rm -rf .git && mv vendor/lib/.git .git"),
    bash("ln -sfn ../vendor/lib/.git sub/.git"),
    # a redirection after `cd` in a list opens the file where the last command runs
    bash("cd .git && echo '[core]' >> config"),
    bash("cd .git/modules/sub && printf 'x' > hooks/post-checkout"),
    bash("cd vendor/lib && echo x | cat > .git/config"),
    # a link to a protected path is a way to write it, within the same command
    bash("ln -s .git/modules/sub/hooks h && echo 'touch PWNED' > h/post-checkout"),
    bash("ln -s ../.git/hooks sub/h; printf x > sub/h/pre-commit"),
    bash("ln .git/modules/sub/config c && echo '[core]' >> c"),
    bash("cp -l .git/config c2"),
    bash("cp -s .git/hooks/ lnk && echo x > lnk/pre-commit"),
    # into a folder, a copy or move lands under its own name
    bash("cp -r vendor/lib/.git ."),
    bash("cp -r tools/.vscode ."),
    bash("cp -R tools/.devcontainer sub/"),
    # a new repository given another folder's hooks and configuration
    bash("git init --template=tools/tpl newrepo"),
    bash("git clone --template=tools/tpl https://example.com/r.git"),
    # another repository's configuration, named with --git-dir
    bash("git --git-dir=.git/modules/sub config core.fsmonitor 'touch PWNED'"),
    bash("git --work-tree sub --git-dir vendor/lib/.git remote add o /tmp/x"),
    # a timer that runs git in the repository, registered in the user's configuration
    bash("git maintenance start"),
    # names compared case-blind: on a case-insensitive file system these are .git's
    write(".GIT/config"),
    write(".Git/Hooks/pre-commit"),
    write("vendor/lib/.GIT/HOOKS/pre-push"),
]


@pytest.mark.parametrize(("mode", "allow"), MODES, ids=[m.value for m, _ in MODES])
@pytest.mark.parametrize(("tool", "tool_input"), PROTECTED_WRITES)
def test_writes_to_what_git_reads_or_runs_are_asked_about_in_every_mode(
    layout: Layout, mode: Mode, allow: tuple[str, ...], tool: str, tool_input: dict[str, Any]
) -> None:
    text = {k: str(v).replace("{elsewhere}", str(layout.elsewhere)) for k, v in tool_input.items()}
    assert_asked(decide(layout.workspace, mode, tool, text, allow))


@pytest.mark.parametrize(
    ("tool", "tool_input"),
    [
        edit("README"),
        write("sub/README"),  # a submodule's work tree is ordinary work
        write("vendor/lib/src/new.py"),
        write(".gitattributes"),  # names filters; what they run is configuration
        bash("printf 'x\\n' >> sub/README"),
    ],
)
def test_ordinary_files_around_repositories_stay_auto_mode_edits(
    layout: Layout, tool: str, tool_input: dict[str, Any]
) -> None:
    assert decide(layout.workspace, Mode.AUTO, tool, tool_input).verdict == "allow"


@pytest.mark.parametrize(
    "command", ["git fetch", "git commit -qm x", "git submodule status", "git remote prune origin"]
)
def test_git_commands_that_change_only_history_are_not_protected_writes(
    layout: Layout, command: str
) -> None:
    # Bypass still asks before the network; the rule answers that, so only a protected
    # write could make it ask.
    allow = ("Bash(git fetch *)", "Bash(git remote *)")
    decision = decide(layout.workspace, Mode.BYPASS, "Bash", {"command": command}, allow)
    assert decision.verdict == "allow", decision.reason


@pytest.mark.parametrize("mode", [Mode.AUTO, Mode.BYPASS])
def test_what_the_configuration_names_is_protected(tmp_path: Path, mode: Mode) -> None:
    ws = make_repo(tmp_path / "ws", {"tools/watch.sh": "#!/bin/sh\n", "README": "hi\n"})
    git(ws, "config", "core.hooksPath", ".husky")
    git(ws, "config", "core.fsmonitor", "./tools/watch.sh")
    git(ws, "config", "alias.lint", "!sh scripts/lint.sh --fix")
    (ws / "scripts").mkdir()
    (ws / "scripts/lint.sh").write_text("#!/bin/sh\n")
    git(ws, "config", "include.path", "../team.gitconfig")  # relative to .git/config
    for path in (".husky/pre-commit", "tools/watch.sh", "scripts/lint.sh", "team.gitconfig"):
        assert_asked(decide(ws, mode, *write(path)))
    assert decide(ws, mode, *write("tools/other.sh")).verdict == "allow"


def test_a_hooks_folder_linked_into_the_work_tree_is_protected_where_it_points(
    tmp_path: Path,
) -> None:
    ws = make_repo(tmp_path / "ws")
    (ws / "tools/hooks").mkdir(parents=True)
    hooks = ws / ".git/hooks"
    for sample in hooks.iterdir():
        sample.unlink()
    hooks.rmdir()
    hooks.symlink_to("../tools/hooks")
    assert_asked(decide(ws, Mode.BYPASS, *write("tools/hooks/pre-commit")))


def test_a_workspace_inside_a_linked_worktree_protects_the_main_repository(
    tmp_path: Path,
) -> None:
    main = make_repo(tmp_path / "main")
    git(main, "worktree", "add", "-q", str(tmp_path / "linked"))
    ws = tmp_path / "linked"
    for path in (main / ".git/config", main / ".git/worktrees/linked/commondir", ws / ".git"):
        assert_asked(decide(ws, Mode.BYPASS, *write(str(path))))


@pytest.mark.parametrize("mode", [Mode.STANDARD, Mode.AUTO, Mode.BYPASS])
def test_a_hard_link_to_git_configuration_is_as_protected_as_the_file(
    tmp_path: Path, mode: Mode
) -> None:
    ws = make_repo(tmp_path / "ws")
    os.link(ws / ".git/config", ws / "notes.txt")  # made earlier, by anyone
    decision = decide(ws, mode, *edit("notes.txt"), allow=EVERYTHING)
    assert decision.verdict == "ask"
    assert decision.reason == f"writes a protected path: {ws / '.git/config'}"
    os.link(ws / "README", ws / "README.bak")  # an ordinary file with two names
    assert decide(ws, Mode.AUTO, *write("README.bak")).verdict == "allow"


@pytest.fixture
def archives(tmp_path: Path) -> Path:
    """A repository holding archives whose members plant a hook, a VS Code task, and
    only ordinary files."""
    import tarfile
    import zipfile

    ws = make_repo(tmp_path / "ws")
    src = tmp_path / "src"
    for name in ("pkg/.git/hooks/pre-commit", "pkg/.vscode/tasks.json", "pkg/lib/a.py"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text("touch PWNED\n")
    with tarfile.open(ws / "evil.tgz", "w:gz") as tar:
        tar.add(src / "pkg", arcname=".")
    with zipfile.ZipFile(ws / "evil.zip", "w") as z:
        z.write(src / "pkg/.vscode/tasks.json", "pkg/.vscode/tasks.json")
    with tarfile.open(ws / "plain.tar", "w") as tar:
        tar.add(src / "pkg/lib", arcname="lib")
    return ws


@pytest.mark.parametrize(("mode", "allow"), MODES, ids=[m.value for m, _ in MODES])
@pytest.mark.parametrize(
    ("command", "protected"),
    [
        ("tar -xzf evil.tgz", ".git"),
        ("tar xzf evil.tgz .git/hooks/pre-commit", ".git"),
        ("unzip evil.zip", "pkg/.vscode"),
        ("unzip -o evil.zip -d lib", "lib/pkg/.vscode"),
    ],
)
def test_an_archive_whose_members_plant_code_is_asked_about_when_extracted(
    archives: Path, mode: Mode, allow: tuple[str, ...], command: str, protected: str
) -> None:
    decision = decide(archives, mode, *bash(command), allow)
    assert_asked(decision)
    assert decision.reason == f"writes a protected path: {archives / protected}"


def test_an_archive_of_ordinary_files_extracts_as_before(archives: Path) -> None:
    for command in ("tar -xf plain.tar", "tar -tzf evil.tgz", "tar -czf out.tgz evil.tgz"):
        decision = decide(archives, Mode.BYPASS, *bash(command))
        assert decision.verdict == "allow", (command, decision.reason)
