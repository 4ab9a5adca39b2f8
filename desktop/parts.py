"""The parts of the running app that ``desktop.app`` builds after the tray icon is on screen.

The controller and the pieces split from it (``permission_flow``, ``menu_host``) reach the
agent, the voice pipeline and the windows through one ``Parts``. Imports nothing at run
time: the part types are for readers and type checkers only (they pull in Qt and the agent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.background import Background
    from desktop.bridge import AgentBridge
    from desktop.buddy.window import BuddyWindow
    from desktop.sounds import CuePlayer
    from desktop.voice import Voice
    from desktop.windows.conversation import ConversationWindow
    from desktop.windows.overlay import RecordingOverlay


@dataclass
class Parts:
    """What ``desktop.app`` builds after the tray is up; any may be missing in tests."""

    background: Background
    bridge: AgentBridge | None = None
    voice: Voice | None = None
    cues: CuePlayer | None = None
    conversation: ConversationWindow | None = None
    overlay: RecordingOverlay | None = None
    buddy: BuddyWindow | None = None
    workspace: Path = field(default_factory=Path.cwd)
