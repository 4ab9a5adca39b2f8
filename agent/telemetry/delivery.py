"""Whether exports reach the collector, said in one Harken line when they do not.

The OTLP exporters retry, log raw SDK lines ("Failed to export metrics batch code: 404,
reason: Not Found") and then return a failure that the SDK's providers do not pass on, so
a collector that is down, refuses, answers with an HTTP error or never answers would go
unnoticed. Harken's exporters (``runtime``) send through a ``requests`` session that notes
the endpoint and the cause of each attempt (``RecordingSession``) and tell ``Delivery``
when an export failed; ``Delivery`` says it in one line, for example::

    telemetry: could not send metrics to http://localhost:4318/v1/metrics (connection refused)

once per signal while Harken runs; at exit (``closing``) the failures of the last export,
and the exports still under way when the bound ran out, make one line together. The SDK's
own log lines are kept for ``--debug`` (``quiet_sdk_logs``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

import requests

log = logging.getLogger("harken.telemetry")
SDK_LOGGER = "opentelemetry"


class Delivery:
    """What Harken knows about the exports of each signal (``metrics``, ``traces``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url: dict[str, str] = {}
        self._cause: dict[str, str | None] = {}
        self._reported: set[str] = set()
        self._pending: dict[str, str] = {}
        self._sending: dict[str, int] = {}
        self.closing = False

    @contextlib.contextmanager
    def sending(self, signal: str) -> Iterator[None]:
        """Around one export of ``signal``: one still under way at exit was not sent,
        even when the SDK's shutdown returned in time (it leaves the export behind)."""
        with self._lock:
            self._sending[signal] = self._sending.get(signal, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._sending[signal] -= 1

    def endpoint(self, signal: str, url: str) -> None:
        """Where ``signal`` goes (known before the first attempt)."""
        with self._lock:
            self._url.setdefault(signal, url)

    def attempt(self, signal: str, url: str, cause: str | None) -> None:
        """One HTTP attempt ended: ``cause`` is why it failed, None when it went."""
        with self._lock:
            self._url[signal] = url
            self._cause[signal] = cause
        if cause is not None:
            log.debug("telemetry: sending %s to %s failed (%s)", signal, url, cause)

    def failed(self, signal: str) -> None:
        """An export of ``signal`` failed (after the SDK's retries): said now, once per
        signal, or kept for the one line at exit while closing."""
        with self._lock:
            text = self._describe(signal, None)
            if self.closing:
                self._pending[signal] = text
                return
            if signal in self._reported:
                return
            self._reported.add(signal)
        log.warning("telemetry: could not send %s", text)

    def close_report(self, unfinished: list[str], timeout: float) -> str | None:
        """The one line about the last exports: those that failed and those of
        ``unfinished`` signals still under way after ``timeout`` seconds; None if all went."""
        with self._lock:
            parts = dict(self._pending)
            busy = [signal for signal, count in self._sending.items() if count > 0]
            for signal in [*unfinished, *busy]:
                parts.setdefault(signal, self._describe(signal, f"no answer within {timeout:g} s"))
            self._pending.clear()
            self._reported.update(parts)
        if not parts:
            return None
        return "telemetry: could not send " + "; nor ".join(parts[s] for s in sorted(parts))

    def _describe(self, signal: str, fallback: str | None) -> str:
        url = self._url.get(signal, "the collector")
        cause = self._cause.get(signal) or fallback or "the export failed"
        return f"{signal} to {url} ({cause})"


class RecordingSession(requests.Session):
    """A ``requests`` session that tells ``delivery`` how each attempt of ``signal`` went."""

    def __init__(self, delivery: Delivery, signal: str) -> None:
        super().__init__()
        self.delivery = delivery
        self.signal = signal

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Send as ``requests`` does, noting the outcome."""
        where = url.decode() if isinstance(url, bytes) else str(url)
        try:
            response = super().request(method, url, *args, **kwargs)
        except Exception as exc:
            self.delivery.attempt(self.signal, where, cause_of(exc))
            raise
        code = response.status_code
        cause = f"HTTP {code} {response.reason or ''}".strip() if code >= 400 else None
        self.delivery.attempt(self.signal, where, cause)
        return response


def cause_of(exc: BaseException) -> str:
    """A few words for why a request failed: "connection refused", "timed out"..."""
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    text = str(exc).lower()
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if "refused" in text or "errno 111" in text:
        return "connection refused"
    if "resolve" in text or "name or service not known" in text or "nodename" in text:
        return "host not found"
    if "reset" in text or "aborted" in text:
        return "connection reset"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed"
    return f"{type(exc).__name__}: {exc}"[:200]


def quiet_sdk_logs() -> None:
    """Unless Harken logs at debug level, the SDK's own lines (retries, "Failed to
    export ... batch") stay quiet: Harken's one line says it instead."""
    if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
        return
    logging.getLogger(SDK_LOGGER).setLevel(logging.CRITICAL + 1)
