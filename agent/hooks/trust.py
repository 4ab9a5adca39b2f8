"""Trust a project must earn before its hooks run or its skills are offered.

Like a project's allow rules (``agent.permissions.settings``): trust is recorded per
folder, in the user's own ``permissions.json`` (never in the project), as a fingerprint of
exactly what was shown; adding, removing or changing any entry asks again. Trust covers
the programs too, not only the lines that start them: every word of a command that names
an existing program file inside the workspace (``./check.sh``, ``scripts/lint.py``) adds
that file's content to the fingerprint, so an edited script asks again. Data files a
command names (a log it appends to, a database) do not count: they change with every run.

    fingerprint(value)              a hash of a JSON-ready value (key order ignored)
    with_files(value, files)        the fingerprint of ``value`` and those files' contents
    workspace_files(words, ws)      the files inside ``ws`` that ``words`` name, hashed
    command_words(command)          the words of a shell command line
    is_trusted(workspace, what, fp) whether the user trusted ``fp`` for ``what`` there
    trust(workspace, what, fp)      record it
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from agent.json_file import read_json_object
from agent.permissions import settings

# Keys in the workspace's entry of permissions.json, beside "trusted_project_rules".
HOOKS = "trusted_project_hooks"
SKILLS = "trusted_project_skills"
# How much of a named file is hashed (with its size): enough for any script, and a huge
# file named by accident costs no more than this to check at every start.
HASHED_BYTES = 1 << 20
_PROJECT_VARS = ("CLAUDE_PROJECT_DIR", "HARKEN_PROJECT_DIR")
# A file is a program when it is executable, starts with "#!" or has one of these endings.
SCRIPT_SUFFIXES = frozenset(
    (  # noqa: SIM905  (a word list reads better than 31 quoted items)
        ".sh .bash .zsh .fish .py .pyw .js .mjs .cjs .ts .mts .rb .pl .php .lua .ps1 .jar .tcl"
        " .r .jl .exs .ex .go .rs .java .kt .swift .dart .groovy .awk .sed"
    ).split()
)


def fingerprint(value: Any) -> str:
    """A hash of ``value`` as written (dict key order does not matter)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def with_files(value: Any, files: dict[str, str]) -> str:
    """The fingerprint of ``value`` and of the ``files`` it runs (``workspace_files``).
    Without files it is ``fingerprint(value)``: trust recorded before files counted holds."""
    return fingerprint({"config": value, "files": files}) if files else fingerprint(value)


def workspace_files(
    words: Iterable[str], workspace: Path, bases: Iterable[Path] = ()
) -> dict[str, str]:
    """Each existing program file inside ``workspace`` that one of ``words`` names
    (relative to one of ``bases``, else to the workspace; ``--opt=PATH`` counts too), as
    its resolved path -> a hash of its first ``HASHED_BYTES`` and its size. Symbolic links
    are followed, so a link out of the workspace names nothing there. Data files (see
    ``is_program``) do not count."""
    root = os.path.realpath(workspace)
    folders = [os.path.join(root, os.path.expanduser(str(b))) for b in bases] + [root]
    found: dict[str, str] = {}
    for word in words:
        for part in {word, word.partition("=")[2]}:
            if not part or "\0" in part:
                continue
            for folder in folders:
                path = os.path.realpath(os.path.join(folder, os.path.expanduser(part)))
                if path.startswith(root + os.sep) and os.path.isfile(path):
                    if is_program(path):
                        found[path] = _file_hash(path)
                    break
    return found


def is_program(path: str) -> bool:
    """Whether the file at ``path`` is code a command may run: executable, a ``#!``
    script, or a source file by its ending."""
    if os.access(path, os.X_OK) or Path(path).suffix.lower() in SCRIPT_SUFFIXES:
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == b"#!"
    except OSError:
        return False


def command_words(command: str) -> list[str]:
    """The words of the shell command line ``command``, ``$CLAUDE_PROJECT_DIR`` and
    ``$HARKEN_PROJECT_DIR`` left for the caller (see ``project_words``), operators
    (``;``, ``&&``, ``|``) apart; a quoted word holding a command (``sh -c "./x.sh"``)
    adds its own words."""
    words = _split(command)
    return words + [w for word in words if " " in word for w in _split(word)]


def project_words(words: Iterable[str], workspace: Path) -> list[str]:
    """``words`` with the workspace variables hooks see replaced by ``workspace``."""
    out = []
    for word in words:
        for name in _PROJECT_VARS:
            word = word.replace("${" + name + "}", str(workspace))
            word = word.replace("$" + name, str(workspace))
        out.append(word)
    return out


def _split(command: str) -> list[str]:
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        return list(lexer)
    except ValueError:  # an unbalanced quote: the shell refuses it too; words are enough
        return command.split()


def _file_hash(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            head = handle.read(HASHED_BYTES)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return "unreadable"
    return f"{hashlib.sha256(head).hexdigest()}:{size}"


def is_trusted(
    workspace: Path, what: str, value_fingerprint: str, store: Path | None = None
) -> bool:
    """Whether the user trusted exactly ``value_fingerprint`` for ``what`` in ``workspace``."""
    data = read_json_object(store or settings.store_path(), []) or {}
    entry = (data.get("workspaces") or {}).get(os.path.realpath(workspace)) or {}
    return isinstance(entry, dict) and entry.get(what) == value_fingerprint


def trust(workspace: Path, what: str, value_fingerprint: str, store: Path | None = None) -> None:
    """Record that the user trusts ``value_fingerprint`` for ``what`` in ``workspace``;
    raises ``ConfigError`` when permissions.json cannot be read (it is never overwritten)."""
    settings._update_workspace(
        workspace, store, lambda entry: entry.update({what: value_fingerprint})
    )
