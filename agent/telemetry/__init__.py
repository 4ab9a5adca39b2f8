"""Telemetry the user controls: metrics and traces over OpenTelemetry, off by default.

When the user turns it on (the ``telemetry`` setting, or the standard ``OTEL_*``
variables: see ``agent.telemetry.switch`` for which variable enables what), Harken exports
through the official OpenTelemetry SDK and its OTLP/HTTP exporter:

    metrics  harken.token.usage (by type: input, output, cache_read, cache_write; model),
             harken.cost.usage, harken.session.count, harken.turn.count,
             harken.turn.duration, harken.tool.calls (by tool, permission decision,
             success), harken.error.count (by error type), harken.voice.release_to_text
    traces   one span per turn, a child span per tool call (``agent.telemetry.listener``)

No prompt, answer, file content, tool input or key leaves the machine unless the user opts
in to content logging (``telemetry_log_content``), and keys stay masked even then.

    watch(session)                       every Session calls it: a listener when on
    record_release_to_text(seconds, config)   the desktop reports a take's latency
    shutdown(timeout)                    the last export, bounded (also run at exit)

What this package may import: the standard library and ``agent`` modules (events, usage,
redact) everywhere; ``opentelemetry`` only in ``runtime`` and ``listener``, and
``requests`` (the OTLP exporter's own dependency) only in ``delivery``, which load only
once telemetry is on. With telemetry off no OpenTelemetry module is imported; with it
on and the ``telemetry`` extra missing, one warning line is logged and Harken goes on.
Never ``desktop``, ``audio`` or Qt.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from agent.telemetry.switch import Plan, plan

if TYPE_CHECKING:
    from agent.telemetry.runtime import Runtime

log = logging.getLogger("harken.telemetry")

EXIT_FLUSH_SECONDS = 3.0  # the most a dead collector may add to the end of `harken ask`
EXIT_FLUSH_VARIABLE = "HARKEN_TELEMETRY_EXIT_SECONDS"  # another bound, e.g. a slow link
MISSING_EXTRA = (
    "telemetry is on but the OpenTelemetry packages are not installed "
    "(pip install 'harken[telemetry]'); going on without telemetry"
)

_lock = threading.Lock()
_runtime: Runtime | None = None
_missing = False  # the extra is not installed: said once, not tried again
_exit_hook = False


def current(config: Any = None, environ: Mapping[str, str] | None = None) -> Runtime | None:
    """The running telemetry, started now if the settings or ``OTEL_*`` turn it on;
    None when it is off or cannot run. Cheap when off: nothing is imported.

    Asked each time, so a session opened after the user turned telemetry off in the
    settings is not watched, though the exporters run on until the program ends."""
    return _start(plan(config, os.environ if environ is None else environ))


def _start(wanted: Plan | None) -> Runtime | None:
    global _missing
    if wanted is None or _missing:
        return None
    if _runtime is not None:
        return _runtime
    with _lock:
        if _runtime is None and not _missing:
            for warning in wanted.warnings:
                log.warning("%s", warning)
            try:  # the SDK, or only the exporter, may be missing
                from agent.telemetry.runtime import Runtime

                runtime = Runtime(wanted)
            except ImportError:
                _missing = True
                log.warning("%s", MISSING_EXTRA)
                return None
            install(runtime)
    return _runtime


def install(runtime: Runtime) -> None:
    """Make ``runtime`` the running telemetry (tests give one with in-memory exporters),
    to be shut down, bounded, when the program exits."""
    global _runtime, _exit_hook
    _runtime = runtime
    if not _exit_hook:
        _exit_hook = True
        atexit.register(shutdown)


def shutdown(timeout: float | None = None) -> None:
    """Export what is left and stop; waits at most ``timeout`` seconds (default: the
    ``HARKEN_TELEMETRY_EXIT_SECONDS`` variable, else 3). Safe to repeat."""
    global _runtime
    runtime, _runtime = _runtime, None
    if timeout is None:
        timeout = _exit_bound(os.environ)
    if runtime is not None:
        runtime.shutdown(timeout)  # says itself, in one line, what could not be sent


def _exit_bound(environ: Mapping[str, str]) -> float:
    try:
        return max(0.0, float(environ.get(EXIT_FLUSH_VARIABLE) or EXIT_FLUSH_SECONDS))
    except ValueError:
        return EXIT_FLUSH_SECONDS


def watch(session: Any) -> None:
    """Subscribe a telemetry listener to ``session`` when telemetry is on; else nothing."""
    wanted = plan(session.config, os.environ)
    runtime = _start(wanted)
    if wanted is None or runtime is None:
        return
    from agent.telemetry.listener import TelemetryListener

    state = session.state
    listener = TelemetryListener(runtime, session.id, session.config.model, wanted.log_content)
    listener.baseline(state.usage, state.cost_usd)
    session.subscribe(listener)
    runtime.sessions.add(1)


def record_release_to_text(seconds: float, config: Any = None) -> None:
    """Record how long the text took after the push-to-talk key was released.

    The desktop calls it once per take; ``config`` (the user's settings) lets the
    ``telemetry`` setting start telemetry before any session has. Nothing when off."""
    runtime = current(config)
    if runtime is not None and seconds >= 0:
        runtime.release_to_text.record(seconds)


__all__ = [
    "EXIT_FLUSH_SECONDS",
    "Plan",
    "current",
    "install",
    "plan",
    "record_release_to_text",
    "shutdown",
    "watch",
]
