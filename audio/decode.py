"""Decoding one stretch of speech with Whisper, encoding only as much as was recorded.

Whisper pads every clip to a 30 s window, and on a small CPU the encoder pass over that
window costs far more than decoding a short command. CTranslate2's encoder accepts fewer
mel frames, so ``decode`` encodes the clip plus a margin of silence (``margin`` seconds).
Where that could hurt (the decoder needed a temperature fallback: repetitive or
low-confidence output), the same clip is decoded again with the full window and the more
confident result is kept.

Silence and noise give "": the voice activity detector (``audio.vad``, the Silero model
faster-whisper's own ``vad_filter`` uses) decides first whether there is speech at all.
Whisper's no-speech rule (probability above 0.6 with an average log-probability below -1)
is kept as a second guard, but it cannot be the first: on silence tiny.en "hears" "You"
with a log-probability of about -0.8, which the rule lets through, and on long noise its
no-speech probability falls below 0.2 while it hallucinates whole sentences.

The prompt carries vocabulary hints (hotwords) and the text of earlier stretches of the
same recording, as Whisper's own long-form decoding does.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
FULL_WINDOW_FRAMES = 3000  # 30 s of 10 ms mel frames
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
MAX_LENGTH = 448  # Whisper's token limit, prompt included
NO_SPEECH = 0.6
LOW_LOGPROB = -1.0
REPETITIVE = 2.4


@dataclass(frozen=True)
class DecodeOptions:
    language: str | None = "en"  # None: detect
    beam_size: int = 5
    hotwords: str = ""
    margin: float = 1.0  # seconds of silence encoded after the clip ...
    min_window: float = 10.0  # ... and at least this many seconds in all
    short_window: bool = True  # False: always the full 30 s window (the naive way)


@dataclass(frozen=True)
class Decoded:
    text: str
    language: str
    avg_logprob: float
    no_speech_prob: float
    temperature: float  # 0 unless the beam-search result was rejected
    full_window: bool  # decoded (or re-decoded) with the 30 s window


def decode(
    model: Any,
    audio: np.ndarray,
    options: DecodeOptions,
    context: str = "",
    *,
    speech_known: bool = False,
) -> Decoded:
    """Text of ``audio`` (16 kHz mono, at most 30 s); ``context`` is the text said before.

    Audio without speech gives "" without running the model. ``speech_known``: the caller's
    own voice activity detection already found speech in exactly this audio (endpointing's
    regions), or the call only warms the model up; the check is then skipped.
    """
    if not speech_known:
        from audio.vad import has_speech

        if not has_speech(audio):
            return Decoded("", options.language or "en", 0.0, 1.0, 0.0, False)
    result = _decode_window(model, audio, options, context)
    if options.hotwords and result.temperature > 0:
        # Priming can derail a small model into repeating the hotword list: without it.
        plain = _decode_window(model, audio, replace(options, hotwords=""), context)
        if plain.temperature == 0 or plain.avg_logprob > result.avg_logprob:
            return plain
    return result


def _decode_window(model: Any, audio: np.ndarray, options: DecodeOptions, context: str) -> Decoded:
    import numpy as np

    seconds = len(audio) / SAMPLE_RATE
    window = max(seconds + options.margin, options.min_window)
    silence = np.zeros(int((window - seconds) * SAMPLE_RATE), np.float32)
    features = model.feature_extractor(np.concatenate([audio, silence]))[:, :FULL_WINDOW_FRAMES]
    if not options.short_window:
        return _decode_features(model, _full(features), options, context, seconds=seconds)
    short = _decode_features(model, features, options, context, seconds=seconds)
    if short.text and short.temperature == 0:
        return short
    # Nothing heard, or the confident decoder failed: the full window decides.
    full = _decode_features(model, _full(features), options, context, seconds=seconds)
    heard = [r for r in (short, full) if r.text]
    return max(heard, key=lambda r: r.avg_logprob) if heard else full


def _full(features: np.ndarray) -> np.ndarray:
    import numpy as np

    missing = FULL_WINDOW_FRAMES - features.shape[-1]
    return np.pad(features, ((0, 0), (0, missing))) if missing > 0 else features


def _decode_features(
    model: Any,
    features: np.ndarray,
    options: DecodeOptions,
    context: str,
    *,
    seconds: float,
) -> Decoded:
    import numpy as np
    from faster_whisper.tokenizer import Tokenizer

    full = features.shape[-1] >= FULL_WINDOW_FRAMES
    from faster_whisper.transcribe import get_suppressed_tokens

    encoded = model.encode(np.ascontiguousarray(features))
    multilingual = model.model.is_multilingual
    language = options.language if multilingual else "en"
    if language is None:
        language = model.model.detect_language(encoded)[0][0][0][2:-2]
    tokenizer = Tokenizer(model.hf_tokenizer, multilingual, task="transcribe", language=language)
    prompt = _prompt(tokenizer, options.hotwords, context)
    suppress = get_suppressed_tokens(tokenizer, [-1])

    best: Decoded | None = None
    for temperature in TEMPERATURES:
        sampling: dict[str, Any] = (
            {"beam_size": options.beam_size}
            if temperature == 0
            else {"beam_size": 1, "sampling_topk": 0, "sampling_temperature": temperature}
        )
        result = model.model.generate(
            encoded,
            [prompt],
            # No one says more than about 5 tokens a second: a longer output is a loop.
            max_length=min(MAX_LENGTH, len(prompt) + int(8 * seconds) + 16),
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=suppress,
            max_initial_timestamp_index=50,  # speech starts within the first second
            **sampling,
        )[0]
        tokens = result.sequences_ids[0]
        avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
        text = tokenizer.decode(_within(tokens, tokenizer, seconds)).strip()
        if result.no_speech_prob > NO_SPEECH and avg_logprob < LOW_LOGPROB:
            return Decoded("", language, avg_logprob, result.no_speech_prob, temperature, full)
        candidate = Decoded(text, language, avg_logprob, result.no_speech_prob, temperature, full)
        if best is None or avg_logprob > best.avg_logprob:
            best = candidate
        if _compression_ratio(text) <= REPETITIVE and avg_logprob >= LOW_LOGPROB:
            return candidate
    return best


def _prompt(tokenizer: Any, hotwords: str, context: str) -> list[int]:
    prompt: list[int] = []
    before = " ".join(part for part in (hotwords.strip(), context.strip()) if part)
    if before:
        # Whisper's "previous text" slot: half the context at most, newest text kept.
        prompt = [tokenizer.sot_prev, *tokenizer.encode(" " + before)[-(MAX_LENGTH // 2 - 1) :]]
    return [*prompt, *tokenizer.sot_sequence]


def _within(tokens: list[int], tokenizer: Any, seconds: float) -> list[int]:
    """Text tokens of the segments that start before the audio ends.

    A decoder that sees less than 30 s may go on "hearing" the last sentence again in the
    silence after it; its timestamps give such repeats away: they start after the end.
    """
    kept: list[int] = []
    start: float | None = None
    last_was_time = False
    for token in tokens:
        if token >= tokenizer.timestamp_begin:
            time = (token - tokenizer.timestamp_begin) * 0.02
            if start is None or last_was_time:
                start = time  # a segment opens
            last_was_time = True
            continue
        last_was_time = False
        if token >= tokenizer.eot:
            continue
        if start is not None and start >= seconds - 0.1:
            break
        kept.append(token)
    return kept


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0
