"""Voice subcommands of ``harken``: the audio package from the terminal.

    harken transcribe FILE [--model M] [--language L] [--json]   a file's text
    harken say TEXT [--out FILE.wav] [--voices]                   speak (or write) text
    harken devices                                                microphones and speakers
    harken listen                                                 Enter to start/stop, prints text
    harken bench voice [--clips N] [--tails 0,0.1,...]            latency and accuracy

Settings come from the config file (``agent.config``) and are passed to ``audio`` as plain
values; nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import threading
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def add_commands(commands: Any) -> None:
    transcribe = commands.add_parser("transcribe", help="transcribe an audio file")
    transcribe.add_argument("file", type=Path, help="WAV, FLAC, MP3, OGG, ...")
    transcribe.add_argument("--model", help="Whisper model name or folder (default from config)")
    transcribe.add_argument("--language", help="language code, or auto (default from config)")
    transcribe.add_argument("--cwd", type=Path, help="workspace whose names to hear right")
    transcribe.add_argument("--json", action="store_true", help="print one JSON object")
    transcribe.set_defaults(handler=transcribe_file)

    say = commands.add_parser("say", help="speak text aloud")
    say.add_argument("text", nargs="?", default="", help="what to say")
    say.add_argument("--out", metavar="FILE", help="write a WAV file instead")
    say.add_argument("--voices", action="store_true", help="list the voices")
    say.set_defaults(handler=say_text)

    devices = commands.add_parser("devices", help="list microphones and speakers")
    devices.add_argument("--json", action="store_true", help="one JSON object per device")
    devices.set_defaults(handler=list_devices)

    listen = commands.add_parser("listen", help="record from the microphone, print the text")
    listen.add_argument("--model", help="Whisper model name or folder (default from config)")
    listen.add_argument("--cwd", type=Path, help="workspace whose names to hear right")
    listen.set_defaults(handler=listen_once)

    bench = commands.add_parser("bench", help="measure a part of Harken")
    bench.add_argument(
        "what",
        choices=("voice", "tray"),
        help="voice: push-to-talk latency, accuracy; tray: start-up, memory, release to speech",
    )
    bench.add_argument(
        "--clips",
        type=int,
        default=None,
        help="spoken commands to play (voice: 16; tray: 6 for each release timing)",
    )
    bench.add_argument("--model", help="Whisper model name or folder (default from config)")
    bench.add_argument(
        "--tails",
        type=_tails,
        default=None,
        metavar="S,S,...",
        help="voice: seconds from the end of speech to the key release, one run each "
        "(default 0,0.1,0.15,0.2,0.3; a release mid-word is always measured too)",
    )
    bench.set_defaults(handler=run_bench)


def _tails(text: str) -> tuple[float, ...]:
    try:
        tails = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not seconds: {text!r}") from None
    if not tails or min(tails) < 0:
        raise argparse.ArgumentTypeError(f"give tails of 0 s or more, like 0,0.15: {text!r}")
    return tails


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"harken: {message}", file=sys.stderr)
    return code


def _config() -> Any:
    from agent.config import load_config

    config = load_config()
    for problem in config.problems:
        print(f"harken: warning: {problem}", file=sys.stderr)
    return config


def _transcriber(config: Any, model: str | None, language: str | None, cwd: Path | None) -> Any:
    from audio.hotwords import parse_word_list, workspace_words
    from audio.transcribe import Transcriber

    words = parse_word_list(config.hotwords)
    if config.workspace_hotwords:
        words += workspace_words(cwd or Path.cwd())
    return Transcriber(
        model or config.whisper_model,
        language=language or config.language,
        words=words,
        beam_size=config.beam_size,
    ).start()


def transcribe_file(args: argparse.Namespace) -> int:
    """Print a file's text. The file is heard as ``listen`` hears the same sound: read
    without requantising (``audio.audio_file``), judged silent below the same level floor
    (``level_floor_db``, the loudest sample in dBFS), then the same decoding and verdicts."""
    from audio import lost
    from audio.audio_file import read_audio_file
    from audio.level import db, peak
    from audio.models import ModelUnavailable

    if args.file.is_dir():
        return _fail(f"{args.file} is a folder: give an audio file", EXIT_USAGE)
    if not args.file.is_file():
        return _fail(f"{args.file}: no such file", EXIT_USAGE)
    config = _config()
    try:
        audio = read_audio_file(args.file)
    except Exception as exc:  # PyAV raises many kinds; all mean "not audio we can read"
        return _fail(f"{args.file}: cannot read it as audio ({exc})")
    loudest = db(peak(audio))
    if len(audio) and loudest < config.level_floor_db:  # as a take from the microphone
        return _fail(f"{args.file}: {lost.silent(loudest, config.level_floor_db, from_file=True)}")
    transcriber = _transcriber(config, args.model, args.language, args.cwd)
    try:
        result = transcriber.transcribe(audio)
    except ModelUnavailable as exc:
        return _fail(str(exc))
    if result.unclear:  # not passed on as if it had been said
        return _fail(f"{args.file}: {result.unclear}")
    if not result.text:  # silence or noise: said, not an empty line and success
        return _fail(f"{args.file}: {_nothing_heard(result)}")
    if args.json:
        print(
            json.dumps(
                {
                    "text": result.text,
                    "audio_seconds": round(result.audio_seconds, 3),
                    "decode_seconds": round(result.decode_seconds, 3),
                },
                ensure_ascii=False,
            )
        )
    else:
        print(result.text)
    return EXIT_OK


def say_text(args: argparse.Namespace) -> int:
    from audio.devices import AudioDeviceError
    from audio.native_stderr import native_noise_to_log
    from audio.speak import Speaker
    from audio.spoken import for_the_ear
    from audio.synth_checks import SpeechError, shown

    config = _config()
    speaker = Speaker(
        voice=config.speech_voice, rate=config.speech_rate, device=config.output_device or None
    )
    try:
        if args.voices:
            for voice_id, name in speaker.voices():
                print(f"{voice_id}\t{name}")
            return EXIT_OK
        if args.out is not None and not args.out.strip():
            # Path("") is "." (the current folder): the user gave no name at all.
            return _fail("--out needs a file name", EXIT_USAGE)
        out = Path(args.out) if args.out is not None else None
        text = for_the_ear(args.text)
        if not re.search(r"\w", text):  # empty, or only marks and pictographs: silence
            return _fail("nothing to say", EXIT_USAGE)
        if out and not out.is_dir() and out.suffix.lower() != ".wav":
            # The file would hold WAV whatever its name says.
            return _fail(
                f"--out writes WAV audio: give a name ending in .wav, not {shown(out)}",
                EXIT_USAGE,
            )
        if out:
            speaker.save(text, out)  # returns once the file is written and checked
            print(f"Wrote {shown(out)}", file=sys.stderr)  # a non-UTF-8 name printable
            return EXIT_OK
        # A sound server that dies mid-sentence makes PortAudio print its internals.
        with native_noise_to_log():
            speaker.say(text)
            speaker.wait()  # ends on its own: every wait inside the speaker is bounded
    except KeyboardInterrupt:
        speaker.stop()
        return _fail("interrupted", EXIT_INTERRUPTED)
    except (AudioDeviceError, SpeechError, ValueError, OSError) as exc:
        return _fail(str(exc))
    finally:
        speaker.close()
    if speaker.error is not None:
        return _fail(str(speaker.error))
    return EXIT_OK


def list_devices(args: argparse.Namespace) -> int:
    from audio.devices import AudioDeviceError
    from audio.devices import list_devices as devices

    try:
        found = devices()
    except AudioDeviceError as exc:
        return _fail(str(exc))
    if args.json:
        for d in found:
            print(json.dumps(d.__dict__))
        return EXIT_OK
    for title, kind in (("Inputs (microphones)", "inputs"), ("Outputs (speakers)", "outputs")):
        print(f"{title}:")
        listed = [d for d in found if getattr(d, kind) > 0]
        for d in listed:
            default = d.is_default_input if kind == "inputs" else d.is_default_output
            mark = "*" if default else " "
            print(f" {mark} {d.index:>3}  {d.name}  ({d.host_api}, {d.default_rate:.0f} Hz)")
        if not listed:
            print("    none")
    print("* the system default; choose another with the input_device / output_device setting")
    if not found:
        return _fail("no sound devices at all: is the sound server running?")
    return EXIT_OK


def _nothing_heard(transcript: Any) -> str:
    """Why a file's transcript has no text (no speech found, or no words made out)."""
    if transcript.speech_seconds < 0.1:
        return f"no speech was heard in {transcript.audio_seconds:.1f} s"
    return f"no words could be made out of {transcript.speech_seconds:.1f} s of speech"


