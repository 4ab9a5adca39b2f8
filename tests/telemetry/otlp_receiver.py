"""A small OTLP/HTTP receiver on 127.0.0.1: what a collector gets, decoded.

It takes ``POST /v1/traces`` and ``POST /v1/metrics`` (protobuf, optionally gzip), decodes
them with ``opentelemetry-proto`` (installed with the OTLP exporter) and keeps the spans
and metric points. ``stall=True`` accepts requests and never answers: a collector that
hangs. Use it as a context manager.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue


def value_of(value: AnyValue) -> Any:
    """The Python value of an OTLP ``AnyValue``."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [value_of(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return attributes_of(value.kvlist_value.values)
    return getattr(value, kind) if kind else None


def attributes_of(pairs: Any) -> dict[str, Any]:
    return {pair.key: value_of(pair.value) for pair in pairs}


@dataclass
class Span:
    name: str
    span_id: bytes
    parent_span_id: bytes
    trace_id: bytes
    attributes: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]]
    status_message: str
    resource: dict[str, Any]


@dataclass
class Point:
    metric: str
    attributes: dict[str, Any]
    value: float  # a sum's value, or a histogram's count
    total: float = 0.0  # a histogram's sum


@dataclass
class Received:
    spans: list[Span] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)

    def every_text(self) -> list[str]:
        """Every string the receiver was given (names, keys and values of attributes)."""
        texts: list[str] = []

        def add(attributes: dict[str, Any]) -> None:
            for key, value in attributes.items():
                texts.append(key)
                texts.extend(str(v) for v in (value if isinstance(value, list) else [value]))

        for resource in self.resources:
            add(resource)
        for span in self.spans:
            texts.extend([span.name, span.status_message])
            add(span.attributes)
            for name, attributes in span.events:
                texts.append(name)
                add(attributes)
        for point in self.points:
            texts.append(point.metric)
            add(point.attributes)
        return texts


class OtlpReceiver:
    """Serves OTLP/HTTP on 127.0.0.1 (a free port); ``endpoint`` is its base URL."""

    def __init__(self, stall: bool = False, status: int = 200) -> None:
        self.received = Received()
        self.lock = threading.Lock()
        self.stall = stall
        self.status = status  # another answer (404: a wrong path) takes in nothing
        self.release = threading.Event()
        handler = type("Handler", (_Handler,), {"receiver": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> OtlpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def take(self, path: str, body: bytes) -> bytes:
        with self.lock:
            self.received.requests.append(path)
            if path == "/v1/traces":
                return self._traces(body)
            if path == "/v1/metrics":
                return self._metrics(body)
        return b""

    def _traces(self, body: bytes) -> bytes:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            resource = attributes_of(resource_spans.resource.attributes)
            self.received.resources.append(resource)
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    self.received.spans.append(
                        Span(
                            span.name,
                            span.span_id,
                            span.parent_span_id,
                            span.trace_id,
                            attributes_of(span.attributes),
                            [(e.name, attributes_of(e.attributes)) for e in span.events],
                            span.status.message,
                            resource,
                        )
                    )
        return ExportTraceServiceResponse().SerializeToString()

    def _metrics(self, body: bytes) -> bytes:
        request = ExportMetricsServiceRequest.FromString(body)
        for resource_metrics in request.resource_metrics:
            self.received.resources.append(attributes_of(resource_metrics.resource.attributes))
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    kind = metric.WhichOneof("data")
                    for p in getattr(metric, kind).data_points:
                        attributes = attributes_of(p.attributes)
                        if kind == "histogram":
                            point = Point(metric.name, attributes, p.count, p.sum)
                        else:
                            value = getattr(p, p.WhichOneof("value"))  # as_int or as_double
                            point = Point(metric.name, attributes, value)
                        self.received.points.append(point)
        return ExportMetricsServiceResponse().SerializeToString()


class _Handler(BaseHTTPRequestHandler):
    receiver: OtlpReceiver
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        if self.receiver.stall:
            self.receiver.release.wait()  # a collector that never answers
            return
        if self.receiver.status != 200:
            self.send_error(self.receiver.status)  # with its standard reason phrase
            return
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        reply = self.receiver.take(self.path, body)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass
