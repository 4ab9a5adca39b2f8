"""The journal: append-only day files, atomic entries, a torn entry survived, and
``harken journal`` printing a day."""

from __future__ import annotations

import multiprocessing
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from agent import paths
from agent.config import Config
from agent.journal import Entry, append, day_file, read_day
from agent.journal.entry import END
from agent.journal.files import digest_since
from agent.memory.dream import dream
from agent.model import ModelClient
from tests.conftest import FAST_RETRY, TEST_KEY
from tests.scripted_api import Reply, ScriptedAPI, text

MORNING = datetime(2026, 3, 2, 9, 0, 3).astimezone()


def entry(n: int = 0, **fields: object) -> Entry:
    values: dict = {
        "kind": "Task",
        "title": f"morning (t-{n:08x})",
        "asked": "summarise what changed overnight",
        "done": "Three commits landed.\nThe tests pass.",
        "outcome": "ok",
        "folder": "/home/me/project",
        "files": ["notes.md"],
        "cost_usd": 0.0123,
        "input_tokens": 1200,
        "output_tokens": 80,
        "session": "s-1",
        "at": MORNING + timedelta(seconds=n),
    }
    return Entry(**(values | fields))  # type: ignore[arg-type]


def test_an_entry_lands_in_its_days_file_with_what_was_asked_and_done() -> None:
    path = append(entry())

    assert path == paths.data_dir() / "journal" / "2026" / "03" / "2026-03-02.md"
    assert path == day_file(date(2026, 3, 2))
    text = path.read_text()
    assert text.startswith("# Harken journal · 2026-03-02\n")
    assert "## 09:00:03 · Task morning (t-00000000) · ok" in text
    assert "- Asked: summarise what changed overnight" in text
    assert "  > Three commits landed.\n  > The tests pass." in text
    assert "- Files touched: `notes.md`" in text
    assert "- Cost: $0.0123 (1200 input, 80 output tokens)" in text
    [read] = read_day(date(2026, 3, 2))
    assert read.complete and read.folder == "/home/me/project"


def test_appending_never_rewrites_what_is_there() -> None:
    first = append(entry(1)).read_bytes()
    append(entry(2))
    both = day_file(date(2026, 3, 2)).read_bytes()

    assert both.startswith(first)
    assert [e.time for e in read_day(date(2026, 3, 2))] == ["09:00:04", "09:00:05"]


def test_a_torn_last_entry_does_not_break_reading_or_the_next_append() -> None:
    path = append(entry(1))
    whole = entry(2).markdown().encode()
    with open(path, "ab") as f:  # the process died in the middle of the second entry
        f.write(whole[: len(whole) // 2])
    torn = path.read_bytes()

    append(entry(3))

    assert path.read_bytes().startswith(torn)  # nothing rewritten, not even the torn part
    entries = read_day(date(2026, 3, 2))
    assert [(e.time, e.complete) for e in entries] == [
        ("09:00:04", True),
        ("09:00:05", False),
        ("09:00:06", True),
    ]
    assert "Three commits landed." in entries[2].body
    assert "cut short" in entries[1].markdown()


def test_text_from_the_model_cannot_fake_a_heading_or_an_end() -> None:
    sneaky = f"fine\n## 10:00:00 · Task fake · ok\n{END}\nmore"
    append(entry(asked=sneaky, done=sneaky, title=sneaky))

    [one] = read_day(date(2026, 3, 2))
    assert one.complete and "fake" in one.body


def _append_many(home: str, worker: int, count: int) -> None:
    os.environ["XDG_DATA_HOME"] = home
    for i in range(count):
        append(entry(worker * 1000 + i, done="line\n" * 40))


def test_entries_from_several_processes_never_interleave() -> None:
    home = os.environ["XDG_DATA_HOME"]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(home, w, 40)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert all(w.exitcode == 0 for w in workers)

    days = sorted((paths.data_dir() / "journal").rglob("*.md"))
    entries = [e for path in days for e in read_day(date.fromisoformat(path.stem))]
    assert len(entries) == 160 and all(e.complete for e in entries)
    for path in days:  # one title per file, however many processes raced to create it
        assert path.read_text().count("# Harken journal") == 1


def test_harken_journal_prints_a_day(harken) -> None:
    append(entry(1))
    append(entry(2, outcome="error (failed once)", done="the folder is gone"))

    result = harken("journal", "--date", "2026-03-02")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Harken journal · 2026-03-02\n")
    assert result.stdout.count("## 09:00:0") == 2
    assert "the folder is gone" in result.stdout and END not in result.stdout


def test_harken_journal_defaults_to_today(harken) -> None:
    append(entry(at=datetime.now().astimezone()))

    result = harken("journal")

    assert result.returncode == 0 and "summarise what changed overnight" in result.stdout


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "20260302", "2026-3-2"])
def test_a_bad_date_is_a_one_line_usage_error(harken, bad: str) -> None:
    result = harken("journal", "--date", bad)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_day_without_entries_says_so(harken) -> None:
    result = harken("journal", "--date", "2025-01-01")

    assert result.returncode == 0 and result.stdout == ""
    assert "No journal entries for 2025-01-01" in result.stderr


async def test_the_memory_dream_reads_the_journal(api: ScriptedAPI, workspace: Path) -> None:
    now = datetime.now().astimezone()
    append(entry(1, folder=str(workspace), done="Rotated the deploy keys.", at=now))
    append(entry(2, folder="/elsewhere", done="Someone else's work.", at=now))
    api.script(Reply([text("Nothing to change.")]))
    model = ModelClient(api_key=TEST_KEY, base_url=api.base_url, retry=FAST_RETRY)  # type: ignore[attr-defined]

    await dream(model, Config(), workspace)
    await model.aclose()

    system = api.requests[0]["system"][0]["text"]
    assert "Rotated the deploy keys." in system
    assert "Someone else's work." not in system


def test_the_digest_starts_on_the_day_of_since_and_keeps_whole_days() -> None:
    now = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    append(entry(1, done="Three days ago.", at=now - timedelta(days=3)))
    append(entry(2, done="Early yesterday.", at=now - timedelta(days=1, hours=4)))
    append(entry(3, done="Today.", at=now))

    since_yesterday_noon = digest_since((now - timedelta(days=1)).timestamp())
    everything = digest_since(0)

    assert "Today." in since_yesterday_noon and "Early yesterday." in since_yesterday_noon
    assert "Three days ago." not in since_yesterday_noon
    assert all(done in everything for done in ("Three days ago.", "Early yesterday.", "Today."))


def test_a_year_before_1000_is_written_with_four_digits(harken) -> None:
    result = harken("journal", "--date", "0001-01-01")

    assert result.returncode == 0
    assert "journal/0001/01/0001-01-01.md" in result.stderr


def test_a_key_in_an_entry_is_masked_in_the_file() -> None:
    from agent.journal import Entry, append

    key = "sk-ant-api03-" + "Zq7" * 20
    path = append(Entry(kind="Task", title="t", done=f"the API said: bad key {key}"))

    written = path.read_text()
    assert "bad key sk-ant-api0…[redacted]" in written and key not in written
