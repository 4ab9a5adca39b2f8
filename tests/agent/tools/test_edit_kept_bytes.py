"""Edit keeps the file's own bytes wherever the text does not change, also between two
changes in one line, and in a file that is UTF-8 but for a few bytes (Latin-1 'café'):
Read and Edit agree on what such a file says (U+FFFD for the byte, as the model sees it)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from agent.tools.context import ToolContext
from agent.tools.edit import EDIT
from agent.tools.read import READ
from agent.utf8 import clean_text

from .conftest import Call


def as_the_model_sees(shown: str) -> str:
    """Read's output without line numbers, cleaned as every tool result is."""
    return clean_text("\n".join(re.sub(r"^\s*\d+\t", "", line) for line in shown.split("\n")))


@pytest.mark.parametrize(
    ("stored", "old", "new", "expected"),
    [
        pytest.param(
            "Xe\u0301 Y\r\n".encode(),
            "X\u00e9 Y",
            "Z\u00e9 W",
            "Ze\u0301 W\r\n".encode(),
            id="nfd-letter-between-two-changes",
        ),
        pytest.param(
            b"a \xe9 b \xe9 c\n",
            "a \ufffd b \ufffd c",
            "A \ufffd b \ufffd C",
            b"A \xe9 b \xe9 C\n",
            id="latin1-bytes-between-two-changes",
        ),
        pytest.param(
            b"caf\xe9 au lait\r\nbar\r\n",
            "caf\ufffd au lait\nbar",
            "caf\ufffd au lait\nbaz",
            b"caf\xe9 au lait\r\nbaz\r\n",
            id="latin1-line-repeated-as-context",
        ),
        pytest.param(
            b"\xef\xbb\xbfna\xefve\nx\n",
            "x",
            "y",
            b"\xef\xbb\xbfna\xefve\ny\n",
            id="bom-and-a-latin1-byte-untouched",
        ),
    ],
)
async def test_text_copied_from_read_is_found_and_unchanged_bytes_stay(
    ctx: ToolContext, call: Call, stored: bytes, old: str, new: str, expected: bytes
) -> None:
    path = ctx.workspace / "notes.txt"
    path.write_bytes(stored)
    shown = await call(READ, file_path=str(path))
    assert not shown.is_error, shown.text()
    seen = unicodedata.normalize("NFC", as_the_model_sees(shown.text()))
    assert unicodedata.normalize("NFC", old.split("\n")[0]) in seen

    out = await call(EDIT, file_path=str(path), old_string=old, new_string=new)

    assert not out.is_error, out.text()
    assert path.read_bytes() == expected


async def test_a_file_mostly_not_utf8_is_still_refused_as_binary(
    ctx: ToolContext, call: Call
) -> None:
    path = ctx.workspace / "blob.dat"
    path.write_bytes(bytes(range(128, 256)) * 4)
    out = await call(READ, file_path=str(path))
    assert out.is_error and "binary" in out.text()
