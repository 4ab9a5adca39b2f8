"""After a confined command: disable what a git directory it made would run outside.

Existing git directories keep their configuration and hooks read-only inside the sandbox
(agent.sandbox), but a git directory that does not exist yet cannot be masked: a bind
mount needs its mount point. So a command could create ``nested/.git`` with
``core.fsmonitor = <program>`` (or an executable ``hooks/post-checkout``), and the user's
next plain ``git status`` there would run that program unconfined.

When a confined command ends, the workspace is walked for git directories (recognised by
content, as agent.permissions.git_dirs does: HEAD plus objects/ and refs/, or the folder
a ``.git`` file names) that were not known when it started and whose configuration or
hooks changed during it (their ctime, which a command cannot set back). In each:

    config, config.worktree  holding a key that runs a program or pulls in other files
                             (agent.permissions.git_programs' lists; ``alias.*`` only
                             with ``!``) -> moved to ``<name>.harken-disabled``; a config
                             with only the repository-format settings takes its place
    hooks/                   holding anything but git's ``*.sample`` files -> moved to
                             ``hooks.harken-disabled``

A plain ``git init`` or ``git clone`` makes none of these, so it is left as it is. What
was disabled is told in the command's output, with how to restore it deliberately.
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent.permissions.git_dirs import (
    NOT_WALKED,
    WALK_LIMIT,
    common_dir,
    is_git_dir,
    read_gitfile,
)
from agent.permissions.git_programs import (
    COMMAND_KEYS,
    HOOKS_KEYS,
    INCLUDE_KEYS,
    git_config_fields,
)

if TYPE_CHECKING:
    from agent.sandbox import SandboxPolicy

SUFFIX = ".harken-disabled"
CONFIG_FILES = ("config", "config.worktree")
# File time stamps come from the kernel's coarse clock, a tick behind time.time_ns().
CLOCK_SLACK_NS = 1_000_000_000
# Kept in the config written in place of a disabled one: git needs them to read the
# repository at all, and none runs anything.
SAFE_KEYS = frozenset(
    {
        "core.repositoryformatversion",
        "core.bare",
        "core.filemode",
        "core.logallrefupdates",
        "core.ignorecase",
        "core.symlinks",
        "core.precomposeunicode",
        "extensions.objectformat",
        "extensions.refstorage",
    }
)
_SAFE_VALUE = re.compile(r"[\w.-]*")
_RUNS = re.compile(
    "|".join(fnmatch.translate(p) for p in (*COMMAND_KEYS, *HOOKS_KEYS, *INCLUDE_KEYS))
)
_BOOLEAN = frozenset({"", "true", "false", "yes", "no", "on", "off", "1", "0"})


@dataclass(frozen=True)
class Disabled:
    """One thing moved aside: ``path`` (now at ``moved_to``) and why (keys, hook names)."""

    path: Path
    moved_to: Path
    reasons: tuple[str, ...]


class GitWatch:
    """Made when a confined command starts; ``finish()`` (once it has ended) disables what
    new git directories would run and returns the note for its output: on the first call
    only ("" if nothing was disabled, and on later calls)."""

    def __init__(self, policy: SandboxPolicy) -> None:
        self.workspace = policy.workspace
        self.known = known_git_dirs(policy)
        self.started_ns = time.time_ns() - CLOCK_SLACK_NS
        self._done = False

    def finish(self) -> str:
        """Check once; the note is returned by the first call only."""
        if self._done:
            return ""
        self._done = True
        disabled: list[Disabled] = []
        failed: list[str] = []
        found = find_git_dirs(self.workspace)
        # A commondir file brings in that folder's config and hooks (even in $TMPDIR).
        found |= {common_dir(g) for g in found}
        for git_dir in sorted(found - self.known):
            try:
                disabled += neutralise(git_dir, self.started_ns)
            except OSError as exc:  # cannot move it aside: the user must know
                failed.append(f"- {git_dir}: {exc.strerror or exc}")
        if failed:
            failed.insert(
                0,
                "Harken could not check or disable git settings in new git "
                "directories this command made; the user should review them "
                "before running git there:",
            )
        return describe(disabled) + "\n".join(failed) + ("\n" if failed else "")


def known_git_dirs(policy: SandboxPolicy) -> frozenset[Path]:
    """The git directories the policy's scan found (their config or commondir is listed)."""
    dirs = {p.parent for p, _ in policy.git_paths if p.name in ("config", "commondir")}
    return frozenset({*dirs, *policy.reopened})


