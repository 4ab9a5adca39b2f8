"""Which settings and OTEL_* variables turn telemetry on, and what each signal exports."""

from __future__ import annotations

import logging
import sys

import pytest

from agent import telemetry
from agent.config import Config
from agent.telemetry.switch import Plan, plan

ON = Config().override(telemetry=True)


def test_off_by_default() -> None:
    assert plan(Config(), {}) is None
    assert plan(None, {"HOME": "/home/me", "OTEL_SERVICE_NAME": "harken"}) is None


@pytest.mark.parametrize(
    "environ",
    [
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"},
        {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://collector:4318/v1/metrics"},
        {"OTEL_METRICS_EXPORTER": "otlp"},
        {"OTEL_TRACES_EXPORTER": "console"},
    ],
)
def test_an_endpoint_or_a_named_exporter_turns_it_on(environ: dict[str, str]) -> None:
    assert plan(Config(), environ) is not None


def test_the_setting_turns_it_on_with_the_spec_defaults() -> None:
    assert plan(ON, {}) == Plan(traces="otlp", metrics="otlp", log_content=False)


def test_otel_sdk_disabled_wins_over_everything() -> None:
    environ = {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}
    assert plan(ON, environ) is None


def test_none_turns_one_signal_off_and_alone_turns_nothing_on() -> None:
    assert plan(Config(), {"OTEL_METRICS_EXPORTER": "none"}) is None
    chosen = plan(ON, {"OTEL_METRICS_EXPORTER": "none"})
    assert chosen is not None and (chosen.traces, chosen.metrics) == ("otlp", "")


def test_an_exporter_harken_lacks_is_a_warning_and_that_signal_off() -> None:
    chosen = plan(ON, {"OTEL_TRACES_EXPORTER": "zipkin", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})
    assert chosen is not None and chosen.traces == "" and chosen.metrics == "otlp"
    assert any("zipkin" in w for w in chosen.warnings)
    assert any("'grpc' is not available" in w for w in chosen.warnings)


def test_content_needs_an_opt_in() -> None:
    assert plan(ON, {}).log_content is False  # type: ignore[union-attr]
    with_setting = Config().override(telemetry=True, telemetry_log_content=True)
    assert plan(with_setting, {}).log_content is True  # type: ignore[union-attr]
    genai = {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"}
    assert plan(ON, genai).log_content is True  # type: ignore[union-attr]


def test_warnings_are_said_once_when_telemetry_starts(caplog: pytest.LogCaptureFixture) -> None:
    environ = {"OTEL_TRACES_EXPORTER": "zipkin", "OTEL_METRICS_EXPORTER": "none"}
    with caplog.at_level(logging.WARNING, logger="harken.telemetry"):
        first = telemetry.current(None, environ)
        again = telemetry.current(None, environ)
    assert first is not None and again is first
    assert [r.getMessage() for r in caplog.records] == [
        "telemetry: OTEL_TRACES_EXPORTER=zipkin is not available (use otlp, console or none);"
        " no traces are exported"
    ]


def test_console_exports_to_stderr_not_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"OTEL_TRACES_EXPORTER": "console", "OTEL_METRICS_EXPORTER": "none"}
    runtime = telemetry.current(None, environ)
    assert runtime is not None
    runtime.tracer.start_span("hello-console").end()
    telemetry.shutdown(timeout=5)
    out, err = capsys.readouterr()
    assert "hello-console" in err and "hello-console" not in out


def test_a_missing_exporter_is_one_warning_and_no_telemetry(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The SDK is there but not the OTLP exporter (a partial install).
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)
    monkeypatch.setattr(telemetry, "_missing", False)
    environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}
    with caplog.at_level(logging.WARNING, logger="harken.telemetry"):
        assert telemetry.current(None, environ) is None
        assert telemetry.current(None, environ) is None
    assert [r.getMessage() for r in caplog.records] == [telemetry.MISSING_EXTRA]
