"""`harken bridge token|rotate|serve` as a user runs them."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from agent.bridge_server import TokenError, verify_token
from agent.bridge_server.secret import load_secret
from tests.bridge_server.conftest import call
from tests.e2e.conftest import harken_command
from tests.processes import HANG_S

pytestmark = pytest.mark.e2e


def harken(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*harken_command(), *args], capture_output=True, text=True, timeout=HANG_S
    )


def test_token_prints_a_jwt_of_the_asked_scope_and_lifetime() -> None:
    made = harken("bridge", "token", "--scope", "observe", "--ttl", "15m")
    assert made.returncode == 0, made.stderr
    claims = verify_token(load_secret(), made.stdout.strip())
    assert claims.scope == "observe"
    assert abs(claims.expires - (time.time() + 15 * 60)) < 120  # margin for a slow start

    default = harken("bridge", "token")
    claims = verify_token(load_secret(), default.stdout.strip())
    assert claims.scope == "control"
    assert abs(claims.expires - (time.time() + 30 * 86400)) < 120


@pytest.mark.parametrize(
    ("ttl", "said"),
    [
        ("10x", "not a duration"),
        ("soon", "not a duration"),
        ("0s", "must be positive"),
        ("-5m", "must be positive"),
        ("100000000000d", "at most 365d"),
        ("366d", "at most 365d"),
        ("9" * 5000 + "s", "at most 365d"),
    ],
)
@pytest.mark.parametrize("form", ["--ttl={}", "--ttl {}"])
def test_a_bad_duration_is_a_usage_error_that_says_what_is_wrong(
    ttl: str, said: str, form: str
) -> None:
    made = harken("bridge", "token", *form.format(ttl).split(" "))
    assert made.returncode == 2
    assert said in made.stderr and made.stdout == ""
    assert len(made.stderr.splitlines()) == 1


def test_rotate_invalidates_every_earlier_token() -> None:
    old = harken("bridge", "token").stdout.strip()
    rotated = harken("bridge", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert "every earlier token is refused" in rotated.stdout and rotated.stderr == ""
    with pytest.raises(TokenError, match="wrong signature"):
        verify_token(load_secret(), old)
    fresh = harken("bridge", "token").stdout.strip()
    assert verify_token(load_secret(), fresh).scope == "control"


async def _wait_for(path: Path, pid: int) -> dict:
    """bridge.json once it names ``pid`` (bounded: only a hang takes HANG_S)."""
    deadline = time.monotonic() + HANG_S
    while True:
        try:
            data = json.loads(await asyncio.to_thread(path.read_text))
            if data.get("pid") == pid:
                return data
        except (FileNotFoundError, ValueError):
            pass
        assert time.monotonic() < deadline, "harken bridge serve never wrote bridge.json"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
async def test_serve_answers_and_removes_bridge_json_on_exit(
    runtime: Path, stop: signal.Signals
) -> None:
    path = runtime / "harken" / "bridge.json"
    process = await asyncio.create_subprocess_exec(
        *harken_command(), "bridge", "serve", stderr=subprocess.PIPE
    )
    try:
        data = await _wait_for(path, process.pid)
        assert (await call(data["url"], data["token"], "status"))["result"]["pid"] == process.pid
        process.send_signal(stop)
        assert process.stderr is not None
        err = (await asyncio.wait_for(process.stderr.read(), HANG_S)).decode()
        await asyncio.wait_for(process.wait(), HANG_S)
    finally:
        if process.returncode is None:
            process.kill()
            await asyncio.wait_for(process.wait(), HANG_S)
    assert process.returncode == 0, err
    assert "Bridge on ws://127.0.0.1:" in err
    assert "listening" not in err  # said once, in Harken's words
    assert data["token"] not in err
    assert not path.exists()


async def test_a_second_serve_refuses_before_it_listens_and_names_the_first(
    runtime: Path,
) -> None:
    path = runtime / "harken" / "bridge.json"
    first = await asyncio.create_subprocess_exec(
        *harken_command(), "bridge", "serve", stderr=subprocess.DEVNULL
    )
    try:
        await _wait_for(path, first.pid)
        second = await asyncio.to_thread(harken, "bridge", "serve")
    finally:
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.wait(), HANG_S)
    assert second.returncode == 1
    assert f"another Harken bridge runs (pid {first.pid})" in second.stderr
    assert "listening" not in second.stderr


def test_a_damaged_secret_file_is_said_and_rotate_mends_it() -> None:
    from agent.bridge_server.secret import secret_file

    assert harken("bridge", "token").returncode == 0
    secret_file().write_bytes(b"\xff\xfe not ascii\n")
    made = harken("bridge", "token")
    assert made.returncode == 1 and made.stdout == ""
    assert "is damaged" in made.stderr and "harken bridge rotate" in made.stderr
    assert "Traceback" not in made.stderr
    assert harken("bridge", "rotate").returncode == 0
    fresh = harken("bridge", "token")
    assert verify_token(load_secret(), fresh.stdout.strip()).scope == "control"
