"""``harken daemon``: the headless host. Scheduled tasks and proactive ticks, no Qt.

    harken daemon [--wait-for-lock]
                         runs every service in ``SERVICES`` until SIGTERM or Ctrl-C

One daemon per user: it holds ``agent.tasks.locks.scheduler_lock`` (the tray app's
scheduler takes the same lock), and a second one exits 1 naming the holder; with
``--wait-for-lock`` (the systemd unit's) it waits for the lock instead. It logs at INFO
to ``<log dir>/daemon.log`` (0600, rotated; the tray app writes ``harken.log``, and two
processes must not rotate one file), every record through the filter that masks API keys
and tokens; warnings also go to stderr (journald under systemd).

SIGTERM (or SIGINT) cancels every service: a running task is interrupted, its turn saved
to its transcript as interrupted (valid and resumable with ``harken ask --resume``), the
task marked ``interrupted`` and the journal told; then the daemon exits 0.

A service is ``async def service(host: DaemonHost) -> None`` that runs until cancelled;
one that fails is logged and started again after a pause (5 s, doubling to 5 min), so the
daemon never holds the scheduler lock doing nothing; the others go on meanwhile. To add
one (the bridge, say), add a line to ``SERVICES``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.bridge_host_daemon import bridge_service

log = logging.getLogger("harken.daemon")

LOG_NAME = "daemon.log"
EXIT_OK = 0
EXIT_FAILED = 1
RESTART_FIRST_S = 5.0  # a failed service starts again after this, doubling up to:
RESTART_MAX_S = 300.0


@dataclass
class DaemonHost:
    """What a service gets from the daemon: how to reach the user, and the stop flag.

    Headless there is no screen: ``notify`` (a notification) and ``say`` (a message in
    the conversation) are logged, and the journal keeps them."""

    stop: asyncio.Event = field(default_factory=asyncio.Event)
    # The running tick loops by workspace: ``pause()``/``resume()`` while the user speaks.
    tick_loops: dict[str, Any] = field(default_factory=dict)

    def report(self, text: str) -> None:
        """A problem the user should fix (a corrupt tasks file, an invalid cron)."""
        log.warning("%s", text)

    def notify(self, text: str) -> None:
        """A desktop notification, were there a desktop: logged."""
        log.warning("notification: %s", text)

    def note(self, text: str) -> None:
        """A warning while building a session (config problems, untrusted rules)."""
        log.warning("%s", text)


Service = Callable[[DaemonHost], Awaitable[None]]


async def scheduler_service(host: DaemonHost) -> None:
    """Run due tasks (``agent.tasks.scheduler.serve``) until cancelled."""
    from agent.tasks.scheduler import serve
    from agent.tasks.store import TaskStore

    await serve(TaskStore(), host.stop, report=host.report, note=host.note, notify=host.notify)


async def ticks_service(host: DaemonHost) -> None:
    """Proactive ticks for the workspaces that turned them on (``agent.tasks.ticks``);
    headless, PushNotification is logged and SendUserMessage goes to the journal only."""
    from agent.tasks.ticks import serve_ticks

    await serve_ticks(
        host.stop, report=host.report, loops=host.tick_loops, notify=host.notify, note=host.note
    )


# What the daemon runs side by side, by name. Another host part (the bridge) is one
# more line here.
SERVICES: list[tuple[str, Service]] = [
    ("scheduler", scheduler_service),
    ("ticks", ticks_service),
    ("bridge", bridge_service),  # `harken remote ...`, editors: agent.bridge_server
]


def log_file() -> Path:
    """``<log dir>/daemon.log``."""
    from agent import paths

    return paths.log_dir() / LOG_NAME


def setup_logging() -> Path:
    """INFO and up to ``daemon.log`` (secrets masked); stderr keeps only warnings."""
    from agent.redact import RedactingFilter
    from desktop.logs import BACKUPS, FORMAT, MAX_BYTES, NOISY, PrivateRotatingFileHandler

    root = logging.getLogger()
    for handler in root.handlers:  # the command line's stderr handler: warnings only
        if handler.level == logging.NOTSET and root.level > logging.INFO:
            handler.setLevel(root.level)
    path = log_file()
    try:
        handler: logging.Handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:  # a read-only home must not stop the daemon
        print(f"harken: cannot write the log {path}: {exc}", file=sys.stderr)
        return path
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)
    if root.level > logging.INFO:
        root.setLevel(logging.INFO)
        for name in NOISY:  # the SDK logs request details at INFO
            logging.getLogger(name).setLevel(logging.WARNING)
    return path


def run_daemon(args: argparse.Namespace) -> int:
    """The ``harken daemon`` command; ``--wait-for-lock`` waits while another scheduler
    (the tray app) holds the lock instead of exiting 1 (for systemd: no restart loop)."""
    from agent.tasks.locks import WorkspaceBusy, scheduler_lock

    try:
        try:
            lock = scheduler_lock("harken daemon")
            lock.__enter__()
        except WorkspaceBusy as exc:
            if not getattr(args, "wait_for_lock", False):
                print(f"harken: {exc}", file=sys.stderr)
                return EXIT_FAILED
            lock = _wait_for_lock(str(exc))
        try:
            path = setup_logging()
            return asyncio.run(serve_all(SERVICES, log_path=path))
        finally:
            lock.__exit__(None, None, None)
    except KeyboardInterrupt:
        return EXIT_OK


def _wait_for_lock(busy: str) -> contextlib.AbstractContextManager[None]:
    """Block until the scheduler lock is free (said once); SIGTERM ends the wait."""
    from agent.tasks.locks import scheduler_lock

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # out of the blocking flock: exits 0 like a stop

    previous = signal.signal(signal.SIGTERM, stop)  # before saying so: a stop may follow
    try:
        print(f"harken daemon: {busy}; waiting until it stops", file=sys.stderr, flush=True)
        lock = scheduler_lock("harken daemon", wait=True)
        lock.__enter__()  # a blocking flock: taken the moment the other lets go
    finally:
        signal.signal(signal.SIGTERM, previous)
    return lock


async def serve_all(services: list[tuple[str, Service]], *, log_path: Path | None = None) -> int:
    """Run ``services`` until SIGTERM/SIGINT, then cancel them and wait for them to end."""
    host = DaemonHost()
    loop = asyncio.get_running_loop()
    jobs = {loop.create_task(_guarded(name, service, host), name=name): name
            for name, service in services}  # fmt: skip

    def end(signum: int) -> None:
        log.info("%s: stopping", signal.Signals(signum).name)
        host.stop.set()
        for job in jobs:
            job.cancel()  # a running task is interrupted; its session saves on the way out

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, end, sig)
    where = f"; log: {log_path}" if log_path is not None else ""
    print(f"harken daemon: running ({', '.join(jobs.values())}){where}", file=sys.stderr)
    log.info("daemon started: %s", ", ".join(jobs.values()))
    await asyncio.gather(*jobs, return_exceptions=True)
    log.info("daemon stopped")
    print("harken daemon: stopped.", file=sys.stderr)
    return EXIT_OK


async def _guarded(name: str, service: Service, host: DaemonHost) -> None:
    """Run ``service``; one that fails is started again after a pause (growing to
    ``RESTART_MAX_S``), so the daemon never holds the scheduler lock doing nothing."""
    pause = RESTART_FIRST_S
    while not host.stop.is_set():
        try:
            await service(host)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the %s service failed; it starts again in %g s", name, pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(host.stop.wait(), pause)
        pause = min(pause * 2, RESTART_MAX_S)
