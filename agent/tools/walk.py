"""Walking a folder as ripgrep does: skip ``.git`` and what ``.gitignore`` files ignore.

    glob_regex   a glob (``**``, ``*``, ``?``, ``[...]``, ``{a,b}``) as a regular expression
    GlobFilter   ripgrep's ``--glob`` rule: no slash matches the name, a slash the path
    walk_files   every file under a folder, hidden ones included, ignored ones left out

The ``.gitignore`` support covers the common rules (names, ``dir/``, anchored paths,
``**``, ``!`` negation) in the walked folders; global excludes are not read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".hg", ".svn"})


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob for ``/``-separated relative paths; ``*`` stays within a folder."""
    return re.compile(_translate(pattern) + r"\Z", re.DOTALL)


def _translate(pat: str) -> str:
    out: list[str] = []
    braces = 0
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if pat.startswith("**", i):
            j = i + 2
            at_start = i == 0 or pat[i - 1] == "/"
            if at_start and j < n and pat[j] == "/":
                out.append(r"(?:[^/]*/)*")  # "**/": zero or more folders
                j += 1
            elif at_start and j == n:
                out.append(r".*")
            else:
                out.append(r"[^/]*")
            i = j
            continue
        if c == "*":
            out.append(r"[^/]*")
        elif c == "?":
            out.append(r"[^/]")
        elif c == "[":
            # A "]" right after "[" or "[!" is a literal member of the set.
            j = pat.find("]", i + 3 if pat[i + 1 : i + 2] in ("!", "^") else i + 2)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = pat[i + 1 : j]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        elif c == "{":
            braces += 1
            out.append("(?:")
        elif c == "}" and braces:
            braces -= 1
            out.append(")")
        elif c == "," and braces:
            out.append("|")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pat[i]))
        else:
            out.append(re.escape(c))
        i += 1
    out.extend(")" * braces)
    return "".join(out)


@dataclass(frozen=True)
class GlobFilter:
    """A gitignore-style glob: with no slash it matches a name at any depth."""

    regex: re.Pattern[str]
    anchored: bool
    negate: bool = False
    dir_only: bool = False

    @classmethod
    def parse(cls, pattern: str) -> GlobFilter:
        """Parse one pattern (``!`` negates, a trailing ``/`` means folders only)."""
        negate = pattern.startswith("!")
        if negate:
            pattern = pattern[1:]
        dir_only = pattern.endswith("/")
        pattern = pattern.rstrip("/")
        anchored = "/" in pattern
        pattern = pattern.lstrip("/")
        return cls(glob_regex(pattern), anchored, negate, dir_only)

    def matches(self, rel: str, is_dir: bool = False) -> bool:
        """Whether the ``/``-separated relative path ``rel`` matches (ignoring ``!``)."""
        if self.dir_only and not is_dir:
            return False
        subject = rel if self.anchored else rel.rsplit("/", 1)[-1]
        return self.regex.match(subject) is not None


@dataclass(frozen=True)
class _IgnoreRules:
    base: str  # folder of the .gitignore, relative to the walk's root ("" for the root)
    rules: tuple[GlobFilter, ...]


def _load_gitignore(folder: Path, base: str) -> _IgnoreRules | None:
    try:
        text = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    rules = []
    for line in text.splitlines():
        line = line.rstrip()
        if line and not line.startswith("#"):
            rules.append(GlobFilter.parse(line))
    return _IgnoreRules(base, tuple(rules)) if rules else None


def _ignored(stack: list[_IgnoreRules], rel: str, is_dir: bool) -> bool:
    ignored = False
    for scope in stack:
        sub = rel[len(scope.base) + 1 :] if scope.base else rel
        for rule in scope.rules:
            if rule.matches(sub, is_dir):
                ignored = not rule.negate  # the last matching rule wins
    return ignored


def walk_files(root: Path, *, gitignore: bool = True, top: Path | None = None) -> Iterator[Path]:
    """Files under ``root`` in a stable order; ``.git`` and ignored paths left out.

    ``top``, a folder above ``root``, also lends its ``.gitignore`` files (and those of
    the folders between) to the walk, as a repository's root does for its subfolders.
    """
    if top is None or not root.is_relative_to(top):
        top = root

    def rel(path: Path | str) -> str:
        text = os.path.relpath(path, top).replace(os.sep, "/")
        return "" if text == "." else text

    first: list[_IgnoreRules] = []
    folder = top
    for part in root.relative_to(top).parts if gitignore else ():
        rules = _load_gitignore(folder, rel(folder))
        if rules:
            first.append(rules)
        folder = folder / part
    stacks: dict[str, list[_IgnoreRules]] = {rel(root): first}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = rel(dirpath)
        stack = list(stacks.pop(rel_dir, []))
        if gitignore and ".gitignore" in filenames:
            rules = _load_gitignore(Path(dirpath), rel_dir)
            if rules:
                stack.append(rules)
        prefix = rel_dir + "/" if rel_dir else ""
        kept = []
        for name in sorted(dirnames):
            if name in SKIP_DIRS or (gitignore and _ignored(stack, prefix + name, True)):
                continue
            kept.append(name)
            stacks[prefix + name] = stack
        dirnames[:] = kept
        for name in sorted(filenames):
            if not (gitignore and _ignored(stack, prefix + name, False)):
                yield Path(dirpath, name)
