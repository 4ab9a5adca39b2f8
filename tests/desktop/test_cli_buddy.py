from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.buddy import hatch, suggested_name
from agent.buddy.bones import STATS

HARKEN = str(Path(sys.executable).with_name("harken"))


def harken(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HARKEN, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **env}
    )


def test_json_prints_exactly_one_object_with_the_pet(isolated_env: Path) -> None:
    out = harken("buddy", "--json", "--user-id", "alice")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1
    card = json.loads(lines[0])
    alice = hatch("alice")
    expected = {
        "user_id": "alice",
        "name": suggested_name(alice),
        "species": alice.species,
        "rarity": alice.rarity,
        "shiny": alice.shiny,
        "eyes": alice.eyes,
        "hat": alice.hat,
        "stats": alice.stats.as_dict(),
    }
    assert {k: card[k] for k in expected} == expected
    assert set(card["stats"]) == set(STATS) and all(1 <= v <= 100 for v in card["stats"].values())


def test_without_json_it_prints_a_readable_card(isolated_env: Path) -> None:
    out = harken("buddy", "--user-id", "alice")
    alice = hatch("alice")
    assert out.returncode == 0
    assert f"{suggested_name(alice)} the {alice.species}" in out.stdout
    assert "★" in out.stdout and "Debugging" in out.stdout and "Snark" in out.stdout


def test_without_an_id_it_hatches_this_users_own_pet(isolated_env: Path) -> None:
    from agent.buddy import default_user_id

    card = json.loads(harken("buddy", "--json").stdout)
    assert card["user_id"] == default_user_id()


def test_a_name_given_once_is_stored_and_shown(isolated_env: Path) -> None:
    assert harken("buddy", "--name", "Biscuit").returncode == 0
    assert json.loads(harken("buddy", "--json").stdout)["name"] == "Biscuit"
    assert "buddy_name" in (isolated_env / "xdg_config_home" / "harken" / "config.toml").read_text()
    other = json.loads(harken("buddy", "--json", "--user-id", "alice").stdout)
    assert other["name"] == suggested_name(hatch("alice"))
    assert harken("buddy", "--name", "X", "--user-id", "alice").returncode == 2


def test_the_json_card_does_not_load_qt() -> None:
    code = (
        "import sys; from desktop.cli import main; "
        "main(['buddy', '--json', '--user-id', 'x']); "
        "print('PySide6' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "False"


@pytest.mark.real_display
def test_show_opens_the_window_until_interrupted(isolated_env: Path) -> None:
    alice = hatch("alice")
    title = f"{suggested_name(alice)} the {alice.species}"
    proc = subprocess.Popen(
        [HARKEN, "buddy", "--show", "--user-id", "alice"],
        env={**os.environ, "QT_QPA_PLATFORM": "xcb"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The X server says when the pet's window is on screen; nothing else is awaited.
        window = visible_window(title, proc)
        assert window, f"the pet's window never showed (exit status {proc.poll()})"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Fatal" not in err


def visible_window(title: str, proc: subprocess.Popen[str], timeout: float = 60) -> str:
    """The id of the visible window titled ``title``, once there; "" if ``proc`` ends first
    or the deadline (only a hang reaches it) passes."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        found = xdotool_search(title)
        if found:
            return found[0]
        time.sleep(0.05)
    return ""


def xdotool_search(title: str) -> list[str]:
    done = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.stdout.split()


def test_the_window_opened_by_show_is_the_pet(qtbot: object) -> None:
    from desktop.cli_buddy import open_window

    window = open_window(hatch("alice"), "Kiply")
    qtbot.addWidget(window)
    assert window.isVisible() and window.buddy == hatch("alice")
    window.hide_pet()
