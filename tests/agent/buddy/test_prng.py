from __future__ import annotations

from agent.buddy.prng import fnv1a32, mulberry32, pick


def test_fnv1a_matches_the_published_test_vectors() -> None:
    assert fnv1a32("") == 0x811C9DC5
    assert fnv1a32("a") == 0xE40C292C
    assert fnv1a32("foobar") == 0xBF9CF968


def test_fnv1a_hashes_utf8_bytes() -> None:
    assert fnv1a32("héllo") == 1252296000


def test_mulberry32_matches_the_javascript_reference() -> None:
    # Computed once with the JavaScript form in prng.py's docstring under Node 20.
    rand = mulberry32(0)
    assert [rand(), rand(), rand()] == [
        0.26642920868471265,
        0.0003297457005828619,
        0.2232720274478197,
    ]
    rand = mulberry32(0xFFFFFFFF)
    assert [rand(), rand(), rand()] == [0.8964226141106337, 0.189478256739676, 0.7156526781618595]


def test_mulberry32_stays_on_the_reference_after_many_draws() -> None:
    rand = mulberry32(12345)
    for _ in range(99_999):
        rand()
    assert rand() == 0.9641513314563781


def test_draws_are_in_the_unit_interval_and_pick_uses_one_draw() -> None:
    rand = mulberry32(7)
    assert all(0.0 <= rand() < 1.0 for _ in range(10_000))
    a, b = mulberry32(99), mulberry32(99)
    assert pick(a, "abc") == "abc"[int(b() * 3)]
    assert a() == b()
