"""Dates and times for the ear: the words ``audio.spoken_numbers`` rewrites them into.

espeak-ng reads "2024-05-01" as "two thousand and twenty four dash zero five dash zero
one" and "10:00" as "ten zero zero". The pieces: ``ordinal`` (1 -> "1st"), ``year`` (in
pairs: "19 90"), ``spoken_time`` (on the 12-hour clock: "2 30 pm"), the month names
(``MONTHS``, ``MONTH_NAMES`` for patterns); and what the rules of
``audio.spoken_numbers`` call for a match: ``iso_date`` (2024-05-01, 2024-05-01T14:30Z,
2024-05), ``slashed_date`` (5/31/2024; 3/4/2025 said in order), ``dotted_date``
(01.05.2024, day first) and ``clock_time`` (14:30, 9:05 am).
"""

from __future__ import annotations

import re

MONTHS = re.findall(
    r"\w+", "January February March April May June July August September October November December"
)
MONTH_NAMES = "|".join(MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"


def ordinal(n: int) -> str:
    """1 -> "1st", 22 -> "22nd", 13 -> "13th" (espeak reads these as "first", ...)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def year(digits: str) -> str:
    """A year as people say it: "1990" -> "19 90", "1905" -> "19 oh 5", "1900" -> "19
    hundred", "2024" -> "20 24"; 2000 to 2009 and other numbers as they are."""
    n = int(digits)
    if len(digits) != 4 or not 1100 <= n <= 2099 or 2000 <= n <= 2009:
        return digits
    head, tail = digits[:2], int(digits[2:])
    if tail == 0:
        return f"{head} hundred"
    return f"{head} oh {tail}" if tail < 10 else f"{head} {tail}"


def spoken_time(hour: int, minute: int, suffix: str = "", second: int = 0) -> str:
    """14:30 -> "2 30 pm", 9:05 -> "9 oh 5", 10:00 -> "10 o'clock", 15:00 -> "3 pm",
    00:00 -> "midnight", 14:30:15 -> "2 30 pm and 15 seconds"; ``suffix`` is "am" or "pm".

    A 24-hour time is said on the 12-hour clock: "15 hundred" was heard as the number
    1,500 ("14:30-15:00" became "14 30 to 15 hundred"), and "3 pm" is a time to any ear."""
    if not suffix and (hour > 12 or hour == 0):
        if hour == 0 and minute == 0 and not second:
            return "midnight"
        hour, suffix = (hour - 12, "pm") if hour > 12 else (12, "am")
    suffix = f" {suffix}" if suffix else ""
    seconds = f" and {second} seconds" if second else ""
    if minute == 0 and not seconds:
        if suffix:
            return f"{hour}{suffix}"
        return f"{hour} o'clock"
    minutes = f"oh {minute}" if minute < 10 else str(minute)
    return f"{hour} {minutes}{suffix}{seconds}"


def _date(y: str, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    name = MONTHS[month - 1]
    return f"{name} {year(y)}" if day is None else f"{name} {ordinal(day)}, {year(y)}"


def _full_year(y: str) -> str:
    return y if len(y) == 4 else ("20" + y if int(y) < 70 else "19" + y)


def iso_date(m: re.Match[str]) -> str:
    """2024-05-01 (and a time, a zone) or 2024-05: "May 1st, 2024 at 2 30 pm UTC"."""
    said = _date(m["y"], int(m["mo"]), int(m["d"]) if m["d"] else None)
    if said is None:
        return m[0]
    hour, minute = m.groupdict().get("h"), m.groupdict().get("mi")
    if hour is not None and minute is not None and int(hour) < 24 and int(minute) < 60:
        said += f" at {spoken_time(int(hour), int(minute))}"
        if m["z"]:
            said += " UTC" + _offset(m["z"])
    return said


def _offset(zone: str) -> str:
    """ "Z" -> "", "+02:00" -> " plus 2", "-05:30" -> " minus 5 30"."""
    if zone == "Z":
        return ""
    hours, minutes = int(zone[1:3]), int(zone[-2:])
    if not hours and not minutes:
        return ""
    sign = "plus" if zone[0] == "+" else "minus"
    return f" {sign} {hours}" + (f" {minutes}" if minutes else "")


def slashed_date(m: re.Match[str]) -> str:
    """5/31/2024 or 31/5/2024: "May 31st, 2024"; 3/4/2025 in order: "3, 4, 20 25"."""
    a, b, y = int(m["a"]), int(m["b"]), _full_year(m["y"])
    if a > 12 and b <= 12:
        said = _date(y, b, a)  # day first: 31/5/2024
    elif b > 12 and a <= 12:
        said = _date(y, a, b)  # month first: 5/31/2024
    else:
        # 3/4 is March 4th or 3rd April: a guessed month is wrong for half the world, so
        # the numbers are said in order without "slash" ("3, 4, 20 25")
        return f"{a}, {b}, {year(y)}"
    return said or m[0]


def dotted_date(m: re.Match[str]) -> str:
    """01.05.2024: "1st May 2024"."""
    day, month = int(m["a"]), int(m["b"])  # 01.05.2024: day first, as where it is written
    if _date(m["y"], month, day) is None:
        return m[0]
    return f"{ordinal(day)} {MONTHS[month - 1]} {year(m['y'])}"


def clock_time(m: re.Match[str]) -> str:
    """14:30, 9:05 am, 10:00 p.m.: ``spoken_time``."""
    suffix = (m["ap"] or "").replace(".", "").replace(" ", "").lower()
    return spoken_time(int(m["h"]), int(m["mi"]), suffix, int(m["s"] or 0))
