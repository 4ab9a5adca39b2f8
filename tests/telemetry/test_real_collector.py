"""`harken ask` exporting through a real OpenTelemetry collector on 127.0.0.1.

The collector is rotel-agent, the binary the ``rotel`` package from PyPI ships. Harken sends
OTLP/HTTP to rotel's receiver; rotel's OTLP exporter (protocol http, gzip) forwards to the
tests' OTLP receiver, which decodes what arrives. So the test sees what a team's collector
pipeline would pass on: the token usage, the turn with its tool calls, and no prompt text.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import harken_command
from tests.scripted_api import ScriptedAPI
from tests.telemetry.otlp_receiver import OtlpReceiver, Received
from tests.telemetry.test_otlp_cli import (
    ANSWER,
    HANG_GUARD_S,
    PATIENT,
    PROMPT,
    script_ledger_turn,
    sums,
)

# rotel publishes wheels with its collector binary for Linux x86_64 only.
rotel = pytest.importorskip(
    "rotel", reason="rotel (a real OTLP collector from PyPI) has no build for this platform"
)

pytestmark = pytest.mark.e2e

# Only a hang takes this long: rotel starts in well under a second, and forwards each
# batch 200 ms after it arrives (its default batch timeout).
START_GUARD_S = 30.0
EXPORT_GUARD_S = 60.0
STOP_GUARD_S = 15.0
START_ATTEMPTS = 3  # another process may take a chosen free port before rotel binds it

EXPECTED_TOKENS = {("input",): 350, ("output",): 55, ("cache_write",): 900, ("cache_read",): 900}


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accepts(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class RotelCollector:
    """rotel-agent in the foreground, receiving OTLP on free 127.0.0.1 ports and exporting
    OTLP/HTTP to ``forward_to``; ``endpoint`` is the base URL of its OTLP/HTTP receiver.
    A context manager: it is stopped (SIGTERM, then SIGKILL) and waited for on exit."""

    def __init__(self, forward_to: str, folder: Path) -> None:
        self.binary = Path(rotel.__file__).parent / "rotel-agent"
        self.forward_to = forward_to
        self.folder = folder
        self.log = folder / "rotel.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.http_port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def output(self) -> str:
        """What rotel wrote so far, without its colour codes (for failure messages)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return re.sub(r"\x1b\[[0-9;]*m", "", text)

    def __enter__(self) -> RotelCollector:
        if not self.binary.exists():
            pytest.skip(f"the rotel package has no collector binary at {self.binary}")
        for _ in range(START_ATTEMPTS):
            if self._start():
                return self
        raise AssertionError(f"rotel-agent did not start:\n{self.output()}")

    def _start(self) -> bool:
        """Start rotel on fresh free ports; True once its OTLP/HTTP port accepts."""
        self.http_port = free_port()
        grpc_port = free_port()  # its gRPC receiver must not take the shared default 4317
        # The machine's own ROTEL_*/OTEL_* settings must not reconfigure the test collector.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ROTEL_", "OTEL_"))}
        command = [
            str(self.binary),
            "start",
            f"--otlp-http-endpoint=127.0.0.1:{self.http_port}",
            f"--otlp-grpc-endpoint=127.0.0.1:{grpc_port}",
            "--exporter=otlp",
            f"--otlp-exporter-endpoint={self.forward_to}",
            "--otlp-exporter-protocol=http",
            # A forward that took longer than its timeout would be sent again and counted
            # twice; on a busy machine the default 5 s is not enough to rule that out.
            "--otlp-exporter-request-timeout=60s",
            f"--pid-file={self.folder / 'rotel.pid'}",
            f"--log-file={self.folder / 'rotel-daemon.log'}",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        deadline = time.monotonic() + START_GUARD_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False  # it exited: most likely a port was taken meanwhile
            if accepts(self.http_port):
                return True
            time.sleep(0.05)
        self._stop()
        raise AssertionError(f"rotel-agent did not listen in {START_GUARD_S} s:\n{self.output()}")

    def _stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_GUARD_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_GUARD_S)

    def __exit__(self, *exc: object) -> None:
        self._stop()


def wait_until(receiver: OtlpReceiver, done: Callable[[Received], bool]) -> bool:
    """Poll ``receiver`` until ``done`` holds for what it got; False after the guard."""
    deadline = time.monotonic() + EXPORT_GUARD_S
    while time.monotonic() < deadline:
        with receiver.lock:
            if done(receiver.received):
                return True
        time.sleep(0.05)
    return False


def turn_with_tools(received: Received) -> bool:
    turns = [s for s in received.spans if s.name == "invoke_agent harken"]
    return any(sum(s.parent_span_id == turn.span_id for s in received.spans) == 2 for turn in turns)


def test_harken_ask_exports_through_a_real_collector_without_the_prompt(
    api: ScriptedAPI, workspace: Path, tmp_path: Path
) -> None:
    script_ledger_turn(api, workspace)
    with OtlpReceiver() as receiver, RotelCollector(receiver.endpoint, tmp_path) as collector:
        base = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        env = {
            **base,
            "ANTHROPIC_BASE_URL": api.base_url,  # type: ignore[attr-defined]
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            **PATIENT,
        }
        result = subprocess.run(
            [*harken_command(), "ask", PROMPT],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=HANG_GUARD_S,
        )
        assert result.returncode == 0, result.stderr
        assert ANSWER in result.stdout
        # Harken has handed everything to rotel by the time it exits; rotel forwards it in
        # its own time. Wait for all of it, then look.
        # Not asserted here: the assertions below say what is missing if it never all came.
        wait_until(
            receiver,
            lambda got: (
                sums(got, "harken.token.usage", "type") == EXPECTED_TOKENS and turn_with_tools(got)
            ),
        )
        collector_log = collector.output()
    got = receiver.received
    assert {"/v1/traces", "/v1/metrics"} <= set(got.requests), collector_log

    assert sums(got, "harken.token.usage", "type") == EXPECTED_TOKENS, collector_log
    assert sums(got, "harken.tool.calls", "tool", "decision") == {
        ("Read", "allow"): 1,
        ("Bash", "user_deny"): 1,
    }
    (turn,) = [s for s in got.spans if s.name == "invoke_agent harken"]
    children = sorted(s.name for s in got.spans if s.parent_span_id == turn.span_id)
    assert children == ["execute_tool Bash", "execute_tool Read"]
    assert {s.trace_id for s in got.spans if s.parent_span_id == turn.span_id} == {turn.trace_id}
    assert turn.resource["service.name"] == "harken"

    exported = "\n".join(got.every_text()).lower()
    assert "quetzalcoatl" not in exported and "ledger" not in exported and "rm -f" not in exported
