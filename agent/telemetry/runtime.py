"""The OpenTelemetry side: providers, exporters and the instruments Harken records into.

Imported only when telemetry is on (``agent.telemetry`` imports it lazily), since the SDK
costs memory and start-up time. Providers are private to Harken (never set as the global
ones), so a host program's own telemetry is left alone, and they do not register the SDK's
own exit hooks: ``Runtime.shutdown`` bounds how long the last export may take, so a dead
collector never holds up the end of ``harken ask``. An export that fails is said in one
Harken line (``agent.telemetry.delivery``), never in the SDK's raw log lines.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from agent.telemetry.delivery import Delivery, RecordingSession, quiet_sdk_logs
from agent.telemetry.switch import Plan

log = logging.getLogger("harken.telemetry")

SCOPE = "harken"
SERVICE = "harken"
# Release-to-text is a fraction of a second when Harken does well; turns take seconds.
RELEASE_BUCKETS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
TURN_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class Runtime:
    """The live providers and the instruments Harken records into."""

    def __init__(
        self,
        plan: Plan,
        *,
        metric_readers: Sequence[MetricReader] | None = None,
        span_processors: Sequence[SpanProcessor] | None = None,
    ) -> None:
        """Build from ``plan``; tests pass in-memory ``metric_readers``/``span_processors``
        instead of the exporters the plan names."""
        self.plan = plan
        self.delivery = Delivery()
        resource = _resource()
        # Both exporters first (an ImportError then leaves no thread behind), then the
        # reader and processor, which start their export threads.
        wants_spans = span_processors is None and plan.traces
        wants_metrics = metric_readers is None and plan.metrics
        span_exporter = _span_exporter(plan.traces, self.delivery) if wants_spans else None
        metric_exporter = _metric_exporter(plan.metrics, self.delivery) if wants_metrics else None
        if metric_readers is None:
            # The interval (OTEL_METRIC_EXPORT_INTERVAL, 60 s by default) is read by the SDK.
            metric_readers = (
                [PeriodicExportingMetricReader(metric_exporter)] if metric_exporter else []
            )
        if span_processors is None and span_exporter is not None:
            span_processors = [BatchSpanProcessor(span_exporter)]
        self.meter_provider = MeterProvider(
            resource=resource, metric_readers=list(metric_readers), shutdown_on_exit=False
        )
        self.tracer_provider = TracerProvider(resource=resource, shutdown_on_exit=False)
        for processor in span_processors or ():
            self.tracer_provider.add_span_processor(processor)
        self.tracer = self.tracer_provider.get_tracer(SCOPE, _version())
        meter = self.meter_provider.get_meter(SCOPE, _version())
        self.tokens = meter.create_counter(
            "harken.token.usage", "{token}", "Tokens used, by type and model"
        )
        self.cost = meter.create_counter(
            "harken.cost.usage", "USD", "Estimated cost of the tokens used, by model"
        )
        self.sessions = meter.create_counter("harken.session.count", "{session}", "Sessions")
        self.turns = meter.create_counter("harken.turn.count", "{turn}", "Turns, by stop reason")
        self.turn_duration = meter.create_histogram(
            "harken.turn.duration",
            "s",
            "How long a turn took, from prompt to its end",
            explicit_bucket_boundaries_advisory=TURN_BUCKETS,
        )
        self.tool_calls = meter.create_counter(
            "harken.tool.calls", "{call}", "Tool calls, by tool and permission decision"
        )
        self.errors = meter.create_counter(
            "harken.error.count", "{error}", "Turns that failed, by error type"
        )
        self.release_to_text = meter.create_histogram(
            "harken.voice.release_to_text",
            "s",
            "Time from releasing the push-to-talk key to the text being ready",
            explicit_bucket_boundaries_advisory=RELEASE_BUCKETS,
        )
        self._closed = False

    def flush(self, timeout: float) -> bool:
        """Export what is pending, waiting at most ``timeout`` seconds; True if all went
        (a failed export is said by ``delivery``)."""
        millis = int(timeout * 1000)
        unfinished = _bounded(
            [
                lambda: self.tracer_provider.force_flush(millis),
                lambda: self.meter_provider.force_flush(millis),
            ],
            timeout,
        )
        return not unfinished

    def shutdown(self, timeout: float) -> bool:
        """Export the last data and stop, waiting at most ``timeout`` seconds in all.

        The exports run in daemon threads: past the bound they are abandoned (their data
        lost), never waited for, so exit is not held up by an unreachable collector.
        Exports that failed or were abandoned are said in one warning line; True when
        everything went."""
        if self._closed:
            return True
        self._closed = True
        self.delivery.closing = True
        millis = int(timeout * 1000)
        unfinished = _bounded(
            [
                self.tracer_provider.shutdown,
                lambda: self.meter_provider.shutdown(timeout_millis=millis),
            ],
            timeout,
        )
        signals = [("traces", "metrics")[i] for i in unfinished]
        report = self.delivery.close_report(signals, timeout)
        if report:
            log.warning("%s", report)
        return report is None


def _bounded(jobs: list[Callable[[], Any]], timeout: float) -> list[int]:
    """Run ``jobs`` side by side in daemon threads; the indexes of those still running
    after ``timeout`` seconds."""
    threads = [
        threading.Thread(target=_quietly(job), name="harken-telemetry-flush", daemon=True)
        for job in jobs
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [i for i, thread in enumerate(threads) if thread.is_alive()]


def _quietly(job: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # telemetry must never break the program it watches
            logging.getLogger(__name__).debug("telemetry shutdown failed", exc_info=True)

    return run


def _resource() -> Resource:
    """``service.name`` is ``harken`` unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES
    name it (``Resource.create`` reads both; what is passed to it would win over them)."""
    resource = Resource.create({SERVICE_VERSION: _version()})
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: SERVICE}))
    return resource


def _version() -> str:
    try:
        return metadata.version("harken")
    except metadata.PackageNotFoundError:
        return "0"


def _span_exporter(kind: str, delivery: Delivery) -> Any:
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter(out=sys.stderr)  # stdout is the answer (and --json)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult

    class Exporter(OTLPSpanExporter):  # type: ignore[misc]
        def export(self, spans: Any) -> Any:
            with delivery.sending("traces"):
                result = super().export(spans)
            if result != SpanExportResult.SUCCESS:
                delivery.failed("traces")
            return result

    quiet_sdk_logs()
    # Endpoint, headers, timeout...: from OTEL_* as the spec says.
    return _watched(Exporter, "traces", delivery)


def _metric_exporter(kind: str, delivery: Delivery) -> Any:
    if kind == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        return ConsoleMetricExporter(out=sys.stderr)
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics.export import MetricExportResult

    class Exporter(OTLPMetricExporter):  # type: ignore[misc]
        def export(self, metrics_data: Any, timeout_millis: float = 10_000, **kwargs: Any) -> Any:
            with delivery.sending("metrics"):
                result = super().export(metrics_data, timeout_millis, **kwargs)
            if result != MetricExportResult.SUCCESS:
                delivery.failed("metrics")
            return result

    quiet_sdk_logs()
    return _watched(Exporter, "metrics", delivery)


# A user's credential provider brings its own requests session: Harken does not replace
# it (failures are still said, without their cause).
_CREDENTIAL_VARIABLES = {
    "traces": "OTEL_PYTHON_EXPORTER_OTLP_HTTP_TRACES_CREDENTIAL_PROVIDER",
    "metrics": "OTEL_PYTHON_EXPORTER_OTLP_HTTP_METRICS_CREDENTIAL_PROVIDER",
}


def _watched(exporter_class: Any, signal: str, delivery: Delivery) -> Any:
    """An exporter of ``exporter_class`` whose attempts ``delivery`` hears about."""
    own = os.environ.get("OTEL_PYTHON_EXPORTER_OTLP_HTTP_CREDENTIAL_PROVIDER") or os.environ.get(
        _CREDENTIAL_VARIABLES[signal]
    )
    exporter = (
        exporter_class() if own else exporter_class(session=RecordingSession(delivery, signal))
    )
    endpoint = getattr(exporter, "_endpoint", None)  # for a line said before any attempt
    if isinstance(endpoint, str):
        delivery.endpoint(signal, endpoint)
    return exporter
