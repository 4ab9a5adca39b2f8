"""Searching file contents: ripgrep and a pure Python walk, with one result shape.

    Query          what to search for, where, and how (independent of the back end)
    FileHits       one file's matching and context lines
    search_rg      runs ripgrep (``--json`` for lines, so the output is parsed, not guessed)
    search_python  the same with ``re``, for machines without ripgrep

Both honour ``.gitignore``, skip ``.git`` and binary files, and list absolute paths.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from agent.tools.base import ToolError
from agent.tools.files import split_lines
from agent.tools.walk import SKIP_DIRS, GlobFilter, walk_files

RG_TIMEOUT_S = 60
MAX_FILE_BYTES = 50 * 1024 * 1024  # the Python back end skips larger files

# File types for the Python back end: the common ones of ripgrep's ``--type`` list.
FILE_TYPES: dict[str, tuple[str, ...]] = {
    "c": ("*.c", "*.h"),
    "cpp": ("*.cpp", "*.cc", "*.cxx", "*.c++", "*.hpp", "*.hh", "*.hxx", "*.h", "*.inl"),
    "cs": ("*.cs",),
    "css": ("*.css", "*.scss"),
    "go": ("*.go",),
    "html": ("*.html", "*.htm", "*.xhtml"),
    "java": ("*.java",),
    "js": ("*.js", "*.jsx", "*.mjs", "*.cjs", "*.vue"),
    "json": ("*.json",),
    "kotlin": ("*.kt", "*.kts"),
    "lua": ("*.lua",),
    "md": ("*.md", "*.markdown", "*.mdx"),
    "markdown": ("*.md", "*.markdown", "*.mdx"),
    "php": ("*.php",),
    "py": ("*.py", "*.pyi"),
    "ruby": ("*.rb", "*.gemspec", "Gemfile", "Rakefile"),
    "rust": ("*.rs",),
    "sh": ("*.sh", "*.bash", "*.zsh", ".bashrc", ".zshrc", ".profile"),
    "sql": ("*.sql",),
    "swift": ("*.swift",),
    "toml": ("*.toml",),
    "ts": ("*.ts", "*.tsx", "*.cts", "*.mts"),
    "txt": ("*.txt",),
    "xml": ("*.xml",),
    "yaml": ("*.yaml", "*.yml"),
}


@dataclass(frozen=True)
class Query:
    """A search, independent of the back end that runs it."""

    pattern: str
    target: Path
    top: Path  # the folder whose .gitignore files apply (the workspace, when inside it)
    mode: str = "files_with_matches"
    glob: str | None = None
    type: str | None = None
    ignore_case: bool = False
    before: int = 0
    after: int = 0
    multiline: bool = False


@dataclass
class FileHits:
    """One file's matching lines (and context lines) in order."""

    path: Path
    count: int = 0
    lines: dict[int, tuple[str, bool]] = field(default_factory=dict)  # number: text, match

    def add(self, number: int, text: str, is_match: bool) -> None:
        """Record a line; a match beats a context line of the same number."""
        if is_match or number not in self.lines:
            self.lines[number] = (text.rstrip("\r\n"), is_match)


async def search_rg(query: Query, rg: str = "rg") -> list[FileHits]:
    """Run ripgrep; it honours .gitignore itself (even outside a git repository)."""
    args = [rg, "--no-config", "--hidden", "--no-require-git", "--color", "never"]
    args.append("--no-messages")  # unreadable files are skipped, as in Python
    for name in sorted(SKIP_DIRS):
        args += ["--glob", f"!{name}"]
    if query.glob:
        args += ["--glob", query.glob]
    if query.type:
        args += ["--type", query.type]
    if query.ignore_case:
        args.append("--ignore-case")
    if query.multiline:
        args += ["--multiline", "--multiline-dotall"]
    if query.mode == "files_with_matches":
        args += ["--files-with-matches", "--null"]
    elif query.mode == "count":
        args += ["--count", "--null", "--with-filename"]
    else:
        args += ["--json", f"--before-context={query.before}", f"--after-context={query.after}"]
    args += ["--regexp", query.pattern, "--", str(query.target)]

    # ripgrep anchors globs with a slash ("src/**") at its working directory.
    cwd = query.target if query.target.is_dir() else query.target.parent
    proc = await asyncio.create_subprocess_exec(
        *args,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), RG_TIMEOUT_S)
    except TimeoutError:
        raise ToolError(
            f"The search took over {RG_TIMEOUT_S}s; narrow it with path, glob or type."
        ) from None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode == 2 and not stdout:
        message = stderr.decode("utf-8", errors="replace").strip()
        raise ToolError(f"ripgrep failed: {message or 'exit code 2'}")
    text = stdout.decode("utf-8", errors="surrogateescape")
    if query.mode == "files_with_matches":
        return [FileHits(Path(p), 1) for p in text.split("\0") if p.strip("\n")]
    if query.mode == "count":
        return _parse_counts(text)
    return _parse_json(text)


