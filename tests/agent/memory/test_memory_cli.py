"""``harken memory path|list`` (through ``python -m desktop.cli_memory``, the same
``add_commands`` the ``harken`` command uses) and memory's bad input: a malformed front
matter, a note that is not UTF-8, a read-only memory folder. Each is one warning line;
the rest of memory works and nothing the user wrote is rewritten."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent.memory.folders import scopes_for

ROOT = Path(__file__).resolve().parents[3]

GOOD = "---\nname: Staging server\ndescription: the staging host\ntype: project\n---\nkestrel\n"
MALFORMED = "---\nname: Printer\nthis line is not a field\n---\nThe printer is on floor 3.\n"
NOT_UTF8 = b"---\nname: Old\n---\n\xff\xfe caf\xe9 latin-1 text\n"


def cli(
    *args: str, cwd: Path | None = None, wrap: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(wrap or []), sys.executable, "-m", "desktop.cli_memory", *args],
        cwd=cwd or ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_memory_path_prints_and_creates_each_scope_folder(workspace: Path) -> None:
    done = cli("memory", "path", "--cwd", str(workspace))
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder == scopes_for(workspace).workspace.resolve() and folder.is_dir()
    user = Path(cli("memory", "path", "--scope", "user", cwd=workspace).stdout.strip())
    assert user == scopes_for(workspace).user.resolve() and user.is_dir() and user != folder


def test_a_subfolder_of_a_repository_shares_the_repository_memory(workspace: Path) -> None:
    (workspace / ".git").mkdir()
    (workspace / "src" / "app").mkdir(parents=True)
    top = cli("memory", "path", "--cwd", str(workspace)).stdout
    inner = cli("memory", "path", "--cwd", str(workspace / "src" / "app")).stdout
    assert top == inner and top.strip()


def test_memory_list_shows_every_note_and_warns_once_per_bad_one(workspace: Path) -> None:
    scopes = scopes_for(workspace)
    scopes.workspace.mkdir(parents=True)
    scopes.user.mkdir(parents=True)
    (scopes.workspace / "MEMORY.md").write_text("- staging: see staging.md\n")
    (scopes.workspace / "staging.md").write_text(GOOD)
    (scopes.user / "printer.md").write_text(MALFORMED)
    (scopes.user / "old.md").write_bytes(NOT_UTF8)

    done = cli("memory", "list", "--json", "--cwd", str(workspace))

    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    listed = {(r["scope"], Path(r["file"]).name, r["name"], r["type"]) for r in rows}
    assert listed == {
        ("workspace", "MEMORY.md", "MEMORY.md", "index"),
        ("workspace", "staging.md", "Staging server", "project"),
        ("user", "printer.md", "printer", ""),
        ("user", "old.md", "(not UTF-8: skipped)", "-"),  # listed, so the user sees it
    }
    assert all(r["updated"][:2] == "20" for r in rows)
    warnings = done.stderr.strip().splitlines()
    assert len(warnings) == 2
    assert any("printer.md" in w and "malformed front matter" in w for w in warnings)
    assert any("old.md" in w and "not UTF-8" in w for w in warnings)
    assert (scopes.user / "printer.md").read_text() == MALFORMED
    assert (scopes.user / "old.md").read_bytes() == NOT_UTF8

    table = cli("memory", "list", "--cwd", str(workspace))
    assert "Staging server" in table.stdout and "printer" in table.stdout
    (skipped_line,) = [line for line in table.stdout.splitlines() if "old.md" in line]
    assert "(not UTF-8: skipped)" in skipped_line


def test_memory_path_explains_its_scopes() -> None:
    done = cli("memory", "path", "--help")
    assert done.returncode == 0
    words = " ".join(done.stdout.split())
    assert "--scope {user,workspace}" in words
    assert "for every folder" in words and "one folder per repository" in words


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
def test_a_read_only_memory_folder_is_still_read_and_refuses_writes_clearly(
    workspace: Path, isolated_env: Path
) -> None:
    scopes = scopes_for(workspace)
    scopes.workspace.mkdir(parents=True)
    scopes.user.mkdir(parents=True)
    (scopes.workspace / "staging.md").write_text(GOOD)
    data = isolated_env / "xdg_data_home"
    probe = (
        "import sys; from pathlib import Path; "
        "from agent.memory.folders import scopes_for; from agent.memory.store import MemoryStore; "
        "from agent.memory.relevance import NoteIndex; "
        "from agent.memory.session_index import SessionIndex; "
        "from agent.tools.base import ToolError; from agent import paths\n"
        "s = scopes_for(Path(sys.argv[1]))\n"
        "print([n.name for n in NoteIndex(s.all()).select('which staging server?')])\n"
        "try:\n    MemoryStore(s).create('/memories/workspace/new.md', 'x')\n"
        "except ToolError as e:\n    print('refused:', e)\n"
        "print(SessionIndex(paths.sessions_dir()).search('anything'))\n"
    )
    wrap = ["bwrap", "--dev-bind", "/", "/", "--ro-bind", str(data), str(data)]
    done = subprocess.run(
        [*wrap, sys.executable, "-c", probe, str(workspace)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    picked, refused, searched = done.stdout.strip().splitlines()
    assert picked == "['Staging server']"
    assert refused.startswith("refused: Cannot write /memories/workspace/new.md")
    assert "read-only" in refused
    assert searched == "[]"
    assert "searching with an index kept in memory" in done.stderr
    assert (scopes.workspace / "staging.md").read_text() == GOOD

    listed = cli("memory", "list", "--json", "--cwd", str(workspace), wrap=wrap)
    assert listed.returncode == 0 and "Staging server" in listed.stdout
