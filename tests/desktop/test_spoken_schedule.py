"""Spoken schedules: what a person says becomes a cron expression, read back in words."""

from __future__ import annotations

import sys
from datetime import datetime

import pytest

from agent.tasks.schedule import check_cron, slot_after
from desktop.spoken_schedule import describe, parse_spoken

HEARD = [
    # (what was said, cron, the task's prompt)
    ("every weekday at nine, summarise what changed in the repo overnight",
     "0 9 * * 1-5", "summarise what changed in the repo overnight"),
    # As Whisper writes it: digits, capitals, a full stop.
    ("Every weekday at 9, summarize what changed in the repo overnight.",
     "0 9 * * 1-5", "summarize what changed in the repo overnight"),
    ("Every day at 9:30, check the build.", "30 9 * * *", "check the build"),
    ("every day at 9.30 check the build", "30 9 * * *", "check the build"),
    ("Daily at 7 am, read me the news.", "0 7 * * *", "read me the news"),
    ("every day at nine thirty, check the build", "30 9 * * *", "check the build"),
    ("every day at half past eight, stand-up notes", "30 8 * * *", "stand-up notes"),
    ("every day at quarter to ten, stand-up notes", "45 9 * * *", "stand-up notes"),
    ("every day at nine forty five, stand-up notes", "45 9 * * *", "stand-up notes"),
    ("every day at nine oh five, stand-up notes", "5 9 * * *", "stand-up notes"),
    ("every day at noon, tell me what's left", "0 12 * * *", "tell me what's left"),
    ("every day at midnight, rotate the logs", "0 0 * * *", "rotate the logs"),
    ("every day at 6 p.m. tidy the downloads", "0 18 * * *", "tidy the downloads"),
    ("every day at 9 o'clock, triage issues", "0 9 * * *", "triage issues"),
    ("every day at 21:15, back up the notes", "15 21 * * *", "back up the notes"),
    ("every day at three, pull the repo", "0 15 * * *", "pull the repo"),  # afternoon
    ("every day at 3 am, pull the repo", "0 3 * * *", "pull the repo"),
    ("every morning at 6, pull the repo", "0 6 * * *", "pull the repo"),
    ("every evening at six, back up the notes", "0 18 * * *", "back up the notes"),
    ("every night at 11, clean up tmp", "0 23 * * *", "clean up tmp"),
    ("every morning, plan my day", "0 9 * * *", "plan my day"),
    ("every Monday at nine, plan the week", "0 9 * * 1", "plan the week"),
    ("every monday morning, plan the week", "0 9 * * 1", "plan the week"),
    ("on Mondays and Fridays at noon, water the plants", "0 12 * * 1,5", "water the plants"),
    ("every Monday, Wednesday and Friday at 8, run the slow tests",
     "0 8 * * 1,3,5", "run the slow tests"),
    ("on weekdays at 5 pm, summarise my day", "0 17 * * 1-5", "summarise my day"),
    ("every weekend at 10, update the packages", "0 10 * * 6,0", "update the packages"),
    ("every minute, check the queue", "* * * * *", "check the queue"),
    ("every 15 minutes, check the build", "*/15 * * * *", "check the build"),
    ("every five minutes check the build", "*/5 * * * *", "check the build"),
    ("every half hour, check the build", "*/30 * * * *", "check the build"),
    ("every hour, run the tests", "0 * * * *", "run the tests"),
    ("hourly, run the tests", "0 * * * *", "run the tests"),
    ("every 2 hours, sync the mirror", "0 */2 * * *", "sync the mirror"),
    ("every thirty minutes on weekdays, poll CI", "*/30 * * * 1-5", "poll CI"),
    ("every month on the 1st at 8, send the invoice", "0 8 1 * *", "send the invoice"),
    ("on the first of every month at 8 pm, pay the rent", "0 20 1 * *", "pay the rent"),
    # The schedule at the end, and words that ask for a task before it.
    ("Summarise the repo every Monday at 9:30 a.m.", "30 9 * * 1", "Summarise the repo"),
    ("remind me to stretch every half hour", "*/30 * * * *", "remind me to stretch"),
    ("check the build at nine every day", "0 9 * * *", "check the build"),
    ("please schedule a task to clean up tmp every night at 11",
     "0 23 * * *", "clean up tmp"),
    ("Schedule: every day at 8, read my mail", "0 8 * * *", "read my mail"),
    ("every day at nine to check the build", "0 9 * * *", "check the build"),
]  # fmt: skip


