"""The OpenTelemetry side: providers, exporters and the instruments Harken records into.

Imported only when telemetry is on (``agent.telemetry`` imports it lazily), since the SDK
costs memory and start-up time. Providers are private to Harken (never set as the global
ones), so a host program's own telemetry is left alone, and they do not register the SDK's
own exit hooks: ``Runtime.shutdown`` bounds how long the last export may take, so a dead
collector never holds up the end of ``harken ask``.
"""

from __future__ import annotations

import logging
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

from agent.telemetry.switch import Plan

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
        resource = _resource()
        # Both exporters first (an ImportError then leaves no thread behind), then the
        # reader and processor, which start their export threads.
        wants_spans = span_processors is None and plan.traces
        wants_metrics = metric_readers is None and plan.metrics
        span_exporter = _span_exporter(plan.traces) if wants_spans else None
        metric_exporter = _metric_exporter(plan.metrics) if wants_metrics else None
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
        """Export what is pending, waiting at most ``timeout`` seconds; True if all went."""
        millis = int(timeout * 1000)
        return _bounded(
            [
                lambda: self.tracer_provider.force_flush(millis),
                lambda: self.meter_provider.force_flush(millis),
            ],
            timeout,
        )

    def shutdown(self, timeout: float) -> bool:
        """Export the last data and stop, waiting at most ``timeout`` seconds in all.

        The exports run in daemon threads: past the bound they are abandoned (their data
        lost), never waited for, so exit is not held up by an unreachable collector."""
        if self._closed:
            return True
        self._closed = True
        millis = int(timeout * 1000)
        return _bounded(
            [
                self.tracer_provider.shutdown,
                lambda: self.meter_provider.shutdown(timeout_millis=millis),
            ],
            timeout,
        )


def _bounded(jobs: list[Callable[[], Any]], timeout: float) -> bool:
    """Run ``jobs`` side by side in daemon threads; True if all ended within ``timeout``."""
    threads = [
        threading.Thread(target=_quietly(job), name="harken-telemetry-flush", daemon=True)
        for job in jobs
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


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


def _span_exporter(kind: str) -> Any:
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter(out=sys.stderr)  # stdout is the answer (and --json)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    _one_failure_line("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    return OTLPSpanExporter()  # endpoint, headers, timeout...: from OTEL_* as the spec says


def _metric_exporter(kind: str) -> Any:
    if kind == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        return ConsoleMetricExporter(out=sys.stderr)
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    _one_failure_line("opentelemetry.exporter.otlp.proto.http.metric_exporter")
    return OTLPMetricExporter()


class _FirstOnly(logging.Filter):
    """Lets one record through: a collector that is down is said once, not every minute."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.seen:
            return False
        self.seen = True
        return True


def _one_failure_line(logger_name: str) -> None:
    """Unless Harken logs at debug level, the SDK's retry chatter stays quiet and an
    export failure is said once per signal."""
    if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
        return
    logging.getLogger("opentelemetry").setLevel(logging.ERROR)
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, _FirstOnly) for f in logger.filters):
        logger.addFilter(_FirstOnly())
