"""The model setting as a list of the endpoint's models, and what the agent still needs.

    ModelList(edit, endpoint=lambda: "", background=None, list_models=endpoint_models)
                                 the line under the model field ``edit`` (a QLineEdit):
                                 the listed ids complete what is typed; ▾ shows them all
        refresh()                read the endpoint's list off the GUI thread (▾ does)
        refresh_if_local()       ...when the endpoint is not Anthropic's (the settings
                                 window calls it when shown)
        listed(list)             a signal when a list arrived ([] when none could be read)
        .models, .status         the ids listed last; the line saying where from, or why not
    endpoint_models(base_url)    the ids ``GET /v1/models`` offers (the ``anthropic``
                                 client's ``models.list``); raises when it cannot
    agent_needs(base_url)        what the agent lacks to work, in one paragraph ("" when
                                 a key is stored; a note when the endpoint needs none)

Many Anthropic-compatible servers (LiteLLM, gateways) list their models; some (Ollama's
Messages API) may not: then the field is a plain text field, and the line says so. The list is
fetched with the key the agent would send (``agent.credentials.api_key``), never on the
GUI thread: the ``anthropic`` import and the request take a moment.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QPushButton, QWidget

from agent import credentials
from desktop.background import Background
from desktop.windows.settings_form import hint_label
from desktop.windows.style import theme

LANE = "settings-models"
LIST_TIMEOUT_S = 10.0


def endpoint_models(base_url: str) -> list[str]:
    """The model ids the endpoint ``base_url`` ("" : the configured one, else Anthropic's)
    lists; raises ``LookupError`` without a key for Anthropic's API, else the SDK's error."""
    key = credentials.api_key(base_url)
    if key is None:
        raise LookupError("store an API key to list Anthropic's models")
    import anthropic

    client = anthropic.Anthropic(
        api_key=key,
        base_url=credentials.endpoint(base_url) or None,
        max_retries=0,
        timeout=LIST_TIMEOUT_S,
    )
    try:
        return [model.id for model in client.models.list(limit=1000)]  # every page
    finally:
        client.close()


def agent_needs(base_url: str) -> str:
    """What the agent lacks, for people: "" when a key is there; a note when the endpoint
    needs none."""
    if credentials.stored_api_key():
        return ""
    where = credentials.endpoint(base_url)
    if where and not credentials.needs_key(where):
        return f"No key needed: {where} is not Anthropic's API, so the agent works without one."
    return (
        "The agent needs an Anthropic API key: paste it above (get one at "
        "console.anthropic.com). Or point Harken at an Anthropic-compatible server that "
        "needs none, such as Ollama or a LiteLLM proxy on this machine: set the API "
        "endpoint under Advanced (for example http://localhost:11434) and pick a model it "
        "serves. Voice and dictation work without either."
    )


class ModelList(QWidget):
    """The endpoint's models for the model field ``edit``: offered as completions while
    typing (any part of an id matches), all of them by the ▾ button; a line says where the
    list came from, or why there is none."""

    listed = Signal(list)

    def __init__(
        self,
        edit: QLineEdit,
        *,
        endpoint: Callable[[], str] = lambda: "",
        background: Background | None = None,
        list_models: Callable[[str], list[str]] = endpoint_models,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.edit = edit
        self.endpoint = endpoint
        self.list_models = list_models
        self.background = background or Background(workers=1)
        if background is None:
            self.background.setParent(self)
            self.destroyed.connect(self.background.shutdown)  # a late list brings nothing back
        self.models: list[str] = []
        self._asked = 0  # which refresh the answer on its way belongs to
        self._names = QStringListModel(self)
        self.completer = QCompleter(self._names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        edit.setCompleter(self.completer)
        self.status = hint_label("", theme())
        self.show_button = QPushButton("▾")
        self.show_button.setToolTip("Show the endpoint's models (listed again)")
        self.show_button.setFixedWidth(32)
        self.show_button.clicked.connect(self._show_all)
        self.status.setText("▾ lists the models the endpoint offers.")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status, 1)
        row.addWidget(self.show_button)

    def refresh(self) -> None:
        """Ask the endpoint for its models (off the GUI thread); the answer fills the list."""
        self._asked += 1
        asked, where = self._asked, self.endpoint()
        self.status.setText("Listing the endpoint's models…")
        self.background.run(
            lambda: self.list_models(where),
            lambda ids: self._fill(asked, ids),
            lambda exc: self._no_list(asked, exc),
            lane=LANE,
        )

    def refresh_if_local(self) -> None:
        """Refresh when the endpoint is not Anthropic's (its models are its own choice);
        Anthropic's list is read only when asked for (▾), not each time the window opens."""
        where = credentials.endpoint(self.endpoint())
        if where and not credentials.needs_key(where):
            self.refresh()

    def popup(self) -> None:
        """Show every listed model under the field (what the ▾ button does, once listed)."""
        self.completer.setCompletionPrefix("")
        self.completer.complete()

    def _show_all(self) -> None:
        self.listed.connect(self._popup_once)
        self.refresh()

    def _popup_once(self, ids: list[str]) -> None:
        self.listed.disconnect(self._popup_once)
        if ids:
            self.edit.setFocus()
            self.popup()

    def _fill(self, asked: int, ids: list[str]) -> None:
        if asked != self._asked:
            return  # an older answer (the endpoint changed since)
        self.models = list(ids)
        self._names.setStringList(self.models)
        where = credentials.endpoint(self.endpoint()) or "Anthropic's API"
        count = len(self.models)
        self.status.setText(
            f"{count} model{'s' if count != 1 else ''} offered by {where}."
            if count
            else f"{where} lists no models: type the model's name."
        )
        self.listed.emit(self.models)

    def _no_list(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        self.status.setText(f"No model list ({_why(exc)}): type the model's name.")
        self.listed.emit([])


def _why(exc: BaseException) -> str:
    """One short reason a list could not be read."""
    status = getattr(exc, "status_code", None)
    if status == 404:
        return "this endpoint does not offer one"
    if status in (401, 403):
        return "the endpoint refused the key"
    if isinstance(exc, LookupError):
        return str(exc.args[0]) if exc.args else "no key"
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__
