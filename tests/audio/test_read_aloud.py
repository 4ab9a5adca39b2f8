"""The whole answer read aloud: code blocks and tables described, not read or dropped."""

from __future__ import annotations

import pytest

from audio.spoken import read_aloud, spoken_summary


@pytest.mark.parametrize(
    ("block", "said"),
    [
        ("```python\nprint(1)\nx = 2\n```", "A Python code block of 2 lines, shown on screen."),
        ("```bash\nls -la\n```", "A shell code block of 1 line, shown on screen."),
        ("```\na\nb\nc\n```", "A code block of 3 lines, shown on screen."),
        ("~~~js\nlet a = 1;\n~~~", "A JavaScript code block of 1 line, shown on screen."),
        ("```rust\nfn main() {}\n```", "A Rust code block of 1 line, shown on screen."),
        ("```ts\nconst a = 1\n```", "A TypeScript code block of 1 line, shown on screen."),
    ],
)
def test_code_blocks_are_described(block: str, said: str) -> None:
    text = read_aloud(f"Here it is.\n\n{block}\n\nThat is all.")
    assert text == f"Here it is. {said} That is all."


@pytest.mark.parametrize(
    ("table", "said"),
    [
        (
            "| Name | Size |\n|---|---|\n| a.py | 1 |\n| b.py | 2 |",
            "A table of 2 rows with the columns Name and Size, shown on screen.",
        ),
        (
            "| **File** | Lines | Owner |\n|:--|--:|:-:|\n| x | 1 | me |",
            "A table of 1 row with the columns File, Lines and Owner, shown on screen.",
        ),
        ("| a | b |\n| c | d |", "A table of 2 rows, shown on screen."),
    ],
)
def test_tables_are_described_with_their_columns(table: str, said: str) -> None:
    assert read_aloud(f"Results:\n\n{table}\n\nDone.") == f"Results: {said} Done."


def test_the_whole_answer_says_more_than_the_summary_and_reads_paths_as_file_names() -> None:
    answer = (
        "I updated /home/me/projects/shop/src/checkout/payment_form.py to validate cards.\n\n"
        "```python\ndef validate(card):\n    return luhn(card)\n```\n\n"
        "The tests in tests/test_payment.py pass. I also tidied the imports. "
        "Next, you may want to add a test for expired cards."
    )
    whole = read_aloud(answer)
    assert len(whole.split()) > len(spoken_summary(answer).split())
    assert "payment form.py" in whole and "/home" not in whole and "checkout" not in whole
    assert "luhn" not in whole and "Python code block of 2 lines" in whole
