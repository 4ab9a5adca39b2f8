"""A session for unattended work (a scheduled task, a tick), and what its run did.

    open_session(workspace, mode, allow, note, extra_tools=...) -> Session
        the user's config, key and endpoint as for ``harken ask``; the task's mode and
        ``--allow`` rules; the MCP servers of the workspace; slow ``Bash`` calls moved to
        the background after ``background_after`` seconds; ``extra_tools`` (a host's
        PushNotification, SendUserMessage, Sleep) added to the built-in set
    close_session(session)              MCP servers, the session, its client
    RunLog                              a listener: files touched, cost, tokens

Only a scheduled run builds these, so everything heavy is imported inside the functions.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.events import Event, ToolFinished, ToolStarted, TurnFinished
from agent.tasks.model import TaskError

if TYPE_CHECKING:
    from agent.session import Session
    from agent.tools.base import Tool

Note = Callable[[str], None]
# Tools whose ``file_path`` is a file they change.
CHANGING_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})
# The budget: a Bash call still running after this long goes to the background.
BACKGROUND_AFTER_S = 15.0


# The MCP servers each open session started, closed with it.
_SERVERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


@dataclass
class RunLog:
    """Listens to a session: the files its tools changed, what its turns cost."""

    files: list[str] = field(default_factory=list)
    # Background shells the run left: (id, command, how it ended, its last output)
    jobs: list[tuple[str, str, str, str]] = field(default_factory=list)
    # The tools that ran, in order (``Read``, ``Bash``), and the calls refused or not run,
    # each as "Write out.txt: why" (a refusal must show in the journal, not hide in "ok").
    tools: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    cost_usd: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    _pending: dict[str, str] = field(default_factory=dict)
    _started: set[str] = field(default_factory=set)

    def collect_jobs(self, session: Session) -> None:
        """Note the session's background shells (after it closed: each has ended)."""
        shell = session.ctx.shell
        for job_id in shell.jobs() if shell is not None else []:
            out = shell.output(job_id)  # type: ignore[union-attr]
            ended = "killed when the run ended" if out.killed else out.status
            self.jobs.append((job_id, out.command, ended, out.output))

    def __call__(self, event: Event) -> None:
        if isinstance(event, ToolStarted):
            self._started.add(event.call_id)
            self.tools.append(event.name)
        if isinstance(event, ToolStarted) and event.name in CHANGING_TOOLS:
            path = event.input.get("file_path")
            if isinstance(path, str):
                self._pending[event.call_id] = path
        elif isinstance(event, ToolFinished) and event.call_id not in self._started:
            # Finished without starting: refused (mode, rule, nobody to ask) or malformed.
            why = event.output.strip().splitlines()[0] if event.output.strip() else "not run"
            self.refused.append(f"{event.description}: {why}")
        elif isinstance(event, ToolFinished):
            path = self._pending.pop(event.call_id, None)
            if path is not None and not event.is_error and path not in self.files:
                self.files.append(path)
        elif isinstance(event, TurnFinished):
            self.cost_usd += event.cost_usd
            self.input_tokens += event.usage.input_tokens
            self.output_tokens += event.usage.output_tokens


async def open_session(
    workspace: Path,
    *,
    mode: str,
    allow: Iterable[str] = (),
    note: Note,
    extra_tools: Iterable[Tool[Any]] = (),
    background_after: float | None = BACKGROUND_AFTER_S,
    resume: str | None = None,
) -> Session:
    """A started session in ``workspace`` (MCP servers up); raises ``TaskError`` when
    the folder is gone, ``NoApiKey`` without a key. Close it with ``close_session``."""
    from agent import paths
    from agent.config import load_config
    from agent.credentials import api_key
    from agent.errors import NoApiKey
    from agent.mcp import start_for_session
    from agent.model import ModelClient
    from agent.permissions.settings import load_rules
    from agent.retry import RetryPolicy
    from agent.session import Session
    from agent.transcript import find_session, load

    if not await asyncio.to_thread(workspace.is_dir):
        raise TaskError(f"the task's folder {workspace} no longer exists")
    config = load_config()
    for problem in config.problems:
        note(problem)
    config = config.override(mode=mode)
    key = api_key()
    if not key:
        raise NoApiKey()
    loaded = load_rules(workspace, cli={"allow": list(allow)})
    for warning in loaded.warnings:
        note(warning)
    previous = load(find_session(paths.sessions_dir(), resume)) if resume else None
    client = ModelClient(
        api_key=key,
        base_url=config.base_url or None,
        retry=RetryPolicy(attempts=config.max_retries + 1),
    )
    session = Session(
        client=client,
        config=config,
        workspace=workspace,
        sessions_dir=paths.sessions_dir(),
        rules=loaded.rules,
        resume=previous,
    )
    for tool in extra_tools:
        session.tools[tool.name] = tool
    if session.ctx.shell is not None:
        session.ctx.shell.background_after = background_after
    try:
        servers = await start_for_session(session, note=note, warn=note)
        if servers is not None:
            _SERVERS[session] = servers
    except BaseException:
        await close_session(session)
        raise
    return session


async def close_session(session: Session) -> None:
    """Stop the session's MCP servers, close it (transcript, shells), close its client."""
    servers = _SERVERS.pop(session, None)
    try:
        if servers is not None:
            await servers.aclose()
        await session.aclose()
    finally:
        await session.client.aclose()
