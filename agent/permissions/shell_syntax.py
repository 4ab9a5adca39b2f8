"""The bash parser (tree-sitter-bash, made on first use) and what in a script's text or
syntax tree the analysis cannot trust: characters bash and the parser may read
differently, parse errors, syntax the walk does not know, text the parser skipped, and
nesting too deep to follow."""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import TYPE_CHECKING

from agent.permissions.shell_words import names

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

MAX_DEPTH = 100  # nesting of the syntax tree

_parser: Parser | None = None
_parser_lock = threading.Lock()


def parse(source: bytes) -> Node:
    """The syntax tree of ``source``; one parser serves every analysis."""
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


def tree_problems(root: Node, source: bytes) -> list[str]:
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
