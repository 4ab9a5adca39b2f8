"""Spoken schedules: "every weekday at nine, summarise the repo" -> a cron task to confirm.

    parse_spoken(text) -> SpokenSchedule | None   the cron expression, its reading and the
                                                  prompt; None when no schedule is heard
    describe(cron) -> str                         a cron expression in plain English ("Every
                                                  weekday at 9:00"), or "" (``cron_reading``)
    SpokenSchedule.readback()                     "Every weekday at 9:00: summarise the
                                                  repo. Schedule it?"

The parser is deterministic and local: a schedule phrase at the start of the request
("every day at 9:30, ...", "on Mondays at noon ...", "every 15 minutes, ...") or at its end
("... every weekday at nine"), made only of words it knows; whatever else the request says
is the task's prompt. Anything else (a phrase it half understands, "tomorrow at five", "every
file in the repo") gives None, and the request goes to the agent as an ordinary one. Bare
hours follow how people speak: "at nine" is 9:00, "at three" 15:00 (1 to 6 are afternoon
unless "am" or "in the morning" says otherwise). No Qt, no agent imports: unit-testable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.cron_reading import DAYS, describe

__all__ = ["SpokenSchedule", "describe", "parse_spoken"]

DAY_NAMES = {name: i for i, name in enumerate(DAYS)}
DAY_NAMES.update({name + "s": i for i, name in enumerate(DAYS)})  # "on mondays"
DAY_NAMES.update({name[:3]: i for i, name in enumerate(DAYS)})
SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve")  # fmt: skip
NUMBERS = {w: n for n, w in enumerate(SMALL)}
NUMBERS.update(fifteen=15, twenty=20, thirty=30, forty=40, fifty=50, a=1, an=1)
ONES = {w: NUMBERS[w] for w in SMALL[1:10]}
# What a part of the day means: its default hour, and whether a bare hour in it is p.m.
PARTS_OF_DAY = {
    "morning": (9, False), "afternoon": (14, True), "evening": (18, True), "night": (21, True),
    "tonight": (21, True),
}  # fmt: skip
# Words before the schedule that ask for one ("please schedule a task to ..."): not the prompt.
LEAD = re.compile(
    r"(?:(?:please|can you|could you|would you|harken)[ ,:]+)*"
    r"(?:(?:schedule|set up|create|add|make) (?:a |an )?(?:new )?(?:recurring |repeating )?"
    r"(?:task|job)(?: to| that)?[ ,:]+|schedule[ ,:]+)?"
)
JOINERS = ("please", "then", "and")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "tenth": 10,
            "fifteenth": 15, "twentieth": 20}  # fmt: skip


@dataclass(frozen=True)
class SpokenSchedule:
    """A schedule heard in a request: ``cron`` (five fields), ``when`` (its reading) and
    ``prompt`` (what the task asks, as said)."""

    cron: str
    when: str
    prompt: str

    def readback(self) -> str:
        """What Harken says back before it schedules the task."""
        prompt = self.prompt
        if len(prompt) > 1 and prompt[0].isupper() and not prompt[1].isupper():
            prompt = prompt[0].lower() + prompt[1:]  # "Summarise" -> read as one sentence
        return f"{self.when}: {prompt}. Schedule it?"


class _NotUnderstood(Exception):
    """The words are not a schedule this parser knows (the agent gets the request)."""


@dataclass
class _Heard:
    minute: str = "0"
    hour: str = ""
    dom: str = "*"
    dow: str = "*"
    interval: bool = False  # every N minutes/hours: no time of day
    timed: bool = False
    part: str = ""  # a part of the day ("morning"): a default hour and am/pm
    exact: bool = False  # the hour is on the 24-hour clock (said with am/pm, or 13 to 23)


def parse_spoken(text: str) -> SpokenSchedule | None:
    """The schedule and prompt in ``text``, or None when it asks for no schedule."""
    lowered = re.sub(r"\b([ap])\.m\.", lambda m: m.group(1) + "m  ", text.lower())
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(lowered)]
    words = [t[0] for t in tokens]
    start = len(lowered) - len(lowered.lstrip())
    found = LEAD.match(lowered, start)
    lead = sum(1 for t in tokens if t[2] <= (found.end() if found else start))
    for start, end in _candidates(len(words), lead):
        try:
            heard = _parse(words[start:end])
        except _NotUnderstood:
            continue
        prompt = _prompt(text, tokens, start, end, lead)
        if not prompt:
            continue
        cron = _cron(heard)
        return SpokenSchedule(cron, describe(cron), prompt)
    return None


_TOKEN = re.compile(r"\d{1,2}[:.]\d{2}|\d+(?:st|nd|rd|th)?|[^\W\d_][\w'-]*|,")


def _candidates(count: int, lead: int) -> list[tuple[int, int]]:
    """(start, end) of the word runs that may be the schedule, longest first: those that
    open the request (after its lead words) and those that close it."""
    opening = [(lead, end) for end in range(count, lead, -1)]
    return opening + [(start, count) for start in range(lead + 1, count)]


def _prompt(text: str, tokens: list[tuple[str, int, int]], start: int, end: int, lead: int) -> str:
    """What the task asks: the words the schedule leaves, or "" when it leaves none."""
    if end < len(tokens):
        rest = tokens[end:]
        while rest and (rest[0][0] == "," or rest[0][0] in JOINERS):
            rest = rest[1:]
        if rest and rest[0][0] == "to" and start == 0:
            rest = rest[1:]  # "every day at nine to check the build"
        if not rest:
            return ""
        said = text[rest[0][1] :]
    else:
        if lead >= start:
            return ""
        said = text[tokens[lead][1] : tokens[start][1]]
    return said.strip().rstrip(".,!?;: ").strip()


def _parse(words: list[str]) -> _Heard:
    """A schedule made of all of ``words``; raises ``_NotUnderstood`` otherwise."""
    words = [w for w in words if w != ","]
    heard = _Heard()
    i = 0
    days_said = False
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in ("every", "each"):
            i = _every(words, i + 1, heard)
            days_said = days_said or not heard.interval or heard.dow != "*"
        elif w in ("daily",):
            days_said, i = True, i + 1
        elif w == "hourly" and not heard.interval:
            heard.interval, heard.hour, i = True, "*", i + 1
        elif w == "on" and nxt:
            i = _days(words, i + 1, heard, allow_month_day=True)
            days_said = True
        elif w in ("weekdays", "weekends") or (w in DAY_NAMES and w.endswith("s")):
            i = _days(words, i, heard, allow_month_day=False)
            days_said = True
        elif w == "at" and nxt:
            i = _time(words, i + 1, heard)
        elif w in ("noon", "midday", "midnight"):
            i = _time(words, i, heard)
        elif w in ("in", "this") and nxt in ("the", *PARTS_OF_DAY):
            i = _part_of_day(words, i + (2 if nxt == "the" else 1), heard)
        elif w in PARTS_OF_DAY and heard.dow != "*":
            i = _part_of_day(words, i, heard)  # "every Monday morning"
        else:
            raise _NotUnderstood(w)
    if not (days_said or heard.interval or heard.dom != "*"):
        raise _NotUnderstood("no repetition")  # "at nine" alone is once, not a schedule
    if heard.interval and heard.timed:
        raise _NotUnderstood("an interval at a time")
    if not heard.interval and not heard.timed and not heard.part:
        raise _NotUnderstood("no time of day")  # "every day": when? the agent may ask
    return heard


def _every(words: list[str], i: int, heard: _Heard) -> int:
    """After "every": a count and unit, "day", "weekday", day names, a part of the day."""
    w = words[i] if i < len(words) else ""
    count = 1
    if w in ("half", "quarter") and words[i + 1 : i + 2] in (["hour"], ["an"]):
        i += 2 if words[i + 1] == "hour" else 3
        if words[i - 1] != "hour":
            raise _NotUnderstood(w)
        return _interval(heard, "*", "*/30" if w == "half" else "*/15", i)
    number = _number(w)
    if number is not None and w not in ("a", "an"):
        count, i = number, i + 1
        w = words[i] if i < len(words) else ""
    if w in ("minute", "minutes"):  # a step that does not divide 60 (45) is no cron interval
        if not count or 60 % count or (count > 1) != (w == "minutes"):
            raise _NotUnderstood(w)
        return _interval(heard, "*", "*" if count == 1 else f"*/{count}", i + 1)
    if w in ("hour", "hours"):
        if not count or 24 % count or (count > 1) != (w == "hours"):
            raise _NotUnderstood(w)
        return _interval(heard, "*" if count == 1 else f"*/{count}", "0", i + 1)
    if count != 1:
        raise _NotUnderstood(w)
    if w in ("day", "weekday", "weekend"):
        heard.dow = {"day": "*", "weekday": "1-5", "weekend": "6,0"}[w]
        return i + 1
    if w in PARTS_OF_DAY:
        return _part_of_day(words, i, heard)
    if w == "month":
        return _month(words, i + 1, heard)
    if w in DAY_NAMES:
        return _days(words, i, heard, allow_month_day=False)
    raise _NotUnderstood(w)


def _interval(heard: _Heard, hour: str, minute: str, i: int) -> int:
    if heard.interval:
        raise _NotUnderstood("two intervals")
    heard.interval, heard.hour, heard.minute = True, hour, minute
    return i


def _days(words: list[str], i: int, heard: _Heard, *, allow_month_day: bool) -> int:
    """Day names ("Monday, Wednesday and Friday"), weekdays, weekends, "the 1st"."""
    if heard.dow != "*":
        raise _NotUnderstood("days twice")
    w = words[i] if i < len(words) else ""
    if w in ("weekdays", "weekday", "weekends", "weekend"):
        heard.dow = "1-5" if w.startswith("weekday") else "6,0"
        return i + 1
    if allow_month_day and w == "the":
        return _month_day(words, i + 1, heard)
    named: list[int] = []
    while i < len(words) and words[i] in DAY_NAMES:
        named.append(DAY_NAMES[words[i]])
        i += 1
        if i + 1 < len(words) and words[i] == "and" and words[i + 1] in DAY_NAMES:
            i += 1
    if not named:
        raise _NotUnderstood(w)
    heard.dow = ",".join(str(d) for d in sorted(set(named)))
    if i < len(words) and words[i] in PARTS_OF_DAY:
        return _part_of_day(words, i, heard)
    return i


def _month(words: list[str], i: int, heard: _Heard) -> int:
    """After "every month": "on the 1st"; without it, the 1st."""
    if words[i : i + 2] == ["on", "the"]:
        return _month_day(words, i + 2, heard)
    heard.dom = "1"
    return i


def _month_day(words: list[str], i: int, heard: _Heard) -> int:
    w = words[i] if i < len(words) else ""
    day = ORDINALS.get(w)
    if day is None and re.fullmatch(r"\d{1,2}(st|nd|rd|th)", w):
        day = int(w[:-2])
    if day is None or not 1 <= day <= 28:  # every month has it
        raise _NotUnderstood(w)
    heard.dom = str(day)
    i += 1
    if words[i : i + 3] in (["of", "every", "month"], ["of", "the", "month"]):
        i += 3
    return i


def _part_of_day(words: list[str], i: int, heard: _Heard) -> int:
    w = words[i] if i < len(words) else ""
    if w not in PARTS_OF_DAY or heard.part:
        raise _NotUnderstood(w)
    heard.part = w
    return i + 1


def _time(words: list[str], i: int, heard: _Heard) -> int:
    """A time of day: 9, nine, 9:30, 9.30, nine thirty, half past nine, quarter to ten,
    noon, midnight, with am/pm or o'clock."""
    if heard.timed:
        raise _NotUnderstood("two times")
    w = words[i] if i < len(words) else ""
    minute = 0
    if w in ("noon", "midday", "midnight"):
        heard.hour, heard.minute, heard.timed = ("0" if w == "midnight" else "12"), "0", True
        return i + 1
    if w in ("half", "quarter") and i + 2 < len(words) and words[i + 1] in ("past", "to"):
        offset = 30 if w == "half" else 15
        hour = _number(words[i + 2])
        if hour is None or not 1 <= hour <= 12 or (w == "half" and words[i + 1] == "to"):
            raise _NotUnderstood(w)
        if words[i + 1] == "past":
            minute = offset
        else:
            hour, minute = (hour - 1) or 12, 60 - offset
        i += 3
    elif m := re.fullmatch(r"(\d{1,2})[:.](\d{2})", w):
        hour, minute = int(m.group(1)), int(m.group(2))
        i += 1
    else:
        hour = _number(w)
        if hour is None or w in ("a", "an"):
            raise _NotUnderstood(w)
        i += 1
        nxt = words[i] if i < len(words) else ""
        if nxt in ("oh", "o") and i + 1 < len(words) and words[i + 1] in ONES:
            minute, i = ONES[words[i + 1]], i + 2  # "nine oh five"
        elif (spoken := _minutes(words, i)) is not None:
            minute, i = spoken
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise _NotUnderstood(w)
    suffix = words[i] if i < len(words) else ""
    if suffix in ("o'clock", "oclock"):
        i += 1
        suffix = words[i] if i < len(words) else ""
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise _NotUnderstood(suffix)
        hour = hour % 12 + (12 if suffix == "pm" else 0)
        heard.exact = True
        i += 1
    heard.hour, heard.minute, heard.timed = str(hour), str(minute), True
    heard.exact = heard.exact or hour == 0 or hour > 12 or w.startswith("0")
    return i


