"""Units, fractions, currency codes and long identifiers for the ear.

What espeak-ng (and Piper, which phonemizes through it) reads letter by letter or not at
all, as a person would say it:

    2.5 MB, 4GiB, 10ms, 3.2 GHz      "2.5 megabytes", "4 gibibytes", "10 milliseconds", ...
    3h 20m, 2m30s, 5 min, 90s later  "3 hours 20 minutes", "2 minutes 30 seconds", ...
    1/2, 3/4 cup, step 1/3, 24/7     "one half", "three quarters cup", "step 1 of 3", "24 7"
    rated 4/5, 10/10                 "rated 4 out of 5", "10 out of 10"
    1½, ⅛                            "1 and one half", "one eighth" (espeak drops "⅛")
    10 EUR, 5 USD, 3 GBP             "10 euros", "5 US dollars", "3 pounds"
    3f2a9c1b4e…(40), a UUID          "3f2a9c1" (git's short form), "123e4567" (its first group)

``say_identifiers`` runs before numbers are read (a UUID's dashes are not ranges);
``say_units`` after (dates such as "5/31/2024" are gone by then, so "a/b" is a fraction or
a count).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_UUID = re.compile(
    r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE
)
# A hex string of 12 or more with a digit and a letter in it: a hash, a checksum, an id.
_HASH = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b", re.IGNORECASE)
SHORT_HASH = 7  # what git shows and people read out


def say_identifiers(text: str) -> str:
    """Long hashes as git's short form, UUIDs as their first group."""
    text = _UUID.sub(lambda m: m[1], text)
    return _HASH.sub(lambda m: m[0][:SHORT_HASH], text)


_UNITS = {
    "kB": "kilobytes", "KB": "kilobytes", "MB": "megabytes", "GB": "gigabytes",
    "TB": "terabytes", "PB": "petabytes", "KiB": "kibibytes", "MiB": "mebibytes",
    "GiB": "gibibytes", "TiB": "tebibytes", "kbps": "kilobits per second",
    "Mbps": "megabits per second", "Gbps": "gigabits per second", "Hz": "hertz",
    "kHz": "kilohertz", "MHz": "megahertz", "GHz": "gigahertz", "ms": "milliseconds",
    "µs": "microseconds", "μs": "microseconds", "ns": "nanoseconds",
    "sec": "seconds", "secs": "seconds", "min": "minutes", "mins": "minutes",
    "hrs": "hours", "hr": "hours", "km/h": "kilometres an hour", "kph": "kilometres an hour",
    "mph": "miles an hour", "kg": "kilograms", "km": "kilometres", "cm": "centimetres",
    "mm": "millimetres", "mg": "milligrams", "ml": "millilitres", "mL": "millilitres",
}  # fmt: skip
_NUMBER = r"(?<![\w.])(\d+(?:[.,]\d+)*)"
_UNIT = re.compile(
    _NUMBER
    + r"\s?("
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
    + r")(?![\w/])"
)
# "3h 20m 5s", "2m30s", "1h", "5s": hours, minutes and seconds written short ("20m" alone
# may be metres or millions, so minutes count only next to hours or seconds).
_DURATION = re.compile(
    r"(?<![\w.])(?:(?P<h>\d+)h(?:\s?(?P<m>\d+)m)?(?:\s?(?P<s>\d+)s)?"
    r"|(?P<m2>\d+)m\s?(?P<s2>\d+)s|(?P<s3>\d+(?:\.\d+)?)s)(?!\w)"
)
_CODES = {
    "EUR": "euros",
    "USD": "US dollars",
    "GBP": "pounds",
    "JPY": "yen",
    "CHF": "Swiss francs",
    "CAD": "Canadian dollars",
    "AUD": "Australian dollars",
}
_CODE = re.compile(_NUMBER + r"\s?(" + "|".join(_CODES) + r")\b")
_DENOMINATORS = {
    2: ("half", "halves"),
    3: ("third", "thirds"),
    4: ("quarter", "quarters"),
    5: ("fifth", "fifths"),
    6: ("sixth", "sixths"),
    7: ("seventh", "sevenths"),
    8: ("eighth", "eighths"),
    9: ("ninth", "ninths"),
    10: ("tenth", "tenths"),
}
_OUT_OF = (5, 10, 100)  # what scores and ratings are out of
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Words before "a/b" that make it a count, not a fraction: "step 1/3" is "step 1 of 3".
_COUNTED = (
    r"step|page|part|item|test|file|chapter|episode|round|question|slide|task|level|stage"
    r"|phase|day|week|disk|line|track|attempt|try|run|job|batch|check|commit|patch|of"
)
_SLASHED = re.compile(
    rf"(?:\b(?P<w>{_COUNTED})s?\s)?(?<![\w/.])(?P<a>\d+)/(?P<b>\d+)(?![\w/]|\.\d)", re.I
)
_VULGAR = re.compile(r"(\d)?([\u00bc-\u00be\u2150-\u215e])")


