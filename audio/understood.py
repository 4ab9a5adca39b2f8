"""Whether Whisper understood what it heard: a command is only passed on when it did.

Fed speech it cannot follow (another language through an English-only model, mumbling),
a small Whisper model does not fall silent: it invents fluent English ("let me know in
the comments section below"), repeats one phrase, or produces text it is unsure of.

Two kinds of rule. ``needs_fallback`` are Whisper's own rules for a decoding to be tried
again (higher temperature, the full window); ``unclear_reason`` adds the verdict on the
final text, after every fallback, and names the symptom ("" for text that can be trusted).

- average log-probability below ``LOW_LOGPROB`` (-1.0: Whisper's ``logprob_threshold``);
- compression ratio above ``REPETITIVE`` (2.4: Whisper's ``compression_ratio_threshold``);
- a phrase repeated back to back: one word 4 times, two words 3 times, three words two
  and a half times, four or more words twice (the loops the compression ratio misses in short texts:
  "Okay, lemme, lemme, lemme, lemme, lemme." for French through tiny.en), also where the
  text repeats the end of what was said before it (a decoder copying its prompt: a 300
  words a minute sentence cut in two came back as its first half twice);
- the verdict only, for English-only models: the mean probability of the text's tokens,
  the decoder forced through them (``token_prob``; faster-whisper's word probabilities are
  such means), below ``LOW_TOKEN_PROB`` for texts of ``FEW_TOKENS`` or more, or below
  ``VERY_LOW_TOKEN_PROB``. It is not calibrated across models: the multilingual ``base``
  gives correct English espeak-ng commands 0.31 to 0.65, the same range as the invented
  text it makes of speech in another language than the one set, so for multilingual
  models (which hear other languages as such) only Whisper's rules and repetition apply.

The token-probability thresholds are measured with tiny.en, with no vocabulary hints and
with the 24 file names of a Python project as hints (tests/audio/test_decode_understood.py
keeps samples of both sides). English that came out right (word error rate under 0.3:
about 200 clips, espeak-ng in five voices at 150 to 180 words a minute, some with pink
noise, and jfk.flac clean, with noise down to about 0 dB, band-limited, reverberant and
sped up) scores 0.61 or more once it is 8 tokens long (jfk.flac 0.71 to 0.88). Of 50
French, German, Spanish, Italian, Dutch and Portuguese espeak-ng sentences, those that
pass Whisper's own rules score 0.53 or less, and all but one are 11 tokens or longer.
``LOW_TOKEN_PROB`` (0.57) sits between. Measured again with each clip's level and noise
varied a little (as another CPU's arithmetic varies the decoding): the foreign sentences
kept in the tests score 0.45 to 0.49 without hints and up to 0.54 with them (hints make
invented English more probable); the tests' English commands 0.64 or more in their voices,
but "Open a terminal in the downloads folder." (8 tokens) dips to 0.48 in a low voice, and
Dutch, close to English, passes at 0.58 to 0.67: limits of the English-only model, left.
Shorter texts vary more: right short answers
("Yes.", "Stop.", "Go on.") score from 0.34, so below 8 tokens only
``VERY_LOW_TOKEN_PROB`` (0.2) applies ("and the", 0.04, for a French sentence; "Kenssel
Knert", 0.18, for "Cancel that.").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Whisper's defaults (openai-whisper's transcribe(), faster-whisper's TranscriptionOptions):
NO_SPEECH = 0.6  # no_speech_threshold: with a low log-probability, silence
LOW_LOGPROB = -1.0  # logprob_threshold
REPETITIVE = 2.4  # compression_ratio_threshold
# Measured, see the module docstring:
LOW_TOKEN_PROB = 0.57
VERY_LOW_TOKEN_PROB = 0.2
FEW_TOKENS = 8
CONTEXT_WORDS = 40  # of the text said before, looked at for a copy of it
REPEAT_TOKENS = 3  # a token ending a run of this many tokens seen before is a repeat

NOT_SURE = "not understood (unclear speech, or not in the model's language)"
REPEATS = "not understood (the model heard one phrase over and over)"


def needs_fallback(text: str, avg_logprob: float, compression_ratio: float) -> bool:
    """Whisper's rules for decoding again: unsure, or repeating itself."""
    return avg_logprob < LOW_LOGPROB or repetitive(text, compression_ratio)


def repetitive(text: str, compression_ratio: float) -> bool:
    return compression_ratio > REPETITIVE or repeats_a_phrase(text)


