"""`harken ask` when the answer stops short (the output limit, a refusal, the context
window) or a streamed attempt is abandoned and retried: the user is told on stderr, the
exit status says the answer is not complete, and stdout (a pipe) holds only the text of
complete messages, never a fragment from an attempt that was thrown away."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import failure_lines, run_harken, write_config
from tests.scripted_api import Reply, ScriptedAPI, text

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("stop_reason", "said", "partial"),
    [
        ("max_tokens", "the answer was cut off at the output limit", "I will now write"),
        ("refusal", "the model declined to continue (refusal)", "I can"),
        (
            "model_context_window_exceeded",
            "the answer stopped: the context window was exhausted",
            "partial",
        ),
    ],
)
def test_an_answer_stopped_short_says_so_and_exits_1(
    api: ScriptedAPI, harken, stop_reason: str, said: str, partial: str
) -> None:
    api.script(Reply([text(partial)], stop_reason=stop_reason))
    result = harken("ask", "write it")

    assert result.returncode == 1
    assert result.stdout == partial + "\n"  # what came is kept, but not as a whole answer
    lines = failure_lines(result.stderr)
    assert len(lines) == 1 and said in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_the_output_limit_notice_names_the_limit_and_how_to_go_on(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, "max_tokens = 1234\n")
    api.script(Reply([text("I will now write")], stop_reason="max_tokens"))
    result = harken("ask", "write it")

    assert failure_lines(result.stderr) == [
        "harken: the answer was cut off at the output limit (max_tokens 1234); ask it to continue"
    ]


def test_a_complete_answer_has_no_notice(api: ScriptedAPI, harken) -> None:
    api.script(Reply([text("All done.")]))
    result = harken("ask", "go")

    assert result.returncode == 0
    assert failure_lines(result.stderr) == []


def test_a_retried_stream_without_its_block_stop_leaves_no_fragment_on_stdout(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, "max_retries = 1\n")
    api.script(Reply([text("a")], omit=("content_block_stop",)), Reply([text("done")]))
    result = harken("ask", "go")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n"
    assert "Retrying" in result.stderr


def test_an_error_event_mid_stream_leaves_no_fragment_on_stdout(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, "max_retries = 1\n")
    api.script(
        Reply([text("partial answer here")], text_chunk=4, error_after=4),
        Reply([text("full answer.")]),
    )
    result = harken("ask", "go")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "full answer.\n"
    assert "Retrying" in result.stderr
    # The error came as a stream event: no HTTP status is claimed.
    assert "529" not in result.stderr
    assert "overloaded" in result.stderr.lower()


def test_chat_says_when_an_answer_was_cut_off_and_goes_on(
    api: ScriptedAPI, workspace: Path
) -> None:
    api.script(
        Reply([text("I will now write")], stop_reason="max_tokens"),
        Reply([text("The rest.")]),
    )
    result = run_harken(api, workspace, "chat", input="write it\ncontinue\n\n")

    assert result.returncode == 0, result.stderr
    assert "I will now write\n" in result.stdout and "The rest.\n" in result.stdout
    notices = failure_lines(result.stderr)
    assert len(notices) == 1 and "cut off at the output limit" in notices[0], result.stderr