_DAY_NAMES = r"Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun"
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WORDS: tuple[tuple[re.Pattern[str], Any], ...] = (
    # "May 1", "Mar 3 to 5" (a year was read with its date before): ordinals
    (
        re.compile(
            rf"\b(?P<mon>(?:{_MONTHS})\.?)\s(?P<a>\d{{1,2}})(?:\sto\s(?P<b>\d{{1,2}}))?\b"
            r"(?![\d:.,]\d|\s?(?:am|pm|%)|\s\d)"  # not a time, a decimal, a paired year
        ),
        lambda m: f"{m['mon']} {_ordinal(m['a'])}" + (f" to {_ordinal(m['b'])}" if m["b"] else ""),
    ),
    (
        re.compile(rf"(?<![\w.])(?P<a>\d{{1,2}})\s(?P<mon>(?:{_MONTHS})\b)"),
        lambda m: f"{_ordinal(m['a'])} {m['mon']}" if 1 <= int(m["a"]) <= 31 else m[0],
    ),
    # "3rd–5th", "Q1–Q3", "Mon–Fri": a range of named things
    (
        re.compile(
            rf"\b(\d+(?:st|nd|rd|th)|Q[1-4]|{_DAY_NAMES}|{_MONTHS})\s?[-\u2013]\s?"
            rf"(?=(?:\d+(?:st|nd|rd|th)|Q[1-4]|{_DAY_NAMES}|{_MONTHS})\b)"
        ),
        lambda m: f"{m[1]} to ",
    ),
    # "1.5k users", "2M downloads", "3bn" (not "4K", a screen)
    (
        re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(k|M|B|bn)\b"),
        lambda m: f"{m[1]} {dict(k='thousand', M='million', B='billion', bn='billion')[m[2]]}",
    ),
    # 415 555 0199, 020 7946 0958: phone numbers written with spaces, digit by digit
    (
        re.compile(r"(?<![\w.])(?:\d{3} \d{3} \d{4}|0\d{2,4}(?: \d{3,4}){1,2})(?![\w.]\d|\d)"),
        lambda m: ", ".join(" ".join(g) for g in m[0].split()),
    ),
    # "$5/month", "10 req/s": per
    (
        re.compile(r"(?<=\w)/(s|sec|second|min|minute|h|hr|hour|d|day|wk|week|mo|month|yr|year)\b"),
        lambda m: f" per {_PER.get(m[1], m[1])}",
    ),
    (re.compile(r"(?<=\d)\.x\b"), lambda m: " point x"),  # "3.11.x"
    (re.compile(r"\bNo\.\s?(?=\d)"), lambda m: "number "),  # "No. 5"
)
_PER = {"s": "second", "sec": "second", "min": "minute", "h": "hour", "hr": "hour", "d": "day",
        "wk": "week", "mo": "month", "yr": "year"}  # fmt: skip


def _ordinal(digits: str) -> str:
    n = int(digits)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def say_units(text: str) -> str:
    """Units after numbers, short durations, currency codes and fractions as words."""
    text = _UNIT.sub(_unit, text)  # "km/h" before "/h" is "per hour"
    for pattern, spoken in _WORDS:
        text = pattern.sub(spoken, text)
    text = _DURATION.sub(_duration, text)
    text = _CODE.sub(lambda m: f"{m[1]} {_singular(m[1], _CODES[m[2]])}", text)
    text = _SLASHED.sub(_slashed, text)
    return _VULGAR.sub(_vulgar, text)


def _singular(number: str, words: str) -> str:
    """ "1 megabytes" -> "1 megabyte" (only the first word is the unit's plural)."""
    if number != "1":
        return words
    head, _, rest = words.partition(" ")
    if head.endswith("ies"):
        head = head[:-3] + "y"
    elif head.endswith("s") and head not in ("hertz", "yen", "Swiss"):
        head = head[:-1]
    return f"{head} {rest}".strip()


def _unit(m: re.Match[str]) -> str:
    return f"{m[1]} {_singular(m[1], _UNITS[m[2]])}"


def _duration(m: re.Match[str]) -> str:
    # "1990s" and "the 90s" were read as decades before this runs.
    parts = [
        (m["h"], "hours"),
        (m["m"] or m["m2"], "minutes"),
        (m["s"] or m["s2"] or m["s3"], "seconds"),
    ]
    return " ".join(f"{n} {_singular(n, unit)}" for n, unit in parts if n)


def _slashed(m: re.Match[str]) -> str:
    word, a, b = m["w"], int(m["a"]), int(m["b"])
    lead = f"{word} " if word else ""
    if word and word.lower() != "of":
        return f"{lead}{a} of {b}"
    if b in _OUT_OF and a <= b:  # "10/10", "4/5", "7/10": a score, as people say it
        return f"{lead}{a} out of {b}"
    if 1 <= a < b and b in _DENOMINATORS:
        singular, plural = _DENOMINATORS[b]
        return f"{lead}{_ONES[a]} {singular if a == 1 else plural}"
    return f"{lead}{a} {b}"  # "24/7", "50/50": said as two numbers


def _vulgar(m: re.Match[str]) -> str:
    name = unicodedata.name(m[2], "")
    words = name.removeprefix("VULGAR FRACTION ").lower() if name else m[2]
    return f"{m[1]} and {words}" if m[1] else f" {words}"
