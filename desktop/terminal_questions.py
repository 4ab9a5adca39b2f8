"""AskUserQuestion on a terminal (``harken ask``): the questions printed, the answer typed.

    attach(session, interactive=sys.stdin.isatty())

On a terminal each question is printed on stderr with its numbered options, and the typed
line answers it: option numbers ("2", "1 3" when several may be chosen), an option's label,
or the user's own words. An empty line, or a number no option has ("5" with two options),
is asked again (at most ``TRIES`` times in all), saying why ("There is no option 5");
the end of input (Ctrl-D) gives no answer at once. Without a terminal nothing is
attached, so the session's channel has no host and the tool tells the model at once that
nobody can answer.
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from audio.answer_words import chosen_options

TRIES = 3  # an empty or impossible answer is asked again, this many times in all


@dataclass
class TerminalQuestions:
    """Answers ``question_asked`` events by asking on the terminal, one at a time."""

    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __call__(self, event: Any) -> None:
        if event.kind == "question_asked":
            # Listeners are synchronous; the questions are asked in their own task.
            asyncio.get_running_loop().create_task(self._ask(event))

    async def _ask(self, event: Any) -> None:
        async with self._lock:
            answers: dict[str, str] = {}
            for question in event.questions:
                reply = await self._prompt(question)
                if not reply:
                    event.decline("The user gave no answer on the terminal.")
                    return
                answers[question.question] = reply
            event.answer(answers)

    async def _prompt(self, question: Any) -> str:
        labels = [o.label for o in question.options]
        lines = [f"\n? {question.header + ': ' if question.header else ''}{question.question}"]
        for i, option in enumerate(question.options, 1):
            about = f" — {option.description}" if option.description else ""
            lines.append(f"  {i}. {option.label}{about}")
        several = " (several: 1 3)" if question.multi_select else ""
        how = f"number{several} or your own words" if labels else "your answer"
        self.stderr.write("\n".join(lines) + f"\n  [{how}] ")
        for attempt in range(1, TRIES + 1):
            self.stderr.flush()
            try:
                reply = await asyncio.to_thread(self.stdin.readline)
            except (OSError, ValueError):
                reply = ""
            if not reply:  # the end of input: nobody will answer
                return ""
            problem = reply_problem(reply.strip(), len(labels))
            if not problem:
                return answer_text(reply.strip(), labels, question.multi_select)
            again = f" [{how}] " if attempt < TRIES else "\n"
            self.stderr.write(f"  {problem}{again}")
        return ""


def reply_problem(reply: str, options: int) -> str:
    """Why a typed ``reply`` cannot answer a question with ``options`` options ("" if it
    can): it is empty, or it names an option number that does not exist."""
    if not reply:
        return "Please type an answer (Ctrl-D to give none)."
    if options and re.fullmatch(r"[\d\s,]+", reply):
        missing = [n for n in re.findall(r"\d+", reply) if not 1 <= int(n) <= options]
        if missing:
            return f"There is no option {missing[0]}: type 1 to {options} or your own words."
    return ""


def answer_text(reply: str, labels: list[str], multi_select: bool) -> str:
    """The answer a typed ``reply`` gives: the labels it picks (by number or name), else
    the words themselves."""
    picked = chosen_options(reply, labels)
    if picked and (multi_select or len(picked) == 1):
        return ", ".join(labels[i] for i in picked)
    return reply


def attach(session: Any, *, interactive: bool) -> None:
    """Ask ``session``'s questions on this terminal when there is one."""
    if interactive:
        session.subscribe(TerminalQuestions())
        session.questions.serve()
