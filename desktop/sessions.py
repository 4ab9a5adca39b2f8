"""Building an agent session: the part the terminal (``harken ask``/``chat``) and the tray share.

    open_session(config, workspace, key, resume=None, rules=None) -> Session
    new_client(config, key) -> ModelClient
    load_resumable(wanted) -> LoadedSession       an id, or "latest"
    close_session(session)                        the session, then its HTTP client
    project_rules(workspace, note)                the rules in effect, without asking

Nothing here prints or asks: callers report warnings their own way (stderr, a notification).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def open_session(
    config: Any,
    workspace: Path,
    key: str | None,
    *,
    resume: Any = None,
    rules: Any = None,
) -> Any:
    """A ``Session`` on the configured model and endpoint, saved under the sessions folder."""
    from agent import paths
    from agent.session import Session

    return Session(
        client=new_client(config, key),
        config=config,
        workspace=workspace,
        sessions_dir=paths.sessions_dir(),
        resume=resume,
        rules=rules,
    )


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


def project_rules(workspace: Path, note: Any, flags: dict[str, list[str]] | None = None) -> Any:
    """The permission rules for ``workspace``; a project's own allow rules stay off until
    the user trusts them (``harken permissions trust``), which ``note(text)`` says once."""
    import logging

    from agent.permissions.settings import load_rules

    loaded = load_rules(workspace, cli=flags or {})
    for warning in loaded.warnings:
        logging.getLogger(__name__).warning("%s", warning)
    if loaded.untrusted_allow:
        listed = ", ".join(rule.text for rule in loaded.untrusted_allow)
        note(
            f"This folder's .harken/settings.json wants to allow {listed}; they stay off "
            "until you run `harken permissions trust` there."
        )
    return loaded.rules
