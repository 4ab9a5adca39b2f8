"""What `harken ask` prints on the terminal for tool activity (desktop/terminal.py)."""

from __future__ import annotations

import io

from agent.events import ToolFinished
from desktop.terminal import HumanRenderer


def test_a_long_tool_error_is_cut_at_a_word_with_a_mark() -> None:
    stderr = io.StringIO()
    reason = "Not run: " + "the scheduled task runs unattended and nobody can answer " * 6
    HumanRenderer(stdout=io.StringIO(), stderr=stderr)(
        ToolFinished("t1", "Write", "Writing notes.txt", reason, True, 1.0)
    )

    line = stderr.getvalue().strip()
    assert line.endswith(" …"), line
    shown = line.split(": ", 1)[1].removesuffix(" …")
    assert reason.startswith(shown) and reason[len(shown)] == " "  # whole words only
