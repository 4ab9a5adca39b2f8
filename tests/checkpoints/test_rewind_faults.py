"""``harken rewind`` on what a fresh user runs into: unrecorded changes, deleted files,
no sessions, damaged records, the JSON shapes, the size budget (real command, scripted
API)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.config import load_config
from tests.checkpoints.test_rewind_cli import change_two_files
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


def config_file(isolated_env: Path) -> Path:
    path = isolated_env / "xdg_config_home" / "harken" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def manifest_of(isolated_env: Path) -> Path:
    manifests = isolated_env / "xdg_data_home" / "harken" / "checkpoints" / "manifests"
    [manifest] = manifests.glob("*.jsonl")
    return manifest


def edit(name: str, old: str, new: str) -> dict[str, object]:
    return tool_use("Edit", {"file_path": name, "old_string": old, "new_string": new})


def test_a_change_over_the_budget_is_told_on_the_terminal_and_in_the_list(
    api: ScriptedAPI, harken, workspace: Path, isolated_env: Path
) -> None:
    config_file(isolated_env).write_text("checkpoint_max_file_mb = 0.001\n")  # about 1 KB
    (workspace / "big.txt").write_text("head\n" + "line\n" * 400)
    api.script(
        Reply([tool_use("Read", {"file_path": "big.txt", "limit": 1})]),
        Reply([edit("big.txt", "head\n", "HEAD\n")]),
        Reply([text("ok")]),
    )

    done = harken("ask", "shout the first line", "--yes")
    listing = harken("rewind", "--list")

    assert done.returncode == 0, done.stderr
    assert "big.txt was changed by Edit without a checkpoint" in done.stderr
    assert "over the checkpoint size budget of 1.0 KB" in done.stderr
    assert "big.txt (changed): not restorable, its earlier content was not kept" in listing.stdout
    assert "over the checkpoint size budget of 1.0 KB" in listing.stdout
    assert load_config(config_file(isolated_env)).problems == []


def test_an_agent_change_that_was_not_recorded_is_not_blamed_on_the_user(
    api: ScriptedAPI, harken, workspace: Path, isolated_env: Path
) -> None:
    change_two_files(api, harken, workspace)
    config_file(isolated_env).write_text("checkpoints = false\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "old.txt"})]),
        Reply([edit("old.txt", "first", "1st")]),
        Reply([text("ok")]),
    )
    assert harken("ask", "shorten", "--yes", "--resume", "latest").returncode == 0

    done = harken("rewind", "--dry-run")

    assert "the agent changed it in turn 2 without a checkpoint" in done.stdout, done.stdout


def test_a_file_a_command_deleted_is_restored_without_a_question(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    (workspace / "a.py").write_text("print(1)\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "a.py"})]),
        Reply([edit("a.py", "print(1)", "print(2)")]),
        Reply([tool_use("Bash", {"command": "rm a.py"})]),
        Reply([text("Edited and removed a.py.")]),
    )
    assert harken("ask", "edit then remove", "--yes").returncode == 0
    assert not (workspace / "a.py").exists()

    listing = harken("rewind", "--list")
    dry = harken("rewind", "--dry-run")
    done = harken("rewind")  # no terminal: it would refuse if it asked

    assert "this turn also ran commands: what they changed is not tracked" in listing.stdout
    assert "it no longer exists: deleted after the agent's change" in dry.stdout
    assert "changed after the agent" not in dry.stdout + done.stderr
    assert done.returncode == 0, done.stderr
    assert "Restored a.py (it no longer existed" in done.stdout
    assert (workspace / "a.py").read_text() == "print(1)\n"
    again = harken("rewind")  # the undo undone: a.py is gone again, as the command left it
    assert "Removed a.py (it did not exist before that undo)" in again.stdout, again.stderr
    assert not (workspace / "a.py").exists()


def test_a_fresh_install_has_nothing_to_take_back(harken) -> None:
    plain = harken("rewind")
    as_json = harken("rewind", "--json")

    assert plain.returncode == 0 and plain.stdout == "No sessions yet: nothing to take back.\n"
    assert "resume" not in plain.stdout + plain.stderr
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["steps"] == []


def test_latest_is_the_latest_session_that_changed_files(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    change_two_files(api, harken, workspace)
    first = json.loads(harken("rewind", "--list", "--json").stdout)["session"]
    api.script(Reply([text("Hello.")]))
    assert harken("ask", "just a question").returncode == 0

    done = harken("rewind")

    assert done.returncode == 0, done.stderr
    assert f"session {first}, the latest that changed files" in done.stderr
    assert not (workspace / "docs" / "new.txt").exists()


def test_an_empty_session_id_is_a_usage_error(api: ScriptedAPI, harken, workspace: Path) -> None:
    change_two_files(api, harken, workspace)
    api.script(Reply([text("Hello.")]))
    assert harken("ask", "another session").returncode == 0

    done = harken("rewind", "--session", "", "--list")

    assert done.returncode == 2 and "ambiguous" not in done.stderr


@pytest.mark.parametrize("damage", ["garbage", "folder"])
def test_an_unreadable_manifest_exits_non_zero(
    api: ScriptedAPI, harken, workspace: Path, isolated_env: Path, damage: str
) -> None:
    change_two_files(api, harken, workspace)
    manifest = manifest_of(isolated_env)
    if damage == "garbage":
        manifest.write_bytes(b'\x00\xff garbage\n{"v":1}\n[1,2]\n')
    else:
        manifest.unlink()
        manifest.mkdir()

    done = harken("rewind", "--list")

    assert done.returncode == 1
    assert "damaged" in done.stderr or "Cannot read" in done.stderr


def test_a_torn_last_record_is_skipped_and_said(
    api: ScriptedAPI, harken, workspace: Path, isolated_env: Path
) -> None:
    change_two_files(api, harken, workspace)
    with manifest_of(isolated_env).open("ab") as f:
        f.write(b'{"v":1,"step":"t2","turn":2,"kind":"change","pa')  # no newline: cut short

    done = harken("rewind", "--list")

    assert done.returncode == 0
    assert "was cut short" in done.stderr and "damaged" not in done.stderr
    assert "old.txt (changed)" in done.stdout


def test_every_json_gives_steps_as_objects_with_file_actions(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    change_two_files(api, harken, workspace)

    listed = json.loads(harken("rewind", "--list", "--json").stdout)["steps"]
    dry = json.loads(harken("rewind", "--dry-run", "--json").stdout)["steps"]
    done = json.loads(harken("rewind", "--json").stdout)["steps"]

    assert listed == dry == done
    [step] = done
    assert step["label"] == 'turn 1 ("tidy the notes")' and step["at"]
    actions = {Path(f["path"]).name: f["action"] for f in step["files"]}
    assert actions == {"new.txt": "created", "old.txt": "changed"}


def test_more_turns_than_steps_says_so(api: ScriptedAPI, harken, workspace: Path) -> None:
    change_two_files(api, harken, workspace)

    done = harken("rewind", "--turns", "99")

    assert done.returncode == 0, done.stderr
    assert "only 1 step to take back; taking back all" in done.stderr


def test_a_file_made_read_only_is_not_restored_without_a_terminal(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    change_two_files(api, harken, workspace)
    (workspace / "old.txt").chmod(0o444)

    done = harken("rewind")

    assert done.returncode == 1
    assert "old.txt was made read-only after the agent's change" in done.stderr
    assert (workspace / "old.txt").read_bytes() == b"first line\r\n2nd line\r\n"
