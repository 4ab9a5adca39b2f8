"""Writing settings back into the user's ``config.toml`` without losing what they wrote.

``save_settings(changes)`` rewrites only the ``key = value`` lines of the changed keys in
the file's top-level table, keeping comments (also a comment after the value), order,
blank lines and keys it does not know; keys not yet in the file are added at the end of
the top-level table. A file that is not valid TOML is refused with ``ConfigError``: it
holds something the user wrote, and only they can say what it meant.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from agent import paths
from agent.config import SETTINGS, Config
from agent.errors import ConfigError
from agent.tools.files import atomic_write

# A bare or quoted key followed by "="; dotted keys never name a Harken setting.
_KEY_LINE = re.compile(r"""^\s*(?P<key>[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')\s*=""")
_HEADER = re.compile(r"^\s*\[")
_KNOWN = {s.key for s in SETTINGS}


def save_settings(changes: dict[str, Any], path: Path | None = None) -> Path:
    """Write ``changes`` (setting key -> value) into the config file; returns its path.

    Raises ``ConfigError`` for an unreadable or invalid file, an unknown key or a value
    the setting does not accept; the file is then left exactly as it was.
    """
    path = path or paths.config_file()
    _validate(changes)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = b""
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        text = raw.decode("utf-8")
        tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path} is not valid TOML ({exc}); fix or remove it, then save again."
        ) from None
    newline = "\r\n" if "\r\n" in text else "\n"
    updated = update_toml(text.replace("\r\n", "\n"), changes)
    _verify(updated, changes, path)
    try:
        atomic_write(path, updated.replace("\n", newline).encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return path


def update_toml(text: str, changes: dict[str, Any]) -> str:
    """``text`` (valid TOML, ``\\n`` line endings) with each top-level key set to its value."""
    lines = text.split("\n")
    pending = dict(changes)
    root_end: int | None = None  # index of the first table header
    i = 0
    while i < len(lines):
        line = lines[i]
        if _HEADER.match(line):
            root_end = i
            break
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        end = _statement_end(lines, i)
        match = _KEY_LINE.match(line)
        key = _unquote(match.group("key")) if match else None
        if match and key in pending:
            value = pending.pop(key)
            lines[i : end + 1] = [_replace_value(lines[i : end + 1], match.end(), value)]
            end = i
        i = end + 1
    if root_end is None:
        root_end = len(lines)  # counted now: replacing a long value shortened the list
    if pending:
        insert_at = root_end
        while insert_at > 0 and not lines[insert_at - 1].strip():
            insert_at -= 1  # after the last line of the table, before its trailing blanks
        added = [f"{key} = {format_value(value)}" for key, value in pending.items()]
        if insert_at < len(lines) and _HEADER.match(lines[insert_at]):
            added.append("")  # a blank line between the settings and the first table
        lines[insert_at:insert_at] = added
    result = "\n".join(lines)
    return result if result.endswith("\n") else result + "\n"


def format_value(value: Any) -> str:
    """A TOML literal for a setting's value (bool, int, float or str)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"{value!r} cannot be saved as a setting.")
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes are valid TOML basic-string escapes; DEL must be escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    raise ConfigError(f"{value!r} cannot be saved as a setting.")


def _validate(changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - _KNOWN)
    if unknown:
        raise ConfigError(f"Unknown setting {unknown[0]!r}.")
    for key, value in changes.items():
        if value is None:
            raise ConfigError(f"{key} needs a value.")
        format_value(value)
    try:
        Config().override(**changes)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _statement_end(lines: list[str], start: int) -> int:
    """The last line of the key/value that starts at ``start`` (values may span lines)."""
    for end in range(start, len(lines)):
        try:
            tomllib.loads("\n".join(lines[start : end + 1]))
        except tomllib.TOMLDecodeError:
            continue
        return end
    return start


def _replace_value(statement: list[str], value_start: int, value: Any) -> str:
    """The statement's first line up to ``=``, the new value, and any trailing comment."""
    head = statement[0][:value_start]
    last = statement[-1]
    comment = ""
    # The comment starts at the first "#" before which the statement is complete TOML;
    # a "#" inside a string leaves the string open, so it is skipped.
    offset = len("\n".join(statement[:-1])) + (1 if len(statement) > 1 else 0)
    joined = "\n".join(statement)
    for pos in (m.start() for m in re.finditer("#", last)):
        try:
            tomllib.loads(joined[: offset + pos])
        except tomllib.TOMLDecodeError:
            continue
        before = last[:pos]
        comment = " " * (len(before) - len(before.rstrip())) + last[pos:]
        break
    return f"{head} {format_value(value)}{comment}"


def _unquote(key: str) -> str:
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
        return key[1:-1]
    return key


def _verify(text: str, changes: dict[str, Any], path: Path) -> None:
    """Refuse to write unless the new text parses and holds exactly the new values."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Could not update {path} safely ({exc}); nothing was written.") from None
    for key, value in changes.items():
        if data.get(key) != value or type(data.get(key)) is not type(value):
            raise ConfigError(f"Could not update {key} in {path} safely; nothing was written.")
