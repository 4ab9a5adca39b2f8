"""User settings, declared once as data, read from ``config.toml``.

Each ``Setting`` names its key, default, type and a label; the config file, the CLI and
(later) the settings window all come from ``SETTINGS``. A config file that cannot be read
never stops Harken and is never overwritten: the problem is reported and defaults apply.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import paths


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    label: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("model", "claude-sonnet-4-6", "Model id"),
    Setting("mode", "standard", "Permission mode", choices=("plan", "standard", "auto", "bypass")),
    Setting("max_tokens", 8192, "Longest answer, in tokens", minimum=1),
    Setting("max_turns", 50, "Model round trips per request", minimum=1),
    Setting("thinking_budget", 0, "Extended thinking budget in tokens (0: off)", minimum=0),
    Setting("context_window", 200_000, "The model's context window, in tokens", minimum=1000),
    Setting("max_retries", 5, "Retries of a failed API call", minimum=0),
    Setting("base_url", "", "API endpoint (empty: ANTHROPIC_BASE_URL or Anthropic's)"),
    Setting(
        "web_search",
        False,
        "Let the model search the web (Anthropic's web search; billed per search)",
    ),
    Setting("checkpoints", True, "Keep files' earlier content so agent changes can be undone"),
    Setting(
        "checkpoint_max_file_mb",
        20.0,  # a float: fractions such as 0.5 are allowed
        "Largest file a checkpoint keeps, in MB (a change to a larger one asks first)",
        minimum=0,
    ),
    Setting("buddy_name", "", "Your buddy's name (empty: the one it suggests)"),
    Setting("buddy_user_id", "", "Id the buddy hatches from (empty: you on this machine)"),
    Setting("buddy_visible", True, "Show the buddy on the desktop"),
    # Voice (audio/): plain values the desktop and the CLI hand to audio.
    Setting("input_device", "", "Microphone (empty: the system default)"),
    Setting("output_device", "", "Speaker: name or index (empty: the system default)"),
    Setting("whisper_model", "tiny.en", "Whisper model: a name (tiny.en, base, small) or folder"),
    Setting(
        "language",
        "auto",
        "Spoken language: a code such as en or de (other than en needs a multilingual "
        "model such as base), or auto to detect",
    ),
    Setting("hotwords", "", "Words to hear right, comma-separated (names, jargon)"),
    Setting("workspace_hotwords", True, "Also hear the workspace's file names and identifiers"),
    Setting("beam_size", 5, "Whisper beam size (1: fastest)", minimum=1),
    Setting(
        "max_recording_seconds",
        120,
        "Most audio kept waiting to be transcribed, in seconds (longer takes are"
        " transcribed as they go)",
        minimum=5,
    ),
    Setting("min_recording_ms", 300, "Shorter takes with no speech are ignored (ms)", minimum=0),
    Setting(
        "level_floor_db", -70, "Recordings whose loudest sample is below this are silence (dBFS)"
    ),
    Setting("preroll_ms", 300, "Audio kept from before the key press (ms)", minimum=0),
    Setting(
        "speech_voice",
        "",
        "Voice for spoken replies: piper:joe, espeak or an espeak-ng voice (empty: the natural"
        " voice where installed, else espeak-ng)",
    ),
    Setting("speech_rate", 180, "Speaking rate, in words per minute", minimum=60),
    Setting("speak_summaries", True, "Speak a short summary when a task ends"),
    # The tray app (desktop/): push-to-talk and how an interaction goes.
    Setting("hotkey", "ctrl+alt+space", "Push-to-talk hotkey, e.g. ctrl+alt+space"),
    Setting(
        "dictation_hotkey",
        "ctrl+alt+d",
        "Dictation hotkey: what you say is typed into the focused window (empty: none)",
    ),
    Setting(
        "dictation_replacements",
        "",
        "Your replacements in dictation, e.g. harken=Harken, kube control=kubectl",
    ),
    Setting(
        "hotkey_mode",
        "hold",
        "Hotkey: hold to talk, or press once to start and once to stop",
        choices=("hold", "toggle"),
    ),
    Setting(
        "hotkey_backend",
        "auto",
        "How the hotkey is caught (auto: by desktop session)",
        choices=("auto", "portal", "x11", "keyboard", "none"),
    ),
    Setting(
        "transcript_grace_seconds",
        0,
        "Seconds to cancel or edit what was heard before Harken acts (0: off)",
        minimum=0,
    ),
    Setting("sound_cues", True, "Play a short sound when recording starts and stops"),
    Setting("progress_updates", False, "Say a short progress line when a step takes long"),
    Setting(
        "conversation_mode",
        False,
        "After a spoken reply, listen a few seconds for the next request without the hotkey",
    ),
    Setting(
        "end_silence_ms",
        900,
        "Conversation mode: a pause this long ends a request; speech soon after joins it (ms)",
        minimum=300,
    ),
    Setting("workspace", "", "Folder the agent works in (empty: where Harken was started)"),
    Setting(
        "permission_timeout_seconds",
        300,
        "Seconds a permission question waits before it counts as No (0: no limit)",
        minimum=0,
    ),
    Setting(
        "workspace_memory_dir",
        "",
        "Folder for this project's memory, relative to the repository root (empty: Harken's"
        " data folder)",
    ),
    # Multi-agent (agent/agents/).
    Setting(
        "coordinator",
        False,
        "Coordinator mode: a request is split over parallel workers that research, "
        "implement and verify",
    ),
    # OpenTelemetry (agent/telemetry/): off unless turned on here or by OTEL_* variables.
    Setting("telemetry", False, "Export usage metrics and traces over OTLP (OpenTelemetry)"),
    Setting(
        "telemetry_log_content",
        False,
        "Also export prompts, answers and tool inputs/outputs in traces (keys stay masked)",
    ),
)
_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass
class Config:
    """Effective settings plus the problems found while reading them."""

    values: dict[str, Any] = field(default_factory=lambda: {s.key: s.default for s in SETTINGS})
    problems: list[str] = field(default_factory=list)

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None

    def override(self, **values: Any) -> Config:
        """A copy with ``values`` (``None`` means "not given") validated and applied."""
        merged = Config(dict(self.values), list(self.problems))
        for key, value in values.items():
            if value is None:
                continue
            problem = _check(_BY_KEY[key], value)
            if problem:
                raise ValueError(problem)
            merged.values[key] = value
        return merged


def load_config(path: Path | None = None) -> Config:
    """Read the user's config file; a missing file gives the defaults."""
    path = path or paths.config_file()
    config = Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return config
    except OSError as exc:
        config.problems.append(f"Cannot read {path}: {exc.strerror}; using defaults.")
        return config
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        config.problems.append(f"{path} is not valid TOML ({exc}); using defaults.")
        return config
    for key, value in data.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            config.problems.append(f"{path}: unknown setting {key!r} ignored.")
            continue
        problem = _check(setting, value)
        if problem:
            config.problems.append(f"{path}: {problem}; using {setting.default!r}.")
            continue
        config.values[key] = value
    return config


def _check(setting: Setting, value: Any) -> str:
    expected = type(setting.default)
    if expected is bool and not isinstance(value, bool):
        return f"{setting.key} must be true or false, not {value!r}"
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        return f"{setting.key} must be a whole number, not {value!r}"
    if expected is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"{setting.key} must be a number, not {value!r}"
    if expected is str and not isinstance(value, str):
        return f"{setting.key} must be text, not {value!r}"
    if setting.choices and value not in setting.choices:
        return f"{setting.key} must be one of {', '.join(setting.choices)}, not {value!r}"
    if setting.minimum is not None and value < setting.minimum:
        return f"{setting.key} must be at least {setting.minimum}, not {value!r}"
    return ""
