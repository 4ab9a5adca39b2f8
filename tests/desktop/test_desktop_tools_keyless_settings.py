"""The settings window without an Anthropic key: it says what the agent needs, and the
model field offers the models a local Anthropic-compatible endpoint lists (GET /v1/models
through the real ``anthropic`` client, off the GUI thread)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from agent import paths
from desktop.windows.settings import SettingsWindow
from tests.scripted_api import ScriptedAPI

LOCAL_MODELS = ["qwen3-coder", "gpt-oss:20b", "llama3.2"]


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def open_window(qtbot: Any) -> SettingsWindow:
    win = SettingsWindow()
    qtbot.addWidget(win)
    return win


def test_without_a_key_the_window_says_what_the_agent_needs(qtbot: Any, no_key: None) -> None:
    win = open_window(qtbot)
    win.show()

    assert win.key_status.text() == "No key is stored yet."
    assert win.needs.isVisible()
    assert "needs an Anthropic API key" in win.needs.text()
    assert "Ollama" in win.needs.text() and "API endpoint" in win.needs.text()


def test_a_keyless_endpoint_lists_its_models_in_the_model_field(
    qtbot: Any, no_key: None, api: ScriptedAPI
) -> None:
    api.models = LOCAL_MODELS
    write_config(f'base_url = "{api.base_url}"\nmodel = "qwen3-coder"\n')  # type: ignore[attr-defined]
    win = open_window(qtbot)
    assert win.model_list is not None
    listed_on: list[threading.Thread] = []
    real_list = win.model_list.list_models

    def list_models(base_url: str) -> list[str]:
        listed_on.append(threading.current_thread())
        return real_list(base_url)

    win.model_list.list_models = list_models

    with qtbot.waitSignal(win.model_list.listed, timeout=60_000) as listed:
        win.show()  # showing the window asks the endpoint

    assert listed.args == [LOCAL_MODELS]
    assert listed_on and listed_on[0] is not threading.main_thread()
    # Nothing is missing: the endpoint needs no key, and the window says so.
    assert win.needs.text().startswith(f"No key needed: {api.base_url} is not Anthropic's")  # type: ignore[attr-defined]
    assert "3 models offered by http://127.0.0.1" in win.model_list.status.text()
    # The ids complete what is typed (any part matches) and one can be picked.
    edit = win.editors["model"].widget
    edit.clear()
    qtbot.keyClicks(edit, "oss")
    popup = win.model_list.completer
    assert [popup.completionModel().index(i, 0).data() for i in range(popup.completionCount())] == [
        "gpt-oss:20b"
    ]
    edit.setText("gpt-oss:20b")
    assert win.changes() == {"model": "gpt-oss:20b"}


def test_an_endpoint_without_a_model_list_leaves_a_text_field(
    qtbot: Any, no_key: None, api: ScriptedAPI
) -> None:
    write_config(f'base_url = "{api.base_url}"\n')  # type: ignore[attr-defined]
    win = open_window(qtbot)
    assert win.model_list is not None

    with qtbot.waitSignal(win.model_list.listed, timeout=60_000) as listed:
        win.show()

    assert listed.args == [[]]
    assert win.model_list.status.text() == (
        "No model list (this endpoint does not offer one): type the model's name."
    )
    assert win.editors["model"].get() == "claude-sonnet-4-6"


class Controller:
    """Stands in for the tray's controller: records what first run shows."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def show_settings(self, message: str) -> None:
        self.shown.append(message)


@pytest.mark.parametrize(
    ("endpoint", "opens"),
    [("", True), ("https://api.anthropic.com", True), ("http://localhost:11434", False)],
)
def test_first_run_asks_for_a_key_only_when_the_endpoint_needs_one(
    qtbot: Any, no_key: None, monkeypatch: pytest.MonkeyPatch, endpoint: str, opens: bool
) -> None:
    from desktop import first_run
    from desktop.background import Background

    monkeypatch.setenv("ANTHROPIC_BASE_URL", endpoint)
    controller = Controller()

    first_run.check_api_key(controller, Background(immediate=True))

    assert bool(controller.shown) is opens


async def test_sessions_get_the_desktop_tools_where_there_is_a_screen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from agent.config import Config
    from desktop.sessions import close_session, open_session

    names = {"Clipboard", "Screenshot", "ActiveWindow", "Notify", "Open"}
    monkeypatch.setenv("DISPLAY", ":99")
    with_screen = open_session(Config(), tmp_path, "sk-ant-test")
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    headless = open_session(Config(), tmp_path, "sk-ant-test")

    for session in (with_screen, headless):
        await close_session(session)

    assert names <= set(with_screen.tools)
    assert "Read" in with_screen.tools and "Agent" in with_screen.tools
    assert not names & set(headless.tools)
