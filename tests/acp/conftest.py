"""An editor for ``harken acp``: the ACP SDK's client side driving the real command
(a subprocess on stdio) against the scripted Messages API.

``Editor`` is what an editor would be: it records session/update notifications, answers
permission questions by the kind of option it is told to pick, and serves fs/* from its
buffers (unsaved content by path), falling back to the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from acp import PROTOCOL_VERSION, RequestError, spawn_agent_process
from acp.core import ClientSideConnection
from acp.schema import (
    AgentMessageChunk,
    AllowedOutcome,
    ClientCapabilities,
    DeniedOutcome,
    FileSystemCapabilities,
    Implementation,
    InitializeResponse,
    PermissionOption,
    ReadTextFileResponse,
    RequestPermissionResponse,
    TextContentBlock,
    ToolCallProgress,
    ToolCallStart,
    ToolCallUpdate,
    UserMessageChunk,
    WriteTextFileResponse,
)

from tests.e2e.conftest import harken_command
from tests.processes import HANG_S
from tests.scripted_api import ScriptedAPI


class Editor:
    """The client side of ACP, as an editor would be."""

    def __init__(self) -> None:
        self.updates: list[Any] = []
        self.buffers: dict[str, str] = {}  # path -> unsaved content the editor holds
        # Option kinds to pick, question by question; "hold": keep the question open until
        # ``release`` is set, then answer cancelled (as an editor does after a cancel).
        self.picks: list[str] = []
        self.release = asyncio.Event()
        self.questions: list[tuple[ToolCallUpdate, list[PermissionOption]]] = []
        self.reads: list[str] = []
        self.writes: list[tuple[str, str]] = []
        self._changed = asyncio.Event()

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None:
        self.updates.append(update)
        self._changed.set()

    async def request_permission(
        self,
        session_id: str,
        tool_call: ToolCallUpdate,
        options: list[PermissionOption],
        **kwargs: Any,
    ) -> RequestPermissionResponse:
        self.questions.append((tool_call, options))
        self._changed.set()
        kind = self.picks.pop(0) if self.picks else "cancelled"
        if kind == "hold":
            await self.release.wait()
        chosen = [o.option_id for o in options if o.kind == kind]
        if not chosen:
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        return RequestPermissionResponse(
            outcome=AllowedOutcome(outcome="selected", option_id=chosen[0])
        )

    async def read_text_file(
        self,
        session_id: str,
        path: str,
        line: int | None = None,
        limit: int | None = None,
        **kwargs: Any,
    ) -> ReadTextFileResponse:
        self.reads.append(path)
        if path in self.buffers:
            return ReadTextFileResponse(content=self.buffers[path])
        try:
            return ReadTextFileResponse(content=_disk_text(path))
        except OSError:
            raise RequestError.resource_not_found(path) from None

    async def write_text_file(
        self, session_id: str, path: str, content: str, **kwargs: Any
    ) -> WriteTextFileResponse:
        self.writes.append((path, content))
        self.buffers[path] = content  # held unsaved, as an editor may
        return WriteTextFileResponse()

    async def until(self, check: Callable[[], bool]) -> None:
        """Wait until ``check()`` holds after some update (the deadline only catches a hang)."""

        async def wait() -> None:
            while not check():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), HANG_S)

    # -- what arrived ------------------------------------------------------------------

    def answer_text(self) -> str:
        return "".join(
            u.content.text
            for u in self.updates
            if isinstance(u, AgentMessageChunk) and isinstance(u.content, TextContentBlock)
        )

    def user_text(self) -> str:
        return "".join(
            u.content.text
            for u in self.updates
            if isinstance(u, UserMessageChunk) and isinstance(u.content, TextContentBlock)
        )

    def tool_calls(self, call_id: str) -> list[ToolCallStart | ToolCallProgress]:
        return [
            u
            for u in self.updates
            if isinstance(u, ToolCallStart | ToolCallProgress) and u.tool_call_id == call_id
        ]

    def statuses(self, call_id: str) -> list[str]:
        return [u.status for u in self.tool_calls(call_id) if u.status]


def _disk_text(path: str) -> str:
    return Path(path).read_text()


class Harken:
    """A running ``harken acp`` and the editor's connection to it."""

    def __init__(self, conn: ClientSideConnection, editor: Editor, hello: InitializeResponse):
        self.conn = conn
        self.editor = editor
        self.hello = hello

    async def new_session(self, cwd: Path) -> str:
        response = await self.conn.new_session(cwd=str(cwd), mcp_servers=[])
        return response.session_id

    async def prompt(self, session_id: str, text: str) -> str:
        """Send ``text``; the stop reason the prompt answers with."""
        block = TextContentBlock(type="text", text=text)
        response = await asyncio.wait_for(
            self.conn.prompt(session_id=session_id, prompt=[block]), HANG_S
        )
        return response.stop_reason


StartHarken = Callable[..., contextlib.AbstractAsyncContextManager[Harken]]


@pytest.fixture
def start_harken(api: ScriptedAPI, workspace: Path, tmp_path: Path) -> StartHarken:
    """``async with start_harken(editor, fs=True, args=[...], env={...}) as harken``: the
    real command, initialized by ``editor`` (offering fs/* when ``fs``)."""

    @contextlib.asynccontextmanager
    async def start(
        editor: Editor,
        *,
        fs: bool = False,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> AsyncIterator[Harken]:
        base_url = api.base_url  # type: ignore[attr-defined]
        env = {**os.environ, "ANTHROPIC_BASE_URL": base_url, **(env or {})}
        command = harken_command()
        with (tmp_path / "harken-acp.stderr").open("ab") as stderr:
            async with spawn_agent_process(
                editor,
                command[0],
                *command[1:],
                "acp",
                *args,
                env=env,
                cwd=workspace,
                transport_kwargs={"stderr": stderr, "shutdown_timeout": HANG_S},
            ) as (conn, process):
                capabilities = ClientCapabilities(
                    fs=FileSystemCapabilities(read_text_file=fs, write_text_file=fs)
                )
                hello = await asyncio.wait_for(
                    conn.initialize(
                        protocol_version=PROTOCOL_VERSION,
                        client_capabilities=capabilities,
                        client_info=Implementation(name="test-editor", version="1"),
                    ),
                    HANG_S,
                )
                yield Harken(conn, editor, hello)
        # The editor closed the pipes: Harken ended its sessions and exited by itself.
        assert process.returncode == 0, (tmp_path / "harken-acp.stderr").read_text()

    return start
