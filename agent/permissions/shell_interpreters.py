"""Interpreters given code where no rule can see it: on their command line (``python -c``,
``perl -e``, ``node --eval``) or on standard input (``bash <<EOF``). Such code is a
problem of the shell analysis, asked about in every mode but bypass, whatever the rules;
a command another program starts (``find -exec python -c``) is judged the same way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.permissions.shell_words import Word

if TYPE_CHECKING:
    from agent.permissions.shell_commands import Redirect

# Interpreters and the options that hand them code on the command line.
_INLINE_CODE = {
    "python": ("c", ()),
    "pypy": ("c", ()),
    "perl": ("eE", ()),
    "ruby": ("e", ()),
    "node": ("ep", ("--eval", "--print")),
    "nodejs": ("ep", ("--eval", "--print")),
    "bun": ("e", ("--eval", "--print")),
    "deno": ("", ("eval",)),
    "php": ("r", ()),
    "lua": ("e", ()),
    "luajit": ("e", ()),
    "Rscript": ("e", ()),
    "osascript": ("e", ()),
    "pwsh": ("c", ("-command", "-encodedcommand", "-ec")),
    "powershell": ("c", ("-command", "-encodedcommand", "-ec")),
    "tclsh": ("", ()),
    "expect": ("c", ()),
}
_STDIN_INTERPRETERS = frozenset(
    {
        *_INLINE_CODE,
        "bash",
        "sh",
        "dash",
        "zsh",
        "ksh",
        "fish",
        "csh",
        "tcsh",
        "mksh",
        "ash",
        "irb",
        "jshell",
        "ghci",
    }
)


def _interpreter(name: str) -> str:
    return re.sub(r"[0-9.]+$", "", name.rsplit("/", 1)[-1])


def interpreter_problems(words: list[Word], redirects: list[Redirect]) -> list[str]:
    """An interpreter given code on its command line (``python -c``, ``perl -e``) or on
    standard input: code no rule can be checked against."""
    problems = []
    name = _interpreter(words[0].text)
    spec = _INLINE_CODE.get(name)
    if spec is not None:
        letters, longs = spec
        for word in words[1:]:
            text = word.text
            if word.dynamic or not text.startswith("-") or text == "-":
                if text in longs:
                    problems.append(f"{words[0].text} runs inline code")
                break
            lowered = text.lower()
            if lowered in longs or (
                not text.startswith("--") and any(c in letters for c in text[1:])
            ):
                problems.append(f"{words[0].text} runs inline code")
                break
    fed = any(r.operator in ("<<", "<<-", "<<<") for r in redirects)
    operands = [w for w in words[1:] if not w.text.startswith("-")]
    if fed and name in _STDIN_INTERPRETERS and not operands:
        problems.append(f"feeds code to {words[0].text} on standard input")
    return problems
