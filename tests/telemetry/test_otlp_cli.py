"""`harken ask` as a user runs it, with the standard OTEL_* variables pointing at an OTLP/HTTP
receiver on 127.0.0.1: what arrives there, what never does, and that exit is not held up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import harken_command, write_config
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use
from tests.telemetry.otlp_receiver import OtlpReceiver, Received

pytestmark = pytest.mark.e2e

PROMPT = "what does the Quetzalcoatl ledger say about Q3?"
ANSWER = "The Quetzalcoatl ledger shows a small profit."
HANG_GUARD_S = 120  # only catches a hang; telemetry's own bound is a few seconds
# The last export at exit may take this long here (a busy test machine must not lose it);
# the test of a stalled collector keeps the default bound.
PATIENT = {"HARKEN_TELEMETRY_EXIT_SECONDS": "60"}

# The real command in this interpreter, reporting afterwards which telemetry modules it
# imported: the OpenTelemetry SDK, its exporters and protobuf, Harken's telemetry runtime.
# (The OpenTelemetry *API* is the anthropic client's own dependency: it loads with it.)
# argv[1] "block" first makes the telemetry extra look uninstalled.
PROBE = """
import sys
if sys.argv[1] == "block":
    for name in ("opentelemetry.sdk", "opentelemetry.exporter", "opentelemetry.proto"):
        sys.modules[name] = None
from desktop.cli import main
code = main(sys.argv[2:])
heavy = ("opentelemetry.sdk", "opentelemetry.exporter", "opentelemetry.proto",
         "google.protobuf", "agent.telemetry.runtime", "agent.telemetry.listener")
loaded = sorted(m for m in sys.modules if m.startswith(heavy) and sys.modules[m])
print("telemetry modules:", loaded, file=sys.stderr)
sys.exit(code)
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(api: ScriptedAPI, workspace: Path) -> Run:
    """Run ``harken ARGS`` (or the probe) with the scripted API and ``env`` added."""

    def run(
        *args: str, env: dict[str, str] | None = None, probe: str = ""
    ) -> subprocess.CompletedProcess[str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        command = [sys.executable, "-c", PROBE, probe] if probe else harken_command()
        return subprocess.run(
            [*command, *args],
            cwd=workspace,
            env={**base, "ANTHROPIC_BASE_URL": api.base_url, **PATIENT, **(env or {})},  # type: ignore[attr-defined]
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=HANG_GUARD_S,
        )

    return run


def script_ledger_turn(api: ScriptedAPI, workspace: Path) -> None:
    (workspace / "ledger.txt").write_text("Quetzalcoatl Q3: revenue 10, costs 9\n")
    api.script(
        Reply(
            [
                tool_use("Read", {"file_path": "ledger.txt"}),
                tool_use("Bash", {"command": "rm -f quetzalcoatl.tmp"}),
            ],
            usage={"input_tokens": 300, "output_tokens": 40, "cache_creation_input_tokens": 900},
        ),
        Reply(
            [text(ANSWER)],
            usage={"input_tokens": 50, "output_tokens": 15, "cache_read_input_tokens": 900},
        ),
    )


def sums(received: Received, metric: str, *keys: str) -> dict[tuple[object, ...], float]:
    totals: dict[tuple[object, ...], float] = {}
    for point in received.points:
        if point.metric == metric:
            key = tuple(point.attributes.get(k) for k in keys)
            totals[key] = totals.get(key, 0) + point.value
    return totals


def test_harken_ask_exports_metrics_and_spans_without_the_prompt(
    api: ScriptedAPI, run: Run, workspace: Path
) -> None:
    script_ledger_turn(api, workspace)
    with OtlpReceiver() as receiver:
        result = run("ask", PROMPT, env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint})
    assert result.returncode == 0, result.stderr
    assert ANSWER in result.stdout
    got = receiver.received
    assert {"/v1/traces", "/v1/metrics"} <= set(got.requests)

    assert sums(got, "harken.token.usage", "type") == {
        ("input",): 350,
        ("output",): 55,
        ("cache_write",): 900,
        ("cache_read",): 900,
    }
    assert sums(got, "harken.turn.count", "stop_reason") == {("end_turn",): 1}
    # Not a terminal and no --yes: the command is refused on the user's behalf.
    assert sums(got, "harken.tool.calls", "tool", "decision") == {
        ("Read", "allow"): 1,
        ("Bash", "user_deny"): 1,
    }
    (turn,) = [s for s in got.spans if s.name == "invoke_agent harken"]
    children = sorted(s.name for s in got.spans if s.parent_span_id == turn.span_id)
    assert children == ["execute_tool Bash", "execute_tool Read"]
    assert turn.resource["service.name"] == "harken"

    exported = "\n".join(got.every_text()).lower()
    assert "quetzalcoatl" not in exported and "ledger" not in exported and "rm -f" not in exported


