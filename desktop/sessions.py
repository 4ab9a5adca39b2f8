"""Building an agent session: the part the terminal (``harken ask``/``chat``) and the tray share.

    open_session(config, workspace, key, resume=None, rules=None) -> Session
    new_client(config, key) -> ModelClient
    load_resumable(wanted) -> LoadedSession       an id, or "latest"
    close_session(session)                        the session, then its HTTP client
    project_rules(workspace, note, flags, ask=)   the rules in effect; ``ask`` says how to
                                                  ask to trust a project's allow rules
    summary_fields(summary, directory)            a ``harken sessions`` row: model, cost
                                                  (None/"unknown" for an unpriced model)

Nothing here prints or asks by itself: callers pass how to report and how to ask (stderr
and a y/N question on a terminal, a notification in the tray).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.permissions.rules import Rule
    from agent.permissions.settings import RuleSet

log = logging.getLogger(__name__)


def open_session(
    config: Any,
    workspace: Path,
    key: str | None,
    *,
    resume: Any = None,
    rules: Any = None,
) -> Any:
    """A ``Session`` on the configured model and endpoint, saved under the sessions folder,
    with the desktop tools when there is a screen (``desktop.tools``)."""
    from agent import paths
    from agent.session import Session
    from desktop.tools import attach_desktop_tools

    session = Session(
        client=new_client(config, key),
        config=config,
        workspace=workspace,
        sessions_dir=paths.sessions_dir(),
        resume=resume,
        rules=rules,
    )
    attach_desktop_tools(session)  # Clipboard, Screenshot, ... where there is a screen
    return session


def new_client(config: Any, key: str | None) -> Any:
    """The Messages API client for ``config``'s endpoint and retries."""
    from agent.model import ModelClient
    from agent.retry import RetryPolicy

    return ModelClient(
        api_key=key,
        base_url=config.base_url or None,
        retry=RetryPolicy(attempts=config.max_retries + 1),
    )


def load_resumable(wanted: str) -> Any:
    """The saved session ``wanted`` (an id or ``latest``); raises ``HarkenError`` if none."""
    from agent import paths, transcript

    return transcript.load(transcript.find_session(paths.sessions_dir(), wanted))


async def close_session(session: Any) -> None:
    """Close the transcript and background shells, then the HTTP connections."""
    try:
        await session.aclose()
    finally:
        await session.client.aclose()


def project_rules(
    workspace: Path,
    note: Callable[[str], None],
    flags: dict[str, list[str]] | None = None,
    *,
    ask: Callable[[list[Rule]], bool] | None = None,
    warn: Callable[[str], None] | None = None,
) -> RuleSet:
    """The permission rules in effect for ``workspace`` (``flags``: the command line's).

    A project's own allow rules stay off until the user trusts them. ``ask(rules)`` is how
    to ask (the terminal asks y/N): True trusts them now, remembered for this folder, and
    they apply. Without ``ask`` (the tray starts sessions without a question),
    ``note(text)`` says once how to trust them later. Problems in the rule files go to
    ``warn`` (default: the log).
    """
    from agent.permissions.settings import load_rules, trust_project

    loaded = load_rules(workspace, cli=flags or {})
    for warning in loaded.warnings:
        (warn or log.warning)(warning)
    if loaded.untrusted_allow:
        if ask is None:
            listed = ", ".join(rule.text for rule in loaded.untrusted_allow)
            note(
                f"This folder's .harken/settings.json wants to allow {listed}; they stay off "
                "until you run `harken permissions trust` there."
            )
        elif ask(loaded.untrusted_allow):
            trust_project(workspace, loaded.untrusted_allow)
            loaded = load_rules(workspace, cli=flags or {})
    return loaded.rules


def session_model(directory: Path, session_id: str) -> str:
    """The model a saved session ran on (its transcript's first record), "" if unknown."""
    import json

    try:
        with (directory / f"{session_id}.jsonl").open("rb") as f:
            first = json.loads(f.readline() or b"{}")
    except (OSError, ValueError):
        return ""
    return str(first.get("model") or "") if isinstance(first, dict) else ""


def summary_fields(summary: Any, directory: Path) -> dict[str, Any]:
    """A ``harken sessions`` row as JSON fields: the summary's, plus ``model``;
    ``cost_usd`` is None where the model has no price (a local model), not a made-up 0."""
    from agent.usage import price_known

    data = dict(summary.__dict__)
    model = session_model(directory, summary.id) if not summary.problem else ""
    data["model"] = model
    if model and not price_known(model):
        data["cost_usd"] = None
    return data
