"""The file operations behind Anthropic's memory tool, confined to the memory folders.

The model sees one tree::

    /memories/user/...        -> the user scope's folder
    /memories/workspace/...   -> this project's folder

Every path is checked before anything is touched: it must start with ``/memories``, name
a scope, hold no ``..`` and no hidden component (a ``.git`` the user keeps there is not
memory), and, with symlinks resolved, stay inside its scope's folder. Files must be text
(UTF-8, no NUL). A refusal is a ``ToolError`` whose message the model reads. Writes go
through a temporary file and a rename, so a note is never left half written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from agent.memory.folders import SCOPE_NAMES, VIRTUAL_ROOT, MemoryScopes
from agent.tools.base import ToolError

MAX_FILE_BYTES = 512 * 1024
LINE_NUMBER_WIDTH = 6
SCOPES_HELP = (
    "Memory paths are /memories/user/<file> (facts about the user, for every folder) or "
    "/memories/workspace/<file> (facts about this project)."
)


@dataclass(frozen=True)
class Target:
    """A checked memory path: ``virtual`` as the model wrote it (normalised), ``real``
    on disk; ``scope`` is None for ``/memories`` itself."""

    virtual: str
    scope: str | None
    root: Path | None
    real: Path | None

    @property
    def is_scope_root(self) -> bool:
        return self.real is not None and self.real == self.root


class MemoryStore:
    """Runs memory tool commands against the folders of ``scopes``."""

    def __init__(self, scopes: MemoryScopes) -> None:
        self.scopes = scopes

    # -- paths ----------------------------------------------------------------------

    def resolve(self, raw: str) -> Target:
        """Check ``raw`` and map it to its file; raises ``ToolError`` saying why not."""
        if not isinstance(raw, str) or not raw.strip():
            raise ToolError(f"A memory path is required. {SCOPES_HELP}")
        if "\x00" in raw:
            raise ToolError("A memory path cannot contain a NUL character.")
        path = raw.strip().replace("\\", "/")
        if path != VIRTUAL_ROOT and not path.startswith(VIRTUAL_ROOT + "/"):
            raise ToolError(f"Path must start with /memories, got: {raw}. {SCOPES_HELP}")
        parts = [p for p in path[len(VIRTUAL_ROOT) :].split("/") if p not in ("", ".")]
        if ".." in parts:
            raise ToolError(f"Path {raw} would escape /memories ('..' is not allowed).")
        if not parts:
            return Target(VIRTUAL_ROOT, None, None, None)
        scope, rest = parts[0], parts[1:]
        if scope not in SCOPE_NAMES:
            raise ToolError(f"{raw} is not in a memory scope. {SCOPES_HELP}")
        hidden = next((p for p in rest if p.startswith(".")), None)
        if hidden:
            raise ToolError(f"Path {raw}: hidden files and folders ({hidden}) are not memory.")
        root = self.scopes.folder(scope)
        real_root = Path(os.path.realpath(root))
        real = Path(os.path.realpath(root.joinpath(*rest))) if rest else real_root
        if real != real_root and real_root not in real.parents:
            raise ToolError(f"Path {raw} would escape /memories (a symlink leads out of it).")
        virtual = "/".join([VIRTUAL_ROOT, scope, *rest])
        return Target(virtual, scope, real_root, real)

    # -- commands -------------------------------------------------------------------

    def view(self, raw: str, view_range: list[int] | None = None) -> str:
        """A folder listing (two levels) or a file with line numbers."""
        target = self.resolve(raw)
        if target.real is None:
            return self._view_root()
        try:
            mode = os.lstat(target.real).st_mode
        except FileNotFoundError:
            if target.is_scope_root:
                return self._listing(target.virtual, [])
            raise ToolError(f"The path {target.virtual} does not exist.") from None
        if stat.S_ISDIR(mode):
            return self._listing(target.virtual, _entries(target.real, 2))
        text = self._read_text(target)
        lines = text.split("\n")
        start = 1
        if view_range:
            if len(view_range) != 2:
                raise ToolError("view_range must be two numbers: [first line, last line or -1].")
            first, last = view_range
            start = max(1, first)
            end = len(lines) if last == -1 else min(last, len(lines))
            if start > len(lines) or end < start:
                raise ToolError(
                    f"Invalid view_range {view_range}: {target.virtual} has {len(lines)} lines."
                )
            lines = lines[start - 1 : end]
        width = LINE_NUMBER_WIDTH
        numbered = [f"{str(n).rjust(width)}\t{line}" for n, line in enumerate(lines, start)]
        return f"Here's the content of {target.virtual} with line numbers:\n" + "\n".join(numbered)

    def create(self, raw: str, file_text: str) -> str:
        """A new file holding ``file_text``; an existing one is not overwritten."""
        target = self._file_target(raw)
        _check_text(file_text, target.virtual)
        if os.path.lexists(target.real):
            raise ToolError(
                f"File {target.virtual} already exists. Use str_replace or insert to change "
                "it, or delete it first."
            )
        self._write(target, file_text, new=True)
        return f"File created successfully at: {target.virtual}"

    def str_replace(self, raw: str, old_str: str, new_str: str) -> str:
        """Replace the one occurrence of ``old_str``."""
        target = self._file_target(raw)
        content = self._read_text(target)
        count = content.count(old_str) if old_str else 0
        if count == 0:
            raise ToolError(
                f"No replacement was performed, old_str `{old_str}` did not appear verbatim "
                f"in {target.virtual}."
            )
        if count > 1:
            raise ToolError(
                f"No replacement was performed: old_str `{old_str}` occurs {count} times in "
                f"{target.virtual}. Include more context so it is unique."
            )
        _check_text(new_str, target.virtual)
        line = content[: content.index(old_str)].count("\n")
        updated = content.replace(old_str, new_str)
        self._write(target, updated)
        lines = updated.split("\n")
        low, high = max(0, line - 2), min(len(lines), line + 3 + new_str.count("\n"))
        snippet = [f"{str(n + 1).rjust(LINE_NUMBER_WIDTH)}\t{lines[n]}" for n in range(low, high)]
        return "The memory file has been edited. Here is the snippet showing the change:\n" + (
            "\n".join(snippet)
        )

    def insert(self, raw: str, insert_line: int, insert_text: str) -> str:
        """Insert ``insert_text`` after line ``insert_line`` (0: at the top)."""
        target = self._file_target(raw)
        content = self._read_text(target)
        _check_text(insert_text, target.virtual)
        lines = content.split("\n")
        if content.endswith("\n"):
            lines.pop()
        if insert_line < 0 or insert_line > len(lines):
            raise ToolError(
                f"Invalid insert_line {insert_line}: it must be within [0, {len(lines)}]."
            )
        lines.insert(insert_line, insert_text.rstrip("\n"))
        self._write(target, "\n".join(lines) + "\n")
        return f"The file {target.virtual} has been edited."

    def delete(self, raw: str) -> str:
        """Remove a file or a folder (never a scope's folder itself)."""
        target = self.resolve(raw)
        if target.real is None or target.is_scope_root:
            raise ToolError(f"Cannot delete {target.virtual} itself; delete files inside it.")
        try:
            if os.path.isdir(target.real) and not os.path.islink(target.real):
                shutil.rmtree(target.real)
            else:
                os.unlink(target.real)
        except FileNotFoundError:
            raise ToolError(f"The path {target.virtual} does not exist.") from None
        except OSError as exc:
            raise _write_error(target.virtual, exc) from None
        return f"Successfully deleted {target.virtual}"

    def rename(self, old_path: str, new_path: str) -> str:
        """Move a file or folder to ``new_path`` (which must not exist yet)."""
        old = self.resolve(old_path)
        new = self._file_target(new_path)
        if old.real is None or old.is_scope_root:
            raise ToolError(f"Cannot rename {old.virtual} itself.")
        if not os.path.lexists(old.real):
            raise ToolError(f"The path {old.virtual} does not exist.")
        if os.path.lexists(new.real):
            raise ToolError(f"The destination {new.virtual} already exists.")
        try:
            new.real.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(old.real), str(new.real))
        except OSError as exc:
            raise _write_error(new.virtual, exc) from None
        return f"Successfully renamed {old.virtual} to {new.virtual}"

    # -- helpers ----------------------------------------------------------------------

    def _file_target(self, raw: str) -> Target:
        target = self.resolve(raw)
        if target.real is None or target.is_scope_root:
            raise ToolError(f"{target.virtual} is a folder; name a file inside it. {SCOPES_HELP}")
        return target

    def _read_text(self, target: Target) -> str:
        assert target.real is not None
        try:
            info = os.stat(target.real)
        except FileNotFoundError:
            raise ToolError(f"The path {target.virtual} does not exist.") from None
        except OSError as exc:
            raise ToolError(f"Cannot read {target.virtual}: {exc.strerror or exc}") from None
        if stat.S_ISDIR(info.st_mode):
            raise ToolError(f"{target.virtual} is a folder, not a file.")
        if not stat.S_ISREG(info.st_mode):
            raise ToolError(f"{target.virtual} is not a regular file; memory holds text files.")
        if info.st_size > MAX_FILE_BYTES:
            raise ToolError(f"{target.virtual} is larger than {MAX_FILE_BYTES // 1024} KB.")
        try:
            raw = target.real.read_bytes()
        except OSError as exc:
            raise ToolError(f"Cannot read {target.virtual}: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        if (not text and raw) or "\x00" in text:
            raise ToolError(
                f"{target.virtual} is not a text file (it is not UTF-8 text); memory tool "
                "commands work on text files only, and this one is left as it is."
            )
        return text

    def _write(self, target: Target, text: str, new: bool = False) -> None:
        assert target.real is not None
        data = text.encode("utf-8")
        if len(data) > MAX_FILE_BYTES:
            raise ToolError(f"{target.virtual} would be larger than {MAX_FILE_BYTES // 1024} KB.")
        folder = target.real.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".md")
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                if new:
                    os.link(temp, target.real)  # fails if it appeared meanwhile
                    os.unlink(temp)
                else:
                    os.replace(temp, target.real)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except FileExistsError:
            raise ToolError(f"File {target.virtual} already exists.") from None
        except OSError as exc:
            raise _write_error(target.virtual, exc) from None

    def _view_root(self) -> str:
        items: list[tuple[str, str]] = []
        for scope in self.scopes.all():
            items.append((_size(scope.folder), f"{scope.name}/"))
            items.extend((size, f"{scope.name}/{rel}") for size, rel in _entries(scope.folder, 1))
        return self._listing(VIRTUAL_ROOT, items)

    @staticmethod
    def _listing(virtual: str, items: list[tuple[str, str]]) -> str:
        header = (
            f"Here're the files and directories up to 2 levels deep in {virtual}, "
            "excluding hidden items:"
        )
        lines = [f"{size}\t{virtual}/{rel}" for size, rel in items]
        return "\n".join([header, virtual, *lines]) if lines else f"{header}\n{virtual} (empty)"


