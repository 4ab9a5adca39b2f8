"""Read: numbered lines, ranges, images, binary files, missing files."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

from agent.tools.context import ToolContext
from agent.tools.read import READ

from .conftest import Call


def make_png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


async def test_read_numbers_lines_like_cat_n(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "notes.txt"
    path.write_text("first\n\tindented\nlast")
    out = await call(READ, file_path=str(path))
    assert not out.is_error
    assert out.content == "     1\tfirst\n     2\t\tindented\n     3\tlast"


async def test_read_offset_and_limit_select_a_line_range(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "long.txt"
    path.write_text("".join(f"line {n}\n" for n in range(1, 101)))
    out = await call(READ, file_path=str(path), offset=10, limit=3)
    lines = out.text().splitlines()
    assert lines[:3] == ["    10\tline 10", "    11\tline 11", "    12\tline 12"]
    assert "Showed lines 10-12 of 100" in out.text()
    assert "offset=13" in out.text()


async def test_read_shows_at_most_2000_lines_by_default(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "huge.txt"
    path.write_text("x\n" * 2500)
    out = await call(READ, file_path=str(path))
    assert "  2000\tx" in out.text()
    assert "  2001\t" not in out.text()
    assert "of 2500" in out.text()


async def test_read_cuts_very_long_lines(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "min.js"
    path.write_text("a" * 5000 + "\n")
    out = await call(READ, file_path=str(path))
    assert len(out.text()) < 2100
    assert "3000 more characters" in out.text()


async def test_read_offset_past_end_says_how_long_the_file_is(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "short.txt"
    path.write_text("a\nb\n")
    out = await call(READ, file_path=str(path), offset=50)
    assert "has 2 lines" in out.text()


async def test_read_empty_file_says_it_is_empty(ctx: ToolContext, call: Call) -> None:
    (ctx.workspace / "empty.txt").write_text("")
    out = await call(READ, file_path="empty.txt")
    assert not out.is_error
    assert "exists but is empty" in out.text()


async def test_read_relative_path_is_taken_from_workspace(ctx: ToolContext, call: Call) -> None:
    (ctx.workspace / "src").mkdir()
    (ctx.workspace / "src" / "app.py").write_text("print('hi')\n")
    out = await call(READ, file_path="src/app.py")
    assert out.content == "     1\tprint('hi')"


async def test_read_missing_file_suggests_similar_names(ctx: ToolContext, call: Call) -> None:
    (ctx.workspace / "config.toml").write_text("x = 1\n")
    out = await call(READ, file_path=str(ctx.workspace / "confg.toml"))
    assert out.is_error
    assert "does not exist" in out.text()
    assert str(ctx.workspace / "config.toml") in out.text()


async def test_read_binary_file_is_refused_with_its_size(ctx: ToolContext, call: Call) -> None:
    (ctx.workspace / "app.bin").write_bytes(b"\x7fELF\0\0\0" + bytes(2041))
    out = await call(READ, file_path="app.bin")
    assert out.is_error
    assert "binary" in out.text()
    assert "2.0 KB" in out.text()


async def test_read_png_returns_an_image_block(ctx: ToolContext, call: Call) -> None:
    png = make_png()
    (ctx.workspace / "shot.png").write_bytes(png)
    out = await call(READ, file_path="shot.png")
    assert not out.is_error
    assert isinstance(out.content, list)
    image = out.content[1]
    assert image["type"] == "image"
    assert image["source"]["type"] == "base64"
    assert image["source"]["media_type"] == "image/png"
    assert base64.b64decode(image["source"]["data"]) == png
    assert "shot.png" in out.text()


async def test_read_image_type_comes_from_content_not_extension(
    ctx: ToolContext, call: Call
) -> None:
    (ctx.workspace / "photo.png").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    out = await call(READ, file_path="photo.png")
    assert isinstance(out.content, list)
    assert out.content[1]["source"]["media_type"] == "image/jpeg"


async def test_read_file_named_like_image_but_not_one_is_binary_error(
    ctx: ToolContext, call: Call
) -> None:
    (ctx.workspace / "fake.png").write_bytes(b"\0\1\2\3")
    out = await call(READ, file_path="fake.png")
    assert out.is_error
    assert "binary" in out.text()


async def test_read_folder_is_refused(ctx: ToolContext, call: Call) -> None:
    out = await call(READ, file_path=str(ctx.workspace))
    assert out.is_error
    assert "folder" in out.text()


async def test_read_records_the_file_for_later_edits(ctx: ToolContext, call: Call) -> None:
    path = ctx.workspace / "a.txt"
    path.write_text("x\n")
    await call(READ, file_path="a.txt", offset=1, limit=1)
    assert ctx.files.require_fresh(path) == b"x\n"


async def test_read_rejects_offset_zero_naming_the_field(call: Call) -> None:
    out = await call(READ, file_path="a.txt", offset=0)
    assert out.is_error
    assert "offset" in out.text()


def test_read_describe_uses_workspace_relative_path(ctx: ToolContext, tmp_path: Path) -> None:
    params = READ.parse({"file_path": str(ctx.workspace / "README.md")})
    assert READ.describe(params, ctx) == "Reading README.md"
