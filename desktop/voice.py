"""The voice side of the app: the microphone, Whisper and the speaker, wired for Qt.

    voice = Voice(background, config, workspace)
    voice.start()                       open the mic, load Whisper and the speech engine
    voice.start_take(n) / finish_take(n) / cancel_take(n)   one push-to-talk take
    voice.level()                       the mic's level for the overlay's meter (0..1)
    voice.speak(text) / stop_speech()   a spoken summary (or a progress line); barge-in
    voice.open_mic() / close_mic()      resume / pause listening
    voice.apply(config)                 settings changed: devices, model, voice, words
    voice.close()

Signals (GUI thread): ``take_started(take)`` (the key went down: what the request will
need can be prepared while it is held), ``transcript_ready(take, text)``,
``transcript_empty(take, why)``, ``take_warning(take, message)``, ``failed(message)``,
``speech_done()``, ``model_ready(seconds)``, ``mic_ready(device)``.

Nothing said is lost without a word: while a take records, what goes wrong (recording
stopped at the bound, the microphone went quiet, sound was lost) is said at once with
``take_warning``; when its text is ready, what is missing from it and why (with the last
words kept) comes as a ``take_warning`` just before ``transcript_ready``, and is logged.

The microphone stays open from start to quit (pausing closes it), so a press records at
once and keeps a short pre-roll; Whisper loads in the background at start, and a take
recorded before it is ready waits in its queue: the text follows when the model is there.
While the key is held, ``Transcriber.live`` decodes what has been said so far, so little
is left at release. Every microphone operation runs in order on one background lane, so a
quick press-release-press can never reorder them. ``speech_out``: a folder to write each
spoken text to as ``speech-NNN.wav`` instead of playing it (the end-to-end tests' hook);
the speaking side is ``desktop.voice_speech``.

Memory: once the model is ready and after every take and every spoken summary, what those
freed is handed back to the system (``audio.models.trim_memory``, on the trim lane), so the
resident size at idle stays where it was after the first command.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.background import Background
from desktop.voice_speech import SPEECH, Speech

log = logging.getLogger(__name__)

MIC = "mic"  # the background lane of every microphone operation
TRIM = "trim"  # malloc_trim waits for the allocator's locks: never on the GUI thread
TELEMETRY = "telemetry"  # the first record may load the OpenTelemetry SDK (~0.3 s)
WATCH_MS = 100  # how often a take in progress is checked for trouble


class Voice(QObject, Speech):
    take_started = Signal(int)
    transcript_ready = Signal(int, str)
    transcript_empty = Signal(int, str)
    take_warning = Signal(int, str)
    failed = Signal(str)
    speech_done = Signal()
    model_ready = Signal(float)
    mic_ready = Signal(str)

    def __init__(
        self,
        background: Background,
        config: Any,
        workspace: Path,
        *,
        speech_out: Path | None = None,
    ) -> None:
        super().__init__()
        self.background = background
        self.config = config
        self.workspace = workspace
        self.speech_out = speech_out
        self.recorder: Any = None
        self.transcriber: Any = None
        self.speaker: Any = None
        self._live: tuple[int, Any] | None = None  # mic lane only
        self._speech = 0  # the number of the latest speech; older completions are ignored
        self._written = 0
        self.mic_error = ""
        self._watched = (0, "")  # the take being watched, and what was said about it
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._check_take)

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Open the microphone and load Whisper and the speech engine, all off the GUI thread."""
        self.background.run(self._load_transcriber, self._transcriber_loading, self._fail, lane=MIC)
        self.background.run(self._open_mic, self.mic_ready.emit, self._mic_failed, lane=MIC)
        self.background.run(self._load_speaker, None, self._fail, lane=SPEECH)

    def _load_transcriber(self) -> Any:
        from audio.hotwords import parse_word_list, workspace_words
        from audio.transcribe import Transcriber

        words = parse_word_list(self.config.hotwords)
        if self.config.workspace_hotwords:
            words += workspace_words(self.workspace)
        transcriber = Transcriber(
            self.config.whisper_model,
            language=self.config.language,
            words=words,
            beam_size=self.config.beam_size,
        ).start()
        self.transcriber = transcriber
        return transcriber

    def _transcriber_loading(self, transcriber: Any) -> None:
        def ready(_: Any) -> None:
            if transcriber is self.transcriber:
                log.info(
                    "speech model %s ready in %.1f s",
                    transcriber.model_name,
                    transcriber.load_seconds,
                )
                self.model_ready.emit(transcriber.load_seconds)
                self.trim_memory()

        self.background.run(transcriber.wait_ready, ready, self._fail)

    def _open_mic(self) -> str:
        from audio.capture import Recorder

        if self.recorder is None:
            c = self.config
            self.recorder = Recorder(
                c.input_device or None,
                max_seconds=c.max_recording_seconds,
                preroll=c.preroll_ms / 1000,
                min_seconds=c.min_recording_ms / 1000,
                level_floor_db=c.level_floor_db,
            )
        self.recorder.open()
        log.info(
            "microphone open: %s at %.0f Hz", self.recorder.device_name, self.recorder.native_rate
        )
        self.mic_error = ""
        return self.recorder.device_name

    def _mic_failed(self, exc: BaseException) -> None:
        # Said once; the next press tries the microphone again.
        self.mic_error = str(exc)
        self._fail(exc)

    def _load_speaker(self) -> None:
        from audio.speak import Speaker

        c = self.config
        self.speaker = Speaker(
            voice=c.speech_voice, rate=c.speech_rate, device=c.output_device or None
        )
        self.speaker.voices()  # starts the speech engine now, not at the first summary

    def close(self) -> None:
        """At quit, after the background lanes stopped: devices closed, Whisper's thread
        ended (a model still loading is waited for: native threads torn down mid-load
        abort the process)."""
        self.stop_speech()
        if self._live is not None:
            self._live[1].cancel()
            self._live = None
        recorder, transcriber, speaker = self.recorder, self.transcriber, self.speaker
        self.recorder = None  # its resampler must go before the interpreter does
        if recorder is not None:
            recorder.close()
            recorder._resample = None  # also when the stream never opened
        if speaker is not None:
            speaker.close()
        if transcriber is not None:
            transcriber.close()

    # -- takes ----------------------------------------------------------------------------

    def start_take(self, take: int) -> None:
        self.background.run(lambda: self._start(take), None, self._fail, lane=MIC)
        self._watched = (take, "")
        self._watch.start()
        self.take_started.emit(take)

    def _check_take(self) -> None:
        """Say at once what goes wrong while the key is held (GUI thread, every WATCH_MS)."""
        recorder = self.recorder
        if recorder is None or not recorder.recording:
            return
        take, said = self._watched
        alert = recorder.alert()
        if alert and alert != said:
            self._watched = (take, alert)
            log.warning("take %d: %s", take, alert)
            self.take_warning.emit(take, alert)

    def _start(self, take: int) -> None:
        if self.transcriber is None:
            raise RuntimeError("The speech model could not be set up; see the log.")
        if self.recorder is None:
            self._open_mic()
        recorder = self.recorder
        number = recorder.start()  # reopens a microphone that failed or went away
        # Bound to this take: the decoding of the take before may still be reading when
        # this one starts (a continuation starts at once), and must not release its audio.
        live = self.transcriber.live(
            lambda: recorder.span(number),
            release=lambda sample: recorder.release(sample, number),
            hold=recorder.hold_seconds,
        )
        self._live = (take, live)

    def finish_take(self, take: int) -> None:
        self._watch.stop()
        self.background.run(
            lambda: self._finish(take),
            lambda result: self._finished(take, result),
            self._fail,
            lane=MIC,
        )

    def _finish(self, take: int) -> tuple[Future[Any], Any] | str:
        live = self._take_live(take)
        if live is None or self.recorder is None:
            return "nothing was recorded"
        recorded = self.recorder.stop()
        if recorded.problem:
            log.warning("take %d: %s", take, recorded.problem)
        if not recorded.usable:
            live.cancel()
            log.info("take %d dropped: %s", take, recorded.dropped)
            return f"the recording was {recorded.dropped}"
        log.info("take %d: %.1f s recorded", take, recorded.seconds)
        return live.finish(recorded.audio, recorded.offset), recorded

    def _finished(self, take: int, result: tuple[Future[Any], Any] | str) -> None:
        if isinstance(result, str):
            self.transcript_empty.emit(take, result)
            return
        future, recorded = result
        future.add_done_callback(
            lambda f: self.background.on_main(self._transcribed, take, f, recorded)
        )

    def _transcribed(self, take: int, future: Future[Any], recorded: Any = None) -> None:
        self.trim_memory()  # the take's audio and the decoder's buffers are freed by now
        self._deliver(take, future, recorded)

    def _deliver(self, take: int, future: Future[Any], recorded: Any) -> None:
        from audio import lost

        if future.cancelled():
            log.info("take %d: transcription cancelled", take)
            return
        exc = future.exception()
        if exc is not None:
            self._fail(exc)
            return
        transcript = future.result()
        log.info(
            "take %d heard in %.2f s after release: %r",
            take,
            transcript.decode_seconds,
            transcript.text,
        )
        self._record_latency(transcript.decode_seconds)
        notices = lost.notices(recorded, transcript) if recorded is not None else []
        for notice in notices:
            log.warning("take %d: %s", take, notice)
        if notices:
            self.take_warning.emit(take, " ".join(notices))
        if transcript.unclear:  # not sent on as a command: the person is told instead
            log.info("take %d: %s", take, transcript.unclear)
            self.transcript_empty.emit(take, transcript.unclear)
            return
        if not transcript.text.strip() and recorded is not None:
            self.transcript_empty.emit(take, lost.no_speech(recorded, transcript))
            return
        self.transcript_ready.emit(take, transcript.text)

    def _record_latency(self, seconds: float) -> None:
        """Release-to-text for telemetry (``agent.telemetry``; nothing when it is off)."""

        def record() -> None:
            from agent import telemetry

            telemetry.record_release_to_text(seconds, self.config)

        def failed(exc: BaseException) -> None:
            log.warning("telemetry: %s", exc)

        self.background.run(record, None, failed, lane=TELEMETRY)

    def cancel_take(self, take: int) -> None:
        self._watch.stop()

        def cancel() -> None:
            live = self._take_live(take)
            if live is not None:
                live.cancel()
            if self.recorder is not None and self.recorder.recording:
                recorded = self.recorder.stop(grace=0)  # a cancel never waits for a word's end
                log.info("take %d cancelled after %.1f s", take, recorded.seconds)

        self.background.run(cancel, None, self._fail, lane=MIC)

    def _take_live(self, take: int) -> Any:
        if self._live is None or self._live[0] != take:
            return None
        live, self._live = self._live[1], None
        return live

    def level(self) -> float:
        recorder = self.recorder
        return recorder.level() if recorder is not None and recorder.recording else 0.0

    def open_mic(self) -> None:
        self.background.run(self._open_mic, None, self._mic_failed, lane=MIC)

    def close_mic(self) -> None:
        def close() -> None:
            if self.recorder is not None:
                self.recorder.close()

        self.background.run(close, None, self._fail, lane=MIC)

    # -- memory ---------------------------------------------------------------------------

    def trim_memory(self) -> None:
        """Hand memory freed by the work just done back to the system, off the GUI thread."""
        from audio.models import trim_memory

        def trimmed(_: Any) -> None:
            log.info("freed memory handed back")  # the leak check waits for it to measure

        self.background.run(trim_memory, trimmed, lambda exc: None, lane=TRIM)

    # -- settings -------------------------------------------------------------------------

    def apply(self, config: Any, changed: set[str]) -> None:
        """Settings changed: apply them now (a new model loads in the background)."""
        self.config = config
        if self.speaker is not None:
            self.speaker.voice = config.speech_voice
            self.speaker.rate = config.speech_rate
            self.speaker.device = config.output_device or None
        if "workspace" in changed:
            self.workspace = Path(config.workspace).expanduser() if config.workspace else Path.cwd()
        words = {"hotwords", "workspace_hotwords", "workspace"}
        if changed & {"whisper_model", "language", "beam_size", *words}:
            old = self.transcriber
            self.background.run(
                self._load_transcriber, self._transcriber_loading, self._fail, lane=MIC
            )
            if old is not None:
                self.background.run(old.close)
        recorder_keys = {
            "input_device",
            "max_recording_seconds",
            "preroll_ms",
            "min_recording_ms",
            "level_floor_db",
        }
        if changed & recorder_keys:

            def reopen() -> None:
                if self.recorder is not None:
                    self.recorder.close()
                self.recorder = None
                self._open_mic()

            self.background.run(reopen, None, self._mic_failed, lane=MIC)

    def _fail(self, exc: BaseException) -> None:
        log.warning("voice: %s", exc, exc_info=exc if not isinstance(exc, RuntimeError) else None)
        self.failed.emit(str(exc) or type(exc).__name__)
