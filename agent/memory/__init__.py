"""Harken's memory: what a user told it over weeks, kept as plain Markdown, found locally.

    folders        where each scope's folder is (user, workspace) and ``/memories`` mapping
    notes          MEMORY.md (tier 1) and topic notes with front matter (tier 2), read
                   without ever rewriting them; problems become one-line warnings
    relevance      picking the notes relevant to a prompt: SQLite FTS5 bm25, no model call
    recall         what a session adds: MEMORY.md to the system prompt, notes to each turn,
                   the transcript to the session index when a turn ends
    store          the file operations behind Anthropic's memory tool, confined to the folders
    session_index  tier 3: an FTS5 index of every transcript, incremental and rebuildable
    instructions   AGENTS.md / CLAUDE.md from the user level, the repository and the
                   workspace, with ``@path`` imports
    dream          consolidation: a side run of the model over a copy of the memory, applied
                   only when it succeeds, every change logged as a dated diff

May import: the standard library (sqlite3 among it), ``platformdirs`` and the ``agent``
modules that import no Qt and no audio (paths, config, transcript, events, tools.base, utf8,
and, in ``dream`` only, the session). Nothing here imports ``desktop`` or ``audio``.
"""

from __future__ import annotations

from agent.memory.folders import MemoryScopes, Scope, scopes_for
from agent.memory.notes import Note

__all__ = ["MemoryScopes", "Note", "Scope", "scopes_for"]