def _parse_counts(text: str) -> list[FileHits]:
    hits = []
    for row in text.splitlines():
        path, _, count = row.rpartition("\0")
        if path:
            hits.append(FileHits(Path(path), int(count)))
    return hits


def _parse_json(text: str) -> list[FileHits]:
    files: dict[str, FileHits] = {}
    for row in text.splitlines():
        event = json.loads(row)
        kind = event.get("type")
        if kind not in ("match", "context"):
            continue
        data = event["data"]
        path = _json_text(data["path"])
        hit = files.setdefault(path, FileHits(Path(path)))
        is_match = kind == "match"
        hit.count += is_match
        # A multiline match spans several lines; each is shown as a match.
        for offset, line in enumerate(split_lines(_json_text(data["lines"]))):
            hit.add(data["line_number"] + offset, line, is_match)
    return list(files.values())


def _json_text(value: dict[str, str]) -> str:
    if "text" in value:
        return value["text"]
    return base64.b64decode(value["bytes"]).decode("utf-8", errors="replace")


def search_python(query: Query) -> list[FileHits]:
    """The same search with ``re``: for machines without ripgrep."""
    flags = re.IGNORECASE if query.ignore_case else 0
    if query.multiline:
        flags |= re.MULTILINE | re.DOTALL
    try:
        regex = re.compile(query.pattern, flags)
    except re.error as exc:
        raise ToolError(f"Invalid regular expression {query.pattern!r}: {exc}") from None
    hits = []
    for path in _candidates(query):
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if b"\0" in data:
            continue  # binary, as ripgrep judges it
        hit = _search_text(regex, data.decode("utf-8", errors="replace"), path, query)
        if hit is not None:
            hits.append(hit)
    return hits


def _candidates(query: Query) -> list[Path]:
    if query.target.is_file():
        return [query.target]  # a file named outright is searched, like ripgrep does
    filters = []
    if query.glob:
        filters.append(GlobFilter.parse(query.glob))
    if query.type:
        if query.type not in FILE_TYPES:
            known = ", ".join(sorted(FILE_TYPES))
            raise ToolError(f"Unknown file type {query.type!r}. Known types: {known}.")
        filters.append(tuple(GlobFilter.parse(g) for g in FILE_TYPES[query.type]))
    found = []
    for path in walk_files(query.target, top=query.top):
        rel = path.relative_to(query.target).as_posix()
        if all(_passes(f, rel) for f in filters):
            found.append(path)
    return found


def _passes(rule: GlobFilter | tuple[GlobFilter, ...], rel: str) -> bool:
    if isinstance(rule, tuple):
        return any(r.matches(rel) for r in rule)
    return rule.matches(rel) != rule.negate


def _search_text(regex: re.Pattern[str], text: str, path: Path, query: Query) -> FileHits | None:
    lines = split_lines(text)
    if query.multiline:
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        matched: set[int] = set()
        for m in regex.finditer(text):
            first = _line_of(starts, m.start())
            last = _line_of(starts, max(m.start(), m.end() - 1))
            matched.update(range(first, last + 1))
        numbers = sorted(n for n in matched if n < len(lines))
    else:
        numbers = [i for i, line in enumerate(lines) if regex.search(line)]
    if not numbers:
        return None
    hit = FileHits(path, count=len(numbers))
    if query.mode != "content":
        return hit
    for i in numbers:
        for j in range(max(0, i - query.before), min(len(lines), i + query.after + 1)):
            hit.add(j + 1, lines[j], j == i)
    return hit


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:  # the last line start at or before offset
        mid = (low + high + 1) // 2
        if starts[mid] <= offset:
            low = mid
        else:
            high = mid - 1
    return low
