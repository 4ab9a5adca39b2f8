"""Shell command analysis: every simple command a bash script runs, and why it cannot be
proven safe.

``analyze`` parses with tree-sitter-bash (the parser is made on first use) and walks the
whole tree: pipelines, lists, subshells, groups, command and process substitutions,
control flow and function bodies all give up their commands. Words are evaluated by
``shell_words``, wrappers peeled off by ``shell_wrappers``, and ``bash -c 'literal'`` is
analysed as a script of its own. Whatever the analysis cannot follow becomes a problem;
any problem means the engine must ask.
"""

from __future__ import annotations

import posixpath
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.permissions.shell_interpreters import interpreter_problems
from agent.permissions.shell_words import Word, evaluate, may_match_parent, names
from agent.permissions.shell_wrappers import risky_variable, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

MAX_CHARS = 10_000
MAX_COMMANDS = 200
MAX_DEPTH = 100  # nesting of the syntax tree
MAX_SHELL_NESTING = 3  # bash -c inside bash -c ...
UNKNOWN_DIR = "?"


@dataclass(frozen=True)
class Redirect:
    """``target`` has quotes removed; when ``dynamic`` it is the raw source instead.
    ``writes``: opens a file for writing (not fd duplications, /dev/null or /dev/tcp)."""

    operator: str
    target: str
    writes: bool
    dynamic: bool = False


@dataclass(frozen=True)
class Command:
    """One simple command. ``argv`` is empty for a bare redirection (``> f``) or for the
    redirections of a compound command (``{ ...; } > f``). ``dynamic``: indices of argv
    words known only at run time (their raw source is kept). ``cwd``: directory from an
    earlier literal ``cd`` (None: the session's; "?": unknowable)."""

    argv: tuple[str, ...]
    wrappers: tuple[str, ...]
    redirects: tuple[Redirect, ...]
    text: str
    cwd: str | None
    dynamic: tuple[int, ...] = ()


@dataclass(frozen=True)
class ShellAnalysis:
    """``problems``: reasons the script cannot be proven safe; any means ask."""

    commands: tuple[Command, ...]
    problems: tuple[str, ...]


def analyze(script: str) -> ShellAnalysis:
    """Every command ``script`` runs, and the reasons it cannot be proven safe."""
    walk = _Walk()
    try:
        walk.script(script, cwd=None, wrappers=(), nesting=0)
    except RecursionError:  # the depth limits should prevent this; be safe regardless
        walk.problems.append("is nested too deeply")
    return ShellAnalysis(tuple(walk.commands), tuple(dict.fromkeys(walk.problems)))


_parser: Parser | None = None
_parser_lock = threading.Lock()


def _parse(source: bytes) -> Node:
    global _parser
    with _parser_lock:
        if _parser is None:
            # Imported here: loading the grammar is only paid by the first analysis.
            import tree_sitter_bash
            from tree_sitter import Language, Parser

            _parser = Parser(Language(tree_sitter_bash.language()))
        return _parser.parse(source).root_node


