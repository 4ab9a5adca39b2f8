"""What a tool call touches, worked out before any rule is consulted.

Every call becomes a ``Classification``: the paths it reads and writes (resolved: ``~``,
``..`` and symlinks followed), the hosts it contacts, the commands it runs, whether it
could be fully understood, and whether it is catastrophic. Shell commands are parsed with
tree-sitter-bash (``shell.analyze``) and each simple command judged (``programs``).
"""

from __future__ import annotations

import glob
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from agent.permissions.archive_members import extracted
from agent.permissions.decision import ToolCall
from agent.permissions.desktop_calls import DESKTOP_TOOLS, classify_desktop
from agent.permissions.paths import resolve
from agent.permissions.program_args import Invocation
from agent.tools.base import ToolKind

UNKNOWN = "<unknown>"
TMP = "<tmp>"
GLOB_LIMIT = 500  # matches followed per pattern; beyond that the literal pattern stands


@dataclass(frozen=True)
class ShellPart:
    """One simple command of a shell call, for rule matching and messages."""

    words: str  # argv after unwrapping, joined by spaces
    full: str  # with its wrappers (sudo, timeout, env ...) in front
    effect: str  # read | write | execute | network
    reason: str
    wrappers: tuple[str, ...] = ()
    # Its words with what it does beyond its program's own behaviour (for allow rules).
    invocation: Invocation | None = None


@dataclass(frozen=True)
class Classification:
    """``kind`` is the most consequential thing the call does."""

    tool: str
    kind: ToolKind
    reads: tuple[Path, ...] = ()
    writes: tuple[Path, ...] = ()
    hosts: tuple[str, ...] = ()
    parts: tuple[ShellPart, ...] = ()
    # Folders whose whole contents the call may read (Glob, Grep, `grep -r`, `find`, ...).
    deep_reads: tuple[Path, ...] = ()
    unknown_writes: bool = False
    unknown_hosts: bool = False
    # Hosts that shell redirections connect to (`> /dev/tcp/HOST/PORT`): the shell opens
    # these sockets, not the program an allow rule names.
    socket_hosts: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    catastrophic: str = ""
    summary: str = ""

    @property
    def read_only(self) -> bool:
        return self.kind in (ToolKind.READ, ToolKind.INTERNAL)


_FILE_READERS = {"Read": "file_path", "Glob": "path", "Grep": "path"}
_FILE_WRITERS = {"Write": "file_path", "Edit": "file_path"}
_INTERNAL = {"TodoWrite", "BashOutput", "KillShell"}


def classify(call: ToolCall, workspace: Path) -> Classification:
    """Classify one call; ``call.cwd`` (the shell's folder) defaults to the workspace."""
    cwd = call.cwd or workspace
    name = call.name
    if name in _FILE_READERS:
        raw = call.input.get(_FILE_READERS[name]) or "."
        path = resolve(str(raw), workspace)
        deep = (path,) if name != "Read" else ()
        return Classification(
            name, ToolKind.READ, reads=(path,), deep_reads=deep, summary=f"reads {path}"
        )
    if name in _FILE_WRITERS:
        path = resolve(str(call.input.get(_FILE_WRITERS[name], "")), workspace)
        return Classification(name, ToolKind.WRITE, writes=(path,), summary=f"writes {path}")
    if name == "WebFetch":
        host = urlsplit(str(call.input.get("url", ""))).hostname or UNKNOWN
        return Classification(name, ToolKind.NETWORK, hosts=(host,), summary=f"fetches from {host}")
    if name in _INTERNAL:
        return Classification(name, ToolKind.INTERNAL, summary="changes only the session")
    if name == "Undo" and call.input.get("action") == "list":  # an Undo that only lists
        return Classification(name, ToolKind.READ, summary="lists the session's checkpoints")
    if name == "Bash":
        return classify_shell(str(call.input.get("command", "")), cwd)
    if name in DESKTOP_TOOLS:  # Clipboard, Screenshot, Open, ...: see desktop_calls
        return classify_desktop(call, workspace)
    # Other tools (MCP servers' among them) are judged by the kind they declare.
    return Classification(name, call.kind, summary=f"runs the tool {name}")


# Programs that read whole folder trees: a deny rule on a file below a folder they read
# must stop them (`grep -r KEY .` reads .env).
_TREE_READERS = frozenset({"rg", "ag", "ack", "find", "fd", "tar", "zip", "rsync", "du", "tree"})
_RECURSIVE_FLAGS = frozenset({"-r", "-R", "--recursive", "--dereference-recursive"})


