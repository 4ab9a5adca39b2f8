"""The ACP agent: Harken sessions for an editor, one per ``session/new`` or ``session/load``.

A session works in the folder the editor gives (``cwd``); its id is Harken's own session
id, so ``harken sessions`` lists it and ``session/load`` (or ``harken ask --resume``)
takes it up again. A prompt runs one turn; ``session/cancel`` interrupts it, and the
prompt answers ``cancelled`` with the conversation still valid for the next one. The
session's permission mode is the editor's mode selector (plan, standard, auto, bypass).
``session/list`` lists the saved sessions of a folder (listing and replaying them:
``agent.acp.saved``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from acp import (
    PROTOCOL_VERSION,
    InitializeResponse,
    LoadSessionResponse,
    NewSessionResponse,
    PromptResponse,
    RequestError,
    SetSessionModeResponse,
    run_agent,
    update_agent_thought_text,
)
from acp.interfaces import Client
from acp.schema import (
    AgentCapabilities,
    AuthenticateResponse,
    ClientCapabilities,
    EmbeddedResourceContentBlock,
    Implementation,
    ListSessionsResponse,
    McpCapabilities,
    PromptCapabilities,
    ResourceContentBlock,
    SessionCapabilities,
    SessionListCapabilities,
    SessionMode,
    SessionModeState,
    StopReason,
    TextContentBlock,
    TextResourceContents,
)

from agent.acp.editor_files import EditorFiles
from agent.acp.editor_mcp import session_servers
from agent.acp.relay import Relay
from agent.acp.saved import replay, saved_sessions
from agent.errors import HarkenError, NoApiKey
from agent.permissions import Mode

if TYPE_CHECKING:
    from agent.mcp.manager import McpServers
    from agent.session import Session

log = logging.getLogger(__name__)

MODES = (
    SessionMode(id="plan", name="Plan", description="Read-only: looks, never changes"),
    SessionMode(id="standard", name="Standard", description="Asks before changing anything"),
    SessionMode(id="auto", name="Auto", description="Low-risk work in the folder goes ahead"),
    SessionMode(id="bypass", name="Bypass", description="Everything but deny rules"),
)

LIST_PAGE = 50  # sessions per session/list answer

INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
AUTH_REQUIRED = -32000

# How a Harken turn ended, in ACP's words (anything else ended normally).
_STOP: dict[str, StopReason] = {
    "interrupted": "cancelled",
    "max_tokens": "max_tokens",
    "max_turns": "max_turn_requests",
    "refusal": "refusal",
}


class SessionMaker(Protocol):
    """How the command builds and ends sessions (as ``harken ask`` would)."""

    async def open(self, cwd: Path, resume: str | None, note: Callable[[str], None]) -> Session:
        """A session working in ``cwd``; ``resume``: a saved session's id to go on with.
        ``note(text)``: something the user should read (shown with the first answer).
        Raises ``HarkenError`` (``NoApiKey`` when there is no key) for people to read."""
        ...

    async def close(self, session: Session) -> None:
        """End ``session`` (its transcript, HTTP client)."""
        ...


@dataclass
class _Live:
    session: Session
    relay: Relay
    unsubscribe: Callable[[], None]
    servers: McpServers | None = None
    busy: bool = False  # a prompt is running
    notes: list[str] = field(default_factory=list)  # said when the first prompt runs


class HarkenAgent:
    """The ``acp.Agent`` Harken is to an editor."""

    def __init__(self, maker: SessionMaker, version: str = "") -> None:
        self.maker = maker
        self.version = version
        self.conn: Client | None = None
        self.fs_read = False
        self.fs_write = False
        self._live: dict[str, _Live] = {}
        self._warming: asyncio.Future[None] | None = None

    def on_connect(self, conn: Client) -> None:
        self.conn = conn

    async def initialize(
        self,
        protocol_version: int,
        client_capabilities: ClientCapabilities | None = None,
        client_info: Implementation | None = None,
        **kwargs: Any,
    ) -> InitializeResponse:
        """Say what Harken offers, and note whether the editor reads and writes files."""
        # The SDK's import takes about a second: done while the editor opens its thread,
        # the first prompt need not wait for it.
        self._warming = asyncio.get_running_loop().run_in_executor(None, _import_sdk)
        fs = client_capabilities.fs if client_capabilities is not None else None
        self.fs_read = bool(fs is not None and fs.read_text_file)
        self.fs_write = bool(fs is not None and fs.write_text_file)
        return InitializeResponse(
            protocol_version=min(protocol_version, PROTOCOL_VERSION),
            agent_capabilities=AgentCapabilities(
                load_session=True,
                prompt_capabilities=PromptCapabilities(embedded_context=True),
                mcp_capabilities=McpCapabilities(http=True, sse=True),
                session_capabilities=SessionCapabilities(list=SessionListCapabilities()),
            ),
            agent_info=Implementation(name="harken", title="Harken", version=self.version),
        )

    async def authenticate(self, method_id: str, **kwargs: Any) -> AuthenticateResponse | None:
        """Nothing to do: the API key comes from the keyring or the environment."""
        return AuthenticateResponse()

    async def new_session(
        self,
        cwd: str,
        additional_directories: list[str] | None = None,
        mcp_servers: list[Any] | None = None,
        **kwargs: Any,
    ) -> NewSessionResponse:
        """A new Harken session in the editor's folder ``cwd``."""
        live = await self._open(cwd, None, mcp_servers)
        return NewSessionResponse(session_id=live.session.id, modes=_modes(live.session))

    async def load_session(
        self,
        cwd: str,
        session_id: str,
        mcp_servers: list[Any] | None = None,
        additional_directories: list[str] | None = None,
        **kwargs: Any,
    ) -> LoadSessionResponse | None:
        """Go on with a saved session: its conversation is replayed to the editor first."""
        old = self._live.pop(session_id, None)
        if old is not None:
            await self._end(old)
        live = await self._open(cwd, session_id, mcp_servers)
        assert self.conn is not None
        await replay(self.conn.session_update, live.session, live.relay.kind)
        return LoadSessionResponse(modes=_modes(live.session))

    async def list_sessions(
        self, cwd: str | None = None, cursor: str | None = None, **kwargs: Any
    ) -> ListSessionsResponse:
        """Saved sessions, newest first (those of the folder ``cwd`` when given), a page
        at a time; ``cursor`` is where the page starts."""
        start = int(cursor) if cursor and cursor.isdigit() else 0
        found = await asyncio.to_thread(saved_sessions, cwd)
        page = found[start : start + LIST_PAGE]
        more = start + LIST_PAGE < len(found)
        return ListSessionsResponse(
            sessions=page, next_cursor=str(start + LIST_PAGE) if more else None
        )

    async def set_session_mode(
        self, session_id: str, mode_id: str, **kwargs: Any
    ) -> SetSessionModeResponse | None:
        """Switch the session's permission mode (from the next tool call on)."""
        session = self._get(session_id).session
        try:
            mode = Mode(mode_id)
        except ValueError:
            raise _refusal(INVALID_PARAMS, f"no mode {mode_id!r}") from None
        session.engine.mode = mode
        session.config = session.config.override(mode=mode.value)
        return SetSessionModeResponse()

    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        """Run one turn; its text and tool activity stream as session/update first."""
        live = self._get(session_id)
        if live.busy:
            message = "a prompt is already running in this session"
            raise _refusal(INVALID_REQUEST, message)
        live.busy = True
        while live.notes:  # before the turn: why something is off (untrusted rules...)
            await self._update(session_id, update_agent_thought_text(live.notes.pop(0) + "\n"))
        try:
            outcome = await live.session.submit(prompt_text(prompt))
        finally:
            live.busy = False
            await live.relay.end_turn()
        if outcome.stop_reason == "error":
            raise RequestError(-32603, outcome.error, {"stop_reason": "error"})
        return PromptResponse(stop_reason=_STOP.get(outcome.stop_reason, "end_turn"))

    async def _update(self, session_id: str, update: Any) -> None:
        """Send one session/update."""
        assert self.conn is not None
        await self.conn.session_update(session_id, update)

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        """Interrupt the session's running turn, if any (its prompt answers cancelled)."""
        live = self._live.get(session_id)
        if live is not None:
            live.session.interrupt()

    async def aclose(self) -> None:
        """End every session (the editor went away)."""
        while self._live:
            _id, live = self._live.popitem()
            await self._end(live)

    # -- sessions ------------------------------------------------------------------

    def _get(self, session_id: str) -> _Live:
        live = self._live.get(session_id)
        if live is None:
            raise _refusal(INVALID_PARAMS, f"no session {session_id!r}")
        return live

    async def _open(self, cwd: str, resume: str | None, mcp: list[Any] | None) -> _Live:
        folder = Path(cwd)
        if not _is_folder(folder):
            raise _refusal(INVALID_PARAMS, f"{cwd} is not a folder")
        notes: list[str] = []

        def note(text: str) -> None:
            log.warning("%s", text)  # the editor's agent log too
            notes.append(text)

        try:
            session = await self.maker.open(folder, resume, note)
        except NoApiKey as exc:
            raise _refusal(AUTH_REQUIRED, str(exc)) from None
        except HarkenError as exc:
            raise RequestError(-32603, str(exc)) from None
        assert self.conn is not None, "initialize comes first"
        if self.fs_read or self.fs_write:
            EditorFiles(self.conn, session.id, self.fs_read, self.fs_write).wrap(session.tools)
        relay = Relay(self.conn, session.id, session.ctx.workspace, lambda: session.tools)
        live = _Live(session, relay, session.subscribe(relay), notes=notes)
        self._live[session.id] = live
        try:
            live.servers = session_servers(session.ctx.workspace, mcp, note, note)
            if live.servers is not None:  # up (or failed) before the first request
                live.servers.attach(session)
                await live.servers.wait()
        except BaseException:
            del self._live[session.id]
            await self._end(live)
            raise
        return live

    async def _end(self, live: _Live) -> None:
        live.session.interrupt()
        live.unsubscribe()
        await live.relay.aclose()
        try:
            if live.servers is not None:
                await live.servers.aclose()
            await self.maker.close(live.session)
        except Exception:
            log.exception("closing session %s failed", live.session.id)


