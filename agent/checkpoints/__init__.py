"""Checkpoints: the files the agent changed, per session and per turn, and taking them back.

    store.CheckpointStore        blobs by SHA-256 and one manifest per session under
                                 ``<data dir>/checkpoints``; atomic writes; damaged records
                                 and blobs are reported and skipped
    recorder.Recorder            the seam Write and Edit call before they change a file
                                 (``ToolContext.checkpoints``): keeps the old content, or
                                 asks the user first when it cannot (store full or read-only,
                                 file over the size budget)
    restore.select/plan/apply    which files to bring back, their state now, the restore
                                 (itself a new step, so an undo can be undone)
    history                      turn prompts, step listings (one JSON shape), the note
                                 the model reads: what each file now holds
    sessions.pick_session        which session ``harken rewind`` means (``latest``: the
                                 newest that changed files)
    session_side.attach/undo     a live session's recorder; undo from the Undo tool or the
                                 desktop (``undo_in_session`` tells the conversation)

A turn is numbered as the transcript counts it (``turn_end`` records; the running turn is
one more). A step is what one undo takes back: the agent's changes in one turn, or one
restore. Nothing here runs git or touches a repository: it works in any folder.

What is kept: files changed by Write and Edit, by the path actually written (a symbolic
link is followed; the link itself is never removed or replaced). Files changed by Bash
commands or MCP tools are not tracked (the sandbox does not report what a command wrote);
listings say which turns ran commands.

The user's own edits (a file changed, or made read-only, after the agent's change) are
never discarded without their say for that file: a blanket yes (``--yes``) answers the
agent's permission questions, not that one; with nobody to ask the user's version is kept
and the model and the user are told.

Imports: the standard library and ``agent`` modules (``agent.tools.base``/``files``,
``agent.transcript``, ``agent.conversation``, ``agent.events``, the permission prompt).
Never ``desktop`` or ``audio``, never Qt; ``agent.session`` only by duck typing.
"""

from __future__ import annotations

from agent.checkpoints.recorder import Recorder
from agent.checkpoints.session_side import attach, checkpoints_root, undo, undo_in_session
from agent.checkpoints.store import CheckpointStore

__all__ = ["CheckpointStore", "Recorder", "attach", "checkpoints_root", "undo", "undo_in_session"]
