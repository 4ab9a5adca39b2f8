"""What is written, and what Harken says for it: numbers, pictographs and addresses.

Each row is text as an answer writes it and the text espeak is given (``for_the_ear``);
the spoken forms were chosen by listening: espeak-ng speaks them and tiny.en hears them
back as they were meant (see the last test).
"""

from __future__ import annotations

import re

import pytest

from audio.spoken import for_the_ear, spoken_summary

DATES_AND_TIMES = [
    ("The release is on 2024-05-01.", "The release is on May 1st, 20 24."),
    ("It shipped 2024-05-01T14:30:00Z.", "It shipped May 1st, 20 24 at 2 30 pm UTC."),
    ("Logs from 2024-05-01 09:05 on.", "Logs from May 1st, 20 24 at 9 oh 5 on."),
    ("Sent 2024-05-01T09:05+02:00.", "Sent May 1st, 20 24 at 9 oh 5 UTC plus 2."),
    ("Planned for 2024-05.", "Planned for May 20 24."),
    ("Due 31/05/2024 or 5/31/2024.", "Due May 31st, 20 24 or May 31st, 20 24."),
    ("Due 01.05.2024.", "Due 1st May 20 24."),
    ("Due 1/5/2024.", "Due 1, 5, 20 24."),  # day or month first cannot be told
    ("Due 2024/05/01.", "Due May 1st, 20 24."),
    ("Met Jan 5, 2024 and 5 May 2024.", "Met Jan 5th, 20 24 and 5th May 20 24."),
    ("Open 9:00-17:00 or 10am-2pm.", "Open 9 o'clock to 5 pm or 10am to 2pm."),
    ("Meet at 14:30.", "Meet at 2 30 pm."),
    ("Meet at 9:05 am.", "Meet at 9 oh 5 am."),
    ("Meet at 3:15 P.M. sharp.", "Meet at 3 15 pm sharp."),
    ("Meet at 10:00 or 14:00.", "Meet at 10 o'clock or 2 pm."),
    ("It failed at 14:30:15.", "It failed at 2 30 pm and 15 seconds."),
    ("On May 1st, 2024 we met.", "On May 1st, 20 24 we met."),
    ("Built in 1850, since 1990, in 2005.", "Built in 18 50, since 19 90, in 2005."),
    ("Back in 1905.", "Back in 19 oh 5."),
    ("The 1990s, the '90s and the 2000s.", "The 19 nineties, the nineties and the two thousands."),
    ("It is the 1st, 2nd and 21st.", "It is the 1st, 2nd and 21st."),  # espeak: first, ...
]

PHONES_AND_RANGES = [
    ("Call 555-0199 today.", "Call 5 5 5, 0 1 9 9 today."),
    ("Call (555) 123-4567.", "Call 5 5 5, 1 2 3, 4 5 6 7."),
    ("Call 555-123-4567.", "Call 5 5 5, 1 2 3, 4 5 6 7."),
    ("Call 555.123.4567.", "Call 5 5 5, 1 2 3, 4 5 6 7."),
    ("Call +1 555 123 4567.", "Call plus 1, 5 5 5, 1 2 3, 4 5 6 7."),
    ("Call +44 20 7946 0958.", "Call plus 4 4, 2 0, 7 9 4 6, 0 9 5 8."),
    ("Call 1-800-555-0199.", "Call 1, 8 0 0, 5 5 5, 0 1 9 9."),
    ("Phone 555-1234 now.", "Phone 5 5 5, 1 2 3 4 now."),
    ("Read pages 10-20.", "Read pages 10 to 20."),
    ("Read pages 100-1200.", "Read pages 100 to 1200."),
    ("It ran 2019–2021.", "It ran 20 19 to 20 21."),
    ("It ran 1990-95.", "It ran 19 90 to 95."),
    ("Wait 1 – 2 hours.", "Wait 1 to 2 hours."),
    ("It is -5 outside.", "It is minus 5 outside."),
    ("Then 5 − 3 is 2.", "Then 5 minus 3 is 2."),
    ("Use 16:9 or 1:1.", "Use 16 to 9 or 1 to 1."),
    ("Open 192.168.1.10 now.", "Open 192 dot 168 dot 1 dot 10 now."),
]

VERSIONS_AND_MONEY = [
    ("Update to v1.2.3.", "Update to version 1 point 2 point 3."),
    ("Needs Python 3.11 or Node 20.11.1.", "Needs Python 3 point 11 or Node 20 point 11 point 1."),
    ("Use version 2.0 on iOS 17.2.", "Use version 2 point 0 on iOS 17 point 2."),
    ("Pin 1.12.0 for now.", "Pin 1 point 12 point 0 for now."),
    ("Pi is 3.14.", "Pi is 3.14."),  # a decimal stays a decimal
    ("About 3.5 kg.", "About 3.5 kilograms."),  # espeak spells "kg"
    ("It costs $3.50 or €20 or £5.", "It costs 3 dollars 50 or 20 euros or 5 pounds."),
    ("They raised $1.5 million.", "They raised 1.5 million dollars."),
    ("A 1920x1080 screen at 2x.", "A 1920 by 1080 screen at 2 times."),
]

