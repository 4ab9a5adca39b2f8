"""The artifact gate on real archives: clean ones pass, each planted offender is named."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GATE = ROOT / "packaging" / "check_artifacts.py"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A wheel and an sdist built from this checkout, once per test run."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


def gate(*archives: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GATE), *map(str, archives), "--source", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def with_extra_wheel_file(wheel: Path, tmp: Path, name: str, data: bytes) -> Path:
    planted = tmp / wheel.name
    shutil.copy(wheel, planted)
    with zipfile.ZipFile(planted, "a") as archive:
        archive.writestr(name, data)
    return planted


def without_wheel_file(wheel: Path, tmp: Path, name: str) -> Path:
    planted = tmp / wheel.name
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(planted, "w") as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info))
    return planted


def with_extra_sdist_file(sdist: Path, tmp: Path, name: str, data: bytes) -> Path:
    planted = tmp / sdist.name
    with tarfile.open(sdist) as src, tarfile.open(planted, "w:gz") as dst:
        top = src.getmembers()[0].name.split("/")[0]
        for info in src.getmembers():
            dst.addfile(info, src.extractfile(info) if info.isfile() else None)
        info = tarfile.TarInfo(f"{top}/{name}")
        info.size = len(data)
        dst.addfile(info, io.BytesIO(data))
    return planted


def test_the_real_archives_are_clean(built: dict[str, Path]) -> None:
    result = gate(built["wheel"], built["sdist"])
    assert result.returncode == 0, result.stdout
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = wheel.namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops - {"agent", "audio", "desktop", "resources"} == {"harken-0.1.0.dist-info"}
    assert "resources/prompts/system.md" in names and "resources/icons/harken.svg" in names


FAKE_KEY = b"ANTHROPIC_API_KEY=sk-ant-api03-" + b"A" * 40
PEM = b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("desktop/app.js.map", b"{}", "source map"),
        ("tests/test_leak.py", b"", "test code"),
        ("agent/__pycache__/session.cpython-311.pyc", b"", "cache"),
        ("agent/.pytest_cache/v/cache", b"", "cache"),
        ("desktop/.vscode/settings.json", b"{}", "editor or VCS file"),
        ("agent/.git/config", b"", "editor or VCS file"),
        ("resources/.env", b"X=1", ".env file"),
        ("resources/id_ed25519", PEM, "private key"),
        ("resources/notes.txt", FAKE_KEY, "looks like an API key"),
        ("resources/model.bin", b"\0" * 16, "model weights"),
        ("resources/huge.png", b"\0" * (3 * 1024 * 1024), "over the"),
    ],
)
@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_each_planted_offender_is_named(
    built: dict[str, Path], tmp_path: Path, kind: str, name: str, data: bytes, why: str
) -> None:
    plant: Callable[..., Path] = with_extra_wheel_file if kind == "wheel" else with_extra_sdist_file
    planted = plant(built[kind], tmp_path, name, data)
    result = gate(planted)
    assert result.returncode == 1
    named = [
        line for line in result.stdout.splitlines() if line.startswith(f"{planted.name}: {name}: ")
    ]
    assert any(why in line for line in named), result.stdout


def test_a_stray_top_level_file_in_the_wheel_is_named(
    built: dict[str, Path], tmp_path: Path
) -> None:
    planted = with_extra_wheel_file(built["wheel"], tmp_path, "benchmarks/agent_loop.py", b"")
    result = gate(planted)
    assert "benchmarks/agent_loop.py: not part of Harken's packages" in result.stdout


@pytest.mark.parametrize(
    "name", ["agent/session.py", "resources/icons/harken-48.png", "resources/prompts/system.md"]
)
def test_a_missing_module_icon_or_prompt_is_named(
    built: dict[str, Path], tmp_path: Path, name: str
) -> None:
    planted = without_wheel_file(built["wheel"], tmp_path, name)
    result = gate(planted)
    assert result.returncode == 1
    assert f"{planted.name}: {name}: missing" in result.stdout
