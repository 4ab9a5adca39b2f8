"""Redirections: the files a command opens (``> f``, ``2>> log``, ``<<< word``), which of
them write, the heredocs whose end bash and the parser may see differently, and the
commands that run inside a redirection target or an unquoted heredoc."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from agent.permissions.shell_commands import Redirect
from agent.permissions.shell_walk import WalkState
from agent.permissions.shell_words import Word, evaluate

if TYPE_CHECKING:
    from tree_sitter import Node

REDIRECT_NODES = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_OUTPUT = frozenset({">", ">>", ">|", "&>", "&>>", "<>", ">&"})
_FD = re.compile(r"\d+-?|-")
_HARMLESS_TARGET = re.compile(r"/dev/(null|stdout|stderr|stdin|tty|zero|fd/\d+)")
_NETWORK_TARGET = re.compile(r"/dev/(tcp|udp)/")


def file_redirect(operator: str, word: Word, output: bool) -> Redirect:
    """A redirection of ``operator`` to ``word``; ``output``: it opens the file for writing."""
    target = word.text
    if operator in (">&", "<&") and not word.dynamic and _FD.fullmatch(target):
        return Redirect(operator, target, False)
    harmless = not word.dynamic and (
        _HARMLESS_TARGET.fullmatch(target) or _NETWORK_TARGET.match(target)
    )
    return Redirect(operator, target, output and not harmless, word.dynamic)


class RedirectWalk(WalkState):
    """The part of the walk that reads redirections."""

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
            elif child.type in REDIRECT_NODES:
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
        return file_redirect(operator, word, operator in _OUTPUT)
