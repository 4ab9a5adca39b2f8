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
        """The source between two byte offsets."""
        return self.source[start:end].decode("utf-8", "replace")

    def add(self, command: Command) -> None:
        """Record a command found; past ``MAX_COMMANDS`` that is a problem too."""
        if len(self.commands) == MAX_COMMANDS:
            self.problems.append(f"has more than {MAX_COMMANDS} commands")
        self.commands.append(command)

    # Made by the parts of the whole walk (``shell._Walk``); declared here so that each
    # part can call the others.

    def block(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        """Statements in sequence; the directory after success and after failure."""
        raise NotImplementedError

    def statement(self, node: Node, cwd: str | None, depth: int) -> tuple[str | None, str | None]:
        """One statement; the directory after success and after failure."""
        raise NotImplementedError

    def with_redirects(
        self, body: Node, redirects: list[Node], cwd: str | None, depth: int
    ) -> tuple[str | None, str | None]:
        """``body`` run with ``redirects`` (see ``shell._Walk.with_redirects``)."""
        raise NotImplementedError

    def scan(self, node: Node, cwd: str | None, depth: int) -> None:
        """Commands and problems inside a word or expression."""
        raise NotImplementedError

    def arithmetic(self, node: Node, cwd: str | None, depth: int) -> None:
        """Problems and commands in an arithmetic expression."""
        raise NotImplementedError
