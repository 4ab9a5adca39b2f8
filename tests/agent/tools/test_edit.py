"""Edit: exact replacement, uniqueness, stale-file refusal, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

from agent.tools.context import ToolContext
from agent.tools.edit import EDIT
from agent.tools.read import READ

from .conftest import Call

SOURCE = """\
def greet(name):
    print("hello", name)


def main():
    greet("world")
    greet("harken")
"""


async def read_file(call: Call, ctx: ToolContext, name: str, text: str) -> Path:
    path = ctx.workspace / name
    path.write_text(text)
    out = await call(READ, file_path=str(path))
    assert not out.is_error
    return path


async def test_edit_replaces_a_unique_string_and_shows_the_change(
    ctx: ToolContext, call: Call
) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    out = await call(
        EDIT,
        file_path=str(path),
        old_string='    print("hello", name)',
        new_string='    print("hi", name)',
    )
    assert not out.is_error
    assert path.read_text() == SOURCE.replace('"hello"', '"hi"')
    assert out.text().startswith("Edited app.py: replaced 1 occurrence.")
    assert '     2\t    print("hi", name)' in out.text()
    assert "     1\tdef greet(name):" in out.text()


async def test_edit_refuses_a_file_never_read(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "app.py"
    path.write_text(SOURCE)
    out = await call(EDIT, file_path=str(path), old_string="main", new_string="run")
    assert out.is_error
    assert "Read it first" in out.text()
    assert path.read_text() == SOURCE


async def test_edit_refuses_when_file_changed_since_read(ctx: ToolContext, call: Call) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    path.write_text(SOURCE + "# added by the user\n")
    out = await call(EDIT, file_path=str(path), old_string="def main", new_string="def run")
    assert out.is_error
    assert "changed since it was last read" in out.text()
    assert path.read_text().endswith("# added by the user\n")


async def test_edit_refuses_ambiguous_match_and_says_how_many(ctx: ToolContext, call: Call) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    out = await call(EDIT, file_path=str(path), old_string="greet(", new_string="welcome(")
    assert out.is_error
    assert "Found 3 matches" in out.text()
    assert "replace_all" in out.text()
    assert path.read_text() == SOURCE


async def test_edit_replace_all_changes_every_occurrence(ctx: ToolContext, call: Call) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    out = await call(
        EDIT, file_path=str(path), old_string="greet", new_string="welcome", replace_all=True
    )
    assert not out.is_error
    assert "replaced 3 occurrences" in out.text()
    assert "greet" not in path.read_text()
    assert path.read_text().count("welcome") == 3


async def test_edit_missing_string_error_mentions_whitespace(ctx: ToolContext, call: Call) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    out = await call(EDIT, file_path=str(path), old_string="def nothing():", new_string="x")
    assert out.is_error
    assert "not found" in out.text()
    assert "whitespace" in out.text()


async def test_edit_points_at_text_differing_only_in_indentation(
    ctx: ToolContext, call: Call
) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    out = await call(
        EDIT, file_path=str(path), old_string='  print("hello",  name)', new_string="pass"
    )
    assert out.is_error
    assert "line 2" in out.text()


async def test_edit_warns_about_copied_line_number_prefixes(ctx: ToolContext, call: Call) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    out = await call(
        EDIT, file_path=str(path), old_string="     5\tdef main():", new_string="def run():"
    )
    assert out.is_error
    assert "line-number prefixes" in out.text()


async def test_edit_with_identical_strings_is_an_error(ctx: ToolContext, call: Call) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    out = await call(EDIT, file_path=str(path), old_string="main", new_string="main")
    assert out.is_error
    assert "same" in out.text()


async def test_edit_with_empty_old_string_creates_a_missing_file(
    ctx: ToolContext, call: Call
) -> None:
    out = await call(EDIT, file_path="pkg/new.py", old_string="", new_string="VALUE = 1\n")
    assert not out.is_error
    assert (ctx.workspace / "pkg/new.py").read_text() == "VALUE = 1\n"


async def test_edit_with_empty_old_string_refuses_existing_content(
    ctx: ToolContext, call: Call
) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    out = await call(EDIT, file_path=str(path), old_string="", new_string="x")
    assert out.is_error
    assert path.read_text() == SOURCE


async def test_edit_of_missing_file_is_an_error(ctx: ToolContext, call: Call) -> None:
    out = await call(EDIT, file_path="nope.py", old_string="a", new_string="b")
    assert out.is_error
    assert "does not exist" in out.text()


async def test_edit_leaves_no_temp_files_and_keeps_permissions(
    ctx: ToolContext, call: Call
) -> None:
    path = await read_file(call, ctx, "tool.sh", "#!/bin/sh\necho old\n")
    path.chmod(0o700)
    out = await call(EDIT, file_path=str(path), old_string="old", new_string="new")
    assert not out.is_error, out.text()
    assert path.read_text() == "#!/bin/sh\necho new\n"  # the edit happened ...
    assert os.listdir(ctx.workspace) == ["tool.sh"]  # ... through no file left beside it
    assert path.stat().st_mode & 0o777 == 0o700


async def test_consecutive_edits_need_no_read_in_between(ctx: ToolContext, call: Call) -> None:
    path = await read_file(call, ctx, "app.py", SOURCE)
    first = await call(EDIT, file_path=str(path), old_string="def main", new_string="def run")
    second = await call(EDIT, file_path=str(path), old_string="def run", new_string="def go")
    assert not first.is_error and not second.is_error
    assert "def go():" in path.read_text()


async def test_edit_keeps_crlf_line_endings(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "win.txt"
    path.write_bytes(b"alpha\r\nbeta\r\ngamma\r\n")
    await call(READ, file_path=str(path))
    out = await call(EDIT, file_path=str(path), old_string="alpha\nbeta", new_string="one\ntwo")
    assert not out.is_error
    assert path.read_bytes() == b"one\r\ntwo\r\ngamma\r\n"


def test_edit_describe(ctx: ToolContext) -> None:
    params = EDIT.parse({"file_path": "src/app.py", "old_string": "a", "new_string": "b"})
    assert EDIT.describe(params, ctx) == "Editing src/app.py"