def _minutes(words: list[str], i: int) -> tuple[int, int] | None:
    """Spoken minutes after an hour: "thirty", "fifteen", "forty five", "45"."""
    w = words[i] if i < len(words) else ""
    if w.isdigit() and len(w) == 2:
        return int(w), i + 1
    if w in ("fifteen", "ten", "five") or w in ("twenty", "thirty", "forty", "fifty"):
        value = NUMBERS[w]
        if value >= 20 and i + 1 < len(words) and words[i + 1] in ONES:
            return value + ONES[words[i + 1]], i + 2
        return value, i + 1
    if (m := re.fullmatch(r"(twenty|thirty|forty|fifty)-(\w+)", w)) and m.group(2) in ONES:
        return NUMBERS[m.group(1)] + ONES[m.group(2)], i + 1
    return None


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def _cron(heard: _Heard) -> str:
    if heard.interval:
        return f"{heard.minute} {heard.hour} {heard.dom} * {heard.dow}"
    hour = int(heard.hour) if heard.timed else PARTS_OF_DAY[heard.part][0]
    minute = int(heard.minute) if heard.timed else 0
    if heard.timed and not heard.exact and 1 <= hour <= 11:
        if heard.part and PARTS_OF_DAY[heard.part][1]:
            hour += 12  # "every evening at six"
        elif not heard.part and hour <= 6:
            hour += 12  # "at three" means the afternoon
    return f"{minute} {hour} {heard.dom} * {heard.dow}"