def find_git_dirs(workspace: Path, limit: int = WALK_LIMIT) -> set[Path]:
    """Git directories (resolved) in ``workspace`` and those its ``.git`` files name,
    looking through at most ``limit`` folders, breadth first, not into git directories."""
    found: set[Path] = set()
    queue = deque([str(workspace)])
    looked = 0
    while queue and looked < limit:
        folder = queue.popleft()
        looked += 1
        folders: list[str] = []
        try:
            with os.scandir(folder) as entries:
                names = []
                for entry in entries:
                    names.append(entry.name)
                    if entry.name == ".git":
                        continue
                    if entry.is_dir(follow_symlinks=False) and entry.path not in NOT_WALKED:
                        folders.append(entry.path)
        except OSError:
            continue
        if "HEAD" in names and is_git_dir(Path(folder)):
            found.add(Path(os.path.realpath(folder)))
            continue
        if ".git" in names:
            dot_git = Path(folder, ".git")
            target = dot_git if os.path.isdir(dot_git) else read_gitfile(dot_git)
            if target is not None and is_git_dir(target):
                found.add(Path(os.path.realpath(target)))
        queue.extend(folders)
    return found


def neutralise(git_dir: Path, since_ns: int) -> list[Disabled]:
    """Move aside ``git_dir``'s configuration files and hooks that run programs, if they
    changed after ``since_ns`` (older ones were the user's before the command)."""
    disabled: list[Disabled] = []
    for name in CONFIG_FILES:
        path = git_dir / name
        if not _changed(path, since_ns):
            continue
        entries = _entries(path)
        reasons = _code_keys(entries) if entries is not None else ("unreadable configuration",)
        if reasons:
            moved = _move_aside(path)
            if name == "config":
                _write_safe(path, entries or [])
            disabled.append(Disabled(path, moved, reasons))
    hooks = git_dir / "hooks"
    if _changed(hooks, since_ns) or any(_changed(p, since_ns) for p in _hook_files(hooks)):
        planted = tuple(sorted(p.name for p in _hook_files(hooks)))
        if planted or os.path.islink(hooks):
            moved = _move_aside(hooks)
            disabled.append(Disabled(hooks, moved, planted or ("a link to another folder",)))
    return disabled


def describe(disabled: list[Disabled]) -> str:
    """The note for the command's output; "" when nothing was disabled."""
    if not disabled:
        return ""
    lines = [
        "",
        "Harken disabled git settings this command created in a new git directory, "
        "because git would run them outside the sandbox on the user's next git command "
        "there:",
    ]
    for item in disabled:
        lines.append(
            f"- {item.path} ({', '.join(item.reasons)}) moved to {item.moved_to}; "
            f"to restore it deliberately after reviewing it: "
            f"mv {_sh(item.moved_to)} {_sh(item.path)}"
        )
    lines.append(
        "Tell the user about this. Do not restore or recreate these yourself; if the work "
        "needs them, the user decides."
    )
    return "\n".join(lines) + "\n"


def _changed(path: Path, since_ns: int) -> bool:
    try:
        return os.lstat(path).st_ctime_ns >= since_ns
    except OSError:
        return False


def _hook_files(hooks: Path) -> list[Path]:
    try:
        with os.scandir(hooks) as entries:
            return [Path(e.path) for e in entries if not e.name.endswith(".sample")]
    except OSError:
        return []


def _entries(path: Path) -> list[tuple[str, str]] | None:
    """The settings in the file itself (includes not followed: they count as code);
    None when git cannot read it."""
    items = git_config_fields("config", "--file", str(path), "--no-includes", "--list", "-z")
    if items is None:
        return None
    pairs = (item.partition("\n") for item in items if item)
    return [(key, value) for key, _, value in pairs]


def _code_keys(entries: list[tuple[str, str]]) -> tuple[str, ...]:
    """The keys among ``entries`` that make git run a program."""
    found = []
    for key, value in entries:
        lower = key.lower()
        if lower.startswith("alias."):
            runs = value.lstrip().startswith("!")
        elif lower.startswith("pager."):
            runs = value.strip().lower() not in _BOOLEAN
        elif lower.startswith("protocol.") and lower.endswith(".allow"):
            # Allowing ext:: lets a remote URL be a shell command.
            runs = lower in ("protocol.ext.allow", "protocol.allow") and value != "never"
        elif lower.startswith("remote.") and lower.endswith(".url"):
            runs = value.startswith("ext::")
        else:
            runs = bool(_RUNS.fullmatch(lower))
        if runs:
            found.append(f"{key} = {value}" if len(value) <= 80 else f"{key} = {value[:77]}...")
    return tuple(found)


def _move_aside(path: Path) -> Path:
    target = path.with_name(path.name + SUFFIX)
    number = 1
    while os.path.lexists(target):
        number += 1
        target = path.with_name(f"{path.name}{SUFFIX}-{number}")
    os.rename(path, target)
    return target


def _write_safe(path: Path, entries: list[tuple[str, str]]) -> None:
    sections: dict[str, list[str]] = {}
    for key, value in entries:
        if key.lower() in SAFE_KEYS and _SAFE_VALUE.fullmatch(value):
            section, _, name = key.partition(".")
            sections.setdefault(section, []).append(f"\t{name} = {value}\n")
    text = "".join(f"[{s}]\n" + "".join(lines) for s, lines in sections.items())
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)


def _sh(path: Path) -> str:
    text = str(path)
    return text if re.fullmatch(r"[\w./@%+=:,-]+", text) else "'" + text.replace("'", "'\\''") + "'"
