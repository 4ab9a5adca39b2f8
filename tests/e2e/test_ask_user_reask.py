"""``harken ask`` on a terminal: an answer no option has ("5" of two) or an empty line is
asked again, saying why, and the next answer reaches the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import harken_command, harken_env
from tests.e2e.terminal import converse
from tests.e2e.test_ask_user_terminal import script, tool_result_text
from tests.scripted_api import ScriptedAPI

PROMPT = b"your own words]"


def answer_on_terminal(api: ScriptedAPI, workspace: Path, answers: list[str]) -> tuple[int, str]:
    """Run ``harken ask`` on a pseudo-terminal; type each of ``answers`` at each prompt."""
    return converse(
        [*harken_command(), "ask", "summarise a file"], workspace, harken_env(api), PROMPT, answers
    )


@pytest.mark.parametrize(
    ("answers", "said"),
    [
        (["5", "2"], "There is no option 5"),
        (["0", "1"], "There is no option 0"),
        (["", "2"], "Please type an answer"),
        (["", "9", "the todo list"], "There is no option 9"),
    ],
)
def test_an_impossible_or_empty_answer_is_asked_again(
    api: ScriptedAPI, workspace: Path, answers: list[str], said: str
) -> None:
    script(api)

    status, printed = answer_on_terminal(api, workspace, answers)

    assert status == 0, printed
    assert said in printed, printed
    sent = tool_result_text(api.requests[1])
    expected = {"1": "notes.txt", "2": "todo.txt"}.get(answers[-1], answers[-1])
    assert expected in sent, sent
    assert "did not answer" not in sent and "no answer" not in sent, sent


def test_an_answer_that_stays_empty_gives_up_after_a_few_tries(
    api: ScriptedAPI, workspace: Path
) -> None:
    script(api)

    status, printed = answer_on_terminal(api, workspace, ["", "", ""])

    assert status == 0, printed
    # Asked three times in all; the last "Please type" is said without a new prompt.
    assert printed.count("your own words]") == 3, printed
    assert "no answer" in tool_result_text(api.requests[1])
