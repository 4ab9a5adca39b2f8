"""The artifact gate: a release fails when a wheel or sdist holds what must not ship.

    python packaging/check_artifacts.py dist/*.whl dist/*.tar.gz [--source .]

It opens each archive and names every offending file: source maps, tests, caches, editor
and VCS folders, ``.env`` files, private keys, anything that looks like an Anthropic API
key, model weights, files over the size budget; and, when ``--source`` is given, every
module, icon and prompt of the source tree that the wheel lacks. Exit status 1 on any
finding, 0 when the archives are clean.
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PACKAGES = ("agent", "audio", "desktop", "resources")
FILE_BUDGET = 2 * 1024 * 1024  # bytes; the largest legitimate file is an icon or a prompt
ARCHIVE_BUDGET = 8 * 1024 * 1024

CACHE_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis"}
VCS_EDITOR_PARTS = {".git", ".hg", ".svn", ".vscode", ".idea", ".venv", "node_modules"}
TEST_PARTS = {"tests", "test", "testing"}
WEIGHT_SUFFIXES = {
    ".bin",
    ".safetensors",
    ".pt",
    ".pth",
    ".onnx",
    ".ckpt",
    ".gguf",
    ".h5",
    ".tflite",
    ".pb",
}
KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}
KEY_SUFFIXES = {".pem", ".key", ".p12", ".pfx"}
API_KEY = re.compile(rb"sk-ant-[A-Za-z0-9_\-]{20,}")
PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")


@dataclass(frozen=True)
class Member:
    name: str  # path inside the archive, with the sdist's top folder removed
    data: bytes


def wheel_members(path: Path) -> Iterator[Member]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.is_dir():
                yield Member(info.filename, archive.read(info))


def sdist_members(path: Path) -> Iterator[Member]:
    with tarfile.open(path) as archive:
        for info in archive.getmembers():
            if not info.isfile():
                continue
            name = info.name.split("/", 1)[1] if "/" in info.name else info.name
            handle = archive.extractfile(info)
            yield Member(name, handle.read() if handle else b"")


def offences(member: Member) -> list[str]:
    """Why ``member`` must not ship (empty when it may)."""
    path = PurePosixPath(member.name)
    parts = set(path.parts[:-1])
    name = path.name
    found = []
    if name.endswith(".map"):
        found.append("source map")
    if (
        parts & TEST_PARTS
        or name.startswith("test_")
        or name.endswith("_test.py")
        or (name == "conftest.py")
    ):
        found.append("test code")
    if parts & CACHE_PARTS or name.endswith((".pyc", ".pyo")):
        found.append("cache")
    if parts & VCS_EDITOR_PARTS or name in {".DS_Store"} or name.endswith((".swp", "~")):
        found.append("editor or VCS file")
    if name == ".env" or name.startswith(".env."):
        found.append(".env file")
    if name in KEY_NAMES or path.suffix in KEY_SUFFIXES or PRIVATE_KEY.search(member.data):
        found.append("private key")
    if API_KEY.search(member.data):
        found.append("looks like an API key (sk-ant-...)")
    if path.suffix in WEIGHT_SUFFIXES:
        found.append("model weights")
    if len(member.data) > FILE_BUDGET:
        found.append(f"{len(member.data):,} bytes, over the {FILE_BUDGET:,}-byte budget")
    return found


def wheel_strays(member: Member) -> str:
    """The wheel holds the four packages and its metadata, and nothing else."""
    top = PurePosixPath(member.name).parts[0]
    if top in PACKAGES or top.endswith(".dist-info"):
        return ""
    return "not part of Harken's packages"


def required_files(source: Path) -> set[str]:
    """What the wheel must hold: every module of the packages and every resource."""
    required = set()
    for package in PACKAGES:
        for path in (source / package).rglob("*"):
            if not path.is_file() or offences(Member(str(path), b"")):
                continue
            relative = path.relative_to(source).as_posix()
            if package == "resources" or path.suffix == ".py":
                required.add(relative)
    return required


def check(archives: list[Path], source: Path | None) -> list[str]:
    """Every finding as ``archive: member: why``."""
    findings = []
    for archive in archives:
        is_wheel = archive.suffix == ".whl"
        members = list(wheel_members(archive) if is_wheel else sdist_members(archive))
        total = 0
        for member in members:
            total += len(member.data)
            why = offences(member)
            if is_wheel and (stray := wheel_strays(member)):
                why.append(stray)
            findings += [f"{archive.name}: {member.name}: {reason}" for reason in why]
        if total > ARCHIVE_BUDGET:
            findings.append(f"{archive.name}: {total:,} bytes in all, over {ARCHIVE_BUDGET:,}")
        if source is not None:
            present = {m.name for m in members}
            for missing in sorted(required_files(source) - present):
                findings.append(f"{archive.name}: {missing}: missing")
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archives", nargs="+", type=Path, help="wheel and sdist files")
    parser.add_argument("--source", type=Path, help="the source tree, to find missing files")
    args = parser.parse_args(argv)
    findings = check(args.archives, args.source)
    for line in findings:
        print(line)
    if findings:
        print(f"artifact gate: {len(findings)} problem(s)", file=sys.stderr)
        return 1
    names = ", ".join(a.name for a in args.archives)
    print(f"artifact gate: {names} clean", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
