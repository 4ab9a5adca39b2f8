"""Whose pet it is: the user id a pet is hatched from.

    default_user_id()        this login on this machine, hashed (stable, never sent anywhere)
    user_id_for(config, x)   an explicit id, else the ``buddy_user_id`` setting, else the default

The default hashes the login name with the machine id (``/etc/machine-id`` on Linux and
most BSDs, else the host name), so every account on every machine gets its own pet and
the raw values never leave this function.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MACHINE_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))


def default_user_id(login: str | None = None, machine: str | None = None) -> str:
    """``u-`` and 16 hex digits of SHA-256 over login and machine id."""
    login = login if login is not None else _login()
    machine = machine if machine is not None else machine_id()
    digest = hashlib.sha256(f"harken-buddy\0{login}\0{machine}".encode()).hexdigest()
    return f"u-{digest[:16]}"


def machine_id(files: Iterable[Path] = MACHINE_ID_FILES) -> str:
    """The OS's machine id where it has one, else the host name."""
    for path in files:
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text:
            return text
    return platform.node()


def user_id_for(config: Any, explicit: str | None = None) -> str:
    """The id to hatch from: ``explicit``, else the setting, else this user's default."""
    if explicit:
        return explicit
    configured = str(getattr(config, "buddy_user_id", "") or "").strip()
    return configured or default_user_id()


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password db
        return str(os.getuid()) if hasattr(os, "getuid") else "user"
