"""Reading one SKILL.md: YAML-style front matter (``name``, ``description``) and a body.

Only the small subset of YAML that skills use is read: ``key: value`` lines, quoted
values, and folded (``>``) or literal (``|``) blocks and indented continuation lines;
other keys (``license``, ``allowed-tools``, ``metadata`` ...) are kept as text and not
acted on. A file that cannot be used raises ``SkillError`` with one line saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_DESCRIPTION = 1024
MAX_BYTES = 256 * 1024  # a SKILL.md longer than this is not a skill but a mistake


class SkillError(ValueError):
    """A SKILL.md that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Skill:
    """One skill: its ``folder`` holds SKILL.md and any scripts and files it uses."""

    name: str
    description: str
    body: str
    folder: Path
    source: str  # "user" or "project"

    @property
    def path(self) -> Path:
        return self.folder / "SKILL.md"


def read_skill(folder: Path, source: str) -> Skill:
    """The skill in ``folder``; raises ``SkillError`` when its SKILL.md is unusable."""
    path = folder / "SKILL.md"
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SkillError(f"{path}: larger than {MAX_BYTES // 1024} KiB")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SkillError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise SkillError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    meta, body = split_front_matter(text, path)
    name = meta.get("name", "").strip()
    description = " ".join(meta.get("description", "").split())
    if not name:
        raise SkillError(f"{path}: the front matter has no name")
    if not NAME.fullmatch(name):
        raise SkillError(
            f"{path}: the name {name!r} must be lowercase letters, digits and hyphens (at most 64)"
        )
    if name != folder.name:
        # The Agent Skills spec requires it; a mismatch is a copied or renamed folder, and
        # which name to trust would be a guess.
        raise SkillError(
            f"{path}: skipped: the name {name!r} does not match its folder {folder.name!r}"
        )
    if not description:
        raise SkillError(f"{path}: the front matter has no description")
    if len(description) > MAX_DESCRIPTION:
        raise SkillError(f"{path}: the description is longer than {MAX_DESCRIPTION} characters")
    return Skill(name, description, body.strip(), folder, source)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, str], str]:
    """The front matter's keys and the body after it."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise SkillError(f"{path}: no front matter (it must start with a --- line)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise SkillError(f"{path}: the front matter is not closed with a --- line") from None
    return _parse(lines[1:end], path), "\n".join(lines[end + 1 :])


def _parse(lines: list[str], path: Path) -> dict[str, str]:
    meta: dict[str, str] = {}
    key = ""
    style = ""  # ">" folded, "|" literal, "" plain continuation
    parts: list[str] = []

    def close() -> None:
        if key:
            joiner = "\n" if style == "|" else " "
            meta[key] = joiner.join(p.strip() for p in parts if p.strip()).strip()

    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[:1] in (" ", "\t"):
            if not key:
                raise SkillError(f"{path}: an indented line before any key: {line.strip()!r}")
            parts.append(line)
            continue
        match = re.match(r"([A-Za-z0-9_-]+)\s*:(.*)$", line)
        if not match:
            raise SkillError(f"{path}: cannot read the front matter line {line.strip()!r}")
        close()
        key, value = match.group(1), match.group(2).strip()
        style = value[0] if value[:1] in (">", "|") else ""
        parts = [] if style else [_unquote(value)]
    close()
    return meta


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
