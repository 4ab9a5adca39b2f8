"""Which session ``harken rewind`` takes changes back from.

``latest`` means the newest session that changed files: a newer session that changed none
(a question, say) has nothing to take back, and picking it would hide the changes the
person means. When one is passed over, ``Picked.said`` says which session was taken
instead. An id or a unique id prefix picks that session. No session at all is not an
error: ``Picked.path`` is None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agent.checkpoints.store import CheckpointStore, Manifest


@dataclass
class Picked:
    """The chosen session's transcript (None: there are no sessions), its store and its
    records, and what to tell the person about the choice."""

    path: Path | None
    store: CheckpointStore | None = None
    manifest: Manifest = field(default_factory=Manifest)
    said: str = ""


def pick_session(sessions_dir: Path, wanted: str) -> Picked:
    """The session ``wanted`` names (see the module); ``HarkenError`` for an unknown or
    ambiguous id."""
    from agent.checkpoints.session_side import checkpoints_root
    from agent.transcript import find_session, list_sessions

    root = checkpoints_root(sessions_dir)
    if wanted != "latest":
        path = find_session(sessions_dir, wanted)
        store = CheckpointStore(root, path.stem)
        return Picked(path, store, store.load())
    sessions = [s for s in list_sessions(sessions_dir) if not s.problem]
    if not sessions:
        return Picked(None)
    for number, summary in enumerate(sessions):
        store = CheckpointStore(root, summary.id)
        if not store.manifest_path.exists() and number < len(sessions) - 1:
            continue  # changed nothing: look further back
        manifest = store.load()
        if not manifest.steps() and not manifest.problems and number < len(sessions) - 1:
            continue
        said = ""
        if number:
            newer = "session" if number == 1 else f"{number} sessions"
            said = (
                f"taking changes back from session {summary.id}, the latest that changed "
                f"files (the newer {newer} changed none)"
            )
        return Picked(sessions_dir / f"{summary.id}.jsonl", store, manifest, said)
    raise AssertionError("unreachable: the oldest session is always returned")
