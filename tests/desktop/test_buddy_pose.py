from __future__ import annotations

from desktop.buddy.pose import BLINK_EVERY, pose_for


def test_idle_breathes_and_blinks_now_and_then() -> None:
    breaths = {round(pose_for("idle", 5, t / 10).breath, 3) for t in range(40)}
    assert len(breaths) > 10
    assert pose_for("idle", 5, BLINK_EVERY * 3 + 0.05).eyes == "closed"
    assert pose_for("idle", 5, BLINK_EVERY * 3 + 1.0).eyes == "open"


def test_listening_leans_in_with_ears_up() -> None:
    pose = pose_for("listening", 1.0, 1.0)
    assert pose.ears == 1.0 and pose.lean < 0 and pose.eyes == "wide" and pose.prop == "listen"


def test_each_busy_state_shows_its_prop() -> None:
    props = {s: pose_for(s, 0.5, 1.0).prop for s in ("thinking", "working", "waiting")}
    assert props == {"thinking": "thought", "working": "gear", "waiting": "question"}


def test_speaking_moves_the_mouth() -> None:
    openings = {round(pose_for("speaking", 1, t / 20).mouth_open, 2) for t in range(20)}
    assert len(openings) > 5


def test_happy_hops_then_settles_and_worried_droops() -> None:
    assert min(pose_for("happy", t / 20, 1).bob for t in range(20)) < -5
    assert pose_for("happy", 3.0, 1).bob == 0
    worried = pose_for("worried", 0.5, 1)
    assert worried.ears < 0 and worried.prop == "sweat"