@pytest.mark.parametrize(("said", "cron", "prompt"), HEARD, ids=[h[0][:40] for h in HEARD])
def test_a_spoken_schedule_becomes_a_valid_cron_task(said: str, cron: str, prompt: str) -> None:
    heard = parse_spoken(said)

    assert heard is not None
    assert (heard.cron, heard.prompt) == (cron, prompt)
    assert check_cron(heard.cron) == cron  # the same library the scheduler uses accepts it


NOT_SCHEDULES = [
    "list every file in the repo",
    "what changed in the repo overnight",
    "every day, do the thing",  # when? the agent can ask
    "tomorrow at five, call mum",  # once, not a schedule
    "at nine, summarise the repo",
    "every other day at nine, water the plants",
    "every weekday at nine",  # nothing to do
    "check every hour of the log for errors",  # "every hour" is not at an end
    "every 90 minutes, stretch",  # not one cron expression
    "every 45 minutes, stretch",  # */45 would run at :00 and :45
    "every 0 minutes, stretch",
    "every day at 25:00, run",
    "every month on the 31st at 9, pay",  # not every month has one
    "plan how to run the tests every day",
]


@pytest.mark.parametrize("said", NOT_SCHEDULES)
def test_a_request_that_is_not_a_clear_schedule_is_left_to_the_agent(said: str) -> None:
    assert parse_spoken(said) is None


def test_the_read_back_says_when_and_what_and_asks() -> None:
    heard = parse_spoken("every weekday at nine, summarise what changed in the repo overnight")

    assert heard is not None
    assert heard.readback() == (
        "Every weekday at 9:00: summarise what changed in the repo overnight. Schedule it?"
    )
    trailing = parse_spoken("Summarise the repo every Monday at 9:30 a.m.")
    assert trailing is not None
    assert trailing.readback() == "Every Monday at 9:30: summarise the repo. Schedule it?"


def test_the_parsed_schedule_fires_when_it_was_said() -> None:
    heard = parse_spoken("every weekday at nine, summarise the repo")
    assert heard is not None
    friday_evening = datetime(2026, 11, 27, 18, 0)  # a Friday
    monday_nine = datetime(2026, 11, 30, 9, 0).astimezone()  # local wall-clock time
    assert slot_after(heard.cron, friday_evening) == monday_nine


@pytest.mark.parametrize(
    ("cron", "reading"),
    [
        ("0 9 * * 1-5", "Every weekday at 9:00"),
        ("30 14 * * *", "Every day at 14:30"),
        ("0 9 * * 1", "Every Monday at 9:00"),
        ("0 9 * * 1,3,5", "Every Monday, Wednesday and Friday at 9:00"),
        ("0 10 * * 0,6", "Every weekend at 10:00"),
        ("0 9,17 * * *", "Every day at 9:00 and 17:00"),
        ("0 8 1 * *", "On the 1st of every month at 8:00"),
        ("*/15 * * * *", "Every 15 minutes"),
        ("* * * * *", "Every minute"),
        ("0 * * * *", "Every hour"),
        ("0 */3 * * *", "Every 3 hours"),
        ("5 * * * *", "Every hour at 5 past"),
        ("*/30 * * * 1-5", "Every 30 minutes, every weekday"),
        ("0 9 * 1 *", ""),  # in January only: not a shape it reads
        ("0 9 1-7 * 1", ""),
        ("not cron", ""),
    ],
)
def test_a_cron_expression_reads_in_plain_english(cron: str, reading: str) -> None:
    assert describe(cron) == reading


def test_the_parser_needs_no_qt() -> None:
    # Importing it (done above) must not bring in Qt: it is unit-tested without a screen.
    import importlib
    import subprocess

    code = "import desktop.spoken_schedule, sys; print('PySide6' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip() == "False", found.stderr
    assert importlib.import_module("desktop.spoken_schedule")