def listen_once(args: argparse.Namespace) -> int:
    """Record one take (Enter to start, Enter to stop) and print its text.

    Whatever is lost is said on stderr: at once while recording (the bound reached, the
    microphone gone quiet, sound lost) and with the result, with the last words kept.
    Exit status: 0 when everything said was transcribed; 1 when nothing was (a silent or
    empty take, no speech, speech not understood), or when part of it is missing: the
    text that was heard is still printed on stdout."""
    from audio import lost
    from audio.capture import Recorder
    from audio.devices import AudioDeviceError
    from audio.models import ModelUnavailable, check_language
    from audio.native_stderr import native_noise_to_log

    config = _config()
    try:  # before anything is recorded: a model that cannot hear the language set
        check_language(args.model or config.whisper_model, config.language)
    except ModelUnavailable as exc:
        return _fail(str(exc))
    transcriber = _transcriber(config, args.model, None, args.cwd)
    recorder = Recorder(
        config.input_device or None,
        max_seconds=config.max_recording_seconds,
        preroll=config.preroll_ms / 1000,
        min_seconds=config.min_recording_ms / 1000,
        level_floor_db=config.level_floor_db,
    )
    threading.Thread(target=_say_when_ready, args=(transcriber, recorder), daemon=True).start()
    # A sound server that dies mid-take makes PortAudio print its internals.
    with native_noise_to_log():
        try:
            recorder.open()
            input("Press Enter to start recording. ")
            recorder.start()
            live = transcriber.live(
                recorder.span, release=recorder.release, hold=recorder.hold_seconds
            )
            meter = _Meter(recorder)
            meter.start()
            input("Recording... press Enter to stop. ")
            meter.stop()
            take = recorder.stop()
        except AudioDeviceError as exc:
            return _fail(str(exc))
        except KeyboardInterrupt:
            return _fail("interrupted", EXIT_INTERRUPTED)
        except EOFError:  # not Ctrl-C: its input ended (a script, `< /dev/null`)
            return _fail("the input ended: listen starts and stops a take on Enter", EXIT_USAGE)
        finally:
            recorder.close()
    if not take.usable:
        live.cancel()
        for problem in lost.while_recording(take):
            print(f"harken: {problem}", file=sys.stderr)
        return _fail(f"nothing recorded: the recording was {take.dropped}")
    if not transcriber.ready:
        print("Loading the speech model...", file=sys.stderr)
    try:
        transcript = live.finish(take.audio, take.offset).result()
    except ModelUnavailable as exc:
        return _fail(str(exc))
    notices = lost.notices(take, transcript)
    if transcript.text:
        print(transcript.text)
    for notice in notices:
        print(f"harken: {notice}", file=sys.stderr)
    if transcript.unclear:  # not passed on as if it had been said
        return _fail(transcript.unclear)
    if not transcript.text:
        return _fail(f"nothing heard: {lost.no_speech(take, transcript)}")
    return EXIT_FAILED if notices else EXIT_OK


