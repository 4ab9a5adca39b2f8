"""The placeholders the sandbox makes on the host: counted, recorded, and never left behind.

bwrap mounts only onto a path that exists, and the workspace inside is the host's own
folder bound in. So to keep a *missing* protected path (``.mcp.json``, ``.git/hooks``,
``.vscode`` ...) from being created by a confined command, its mount point has to exist on
the host while the command runs: an empty folder (masked with a read-only tmpfs), or for a
file git reads, a *stub* holding text git reads as nothing new. No bwrap option avoids it:
``--tmpfs``, ``--ro-bind /dev/null`` and binding an empty folder from the session temp all
create the mount point first, on the host.

Each placeholder is therefore

- counted per process (``claim`` / ``release``): several commands may use one at once, and
  only the last to end removes it (removing it earlier would detach the mask inside the
  others' sandboxes);
- recorded on disk *before* it is made, in ``<state>/sandbox-placeholders/<pid>.json``
  (the owner's pid and start time, each path, a stub's text), under a file lock;
- cleaned when its owner is gone (killed with SIGKILL, crashed, the power cut): the next
  process that builds a sandbox policy or starts a confined command removes what a dead
  owner recorded -- a folder only while it is still empty, a stub only while it holds
  exactly what was written, never a path a live process has recorded. Anything else is
  someone's data and stays.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import platformdirs

# (path, how the sandbox protects it, a stub's text or None) as sandbox.protection says.
Item = tuple[Path, str, "str | None"]

_counts: dict[Path, int] = {}  # placeholder -> commands of this process using it
_stub_texts: dict[Path, str] = {}  # the stubs among them, with what was written
_lock = threading.Lock()
_cleaned_once = False


def records_dir() -> Path:
    """Where each process records the placeholders it owns (one JSON file per process)."""
    return Path(platformdirs.user_state_dir("harken")) / "sandbox-placeholders"


def claim(items: Sequence[Item]) -> tuple[Path, ...]:
    """Count, record and (for stubs) make the placeholders of a command about to start;
    bwrap makes the masked folders. Returns what to pass to ``release`` when it ends."""
    with _lock, _records_locked() as folder:
        _clean_dead(folder)
        wanted = [
            (path, how, text)
            for path, how, text in items
            # A placeholder another command of this process made is claimed whatever it is
            # to this one (a folder it walks through is a pin): else that command, ending
            # meanwhile, would remove it under this one's bwrap.
            if how in ("mask", "stub") or path in _counts
        ]
        # Recorded first: a kill between making and recording would leave it unknown.
        pending = {path: text for path, how, text in wanted if how == "stub"}
        _write_record(folder, extra=pending)
        claimed = []
        for path, how, text in wanted:
            if how == "stub" and path not in _counts:
                if text is None or not make_stub(path, text):
                    continue  # appeared meanwhile: someone else's file, protected as it is
                _stub_texts[path] = text
            claimed.append(path)
            _counts[path] = _counts.get(path, 0) + 1
        _write_record(folder)
    return tuple(claimed)


def release(paths: Iterable[Path]) -> None:
    """Forget claimed placeholders; the last command using one removes it if it is still an
    empty folder, or a stub holding only what was written into it."""
    with _lock, _records_locked() as folder:
        # Deepest first: a placeholder folder is empty again only once those inside it go.
        for path in reversed(tuple(paths)):
            count = _counts.get(path, 0) - 1
            if count > 0:
                _counts[path] = count
                continue
            _counts.pop(path, None)
            _remove(path, _stub_texts.pop(path, None))
        _write_record(folder)


def clean_leftovers() -> None:
    """Remove what processes that are gone left behind (once per process is enough: from
    then on every ``claim`` cleans first)."""
    global _cleaned_once
    if _cleaned_once:
        return
    _cleaned_once = True
    with _lock, _records_locked() as folder:
        _clean_dead(folder)


def make_stub(path: Path, text: str) -> bool:
    """Create ``path`` holding ``text``; False if something is there already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except OSError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def holds(path: Path, text: str) -> bool:
    """Whether ``path`` is a regular file holding exactly ``text``."""
    if os.path.islink(path) or not os.path.isfile(path):
        return False
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read(len(text) + 1) == text


def _remove(path: Path, text: str | None) -> None:
    with contextlib.suppress(OSError):
        if text is None:
            os.rmdir(path)  # only an empty folder: never anything someone wrote
        elif holds(path, text):
            os.unlink(path)


@contextlib.contextmanager
def _records_locked() -> Iterator[Path | None]:
    """The records folder, locked against other processes for the duration; None when it
    cannot be used (a read-only home): commands still run, counted in memory only."""
    folder = records_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield None
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(fd)  # closing releases the lock


def _me() -> tuple[int, str]:
    return os.getpid(), _start_time(os.getpid())


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" when it is gone, a zombie,
    or unknown): with the pid it names one process, even after the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return ""
    # Fields 3 (state) and 22; the command name (field 2) may hold spaces and parentheses.
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) <= 19 or fields[0] in ("Z", "X"):
        return ""  # a killed process its parent has not reaped yet is gone all the same
    return fields[19]


def _alive(pid: int, start: str) -> bool:
    if pid == os.getpid():
        return True
    if start:
        return _start_time(pid) == start
    try:  # recorded without /proc: the pid is all there is
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def _write_record(folder: Path | None, extra: dict[Path, str | None] | None = None) -> None:
    """This process's record: what it counts now, plus ``extra`` about to be made."""
    if folder is None:
        return
    pid, start = _me()
    record = folder / f"{pid}.json"
    paths = {str(p): _stub_texts.get(p) for p in _counts}
    paths.update({str(p): t for p, t in (extra or {}).items()})
    if not paths:
        with contextlib.suppress(OSError):
            record.unlink()
        return
    temporary = folder / f".{pid}.json.new"
    with contextlib.suppress(OSError):  # a full disk: the placeholders go as they always did
        temporary.write_text(json.dumps({"pid": pid, "start": start, "paths": paths}))
        os.replace(temporary, record)


def _clean_dead(folder: Path | None) -> None:
    """Remove the placeholders of owners that are gone, and their records."""
    if folder is None:
        return
    live: set[str] = {str(p) for p in _counts}
    dead: list[tuple[Path, dict[str, str | None]]] = []
    for record in folder.glob("*.json"):
        try:
            data = json.loads(record.read_text("utf-8"))
            pid, start, paths = int(data["pid"]), str(data["start"]), dict(data["paths"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being replaced, or not ours: left alone
        if _alive(pid, start):
            live.update(paths)
        else:
            dead.append((record, paths))
    for record, paths in dead:
        for name in sorted(paths, key=lambda n: -len(Path(n).parts)):
            if name not in live:
                _remove(Path(name), paths[name])
        with contextlib.suppress(OSError):
            record.unlink()
