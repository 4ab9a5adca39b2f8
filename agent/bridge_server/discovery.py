"""``bridge.json``: how local clients find the running bridge.

    $XDG_RUNTIME_DIR/harken/bridge.json   {"url": "ws://127.0.0.1:PORT", "token": JWT, "pid": N}

The folder is 0700 and the file 0600 (written under a temporary name created 0600, then
renamed, so it is never readable by others nor seen half written). Without
XDG_RUNTIME_DIR the folder is ``<tempdir>/harken-<uid>`` (as the instance socket's).
A file whose pid no longer runs, or whose port no longer answers, is stale: a new bridge
replaces it. The file is removed on a clean exit, only by the process it names.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

FILE_NAME = "bridge.json"
PROBE_TIMEOUT_S = 1.0


class DiscoveryError(RuntimeError):
    """The discovery file cannot be written, or a live bridge already owns it."""


@dataclass(frozen=True)
class BridgeInfo:
    url: str
    token: str
    pid: int


def runtime_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """The user-only folder that holds ``bridge.json``."""
    base = environ.get("XDG_RUNTIME_DIR", "")
    if base and Path(base).is_dir():
        return Path(base) / "harken"
    uid = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    return Path(tempfile.gettempdir()) / f"harken-{uid}"


def discovery_file() -> Path:
    return runtime_dir() / FILE_NAME


def read_info(path: Path | None = None) -> BridgeInfo | None:
    """The file's contents, or None when it is missing or not a bridge file."""
    path = path or discovery_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return BridgeInfo(url=str(data["url"]), token=str(data["token"]), pid=int(data["pid"]))
    # RecursionError: json gives up on deep nesting; ValueError covers bad UTF-8 and
    # numbers too long to convert.
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def is_live(info: BridgeInfo) -> bool:
    """Whether the bridge ``info`` names still runs: its pid lives and its port answers
    (a reused pid alone does not keep a stale file)."""
    if not pid_alive(info.pid):
        return False
    try:
        parsed = urlparse(info.url)
        host, port = parsed.hostname, parsed.port  # port: ValueError when out of range
    except ValueError:
        return False
    if host is None or port is None:
        return False
    try:
        with socket.create_connection((host, port), PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: no pid is that large
        return False
    except PermissionError:  # someone else's process: alive, and not ours to judge
        return True
    return True


def check_free(path: Path | None = None) -> None:
    """DiscoveryError naming the pid when another live bridge owns the file."""
    existing = read_info(path or discovery_file())
    if existing is not None and existing.pid != os.getpid() and is_live(existing):
        raise DiscoveryError(f"another Harken bridge runs (pid {existing.pid})")


def write_info(info: BridgeInfo, path: Path | None = None) -> Path:
    """Write ``info`` (0600 in a 0700 folder), replacing a stale file; DiscoveryError when
    another live bridge owns it."""
    path = path or discovery_file()
    _private_folder(path.parent)
    existing = read_info(path)
    if existing is not None and existing.pid != info.pid and is_live(existing):
        raise DiscoveryError(f"another Harken bridge runs (pid {existing.pid})")
    body = json.dumps({"url": info.url, "token": info.token, "pid": info.pid})
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body + "\n")
        os.replace(temp, path)
    except OSError as exc:
        raise DiscoveryError(f"cannot write {path}: {exc}") from None
    return path


def remove_info(pid: int, path: Path | None = None) -> None:
    """Remove the file if it still names ``pid`` (a newer bridge's file stays)."""
    path = path or discovery_file()
    existing = read_info(path)
    if existing is not None and existing.pid == pid:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _private_folder(folder: Path) -> None:
    """Make ``folder`` 0700 and check it is the user's own (a planted folder is refused)."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.lstat()
    except OSError as exc:
        raise DiscoveryError(f"cannot create {folder}: {exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise DiscoveryError(f"{folder} is not a folder")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise DiscoveryError(f"{folder} belongs to another user")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)
