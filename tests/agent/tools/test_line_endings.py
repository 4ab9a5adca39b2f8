"""Read and Edit agree on what a file says, and Edit and Write keep the file's own bytes
where the text does not change: line endings (CRLF, LF, mixed, CR), a byte order mark,
the encoding, and the Unicode form (NFD or NFC). Byte-exact, through the real tools."""

from __future__ import annotations

import codecs
import random
import re
import unicodedata
from pathlib import Path

import pytest

from agent.tools.context import ToolContext
from agent.tools.edit import EDIT
from agent.tools.read import READ
from agent.tools.write import WRITE

from .conftest import Call

MIXED = b"line1\r\nline2\r\n\tline3\nline4\r\n"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


async def read(call: Call, ctx: ToolContext, name: str, data: bytes) -> tuple[Path, list[str]]:
    """Write ``data`` to ``name``, Read it, and return the lines as Read shows them."""
    path = ctx.workspace / name
    path.write_bytes(data)
    out = await call(READ, file_path=str(path))
    assert not out.is_error, out.text()
    lines = [re.sub(r"^\s*\d+\t", "", line, count=1) for line in out.text().split("\n")]
    return path, lines


async def edit(call: Call, path: Path, old: str, new: str, replace_all: bool = False) -> str:
    out = await call(
        EDIT, file_path=str(path), old_string=old, new_string=new, replace_all=replace_all
    )
    assert not out.is_error, out.text()
    return out.text()


# -- the example from the issue, and its mixed-ending variants -----------------------


async def test_text_copied_from_read_of_a_mixed_file_is_found_by_edit(
    ctx: ToolContext, call: Call
) -> None:
    path, lines = await read(call, ctx, "mixed.txt", MIXED)
    assert lines == ["line1", "line2", "\tline3", "line4"]
    copied = "\n".join(lines[1:3])  # "line2\n\tline3", as the model copies it

    await edit(call, path, copied, "line2\n\tline3 changed")

    assert path.read_bytes() == b"line1\r\nline2\r\n\tline3 changed\nline4\r\n"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # A line replaced by one line keeps that line's ending.
        ("line2\n", "LINE2\n", b"line1\r\nLINE2\r\n\tline3\nline4\r\n"),
        # Lines replaced in a block pair up in order and keep their endings.
        ("line2\n\tline3\n", "two\nthree\n", b"line1\r\ntwo\r\nthree\nline4\r\n"),
        # A new line (none to replace) takes the file's most common ending, CRLF.
        ("\tline3\n", "\tline3\nadded\n", b"line1\r\nline2\r\n\tline3\nadded\r\nline4\r\n"),
        # Lines removed take their endings with them; the others keep theirs.
        ("line2\n\tline3\n", "\tline3\n", b"line1\r\n\tline3\nline4\r\n"),
        # The model's own CRLF in old_string and new_string means a plain line break.
        ("\tline3\r\nline4", "\tline3\r\nline4!", b"line1\r\nline2\r\n\tline3\nline4!\r\n"),
    ],
)
async def test_edit_of_a_mixed_file_changes_only_what_it_replaces(
    ctx: ToolContext, call: Call, old: str, new: str, expected: bytes
) -> None:
    path, _lines = await read(call, ctx, "mixed.txt", MIXED)
    await edit(call, path, old, new)
    assert path.read_bytes() == expected


async def test_replace_all_keeps_each_occurrences_own_ending(ctx: ToolContext, call: Call) -> None:
    path, _lines = await read(call, ctx, "m.txt", b"x = 1\r\ny = 2\nx = 1\r\nx = 1\n")
    text = await edit(call, path, "x = 1\n", "x = 3\n", replace_all=True)
    assert path.read_bytes() == b"x = 3\r\ny = 2\nx = 3\r\nx = 3\n"
    assert text.startswith("Edited m.txt: replaced 3 occurrences.")


async def test_inserted_lines_take_the_files_usual_ending(ctx: ToolContext, call: Call) -> None:
    path, _lines = await read(call, ctx, "w.txt", b"a\r\nb\r\nc\n")
    await edit(call, path, "b", "b\nb2\nb3")
    assert path.read_bytes() == b"a\r\nb\r\nb2\r\nb3\r\nc\n"


async def test_a_cr_only_file_is_read_as_lines_and_edited_in_place(
    ctx: ToolContext, call: Call
) -> None:
    path, lines = await read(call, ctx, "mac.txt", b"one\rtwo\rthree\r")
    assert lines == ["one", "two", "three"]
    await edit(call, path, "two\nthree", "2\n3\n4")
    assert path.read_bytes() == b"one\r2\r3\r4\r"


