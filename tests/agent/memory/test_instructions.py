"""AGENTS.md and CLAUDE.md: both read, from the user level, the repository root down to
the workspace, with ``@path`` imports (4 hops at most; cycles, missing files and paths
outside the workspace and home reported), in the system prompt the model receives."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent import paths
from tests.scripted_api import Reply, ScriptedAPI, text


def system_text(request: dict) -> str:
    return "\n".join(block["text"] for block in request["system"])


async def test_user_repository_and_workspace_instructions_all_reach_the_model(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    repo, inner = workspace.parent, workspace  # the workspace is a folder of a repository
    (repo / ".git").mkdir()
    paths.config_dir().mkdir(parents=True)
    (paths.config_dir() / "AGENTS.md").write_text("USER-LEVEL: answer in British English.\n")
    (repo / "AGENTS.md").write_text("REPO-AGENTS: run make test.\n")
    (repo / "CLAUDE.md").write_text("REPO-CLAUDE: never push.\n")
    (inner / "CLAUDE.md").write_text("INNER-CLAUDE: the API uses FastAPI.\n")
    (inner / "AGENTS.md").symlink_to(inner / "CLAUDE.md")  # the same file: once
    api.script(Reply([text("ok")]))

    await make_session().submit("hello")

    system = system_text(api.requests[0])
    order = [system.index(m) for m in ("USER-LEVEL", "REPO-AGENTS", "REPO-CLAUDE", "INNER-CLAUDE")]
    assert order == sorted(order)
    assert system.count("INNER-CLAUDE") == 1


async def test_imports_are_followed_four_hops_and_problems_are_reported(
    api: ScriptedAPI,
    make_session,
    workspace: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    docs = workspace / "docs"
    docs.mkdir()
    (workspace / "AGENTS.md").write_text(
        "Read @docs/one.md and @missing.md, see `@not/an/import.md`, mail me@example.com\n"
        f"and @{tmp_path / 'secret.md'}\n"
    )
    (tmp_path / "secret.md").write_text("SECRET-OUTSIDE")
    for n, nxt in (("one", "two"), ("two", "three"), ("three", "four"), ("four", "five")):
        (docs / f"{n}.md").write_text(f"HOP-{n.upper()} then @{nxt}.md\n")
    (docs / "five.md").write_text("HOP-FIVE back to @one.md\n")
    (docs / "cycle.md").write_text("x")
    api.script(Reply([text("ok")]))

    await make_session().submit("hello")

    system = system_text(api.requests[0])
    for hop in ("HOP-ONE", "HOP-TWO", "HOP-THREE", "HOP-FOUR"):
        assert hop in system
    assert "HOP-FIVE" not in system  # a fifth hop
    assert "SECRET-OUTSIDE" not in system
    assert "@missing.md (in AGENTS.md) does not exist" in system
    assert "at most 4 levels deep" in system
    assert "outside the workspace and home" in system
    assert "not/an/import" not in system.split("Imports not loaded")[-1]
    assert "missing.md" in caplog.text


def test_an_import_cycle_is_reported(workspace: Path) -> None:
    from agent.memory.instructions import load_instructions

    (workspace / "CLAUDE.md").write_text("top @a.md\n")
    (workspace / "a.md").write_text("A @b.md\n")
    (workspace / "b.md").write_text("B @a.md\n")

    (entry,) = load_instructions(workspace)

    assert [p.name for p, _ in entry.imports] == ["a.md", "b.md"]
    assert any("cycle" in problem for problem in entry.problems)
