"""Words and expressions: variable assignments, declarations, ``[ ]`` and ``[[ ]]`` tests,
expansions, array subscripts and arithmetic. The commands they run (``$(...)``,
``<(...)``) are walked, and what bash evaluates as code (subscripts, arithmetic on
variables, ``${!name}``) becomes a problem."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from agent.permissions.shell_builtins import name_problems
from agent.permissions.shell_commands import Command
from agent.permissions.shell_syntax import MAX_DEPTH
from agent.permissions.shell_walk import WalkState
from agent.permissions.shell_words import Word, evaluate
from agent.permissions.shell_wrappers import risky_variable

if TYPE_CHECKING:
    from tree_sitter import Node

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


class ExpressionWalk(WalkState):
    """The part of the walk that reads words and expressions."""

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
        self.problems += name_problems(argv[0] if argv else "", names)
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
