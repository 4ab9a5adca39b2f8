"""``harken rewind`` after ``harken ask`` changed files, both run as the real command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

OLD = b"first line\r\nsecond line\r\n"


def change_two_files(api: ScriptedAPI, harken, workspace: Path) -> None:
    """One turn: Write a new file, Edit an existing one (CRLF endings)."""
    (workspace / "old.txt").write_bytes(OLD)
    api.script(
        Reply([tool_use("Read", {"file_path": "old.txt"})]),
        Reply(
            [
                tool_use("Write", {"file_path": "docs/new.txt", "content": "brand new\n"}),
                tool_use(
                    "Edit",
                    {"file_path": "old.txt", "old_string": "second", "new_string": "2nd"},
                ),
            ]
        ),
        Reply([text("Done.")]),
    )
    done = harken("ask", "tidy the notes", "--yes")
    assert done.returncode == 0, done.stderr
    assert (workspace / "docs" / "new.txt").read_bytes() == b"brand new\n"
    assert (workspace / "old.txt").read_bytes() == b"first line\r\n2nd line\r\n"


def test_rewind_removes_the_new_file_and_brings_back_the_old_bytes(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    change_two_files(api, harken, workspace)

    done = harken("rewind")

    assert done.returncode == 0, done.stderr
    assert not (workspace / "docs" / "new.txt").exists()
    assert (workspace / "old.txt").read_bytes() == OLD
    assert "Removed docs/new.txt (it was new)" in done.stdout
    assert "Restored old.txt" in done.stdout


def test_list_shows_the_turn_with_its_prompt_and_files(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    change_two_files(api, harken, workspace)

    listing = harken("rewind", "--list")
    as_json = json.loads(harken("rewind", "--list", "--json").stdout)

    assert listing.returncode == 0, listing.stderr
    assert 'turn 1 ("tidy the notes")' in listing.stdout
    assert "docs/new.txt (created)" in listing.stdout and "old.txt (changed)" in listing.stdout
    [step] = as_json["steps"]
    assert step["turn"] == 1 and step["kind"] == "change"
    assert [Path(f["path"]).name for f in step["files"]] == ["new.txt", "old.txt"]


def test_dry_run_changes_nothing(api: ScriptedAPI, harken, workspace: Path) -> None:
    change_two_files(api, harken, workspace)

    done = harken("rewind", "--dry-run", "--json")

    assert done.returncode == 0, done.stderr
    actions = {Path(f["path"]).name: f["restore"] for f in json.loads(done.stdout)["files"]}
    assert actions == {"new.txt": "remove", "old.txt": "restore"}
    assert (workspace / "docs" / "new.txt").exists()
    assert (workspace / "old.txt").read_bytes() == b"first line\r\n2nd line\r\n"


def test_a_second_rewind_undoes_the_first(api: ScriptedAPI, harken, workspace: Path) -> None:
    change_two_files(api, harken, workspace)

    assert harken("rewind").returncode == 0
    again = harken("rewind")

    assert again.returncode == 0, again.stderr
    assert (workspace / "docs" / "new.txt").read_bytes() == b"brand new\n"
    assert (workspace / "old.txt").read_bytes() == b"first line\r\n2nd line\r\n"
    listing = harken("rewind", "--list").stdout
    assert "undo of turn 1" in listing


def test_a_file_the_user_edited_is_not_overwritten_without_a_terminal(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    change_two_files(api, harken, workspace)
    (workspace / "old.txt").write_bytes(b"my own words\n")

    done = harken("rewind")

    assert done.returncode == 1
    assert "old.txt changed after the agent's change" in done.stderr
    assert "Nothing was changed" in done.stderr
    assert (workspace / "old.txt").read_bytes() == b"my own words\n"
    assert (workspace / "docs" / "new.txt").exists()  # refused as a whole


def test_the_resumed_session_tells_the_model_the_files_were_restored(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    change_two_files(api, harken, workspace)
    assert harken("rewind").returncode == 0
    api.script(Reply([text("Understood.")]))

    done = harken("ask", "what changed?", "--resume", "latest")

    assert done.returncode == 0, done.stderr
    last = api.requests[-1]["messages"][-1]
    said = " ".join(b.get("text", "") for b in last["content"])
    assert "took back turn 1" in said and "- docs/new.txt: removed" in said
    assert said.index("took back") < said.index("what changed?")


def test_a_damaged_checkpoint_is_reported_and_skipped(
    api: ScriptedAPI, harken, workspace: Path, isolated_env: Path
) -> None:
    change_two_files(api, harken, workspace)
    blobs = isolated_env / "xdg_data_home" / "harken" / "checkpoints" / "blobs"
    [blob] = [p for p in blobs.rglob("*") if p.is_file()]  # old.txt's old content
    blob.write_bytes(b"garbage")

    done = harken("rewind")

    assert done.returncode == 1
    assert "old.txt" in done.stderr and "damaged" in done.stderr
    assert not (workspace / "docs" / "new.txt").exists()  # the rest is still restored
    assert (workspace / "old.txt").read_bytes() == b"first line\r\n2nd line\r\n"


def test_nothing_to_take_back_says_so(api: ScriptedAPI, harken) -> None:
    api.script(Reply([text("Hello.")]))
    assert harken("ask", "hi").returncode == 0

    done = harken("rewind")

    assert done.returncode == 0
    assert "No file changes to take back" in done.stdout


def test_a_damaged_manifest_record_is_reported_and_the_rest_listed(
    api: ScriptedAPI, harken, workspace: Path, isolated_env: Path
) -> None:
    change_two_files(api, harken, workspace)
    manifests = isolated_env / "xdg_data_home" / "harken" / "checkpoints" / "manifests"
    [manifest] = manifests.glob("*.jsonl")
    with manifest.open("ab") as f:
        f.write(b'{"v":1,"step":"t2","turn":2,"path":\n')  # torn by a crash

    listing = harken("rewind", "--list")

    assert listing.returncode == 1  # a record is lost: say so in the status too
    assert "record 3" in listing.stderr and "damaged" in listing.stderr
    assert "old.txt (changed)" in listing.stdout


def test_with_checkpoints_turned_off_nothing_is_kept(
    api: ScriptedAPI, harken, workspace: Path, isolated_env: Path
) -> None:
    config = isolated_env / "xdg_config_home" / "harken" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("checkpoints = false\n")
    change_two_files(api, harken, workspace)

    done = harken("rewind")

    assert "No file changes to take back" in done.stdout, done.stdout + done.stderr
    assert (workspace / "old.txt").read_bytes() == b"first line\r\n2nd line\r\n"