# -- byte order marks and encodings ------------------------------------------------


async def test_a_utf8_bom_and_mixed_endings_survive_an_edit_at_the_start(
    ctx: ToolContext, call: Call
) -> None:
    data = codecs.BOM_UTF8 + b"hello\r\nworld\n"
    path, lines = await read(call, ctx, "bom.txt", data)
    assert lines[:2] == ["hello", "world"]  # no BOM character shown
    await edit(call, path, "hello\nworld", "hi\nworld")
    assert path.read_bytes() == codecs.BOM_UTF8 + b"hi\r\nworld\n"


async def test_a_utf16_big_endian_file_stays_utf16_big_endian(ctx: ToolContext, call: Call) -> None:
    data = codecs.BOM_UTF16_BE + "Grüße\r\nfin\r\n".encode("utf-16-be")
    path, lines = await read(call, ctx, "u16.txt", data)
    assert lines[:2] == ["Grüße", "fin"]
    await edit(call, path, "fin", "Ende\nfin")
    assert path.read_bytes() == codecs.BOM_UTF16_BE + "Grüße\r\nEnde\r\nfin\r\n".encode("utf-16-be")


# -- Unicode normalisation --------------------------------------------------------


async def test_nfc_text_copied_from_an_nfd_file_matches_and_untouched_text_stays_nfd(
    ctx: ToolContext, call: Call
) -> None:
    stored = nfd("café = 1\nrésumé = 2\ncafé = 3\n").encode()
    path, lines = await read(call, ctx, "nfd.txt", stored)
    assert lines[0] == nfd("café = 1")  # Read shows the file as it is

    await edit(call, path, nfc("café = 1\nrésumé = 2"), nfc("café = 10\nrésumé = 2"))

    assert path.read_bytes() == nfd("café = 10\nrésumé = 2\ncafé = 3\n").encode()


async def test_decomposed_hangul_matches_the_composed_text_a_model_types(
    ctx: ToolContext, call: Call
) -> None:
    path, _lines = await read(call, ctx, "ko.txt", nfd("한국어 = 1\r\n").encode())
    await edit(call, path, nfc("한국어 = 1"), nfc("한국어 = 2"))
    assert path.read_bytes() == nfd("한국어 = 2\r\n").encode()


async def test_nfd_text_matches_an_nfc_file_and_the_file_stays_nfc(
    ctx: ToolContext, call: Call
) -> None:
    path, _lines = await read(call, ctx, "nfc.txt", nfc("naïve = 1\n").encode())
    await edit(call, path, nfd("naïve = 1"), nfd("naïve = 2"))
    assert path.read_bytes() == nfc("naïve = 2\n").encode()


async def test_a_match_never_splits_a_letter_from_its_accent(ctx: ToolContext, call: Call) -> None:
    stored = nfd("cafe\u0301 cafe\n").encode()
    path, _lines = await read(call, ctx, "split.txt", stored)
    await edit(call, path, "cafe", "tea")  # only the unaccented word is "cafe"
    assert path.read_bytes() == nfd("cafe\u0301 tea\n").encode()


async def test_an_edit_that_would_only_change_the_normal_form_is_refused(
    ctx: ToolContext, call: Call
) -> None:
    path, _lines = await read(call, ctx, "same.txt", nfd("café\r\n").encode())
    out = await call(EDIT, file_path=str(path), old_string=nfd("café"), new_string=nfc("café"))
    assert out.is_error and "Unicode normalisation" in out.text()
    assert path.read_bytes() == nfd("café\r\n").encode()


# -- Write of an existing file -----------------------------------------------------


async def test_write_over_a_crlf_file_keeps_crlf_and_says_so(ctx: ToolContext, call: Call) -> None:
    path, _lines = await read(call, ctx, "win.txt", b"one\r\ntwo\r\n")
    out = await call(WRITE, file_path=str(path), content="one\ntwo\nthree\n")
    assert not out.is_error, out.text()
    assert path.read_bytes() == b"one\r\ntwo\r\nthree\r\n"
    assert "CRLF line endings kept" in out.text()


async def test_write_over_a_mixed_bom_file_keeps_unchanged_lines_bytes(
    ctx: ToolContext, call: Call
) -> None:
    path, _lines = await read(call, ctx, "mix.txt", codecs.BOM_UTF8 + MIXED)
    out = await call(WRITE, file_path=str(path), content="line1\nline2\n\tline3\nline4\nline5\n")
    assert not out.is_error, out.text()
    assert path.read_bytes() == codecs.BOM_UTF8 + MIXED + b"line5\r\n"


# -- many files, many edits --------------------------------------------------------

