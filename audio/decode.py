"""Decoding one stretch of speech with Whisper, encoding only as much as was recorded.

Whisper pads every clip to a 30 s window, and on a small CPU the encoder pass over that
window costs far more than decoding a short command. CTranslate2's encoder accepts fewer
mel frames, so a window (``audio.decode_window``) encodes the clip plus a margin of
silence; where that could hurt (the decoder needed a temperature fallback), the full
window decides.

Silence and noise give "": the voice activity detector (``audio.vad``, the Silero model
faster-whisper's own ``vad_filter`` uses) decides first whether there is speech at all.
Whisper's no-speech rule is kept as a second guard inside the window decoder.

No decoding limit and no early end of a segment may cut a take short of its audio: the
decoder sometimes closes its last segment seconds before the speech ends (seen with tiny.en
on ordinary 12 s sentences), and a token budget can run out on spelled or fast speech. So
when the decoded text ends well before the voice activity does, the rest is decoded from
where the text stopped, with the text so far as context (what Whisper's long-form loop does
when it seeks to the last timestamp), until the speech is covered.

What the model heard with low confidence is not passed on as text: ``Decoded.unclear``
says why (``audio.understood``), and ``text`` is "". An English-only model asked for
another language raises ``LanguageUnsupported`` before decoding anything.

The prompt carries vocabulary hints (hotwords) and the text of earlier stretches of the
same recording, as Whisper's own long-form decoding does.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from audio.decode_window import DecodeOptions, Segment, Window, decode_window
from audio.hotwords import hinted_agrees, needs_hints
from audio.models import language_code, require_language
from audio.understood import repeats_what_was_said, unclear_reason

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DecodeOptions", "Decoded", "decode"]

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
# Speech this long (seconds) after the end of the decoded text means words were left out.
# On complete decodes of about 150 espeak-ng clips and jfk.flac the last timestamp ends at
# most 0.65 s before the detector's end of speech (its windows run on into the release of
# the last word); the sentences that stopped early had 1.7 s or more left.
RESUME_GAP = 0.8
MIN_ADVANCE = 0.3  # a pass that moves on less than this (seconds) makes no progress
MAX_PASSES = 8  # bounds the work on audio whose decoding keeps stopping early


@dataclass(frozen=True)
class Decoded:
    text: str  # "" for silence, noise, and speech that was not understood
    language: str
    avg_logprob: float  # over the tokens of all passes
    no_speech_prob: float
    temperature: float  # 0 unless a beam-search result was rejected
    full_window: bool  # decoded (or re-decoded) with the 30 s window
    compression_ratio: float = 0.0  # the highest of the passes
    token_prob: float = 1.0  # mean probability of the text's tokens (audio.understood)
    text_tokens: int = 0
    end: float = 0.0  # seconds: where the decoded speech ends in the audio
    passes: int = 0  # decoder passes needed to cover the speech (0: no speech)
    unclear: str = ""  # why what was heard is not trusted ("" when it is); text is "" then
    doubtful: str = ""  # what the model made of speech it was not sure of (for logs)


def decode(
    model: Any,
    audio: np.ndarray,
    options: DecodeOptions,
    context: str = "",
    *,
    speech_known: bool = False,
) -> Decoded:
    """Text of ``audio`` (16 kHz mono float32, at most 30 s); ``context`` is the text said
    before.

    Audio without speech gives "" without running the model. ``speech_known``: the caller's
    own voice activity detection already found speech in exactly this audio (endpointing's
    regions), or the call only warms the model up; the check is then skipped.

    Raises ``audio.models.LanguageUnsupported`` when the model is English-only and
    ``options.language`` names another language.
    """
    options = replace(options, language=language_code(options.language))  # "en-US": "en"
    require_language(model, options.language)
    if not speech_known:
        from audio.vad import has_speech

        if not has_speech(audio):
            return Decoded("", options.language or "en", 0.0, 1.0, 0.0, False)
    return _judged(_decode_to_the_end(model, audio, options, context), context)


def _decode_to_the_end(
    model: Any, audio: np.ndarray, options: DecodeOptions, context: str
) -> Decoded:
    """Decode ``audio``, then what speech is left after the decoded text, until none is.

    Where a pass stops early, its last segment is decoded again together with the rest
    (once: measured on espeak-ng sentences whose decoding stopped at "... and finally
    remember to", this recovers the remaining words far better than decoding only the
    2 s after the stop, which starts the decoder mid-phrase); after that, the rest alone.
    """
    seconds = len(audio) / SAMPLE_RATE
    said: list[Segment] = []
    windows: list[Window] = []
    start = 0.0
    speech_end: float | None = None
    redone = False
    while len(windows) < MAX_PASSES:
        before = " ".join(part for part in (context.strip(), _text(said)) if part)
        window = _window(model, audio[round(start * SAMPLE_RATE) :], options, before)
        windows.append(window)
        found = [Segment(start + s.start, start + s.end, s.text) for s in window.segments]
        said += found
        end = said[-1].end if said else 0.0
        if not found or end >= seconds - RESUME_GAP:
            break
        if speech_end is None:
            speech_end = _speech_end(audio)
        if speech_end - end < RESUME_GAP:
            break
        if len(found) > 1 and not redone:
            redone = True
            start = said.pop().start
        elif end - start >= MIN_ADVANCE:
            start = end
        else:
            break
    return _joined(windows, said)


def _text(segments: list[Segment]) -> str:
    return "".join(s.text for s in segments).strip()


def _window(model: Any, audio: np.ndarray, options: DecodeOptions, context: str) -> Window:
    """One window, decoded first without the hotwords and again with them only where the
    text may name one (``needs_hints``) or came out unsure: priming a small model changes
    sentences that name no file ("bug" heard "mug", words capitalised), so those keep the
    plain decoding. A hinted decoding counts only where it says what the plain one said,
    but for how a name is written (``hinted_agrees``): priming can make a small model
    recite hint words instead of the speech ("open app dot py" heard "n2b."). Then, where
    the text copies what was said before, without the context (the decoder may copy its
    prompt instead of hearing the audio)."""
    plain = replace(options, hotwords="")
    first = decode_window(model, audio, plain, context)
    tried = [first]
    if options.hotwords and (
        first.temperature > 0
        or _unclear(first, context)
        or needs_hints(first.text, options.hotwords)
    ):
        hinted = decode_window(model, audio, options, context)
        _add_hinted(tried, hinted, options.hotwords, unsure=bool(_unclear(first, context)))
    best = max(tried, key=lambda w: _rank(w, context))
    if context and repeats_what_was_said(best.text, context):
        again = decode_window(model, audio, plain if best is first else options, "")
        if best is first:
            tried.append(again)
        else:
            _add_hinted(tried, again, options.hotwords, unsure=bool(_unclear(first, context)))
    return max(tried, key=lambda w: _rank(w, context))


def _add_hinted(tried: list[Window], hinted: Window, hotwords: str, *, unsure: bool) -> None:
    """Add ``hinted`` to the candidates if it agrees with the plain decoding ``tried[0]``
    (``unsure``: that one is not trusted, so its words may change, not be recited over)."""
    if hinted_agrees(tried[0].text, hinted.text, hotwords, plain_unsure=unsure):
        tried.append(hinted)
    else:
        log.info("hinted decoding %r dropped: plain heard %r", hinted.text, tried[0].text)


def _rank(window: Window, context: str) -> tuple[bool, bool, float]:
    return (not _unclear(window, context), window.temperature == 0, window.avg_logprob)


def _unclear(window: Window | Decoded, context: str) -> str:
    return unclear_reason(
        window.text,
        window.avg_logprob,
        window.compression_ratio,
        window.token_prob,
        window.text_tokens,
        before=context,
        sampled=window.temperature > 0,
    )


def _speech_end(audio: np.ndarray) -> float:
    """Seconds from the start of ``audio`` to the end of its last speech window."""
    from audio.vad import THRESHOLD, WINDOW, SpeechDetector

    detector = SpeechDetector()
    detector.feed(audio)
    speech = [i for i, p in enumerate(detector.probs) if p >= THRESHOLD]
    return (speech[-1] + 1) * WINDOW / SAMPLE_RATE if speech else 0.0


def _joined(windows: list[Window], said: list[Segment]) -> Decoded:
    heard = [w for w in windows if w.text]
    first = windows[0]
    return Decoded(
        text=_text(said),
        language=first.language,
        avg_logprob=_mean_logprob(heard) if heard else first.avg_logprob,
        no_speech_prob=first.no_speech_prob,
        temperature=max(w.temperature for w in windows),
        full_window=any(w.full_window for w in windows),
        compression_ratio=max(w.compression_ratio for w in windows),
        token_prob=_mean_token_prob(heard) if heard else 1.0,
        text_tokens=sum(w.text_tokens for w in heard),
        end=said[-1].end if said else 0.0,
        passes=len(windows),
    )


def _mean_logprob(windows: list[Window]) -> float:
    # Whisper's average is over the tokens plus one (the end of text): so is this one.
    weights = [w.tokens + 1 for w in windows]
    return sum(w.avg_logprob * n for w, n in zip(windows, weights, strict=True)) / sum(weights)


def _mean_token_prob(windows: list[Window]) -> float:
    weights = [max(1, w.text_tokens) for w in windows]
    return sum(w.token_prob * n for w, n in zip(windows, weights, strict=True)) / sum(weights)


def _judged(decoded: Decoded, context: str) -> Decoded:
    if decoded.text and not re.search(r"\w", decoded.text):
        # Marks without a word ("... ... ...": German through the multilingual model set to
        # Spanish) are speech the model could not follow: nothing to pass on, and nothing
        # that makes the rest of a take unclear.
        log.info("no words in %r", decoded.text)
        return replace(decoded, text="", doubtful=decoded.text)
    why = _unclear(decoded, context) if decoded.text else ""
    if not why:
        return decoded
    log.info(
        "%s: %r (log-probability %.2f, token probability %.2f)",
        why,
        decoded.text,
        decoded.avg_logprob,
        decoded.token_prob,
    )
    return replace(decoded, text="", unclear=why, doubtful=decoded.text)