def _entries(folder: Path, levels: int) -> list[tuple[str, str]]:
    """(size, relative path) of what is in ``folder``, down to ``levels`` levels."""
    found: list[tuple[str, str]] = []
    real_root = os.path.realpath(folder)

    def walk(current: Path, prefix: str, level: int) -> None:
        try:
            children = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            return
        for entry in children:
            if entry.name.startswith("."):
                continue
            real = os.path.realpath(entry.path)
            if real != real_root and not real.startswith(real_root + os.sep):
                continue
            rel = f"{prefix}{entry.name}"
            if entry.is_dir():
                found.append((_size(Path(entry.path)), rel + "/"))
                if level < levels:
                    walk(Path(entry.path), rel + "/", level + 1)
            elif entry.is_file():
                found.append((_size(Path(entry.path)), rel))

    walk(folder, "", 1)
    return found


def _size(path: Path) -> str:
    try:
        size = float(os.stat(path).st_size)
    except OSError:
        return "-"
    for unit in ("B", "K", "M", "G"):
        if size < 1024 or unit == "G":
            return f"{int(size)}{unit}" if unit == "B" or size >= 10 else f"{size:.1f}{unit}"
        size /= 1024
    return "-"


def _check_text(text: str, virtual: str) -> None:
    if "\x00" in text:
        raise ToolError(f"Cannot write {virtual}: memory holds text only (no NUL characters).")


def _write_error(virtual: str, exc: OSError) -> ToolError:
    why = exc.strerror or str(exc)
    if exc.errno in (13, 30):  # EACCES, EROFS
        return ToolError(f"Cannot write {virtual}: the memory folder is read-only ({why}).")
    return ToolError(f"Cannot write {virtual}: {why}")