def _resolve_all(raw: str, base: Path) -> list[Path]:
    """``raw`` resolved, and for a glob pattern every file it matches now as well: a
    symlink the pattern picks up (`cat link*`) must be judged by where it points."""
    resolved = [resolve(raw, base)]
    if any(ch in raw for ch in "*?["):
        pattern = os.path.join(base, os.path.expanduser(raw))
        for match in itertools.islice(glob.iglob(pattern), GLOB_LIMIT):
            resolved.append(resolve(match, base))
    return resolved


def _reads_trees(argv: tuple[str, ...]) -> bool:
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    if program in _TREE_READERS:
        return True
    flags = [a for a in argv[1:] if a.startswith("-")]
    short = "".join(f[1:] for f in flags if not f.startswith("--"))
    return any(f in _RECURSIVE_FLAGS for f in flags) or "r" in short or "R" in short


def _socket_host(target: str) -> str:
    """HOST of a ``/dev/tcp/HOST/PORT`` or ``/dev/udp/...`` redirection target (bash
    connects there), ``""`` for any other target."""
    if not target.startswith(("/dev/tcp/", "/dev/udp/")):
        return ""
    host = target.split("/")[3] if target.count("/") >= 3 else ""
    return host.lower() or UNKNOWN


_SEVERITY = {"read": 0, "write": 1, "network": 2, "execute": 3}
_KIND = {
    "read": ToolKind.READ,
    "write": ToolKind.WRITE,
    "network": ToolKind.NETWORK,
    "execute": ToolKind.EXECUTE,
}


def classify_shell(command: str, cwd: Path) -> Classification:
    """Classify a Bash command: every simple command in it, judged one by one."""
    from agent.permissions.programs import effects
    from agent.permissions.shell import analyze

    analysis = analyze(command)
    problems = list(analysis.problems)
    reads: list[Path] = []
    deep: list[Path] = []
    writes: list[Path] = []
    hosts: list[str] = []
    parts: list[ShellPart] = []
    unknown_writes = unknown_hosts = False
    sockets: list[str] = []
    catastrophic = ""
    worst = "read"
    for eff in effects(analysis):
        cmd = eff.command
        effect = str(eff.effect)
        if _SEVERITY[effect] > _SEVERITY[worst]:
            worst = effect
        if cmd.cwd == "?":
            base: Path | None = None
            if eff.reads or eff.writes or effect != "read":
                problems.append(f"`{cmd.text}` runs in a folder that cannot be known")
        else:
            base = resolve(cmd.cwd, cwd) if cmd.cwd else cwd
        reaches_down = _reads_trees(cmd.argv)
        for raw in eff.reads:
            if raw == UNKNOWN or base is None:
                problems.append(f"`{cmd.text}` reads paths that cannot be known")
                continue
            for path in _resolve_all(raw, base):
                reads.append(path)
                if reaches_down:
                    deep.append(path)
        if effect == "read" and not eff.reads and base is not None:
            reads.append(base)  # `ls`, `git log`: the folder it runs in
        written: list[Path] = []
        for raw in eff.writes:
            if raw == TMP:
                continue  # mktemp and friends: a fresh file in the (sandboxed) temp folder
            if raw == UNKNOWN or base is None:
                unknown_writes = True
            else:
                written.extend(_resolve_all(raw, base))
        if cmd.argv and written and base is not None:
            # An archive's members land under the folder: judged where they can be read.
            archives = [resolve(r, base) for r in eff.reads if r != UNKNOWN]
            written += extracted(cmd.argv, archives, written)
        writes += written
        sockets += [_socket_host(r.target) for r in cmd.redirects if not r.dynamic]
        for host in eff.hosts:
            if host == UNKNOWN:
                unknown_hosts = True
            else:
                hosts.append(host)
        if eff.catastrophic and not catastrophic:
            catastrophic = f"`{cmd.text}`: {eff.reason}"
        words = " ".join(cmd.argv)
        full = " ".join([*cmd.wrappers, words]) if cmd.wrappers else words
        parts.append(
            ShellPart(words, full, effect, eff.reason, tuple(cmd.wrappers), eff.invocation)
        )
    if not parts and not problems:
        problems.append("no command found")
    summary = "; ".join(dict.fromkeys(p.reason for p in parts)) or "runs a shell command"
    return Classification(
        "Bash",
        _KIND[worst],
        reads=tuple(reads),
        writes=tuple(writes),
        hosts=tuple(dict.fromkeys(hosts)),
        parts=tuple(parts),
        deep_reads=tuple(deep),
        unknown_writes=unknown_writes,
        unknown_hosts=unknown_hosts,
        socket_hosts=tuple(dict.fromkeys(h for h in sockets if h)),
        problems=tuple(dict.fromkeys(problems)),
        catastrophic=catastrophic,
        summary=summary,
    )
