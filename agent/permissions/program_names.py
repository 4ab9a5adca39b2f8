"""A program's name however it is spelled: ``/usr/bin/../bin/rm`` is rm, ``./rm`` is not.

A path into a system folder is as good as the program's name there (only root can change
those folders); a path elsewhere names a different program, one Harken does not know.
"""

from __future__ import annotations

import posixpath

# Where a path to a program is as good as its name: only root can change these.
SYSTEM_BIN = frozenset({"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin"})


def program_of(word: str) -> str | None:
    """The program's name; None for a path outside the system folders (``./rm`` is not
    rm)."""
    if "/" not in word:
        return word
    directory, name = posixpath.split(word)
    return name if posixpath.normpath(directory) in SYSTEM_BIN else None


def system_program(word: str) -> str | None:
    """The name of the system program ``word`` spells with a path (``/usr/bin/../bin/rm``
    is rm), or None: a bare name, or a path outside the system folders."""
    return program_of(word) if "/" in word else None