def _say_when_ready(transcriber: Any, recorder: Any) -> None:
    """Say on stderr once the model has loaded: until then speech is only held, and a take
    longer than ``max_recording_seconds`` stops at that bound. Not once the microphone
    has closed (the command failed or the take is over): it would follow the last word."""
    with contextlib.suppress(Exception):  # a load error is reported with the result
        if transcriber.wait_ready() and recorder.is_open:
            print("harken: the speech model is ready", file=sys.stderr, flush=True)


class _Meter(threading.Thread):
    """While recording: a level bar on stderr when it is a terminal, and at once, on any
    stderr, what goes wrong (``Recorder.alert``)."""

    def __init__(self, recorder: Any) -> None:
        super().__init__(daemon=True)
        self.recorder = recorder
        self._done = threading.Event()

    def run(self) -> None:
        said = ""
        tty = sys.stderr.isatty()
        while not self._done.wait(0.1):
            alert = self.recorder.alert()
            if alert and alert != said:
                said = alert
                print(("\n" if tty else "") + f"harken: {alert}", file=sys.stderr, flush=True)
            if tty:
                bar = "#" * round(self.recorder.level() * 30)
                print(f"\r  level [{bar:<30}] ", end="", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=1)
        if sys.stderr.isatty():
            print("\r" + " " * 44 + "\r", end="", file=sys.stderr)


def run_bench(args: argparse.Namespace) -> int:
    if args.what == "tray":
        from desktop import bench as tray_bench

        try:
            takes = args.clips or 6
            return tray_bench.run(takes=takes, tails=args.tails or tray_bench.TAILS)
        except RuntimeError as exc:
            return _fail(str(exc))
    from audio import bench

    config = _config()
    try:
        return bench.run(
            args.clips or 16,
            args.model or config.whisper_model,
            config.beam_size,
            tails=args.tails or bench.TAILS,
        )
    except RuntimeError as exc:
        return _fail(str(exc))
