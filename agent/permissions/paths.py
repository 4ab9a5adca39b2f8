"""Where a path really points, and whether that is inside the workspace.

Paths are resolved the way the operating system will follow them: ``~`` expanded,
relative to the command's folder, ``..`` applied, and symlinks followed as far as the path
exists (a link inside the workspace that points outside is outside). Containment is
decided with ``os.path.commonpath``: ``/home/u/proj-evil`` is not inside ``/home/u/proj``.
"""

from __future__ import annotations

import os
from pathlib import Path


def resolve(raw: str, cwd: Path) -> Path:
    """The absolute, symlink-resolved form of ``raw`` as seen from ``cwd``."""
    path = os.path.expanduser(raw)
    if not os.path.isabs(path):
        path = os.path.join(cwd, path)
    # realpath follows every symlink that exists and keeps a non-existent tail as written.
    return Path(os.path.realpath(path))


def is_inside(path: Path, root: Path) -> bool:
    """Whether resolved ``path`` is ``root`` or below it (``root`` resolved too)."""
    root_real = os.path.realpath(root)
    try:
        return os.path.commonpath([root_real, str(path)]) == root_real
    except ValueError:  # different drives on Windows
        return False
