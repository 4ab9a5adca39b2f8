"""Shared fixtures: an isolated environment per test, the scripted API, sessions."""

from __future__ import annotations

import os
import random
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import Config
from agent.events import Event
from agent.model import ModelClient
from agent.retry import RetryPolicy
from agent.session import Session
from agent.tools import default_tools
from tests.scripted_api import LoopbackServer, ScriptedAPI

# Load every tool module (and with them pydantic's lazily imported parts) now, before
# pytest-qt imports PySide6: shiboken's import hook breaks pydantic's lazy imports.
default_tools()

TEST_KEY = "sk-ant-test-0000000000000000"

# Started in the background of a script (`tests/run.sh &`, nohup), the tests inherit SIGINT
# ignored, and so would every harken they start: tests that press Ctrl-C would hang. Harken
# in a terminal starts with SIGINT at its default; so do the ones the tests start.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config, data and state folders and a fake API key;
    the real keyring and any real endpoint are out of reach."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    for var in [name for name in os.environ if name.startswith("OTEL_")]:
        monkeypatch.delenv(var)  # a developer's own collector must not get the tests' usage
    return home


@pytest.fixture
def api() -> Iterator[ScriptedAPI]:
    """A scripted Messages API served on 127.0.0.1; ``api.base_url`` points at it."""
    scripted = ScriptedAPI()
    with scripted.serve() as server:
        scripted.base_url = server.base_url  # type: ignore[attr-defined]
        yield scripted


@pytest.fixture
def loopback(api: ScriptedAPI) -> str:
    return api.base_url  # type: ignore[attr-defined]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.fixture
async def make_session(
    api: ScriptedAPI, workspace: Path, isolated_env: Path
) -> AsyncIterator[Callable[..., Session]]:
    """Build sessions against the scripted API; closes them at the end of the test."""
    made: list[Session] = []

    def make(**settings: Any) -> Session:
        resume = settings.pop("resume", None)
        config = Config().override(**settings)
        client = ModelClient(
            api_key=TEST_KEY,
            base_url=api.base_url,  # type: ignore[attr-defined]
            retry=FAST_RETRY,
            rng=random.Random(0),
        )
        session = Session(
            client=client,
            config=config,
            workspace=workspace,
            sessions_dir=isolated_env / "sessions",
            resume=resume,
        )
        made.append(session)
        return session

    yield make
    for session in made:
        await session.aclose()
        await session.client.aclose()


class Recorder:
    """Collects a session's events; answers permission questions with ``answer``."""

    def __init__(self, answer: Callable[[Any], Any] | None = None) -> None:
        self.events: list[Event] = []
        self.answer = answer

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        if event.kind == "permission_requested" and self.answer is not None:
            event.answer(self.answer(event))  # type: ignore[attr-defined]

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]

    def of(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.kind == kind]

    def text(self) -> str:
        return "".join(e.text for e in self.of("text_delta"))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


__all__ = ["LoopbackServer", "Recorder"]
