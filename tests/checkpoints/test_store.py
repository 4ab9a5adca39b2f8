"""The checkpoint store on its own: content kept once, damage found."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.checkpoints.store import ABSENT, BlobDamaged, Change, CheckpointStore, digest


def test_the_same_content_is_kept_once_across_turns_and_sessions(tmp_path: Path) -> None:
    data = b"unchanged\n" * 1000
    first = CheckpointStore(tmp_path, "s1")
    second = CheckpointStore(tmp_path, "s2")

    assert first.keep(data) == second.keep(data) == digest(data)
    first.keep(data)

    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [
        first.blob_path(digest(data))
    ]
    assert first.read(digest(data)) == data


def test_a_blob_that_no_longer_matches_its_hash_is_damaged(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path, "s1")
    sha = store.keep(b"original")
    store.blob_path(sha).write_bytes(b"originaX")

    with pytest.raises(BlobDamaged, match="damaged"):
        store.read(sha)


def test_changes_are_grouped_by_step_in_order(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path, "s1")
    sha = store.keep(b"a")
    for step, turn, path in (("t1", 1, "/w/a"), ("t1", 1, "/w/b"), ("t3", 3, "/w/a")):
        store.append(Change(step, turn, "change", path, sha, ABSENT))

    steps = store.load().steps()

    assert [(s.id, s.turn, s.paths) for s in steps] == [
        ("t1", 1, ["/w/a", "/w/b"]),
        ("t3", 3, ["/w/a"]),
    ]


async def test_a_file_that_became_a_folder_is_skipped_with_the_reason(tmp_path: Path) -> None:
    from agent.checkpoints.restore import apply, plan

    store = CheckpointStore(tmp_path / "store", "s1")
    target = tmp_path / "thing"
    store.append(Change("t1", 1, "change", str(target), store.keep(b"was a file"), digest(b"x")))
    target.mkdir()
    (target / "inside.txt").write_text("the user's")

    async def agree(item: object, shown: str) -> bool:
        return True

    result = await apply(store, plan(store, store.load().steps()), 1, agree)

    assert result.done == [] and [p for p, _ in result.skipped] == [str(target)]
    assert (target / "inside.txt").read_text() == "the user's"
