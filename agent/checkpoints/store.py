"""The checkpoint store: file contents by SHA-256, and one manifest per session.

    <root>/blobs/<2 hex>/<62 hex>    a file's bytes, named by their SHA-256, written once
    <root>/manifests/<session>.jsonl  the session's file changes, one JSON record a line

A change record says, for one file and one step (a turn of the agent, or a restore),
what the file held before (a blob's hash, ``absent`` or ``not-kept``) and after (a hash
or ``absent``). Content already stored costs nothing: the blob is there. Blobs are written
to a temporary name and renamed (a reader never sees half a blob) and checked against
their name when read; a record is one ``write`` in append mode. Neither is fsynced (it
would cost more than the whole checkpoint): what a crash damages is found by the hash
check or the JSON parse, reported and skipped.

Nothing here touches the user's files or any git repository: it only reads bytes it is
given and writes under ``root``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ABSENT = "absent"  # the file did not exist
NOT_KEPT = "not-kept"  # the file existed but its content was not kept (over the budget)
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
RECORD_VERSION = 1


class StoreUnavailable(Exception):
    """The store cannot be written (read-only, full, not a folder): no way back."""


class BlobDamaged(Exception):
    """A kept content is missing or no longer matches its hash."""


def digest(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex: a blob's name."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Change:
    """One file changed in one step. ``step`` groups the changes taken back together:
    ``t3`` for the agent's changes in turn 3, ``r<time>`` for one restore."""

    step: str
    turn: int
    kind: str  # "change" or "restore"
    path: str
    before: str  # a blob hash, ABSENT or NOT_KEPT
    after: str  # a hash (its blob may not be kept) or ABSENT
    before_size: int = 0
    tool: str = ""
    at: str = ""
    undid: str = ""  # a restore: what it took back ("turn 3", "turns 2-3", "undo of turn 3")
    why: str = ""  # ``not-kept``: why ("big.txt is 2.0 MB, over the ... budget of 1.0 MB")
    ro: bool = False  # read-only for its owner when changed (writes keep the mode)

    def to_json(self) -> str:
        """The manifest line for this change (without the newline)."""
        record = {"v": RECORD_VERSION} | asdict(self)
        # ASCII escapes keep a file name that is not valid UTF-8 (os.fsdecode's surrogates)
        # whole through the manifest, byte for byte.
        return json.dumps(record, separators=(",", ":"))


@dataclass(frozen=True)
class Step:
    """The changes of one step, in the order they happened."""

    id: str
    turn: int
    kind: str
    changes: tuple[Change, ...]

    @property
    def paths(self) -> list[str]:
        """Each file the step changed, once, in first-change order."""
        return list(dict.fromkeys(c.path for c in self.changes))


@dataclass
class Manifest:
    """A session's changes as read from disk. ``problems`` names damaged or unreadable
    records (some changes are lost: a restore may be wrong); ``warnings`` names a torn last
    record (cut short as a crash leaves it: skipped, as the transcript does)."""

    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def steps(self) -> list[Step]:
        """The changes grouped by step, oldest step first."""
        grouped: dict[str, list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.step, []).append(change)
        return [Step(k, v[0].turn, v[0].kind, tuple(v)) for k, v in grouped.items()]


class CheckpointStore:
    """Blobs and manifests under ``root`` for the session ``session_id``.

    ``max_file_bytes``: a file larger than this is recorded as ``not-kept``."""

    def __init__(
        self, root: Path, session_id: str, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    ) -> None:
        self.root = Path(root)
        self.session_id = session_id
        self.max_file_bytes = max_file_bytes
        self.manifest_path = self.root / "manifests" / f"{session_id}.jsonl"
        self._known: set[str] = set()  # blobs this process wrote or saw

    def blob_path(self, sha: str) -> Path:
        """Where the blob named ``sha`` lives."""
        return self.root / "blobs" / sha[:2] / sha[2:]

    def keep(self, data: bytes, sha: str | None = None) -> str:
        """Store ``data`` (once) and return its hash; ``StoreUnavailable`` when the store
        cannot be written."""
        sha = sha or digest(data)
        if sha in self._known:
            return sha
        path = self.blob_path(sha)
        if not path.exists():
            try:
                _write_new(path, data)
            except OSError as exc:
                raise StoreUnavailable(_why(exc, self.root)) from None
        self._known.add(sha)
        return sha

    def read(self, sha: str) -> bytes:
        """The content kept as ``sha``; ``BlobDamaged`` when missing or altered."""
        try:
            data = self.blob_path(sha).read_bytes()
        except OSError as exc:
            raise BlobDamaged(f"its saved content is missing ({exc.strerror or exc})") from None
        if digest(data) != sha:
            raise BlobDamaged("its saved content is damaged (it no longer matches its hash)")
        return data

    def append(self, change: Change) -> None:
        """Add ``change`` to the session's manifest, as one atomic append."""
        line = (change.to_json() + "\n").encode("utf-8")
        try:
            self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.manifest_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if os.write(fd, line) != len(line):
                    raise OSError(28, "No space left on device")
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreUnavailable(_why(exc, self.root)) from None

    def check_writable(self) -> None:
        """Raise ``StoreUnavailable`` unless a change could be recorded now."""
        try:
            self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.manifest_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            raise StoreUnavailable(_why(exc, self.root)) from None

    def load(self) -> Manifest:
        """The session's changes; damaged lines are skipped and named in ``problems``."""
        manifest = Manifest()
        try:
            raw = self.manifest_path.read_bytes()
        except FileNotFoundError:
            return manifest
        except OSError as exc:
            manifest.problems.append(
                f"Cannot read the checkpoint records {self.manifest_path}: "
                f"{exc.strerror or exc}; this session's changes cannot be listed or undone."
            )
            return manifest
        lines = raw.split(b"\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                manifest.changes.append(_change(json.loads(line)))
            except (ValueError, TypeError, KeyError, UnicodeDecodeError):
                if number == len(lines):  # no newline after it: its one write was cut short
                    manifest.warnings.append(
                        f"The last checkpoint record of {self.manifest_path.name} was cut "
                        "short (Harken stopped while writing it); it was skipped. The newest "
                        "change it recorded is not known, so its file may show as changed "
                        "after the agent's change."
                    )
                    continue
                manifest.problems.append(
                    f"Checkpoint record {number} of {self.manifest_path.name} is damaged; "
                    "it was skipped."
                )
        return manifest


def read_only(path: Path) -> bool:
    """Whether ``path`` exists and its owner may not write it (a mode the user chose)."""
    try:
        return not os.stat(path).st_mode & 0o200
    except OSError:
        return False


def now_iso() -> str:
    """The current time for a record."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _change(record: Any) -> Change:
    if not isinstance(record, dict):
        raise ValueError("not an object")
    names = Change.__dataclass_fields__
    values = {k: v for k, v in record.items() if k in names}
    change = Change(**values)
    if not isinstance(change.path, str) or not isinstance(change.turn, int):
        raise ValueError("bad fields")
    for value in (change.before, change.after):
        if not isinstance(value, str) or (value not in (ABSENT, NOT_KEPT) and len(value) != 64):
            raise ValueError("bad hash")
    return change


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _why(exc: OSError, root: Path) -> str:
    reason = exc.strerror or str(exc)
    return f"the checkpoint store {root} cannot be written ({reason})"
