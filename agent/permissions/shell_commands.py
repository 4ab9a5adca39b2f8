"""What an analysis of a shell script finds: its simple commands (``Command``), their
redirections (``Redirect``), and the reasons it cannot be proven safe (``ShellAnalysis``).
``shell.analyze`` makes them; ``programs`` judges each command."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Redirect:
    """``target`` has quotes removed; when ``dynamic`` it is the raw source instead.
    ``writes``: opens a file for writing (not fd duplications, /dev/null or /dev/tcp)."""

    operator: str
    target: str
    writes: bool
    dynamic: bool = False


@dataclass(frozen=True)
class Command:
    """One simple command. ``argv`` is empty for a bare redirection (``> f``) or for the
    redirections of a compound command (``{ ...; } > f``). ``dynamic``: indices of argv
    words known only at run time (their raw source is kept). ``cwd``: directory from an
    earlier literal ``cd`` (None: the session's; "?": unknowable)."""

    argv: tuple[str, ...]
    wrappers: tuple[str, ...]
    redirects: tuple[Redirect, ...]
    text: str
    cwd: str | None
    dynamic: tuple[int, ...] = ()


@dataclass(frozen=True)
class ShellAnalysis:
    """``problems``: reasons the script cannot be proven safe; any means ask."""

    commands: tuple[Command, ...]
    problems: tuple[str, ...]
