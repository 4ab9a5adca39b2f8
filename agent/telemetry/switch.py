"""Whether telemetry is on, and what it exports: read from the settings and ``OTEL_*``.

Pure Python, no OpenTelemetry import: this is what runs on every session start when
telemetry is off, so it must cost nothing.

The OpenTelemetry specification makes ``otlp`` the default exporter of every signal, which
suits a service but not a desktop program that people did not ask to report anything. So
Harken needs an explicit sign before it exports (the choice is documented in the README):

- on when the ``telemetry`` setting is true, or when the user set an OTLP endpoint
  (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``,
  ``OTEL_EXPORTER_OTLP_METRICS_ENDPOINT``) or named an exporter in
  ``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER`` (anything but ``none``);
- off, whatever else is set, when ``OTEL_SDK_DISABLED=true`` (the spec's master switch);
- once on, each signal follows the spec: ``OTEL_<SIGNAL>_EXPORTER`` defaults to ``otlp``,
  ``none`` turns that signal off, ``console`` prints it to stderr;
- OTLP goes over HTTP (``http/protobuf``, the spec's default protocol); ``grpc`` is not
  installed with Harken, so asking for it gives a warning and HTTP is used.

Content (prompts, answers, tool inputs and outputs) is exported only when the
``telemetry_log_content`` setting is true or ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``
is true (the variable the OpenTelemetry GenAI instrumentations use for the same opt-in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENDPOINT_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
)
EXPORTER_VARIABLES = {"traces": "OTEL_TRACES_EXPORTER", "metrics": "OTEL_METRICS_EXPORTER"}
CONTENT_VARIABLE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
KNOWN_EXPORTERS = ("otlp", "console")
HTTP_PROTOCOL = "http/protobuf"


@dataclass(frozen=True)
class Plan:
    """What to export: each signal's exporter (``otlp``, ``console`` or ``""`` for off),
    whether content goes along, and warnings to say once (one line each)."""

    traces: str = "otlp"
    metrics: str = "otlp"
    log_content: bool = False
    warnings: tuple[str, ...] = field(default=(), compare=False)


def plan(config: Any, environ: Mapping[str, str]) -> Plan | None:
    """The export plan for ``config`` (a ``Config`` or None) and ``environ``; None: off."""
    if _true(environ.get("OTEL_SDK_DISABLED")):
        return None
    setting = bool(getattr(config, "telemetry", False)) if config is not None else False
    if not (setting or _asked_by_environment(environ)):
        return None
    warnings: list[str] = []
    chosen = {signal: _exporter(signal, environ, warnings) for signal in EXPORTER_VARIABLES}
    protocols = (
        environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", ""),
        environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", ""),
        environ.get("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", ""),
    )
    for protocol in {p.strip() for p in protocols if p.strip()}:
        if protocol != HTTP_PROTOCOL:
            warnings.append(
                f"telemetry: OTLP protocol {protocol!r} is not available; "
                f"exporting over {HTTP_PROTOCOL} (port 4318 by default)"
            )
    content = getattr(config, "telemetry_log_content", False) if config is not None else False
    return Plan(
        traces=chosen["traces"],
        metrics=chosen["metrics"],
        log_content=bool(content) or _true(environ.get(CONTENT_VARIABLE)),
        warnings=tuple(warnings),
    )


def _asked_by_environment(environ: Mapping[str, str]) -> bool:
    if any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES):
        return True
    for name in EXPORTER_VARIABLES.values():
        names = _names(environ.get(name, ""))
        if names and names != ["none"]:
            return True
    return False


def _exporter(signal: str, environ: Mapping[str, str], warnings: list[str]) -> str:
    variable = EXPORTER_VARIABLES[signal]
    names = _names(environ.get(variable, "")) or ["otlp"]
    if "none" in names:
        return ""
    for name in names:
        if name in KNOWN_EXPORTERS:
            if len(names) > 1:
                warnings.append(f"telemetry: {variable}: only {name!r} is used")
            return name
    warnings.append(
        f"telemetry: {variable}={','.join(names)} is not available "
        f"(use otlp, console or none); no {signal} are exported"
    )
    return ""


def _names(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"
