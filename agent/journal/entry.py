"""One journal entry: what was asked, what was done, files touched, outcome, cost.

An entry in the file reads::

    (blank line)
    ## 09:00:03 · Task morning (t-1a2b3c4d) · ok
    - Asked: summarise what changed overnight
    - Folder: `/home/me/project`
    - Done:
      > Three commits landed: ...
    - Files touched: `notes.md`
    - Tools run: Bash ×2, Write
    - Refused or not run:
      > Write(out.txt): Permission denied: plan mode ...
    - Outcome: ok (1 call refused)
    - Cost: $0.0123 (1200 input, 80 output tokens)
    - Session: 20261129-0900-ab12
    <!-- harken:end -->

Text that comes from people or the model is flattened or quoted line by line, so it can
never start a heading or fake the end marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

END = "<!-- harken:end -->"
DONE_LINES = 5
DONE_LINE_CHARS = 300
ASKED_CHARS = 500
HEADING = re.compile(r"^## (\d\d:\d\d:\d\d) · (.*)$")
FOLDER = re.compile(r"^- Folder: `(.*)`$", re.MULTILINE)


@dataclass
class Entry:
    """What one task run, tick, background job or note did.

    ``kind`` is a short word for people (``Task``, ``Tick``, ``Background job``, ``Note``);
    ``title`` names the thing (a task's name and id); ``done`` is the final answer, of
    which the first lines are kept; ``cost_usd`` None leaves the cost line out."""

    kind: str
    title: str = ""
    asked: str = ""
    done: str = ""
    outcome: str = ""
    folder: str = ""
    files: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    cost_usd: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    session: str = ""
    at: datetime = field(default_factory=lambda: datetime.now().astimezone())

    def heading(self) -> str:
        """``Task morning (t-1a2b3c4d) · ok``: kind, title and outcome on one line."""
        parts = [" ".join(filter(None, (self.kind, _flat(self.title))))]
        if self.outcome:
            parts.append(_flat(self.outcome))
        return " · ".join(parts)

    def markdown(self) -> str:
        """The entry as it is appended: a blank line first, the end marker last."""
        lines = ["", f"## {self.at.strftime('%H:%M:%S')} · {self.heading()}"]
        if self.asked:
            lines.append(f"- Asked: {_cut(_flat(self.asked), ASKED_CHARS)}")
        if self.folder:
            lines.append(f"- Folder: `{_flat(self.folder)}`")
        done = first_lines(self.done)
        if done:
            lines.append("- Done:")
            lines.extend(f"  > {line}" for line in done)
        if self.files:
            lines.append("- Files touched: " + ", ".join(f"`{_flat(f)}`" for f in self.files))
        if self.tools:
            lines.append(f"- Tools run: {_counted(self.tools)}")
        if self.refused:
            lines.append("- Refused or not run:")
            lines.extend(f"  > {_cut(_flat(r), DONE_LINE_CHARS)}" for r in self.refused)
        if self.outcome:
            lines.append(f"- Outcome: {_flat(self.outcome)}")
        if self.cost_usd is not None:
            tokens = f"{self.input_tokens} input, {self.output_tokens} output tokens"
            lines.append(f"- Cost: ${self.cost_usd:.4f} ({tokens})")
        if self.session:
            lines.append(f"- Session: {_flat(self.session)}")
        lines.append(END)
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Written:
    """An entry as read back from a day file: its time, heading line and body.
    ``complete`` is false for an entry cut short (the process died while writing)."""

    time: str
    heading: str
    body: str
    complete: bool

    @property
    def folder(self) -> str:
        """The entry's folder, or "" when it names none."""
        found = FOLDER.search(self.body)
        return found.group(1) if found else ""

    def markdown(self) -> str:
        """The entry as Markdown, without the end marker."""
        text = f"## {self.time} · {self.heading}\n{self.body}".rstrip("\n")
        if not self.complete:
            text += "\n- (cut short: Harken stopped while writing this entry)"
        return text + "\n"


def parse(text: str) -> list[Written]:
    """The entries of a day file's ``text``, in order; text before the first heading
    (the title, a torn first write) is skipped."""
    entries: list[Written] = []
    current: tuple[str, str] | None = None
    body: list[str] = []

    def close(complete: bool) -> None:
        if current is not None:
            entries.append(Written(current[0], current[1], "".join(body), complete))

    for line in text.splitlines(keepends=True):
        match = HEADING.match(line.rstrip("\n"))
        if match:
            close(False)  # a heading before the previous end marker: that one was torn
            current, body = (match.group(1), match.group(2)), []
        elif current is not None and line.rstrip("\n") == END:
            close(True)
            current, body = None, []
        elif current is not None:
            body.append(line)
    close(False)
    return entries


def first_lines(text: str, count: int = DONE_LINES) -> list[str]:
    """The first ``count`` non-blank lines of ``text``, each cut to a readable length."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    kept = [_cut(line, DONE_LINE_CHARS) for line in lines[:count]]
    if len(lines) > count:
        kept.append("…")
    return kept


def _counted(names: list[str]) -> str:
    """``Read ×2, Bash``: each name once, in first-use order, with its count."""
    counts: dict[str, int] = {}
    for name in names:
        counts[_flat(name)] = counts.get(_flat(name), 0) + 1
    return ", ".join(n if c == 1 else f"{n} ×{c}" for n, c in counts.items())


def _flat(text: str) -> str:
    # One line: a newline in a name or prompt must not start a heading or end the entry.
    return " ".join(text.split())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
