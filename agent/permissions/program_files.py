"""Rules for programs that change files in ways a table cannot say: which operand is the
destination (cp, ln, mv), what a compressor writes, and when a removal or a permission
change sweeps the root or a home folder. What a program does beyond its own behaviour
(``install --strip-program``) is an escalation, which an allow rule for the program alone
does not approve. Archivers live in ``program_archives``; programs that mostly read (uniq,
jq, less) in ``program_readers``.

Each rule is ``rule(name, args, judgement)``; ``RULES`` maps program names to them.
"""

from __future__ import annotations

import posixpath
import re

from agent.permissions.program_args import (
    TMP,
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    Rule,
    is_raw_disk,
    may_be_option,
    may_sweep,
    split,
)
from agent.permissions.program_links import landed, linked

R, W, X = Effect.READ, Effect.WRITE, Effect.EXECUTE


def _sweeps(args: list[Arg], j: Judgement) -> bool:
    return any(may_sweep(a, j.cwd) for a in args)


def judge_rm(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args)
    j.raise_to(W, "removes files")
    j.write(*opts.operands)
    recursive = opts.has("-r", "-R", "--recursive") or opts.dynamic
    if opts.has("--no-preserve-root") or (recursive and _sweeps(list(opts.operands), j)):
        j.catastrophic = True
        j.reason = "removes the root, a home folder or a system folder"


def judge_mv(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "tS", ("--target-directory", "--suffix"))
    j.raise_to(W, "moves files")
    targets = opts.values("-t", "--target-directory")
    j.write(*targets, *opts.operands)
    sources = list(opts.operands) if targets else list(opts.operands[:-1])
    landed(sources, targets or opts.operands[-1:], j)
    if _sweeps(sources, j):
        j.catastrophic = True
        j.reason = "moves the root, a home folder or a system folder"


def judge_copy(name: str, args: list[Arg], j: Judgement) -> None:
    """cp, install and ln: the last operand (or -t DIR) is written, the others read."""
    short = "tSmogZ" if name == "install" else "tS"
    opts = split(args, short, ("--target-directory", "--suffix", "--mode", "--owner", "--group"))
    j.raise_to(W, {"ln": "creates links", "install": "installs files"}.get(name, "copies files"))
    for word, value in opts.found("--strip-program"):
        j.escalate(X, "install --strip-program runs a program", word, value)
    operands = list(opts.operands)
    targets = opts.values("-t", "--target-directory")
    if name == "install" and opts.has("-d", "--directory"):
        j.write(*operands)
    elif targets:
        j.write(*targets)
        j.read(*operands)
        landed(operands, targets, j)
    elif name == "ln" and len(operands) == 1 and not operands[0].dynamic:
        j.write(posixpath.basename(operands[0].text.rstrip("/")) or ".")
    elif operands:
        j.write(operands[-1])
        j.read(*operands[:-1])
        landed(operands[:-1], operands[-1:], j)
    if opts.dynamic:
        j.write(UNKNOWN)
    linked(name, opts, j)


def judge_chmod(name: str, args: list[Arg], j: Judgement) -> None:
    """chmod, chown, chgrp: the first operand is the mode or owner unless --reference."""
    operands: list[Arg] = []
    recursive = reference = no_preserve = dynamic = False
    options_done = False
    for arg in args:
        text = arg.text
        if may_be_option(arg) and not options_done:
            dynamic = True
            operands.append(arg)
        elif options_done or not text.startswith("-") or text == "-":
            operands.append(arg)
        elif text == "--":
            options_done = True
        elif text.startswith("--"):
            recursive = recursive or text == "--recursive"
            reference = reference or text.startswith("--reference")
            no_preserve = no_preserve or text == "--no-preserve-root"
        elif name == "chmod" and not set(text[1:]) <= set("cfvRHLP"):
            operands.append(arg)  # a mode such as -w or -rwx
        else:
            recursive = recursive or "R" in text
    targets = operands if reference else operands[1:]
    j.raise_to(W, "changes permissions" if name == "chmod" else "changes owners")
    j.write(*targets)
    if dynamic:
        j.write(UNKNOWN)
    if no_preserve or ((recursive or dynamic) and _sweeps(targets, j)):
        j.catastrophic = True
        j.reason = f"{name} -R of the root, a home folder or a system folder"


