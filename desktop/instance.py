"""One Harken per user, and the local channel ``harken ptt`` and a second ``harken`` use.

    claim()          -> InstanceServer, or None when another instance is running
    InstanceServer   .serve(on_message) answers on a thread; .close()
    send(message)    -> the running instance's reply; raises NotRunning when there is none

Messages are single lines: ``show``, ``ptt press``, ``ptt release``, ``ptt toggle``
(each also with ``--dictate``: dictation, ``desktop.dictation``), ``quit``; the reply is
``ok`` or ``error <reason>``. One connection may carry several.

Where: ``$XDG_RUNTIME_DIR/harken/harken.sock``, else ``<tempdir>/harken-<uid>/``; the
folder is 0700 and the socket 0600, so only the user can connect. A lock file held for the
instance's whole life decides who runs (the kernel drops it when a process dies, however
it dies), so a socket left by a crash is known to be stale and replaced. On Windows the
channel is a TCP port on 127.0.0.1 written, with a secret the client must send first, to
a file in the user's own temp folder.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import secrets
import socket
import stat
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

MESSAGES = (
    "show",
    "ptt press",
    "ptt release",
    "ptt toggle",
    "ptt press --dictate",
    "ptt release --dictate",
    "ptt toggle --dictate",
    "quit",
)
SOCKET_NAME = "harken.sock"
PORT_FILE = "harken.port"  # Windows: "PORT SECRET"
LOCK_NAME = "harken.lock"
LINE_LIMIT = 1024
CLIENT_TIMEOUT = 2.0  # a connected client that says nothing for this long is dropped
WINDOWS = os.name == "nt"


class InstanceError(RuntimeError):
    """The channel to the running instance cannot be used; the message says why."""


class NotRunning(InstanceError):
    def __init__(self) -> None:
        super().__init__("Harken is not running")


def runtime_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """The user-only folder holding the socket and the lock."""
    base = environ.get("XDG_RUNTIME_DIR", "")
    if base and Path(base).is_dir():
        return Path(base) / "harken"
    return Path(tempfile.gettempdir()) / f"harken-{_user_id()}"


def claim(folder: Path | None = None) -> InstanceServer | None:
    """Become the one instance: a listening server, or None when another one runs."""
    folder = folder or runtime_dir()
    _private_folder(folder, create=True)
    lock = _try_lock(folder / LOCK_NAME)
    if lock is None:
        return None
    try:
        return _listen_tcp(folder, lock) if WINDOWS else _listen_unix(folder, lock)
    except OSError as exc:
        os.close(lock)
        raise InstanceError(f"Cannot open the instance socket in {folder}: {exc}") from None


def send(message: str, timeout: float = 2.0, folder: Path | None = None) -> str:
    """Send one message to the running instance and return its reply line."""
    folder = folder or runtime_dir()
    if not folder.exists():
        raise NotRunning()
    _private_folder(folder, create=False)
    try:
        sock, greeting = _connect(folder, timeout)
    except (FileNotFoundError, ConnectionRefusedError):
        raise NotRunning() from None
    except TimeoutError:
        raise InstanceError(f"Harken did not accept the connection within {timeout:g} s") from None
    except OSError as exc:
        raise InstanceError(f"Cannot reach Harken: {exc}") from None
    with sock:
        try:
            sock.sendall(greeting + message.strip().encode() + b"\n")
            reply = sock.makefile("rb").readline(LINE_LIMIT).decode(errors="replace").strip()
        except TimeoutError:
            raise InstanceError(f"Harken did not answer within {timeout:g} s") from None
        except OSError as exc:
            raise InstanceError(f"The connection to Harken broke: {exc}") from None
    if not reply:
        raise InstanceError("Harken closed the connection without answering")
    return reply


class InstanceServer:
    """The listening end, owned by the running app."""

    def __init__(self, listener: socket.socket, lock: int, path: Path, secret: str = "") -> None:
        self._listener = listener
        self._lock = lock
        self.path = path
        self._secret = secret
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._identity = os.stat(path) if not secret else None

    def serve(self, on_message: Callable[[str], str]) -> None:
        """Answer messages on a thread: each known message goes to ``on_message`` (called
        on that thread), whose return value is the reply."""
        if self._thread is not None:
            return
        self._listener.settimeout(0.2)  # to notice close() promptly
        self._thread = threading.Thread(
            target=self._accept, args=(on_message,), name="harken-instance", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop answering, remove the socket and let another instance start."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._listener.close()
        with contextlib.suppress(OSError):
            if self._identity is None or _same_file(self.path, self._identity):
                self.path.unlink()
        os.close(self._lock)

    def _accept(self, on_message: Callable[[str], str]) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            # One client at a time keeps press and release in the order they were sent.
            with conn:
                conn.settimeout(CLIENT_TIMEOUT)
                try:
                    self._converse(conn, on_message)
                except OSError as exc:  # a client that vanished or stalled
                    log.debug("instance client dropped: %s", exc)

    def _converse(self, conn: socket.socket, on_message: Callable[[str], str]) -> None:
        stream = conn.makefile("rwb")
        if self._secret:
            given = stream.readline(LINE_LIMIT).decode(errors="replace").strip()
            if not secrets.compare_digest(given, self._secret):
                return
        while line := stream.readline(LINE_LIMIT):
            reply = answer(line.decode(errors="replace"), on_message)
            stream.write(reply.encode() + b"\n")
            stream.flush()


def answer(line: str, on_message: Callable[[str], str]) -> str:
    """The reply to one line: ``on_message``'s for a known message, else an error."""
    message = " ".join(line.split()).lower()
    if message not in MESSAGES:
        return f"error unknown message {message!r}; expected one of: {', '.join(MESSAGES)}"
    try:
        reply = on_message(message)
    except Exception as exc:  # the app's failure is the client's answer, not a crash
        log.exception("handling %r failed", message)
        reply = f"error {exc or type(exc).__name__}"
    lines = (reply or "ok").strip().splitlines()
    return lines[0] if lines else "ok"


