"""FileTracker, atomic_write and text decoding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.tools.base import ToolError
from agent.tools.files import FileTracker, atomic_write, decode_text, looks_binary


def test_require_fresh_refuses_file_never_read(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello\n")
    with pytest.raises(ToolError, match="Read it first"):
        FileTracker().require_fresh(path)


def test_require_fresh_refuses_file_changed_since_read(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello\n")
    tracker = FileTracker()
    tracker.record(path, path.read_bytes())
    path.write_text("changed by the user\n")
    with pytest.raises(ToolError, match="changed since it was last read"):
        tracker.require_fresh(path)


def test_require_fresh_accepts_touched_but_unchanged_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello\n")
    tracker = FileTracker()
    tracker.record(path, path.read_bytes())
    os.utime(path, (1, 1))  # a new mtime, the same content
    assert tracker.require_fresh(path) == b"hello\n"


def test_require_fresh_reports_deleted_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello\n")
    tracker = FileTracker()
    tracker.record(path, b"hello\n")
    path.unlink()
    with pytest.raises(ToolError, match="deleted"):
        tracker.require_fresh(path)


def test_tracker_treats_spellings_and_symlinks_of_a_path_as_one_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "a.txt"
    path.write_text("x")
    (tmp_path / "link.txt").symlink_to(path)
    tracker = FileTracker()
    tracker.record(tmp_path / "sub" / ".." / "a.txt", b"x")
    assert tracker.was_read(path)
    assert tracker.require_fresh(tmp_path / "link.txt") == b"x"


def test_atomic_write_creates_parents_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "new.txt"
    atomic_write(path, b"content\n")
    assert path.read_bytes() == b"content\n"
    assert os.listdir(path.parent) == ["new.txt"]


def test_atomic_write_keeps_permission_bits_of_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "run.sh"
    path.write_text("#!/bin/sh\n")
    path.chmod(0o751)
    atomic_write(path, b"#!/bin/sh\necho hi\n")
    assert path.stat().st_mode & 0o777 == 0o751
    assert path.read_text() == "#!/bin/sh\necho hi\n"


def test_atomic_write_gives_new_file_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.txt", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o644


def test_atomic_write_removes_temp_file_when_replace_fails(tmp_path: Path) -> None:
    target = tmp_path / "folder"
    target.mkdir()  # a folder cannot be replaced by a file
    with pytest.raises(OSError):
        atomic_write(target, b"data")
    assert os.listdir(tmp_path) == ["folder"]


def test_atomic_write_through_symlink_updates_the_target(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_decode_text_round_trips_crlf_files() -> None:
    data = b"one\r\ntwo\r\n"
    text = decode_text(data)
    assert text.text == "one\ntwo\n"
    assert text.encode(text.text.replace("two", "2")) == b"one\r\n2\r\n"


def test_decode_text_leaves_mixed_line_endings_alone() -> None:
    data = b"one\r\ntwo\nthree\n"
    text = decode_text(data)
    assert text.text == "one\r\ntwo\nthree\n"
    assert text.encode(text.text) == data


def test_decode_text_rejects_binary_and_invalid_utf8() -> None:
    with pytest.raises(ValueError):
        decode_text(b"PK\x03\x04\0\0")
    with pytest.raises(ValueError):
        decode_text(b"caf\xe9 latin-1")
    assert looks_binary(b"abc\0def")
    assert not looks_binary("café".encode())
