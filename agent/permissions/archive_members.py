"""Where an extracted archive's members land, as far as the archive can be read now.

``tar -xf pkg.tar`` writes whatever names the archive holds: ``.git/hooks/pre-commit``
or ``.vscode/tasks.json`` among them. The command line shows only the folder, so the
archive itself is listed (tar with gzip, bzip2 or xz, and zip), and the members that
could be protected are judged as writes of their own. Every tail of a member's path
counts (``pkg/.git/hooks/x`` lands at ``.git/hooks/x`` under ``--strip-components=1`` or
``unzip -j``). An archive that does not exist yet, or cannot be read here, is left to the
sandbox, which keeps protected paths read-only whatever the names.
"""

from __future__ import annotations

import posixpath
import tarfile
import zipfile
from pathlib import Path

EXTRACTORS = frozenset({"tar", "gtar", "bsdtar", "unzip"})
MEMBER_LIMIT = 20_000  # members listed per archive; a bigger one is judged by what was seen
CANDIDATE_LIMIT = 200  # member paths judged as writes per archive
# Only a path through a dot-name can be protected below an ordinary folder (.git,
# .gitmodules, .vscode, .envrc, .husky ...); extracting into a git folder itself is a
# write of that folder, judged already.


def extracted(argv: tuple[str, ...], reads: list[Path], folders: list[Path]) -> list[Path]:
    """The paths the command ``argv`` may write by extracting an archive, that need
    judging: for each archive in ``reads`` that can be listed, its members through a
    dot-name under each of ``folders`` (the folders it extracts into)."""
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    if program not in EXTRACTORS or not _extracts(program, argv[1:]):
        return []
    found: list[Path] = []
    for archive in reads:
        names = _members(archive)
        tails = _suspicious(names)
        for folder in folders:
            found += [folder / tail for tail in tails]
    return found


def _extracts(program: str, args: tuple[str, ...]) -> bool:
    """Whether the command extracts (``tar -c`` reads an archive it packs, too)."""
    if program == "unzip":
        return True
    for k, arg in enumerate(args):
        if arg in ("--extract", "--get"):
            return True
        cluster = arg[1:] if arg.startswith("-") and not arg.startswith("--") else ""
        if "x" in cluster or (k == 0 and not arg.startswith("-") and "x" in arg):
            return True
    return False


def _members(archive: Path) -> list[str]:
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                return [info.filename for info in z.infolist()[:MEMBER_LIMIT]]
        if tarfile.is_tarfile(archive):
            names = []
            with tarfile.open(archive) as t:
                for member in t:
                    names.append(member.name)
                    if len(names) >= MEMBER_LIMIT:
                        break
            return names
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError, ValueError):
        return []
    return []


def _suspicious(names: list[str]) -> list[str]:
    tails: dict[str, None] = {}
    for name in names:
        parts = [p for p in posixpath.normpath("/" + name).split("/") if p]
        for i in range(len(parts)):
            tail = parts[i:]
            if any(p.startswith(".") for p in tail):
                tails["/".join(tail)] = None
                if len(tails) >= CANDIDATE_LIMIT:
                    return list(tails)
    return list(tails)
