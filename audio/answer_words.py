"""What a short spoken reply means: a permission answer, a stop, the end of a conversation,
or a choice among options. Pure text in, meaning out (no audio, no Qt), so it is tested as a
table; the desktop acts on it (``desktop.spoken_answers``, ``desktop.conversation_mode``).

    permission_answer("Yes.")             "allow"   ("always", "deny", or None: unclear)
    starts_with_stop("Stop, that's wrong") True     (interrupts a running turn)
    ends_conversation("That's all.")      True
    chosen_options("the second one", ["Postgres", "SQLite"])   [1]

Whisper writes what it hears with capitals and punctuation ("No.", "Yes, allow it."), so
text is compared word by word, lower case, without punctuation. Unclear means None: a
reply that mixes yes and no, or says more than a few words, answers nothing (the dialog
stays open). A "no" is never outweighed: one deny word with nothing else is a deny.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

ALLOW_WORDS = frozenset(
    {"yes", "yeah", "yep", "yup", "allow", "allowed", "ok", "okay", "sure", "approve", "go"}
)
ALWAYS_WORDS = frozenset({"always"})
DENY_WORDS = frozenset({"no", "nope", "deny", "denied", "don't", "dont", "refuse", "never", "not"})
# Words that may come with an answer without changing it ("yes please", "allow it").
FILLER = frozenset(
    {"please", "it", "that", "this", "ahead", "do", "thanks", "thank", "you", "allow", "i", "say"}
)
MAX_ANSWER_WORDS = 5

STOP_WORDS = ("stop", "cancel")
END_PHRASES = (
    "stop",
    "that's all",
    "that is all",
    "thats all",
    "that's it",
    "that will be all",
    "goodbye",
    "good bye",
    "bye",
    "never mind",
    "nevermind",
    "we're done",
    "i'm done",
    "nothing else",
    "no thanks",
    "no thank you",
    "end conversation",
    "stop listening",
)

ORDINALS = {
    "first": 0,
    "one": 0,
    "1": 0,
    "1st": 0,
    "second": 1,
    "two": 1,
    "2": 1,
    "2nd": 1,
    "third": 2,
    "three": 2,
    "3": 2,
    "3rd": 2,
    "fourth": 3,
    "four": 3,
    "4": 3,
    "4th": 3,
    "fifth": 4,
    "five": 4,
    "5": 4,
    "sixth": 5,
    "six": 5,
    "6": 5,
}


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, punctuation dropped (apostrophes kept)."""
    text = text.lower().replace("\u2019", "'")
    return re.findall(r"[a-z0-9']+", text)


def permission_answer(text: str) -> str | None:
    """``allow``, ``always`` or ``deny`` for a spoken reply to a permission question;
    None when it is unclear (mixed, too long, or no answer word)."""
    said = words(text)
    if not said or len(said) > MAX_ANSWER_WORDS:
        return None
    deny = any(w in DENY_WORDS for w in said)
    always = any(w in ALWAYS_WORDS for w in said)
    allow = any(w in ALLOW_WORDS for w in said)
    if deny:
        # "No." / "Deny it." is a deny; "no, always" or "yes no" is unclear.
        return None if (always or _yes(said)) else "deny"
    if always:
        return "always"
    return "allow" if allow else None


def _yes(said: list[str]) -> bool:
    # "allow" next to "don't" ("don't allow") is part of the deny, not a yes.
    return any(w in ALLOW_WORDS and w not in FILLER for w in said)


def starts_with_stop(text: str) -> bool:
    """Whether a reply begins with "stop" or "cancel" (interrupt the running turn)."""
    said = words(text)
    return bool(said) and said[0] in STOP_WORDS


def ends_conversation(text: str) -> bool:
    """Whether a reply in conversation mode ends the conversation ("That's all.")."""
    said = " ".join(words(text))
    if not said:
        return False
    if len(said.split()) > 6:
        return False  # a request that happens to contain "stop" is a request
    return any(said == p or said.startswith(p + " ") or said.endswith(" " + p) for p in END_PHRASES)


def chosen_options(text: str, labels: Sequence[str]) -> list[int]:
    """The options (indexes into ``labels``) a spoken reply picks: by position ("the
    second one", "option two", "the last one") or by label; empty when it picks none or
    it is unclear (two labels equally named)."""
    said = words(text)
    if not said or not labels:
        return []
    by_label = _by_label(said, labels)
    if by_label:
        return by_label
    picked: list[int] = []
    if any(w != "one" and (w in ORDINALS or w == "last") for w in said):
        said = [w for w in said if w != "one"]  # "the second one": "one" is not a position
    for w in said:
        index = len(labels) - 1 if w == "last" else ORDINALS.get(w)
        if index is not None and index < len(labels) and index not in picked:
            picked.append(index)
    return picked


def _by_label(said: list[str], labels: Sequence[str]) -> list[int]:
    text = " " + " ".join(said) + " "
    found = []
    for i, label in enumerate(labels):
        name = " ".join(words(label))
        if name and f" {name} " in text:
            found.append(i)
    # A label inside another ("SQL" in "SQLite" never matches: whole words only); two
    # labels heard: both are picked (the caller decides whether several may be chosen).
    return found