PICTOGRAPHS = [
    ("⭐ Done ⏰ in 5 ⏱️ minutes.", "Done in 5 minutes."),
    ("ℹ️ The tests ran. ℹ Again.", "The tests ran. Again."),
    ("Great job 👍🏽!", "Great job!"),
    ("Family 👨‍👩‍👧 time 🚀🎉.", "Family time."),
    ("France 🇫🇷 and Scotland 🏴󠁧󠁢󠁳󠁣󠁴󠁿 won.", "France and Scotland won."),
    ("Press 1️⃣ now.", "Press 1 now."),
    ("Tests: ✅, lint ❌.", "Tests: done, lint failed."),
    ("- ✅ Unit tests\n- ❌ Deploy to staging", "Done: Unit tests. Failed: Deploy to staging."),
    ("✅ All 42 tests pass now.", "All 42 tests pass now."),
    ("The build passed ✔️.", "The build passed."),
    ("⚠️ The key expires tomorrow.", "Warning: The key expires tomorrow."),
    (
        "It is 20°C, 68 °F, turn 90°.",
        "It is 20 degrees Celsius, 68 degrees Fahrenheit, turn 90 degrees.",
    ),
    ("Really‼ Why⁉", "Really!! Why!?"),
    ("café, naïve, 日本語 and हिन्दी stay.", "café, naïve, 日本語 and हिन्दी stay."),
]

ADDRESSES = [
    ("See github.com/anthropics/claude-code/issues/123.", "See github.com."),
    ("Read docs.python.org/3/library first.", "Read docs.python.org first."),
    ("Go to www.example.com now.", "Go to example.com now."),
    ("Go to https://www.github.com/a/b?x=1.", "Go to github.com."),
    ("Try localhost:8080/api then.", "Try localhost then."),
    ("Mail jane.doe@example.com today.", "Mail jane.doe@example.com today."),
    ("Open C:\\Users\\me\\My Documents\\report.docx.", "Open report.docx."),
    ("Open ~/projects/harken/README.md.", "Open README.md."),
    ("Edit src/app/main.py and tests/audio/.", "Edit main.py and audio."),
    ("Run ./run.sh on /etc/hosts.", "Run run.sh on hosts."),
    ("Check `https://example.org/a/b` too.", "Check example.org too."),
    ("Read and/or write TCP/IP.", "Read and/or write TCP/IP."),
    ("Clone git@github.com:anthropics/claude-code.git today.", "Clone github.com today."),
    ("Open file:///home/me/notes.txt now.", "Open notes.txt now."),
    ("Use s3://bucket/key/data.csv now.", "Use bucket now."),
    ("Copy C:/tmp/a.txt and D:\\b.txt now.", "Copy a.txt and b.txt now."),
    ("Run C:\\Program Files (x86)\\Harken\\harken.exe now.", "Run harken.exe now."),
    ("Edit %APPDATA%\\Harken\\config.toml now.", "Edit config.toml now."),
    ("See (docs.python.org/3/) first.", "See (docs.python.org) first."),
]


@pytest.mark.parametrize(("written", "spoken"), DATES_AND_TIMES)
def test_dates_and_times_are_said_as_people_say_them(written: str, spoken: str) -> None:
    assert for_the_ear(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), PHONES_AND_RANGES)
def test_phone_numbers_digit_by_digit_and_ranges_with_to(written: str, spoken: str) -> None:
    assert for_the_ear(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), VERSIONS_AND_MONEY)
def test_versions_point_by_point_and_money_in_its_unit(written: str, spoken: str) -> None:
    assert for_the_ear(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), PICTOGRAPHS)
def test_pictographs_are_not_read_by_name_and_meaningful_ones_become_words(
    written: str, spoken: str
) -> None:
    assert for_the_ear(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), ADDRESSES)
def test_urls_are_read_as_their_site_and_paths_as_their_file(written: str, spoken: str) -> None:
    assert for_the_ear(written) == spoken


def test_a_summary_keeps_its_sentences_when_an_address_ends_one() -> None:
    answer = "I opened github.com/anthropics/claude-code/issues/123. It is fixed ✅."
    assert spoken_summary(answer) == "I opened github.com. It is fixed."


def test_what_espeak_says_for_them_is_heard_as_meant(espeak, transcriber) -> None:
    from tests.audio.conftest import read_audio

    # Raw, espeak says "two thousand and twenty four dash zero five dash zero one", and
    # tiny.en hears "1,000 and 24-05-0-1"; "9:05" is "nine zero five".
    said = for_the_ear("The release is on 2024-05-01 at 9:05 am.")
    heard = transcriber.transcribe(read_audio(espeak(said))).text
    assert re.search(r"May 1(st)?,? 2024", heard), heard
    assert re.search(r"\b9[:. ]?(?:o |oh |0)5\b", heard), heard  # "nine oh five"
