"""What a walk over a bash syntax tree keeps: the commands and problems found so far, the
source being walked and the wrappers and shell nesting it runs under. The walk's parts
(``shell_control``, ``shell_redirects``, ``shell_expressions`` and ``shell``'s own
statements and commands) build on ``WalkState`` and call one another through it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

    from agent.permissions.shell_commands import Command

MAX_COMMANDS = 200


class WalkState:
    """Collects commands and problems while walking one or more (nested) scripts."""

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.problems: list[str] = []
        self.source = b""
        self.wrappers: tuple[str, ...] = ()
        self.nesting = 0

    def text(self, start: int, end: int) -> str:
        return self.source[start:end].decode("utf-8", "replace")

    def add(self, command: Command) -> None:
        if len(self.commands) == MAX_COMMANDS:
            self.problems.append(f"has more than {MAX_COMMANDS} commands")
        self.commands.append(command)

    # Walked by the parts that make up the whole walk (see ``shell._Walk``).

    def block(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        raise NotImplementedError

    def statement(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        raise NotImplementedError

    def with_redirects(
        self, body: Node, redirects: list[Node], cwd: str | None, depth: int
    ) -> tuple[str | None, str | None]:
        raise NotImplementedError

    def scan(self, node: Node, cwd: str | None, depth: int) -> None:
        raise NotImplementedError

    def arithmetic(self, node: Node, cwd: str | None, depth: int) -> None:
        raise NotImplementedError
