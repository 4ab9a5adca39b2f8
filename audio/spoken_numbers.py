"""Numbers for the ear: dates, times, versions, phone numbers and ranges as people say them.

espeak-ng reads "2024-05-01" as "two thousand and twenty four dash zero five dash zero
one", "10:00" as "ten zero zero", "Python 3.11" as "three point one one", "1850" as "one
thousand eight hundred and fifty" and "1990s" as "nineteen hundred and ninety z"; a bare
"-" between numbers made every one of them "to" ("555-0199" became "555 to 0199").
``say_numbers(text)`` rewrites each kind into words and digits espeak reads the way a
person would say them, most specific kind first:

    2024-05-01, 2024-05-01T14:30Z   "May 1st, 2024", "May 1st, 2024 at 2 30 pm UTC"
    2024-05, 01.05.2024, 5/31/2024  "May 2024", "1st May 2024", "May 31st, 2024"
    3/4/2025 (day or month first?)  "3, 4, 20 25": the numbers in order, never "slash"
    Jan 5 2024, 5 May 2024          "Jan 5th, 2024", "5th May 2024"
    14:30, 9:05 am, 10:00, 14:00    "2 30 pm", "9 oh 5 am", "10 o'clock", "2 pm"
    9:00-17:00, 10am-2pm            "9 o'clock to 5 pm", "10am to 2pm"
    555-0199, (555) 123-4567, +44…  digits one by one, in their groups: "5 5 5, 0 1 9 9"
    192.168.1.10                    "192 dot 168 dot 1 dot 10"
    v1.2.3, Python 3.11, 1.12.0     "version 1 point 2 point 3", "Python 3 point 11"
    1990s, the '90s, in 1850        "19 nineties", "the nineties", "in 18 50"
    10-20, 2019–2021, -5, 16:9      "10 to 20", "20 19 to 20 21", "minus 5", "16 to 9"
    $3.50, £5, $1.5 million         "3 dollars 50", "5 pounds", "1.5 million dollars"
    1e-5, 2^10                      "1 times 10 to the minus 5", "2 to the power of 10"

Dates and times are said by ``audio.spoken_dates``; the rules' order is kept here. Years
are read in pairs ("19 90", "20 24"; "2005" stays "two thousand and five") only where they
are years: in a date, in a range of years, after a month or a word such as "in" or
"since", or before "s".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from audio.spoken_dates import (
    MONTH_NAMES,
    clock_time,
    dotted_date,
    iso_date,
    ordinal,
    slashed_date,
    year,
)

_DECADES = {
    "1": "tens",
    "2": "twenties",
    "3": "thirties",
    "4": "forties",
    "5": "fifties",
    "6": "sixties",
    "7": "seventies",
    "8": "eighties",
    "9": "nineties",
}
_YEAR_WORDS = r"in|since|from|until|till|by|before|after|year|of|circa|around|during"
_PHONE_WORDS = r"call|phone|tel|telephone|fax|dial|mobile|cell|number|ring|text|reach"
_DASH = "-\u2010\u2011\u2012\u2013\u2014"  # hyphen and dashes

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def say_numbers(text: str) -> str:
    """``text`` with dates, times, versions, phone numbers, ranges and years for the ear."""
    for pattern, spoken in _RULES:
        text = pattern.sub(spoken, text)
    return text


# -- the pieces ------------------------------------------------------------------------


def digits(group: str) -> str:
    """ "0199" -> "0 1 9 9": read one by one, as phone numbers are."""
    return " ".join(group)


# -- the rules, in order ---------------------------------------------------------------


def _phone(m: re.Match[str]) -> str:
    groups = re.findall(r"\d+", m[0])
    said = ", ".join(digits(g) for g in groups)
    return f"plus {said}" if m[0].lstrip().startswith("+") else said


def _short_phone(m: re.Match[str]) -> str:
    first, second = m["a"], m["b"]
    before = m.string[max(0, m.start() - 30) : m.start()]
    looks_like_range = int(first) < int(second) and not second.startswith("0")
    if looks_like_range and not re.search(rf"\b(?:{_PHONE_WORDS})\b", before, re.I):
        return m[0]  # "pages 100-1200": a range, read by the range rule
    return f"{digits(first)}, {digits(second)}"


def _ip(m: re.Match[str]) -> str:
    parts = m[0].split(".")
    if any(int(p) > 255 for p in parts):
        return m[0]
    return " dot ".join(parts)


def _points(version: str) -> str:
    return " point ".join(version.split("."))


def _version_v(m: re.Match[str]) -> str:
    return f"version {_points(m['v'])}"


def _version_named(m: re.Match[str]) -> str:
    return f"{m['name']} {_points(m['v'])}"


def _version_dots(m: re.Match[str]) -> str:
    return _points(m[0])


_TAGS = {"rc": "release candidate", "a": "alpha", "b": "beta", "pre": "preview"}


def _prerelease(m: re.Match[str]) -> str:
    tag, number = (m["tag"], m["n"]) if m["tag"] else (m["ab"], m["n2"])
    said = _TAGS.get(tag, tag)
    return f"{m['v']} {said} {number}" if number else f"{m['v']} {said}"


def _chain(m: re.Match[str]) -> str:
    return ", ".join(re.split(rf"[{_DASH}]", m[0]))


def _decade(m: re.Match[str]) -> str:
    century, tens = m["c"], m["t"]
    if tens == "0":
        return "two thousands" if century == "20" else f"{century} hundreds"
    word = _DECADES[tens]
    return f"{century} {word}" if century else word


def _year_range(m: re.Match[str]) -> str:
    return f"{year(m['a'])} to {year(m['b'])}"


def _year_after_word(m: re.Match[str]) -> str:
    return f"{m['w']} {year(m['y'])}"


def _money(m: re.Match[str]) -> str:
    unit = {"$": "dollars", "€": "euros", "£": "pounds", "¥": "yen"}[m["cur"]]
    amount, cents, scale = m["n"], m["c"], m["scale"]
    if scale:
        size = {"k": "thousand", "m": "million", "bn": "billion", "b": "billion"}.get(
            scale.lower(), scale
        )
        return f"{amount}{'.' + cents if cents else ''} {size} {unit}"
    if amount == "1":
        unit = unit.removesuffix("s")  # "1 dollar", "1 euro"; yen stays
    if cents and int(cents):
        if amount == "0":  # "$0.99": "99 cents"
            small = "pence" if m["cur"] == "£" else "cents"
            return f"{int(cents)} {small}" if int(cents) != 1 else f"1 {small[:-1] or small}"
        return f"{amount} {unit} {int(cents)}"
    return f"{amount} {unit}"


def _scientific(m: re.Match[str]) -> str:
    sign = "minus " if m["sign"] in ("-", "\u2212") else ""
    return f"{m['n']} times 10 to the {sign}{int(m['e'])}"


def _power(m: re.Match[str]) -> str:
    sign = "minus " if m["sign"] in ("-", "\u2212") else ""
    return f"{m['b']} to the power of {sign}{m['e']}"


_RULES: tuple[Rule, ...] = (
    # 1e-5, 6.02e23, 1E+5: scientific notation (espeak said "one e five", the minus lost);
    # at most three exponent digits, so a short hash such as "123e4567" stays a name.
    (
        re.compile(
            r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)[eE](?P<sign>[-+\u2212]?)(?P<e>\d{1,3})\b(?!\.\d)"
        ),
        _scientific,
    ),
    # 2^10, 10^-3, x^2, 2**10: a power (the "^" was dropped: "two ten")
    (
        re.compile(
            r"(?<![\w.])(?P<b>\d+(?:\.\d+)?|[A-Za-z])\s?(?:\^|\*\*)\s?"
            r"(?P<sign>[-+\u2212]?)(?P<e>\d+(?:\.\d+)?|[A-Za-z]\b)"
        ),
        _power,
    ),
    # 2024-05-01, 2024/05/01, 2024-05-01T14:30:00Z, 2024-05-01 14:30
    (
        re.compile(
            r"\b(?P<y>\d{4})(?P<sep>[-/.])(?P<mo>\d{2})(?P=sep)(?P<d>\d{2})"
            r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::\d{2}(?:\.\d+)?)?"
            r"(?P<z>Z|[+-]\d{2}:?\d{2})?)?(?![\w-])"
        ),
        iso_date,
    ),
    # 2024-05 (a month: a leading zero or 10 to 12 after a four-digit year)
    (re.compile(r"\b(?P<y>(?:1[1-9]|20)\d{2})-(?P<mo>0[1-9]|1[0-2])\b(?![-\d])(?P<d>)"), iso_date),
    (re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})\b"), slashed_date),
    # May 1 2024, Jan. 5, 2024, 5 May 2024, 1st of May, 2024
    (
        re.compile(
            rf"\b(?P<mon>(?:{MONTH_NAMES})\b\.?)\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s"
            rf"(?P<y>\d{{4}})\b(?![\d.,]\d)"
        ),
        lambda m: f"{m['mon']} {ordinal(int(m['d']))}, {year(m['y'])}",
    ),
    (
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?(?P<mon>(?:{MONTH_NAMES})\b\.?),?\s"
            rf"(?P<y>\d{{4}})\b(?![\d.,]\d)"
        ),
        lambda m: f"{ordinal(int(m['d']))} {m['mon']} {year(m['y'])}",
    ),
    (re.compile(r"\b(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<y>\d{4})\b"), dotted_date),
    # 9:00-17:00, 10am-2pm: a range of times
    (
        re.compile(
            rf"(?:(?<=\d)|(?<=[aApP][mM]))\s?[{_DASH}]\s?(?=\d{{1,2}}(?::\d\d|\s?[aApP][mM]\b))"
        ),
        lambda m: " to ",
    ),
    # 14:30, 9:05 am, 10:00 p.m. (not 1:1 or 16:9: minutes have two digits)
    (
        re.compile(
            r"\b(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?(?!\d)"
            r"(?:\s?(?P<ap>[aApP]\.?\s?[mM]\.?)(?![a-zA-Z]))?"
        ),
        clock_time,
    ),
    # +1 555 123 4567, +44 20 7946 0958, (555) 123-4567, 555-123-4567, 555.123.4567
    (re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)"), _phone),
    (re.compile(r"(?<![\w(])\(\d{3}\)\s?\d{3}[ .-]\d{4}\b"), _phone),
    (re.compile(r"(?<![\w.-])(?:1([.-]))?\d{3}([.-])\d{3}\2\d{4}(?![\w-]|\.\d)"), _phone),
    # 555-0199: a phone number unless it reads as a range ("pages 100-1200")
    (re.compile(r"(?<![\w.-])(?P<a>\d{3})-(?P<b>\d{4})(?![\w-]|\.\d)"), _short_phone),
    (re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)"), _ip),
    # 3.11.4-rc1, 2.0.0-beta.1, 3.13.0rc2, 1.0a1: a pre-release's tag as words
    (
        re.compile(
            r"(?<![\w.])(?P<v>v?\d+(?:\.\d+)+)(?:[-.]?(?P<tag>rc|alpha|beta|dev|pre|preview)"
            r"\.?(?P<n>\d+)?|(?P<ab>a|b)(?P<n2>\d+))\b"
        ),
        _prerelease,
    ),
    # v1.2.3, version 2.0, Python 3.11, Node 20.11.1, 1.12.0
    (re.compile(r"\bv(?P<v>\d+(?:\.\d+)*)\b(?!\.\d)"), _version_v),
    (
        re.compile(
            r"\b(?P<name>(?:version|release|[A-Z][A-Za-z+#-]*|[a-z]+[A-Z]\w*))"
            r"\s(?P<v>\d+\.\d+(?:\.\d+)*)\b(?!\.\d)"
        ),
        lambda m: m[0] if m["name"] in _NOT_NAMES else _version_named(m),
    ),
    (re.compile(r"(?<![\w.])\d+\.\d+\.\d+(?:\.\d+)*\b(?!\.\d)"), _version_dots),
    # 1990s, 2000s, the '90s, 90s
    (re.compile(r"\b(?P<c>1[1-9]|20)(?P<t>\d)0s\b"), _decade),
    (re.compile(r"(?:(?<=\s)|^|(?<=['’]))(?P<c>)(?P<t>[2-9])0s\b"), _decade),
    (re.compile(r"['’](?=(?:[a-z]+ies|tens)\b)"), lambda m: ""),
    # 2019-2021, 2019–21: years, in pairs
    (
        re.compile(
            rf"(?<![\d.])(?P<a>(?:1[5-9]|20)\d\d)\s?[{_DASH}]\s?(?P<b>(?:1[5-9]|20)\d\d|\d\d)\b(?![-\d])"
        ),
        _year_range,
    ),
    # 2024-13-45, 12-34-56: three or more numbers joined by dashes are not ranges
    (re.compile(rf"(?<![\w.])\d+(?:[{_DASH}]\d+){{2,}}(?![\w.-])"), _chain),
    # 16:9, 1:1 (what the clock rule left): a ratio or a score
    (re.compile(r"(?<=\d):(?=\d)"), lambda m: " to "),
    # 10-20, 10 – 20, 1.5–2: a range
    (re.compile(rf"(?<=\d)\s?[{_DASH}]\s?(?=\d)"), lambda m: " to "),
    # -5, −3.2: a negative number (not the dash of "a - b", nor a range, done above);
    # U+2212 is a minus sign wherever it is: "5 − 3".
    (
        re.compile(r"(?<![\w.)\]])-(?=\d)|\s?\u2212\s?"),
        lambda m: "minus " if m[0] == "-" else " minus ",
    ),
    # in 1850, since 1990, May 1st, 1990
    (
        re.compile(
            rf"\b(?P<w>(?i:{_YEAR_WORDS})|{MONTH_NAMES}|\d(?:st|nd|rd|th),?)\s"
            rf"(?P<y>(?:1[5-9]|20)\d\d)\b(?![\d.,]\d)"
        ),
        _year_after_word,
    ),
    # $3.50, €5, £1,200, $1.5 million, $3k
    (
        re.compile(
            r"(?P<cur>[$€£¥])(?P<n>\d+(?:,\d{3})*)(?:\.(?P<c>\d+))?"
            r"(?:\s?(?P<scale>thousand|million|billion|trillion|[kK]|[mM]|bn|[bB])\b)?"
        ),
        _money,
    ),
)

# Capitalised words that begin sentences before a plain decimal ("About 3.5 kg").
_NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        """The A An It Its This That These Those About Around Only Just Over Under Nearly
        Almost Roughly Approximately Exactly At In On By For From To With Of Each Every Some
        All Is Was Are Were And Or But So Costs Cost Took Takes Total Average Mean Score
        Rating Pi Page Pages Section Chapter Step Figure Table Line Lines Item Items Rule""",
    )
)