def unclear_reason(
    text: str,
    avg_logprob: float,
    compression_ratio: float,
    token_prob: float,
    tokens: int,
    *,
    before: str = "",
    sampled: bool = False,
) -> str:
    """Why ``text`` is not to be trusted, or "". ``avg_logprob`` and ``compression_ratio``
    are Whisper's measures of the decoding; ``token_prob`` is the mean probability of the
    ``tokens`` text tokens (1.0 where not measured: multilingual models); ``before``: the
    text said before it in the same take; ``sampled``: the text comes from a temperature
    fallback (the beam search failed Whisper's rules).

    Sampled text must reach ``LOW_TOKEN_PROB`` however short it is. Sampling differs from
    one take to the next (CTranslate2 seeds each worker thread's generator once, so
    ``set_random_seed`` before a call does not repeat it): German through tiny.en came out
    refused three times and once as "The term of the" (7 tokens, 0.21), sent on. Sampled
    text of other languages scored 0.19 to 0.47 (of 8 clips), sampled English 0.75."""
    if repetitive(text, compression_ratio) or repeats_what_was_said(text, before):
        return REPEATS
    if avg_logprob < LOW_LOGPROB or token_prob < VERY_LOW_TOKEN_PROB:
        return NOT_SURE
    if (tokens >= FEW_TOKENS or sampled) and token_prob < LOW_TOKEN_PROB:
        return NOT_SURE
    return ""


def heard_token_prob(
    tokens: Sequence[int], probs: Sequence[float], pieces: Sequence[str] | None = None
) -> float:
    """The mean of ``probs`` (one per token of ``tokens``, the text forced through the
    decoder) over the tokens that carry words. Left out: a token
    that ends a run of ``REPEAT_TOKENS`` tokens already seen in the text, and (given each
    token's text, ``pieces``) a token without a letter. Digits and punctuation measure how
    the decoder writes what it heard, not whether it heard it: "4 1 5 5 5 ..." read one by
    one may be written "415 5550", "415-555-0" or digit by digit, so each digit token's
    probability is split between equal spellings (0.0 to 0.14 for a phone number tiny.en
    heard right, which sank its mean to 0.48 and the command was refused). 1.0 for no such
    tokens."""
    seen: set[tuple[int, ...]] = set()
    kept: list[float] = []
    for i, prob in enumerate(probs):
        run = tuple(tokens[max(0, i - REPEAT_TOKENS + 1) : i + 1])
        wordless = pieces is not None and not any(c.isalpha() for c in pieces[i])
        if (len(run) < REPEAT_TOKENS or run not in seen) and not wordless:
            kept.append(prob)
        seen.add(run)
    return sum(kept) / len(kept) if kept else 1.0


def repeats_what_was_said(text: str, before: str) -> bool:
    """``text`` repeats the end of ``before`` back to back (by the rule of
    ``repeats_a_phrase``): a decoder that copies its prompt instead of hearing the audio."""
    tail = " ".join(re.findall(r"[\w']+", before)[-CONTEXT_WORDS:])
    return bool(text and tail) and repeats_a_phrase(f"{tail} {text}") and not repeats_a_phrase(tail)


def repeats_a_phrase(text: str) -> bool:
    """A phrase said again and again back to back: one word 4 times, two words 3 times,
    three words two and a half times (the loop going on: "nadeen rouser rouser nadeen rouser
    rouser nadeen rouser", German through tiny.en sampling at a fallback temperature), four
    words or more twice ("let me know, let me know"). A list may say an item twice and go
    on ("the sauce, the sauce, the coffee"): two words two and a half times is speech."""
    words = re.findall(r"[\w']+", text.lower())
    for size in range(1, len(words) // 2 + 1):
        # Words covered by the repeats: the phrase once plus each word that equals the one
        # ``size`` before it, in one unbroken run.
        needed = {1: 4, 2: 6, 3: 8}.get(size, 2 * size)
        run = 0
        for i in range(size, len(words)):
            run = run + 1 if words[i] == words[i - size] else 0
            if run + size >= needed:
                return True
    return False


class Heard(str):
    """The text of one stretch of speech, as endpointing passes texts on (a ``str``), and
    ``unclear``: why the speech was not understood ("" when it was; the text is then "").
    Endpointing strips and stores the texts it is given; the reason stays with them."""

    unclear: str

    def __new__(cls, text: str, unclear: str = "") -> Heard:
        heard = super().__new__(cls, text)
        heard.unclear = unclear
        return heard

    def strip(self, chars: str | None = None) -> Heard:
        return Heard(str.strip(self, chars), self.unclear)


def unclear_in(texts: Iterable[str]) -> str:
    """The first reason a stretch of a take was not understood (``Heard.unclear``), or ""."""
    return next((why for text in texts if (why := getattr(text, "unclear", ""))), "")