# -- the folder and the lock ---------------------------------------------------------------


def _private_folder(folder: Path, *, create: bool) -> None:
    """Make sure ``folder`` is a real folder of this user that nobody else can enter."""
    if create:
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700, parents=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise InstanceError(f"{folder} is not a folder (a link?); remove it.")
    if WINDOWS:
        return  # the user's own temp folder is private already
    if info.st_uid != os.getuid():
        raise InstanceError(f"{folder} belongs to another user; remove it.")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)


def _try_lock(path: Path) -> int | None:
    """An exclusive lock on ``path`` held through the returned descriptor; None if taken."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if WINDOWS:
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _same_file(path: Path, identity: os.stat_result) -> bool:
    # Only remove the socket this server made, not one a newer instance made since.
    now = os.stat(path)
    return (now.st_dev, now.st_ino) == (identity.st_dev, identity.st_ino)


def _user_id() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()


# -- the transport: a Unix socket, or TCP on Windows ---------------------------------------


def _connect(folder: Path, timeout: float) -> tuple[socket.socket, bytes]:
    """A connected socket and what to send before the first message."""
    if WINDOWS:
        try:
            port, secret = (folder / PORT_FILE).read_text().split()
        except (OSError, ValueError):
            raise FileNotFoundError from None
        return socket.create_connection(("127.0.0.1", int(port)), timeout), secret.encode() + b"\n"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(folder / SOCKET_NAME))
    except BaseException:
        sock.close()
        raise
    return sock, b""


def _listen_unix(folder: Path, lock: int) -> InstanceServer:
    path = folder / SOCKET_NAME
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # stale: a live owner would hold the lock
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
        os.chmod(path, 0o600)
        listener.listen(16)
    except OSError:
        listener.close()
        raise
    return InstanceServer(listener, lock, path)


def _listen_tcp(folder: Path, lock: int) -> InstanceServer:
    listener = socket.create_server(("127.0.0.1", 0))
    secret = secrets.token_hex(16)
    path = folder / PORT_FILE
    path.write_text(f"{listener.getsockname()[1]} {secret}\n")
    return InstanceServer(listener, lock, path, secret)
