"""The Memory window: notes of both scopes from the real folders, search, edit, delete with
a question first, a file that is not UTF-8 shown as skipped and never rewritten, and
"Dream now" through the real anthropic client against the scripted API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from agent.config import Config
from agent.memory.folders import scopes_for
from desktop.auto_dream import dream_runner
from desktop.background import Background
from desktop.windows.memory import MemoryWindow, show_memory_window
from tests.desktop.windows_helpers import screenshot
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

NOTE = "---\nname: {name}\ndescription: {description}\ntype: {kind}\n---\n{body}\n"
LATIN1 = "---\nname: Café\n---\nLe café est à côté.\n".encode("latin-1")


def note(folder: Path, file: str, name: str, description: str, body: str, kind: str) -> Path:
    path = folder / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOTE.format(name=name, description=description, kind=kind, body=body))
    return path


@pytest.fixture
def folders(workspace: Path) -> dict[str, Path]:
    """Real memory folders of ``workspace`` with notes in both scopes."""
    scopes = scopes_for(workspace)
    note(scopes.user, "editor.md", "Editor", "which editor I use", "I use Helix.", "user")
    note(scopes.user, "coffee.md", "Coffee", "how I take coffee", "Black, no sugar.", "user")
    (scopes.user / "MEMORY.md").write_text("- editor.md: Helix\n- coffee.md\n")
    note(
        scopes.workspace,
        "staging.md",
        "Staging server",
        "what the staging server is called",
        "The staging server is called kestrel.",
        "project",
    )
    note(
        scopes.workspace,
        "deploy/release.md",
        "Releases",
        "how to release",
        "Tag, then run make release.",
        "reference",
    )
    return {"user": scopes.user, "workspace": scopes.workspace}


@pytest.fixture
def background() -> Iterator[Background]:
    work = Background()
    yield work
    work.shutdown(wait=True)


def open_window(qtbot: Any, workspace: Path, background: Background, **kw: Any) -> MemoryWindow:
    window = MemoryWindow(workspace, background, **kw)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: bool(window.entries) or "0 file(s)" in window.status.text(), timeout=30_000
    )
    return window


def shown(window: MemoryWindow) -> list[tuple[str, str]]:
    return [(e.scope, e.relative) for e in window.visible_entries()]


def open_note(qtbot: Any, window: MemoryWindow, relative: str) -> None:
    entry = next(e for e in window.entries if e.relative == relative)
    window.select(entry)
    qtbot.waitUntil(
        lambda: window.opened is not None and window.opened.entry == entry, timeout=30_000
    )


def test_the_window_lists_the_notes_of_both_scopes_under_their_scope(
    qtbot: Any, workspace: Path, folders: dict[str, Path], background: Background
) -> None:
    window = open_window(qtbot, workspace, background)

    assert shown(window) == [
        ("user", "MEMORY.md"),
        ("user", "coffee.md"),
        ("user", "editor.md"),
        ("workspace", "deploy/release.md"),
        ("workspace", "staging.md"),
    ]
    you, here = window.tree.topLevelItem(0), window.tree.topLevelItem(1)
    assert you.text(0) == "You (every folder)" and here.text(0) == "This workspace (ws)"
    assert [you.child(i).text(0) for i in range(you.childCount())] == [
        "MEMORY.md",
        "Coffee",
        "Editor",
    ]
    assert here.child(1).text(0) == "Staging server" and here.child(1).text(1) == "project"
    assert "3 file(s) about you, 2 about this workspace" in window.status.text()


def test_search_narrows_the_list_to_the_notes_that_mention_the_words(
    qtbot: Any, workspace: Path, folders: dict[str, Path], background: Background
) -> None:
    window = open_window(qtbot, workspace, background)

    window.search.setText("kestrel")
    assert shown(window) == [("workspace", "staging.md")]
    window.search.setText("HELIX")  # any case; MEMORY.md names it too
    assert shown(window) == [("user", "MEMORY.md"), ("user", "editor.md")]
    window.search.setText("staging server")  # every word, name or body
    assert shown(window) == [("workspace", "staging.md")]
    window.search.setText("nothing like this")
    assert shown(window) == []
    window.search.setText("")
    assert len(shown(window)) == 5


def test_an_edit_is_saved_to_the_file_on_disk(
    qtbot: Any, workspace: Path, folders: dict[str, Path], background: Background
) -> None:
    window = open_window(qtbot, workspace, background)
    open_note(qtbot, window, "staging.md")
    assert "called kestrel" in window.editor.toPlainText()
    assert not window.save_button.isEnabled()  # nothing typed yet

    edited = window.editor.toPlainText().replace("kestrel", "osprey")
    window.editor.selectAll()
    window.editor.insertPlainText(edited)
    assert window.save_button.isEnabled()
    window.save_button.click()

    path = folders["workspace"] / "staging.md"
    qtbot.waitUntil(lambda: "Saved staging.md" in window.status.text(), timeout=30_000)
    assert path.read_text() == edited
    assert "osprey" in path.read_text() and "kestrel" not in path.read_text()
    assert not [p.name for p in path.parent.iterdir() if p.name.startswith(".")]
    window.search.setText("osprey")  # the list was read again
    qtbot.waitUntil(lambda: shown(window) == [("workspace", "staging.md")], timeout=30_000)


def test_a_note_changed_on_disk_meanwhile_is_not_overwritten(
    qtbot: Any, workspace: Path, folders: dict[str, Path], background: Background
) -> None:
    window = open_window(qtbot, workspace, background)
    open_note(qtbot, window, "staging.md")
    path = folders["workspace"] / "staging.md"
    path.write_text(path.read_text() + "Its port is 2222.\n")  # the user, in their editor

    window.editor.appendPlainText("typed in the window")
    window.save_button.click()

    qtbot.waitUntil(lambda: "Not saved" in window.status.text(), timeout=30_000)
    assert "changed on disk" in window.status.text()
    assert path.read_text().endswith("Its port is 2222.\n")


@pytest.mark.parametrize(("button", "kept"), [("Cancel", True), ("Yes", False)])
def test_delete_asks_first_and_removes_the_file_only_when_confirmed(
    qtbot: Any,
    workspace: Path,
    folders: dict[str, Path],
    background: Background,
    button: str,
    kept: bool,
) -> None:
    window = open_window(qtbot, workspace, background)
    open_note(qtbot, window, "coffee.md")
    path = folders["user"] / "coffee.md"

    window.delete_button.click()
    box = window.confirmation
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "coffee.md" in box.text()
    assert path.exists()  # nothing happens before the answer
    box.button(getattr(QMessageBox.StandardButton, button)).click()

    if kept:
        assert window.confirmation is None
        assert path.exists() and ("user", "coffee.md") in shown(window)
    else:
        qtbot.waitUntil(lambda: "Deleted coffee.md" in window.status.text(), timeout=30_000)
        assert not path.exists()
        qtbot.waitUntil(lambda: ("user", "coffee.md") not in shown(window), timeout=30_000)
        assert window.opened is None and window.editor.toPlainText() == ""


def test_a_note_that_is_not_utf8_is_shown_as_skipped_and_never_rewritten(
    qtbot: Any, workspace: Path, folders: dict[str, Path], background: Background
) -> None:
    path = folders["user"] / "cafe.md"
    path.write_bytes(LATIN1)
    window = open_window(qtbot, workspace, background)

    row = next(e for e in window.entries if e.relative == "cafe.md")
    assert row.skipped == "not UTF-8" and "skipped" in row.name
    open_note(qtbot, window, "cafe.md")
    assert "not UTF-8" in window.title.text()
    assert window.editor.isReadOnly() and not window.save_button.isEnabled()
    screenshot(window, "memory-skipped-note")

    window.editor.setReadOnly(False)  # even forced, a save refuses to rewrite it
    window.editor.appendPlainText("more")
    window.save()
    window.reload()
    qtbot.waitUntil(lambda: "file(s) about you" in window.status.text(), timeout=30_000)
    assert path.read_bytes() == LATIN1


def test_dream_now_runs_the_model_off_the_gui_thread_and_shows_its_summary(
    qtbot: Any,
    api: ScriptedAPI,
    workspace: Path,
    folders: dict[str, Path],
    background: Background,
) -> None:
    duplicate = note(
        folders["user"], "coffee-2.md", "Coffee again", "coffee", "Black coffee.", "user"
    )
    api.script(
        Reply([tool_use("memory", {"command": "delete", "path": "/memories/user/coffee-2.md"})]),
        Reply([text("Merged the two coffee notes.")]),
    )
    config = Config().override(base_url=api.base_url, max_retries=0)  # type: ignore[attr-defined]
    window = open_window(qtbot, workspace, background, run_dream=dream_runner(lambda: config))
    assert ("user", "coffee-2.md") in shown(window)

    window.dream_button.click()
    assert not window.dream_button.isEnabled()  # one dream at a time
    qtbot.waitUntil(lambda: "Merged the two coffee notes." in window.status.text(), timeout=30000)

    assert not duplicate.exists()
    assert "The dream changed 1 file(s)" in window.status.text()
    assert "user/coffee-2.md" in window.status.text()
    assert window.dream_button.isEnabled()
    qtbot.waitUntil(lambda: ("user", "coffee-2.md") not in shown(window), timeout=30_000)
    assert sorted(t["name"] for t in api.requests[0]["tools"]) == ["SessionSearch", "memory"]


def test_a_dream_that_fails_says_so_and_changes_nothing(
    qtbot: Any,
    api: ScriptedAPI,
    workspace: Path,
    folders: dict[str, Path],
    background: Background,
) -> None:
    from tests.scripted_api import Failure

    before = {p: p.read_bytes() for p in folders["user"].rglob("*")}
    api.script(
        Reply([tool_use("memory", {"command": "delete", "path": "/memories/user/coffee.md"})]),
        Failure(400, "scripted refusal"),
    )
    config = Config().override(base_url=api.base_url, max_retries=0)  # type: ignore[attr-defined]
    window = open_window(qtbot, workspace, background, run_dream=dream_runner(lambda: config))

    window.dream_button.click()
    qtbot.waitUntil(lambda: "did not run to the end" in window.status.text(), timeout=30000)
    assert "memory is as it was" in window.status.text()
    assert {p: p.read_bytes() for p in folders["user"].rglob("*")} == before


def test_a_dream_now_stopped_at_quit_leaves_memory_as_it_was(
    qtbot: Any,
    api: ScriptedAPI,
    workspace: Path,
    folders: dict[str, Path],
    background: Background,
) -> None:
    before = {p: p.read_bytes() for p in folders["user"].rglob("*")}
    api.script(
        Reply([tool_use("memory", {"command": "delete", "path": "/memories/user/coffee.md"})]),
        Reply([text("Still tidying")], pause_after=3),
    )
    config = Config().override(base_url=api.base_url, max_retries=0)  # type: ignore[attr-defined]
    runner = dream_runner(lambda: config)
    window = open_window(qtbot, workspace, background, run_dream=runner)

    window.dream_button.click()
    qtbot.waitUntil(lambda: api.paused.is_set(), timeout=30000)
    runner.cancel()  # Harken quits
    api.release()
    qtbot.waitUntil(lambda: "did not run to the end" in window.status.text(), timeout=30000)
    assert "stopped; memory is as it was" in window.status.text()
    assert {p: p.read_bytes() for p in folders["user"].rglob("*")} == before


def test_show_memory_window_opens_one_window_and_raises_it_again(
    qtbot: Any, workspace: Path, folders: dict[str, Path], background: Background
) -> None:
    first = show_memory_window(workspace, background)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: len(first.entries) == 5, timeout=30_000)
    assert first.isVisible() and not first.dream_button.isEnabled()  # no way to dream given
    first.close()

    again = show_memory_window(workspace, background, run_dream=lambda _ws: None)
    assert again is first and again.isVisible() and again.dream_button.isEnabled()
