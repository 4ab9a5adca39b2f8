"""Which directory each command of a script runs in: where a literal ``cd`` lands, and
what is known after branches that may or may not have changed it. ``None`` is the
session's directory; ``UNKNOWN_DIR`` one known only at run time."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.permissions.shell_words import Word

UNKNOWN_DIR = "?"


def merge(a: str | None, b: str | None) -> str | None:
    """The directory after one of two paths ran: unknown unless both agree."""
    return a if a == b else UNKNOWN_DIR


def join(base: str | None, path: str) -> str:
    """Where ``cd path`` from ``base`` lands (bash's default cd is lexical, like normpath)."""
    if path.startswith("/"):
        return posixpath.normpath(path)
    if base == UNKNOWN_DIR:
        return UNKNOWN_DIR
    joined = posixpath.normpath(posixpath.join(base, path) if base else path)
    anchored = path.startswith("~") or (base or "").startswith("~")
    if anchored and not joined.startswith("~"):
        return UNKNOWN_DIR  # "~/.." is above the home folder, not the session's directory
    return joined


def cd_target(words: list[Word], cwd: str | None) -> str | None:
    """Where ``cd``, ``pushd`` or ``popd`` with these words (the name first) leaves the
    shell that was in ``cwd``."""
    name, args = words[0].text, words[1:]
    if name == "popd":
        return UNKNOWN_DIR
    if args and not args[0].dynamic and args[0].text == "--":
        args = args[1:]
    if args and not args[0].dynamic and args[0].text.startswith("-") and args[0].text != "-":
        if args[0].text != "-L":
            return UNKNOWN_DIR  # -P and -e resolve symbolic links
        args = args[1:]
    if not args:
        return "~" if name == "cd" else UNKNOWN_DIR
    if len(args) > 1 or args[0].dynamic or args[0].text == "-" or args[0].glob:
        return UNKNOWN_DIR
    return join(cwd, args[0].text)
