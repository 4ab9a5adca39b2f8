"""Problems in a simple command's own words, once its wrappers are peeled off: a command
name known only at run time or made by a pattern, and builtins that run a string as code
(eval, source, trap), change how later commands run (set -o, shopt, enable) or assign a
variable named by an argument (read, declare, printf -v). Interpreters fed code are
``shell_interpreters``'s part."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.permissions.shell_interpreters import interpreter_problems
from agent.permissions.shell_words import Word, may_match_parent
from agent.permissions.shell_wrappers import risky_variable

if TYPE_CHECKING:
    from agent.permissions.shell_commands import Redirect

_NAME_TAKERS = frozenset(
    {
        "read",
        "mapfile",
        "readarray",
        "getopts",
        "unset",
        "export",
        "declare",
        "typeset",
        "local",
        "readonly",
        "printf",
        "wait",
    }
)
_DECLARE = frozenset({"declare", "typeset", "local", "export", "readonly"})
_SAFE_SET_OPTIONS = frozenset(
    {
        "errexit",
        "nounset",
        "pipefail",
        "xtrace",
        "verbose",
        "noclobber",
        "noglob",
        "errtrace",
        "functrace",
    }
)
_SAFE_SHOPT = frozenset(
    {
        "globstar",
        "nullglob",
        "failglob",
        "dotglob",
        "nocaseglob",
        "nocasematch",
        "inherit_errexit",
        "-s",
        "-u",
        "-q",
        "-p",
        "-o",
    }
)


def command_problems(words: list[Word], redirects: list[Redirect]) -> list[str]:
    """Problems visible in a command's words once its wrappers are gone."""
    problems: list[str] = []
    if not words:
        return problems
    head = words[0]
    name = head.text
    if head.ansi_c:
        problems.append("uses $'...' quoting in the command name")
    elif head.dynamic:
        problems.append("runs a program whose name is known only at run time")
    elif head.glob or head.braced:
        problems.append("expands a pattern into the command name")
    for word in words:
        if may_match_parent(word):
            problems.append(f"pattern {word.text} may match '..'")
    args = [w.text for w in words[1:] if not w.dynamic]
    if name == "eval":
        problems.append("eval runs a string as code")
    elif name in ("source", "."):
        problems.append(f"{name} runs a script file in this shell")
    elif name == "let":
        problems.append("let evaluates arithmetic, which can run code")
    elif name == "trap" and len(words) > 2 and args[:1] not in (["-"], [""], ["-p"]):
        problems.append("trap runs a command later")
    elif name in ("enable", "fc") or (name == "hash" and "-p" in args):
        problems.append(f"{name} changes which code later commands run")
    elif name == "set":
        problems += _set_problems(words[1:])
    elif name == "shopt" and any(a not in _SAFE_SHOPT for a in args):
        problems.append("shopt changes how the shell reads later commands")
    if name in _NAME_TAKERS:
        problems += name_problems(name, words[1:])
    problems += interpreter_problems(words, redirects)
    return problems


def _set_problems(words: list[Word]) -> list[str]:
    problems: list[str] = []
    for i, word in enumerate(words):
        text = word.text
        if word.dynamic:
            problems.append("set has an argument known only at run time")
        elif text == "--":
            return problems
        elif text in ("-o", "+o"):
            option = words[i + 1].text if i + 1 < len(words) else ""
            if option and option not in _SAFE_SET_OPTIONS:
                problems.append(f"set -o {option} changes how later commands run")
        elif text[:1] in "-+" and any(c in "kP" for c in text[1:]):
            problems.append(f"set {text} changes how later commands run")
    return problems


def name_problems(name: str, words: list[Word]) -> list[str]:
    """Builtins that assign a variable named by an argument: the name may be PATH, or a
    subscript like ``a[$(cmd)]`` that bash evaluates."""
    problems: list[str] = []
    if name == "printf":
        words = [words[i + 1] for i, w in enumerate(words[:-1]) if w.text == "-v"]
    for word in words:
        text = word.text
        if word.dynamic:
            problems.append(f"{name} is given a variable name known only at run time")
            continue
        if ("[" in text and any(c in text for c in "$`")) or ("[" in text and name == "unset"):
            problems.append(f"{name} evaluates an array subscript, which can run code")
        if re.fullmatch(r"[-+][a-zA-Z]*[in][a-zA-Z]*", text) and name in _DECLARE:
            problems.append(f"{name} {text} can run code on assignment")
        if re.fullmatch(r"\w+", text) and risky_variable(text) and name != "unset":
            problems.append(f"{name} sets {text}")
    return problems
