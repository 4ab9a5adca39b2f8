"""Control flow: ``a && b || c`` lists, if and case, loops and function definitions, and
the directory each branch leaves the shell in (a loop body that changes directory is
walked again from an unknown one; a function body may run anywhere)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.permissions.shell_dirs import UNKNOWN_DIR, merge
from agent.permissions.shell_walk import WalkState
from agent.permissions.shell_wrappers import risky_variable

if TYPE_CHECKING:
    from tree_sitter import Node


class ControlWalk(WalkState):
    """The part of the walk that follows control flow."""

    def list(
        self, node: Node, cwd: str | None, depth: int, trailing: list[Node] | None = None
    ) -> tuple[str | None, str | None]:
        """``a && b || c``. ``trailing``: redirections of the last command (see
        ``with_redirects``), opened in the folder where that command runs."""
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
                ok, fail = right_ok, merge(fail, right_fail)
            else:
                ok, fail = merge(ok, right_ok), right_fail
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
                current = merge(*self.control(child, current, depth + 1))
            else:
                current = merge(*self.statement(child, current, depth + 1))
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
                current = merge(*self.block(child, current, depth + 1))
            else:
                current = merge(*self.statement(child, current, depth + 1))
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
