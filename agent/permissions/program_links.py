"""Where copies, moves and links land, and what a new link points to.

``cp -r x/.git .`` writes ``./.git``: into a folder, a source lands under its own name,
so that name is judged too (whether DEST is a folder is not known before it runs; the
extra name matters only when it is protected).

What a new link points to counts as written.

A hard link is the same file under another name, and a write through a symbolic link
made earlier in the same command lands where it points (``ln -s .git/hooks h && echo x >
h/pre-commit``). So ``ln``, ``cp -l`` and ``cp -s`` write their sources too, and a link
to a protected path is asked about like a write to it.
"""

from __future__ import annotations

import posixpath

from agent.permissions.program_args import Arg, Judgement, Options


def linked(name: str, opts: Options, j: Judgement) -> None:
    """What a new link points to counts as written: a hard link is the same file, and a
    write through a symbolic link made earlier in the command lands where it points
    (``ln -s .git/hooks h && echo x > h/pre-commit``)."""
    symbolic = opts.has("-s", "--symbolic") if name in ("ln", "cp") else False
    if name == "cp" and not (symbolic or opts.has("-l", "--link")):
        return
    if name not in ("ln", "cp"):
        return
    operands = list(opts.operands)
    targets = opts.values("-t", "--target-directory")
    sources = operands if targets or len(operands) == 1 else operands[:-1]
    # A relative symbolic link's text is read from the folder the link is made in.
    folder = targets[0].text if targets else operands[-1].text if len(operands) > 1 else "."
    into_folder = folder.endswith("/") or bool(targets) or len(sources) > 1
    for source in sources:
        if not symbolic or source.dynamic or posixpath.isabs(source.text):
            j.write(source)
            continue
        if not into_folder:  # FOLDER may be the link's own name, or a folder: both count
            j.write(posixpath.join(posixpath.dirname(folder), source.text))
        j.write(posixpath.join(folder, source.text))


def landed(sources: list[Arg], destinations: list[Arg], j: Judgement) -> None:
    """DEST/NAME for each source NAME copied, moved or linked into DEST (a folder)."""
    for dest in destinations:
        if dest.dynamic:
            continue
        for source in sources:
            name = posixpath.basename(source.text.rstrip("/"))
            if not source.dynamic and name not in ("", ".", ".."):
                j.write(posixpath.join(dest.text, name))
