"""Telemetry captured in memory with the SDK's own in-memory reader and span exporter."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent import telemetry
from agent.telemetry.runtime import Runtime
from agent.telemetry.switch import Plan


@dataclass
class Captured:
    """What Harken exported: metric points and finished spans."""

    reader: InMemoryMetricReader
    exporter: InMemorySpanExporter

    def points(self, name: str) -> list[Any]:
        """Every data point of the metric ``name`` collected so far."""
        found = []
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        found.extend(metric.data.data_points)
        return found

    def sums(self, name: str, *keys: str) -> dict[tuple[Any, ...], float]:
        """The counter ``name`` summed by the values of attributes ``keys``."""
        totals: dict[tuple[Any, ...], float] = {}
        for point in self.points(name):
            key = tuple(point.attributes.get(k) for k in keys)
            totals[key] = totals.get(key, 0) + point.value
        return totals

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def every_exported_text(self) -> list[str]:
        """Every string that left in an attribute, event, status or name (span and metric)."""
        texts: list[str] = []
        for span in self.spans():
            texts.append(span.name)
            texts.extend(_strings(span.attributes))
            texts.extend(_strings(span.resource.attributes))
            texts.append(span.status.description or "")
            for event in span.events:
                texts.append(event.name)
                texts.extend(_strings(event.attributes))
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            texts.extend(_strings(resource.resource.attributes))
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    texts.append(metric.name)
                    for point in metric.data.data_points:
                        texts.extend(_strings(point.attributes))
        return texts


def _strings(attributes: Any) -> Iterator[str]:
    for key, value in (attributes or {}).items():
        yield str(key)
        if isinstance(value, list | tuple):
            yield from (str(v) for v in value)
        else:
            yield str(value)


def capture() -> Captured:
    """Install a telemetry runtime that keeps everything in memory (whether content goes
    along is each session's ``telemetry_log_content`` setting)."""
    reader = InMemoryMetricReader()
    exporter = InMemorySpanExporter()
    runtime = Runtime(
        Plan(),
        metric_readers=[reader],
        span_processors=[SimpleSpanProcessor(exporter)],
    )
    telemetry.install(runtime)
    return Captured(reader, exporter)