_BAD_SPACE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Co", "Cs", "Cn"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_IFS = re.compile(r"\$\{?[!#]?IFS\b")


def character_problems(script: str) -> list[str]:
    """Characters bash and the parser may read differently."""
    problems = []
    bad = _CONTROL.search(script)
    if bad:
        problems.append(f"contains a control character (U+{ord(bad.group()):04X})")
    if not script.isascii():
        for ch in script:
            if ord(ch) > 127 and unicodedata.category(ch) in _BAD_SPACE:
                problems.append(f"contains invisible or unusual whitespace (U+{ord(ch):04X})")
                break
    if "\\\n" in script:
        problems.append("uses a line continuation (backslash-newline)")
    if _IFS.search(script):
        problems.append("uses $IFS")
    return problems


# Named node types the walk understands; anything else cannot be proven safe.
_KNOWN = names(
    """program command command_name word number string string_content raw_string ansi_c_string
    translated_string concatenation simple_expansion expansion command_substitution
    process_substitution arithmetic_expansion brace_expression variable_name
    special_variable_name subscript array regex extglob_pattern test_operator binary_expression
    unary_expression postfix_expression parenthesized_expression ternary_expression heredoc_body
    heredoc_content heredoc_start heredoc_end file_descriptor comment variable_assignment
    variable_assignments file_redirect herestring_redirect heredoc_redirect redirected_statement
    list pipeline negated_command subshell compound_statement do_group if_statement elif_clause
    else_clause while_statement for_statement c_style_for_statement case_statement case_item
    function_definition declaration_command unset_command test_command"""
)


def _tree_problems(root: Node, source: bytes) -> list[str]:
    """Parse errors, unknown syntax, excessive nesting, and text the parser skipped
    (tree-sitter drops ``\\ `` between words, where bash keeps a space in a word)."""
    problems: list[str] = []
    end = 0
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            problems.append("cannot be parsed")
        elif node.is_named and node.type not in _KNOWN:
            problems.append(f"uses unsupported shell syntax ({node.type})")
        if depth > MAX_DEPTH:
            return [*problems, "is nested too deeply"]
        if node.child_count == 0 or node.type == "heredoc_body":
            if source[end : node.start_byte].strip(b" \t\n"):
                problems.append("has text the parser skipped")
            end = max(end, node.end_byte)
            continue
        stack += [(child, depth + 1) for child in reversed(node.children)]
    if source[end:].strip(b" \t\n"):
        problems.append("has text the parser skipped")
    return problems


def _merge(a: str | None, b: str | None) -> str | None:
    return a if a == b else UNKNOWN_DIR


def _join(base: str | None, path: str) -> str:
    """Where ``cd path`` from ``base`` lands (bash's default cd is lexical, like normpath)."""
    if path.startswith("/"):
        return posixpath.normpath(path)
    if base == UNKNOWN_DIR:
        return UNKNOWN_DIR
    joined = posixpath.normpath(posixpath.join(base, path) if base else path)
    anchored = path.startswith("~") or (base or "").startswith("~")
    if anchored and not joined.startswith("~"):
        return UNKNOWN_DIR  # "~/.." is above the home folder, not the session's directory
    return joined


_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_OUTPUT = frozenset({">", ">>", ">|", "&>", "&>>", "<>", ">&"})
_FD = re.compile(r"\d+-?|-")
_HARMLESS_TARGET = re.compile(r"/dev/(null|stdout|stderr|stdin|tty|zero|fd/\d+)")
_NETWORK_TARGET = re.compile(r"/dev/(tcp|udp)/")
_ARITH_OK = frozenset(
    {
        "number",
        "binary_expression",
        "unary_expression",
        "parenthesized_expression",
        "ternary_expression",
    }
)
_ARITH_TEST = frozenset({"-eq", "-ne", "-lt", "-le", "-gt", "-ge"})
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
_CD_WRAPPERS = frozenset({"command", "builtin", "time"})


class _Walk:
    """Collects commands and problems while walking one or more (nested) scripts."""

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.problems: list[str] = []
        self.source = b""
        self.wrappers: tuple[str, ...] = ()
        self.nesting = 0

    # -- scripts -----------------------------------------------------------------------

    def script(self, script: str, cwd: str | None, wrappers: tuple[str, ...], nesting: int):
        if len(script) > MAX_CHARS:
            self.problems.append(f"is longer than {MAX_CHARS} characters")
            return
        self.problems += character_problems(script)
        saved = (self.source, self.wrappers, self.nesting)
        self.source = script.encode("utf-8", "replace")
        self.wrappers, self.nesting = wrappers, nesting
        root = _parse(self.source)
        tree_problems = _tree_problems(root, self.source)
        self.problems += tree_problems
        if "is nested too deeply" not in tree_problems:
            self.block(root, cwd, 0)
        self.source, self.wrappers, self.nesting = saved

    def text(self, start: int, end: int) -> str:
        return self.source[start:end].decode("utf-8", "replace")

    # -- statements --------------------------------------------------------------------

    def block(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        """Statements in sequence; returns the directory after success and after failure."""
        result = (cwd, cwd)
        current = cwd
        children = node.children
        for i, child in enumerate(children):
            if not child.is_named or child.type == "comment":
                continue
            background = i + 1 < len(children) and children[i + 1].type == "&"
            result = self.statement(child, current, depth + 1)
            if background:
                result = (current, current)  # a background job runs in a subshell
            current = _merge(*result)
        return result

    def statement(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        if depth > MAX_DEPTH:
            self.problems.append("is nested too deeply")
            return cwd, cwd
        kind = node.type
        if kind == "command":
            return self.command(node, cwd, [], depth)
        if kind == "redirected_statement":
            return self.redirected(node, cwd, depth)
        if kind == "list":
            return self.list(node, cwd, depth)
        if kind == "pipeline":
            for child in node.named_children:
                self.statement(child, cwd, depth + 1)  # each part runs in a subshell
            return cwd, cwd
        if kind == "negated_command":
            ok, fail = (cwd, cwd)
            for child in node.named_children:
                ok, fail = self.statement(child, cwd, depth + 1)
            return fail, ok
        if kind == "subshell":
            self.block(node, cwd, depth)
            return cwd, cwd
        if kind == "compound_statement":
            if node.children and node.children[0].type == "((":
                self.arithmetic(node, cwd, depth)
                return cwd, cwd
            return self.block(node, cwd, depth)
        if kind in ("if_statement", "case_statement"):
            return self.control(node, cwd, depth)
        if kind in ("while_statement", "for_statement", "c_style_for_statement"):
            return self.loop(node, cwd, depth)
        if kind == "function_definition":
            self.function(node, depth)
            return cwd, cwd
        if kind in ("variable_assignment", "variable_assignments"):
            self.assignments(
                [node] if kind == "variable_assignment" else node.named_children, cwd, depth
            )
            return cwd, cwd
        if kind in ("declaration_command", "unset_command"):
            self.declaration(node, cwd, depth)
            return cwd, cwd
        if kind == "test_command":
            self.test(node, cwd, depth)
            return cwd, cwd
        if kind == "ERROR":
            return self.block(node, cwd, depth)
        self.scan(node, cwd, depth)
        return cwd, cwd

    def list(
        self, node: Node, cwd: str | None, depth: int, trailing: list[Node] | None = None
    ) -> tuple[str | None, str | None]:
        """``a && b || c``. ``trailing``: redirections of the last command (see
        ``redirected``), opened in the folder where that command runs."""
        ok, fail = cwd, cwd
        operator = ""
        named = [c for c in node.children if c.is_named]
        for child in node.children:
            if not child.is_named:
                operator = child.type
                continue
            last = trailing is not None and child == named[-1]
            start = cwd if child == named[0] else ok if operator == "&&" else fail
            if last:
                right_ok, right_fail = self.with_redirects(child, trailing or [], start, depth + 1)
            else:
                right_ok, right_fail = self.statement(child, start, depth + 1)
            if child == named[0]:
                ok, fail = right_ok, right_fail
            elif operator == "&&":
                ok, fail = right_ok, _merge(fail, right_fail)
            else:
                ok, fail = _merge(ok, right_ok), right_fail
        return ok, fail

    def control(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        """if/case: bodies walked in order; a directory change inside makes it unknowable."""
        current = cwd
        for i, child in enumerate(node.children):
            if not child.is_named or child.type == "comment":
                continue
            field = node.field_name_for_child(i)
            if field in ("value", "variable") or child.type in ("word", "extglob_pattern"):
                self.scan(child, current, depth + 1)
            elif child.type in ("elif_clause", "else_clause", "case_item", "do_group"):
                current = _merge(*self.control(child, current, depth + 1))
            else:
                current = _merge(*self.statement(child, current, depth + 1))
        return (cwd, cwd) if current == cwd else (UNKNOWN_DIR, UNKNOWN_DIR)

    def loop(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        """Loops: a body that changes directory is walked again from an unknown one."""
        mark = len(self.commands), len(self.problems)
        after = self.loop_once(node, cwd, depth)
        if after == cwd:
            return cwd, cwd
        del self.commands[mark[0] :], self.problems[mark[1] :]
        self.loop_once(node, UNKNOWN_DIR, depth)
        return UNKNOWN_DIR, UNKNOWN_DIR

    def loop_once(self, node: Node, cwd: str | None, depth: int) -> str | None:
        current = cwd
        for i, child in enumerate(node.children):
            if not child.is_named or child.type == "comment":
                continue
            field = node.field_name_for_child(i)
            if node.type == "c_style_for_statement" and field != "body":
                self.arithmetic(child, current, depth + 1)
            elif field == "variable":
                if risky_variable(child.text.decode()):
                    self.problems.append(f"loops over {child.text.decode()}, changing it")
            elif field == "value":
                self.scan(child, current, depth + 1)
            elif child.type == "do_group":
                current = _merge(*self.block(child, current, depth + 1))
            else:
                current = _merge(*self.statement(child, current, depth + 1))
        return current

    def function(self, node: Node, depth: int) -> None:
        name_node = node.child_by_field_name("name")
        name = name_node.text.decode() if name_node and name_node.text else "?"
        self.problems.append(f"defines a function ({name})")
        mark = len(self.commands)
        body = node.child_by_field_name("body")
        if body is not None:
            # It may run anywhere, any number of times.
            self.statement(body, UNKNOWN_DIR, depth + 1)
        if any(c.argv[:1] == (name,) for c in self.commands[mark:]):
            self.problems.append(f"function {name} calls itself (a fork bomb?)")

    def redirected(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        body = node.child_by_field_name("body")
        redirects = [c for c in node.named_children if c.type in _REDIRECTS]
        if body is None:
            return self.compound_redirected(None, redirects, cwd, depth)
        return self.with_redirects(body, redirects, cwd, depth)

    def with_redirects(
        self, body: Node, redirects: list[Node], cwd: str | None, depth: int
    ) -> tuple[str | None, str | None]:
        """``body`` run with ``redirects``. tree-sitter-bash hangs the redirections of
        ``cd .git && echo x >> config`` (and of ``a | b > f``) on the whole list or
        pipeline; bash gives them to the last command, so they are judged in the folder
        where that command runs (``.git/config``), not where the list started."""
        if body.type == "command":
            return self.command(body, cwd, redirects, depth)
        if body.type == "list":
            return self.list(body, cwd, depth, trailing=redirects)
        if body.type == "pipeline" and body.named_children:
            *first, last = body.named_children
            for child in first:
                self.statement(child, cwd, depth + 1)  # each part runs in a subshell
            self.with_redirects(last, redirects, cwd, depth + 1)
            return cwd, cwd
        return self.compound_redirected(body, redirects, cwd, depth)

    def compound_redirected(
        self, body: Node | None, redirects: list[Node], cwd: str | None, depth: int
    ) -> tuple[str | None, str | None]:
        """``{ ...; } > f``, ``( ... ) > f``, ``while ...; done > f``: the shell opens
        the redirections before the body runs, in ``cwd``."""
        result = (cwd, cwd)
        if body is not None:
            result = self.statement(body, cwd, depth + 1)
        words: list[Node] = []
        made, later = self.redirects(redirects, cwd, depth, words)
        if words:
            self.problems.append("has words after a redirection of a compound command")
        text = self.span([body] if body is not None else [], redirects)
        self.add(Command((), self.wrappers, tuple(made), text, cwd))
        self.statements(later, cwd, depth)
        return result

    def statements(self, nodes: list[Node], cwd: str | None, depth: int) -> None:
        for node in nodes:
            self.statement(node, cwd, depth + 1)

    # -- simple commands ---------------------------------------------------------------

    def command(
        self, node: Node, cwd: str | None, outer: list[Node], depth: int
    ) -> tuple[str | None, str | None]:
        word_nodes: list[Node] = []
        redirect_nodes = list(outer)
        assignments: list[Node] = []
        for child in node.children:
            if child.type == "variable_assignment":
                assignments.append(child)
            elif child.type in _REDIRECTS:
                redirect_nodes.append(child)
            elif child.type == "command_name":
                word_nodes += child.named_children or [child]
            elif child.type != "comment":
                word_nodes.append(child)
        self.assignments(assignments, cwd, depth)
        redirects, later = self.redirects(redirect_nodes, cwd, depth, word_nodes)
        word_nodes.sort(key=lambda n: n.start_byte)
        words: list[Word] = []
        for word_node in word_nodes:
            self.scan(word_node, cwd, depth + 1)
            if word_node.is_named:
                words += evaluate(word_node)
            else:
                words.append(Word(word_node.text.decode() if word_node.text else "", dynamic=True))
        text = self.span([*assignments, *word_nodes], redirect_nodes)
        result = self.simple(words, redirects, text, cwd)
        self.statements(later, cwd, depth)
        return result

    def simple(
        self, words: list[Word], redirects: list[Redirect], text: str, cwd: str | None
    ) -> tuple[str | None, str | None]:
        if not words:
            self.add(Command((), self.wrappers, tuple(redirects), text, cwd))
            return cwd, cwd
        unwrapped = unwrap(tuple(words))
        self.problems += unwrapped.problems
        here = cwd
        if unwrapped.chdir is not None:
            here = UNKNOWN_DIR if unwrapped.chdir.dynamic else _join(cwd, unwrapped.chdir.text)
        redirects += [_file(op, w, writes) for op, w, writes in unwrapped.files]
        wrappers = self.wrappers + unwrapped.wrappers
        if unwrapped.shell_code is not None:
            if redirects:
                self.add(Command((), wrappers, tuple(redirects), text, here))
            self.nested_shell(unwrapped.shell_code.text, here, wrappers)
            return cwd, cwd
        inner = list(unwrapped.words)
        self.check_words(inner, redirects, wrappers)
        argv = tuple(w.text for w in inner)
        dynamic = tuple(i for i, w in enumerate(inner) if w.dynamic)
        self.add(Command(argv, wrappers, tuple(redirects), text, here, dynamic))
        if argv and argv[0] in ("cd", "pushd", "popd") and set(unwrapped.wrappers) <= _CD_WRAPPERS:
            return self.cd(inner, cwd), cwd
        return cwd, cwd

    def nested_shell(self, code: str, cwd: str | None, wrappers: tuple[str, ...]) -> None:
        if self.nesting >= MAX_SHELL_NESTING:
            self.problems.append("nests shells too deeply")
            return
        self.script(code, cwd, wrappers, self.nesting + 1)

    def add(self, command: Command) -> None:
        if len(self.commands) == MAX_COMMANDS:
            self.problems.append(f"has more than {MAX_COMMANDS} commands")
        self.commands.append(command)

    def span(self, nodes: list[Node], redirects: list[Node]) -> str:
        """Source text of a command, without heredoc bodies or what follows them."""
        ends = [n.end_byte for n in nodes]
        starts = [n.start_byte for n in [*nodes, *redirects]]
        for r in redirects:
            if r.type != "heredoc_redirect":
                ends.append(r.end_byte)
                continue
            ends += [
                c.end_byte
                for c in r.children
                if (c.type in ("heredoc_start", *_REDIRECTS) or not c.is_named)
                and c.type not in ("&&", "||", "|", "|&")
            ]
        if not starts:
            return ""
        return self.text(min(starts), max(ends, default=min(starts)))

    def cd(self, words: list[Word], cwd: str | None) -> str | None:
        name, args = words[0].text, words[1:]
        if name == "popd":
            return UNKNOWN_DIR
        if args and not args[0].dynamic and args[0].text == "--":
            args = args[1:]
        if args and not args[0].dynamic and args[0].text.startswith("-") and args[0].text != "-":
            if args[0].text != "-L":
                return UNKNOWN_DIR  # -P and -e resolve symbolic links
            args = args[1:]
        if not args:
            return "~" if name == "cd" else UNKNOWN_DIR
        if len(args) > 1 or args[0].dynamic or args[0].text == "-" or args[0].glob:
            return UNKNOWN_DIR
        return _join(cwd, args[0].text)

    def check_words(self, words: list[Word], redirects: list[Redirect], wrappers) -> None:
        """Problems visible in a command's words once its wrappers are gone."""
        if not words:
            return
        head = words[0]
        name = head.text
        if head.ansi_c:
            self.problems.append("uses $'...' quoting in the command name")
        elif head.dynamic:
            self.problems.append("runs a program whose name is known only at run time")
        elif head.glob or head.braced:
            self.problems.append("expands a pattern into the command name")
        for word in words:
            if may_match_parent(word):
                self.problems.append(f"pattern {word.text} may match '..'")
        args = [w.text for w in words[1:] if not w.dynamic]
        if name == "eval":
            self.problems.append("eval runs a string as code")
        elif name in ("source", "."):
            self.problems.append(f"{name} runs a script file in this shell")
        elif name == "let":
            self.problems.append("let evaluates arithmetic, which can run code")
        elif name == "trap" and len(words) > 2 and args[:1] not in (["-"], [""], ["-p"]):
            self.problems.append("trap runs a command later")
        elif name in ("enable", "fc") or (name == "hash" and "-p" in args):
            self.problems.append(f"{name} changes which code later commands run")
        elif name == "set":
            self.check_set(words[1:])
        elif name == "shopt" and any(a not in _SAFE_SHOPT for a in args):
            self.problems.append("shopt changes how the shell reads later commands")
        if name in _NAME_TAKERS:
            self.check_names(name, words[1:])
        self.check_interpreter(words, redirects)

    def check_set(self, words: list[Word]) -> None:
        for i, word in enumerate(words):
            text = word.text
            if word.dynamic:
                self.problems.append("set has an argument known only at run time")
            elif text == "--":
                return
            elif text in ("-o", "+o"):
                option = words[i + 1].text if i + 1 < len(words) else ""
                if option and option not in _SAFE_SET_OPTIONS:
                    self.problems.append(f"set -o {option} changes how later commands run")
            elif text[:1] in "-+" and any(c in "kP" for c in text[1:]):
                self.problems.append(f"set {text} changes how later commands run")

    def check_names(self, name: str, words: list[Word]) -> None:
        """Builtins that assign a variable named by an argument: the name may be PATH, or a
        subscript like ``a[$(cmd)]`` that bash evaluates."""
        if name == "printf":
            words = [words[i + 1] for i, w in enumerate(words[:-1]) if w.text == "-v"]
        for word in words:
            text = word.text
            if word.dynamic:
                self.problems.append(f"{name} is given a variable name known only at run time")
                continue
            if ("[" in text and any(c in text for c in "$`")) or ("[" in text and name == "unset"):
                self.problems.append(f"{name} evaluates an array subscript, which can run code")
            if re.fullmatch(r"[-+][a-zA-Z]*[in][a-zA-Z]*", text) and name in _DECLARE:
                self.problems.append(f"{name} {text} can run code on assignment")
            if re.fullmatch(r"\w+", text) and risky_variable(text) and name != "unset":
                self.problems.append(f"{name} sets {text}")

    def check_interpreter(self, words: list[Word], redirects: list[Redirect]) -> None:
        self.problems += interpreter_problems(words, redirects)

    # -- redirections ------------------------------------------------------------------

    def redirects(
        self, nodes: Iterable[Node], cwd: str | None, depth: int, words: list[Node]
    ) -> tuple[list[Redirect], list[Node]]:
        """Redirects of ``nodes``, and the statements that follow a heredoc start
        (``cat <<EOF | sh``). Words bash gives the command (``echo > f hi``) join ``words``."""
        out: list[Redirect] = []
        later: list[Node] = []
        for node in nodes:
            if node.type == "heredoc_redirect":
                out += self.heredoc(node, cwd, depth, words, later)
                continue
            if node.type == "herestring_redirect":
                content = [c for c in node.named_children if c.type != "file_descriptor"]
                for c in content:
                    self.scan(c, cwd, depth + 1)
                value = evaluate(content[0]) if content else [Word("")]
                out.append(Redirect("<<<", value[0].text, False, value[0].dynamic))
                continue
            operator = ""
            targets: list[Node] = []
            for i, child in enumerate(node.children):
                field = node.field_name_for_child(i)
                if field == "destination":
                    targets.append(child)
                elif field != "descriptor":
                    operator += child.text.decode() if child.text else ""
            for target in targets:
                self.scan(target, cwd, depth + 1)
            words += targets[1:]
            out.append(self.redirect(operator, targets[0] if targets else None))
        return out, later

    def heredoc(
        self, node: Node, cwd: str | None, depth: int, words: list[Node], later: list[Node]
    ) -> list[Redirect]:
        start = next((c for c in node.children if c.type == "heredoc_start"), None)
        delimiter = start.text.decode() if start is not None and start.text else ""
        operator = next((c.type for c in node.children if c.type in ("<<", "<<-")), "<<")
        nested: list[Node] = []
        for child in node.children:
            if child.type == "heredoc_body":
                if not any(q in delimiter for q in "'\"\\"):
                    self.scan(child, cwd, depth + 1)  # unquoted: expansions run
            elif child.type in _REDIRECTS:
                nested.append(child)
            elif child.is_named and child.type not in ("heredoc_start", "heredoc_end"):
                later.append(child)
        own = Redirect(operator, re.sub(r"['\"\\]", "", delimiter), False)
        end = next((c for c in node.children if c.type == "heredoc_end"), None)
        if start is not None and end is not None and not end.is_missing:
            self.check_heredoc_end(start, end, own.target, operator == "<<-")
        made, more = self.redirects(nested, cwd, depth, words)
        later += more
        return [own, *made]

    def check_heredoc_end(self, start: Node, end: Node, delimiter: str, tabs: bool) -> None:
        """bash ends a heredoc at the first line equal to its delimiter; if the parser ended
        it elsewhere, lines it took for data may run as commands (or the reverse)."""
        body_start = self.source.find(b"\n", start.end_byte) + 1
        line_start = self.source.rfind(b"\n", 0, end.start_byte) + 1
        line_end = self.source.find(b"\n", end.end_byte)
        line_end = len(self.source) if line_end < 0 else line_end
        lines = self.source[body_start:line_start].split(b"\n")[:-1]
        lines.append(self.source[line_start:line_end])
        wanted = delimiter.encode()
        ends = [
            i for i, line in enumerate(lines) if (line.lstrip(b"\t") if tabs else line) == wanted
        ]
        if body_start <= 0 or ends[:1] != [len(lines) - 1]:
            self.problems.append("has a heredoc whose end is ambiguous")

    def redirect(self, operator: str, target: Node | None) -> Redirect:
        if target is None:
            return Redirect(operator, "", False)
        values = evaluate(target)
        word = values[0]
        if len(values) > 1:
            self.problems.append("redirects to a pattern that expands to several words")
            word = Word(target.text.decode() if target.text else "", dynamic=True)
        if word.dynamic:
            self.problems.append(f"redirects to a path known only at run time ({word.text})")
        return _file(operator, word, operator in _OUTPUT)

    # -- assignments, declarations, tests ----------------------------------------------

    def assignments(self, nodes: Iterable[Node], cwd: str | None, depth: int) -> None:
        for node in nodes:
            name_node = node.child_by_field_name("name")
            if name_node is not None and name_node.type == "subscript":
                self.subscript(name_node)
                name_node = name_node.child_by_field_name("name")
            name = name_node.text.decode() if name_node is not None and name_node.text else ""
            value_node = node.child_by_field_name("value")
            values = evaluate(value_node) if value_node is not None else [Word("")]
            value = values[0].text if len(values) == 1 and not values[0].dynamic else None
            if name and risky_variable(name, value):
                self.problems.append(f"sets {name}")
            for child in node.named_children:
                if child.type != "variable_name":
                    self.scan(child, cwd, depth + 1)

    def declaration(self, node: Node, cwd: str | None, depth: int) -> None:
        argv = [node.children[0].type] if node.children else []
        words: list[Word] = []
        names: list[Word] = []
        for child in node.named_children:
            if child.type == "variable_assignment":
                self.assignments([child], cwd, depth)
                words.append(Word(child.text.decode() if child.text else ""))
            elif child.type == "variable_name":
                names.append(Word(child.text.decode() if child.text else ""))
                words.append(names[-1])
            else:
                self.scan(child, cwd, depth + 1)
                names += evaluate(child)
                words += names[-1:]
        self.check_names(argv[0] if argv else "", names)
        argv += [w.text for w in words]
        dynamic = tuple(i + 1 for i, w in enumerate(words) if w.dynamic)
        self.add(
            Command(
                tuple(argv),
                self.wrappers,
                (),
                self.text(node.start_byte, node.end_byte),
                cwd,
                dynamic,
            )
        )

    def test(self, node: Node, cwd: str | None, depth: int) -> None:
        """``[ ... ]`` and ``[[ ... ]]``. tree-sitter parses them as expressions, which can
        split one shell word (``~/x`` becomes ``~`` and ``/x``); touching pieces are joined."""
        pieces: list[tuple[int, int, Word]] = []  # start, end, word
        double = bool(node.children) and node.children[0].type == "[["

        def flatten(n: Node) -> None:
            if n.type in ("binary_expression", "unary_expression", "parenthesized_expression"):
                operator = n.child_by_field_name("operator")
                op = operator.text.decode() if operator is not None and operator.text else ""
                if double and op in _ARITH_TEST:
                    operands = [c for c in n.named_children if c != operator]
                    if any(c.type != "number" for c in operands):
                        self.problems.append(f"[[ {op} ]] evaluates variables as arithmetic")
                if op == "-v" and "[" in (n.text or b"").decode():
                    self.problems.append("-v evaluates an array subscript, which can run code")
                for child in n.children:
                    flatten(child)
                return
            if not n.is_named or n.type == "test_operator":
                word = Word(n.text.decode() if n.text else "")
            else:
                self.scan(n, cwd, depth + 1)
                values = evaluate(n)
                word = values[0] if len(values) == 1 else Word(self.text(n.start_byte, n.end_byte))
            pieces.append((n.start_byte, n.end_byte, word))

        for child in node.children:
            flatten(child)
        words: list[Word] = []
        last_end = -1
        for start, end, word in pieces:
            if words and start == last_end:
                joined = words[-1].text + word.text
                words[-1] = Word(joined, dynamic=words[-1].dynamic or word.dynamic)
            else:
                words.append(word)
            last_end = end
        argv = tuple(w.text for w in words)
        dynamic = tuple(i for i, w in enumerate(words) if w.dynamic)
        text = self.text(node.start_byte, node.end_byte)
        self.add(Command(argv, self.wrappers, (), text, cwd, dynamic))

    # -- words -------------------------------------------------------------------------

    def scan(self, node: Node, cwd: str | None, depth: int) -> None:
        """Commands and problems inside a word or expression."""
        if depth > MAX_DEPTH:
            self.problems.append("is nested too deeply")
            return
        kind = node.type
        if kind in ("command_substitution", "process_substitution"):
            self.block(node, cwd, depth + 1)  # runs in a subshell: cd does not leak
            return
        if kind == "arithmetic_expansion":
            self.arithmetic(node, cwd, depth)
            return
        if kind == "expansion":
            self.expansion(node)
        elif kind == "subscript":
            self.subscript(node)
        elif kind in ("command", "redirected_statement", "list", "pipeline", "subshell"):
            self.statement(node, cwd, depth + 1)
            return
        for child in node.named_children:
            self.scan(child, cwd, depth + 1)

    def expansion(self, node: Node) -> None:
        tokens = [c.type for c in node.children]
        if tokens[1:2] == ["!"]:
            self.problems.append("uses indirect expansion ${!...}")
        if "@" in tokens[2:]:
            self.problems.append("uses a ${...@...} transformation")
        if ":" in tokens:
            offsets = node.children[tokens.index(":") + 1 :]
            if any(c.is_named and c.type != "number" for c in offsets):
                self.problems.append("uses a substring offset that is evaluated as arithmetic")

    def subscript(self, node: Node) -> None:
        index = node.child_by_field_name("index")
        if index is not None and index.type != "number" and index.text not in (b"@", b"*"):
            self.problems.append("uses an array subscript, which is evaluated as arithmetic")

    def arithmetic(self, node: Node, cwd: str | None, depth: int) -> None:
        stack = list(node.named_children)
        while stack:
            child = stack.pop()
            if child.type in _ARITH_OK:
                stack += child.named_children
                continue
            if child.type != "comment":
                self.problems.append("evaluates arithmetic on variables, which can run code")
            self.scan(child, cwd, depth + 1)


def _file(operator: str, word: Word, output: bool) -> Redirect:
    target = word.text
    if operator in (">&", "<&") and not word.dynamic and _FD.fullmatch(target):
        return Redirect(operator, target, False)
    harmless = not word.dynamic and (
        _HARMLESS_TARGET.fullmatch(target) or _NETWORK_TARGET.match(target)
    )
    return Redirect(operator, target, output and not harmless, word.dynamic)
