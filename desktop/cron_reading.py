"""A five-field cron expression in plain English, for the read-back of a spoken schedule
and the Scheduled tasks window: ``describe("0 9 * * 1-5")`` is "Every weekday at 9:00".

No Qt, no agent imports.
"""

from __future__ import annotations

import re

DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_SHORT_DAYS = {name[:3]: i for i, name in enumerate(DAYS)}  # "mon" in a cron field


def describe(cron: str) -> str:
    """``cron`` in plain English for the common shapes ("Every weekday at 9:00", "Every
    15 minutes", "On the 1st of every month at 8:30"); "" when it is not one of them."""
    fields = cron.split()
    if len(fields) != 5:
        return ""
    minute, hour, dom, month, dow = fields
    if month != "*":
        return ""
    days = _describe_days(dom, dow)
    if days is None:
        return ""
    if hour == "*" or hour.startswith("*/"):
        step = _step(hour)
        if minute == "*" and hour == "*":
            often = "Every minute"
        elif minute.startswith("*/") and hour == "*":
            often = f"Every {_step(minute)} minutes"
        elif minute == "0":
            often = "Every hour" if step == 1 else f"Every {step} hours"
        elif minute.isdigit() and hour == "*":
            often = f"Every hour at {int(minute)} past"
        else:
            return ""
        return often if days == "every day" else f"{often}, {days}"
    if not minute.isdigit() or not all(h.isdigit() for h in hour.split(",")):
        return ""
    times = " and ".join(f"{int(h)}:{int(minute):02d}" for h in hour.split(","))
    return f"{days[0].upper()}{days[1:]} at {times}"


def _step(field: str) -> int:
    return 1 if field == "*" else int(field[2:]) if field[2:].isdigit() else 0


def _describe_days(dom: str, dow: str) -> str | None:
    if dom != "*" and dow != "*":
        return None
    if dom != "*":
        if not dom.isdigit():
            return None
        n = int(dom)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"on the {n}{suffix} of every month"
    if dow == "*":
        return "every day"
    if dow in ("1-5", "mon-fri", "MON-FRI"):
        return "every weekday"
    numbers = _day_numbers(dow)
    if numbers is None:
        return None
    if numbers == {0, 6}:
        return "every weekend"
    names = [DAYS[d].capitalize() for d in sorted(numbers, key=lambda d: (d == 0, d))]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"every {listed}"


def _day_numbers(dow: str) -> set[int] | None:
    found: set[int] = set()
    for part in dow.split(","):
        if re.fullmatch(r"\d-\d", part):
            low, high = int(part[0]), int(part[2])
            found.update(d % 7 for d in range(low, high + 1))
        elif part.isdigit() and int(part) <= 7:
            found.add(int(part) % 7)
        elif part.lower()[:3] in _SHORT_DAYS:
            found.add(_SHORT_DAYS[part.lower()[:3]])
        else:
            return None
    return found
