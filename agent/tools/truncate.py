"""Shortening long tool output while keeping its beginning and its end."""

from __future__ import annotations


def truncate_middle(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters: head and tail kept, a note between."""
    if len(text) <= limit:
        return text
    head_len = limit // 2
    tail_len = limit - head_len
    head = text[:head_len]
    tail = text[len(text) - tail_len :]
    # Cut at line boundaries when one is near, so no half lines reach the model.
    cut = head.rfind("\n")
    if cut >= head_len * 3 // 4:
        head = head[: cut + 1]
    cut = tail.find("\n")
    if 0 <= cut <= tail_len // 4:
        tail = tail[cut + 1 :]
    dropped = len(text) - len(head) - len(tail)
    sep = "" if head.endswith("\n") else "\n"
    return f"{head}{sep}[... {dropped} characters truncated ...]\n{tail}"


def cut_line(line: str, limit: int) -> str:
    """One line cut to ``limit`` characters, marked when it was cut."""
    if len(line) <= limit:
        return line
    return line[:limit] + f" [... {len(line) - limit} more characters]"
