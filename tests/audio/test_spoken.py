"""Text for the ear and spoken summaries."""

from __future__ import annotations

from audio.spoken import for_the_ear, sentences, spoken_summary

ANSWER = """## Done!

I fixed the failing test in `/home/me/proj/tests/test_parser.py`. All 42 tests pass now (100%).

```python
def parse(x):
    return x
```

Changes:
- Moved the check -> `parse()` in [the parser](https://docs.python.org/3/library/ast.html)
- Bumped v1.2.3, e.g. for #12
"""


def test_code_markdown_and_paths_are_not_read_aloud() -> None:
    text = for_the_ear(ANSWER)
    assert "def parse" not in text and "```" not in text and "#" not in text
    assert "/home" not in text and "test_parser.py" in text.replace(" ", "_")
    assert "**" not in text and "`" not in text


def test_urls_are_read_as_their_site_and_symbols_as_words() -> None:
    text = for_the_ear("See https://www.github.com/a/b?x=1 - it costs $5 & takes ~3 min, 50% off")
    assert text == "See github.com - it costs 5 dollars and takes about 3 minutes, 50 percent off."


def test_summary_is_at_most_two_sentences_without_code_or_lists() -> None:
    summary = spoken_summary(ANSWER)
    assert len(sentences(summary)) <= 2
    assert summary.startswith("Done!") and "def" not in summary and "Moved" not in summary


def test_summary_of_a_list_only_answer_reads_the_items() -> None:
    assert spoken_summary("- Fixed a.py\n- Fixed b.py\n- Fixed c.py") == "Fixed a.py. Fixed b.py."


def test_long_sentences_are_cut_short() -> None:
    long = "I looked at " + ", ".join(f"file {i}" for i in range(40)) + "."
    assert len(spoken_summary(long).split()) <= 31