def _refusal(code: int, text: str) -> RequestError:
    """An error whose ``message`` is what an editor shows: the SDK's helpers put a
    generic "Invalid params" there and the reason only in ``data``."""
    return RequestError(code, text, {"message": text})


def _import_sdk() -> None:
    import anthropic  # noqa: F401  (kept in sys.modules for the first request)


def _is_folder(path: Path) -> bool:
    """ACP gives absolute paths; anything else is the editor's mistake."""
    return path.is_absolute() and path.is_dir()


def _modes(session: Session) -> SessionModeState:
    return SessionModeState(current_mode_id=session.engine.mode.value, available_modes=list(MODES))


def prompt_text(blocks: list[Any]) -> str:
    """What the user asked, as one text: typed text and mentioned files (``@`` links) in
    their order, then the context the editor embedded (file contents, selections)."""
    said: list[str] = []
    context: list[str] = []
    for block in blocks:
        if isinstance(block, TextContentBlock):
            said.append(block.text)
        elif isinstance(block, ResourceContentBlock):
            said.append(_uri_path(block.uri))
        elif isinstance(block, EmbeddedResourceContentBlock):
            resource = block.resource
            if isinstance(resource, TextResourceContents):
                where = _uri_path(resource.uri)
                context.append(f'<context source="{where}">\n{resource.text}\n</context>')
            else:
                context.append(f"(The editor attached {resource.uri}, which is not text.)")
        else:
            context.append("(The editor attached an image or a sound; Harken takes text only.)")
    return "\n\n".join(part for part in ["".join(said).strip(), *context] if part)


def _uri_path(uri: str) -> str:
    """A ``file://`` URI as a path (what the tools take); other URIs as they are."""
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(uri).path)
    return uri


async def serve(maker: SessionMaker, version: str = "") -> None:
    """Serve ACP on this process's stdin and stdout until the editor closes them."""
    from agent.acp.stdio import OneLineNotificationErrors, protocol_streams

    reader, writer = await protocol_streams()
    agent = HarkenAgent(maker, version)
    quieter = OneLineNotificationErrors()
    logging.getLogger().addFilter(quieter)  # the SDK logs on the root logger
    try:
        await run_agent(agent, writer, reader)
    finally:
        logging.getLogger().removeFilter(quieter)
        await agent.aclose()
