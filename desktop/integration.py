"""Putting Harken into the desktop's menus and autostart, and taking it out again.

Files come from ``resources/desktop`` and ``resources/icons`` (package data) and go to the
user's XDG folders, with ``Exec=`` pointing at the ``harken`` that is running, so an
install with pip or pipx into any virtual environment starts the right program.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

APP_ID = "io.github.harken.Harken"
ICON_NAME = "harken"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def launcher() -> str:
    """The command line that starts this Harken, quoted for a desktop entry."""
    script = Path(sys.argv[0])
    if script.name == "harken" and script.exists():
        return shlex.quote(str(script.resolve()))
    found = shutil.which("harken")
    if found:
        return shlex.quote(found)
    return f"{shlex.quote(sys.executable)} -m desktop.cli"


def _resource(*parts: str) -> bytes:
    return files("resources").joinpath(*parts).read_bytes()


def _entry(name: str, exec_line: str) -> bytes:
    text = _resource("desktop", name).decode()
    lines = [
        f"Exec={exec_line}" if line.startswith("Exec=") else line for line in text.splitlines()
    ]
    return ("\n".join(lines) + "\n").encode()


def desktop_files(base: Path | None = None) -> dict[Path, bytes]:
    """Every file ``install`` writes, by destination."""
    base = base or data_home()
    out = {
        base / "applications" / f"{APP_ID}.desktop": _entry(f"{APP_ID}.desktop", launcher()),
        base / "metainfo" / f"{APP_ID}.metainfo.xml": _resource(
            "desktop", f"{APP_ID}.metainfo.xml"
        ),
        base / "icons/hicolor/scalable/apps" / f"{ICON_NAME}.svg": _resource("icons", "harken.svg"),
    }
    for size in ICON_SIZES:
        out[base / f"icons/hicolor/{size}x{size}/apps" / f"{ICON_NAME}.png"] = _resource(
            "icons", f"harken-{size}.png"
        )
    return out


def install(base: Path | None = None) -> list[Path]:
    """Write the desktop entry, metainfo and icons; returns the paths written."""
    written = []
    for path, data in desktop_files(base).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    _refresh_caches(base or data_home())
    return written


def uninstall(base: Path | None = None) -> list[Path]:
    """Remove what ``install`` wrote (and the autostart entry); returns what was removed."""
    removed = []
    targets = [*desktop_files(base), autostart_path()]
    for path in targets:
        if path.exists():
            path.unlink()
            removed.append(path)
    _refresh_caches(base or data_home())
    return removed


def autostart_path() -> Path:
    return config_home() / "autostart" / "harken.desktop"


def set_autostart(enabled: bool) -> Path:
    """Start Harken at login, or not (the settings window's switch)."""
    path = autostart_path()
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_entry("harken-autostart.desktop", launcher()))
    elif path.exists():
        path.unlink()
    return path


def _refresh_caches(base: Path) -> None:
    # Menus and icon themes pick new files up sooner when their caches are refreshed;
    # both tools are optional.
    for command in (
        ["update-desktop-database", str(base / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", str(base / "icons" / "hicolor")],
    ):
        if shutil.which(command[0]):
            subprocess.run(command, capture_output=True, check=False, timeout=30)
