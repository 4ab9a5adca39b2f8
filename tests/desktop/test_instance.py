"""One instance per user, and ``harken ptt`` reaching it over the user-only socket."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.instance import (
    LOCK_NAME,
    SOCKET_NAME,
    InstanceError,
    InstanceServer,
    NotRunning,
    claim,
    runtime_dir,
    send,
)

HARKEN = str(Path(sys.executable).with_name("harken"))
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh XDG_RUNTIME_DIR (short: socket paths are limited to ~100 bytes)."""
    base = Path(tempfile.mkdtemp(prefix="hk-"))
    base.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def folder(runtime: Path) -> Path:
    return runtime / "harken"


class App:
    """Stands in for the tray app: records messages and answers with ``reply``."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.reply = "ok"

    def __call__(self, message: str) -> str:
        self.messages.append(message)
        return self.reply


@pytest.fixture
def running(folder: Path) -> Iterator[App]:
    server = claim(folder)
    assert server is not None
    app = App()
    server.serve(app)
    yield app
    server.close()


def test_the_folder_is_the_runtime_dir_or_a_private_temp_folder(runtime: Path) -> None:
    assert runtime_dir({"XDG_RUNTIME_DIR": str(runtime)}) == runtime / "harken"
    fallback = Path(tempfile.gettempdir()) / f"harken-{os.getuid()}"
    assert runtime_dir({}) == fallback
    assert runtime_dir({"XDG_RUNTIME_DIR": str(runtime / "gone")}) == fallback


def test_a_second_claim_returns_none_and_its_message_reaches_the_first(
    folder: Path, running: App
) -> None:
    assert claim(folder) is None
    assert send("show", folder=folder) == "ok"
    assert running.messages == ["show"]


def test_every_message_of_the_protocol_is_passed_on(folder: Path, running: App) -> None:
    for message in ("show", "ptt press", "ptt release", "ptt toggle", "quit"):
        assert send(message, folder=folder) == "ok"
    assert running.messages == ["show", "ptt press", "ptt release", "ptt toggle", "quit"]


def test_spacing_and_case_do_not_matter(folder: Path, running: App) -> None:
    assert send("  PTT   Toggle ", folder=folder) == "ok"
    assert running.messages == ["ptt toggle"]


def test_an_unknown_message_is_refused_without_reaching_the_app(folder: Path, running: App) -> None:
    reply = send("rm -rf /", folder=folder)
    assert reply.startswith("error unknown message 'rm -rf /'; expected one of: show, ptt press")
    assert running.messages == []


def test_the_apps_own_error_is_the_reply(folder: Path, running: App) -> None:
    running.reply = "error not listening (paused)"
    assert send("ptt press", folder=folder) == "error not listening (paused)"


def test_an_exception_in_the_app_becomes_an_error_reply(folder: Path) -> None:
    def broken(message: str) -> str:
        raise RuntimeError("the state machine is confused")

    server = claim(folder)
    assert server is not None
    server.serve(broken)
    try:
        assert send("show", folder=folder) == "error the state machine is confused"
        assert send("show", folder=folder) == "error the state machine is confused"
    finally:
        server.close()


def test_socket_and_folder_are_user_only(folder: Path, running: App) -> None:
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    sock = folder / SOCKET_NAME
    assert stat.S_ISSOCK(sock.stat().st_mode)
    assert stat.S_IMODE(sock.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / LOCK_NAME).stat().st_mode) == 0o600


def test_a_folder_left_open_to_others_is_closed_again(folder: Path) -> None:
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    server = claim(folder)
    assert server is not None
    server.close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to hand the folder to another user")
def test_a_folder_owned_by_another_user_is_refused(folder: Path) -> None:
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    with pytest.raises(InstanceError, match="belongs to another user"):
        claim(folder)
    with pytest.raises(InstanceError, match="belongs to another user"):
        send("show", folder=folder)


def test_a_socket_left_by_a_crashed_instance_is_replaced(folder: Path) -> None:
    crash = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from desktop.instance import claim
        server = claim(Path({str(folder)!r}))
        server.serve(lambda message: "ok")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    subprocess.run([sys.executable, "-c", crash], timeout=30, check=False)
    assert (folder / SOCKET_NAME).exists()  # the crash left it behind
    with pytest.raises(NotRunning):
        send("show", folder=folder)
    server = claim(folder)
    assert server is not None
    app = App()
    server.serve(app)
    try:
        assert send("show", folder=folder) == "ok"
        assert app.messages == ["show"]
    finally:
        server.close()


def test_a_stale_socket_file_alone_is_replaced(folder: Path) -> None:
    import socket

    folder.mkdir(mode=0o700)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(folder / SOCKET_NAME))
    stale.close()  # the file stays; nobody listens
    server = claim(folder)
    assert server is not None
    server.serve(App())
    try:
        assert send("show", folder=folder) == "ok"
    finally:
        server.close()


def test_closing_removes_the_socket_and_lets_the_next_instance_claim(folder: Path) -> None:
    server = claim(folder)
    assert isinstance(server, InstanceServer)
    server.serve(App())
    server.close()
    assert not (folder / SOCKET_NAME).exists()
    with pytest.raises(NotRunning):
        send("show", folder=folder)
    again = claim(folder)
    assert again is not None
    again.close()


def test_sending_with_nothing_running_raises_not_running(folder: Path) -> None:
    with pytest.raises(NotRunning, match="Harken is not running"):
        send("show", folder=folder)  # not even the folder exists
    folder.mkdir(mode=0o700)
    with pytest.raises(NotRunning, match="Harken is not running"):
        send("show", folder=folder)


def harken_ptt(action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HARKEN, "ptt", action], capture_output=True, text=True, timeout=60, env=dict(os.environ)
    )


def test_harken_ptt_toggle_reaches_the_running_instance(running: App) -> None:
    done = harken_ptt("toggle")
    assert done.returncode == 0, done.stderr
    assert done.stdout == done.stderr == ""
    assert running.messages == ["ptt toggle"]


def test_harken_ptt_press_and_release_arrive_in_order(running: App) -> None:
    assert harken_ptt("press").returncode == 0
    assert harken_ptt("release").returncode == 0
    assert running.messages == ["ptt press", "ptt release"]


def test_harken_ptt_says_in_one_line_when_harken_is_not_running(runtime: Path) -> None:
    done = harken_ptt("toggle")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == ["Harken is not running (start it with `harken`)."]


def test_harken_ptt_shows_the_apps_refusal(running: App) -> None:
    running.reply = "error listening is paused"
    done = harken_ptt("press")
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["harken: listening is paused"]
