"""One decoder pass over one window of audio: the short encoder window, the temperature
fallback, and the segments that end inside the audio.

``decode_window`` encodes the clip plus ``margin`` seconds of silence (at least
``min_window`` seconds in all) instead of Whisper's fixed 30 s; where that could hurt (the
decoder needed a temperature fallback: repetitive or low-confidence output), the same clip
is decoded again with the full window and the more confident result is kept.

Token budget: CTranslate2 generates at most ``min(max_length / 2, max_length - prompt)``
new tokens (whisper.cc; OpenAI's ``sample_len`` of 224), so the old cap of "8 tokens a
second" was in fact 4, and spelled names and fast lists ran out of it. A first pass gets
a budget of ``TOKENS_PER_SECOND`` new tokens per second of audio (plus 16), which bounds
what a hallucination loop costs; people say about half that (measured with tiny.en: a
list at 300 words a minute and letters spelled at 165 to 180 come to about 8 a second,
timestamps included). Should the budget still run out, the unfinished segment is dropped
and ``Window.end`` says where the complete text stops, so the caller decodes the rest
(``audio.decode``); one unfinished segment alone is decoded again with the whole 224.
The budget bounds work, never what is heard.

What a decode costs, and what was tried against it (tiny.en, int8, 2 cores, commands of
3 to 9 s): the encoder takes 0.045 s for the 10 s window and 0.013 to 0.02 s for the clip
plus 1 s, the token-probability alignment 0.01 to 0.02 s, and the decoder's steps the
rest, 0.1 to 0.25 s: about 6 ms a token with a beam of 5 (3.5 ms greedy), most of it the
vocabulary projection of each beam, so the window's length hardly changes it.

- ``min_window`` stays 10 s. Encoding only the clip plus 1 s saved about 0.03 s a
  decode but raised the word error rate of live endpointing from 0.155 to 0.177 (48
  commands in 9 voices, each released 0, 0.1, 0.15, 0.2 and 0.3 s after the speech and
  mid-word; the naive pipeline: 0.195), to the naive pipeline's at a 0 s tail: Whisper
  was trained on 30 s windows, and short ones made it repeat or drop words.
- No forced prefix from an earlier guess. CTranslate2 (4.8) feeds the tokens of a
  prefix after the start-of-transcript sequence through the decoder one step at a time,
  with the whole beam, as if it generated them: forcing 17 of a command's 20 tokens took
  0.126 s against 0.135 s for generating all 20 (0.0065 s for a single step), so reusing
  a guess that way saves under a tenth and risks keeping its mistakes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from audio.understood import LOW_LOGPROB, NO_SPEECH, heard_token_prob, needs_fallback, repetitive

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
FULL_WINDOW_FRAMES = 3000  # 30 s of 10 ms mel frames
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
MAX_LENGTH = 448  # Whisper's text context, prompt included
MAX_NEW_TOKENS = MAX_LENGTH // 2  # what CTranslate2 lets a Whisper decoder generate
TOKENS_PER_SECOND = 16
TIME_STEP = 0.02  # seconds per timestamp token
SAMPLING_SEED = 0


@dataclass(frozen=True)
class DecodeOptions:
    language: str | None = "en"  # None: detect
    beam_size: int = 5
    hotwords: str = ""
    margin: float = 1.0  # seconds of silence encoded after the clip ...
    min_window: float = 10.0  # ... and at least this many seconds in all
    short_window: bool = True  # False: always the full 30 s window (the naive way)


@dataclass(frozen=True)
class Window:
    text: str
    language: str
    avg_logprob: float
    no_speech_prob: float
    temperature: float  # 0 unless the beam-search result was rejected
    full_window: bool  # decoded (or re-decoded) with the 30 s window
    compression_ratio: float
    segments: tuple[Segment, ...] = ()
    tokens: int = 0  # generated, timestamps included
    token_prob: float = 1.0  # mean probability of the text's tokens (audio.understood)
    text_tokens: int = 0

    @property
    def end(self) -> float:
        """Seconds into the audio where the decoded speech ends."""
        return self.segments[-1].end if self.segments else 0.0


@dataclass(frozen=True)
class Segment:
    start: float  # seconds into the audio
    end: float
    text: str


def decode_window(model: Any, audio: np.ndarray, options: DecodeOptions, context: str) -> Window:
    """One pass over ``audio`` (16 kHz mono float32, at most 30 s) after ``context``."""
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
    return most_trusted(heard) if heard else full


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
) -> Window:
    import numpy as np
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    encoded = model.encode(np.ascontiguousarray(features))
    multilingual = model.model.is_multilingual
    language = options.language if multilingual else "en"
    if language is None:
        language = model.model.detect_language(encoded)[0][0][0][2:-2]
    tokenizer = Tokenizer(model.hf_tokenizer, multilingual, task="transcribe", language=language)
    prompt = _prompt(tokenizer, options.hotwords, context)
    decoder = _Decoder(
        model=model,
        encoded=encoded,
        prompt=prompt,
        suppress=get_suppressed_tokens(tokenizer, [-1]),
        tokenizer=tokenizer,
        beam_size=options.beam_size,
        seconds=seconds,
        full=features.shape[-1] >= FULL_WINDOW_FRAMES,
        frames=features.shape[-1],
    )
    budget = min(MAX_NEW_TOKENS, MAX_LENGTH - len(prompt), int(TOKENS_PER_SECOND * seconds) + 16)
    tried: list[Window] = []
    for temperature in TEMPERATURES:
        window = decoder.run(temperature, budget)
        if window is None:  # one unfinished segment longer than the budget: all of it
            window = decoder.run(temperature, MAX_NEW_TOKENS)
        assert window is not None
        if window.no_speech_prob > NO_SPEECH and window.avg_logprob < LOW_LOGPROB:
            return replace(window, text="", compression_ratio=0.0, segments=())  # silence
        if not needs_fallback(window.text, window.avg_logprob, window.compression_ratio):
            return decoder.with_token_prob(window)
        tried.append(window)
    return decoder.with_token_prob(most_trusted(tried))


def most_trusted(windows: list[Window]) -> Window:
    """Of decodings that all failed a rule, the one least repetitive, then most confident
    (Whisper keeps the most probable result under the compression-ratio limit)."""
    return max(
        windows,
        key=lambda w: (
            bool(w.text) and not repetitive(w.text, w.compression_ratio),
            w.avg_logprob,
        ),
    )


@dataclass(frozen=True)
class _Decoder:
    model: Any
    encoded: Any
    prompt: list[int]
    suppress: list[int]
    tokenizer: Any
    beam_size: int
    seconds: float
    full: bool
    frames: int  # mel frames encoded

    def run(self, temperature: float, budget: int) -> Window | None:
        """One generation of at most ``budget`` new tokens; None when the budget ran out
        inside the first segment and that segment does not repeat itself (a loop is kept
        as it is: more tokens would only make it longer)."""
        sampling: dict[str, Any] = (
            {"beam_size": self.beam_size}
            if temperature == 0
            else {"beam_size": 1, "sampling_topk": 0, "sampling_temperature": temperature}
        )
        if temperature > 0:
            # A fallback samples. The seed does not make it repeat: CTranslate2 seeds each
            # worker thread's generator once, at its first use, so sampled text differs
            # from take to take; ``audio.understood`` trusts it only when it is sure.
            import ctranslate2  # loaded with the model already

            ctranslate2.set_random_seed(SAMPLING_SEED)
        result = self.model.model.generate(
            self.encoded,
            [self.prompt],
            max_length=max(2 * budget, len(self.prompt) + budget),  # see the module docstring
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self.suppress,
            max_initial_timestamp_index=50,  # speech starts within the first second
            **sampling,
        )[0]
        tokens = result.sequences_ids[0]
        segments, unfinished = _segments(tokens, self.tokenizer, self.seconds)
        if len(tokens) >= budget and unfinished:  # cut short by the budget
            if len(segments) > 1:
                segments = segments[:-1]  # the caller decodes on from the complete ones
            elif budget < MAX_NEW_TOKENS and not repetitive(
                segments[0].text, compression_ratio(segments[0].text)
            ):
                return None
        text = "".join(s.text for s in segments).strip()
        return Window(
            text=text,
            language=self.tokenizer.language_code,
            avg_logprob=result.scores[0] * len(tokens) / (len(tokens) + 1),
            no_speech_prob=result.no_speech_prob,
            temperature=temperature,
            full_window=self.full,
            compression_ratio=compression_ratio(text),
            segments=tuple(segments),
            tokens=len(tokens),
        )

    def with_token_prob(self, window: Window) -> Window:
        """``window`` with the mean probability of its text tokens, the decoder forced
        through them (CTranslate2's ``align``, as faster-whisper's word probabilities);
        English-only models only (``audio.understood``)."""
        text = self.tokenizer.encode(" " + window.text) if window.text else []
        if not text or self.model.model.is_multilingual:
            return window  # the rule is measured for English-only models only
        start = [*self.prompt, self.tokenizer.no_timestamps]  # as heard: after the hints
        aligned = self.model.model.align(self.encoded, start, [text], self.frames)[0]
        # Tokens without a letter (digits, punctuation) only say how the text is written.
        pieces = [self.tokenizer.decode([token]) for token in text]
        token_prob = heard_token_prob(text, aligned.text_token_probs, pieces)
        worded = sum(any(c.isalpha() for c in piece) for piece in pieces)
        return replace(window, token_prob=token_prob, text_tokens=worded)


def _prompt(tokenizer: Any, hotwords: str, context: str) -> list[int]:
    prompt: list[int] = []
    before = " ".join(part for part in (hotwords.strip(), context.strip()) if part)
    if before:
        # Whisper's "previous text" slot: half the context at most, newest text kept.
        prompt = [tokenizer.sot_prev, *tokenizer.encode(" " + before)[-(MAX_LENGTH // 2 - 1) :]]
    return [*prompt, *tokenizer.sot_sequence]


def _segments(tokens: list[int], tokenizer: Any, seconds: float) -> tuple[list[Segment], bool]:
    """The segments of a decoder output that start before the audio ends, and whether the
    last of them is unfinished (text without a closing timestamp; its end is then
    ``seconds``).

    A decoder that sees less than 30 s may go on "hearing" the last sentence again in the
    silence after it; its timestamps give such repeats away: they start after the end.
    """
    segments: list[Segment] = []
    text: list[int] = []
    start = 0.0
    last_was_time = False
    for token in tokens:
        if token >= tokenizer.timestamp_begin:
            time = (token - tokenizer.timestamp_begin) * TIME_STEP
            if text:  # a segment closes
                segments.append(Segment(start, min(time, seconds), tokenizer.decode(text)))
                text = []
            elif not segments or last_was_time:
                start = time  # a segment opens
            last_was_time = True
            continue
        last_was_time = False
        if token >= tokenizer.eot:
            continue
        if start >= seconds - 0.1:
            break
        text.append(token)
    if text:
        segments.append(Segment(start, seconds, tokenizer.decode(text)))
    return segments, bool(text)


def compression_ratio(text: str) -> float:
    """Bytes of ``text`` over bytes zlib makes of them (Whisper's repetition measure)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0
