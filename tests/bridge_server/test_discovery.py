"""bridge.json: private (0600 in 0700), removed on a clean exit, replaced when stale,
kept when a live bridge owns it; the socket listens on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from agent.bridge_server import discovery
from agent.bridge_server.server import BridgeServer, start_bridge
from tests.bridge_server.conftest import call


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_bridge_json_is_private_and_removed_on_close(runtime: Path) -> None:
    server = await start_bridge()
    path = runtime / "harken" / "bridge.json"
    try:
        data = json.loads(path.read_text())
        assert data["url"] == server.url == f"ws://127.0.0.1:{server.port}"
        assert data["pid"] == os.getpid() and data["token"].count(".") == 2
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700
    finally:
        await server.close()
    assert not path.exists()


async def test_a_loose_folder_is_made_private(runtime: Path) -> None:
    (runtime / "harken").mkdir(mode=0o755)
    os.chmod(runtime / "harken", 0o755)
    server = await start_bridge()
    await server.close()
    assert _mode(runtime / "harken") == 0o700


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


async def test_a_stale_file_is_replaced(runtime: Path) -> None:
    path = runtime / "harken" / "bridge.json"
    path.parent.mkdir(mode=0o700)
    stale = {"url": "ws://127.0.0.1:9", "token": "old", "pid": _dead_pid()}
    path.write_text(json.dumps(stale))
    server = await start_bridge()
    try:
        data = json.loads(path.read_text())
        assert data["pid"] == os.getpid() and data["url"] == server.url
        assert (await call(server.url, data["token"], "status"))["result"]
    finally:
        await server.close()


async def test_a_live_bridge_keeps_its_file(runtime: Path) -> None:
    first = await start_bridge()
    try:
        path = runtime / "harken" / "bridge.json"
        mine = json.loads(path.read_text())
        # Another process's view: a file naming a live pid whose port answers.
        live = discovery.BridgeInfo(url=first.url, token="t", pid=os.getppid())
        path.write_text(json.dumps(live.__dict__))
        with pytest.raises(discovery.DiscoveryError, match="another Harken bridge"):
            await start_bridge()
        assert json.loads(path.read_text())["pid"] == os.getppid()
        path.write_text(json.dumps(mine))
    finally:
        await first.close()


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp* prints them) listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net")
async def test_it_listens_on_loopback_only(bridge: BridgeServer) -> None:
    assert _listening(bridge.port) == ["0100007F"]  # 127.0.0.1, nothing on 0.0.0.0 or ::
