"""Write: create freely, overwrite only what was read and is unchanged."""

from __future__ import annotations

import os

from agent.tools.context import ToolContext
from agent.tools.edit import EDIT
from agent.tools.read import READ
from agent.tools.write import WRITE

from .conftest import Call


async def test_write_creates_a_new_file_and_its_folders(ctx: ToolContext, call: Call) -> None:
    out = await call(WRITE, file_path="docs/new/notes.md", content="# Notes\n\nhello\n")
    assert not out.is_error
    assert out.text() == "Created docs/new/notes.md (3 lines)."
    assert (ctx.workspace / "docs/new/notes.md").read_text() == "# Notes\n\nhello\n"


async def test_write_refuses_to_overwrite_a_file_never_read(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "keep.txt"
    path.write_text("precious\n")
    out = await call(WRITE, file_path=str(path), content="clobbered\n")
    assert out.is_error
    assert "Read it first" in out.text()
    assert path.read_text() == "precious\n"


async def test_write_overwrites_a_file_after_reading_it(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "a.txt"
    path.write_text("old\n")
    await call(READ, file_path=str(path))
    out = await call(WRITE, file_path=str(path), content="new\nlines\n")
    assert out.text() == "Updated a.txt (2 lines)."
    assert path.read_text() == "new\nlines\n"
    assert os.listdir(ctx.workspace) == ["a.txt"]


async def test_write_refuses_when_file_changed_since_read(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "a.txt"
    path.write_text("old\n")
    await call(READ, file_path=str(path))
    path.write_text("the user typed this\n")
    out = await call(WRITE, file_path=str(path), content="new\n")
    assert out.is_error
    assert "changed since" in out.text()
    assert path.read_text() == "the user typed this\n"


async def test_written_file_can_be_edited_without_reading_again(
    ctx: ToolContext, call: Call
) -> None:
    await call(WRITE, file_path="a.py", content="x = 1\n")
    out = await call(EDIT, file_path="a.py", old_string="x = 1", new_string="x = 2")
    assert not out.is_error
    assert (ctx.workspace / "a.py").read_text() == "x = 2\n"


async def test_write_keeps_an_executable_script_executable(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "run.sh"
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    await call(READ, file_path=str(path))
    out = await call(WRITE, file_path=str(path), content="#!/bin/sh\necho hi\n")
    assert not out.is_error, out.text()
    assert path.read_text() == "#!/bin/sh\necho hi\n"
    assert path.stat().st_mode & 0o777 == 0o755


async def test_write_without_content_names_the_missing_field(call: Call) -> None:
    out = await call(WRITE, file_path="a.txt")
    assert out.is_error
    assert "Invalid input for Write" in out.text()
    assert "content" in out.text()


def test_write_describe(ctx: ToolContext) -> None:
    params = WRITE.parse({"file_path": "src/app.py", "content": ""})
    assert WRITE.describe(params, ctx) == "Writing src/app.py"
