from __future__ import annotations

from pathlib import Path

from desktop.windows.diff_preview import MAX_LINES, preview_for, tilde


def test_other_tools_have_no_preview(tmp_path: Path) -> None:
    assert preview_for("Bash", {"command": "ls"}, tmp_path) is None
    assert preview_for("Write", {"content": "no path"}, tmp_path) is None


def test_an_edit_of_a_windows_file_matches_across_line_endings(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"one\r\ntwo\r\n")

    preview = preview_for(
        "Edit", {"file_path": "a.txt", "old_string": "one\r\ntwo", "new_string": "1\r\n2"}, tmp_path
    )

    assert preview is not None
    assert [line for line in preview.lines[2:] if line[:1] in "+-"] == ["-one", "-two", "+1", "+2"]
    assert (preview.added, preview.removed) == (2, 2)


def test_a_folder_and_an_ambiguous_edit_are_explained(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "b.txt").write_text("x x")

    folder = preview_for("Write", {"file_path": "src", "content": "x"}, tmp_path)
    twice = preview_for(
        "Edit", {"file_path": "b.txt", "old_string": "x", "new_string": "y"}, tmp_path
    )

    assert folder is not None and folder.note == "src is a folder; the call will fail."
    assert twice is not None and "occurs 2 times and replace_all is off" in twice.note


def test_writing_the_same_content_says_nothing_changes(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("same\n")

    preview = preview_for("Write", {"file_path": "c.txt", "content": "same\n"}, tmp_path)

    assert preview is not None and preview.lines == []
    assert "same as the file on disk" in preview.note


def test_a_very_long_diff_is_cut_with_a_count(tmp_path: Path) -> None:
    content = "".join(f"line {i}\n" for i in range(MAX_LINES + 50))

    preview = preview_for("Write", {"file_path": "big.txt", "content": content}, tmp_path)

    assert preview is not None
    assert len(preview.lines) == MAX_LINES + 1
    assert preview.lines[-1] == "… 53 more lines not shown"
    assert preview.added == MAX_LINES + 50


def test_paths_under_home_are_written_with_a_tilde() -> None:
    assert tilde(Path.home() / "proj") == "~/proj"
    assert tilde(Path("/srv/x")) == "/srv/x"
