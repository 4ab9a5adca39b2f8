"""``harken acp``: Harken as an agent for editors, over the Agent Client Protocol (stdio).

Editors that host coding agents (Zed, JetBrains IDEs, Neovim plugins) start ``harken acp``
and talk JSON-RPC to it on stdin/stdout, through the protocol's official SDK (``acp``).

    server.py        the ACP agent: initialize, session/new, /load and /list (sessions in
                     the editor's folder), session/prompt, session/cancel, modes; ``serve``
    relay.py         a session's events as session/update notifications (text, thoughts,
                     tool calls with kind and status); its permission questions as the
                     editor's own prompts (session/request_permission)
    editor_files.py  Read, Write and Edit through the editor (fs/read_text_file,
                     fs/write_text_file) when it offers them, so unsaved buffers are seen
    editor_mcp.py    a session's MCP servers: the workspace's and those the editor hands it
    saved.py         saved sessions: listed for session/list, replayed for session/load
    stdio.py         the editor's pipes kept for the protocol alone

Harken's permission engine still decides what needs asking; the editor only answers.
Sessions are made by the caller (``SessionMaker``), so the command decides how they are
built, as ``harken ask`` does.

May import: ``acp`` and ``agent`` modules. Never ``desktop``, ``audio`` or Qt.
"""

from __future__ import annotations

from agent.acp.server import HarkenAgent, SessionMaker, serve

__all__ = ["HarkenAgent", "SessionMaker", "serve"]
