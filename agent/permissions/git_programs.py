"""Files a repository's configuration makes git run or read as more configuration.

Git runs commands named in its configuration: ``core.fsmonitor`` on every ``git status``,
``core.pager``, filters, diff and merge drivers, shell aliases, credential helpers and
more (the keys below, from git-config(1)). When such a command is a script in the work
tree (``core.fsmonitor = ./tools/watch.sh``), writing the script is as good as writing the
configuration. The same holds for the folder ``core.hooksPath`` names (``.husky``) and the
files ``include.path`` / ``includeIf.<cond>.path`` pull in.

The configuration is read by git itself (``git config --list --show-origin``, includes
followed, every scope), which runs nothing it names. What it printed is kept while none
of the files it came from (nor the repository's own config files) has changed.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

CONFIG_TIMEOUT_S = 5.0
CACHE_SIZE = 256

# Values that are paths of configuration files, relative to the file that names them.
INCLUDE_KEYS = ("include.path", "includeif.*.path")
# A folder whose files git runs, relative to the top of the work tree.
HOOKS_KEYS = ("core.hookspath",)
# Values git runs as a command (mostly through the shell), from the top of the work tree.
# Names are lower case as ``git config --list`` prints them; ``*`` is any subsection.
COMMAND_KEYS = (
    "core.fsmonitor",
    "core.editor",
    "core.pager",
    "core.sshcommand",
    "core.askpass",
    "core.gitproxy",
    "core.alternaterefscommand",
    "sequence.editor",
    "diff.external",
    "diff.*.command",
    "diff.*.textconv",
    "merge.*.driver",
    "filter.*.clean",
    "filter.*.smudge",
    "filter.*.process",
    "credential.helper",
    "credential.*.helper",
    "gpg.program",
    "gpg.*.program",
    "gpg.ssh.defaultkeycommand",
    "alias.*",
    "pager.*",
    "interactive.difffilter",
    "remote.*.uploadpack",
    "remote.*.receivepack",
    "difftool.*.cmd",
    "difftool.*.path",
    "mergetool.*.cmd",
    "mergetool.*.path",
    "man.*.cmd",
    "man.*.path",
    "browser.*.cmd",
    "browser.*.path",
    "web.browser",
    "guitool.*.cmd",
    "trailer.*.command",
    "trailer.*.cmd",
    "instaweb.httpd",
    "sendemail.smtpserver",
    "submodule.*.update",
    "uploadpack.packobjectshook",
)


@dataclass(frozen=True)
class ConfigEntry:
    """One setting: the file it came from (None when not a file), its key, its value."""

    origin: Path | None
    key: str
    value: str


@dataclass(frozen=True)
class Named:
    """A path configuration names: ``config`` is true for a file git reads as configuration
    (a placeholder for it must be a valid, empty configuration file)."""

    path: Path
    config: bool = False


_cache: dict[Path, tuple[tuple[object, ...], list[ConfigEntry]]] = {}
_cache_lock = threading.Lock()


def read_config(git_dir: Path) -> list[ConfigEntry]:
    """Every setting git applies in ``git_dir`` (system, global, the repository's own and
    its worktree's, includes followed); empty when git is missing or refuses the folder."""
    with _cache_lock:
        cached = _cache.get(git_dir)
    if cached is not None and cached[0] == _signature(git_dir, cached[1]):
        return cached[1]
    entries = _run_git_config(git_dir)
    with _cache_lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[git_dir] = (_signature(git_dir, entries), entries)
    return entries


def _signature(git_dir: Path, entries: list[ConfigEntry]) -> tuple[object, ...]:
    """The state of every file the settings came from or could come from next time."""
    # HEAD too: ``includeIf.onbranch`` settings follow the branch checked out.
    files = {git_dir / n for n in ("config", "config.worktree", "commondir", "HEAD")}
    files |= {Path(os.path.expanduser("~/.gitconfig")), Path("/etc/gitconfig")}
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    files.add(Path(xdg) / "git" / "config")
    try:
        common = (git_dir / "commondir").read_text("utf-8", "surrogateescape").strip()
        files.add(Path(os.path.join(git_dir, common, "config")))
    except OSError:
        pass
    for entry in entries:
        if entry.origin is not None:
            files.add(entry.origin)
    files |= {n.path for n in named_paths(entries, git_dir) if n.config}
    state: list[object] = []
    for path in sorted(files):
        try:
            info = os.stat(path)
            state.append((path, info.st_mtime_ns, info.st_size, info.st_ino))
        except OSError:
            state.append((path, None))
    return tuple(state)


def git_config_fields(*args: str) -> list[str] | None:
    """``git ARGS`` (a ``config ... -z`` listing) split at its NUL separators, with the
    caller's ``GIT_*`` variables left out (they would point git elsewhere); None when git
    is missing, fails, or takes longer than ``CONFIG_TIMEOUT_S``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        done = subprocess.run(
            ["git", *args],
            capture_output=True,
            env=env,
            timeout=CONFIG_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogateescape").split("\0")


def _run_git_config(git_dir: Path) -> list[ConfigEntry]:
    fields = git_config_fields(
        f"--git-dir={git_dir}", "config", "--list", "--show-origin", "--includes", "-z"
    )
    if fields is None:
        return []
    entries = []
    for origin, item in zip(fields[0::2], fields[1::2], strict=False):
        key, _, value = item.partition("\n")
        source = Path(origin[5:]) if origin.startswith("file:") else None
        if source is not None and not source.is_absolute():
            source = git_dir / source
        entries.append(ConfigEntry(source, key, value))
    return entries


def named_paths(entries: list[ConfigEntry], top: Path) -> list[Named]:
    """The files and folders ``entries`` make git run or read as configuration, absolute
    and resolved. ``top``: where git runs commands (the top of the work tree, or the git
    folder of a bare repository)."""
    found: list[Named] = []
    for entry in entries:
        key = entry.key.lower()
        if _INCLUDE.match(key):
            base = entry.origin.parent if entry.origin else top
            found.append(Named(_resolve(entry.value, base), config=True))
        elif _HOOKS.match(key):
            found.append(Named(_resolve(entry.value, top)))
        elif _COMMAND.match(key):
            found += [Named(p) for p in _command_paths(entry.value, top)]
    return found


def _command_paths(value: str, top: Path) -> list[Path]:
    """The program a command value starts when it is given as a path, and the existing
    files below ``top`` it names (``sh tools/x.sh``); bare program names come from PATH."""
    text = value.strip().removeprefix("!")
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    paths = []
    for i, word in enumerate(words):
        word = word.strip(";&|()")
        if not word or word.startswith("-") or ("/" not in word and not word.startswith("~")):
            continue
        path = _resolve(word, top)
        if i == 0 or (_within(path, top) and os.path.lexists(path)):
            paths.append(path)
    return paths


def _resolve(value: str, base: Path) -> Path:
    return Path(os.path.realpath(os.path.join(base, os.path.expanduser(value))))


def _matcher(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(fnmatch.translate(p) for p in patterns))


_INCLUDE = _matcher(INCLUDE_KEYS)
_HOOKS = _matcher(HOOKS_KEYS)
_COMMAND = _matcher(COMMAND_KEYS)


def _within(path: Path, root: Path) -> bool:
    return os.path.commonpath([path, root]) == str(root)