WORDS = ["alpha", "beta", nfd("café"), nfc("naïve"), "\t", "x = 1", "", "Grüße", "}"]


def random_file(rng: random.Random) -> tuple[bytes, list[tuple[str, str]], bytes]:
    """Bytes of a random text file, its lines (text, ending), and its BOM."""
    lines = []
    for _ in range(rng.randint(1, 12)):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 3)))
        lines.append((text, rng.choice(["\r\n", "\n", "\r\n"])))
    if rng.random() < 0.3:
        lines[-1] = (lines[-1][0] or "end", "")  # no ending on the last line
    bom = codecs.BOM_UTF8 if rng.random() < 0.2 else b""
    return bom + "".join(t + e for t, e in lines).encode(), lines, bom


async def test_edits_of_random_files_change_exactly_the_lines_they_replace(
    ctx: ToolContext, call: Call
) -> None:
    edited = 0
    for seed in range(150):
        rng = random.Random(seed)
        data, lines, bom = random_file(rng)
        name = f"r{seed}.txt"
        path, shown = await read(call, ctx, name, data)
        assert shown[: len(lines)] == [t for t, _e in lines], seed
        # Copy a run of whole lines from Read (with NFC retyping, as a model does) ...
        first = rng.randrange(len(lines))
        last = rng.randrange(first, len(lines))
        old = nfc("\n".join(shown[first : last + 1]))
        if not old.strip() or nfc("\n".join(shown)).count(old) != 1:
            continue  # blank or ambiguous: not this test's subject
        # ... and replace its middle lines, keeping the first and last.
        middle = [f"new {seed}-{k}" for k in range(rng.randint(1, 2))]
        kept = old.split("\n")
        new = "\n".join([kept[0], *middle, *kept[1:]]) if len(kept) > 1 else old + " (changed)"
        out = await call(EDIT, file_path=str(path), old_string=old, new_string=new)
        assert not out.is_error, (seed, out.text())
        edited += 1
        after = path.read_bytes()
        before_region = bom + "".join(t + e for t, e in lines[:first]).encode()
        after_region = "".join(t + e for t, e in lines[last + 1 :]).encode()
        assert after.startswith(before_region), seed
        assert after.endswith(after_region), seed
        # The first copied line is unchanged: it keeps its bytes and its own ending.
        text, ending = lines[first]
        if len(kept) > 1:
            assert after[len(before_region) :].startswith((text + ending).encode()), seed
    assert edited > 80


def boundaries(text: str) -> list[int]:
    """Offsets in ``text`` that do not separate a letter from a combining mark."""
    return [i for i in range(len(text) + 1) if i == len(text) or not unicodedata.combining(text[i])]


async def test_any_span_copied_from_read_is_found_and_only_it_changes(
    ctx: ToolContext, call: Call
) -> None:
    edited = 0
    for seed in range(150):
        rng = random.Random(1000 + seed)
        data, lines, bom = random_file(rng)
        path, shown = await read(call, ctx, f"s{seed}.txt", data)
        assert shown == [t for t, _e in lines], seed  # Read hides nothing, adds nothing
        view = "".join(t + ("\n" if e else "") for t, e in lines)
        # A span from a character boundary in one line to one in the same or a later line.
        first = rng.randrange(len(lines))
        last = rng.randrange(first, len(lines))
        col_a = rng.choice(boundaries(lines[first][0]))
        col_b = rng.choice(boundaries(lines[last][0]))
        if first == last and col_b <= col_a:
            continue
        start = sum(len(t) + bool(e) for t, e in lines[:first]) + col_a
        end = sum(len(t) + bool(e) for t, e in lines[:last]) + col_b
        old = nfc(view[start:end])
        if not old.strip() or nfc(view).count(old) != 1:
            continue
        new = old[: len(old) // 2] + "<ins>\n" + old[len(old) // 2 :]
        out = await call(EDIT, file_path=str(path), old_string=old, new_string=new)
        assert not out.is_error, (seed, out.text())
        edited += 1
        after = path.read_bytes()
        head = bom + ("".join(t + e for t, e in lines[:first]) + lines[first][0][:col_a]).encode()
        tail = (lines[last][0][col_b:] + lines[last][1]).encode()
        tail += "".join(t + e for t, e in lines[last + 1 :]).encode()
        assert after.startswith(head) and after.endswith(tail), seed
        # Read now shows what was asked for.
        _path, now = await read(call, ctx, f"s{seed}.txt", after)
        expected = nfc(view[:start]) + new + nfc(view[end:])
        assert nfc("\n".join(now)) == nfc(expected.removesuffix("\n")), seed
    assert edited > 60
