"""Shell command analysis: every simple command a bash script runs, and why it cannot be
proven safe.

``analyze`` parses with tree-sitter-bash (``shell_syntax``) and walks the whole tree:
pipelines, lists, subshells, groups, command and process substitutions, control flow
(``shell_control``) and function bodies all give up their commands. Redirections are read
by ``shell_redirects``, words and expressions by ``shell_expressions`` and evaluated by
``shell_words``; wrappers are peeled off by ``shell_wrappers``, a command's own words
checked by ``shell_builtins``, the directory each runs in followed by ``shell_dirs``, and
``bash -c 'literal'`` is analysed as a script of its own. Whatever the analysis cannot
follow becomes a problem; any problem means the engine must ask. What it finds are the
``shell_commands`` types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.permissions.shell_builtins import command_problems
from agent.permissions.shell_commands import Command, ShellAnalysis
from agent.permissions.shell_control import ControlWalk
from agent.permissions.shell_dirs import UNKNOWN_DIR, cd_target, join, merge
from agent.permissions.shell_expressions import ExpressionWalk
from agent.permissions.shell_redirects import REDIRECT_NODES, RedirectWalk, file_redirect
from agent.permissions.shell_syntax import MAX_DEPTH, character_problems, parse, tree_problems
from agent.permissions.shell_words import Word, evaluate
from agent.permissions.shell_wrappers import unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

    from agent.permissions.shell_commands import Redirect

MAX_CHARS = 10_000
MAX_SHELL_NESTING = 3  # bash -c inside bash -c ...


def analyze(script: str) -> ShellAnalysis:
    """Every command ``script`` runs, and the reasons it cannot be proven safe."""
    walk = _Walk()
    try:
        walk.script(script, cwd=None, wrappers=(), nesting=0)
    except RecursionError:  # the depth limits should prevent this; be safe regardless
        walk.problems.append("is nested too deeply")
    return ShellAnalysis(tuple(walk.commands), tuple(dict.fromkeys(walk.problems)))


_CD_WRAPPERS = frozenset({"command", "builtin", "time"})


class _Walk(ControlWalk, RedirectWalk, ExpressionWalk):
    """The whole walk: scripts, statements and simple commands here; the rest in the
    parts it inherits."""

    # -- scripts -----------------------------------------------------------------------

    def script(self, script: str, cwd: str | None, wrappers: tuple[str, ...], nesting: int):
        if len(script) > MAX_CHARS:
            self.problems.append(f"is longer than {MAX_CHARS} characters")
            return
        self.problems += character_problems(script)
        saved = (self.source, self.wrappers, self.nesting)
        self.source = script.encode("utf-8", "replace")
        self.wrappers, self.nesting = wrappers, nesting
        root = parse(self.source)
        syntax_problems = tree_problems(root, self.source)
        self.problems += syntax_problems
        if "is nested too deeply" not in syntax_problems:
            self.block(root, cwd, 0)
        self.source, self.wrappers, self.nesting = saved

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
            current = merge(*result)
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

    def redirected(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        body = node.child_by_field_name("body")
        redirects = [c for c in node.named_children if c.type in REDIRECT_NODES]
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
            elif child.type in REDIRECT_NODES:
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
            here = UNKNOWN_DIR if unwrapped.chdir.dynamic else join(cwd, unwrapped.chdir.text)
        redirects += [file_redirect(op, w, writes) for op, w, writes in unwrapped.files]
        wrappers = self.wrappers + unwrapped.wrappers
        if unwrapped.shell_code is not None:
            if redirects:
                self.add(Command((), wrappers, tuple(redirects), text, here))
            self.nested_shell(unwrapped.shell_code.text, here, wrappers)
            return cwd, cwd
        inner = list(unwrapped.words)
        self.problems += command_problems(inner, redirects)
        argv = tuple(w.text for w in inner)
        dynamic = tuple(i for i, w in enumerate(inner) if w.dynamic)
        self.add(Command(argv, wrappers, tuple(redirects), text, here, dynamic))
        if argv and argv[0] in ("cd", "pushd", "popd") and set(unwrapped.wrappers) <= _CD_WRAPPERS:
            return cd_target(inner, cwd), cwd
        return cwd, cwd

    def nested_shell(self, code: str, cwd: str | None, wrappers: tuple[str, ...]) -> None:
        if self.nesting >= MAX_SHELL_NESTING:
            self.problems.append("nests shells too deeply")
            return
        self.script(code, cwd, wrappers, self.nesting + 1)

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
                if (c.type in ("heredoc_start", *REDIRECT_NODES) or not c.is_named)
                and c.type not in ("&&", "||", "|", "|&")
            ]
        if not starts:
            return ""
        return self.text(min(starts), max(ends, default=min(starts)))