def judge_dd(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(R, "copies data")
    for arg in args:
        if arg.dynamic:
            j.raise_to(W, "dd has arguments known only at run time")
            j.write(UNKNOWN)
        elif arg.text.startswith("if="):
            j.read(arg.text[3:])
        elif arg.text.startswith("of="):
            j.raise_to(W, f"dd writes {arg.text[3:]}")
            j.write(arg.text[3:])


_COMPRESS = {
    "gzip": ".gz",
    "pigz": ".gz",
    "bzip2": ".bz2",
    "xz": ".xz",
    "lzma": ".lzma",
    "zstd": ".zst",
    "lz4": ".lz4",
    "compress": ".Z",
    "brotli": ".br",
    "lzip": ".lz",
}
_DECOMPRESS = {
    "gunzip": "gzip",
    "unpigz": "pigz",
    "bunzip2": "bzip2",
    "unxz": "xz",
    "unlzma": "lzma",
    "unzstd": "zstd",
    "unlz4": "lz4",
    "uncompress": "compress",
}
_SUFFIXES = re.compile(r"\.(gz|tgz|z|bz2|tbz2?|xz|txz|lzma|zst|lz4|Z|br|lz)$")


def judge_compress(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "So", ("--suffix", "--output"))
    operands = list(opts.operands)
    if opts.has("-c", "--stdout", "--to-stdout", "-l", "--list", "-t", "--test") or not operands:
        j.raise_to(R, "reads compressed files")
        j.read(*operands)
        return
    j.raise_to(W, "compresses or decompresses files in place")
    decompress = name in _DECOMPRESS or opts.has("-d", "--decompress", "--uncompress")
    suffix = _COMPRESS.get(_DECOMPRESS.get(name, name), ".gz")
    j.read(*operands)
    j.write(*operands, *opts.values("-o", "--output"))
    for arg in operands:
        if not arg.dynamic:
            text = arg.text
            j.write(
                _SUFFIXES.sub(".tar" if text.endswith(("tgz", "tbz", "tbz2", "txz")) else "", text)
                if decompress
                else text + suffix
            )


def judge_patch(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(
        args,
        "pdiorDBYzFVg",
        (
            "--strip",
            "--directory",
            "--input",
            "--output",
            "--reject-file",
            "--ifdef",
            "--prefix",
            "--suffix",
            "--fuzz",
            "--version-control",
            "--get",
        ),
    )
    operands = list(opts.operands)
    j.read(*opts.values("-i", "--input"), *operands[1:2])
    if opts.has("--dry-run"):
        j.raise_to(R, "checks a patch")
        return
    j.raise_to(W, "patch edits files")
    directory = (opts.values("-d", "--directory") or [Arg(".")])[-1]
    j.write(*opts.values("-o", "--output", "-r", "--reject-file"))
    j.write(*(operands[:1] or [directory]))
    if opts.dynamic:
        j.write(UNKNOWN)


def judge_mktemp(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "p", ("--suffix",))
    if opts.has("-u", "--dry-run"):
        j.raise_to(R, "prints a temporary name")
        return
    j.raise_to(W, "creates a temporary file")
    directory = opts.values("-p", "--tmpdir")
    template = opts.operands[-1] if opts.operands else None
    if template is None or (opts.has("-t") and not directory):
        j.write(TMP)
    elif template.dynamic or (directory and directory[-1].dynamic):
        j.write(UNKNOWN)
    elif directory and directory[-1].text != UNKNOWN:
        j.write(posixpath.join(directory[-1].text, template.text))
    elif directory:
        j.write(TMP)
    else:
        j.write(template.text)


_DISK_LISTING = re.compile(r"-[a-zA-Z]*l[a-zA-Z]*|--list")


def judge_disk(name: str, args: list[Arg], j: Judgement) -> None:
    """mkfs and friends: formatting or wiping a device is catastrophic."""
    if name in ("fdisk", "sfdisk", "parted") and any(_DISK_LISTING.fullmatch(a.text) for a in args):
        j.raise_to(R, "lists partitions")
        return
    j.raise_to(W, f"{name} formats or wipes a disk")
    operands = [a for a in args if a.dynamic or not a.text.startswith("-")]
    j.write(*operands)
    if any(a.dynamic or a.text.startswith("/dev/") or is_raw_disk(a.text) for a in operands):
        j.catastrophic = True


def judge_mknod(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "mZ", ("--mode", "--context"))
    j.raise_to(W, "creates special files")
    j.write(*opts.operands[:1])


def judge_link(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(W, "creates a link")
    j.read(*args[:1])
    j.write(*args[1:2])


RULES: dict[str, Rule] = {
    "rm": judge_rm,
    "mv": judge_mv,
    "cp": judge_copy,
    "install": judge_copy,
    "ln": judge_copy,
    "chmod": judge_chmod,
    "chown": judge_chmod,
    "chgrp": judge_chmod,
    "dd": judge_dd,
    "patch": judge_patch,
    "mktemp": judge_mktemp,
    "mknod": judge_mknod,
    "link": judge_link,
    **dict.fromkeys([*_COMPRESS, *_DECOMPRESS], judge_compress),
    **dict.fromkeys(
        [
            "mkfs",
            "mke2fs",
            "mkswap",
            "wipefs",
            "blkdiscard",
            "sfdisk",
            "sgdisk",
            "fdisk",
            "cfdisk",
            "parted",
            "mkdosfs",
            "mkntfs",
            "fdformat",
        ],
        judge_disk,
    ),
}
