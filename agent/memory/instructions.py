"""Project instructions: ``AGENTS.md`` and ``CLAUDE.md``, both, from three places.

    $XDG_CONFIG_HOME/harken/AGENTS.md, CLAUDE.md      the user's own, for every folder
    <repository root>/ ... /<workspace>/AGENTS.md ... the project's, outermost first

(outside a repository only the workspace's own). A file the same as one already read (a
``CLAUDE.md`` that links to ``AGENTS.md``) counts once.

A file may import others with ``@path`` (relative to the file, or ``~/...``), outside
code blocks and code spans. Imports go at most 4 hops deep; a cycle, a missing file and
a path outside the workspace, the repository, the user's config folder and the home
folder are reported (a warning, and a line in the prompt) and not followed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from agent import paths
from agent.memory.folders import project_root
from agent.memory.report import warn

FILE_NAMES = ("AGENTS.md", "CLAUDE.md")
MAX_FILE_CHARS = 20_000  # a huge file must not eat the context
MAX_HOPS = 4

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_SPAN = re.compile(r"`[^`\n]*`")
_IMPORT = re.compile(r"(?<![\w@`/])@((?:~/|\.{1,2}/|/)?[\w.~/-]+)")


@dataclass
class Loaded:
    """One instruction file with what it imports, as it goes into the prompt."""

    path: Path
    text: str
    imports: list[tuple[Path, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def render(self, shown: str) -> str:
        """The file's prompt text under the name ``shown``."""
        parts = [self.text.rstrip()]
        for path, text in self.imports:
            parts.append(f"--- imported: {path} ---\n{text.rstrip()}")
        if self.problems:
            parts.append("[Imports not loaded: " + "; ".join(self.problems) + "]")
        return f"Instructions from {shown}:\n\n" + "\n\n".join(parts)


def instruction_files(workspace: Path) -> list[Path]:
    """The instruction files that exist for ``workspace``, in prompt order."""
    folders = [paths.config_dir()]
    real = Path(os.path.realpath(workspace))
    root = project_root(real)
    chain = [real]
    while chain[-1] != root and chain[-1].parent != chain[-1]:
        chain.append(chain[-1].parent)
    folders.extend(reversed(chain))
    found: list[Path] = []
    seen: set[str] = set()
    for folder in folders:
        for name in FILE_NAMES:
            path = folder / name
            if not path.is_file():
                continue
            key = os.path.realpath(path)
            if key in seen:
                continue
            seen.add(key)
            found.append(path)
    return found


def load_instructions(workspace: Path) -> list[Loaded]:
    """Every instruction file for ``workspace`` with its imports (see the module doc)."""
    allowed = _allowed_roots(workspace)
    loaded: list[Loaded] = []
    included: set[str] = set()
    texts: set[str] = set()
    for path in instruction_files(workspace):
        text = _read(path)
        if text is None or text.strip() in texts:
            continue
        texts.add(text.strip())
        entry = Loaded(path, text)
        included.add(os.path.realpath(path))
        _follow(entry, path, text, [os.path.realpath(path)], included, allowed)
        for problem in entry.problems:
            warn(f"{path}: {problem}")
        loaded.append(entry)
    return loaded


def _follow(
    entry: Loaded,
    source: Path,
    text: str,
    chain: list[str],
    included: set[str],
    allowed: list[str],
) -> None:
    for target in import_targets(text):
        path = _resolve(target, source.parent)
        real = os.path.realpath(path)
        if real in chain:
            entry.problems.append(f"@{target} (in {source.name}) imports itself in a cycle")
            continue
        if real in included:
            continue
        if not any(real == root or real.startswith(root + os.sep) for root in allowed):
            entry.problems.append(f"@{target} is outside the workspace and home; not read")
            continue
        if len(chain) > MAX_HOPS:
            entry.problems.append(f"@{target}: imports go at most {MAX_HOPS} levels deep")
            continue
        if not os.path.isfile(real):
            entry.problems.append(f"@{target} (in {source.name}) does not exist")
            continue
        content = _read(Path(real))
        if content is None:
            entry.problems.append(f"@{target} could not be read")
            continue
        included.add(real)
        entry.imports.append((path, content))
        _follow(entry, Path(real), content, [*chain, real], included, allowed)


def import_targets(text: str) -> list[str]:
    """The ``@path`` imports of ``text``, outside code, in order, without repeats."""
    bare = _SPAN.sub("", _FENCE.sub("", text))
    found: list[str] = []
    for match in _IMPORT.finditer(bare):
        target = match.group(1).rstrip(".,;:!?)")
        if ("." in target or "/" in target) and target not in found:
            found.append(target)
    return found


def _resolve(target: str, base: Path) -> Path:
    path = Path(os.path.expanduser(target))
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def _allowed_roots(workspace: Path) -> list[str]:
    real = os.path.realpath(workspace)
    roots = {real, str(project_root(Path(real))), os.path.realpath(paths.config_dir())}
    roots.add(os.path.realpath(Path.home()))
    return sorted(r.rstrip(os.sep) or os.sep for r in roots)


def _read(path: Path) -> str | None:
    try:
        content = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        warn(f"cannot read {path}: {exc.strerror or exc}")
        return None
    if len(content) > MAX_FILE_CHARS:
        content = content[:MAX_FILE_CHARS] + "\n[... truncated ...]"
    return content
