"""The app's log: in the user's log folder, rotating, and never holding a secret."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import logs


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = sys.excepthook, threading.excepthook
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


def test_the_log_lives_in_the_log_folder_and_masks_keys(
    restore_logging: None, isolated_env: Path
) -> None:
    path = logs.setup(debug=False)
    assert path == isolated_env / "xdg_state_home" / "harken" / "log" / "harken.log"
    logging.getLogger("desktop.test").info("key is sk-ant-api03-abcdefghijklmnop")
    logging.getLogger("desktop.test").debug("not at INFO")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "sk-ant-api0…[redacted]" in text and "abcdefghijklmnop" not in text
    assert "not at INFO" not in text


def test_uncaught_exceptions_on_threads_are_logged(
    restore_logging: None, isolated_env: Path
) -> None:
    path = logs.setup(debug=True)
    worker = threading.Thread(target=lambda: 1 / 0, name="doomed")
    worker.start()
    worker.join()
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "ZeroDivisionError" in path.read_text()
