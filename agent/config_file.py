"""Writing settings back into the user's ``config.toml`` without losing what they wrote.

``save_settings(changes)`` rewrites only the values of the changed keys in the file's
top-level table, with tomlkit, a style-preserving TOML library: comments (also a comment
after the value), order, spacing, blank lines and keys it does not know stay as they were;
keys not yet in the file are added at the end of the top-level table. A file that is not
valid TOML is refused with ``ConfigError``: it holds something the user wrote, and only
they can say what it meant.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

from agent import paths
from agent.config import SETTINGS, Config
from agent.errors import ConfigError
from agent.tools.files import atomic_write

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
    """``text`` (valid TOML, ``\\n`` line endings) with each top-level key set to its value.

    tomlkit keeps everything else as written: comments (also one after a replaced value),
    spacing around ``=``, order, blank lines, quoted keys and keys Harken does not know.
    A new key goes after the last one of the top-level table, before the first ``[table]``.
    """
    # Imported here: it costs ~30 ms, and only saving settings needs it.
    import tomlkit
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import AoT, Table

    try:
        document = tomlkit.parse(text)
        for key, value in changes.items():
            if isinstance(document.get(key), Table | AoT):
                # A [table] or dotted keys by that name: not a setting, and replacing it
                # would drop what the user wrote there.
                raise ConfigError(f"{key} is a table in the config file, not a setting.")
            # The literal is ours (format_value), so every value is spelled one way.
            document[key] = tomlkit.value(format_value(value))
        result = tomlkit.dumps(document)
    except TOMLKitError as exc:
        raise ConfigError(
            f"Could not update the config file safely ({exc}); nothing was written."
        ) from None
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


def _verify(text: str, changes: dict[str, Any], path: Path) -> None:
    """Refuse to write unless the new text parses and holds exactly the new values."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Could not update {path} safely ({exc}); nothing was written.") from None
    for key, value in changes.items():
        if data.get(key) != value or type(data.get(key)) is not type(value):
            raise ConfigError(f"Could not update {key} in {path} safely; nothing was written.")
