"""Glob: pattern matching, newest first, .git and .gitignore skipped, capped."""

from __future__ import annotations

import os
from pathlib import Path

from agent.tools.context import ToolContext
from agent.tools.glob import GLOB, MAX_RESULTS

from .conftest import Call


def make(root: Path, rel: str, mtime: float | None = None) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rel)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


async def test_glob_finds_files_in_all_folders_newest_first(ctx: ToolContext, call: Call) -> None:
    ws = ctx.workspace
    old = make(ws, "a/old.py", mtime=1_000)
    new = make(ws, "b/c/new.py", mtime=3_000)
    mid = make(ws, "mid.py", mtime=2_000)
    make(ws, "readme.md")
    out = await call(GLOB, pattern="**/*.py")
    assert out.text().splitlines() == [str(new), str(mid), str(old)]


async def test_glob_single_star_stays_in_one_folder(ctx: ToolContext, call: Call) -> None:
    top = make(ctx.workspace, "top.py")
    make(ctx.workspace, "sub/deep.py")
    out = await call(GLOB, pattern="*.py")
    assert out.text().splitlines() == [str(top)]


async def test_glob_skips_git_folder_and_gitignored_files(ctx: ToolContext, call: Call) -> None:
    ws = ctx.workspace
    keep = make(ws, "src/app.js")
    make(ws, ".git/hooks/pre-commit.js")
    make(ws, "node_modules/lib/index.js")
    make(ws, "src/bundle.min.js")
    (ws / ".gitignore").write_text("node_modules/\n*.min.js\n")
    out = await call(GLOB, pattern="**/*.js")
    assert out.text().splitlines() == [str(keep)]


async def test_glob_braces_and_path_prefix(ctx: ToolContext, call: Call) -> None:
    ws = ctx.workspace
    tsx = make(ws, "src/ui/button.tsx", mtime=2_000)
    ts = make(ws, "src/ui/state.ts", mtime=1_000)
    make(ws, "src/ui/style.css")
    make(ws, "other/x.ts")
    out = await call(GLOB, pattern="src/**/*.{ts,tsx}")
    assert out.text().splitlines() == [str(tsx), str(ts)]


async def test_glob_searches_the_given_path(ctx: ToolContext, call: Call) -> None:
    inside = make(ctx.workspace, "pkg/mod.py")
    make(ctx.workspace, "elsewhere.py")
    out = await call(GLOB, pattern="*.py", path=str(ctx.workspace / "pkg"))
    assert out.text().splitlines() == [str(inside)]


async def test_glob_accepts_an_absolute_pattern(ctx: ToolContext, call: Call) -> None:
    target = make(ctx.workspace, "x/y/z.cfg")
    out = await call(GLOB, pattern=f"{ctx.workspace}/x/**/*.cfg")
    assert out.text().splitlines() == [str(target)]


async def test_glob_caps_results_with_a_note(ctx: ToolContext, call: Call) -> None:
    for n in range(MAX_RESULTS + 5):
        make(ctx.workspace, f"f{n:03}.txt", mtime=10_000 + n)
    out = await call(GLOB, pattern="*.txt")
    lines = out.text().splitlines()
    assert len(lines) == MAX_RESULTS + 1
    assert lines[0].endswith(f"f{MAX_RESULTS + 4:03}.txt")  # the newest
    assert f"Showing the {MAX_RESULTS} most recently modified of {MAX_RESULTS + 5}" in lines[-1]


async def test_glob_with_no_matches_says_so(ctx: ToolContext, call: Call) -> None:
    out = await call(GLOB, pattern="**/*.rs")
    assert not out.is_error
    assert "No files found" in out.text()


async def test_glob_in_missing_folder_is_an_error(ctx: ToolContext, call: Call) -> None:
    out = await call(GLOB, pattern="*", path="no/such/dir")
    assert out.is_error
    assert "does not exist" in out.text()


def test_glob_describe(ctx: ToolContext) -> None:
    params = GLOB.parse({"pattern": "**/*.py", "path": str(ctx.workspace / "src")})
    assert GLOB.describe(params, ctx) == "Finding files matching '**/*.py' in src"