def test_otel_service_name_names_the_service(api: ScriptedAPI, run: Run) -> None:
    api.script(Reply([text("hi")]))
    with OtlpReceiver() as receiver:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_SERVICE_NAME": "team-x"}
        result = run("ask", "hello", env=env)
    assert result.returncode == 0, result.stderr
    assert {r.get("service.name") for r in receiver.received.resources} == {"team-x"}


def test_traces_alone_with_content_logging_send_the_prompt(
    api: ScriptedAPI, run: Run, workspace: Path, isolated_env: Path
) -> None:
    script_ledger_turn(api, workspace)
    write_config(isolated_env, "telemetry_log_content = true\n")
    with OtlpReceiver() as receiver:
        env = {
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{receiver.endpoint}/v1/traces",
            "OTEL_METRICS_EXPORTER": "none",
        }
        result = run("ask", PROMPT, env=env)
    assert result.returncode == 0, result.stderr
    assert set(receiver.received.requests) == {"/v1/traces"}
    (turn,) = [s for s in receiver.received.spans if s.name == "invoke_agent harken"]
    assert PROMPT in turn.attributes["gen_ai.input.messages"]
    assert ANSWER in turn.attributes["gen_ai.output.messages"]


def test_telemetry_off_sends_nothing_and_imports_no_opentelemetry(
    api: ScriptedAPI, run: Run
) -> None:
    api.script(Reply([text("one")]), Reply([text("two")]))
    with OtlpReceiver() as receiver:
        plain = run("ask", "hello", probe="run")
        disabled = run(
            "ask",
            "hello",
            probe="run",
            env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_SDK_DISABLED": "true"},
        )
    for result in (plain, disabled):
        assert result.returncode == 0, result.stderr
        assert "telemetry modules: []" in result.stderr
    assert receiver.received.requests == []


def test_a_session_with_telemetry_off_imports_no_opentelemetry_at_all(workspace: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from agent.config import Config;"
        "from agent.model import ModelClient; from agent.session import Session;"
        "s = Session(client=ModelClient(api_key='k'), config=Config(), workspace=Path('.'),"
        " sessions_dir=None);"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=workspace, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_without_the_telemetry_extra_one_warning_and_harken_works_on(
    api: ScriptedAPI, run: Run
) -> None:
    api.script(Reply([text("still here")]))
    with OtlpReceiver() as receiver:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}
        result = run("ask", "hello", probe="block", env=env)
    assert result.returncode == 0, result.stderr
    assert "still here" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("harken:")]
    assert warnings == [
        "harken: telemetry is on but the OpenTelemetry packages are not installed "
        "(pip install 'harken[telemetry]'); going on without telemetry"
    ]
    assert receiver.received.requests == []


def test_a_collector_that_never_answers_does_not_hold_up_exit(api: ScriptedAPI, run: Run) -> None:
    api.script(Reply([text("done")]))
    with OtlpReceiver(stall=True) as receiver:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            # Each export would wait an hour for an answer: only Harken's bound ends it.
            "OTEL_EXPORTER_OTLP_TIMEOUT": "3600",
            "HARKEN_TELEMETRY_EXIT_SECONDS": "",  # the default bound, 3 s
        }
        began = time.monotonic()
        result = run("ask", "hello", env=env)
        took = time.monotonic() - began
    print(f"harken ask with a stalled collector exited after {took:.1f} s")
    assert result.returncode == 0, result.stderr
    assert "done" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("harken:")]
    assert warnings == [
        f"harken: telemetry: could not send metrics to {receiver.endpoint}/v1/metrics "
        f"(no answer within 3 s); nor traces to {receiver.endpoint}/v1/traces "
        "(no answer within 3 s)"
    ]


def harken_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("harken:")]


def test_a_collector_that_is_down_is_said_in_one_line(api: ScriptedAPI, run: Run) -> None:
    api.script(Reply([text("done")]))
    # A port that is bound but not listening refuses every connection.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/v1/metrics"
        # Traces to the console only: metrics still go to OTLP (here: nobody listening).
        env = {"OTEL_TRACES_EXPORTER": "console", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": url}
        result = run("ask", "hello", env=env)
    assert result.returncode == 0, result.stderr
    assert "done" in result.stdout
    assert harken_lines(result.stderr) == [
        f"harken: telemetry: could not send metrics to {url} (connection refused)"
    ]
    assert "invoke_agent harken" in result.stderr  # the spans did go to the console


def test_a_collector_answering_404_is_said_in_one_harken_line(api: ScriptedAPI, run: Run) -> None:
    api.script(Reply([text("done")]))
    with OtlpReceiver(status=404) as receiver:
        result = run("ask", "hello", env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint})
    assert result.returncode == 0, result.stderr
    base = receiver.endpoint
    assert harken_lines(result.stderr) == [
        f"harken: telemetry: could not send metrics to {base}/v1/metrics (HTTP 404 Not Found); "
        f"nor traces to {base}/v1/traces (HTTP 404 Not Found)"
    ]
    assert "Failed to export" not in result.stderr  # no raw SDK line
    assert [line for line in result.stderr.splitlines() if "404" in line] == harken_lines(
        result.stderr
    )
