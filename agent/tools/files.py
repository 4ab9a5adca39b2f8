"""Files as the agent sees them: what it has read, safe writes, text versus binary.

FileTracker   content hashes of files the agent read or wrote, to refuse stale edits
atomic_write  replace a file's bytes so readers see the old file or the new, never half
looks_binary  NUL bytes mean binary, as git and ripgrep judge
overlay       files a front end holds for one tool call (an editor's unsaved buffers)
decode_bytes  a text file's characters and its Codec (encoding and byte order mark), exact
TextFile      decoded text with the file's line ending and encoding, to write back alike
              (for previews; Read, Edit and Write see files through ``text_lines``)
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import stat
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from agent.tools.base import ToolError

SNIFF_BYTES = 8192


@dataclass
class Overlay:
    """Files a front end holds instead of the disk during one tool call (an editor's
    unsaved buffers, over ACP): ``require_fresh`` sees the ``held`` bytes of those paths,
    and ``atomic_write`` leaves what it would write in ``written`` for the front end."""

    held: dict[Path, bytes] = field(default_factory=dict)  # keyed by real path
    written: list[tuple[Path, bytes]] = field(default_factory=list)


# Set around one tool call; a ContextVar, so concurrent calls (tasks) never share one.
overlay: ContextVar[Overlay | None] = ContextVar("harken_file_overlay", default=None)


def _key(path: Path | str) -> Path:
    return Path(os.path.realpath(path))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FileTracker:
    """Remembers the sha256 of each file's bytes when the agent last read or wrote it."""

    _hashes: dict[Path, str] = field(default_factory=dict)

    def record(self, path: Path | str, data: bytes) -> None:
        """Note that the agent has seen ``data`` as the content of ``path``."""
        self._hashes[_key(path)] = _digest(data)

    def was_read(self, path: Path | str) -> bool:
        """Whether the agent has read or written ``path`` in this session."""
        return _key(path) in self._hashes

    def require_fresh(self, path: Path | str) -> bytes:
        """The file's current bytes; ``ToolError`` if never read or changed since."""
        key = _key(path)
        known = self._hashes.get(key)
        if known is None:
            raise ToolError(
                f"{path} has not been read in this session. Read it first, then change it."
            )
        held = overlay.get()
        try:
            data = held.held[key] if held and key in held.held else key.read_bytes()
        except FileNotFoundError:
            raise ToolError(
                f"{path} was deleted since it was last read. Check with the user before "
                "recreating it."
            ) from None
        except OSError as exc:
            raise ToolError(f"Cannot read {path}: {exc.strerror or exc}") from None
        # Content, not mtime: editors and formatters touch files without changing them.
        if _digest(data) != known:
            raise ToolError(
                f"{path} has changed since it was last read (by the user, a formatter or "
                "another program). Read it again before changing it."
            )
        return data


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file and rename; keeps permission bits."""
    held = overlay.get()
    if held is not None:  # a front end saves it (see ``Overlay``)
        held.written.append((Path(path), data))
        return
    # Through a symlink the target is replaced, not the link.
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp = _open_temp(target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            if mode is not None:
                os.fchmod(f.fileno(), mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _open_temp(target: Path) -> tuple[int, str]:
    # Mode 0o666 lets the umask decide a new file's bits, as for any other program.
    for attempt in range(100):
        tmp = target.parent / f".{target.name}.harken-{os.getpid()}-{attempt}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), str(tmp)
        except FileExistsError:
            continue
    raise OSError(f"cannot create a temporary file next to {target}")


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every file system allows it.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` looks like a binary file (a NUL byte near the start)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\0" in data[:SNIFF_BYTES]


@dataclass(frozen=True)
class Codec:
    """How a text file's characters became its bytes: ``encoding`` (utf-8, utf-16-le or
    utf-16-be) after the byte order mark ``bom`` (empty when it had none)."""

    encoding: str = "utf-8"
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        """``text`` as this file's bytes: the same BOM, the same encoding."""
        return self.bom + text.encode(self.encoding)


def decode_bytes(data: bytes) -> tuple[str, Codec]:
    """A text file's characters, exactly (no line ending changed), and its codec, so
    ``codec.encode(text) == data``. Raises ``ValueError`` when ``data`` is not text."""
    if data.startswith(codecs.BOM_UTF8):
        codec = Codec("utf-8", codecs.BOM_UTF8)
    elif data.startswith(codecs.BOM_UTF16_LE):
        codec = Codec("utf-16-le", codecs.BOM_UTF16_LE)
    elif data.startswith(codecs.BOM_UTF16_BE):
        codec = Codec("utf-16-be", codecs.BOM_UTF16_BE)
    elif b"\0" in data[:SNIFF_BYTES]:
        raise ValueError("binary content")
    else:
        codec = Codec()
    # UnicodeDecodeError is a ValueError; "strict" also refuses lone surrogates.
    return data[len(codec.bom) :].decode(codec.encoding), codec


@dataclass(frozen=True)
class TextFile:
    """A text file's content with ``\\n`` line endings, and how to encode it back."""

    text: str
    newline: str = "\n"
    encoding: str = "utf-8"

    def encode(self, text: str) -> bytes:
        """``text`` (with ``\\n`` endings) in this file's line ending and encoding."""
        if self.newline != "\n":
            text = text.replace("\r\n", "\n").replace("\n", self.newline)
        return text.encode(self.encoding)


def decode_text(data: bytes) -> TextFile:
    """Decode a file's bytes; raises ``ValueError`` when they are not text."""
    text, codec = decode_bytes(data)
    encoding = {b"": "utf-8", codecs.BOM_UTF8: "utf-8-sig"}.get(codec.bom, "utf-16")
    crlf = text.count("\r\n")
    # Only a file that ends every line with CRLF is converted; mixed files stay as they are.
    if crlf and crlf == text.count("\n"):
        return TextFile(text=text.replace("\r\n", "\n"), newline="\r\n", encoding=encoding)
    return TextFile(text=text, encoding=encoding)


def split_lines(text: str) -> list[str]:
    """Lines as editors and ``grep -n`` count them (only ``\\n`` ends a line)."""
    if not text:
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def human_size(size: int) -> str:
    """A byte count for people: ``512 bytes``, ``12.3 KB``, ``4.0 MB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
