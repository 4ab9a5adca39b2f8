"""Read and Edit agree on a stray carriage return before a CRLF line end (``a\\r\\r\\n``):
Read shows it as the line's last character, and text copied from Read is what Edit finds;
every byte Edit does not change stays as the file had it."""

from __future__ import annotations

from pathlib import Path

from agent.tools.context import ToolContext
from agent.tools.edit import EDIT
from agent.tools.read import READ

from .conftest import Call


async def read_bytes(call: Call, ctx: ToolContext, name: str, data: bytes) -> tuple[Path, str]:
    path = ctx.workspace / name
    path.write_bytes(data)
    out = await call(READ, file_path=str(path))
    assert not out.is_error
    return path, out.text()


def copied(read_text: str, first: int, last: int) -> str:
    """Lines ``first``..``last`` as the model copies them from Read (prefixes dropped)."""
    lines = read_text.split("\n")
    picked = [line.split("\t", 1)[1] for line in lines if "\t" in line]
    return "\n".join(picked[first - 1 : last])


async def test_text_copied_from_read_across_a_stray_cr_is_found_by_edit(
    ctx: ToolContext, call: Call
) -> None:
    """The issue's example: Read shows ``1\\ta\\r`` / ``2\\tb``; Edit of "a\\r\\nb"."""
    path, shown = await read_bytes(call, ctx, "stray.txt", b"a\r\r\nb\r\n")
    assert "1\ta\r" in shown and "2\tb" in shown
    old = copied(shown, 1, 2)
    assert old == "a\r\nb"

    out = await call(EDIT, file_path=str(path), old_string=old, new_string="A\r\nB")
    assert not out.is_error, out.text()
    assert path.read_bytes() == b"A\r\r\nB\r\n"  # the stray CR and the CRLFs stay


async def test_edit_can_remove_a_stray_cr_it_was_shown(ctx: ToolContext, call: Call) -> None:
    path, _shown = await read_bytes(call, ctx, "stray.txt", b"a\r\r\nb\r\n")
    out = await call(EDIT, file_path=str(path), old_string="a\r\nb", new_string="a\nb")
    assert not out.is_error, out.text()
    assert path.read_bytes() == b"a\r\nb\r\n"


async def test_crlf_typed_by_the_model_still_matches_a_plain_crlf_file(
    ctx: ToolContext, call: Call
) -> None:
    path, _shown = await read_bytes(call, ctx, "crlf.txt", b"x\r\ny\r\nz\r\n")
    out = await call(EDIT, file_path=str(path), old_string="x\r\ny", new_string="X\r\nY")
    assert not out.is_error, out.text()
    assert path.read_bytes() == b"X\r\nY\r\nz\r\n"


async def test_a_crlf_typed_by_the_model_matches_beside_a_stray_cr_elsewhere(
    ctx: ToolContext, call: Call
) -> None:
    path, _shown = await read_bytes(call, ctx, "mixed.txt", b"a\r\r\nb\r\nc\r\n")
    out = await call(EDIT, file_path=str(path), old_string="b\r\nc", new_string="B\r\nC")
    assert not out.is_error, out.text()
    assert path.read_bytes() == b"a\r\r\nB\r\nC\r\n"
