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


def test_on_a_terminal_a_retry_says_the_streamed_text_above_was_discarded() -> None:
    from agent.events import Retrying, TextDelta

    stdout, stderr = io.StringIO(), io.StringIO()
    render = HumanRenderer(stdout=stdout, stderr=stderr)
    render(TextDelta("partial answer h"))
    render(Retrying(1, 0.5, "The connection broke.", discarded_text=True))

    assert stdout.getvalue() == "partial answer h\n"  # streamed as it came
    assert stderr.getvalue().strip().endswith("The text above was discarded.")
