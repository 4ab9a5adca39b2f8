"""The app's log: a rotating file in the user's log folder, secrets masked.

``setup(debug)`` sends every record at INFO (DEBUG with ``--debug``) to
``<log dir>/harken.log`` (1 MB, three old files kept) through ``RedactingFilter``, and with
``--debug`` also to stderr. Uncaught exceptions, on any thread, are logged there too,
so a failure in a callback leaves a trace instead of vanishing.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

from agent import paths
from agent.redact import RedactingFilter

LOG_NAME = "harken.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
# The SDK and HTTP stack log request details at INFO.
NOISY = ("anthropic", "httpx", "httpx2", "httpcore", "httpcore2", "faster_whisper", "PIL")

log = logging.getLogger("harken")


def log_file() -> Path:
    return paths.log_dir() / LOG_NAME


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A ``RotatingFileHandler`` whose files only their user can read (0600), in a folder
    made 0700 when Harken creates it: logs name files, folders and what tasks did."""

    def __init__(self, path: Path, **options: object) -> None:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        super().__init__(path, **options)  # type: ignore[arg-type]

    def _open(self):  # type: ignore[no-untyped-def]  # also after each rotation
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a file an older version created 0644
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup(debug: bool = False) -> Path:
    """Start logging to the file (and stderr when ``debug``); returns the file's path."""
    path = log_file()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    try:
        handler: logging.Handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:  # a read-only home must not stop the app: log to stderr instead
        print(f"harken: cannot write the log {path}: {exc}", file=sys.stderr)
        handler = logging.StreamHandler(sys.stderr)
    _add(root, handler, logging.DEBUG)
    if debug:
        _add(root, logging.StreamHandler(sys.stderr), logging.DEBUG)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)
    sys.excepthook = _log_uncaught
    threading.excepthook = lambda args: _log_uncaught(
        args.exc_type, args.exc_value, args.exc_traceback
    )
    return path


def _add(root: logging.Logger, handler: logging.Handler, level: int) -> None:
    handler.setLevel(level)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: object) -> None:
    if issubclass(kind, KeyboardInterrupt):
        return
    log.critical("uncaught exception", exc_info=(kind, value, tb))  # type: ignore[arg-type]
