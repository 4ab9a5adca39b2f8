"""The desktop entry, icons, metainfo and autostart entry, installed and removed again."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop import integration
from tests.e2e.test_ask_cli import harken_command

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "desktop"


def run_harken(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*harken_command(), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_install_and_uninstall_leave_nothing_behind(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    installed = run_harken("install-desktop", env=env)
    assert installed.returncode == 0, installed.stderr
    entry = tmp_path / "data/applications/io.github.harken.Harken.desktop"
    assert entry.is_file()
    assert (tmp_path / "data/icons/hicolor/scalable/apps/harken.svg").is_file()
    assert (tmp_path / "data/icons/hicolor/48x48/apps/harken.png").is_file()
    assert (tmp_path / "data/metainfo/io.github.harken.Harken.metainfo.xml").is_file()
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    program = shlex.split(exec_line.removeprefix("Exec="))[0]
    assert Path(program).exists()  # the harken that installed it, wherever pip put it

    removed = run_harken("uninstall-desktop", env=env)
    assert removed.returncode == 0
    left = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    # Only the desktop's own caches (refreshed on install and uninstall) may remain.
    assert all(p.name.endswith(".cache") for p in left), left


def test_autostart_switch_writes_and_removes_the_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = integration.set_autostart(True)
    assert path == tmp_path / "autostart" / "harken.desktop"
    assert "X-GNOME-Autostart-enabled=true" in path.read_text()
    integration.set_autostart(False)
    assert not path.exists()


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils missing")
@pytest.mark.parametrize("name", ["io.github.harken.Harken.desktop", "harken-autostart.desktop"])
def test_desktop_entries_pass_desktop_file_validate(name: str) -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(RESOURCES / name)], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream missing")
def test_metainfo_passes_appstream_validation() -> None:
    result = subprocess.run(
        [
            "appstreamcli",
            "validate",
            "--no-net",
            str(RESOURCES / "io.github.harken.Harken.metainfo.xml"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
