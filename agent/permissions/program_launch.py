"""Commands that a command starts: ``find -exec CMD {} +``, ``fd -x CMD``, ``rg --pre PROG``.

``launch`` judges the started command as a command of its own, adds what it reads, writes
and contacts to the command that starts it, and records the launch as an escalation: an
allow rule for the starting program does not approve it, a rule of its own (or spelling it
out) does. ``run_string`` records a command given as a shell string, which is judged only
as far as deny and ask rules need (a rule must spell the string out to approve it).
"""

from __future__ import annotations

from agent.permissions.program_args import UNKNOWN, Arg, Effect, Invocation, Judgement
from agent.permissions.shell_interpreters import interpreter_problems
from agent.permissions.shell_words import Word

FOUND = "{}"  # stands for each file the starting command hands to the started one


def found() -> Arg:
    """A placeholder for a found file: known only at run time (it may look like an option)."""
    return Arg(FOUND, dynamic=True)


def launch(
    j: Judgement,
    cause: list[Arg | None],
    words: list[Arg],
    reason: str,
    under: list[str],
    sweeps: bool = False,
) -> None:
    """Judge ``words`` (``{}`` and ``found()`` stand for files found under ``under``) as
    the command that ``cause`` makes ``j``'s command start, wrappers and all.

    What it writes through a found file may be anything under ``under``; ``sweeps`` says
    that is the root or a home folder (catastrophic). A shell given a command string
    (``sh -c '...'``) is only looked into for deny and ask rules: a rule must spell the
    whole started command out to approve it."""
    # Imported here: programs imports the rule modules that call this.
    from agent.permissions.programs import effect_of
    from agent.permissions.shell_commands import Command
    from agent.permissions.shell_wrappers import unwrap

    marked = [Arg(w.text, True, w.index) if FOUND in w.text else w for w in words]
    unwrapped = unwrap(tuple(Word(w.text, w.dynamic) for w in marked))
    if not marked or unwrapped.shell_code is not None or unwrapped.problems:
        # Read as written, with the found files' placeholders in it (sh -c 'rm {}').
        literal = unwrap(tuple(Word(w.text, w.dynamic) for w in words)).shell_code
        code = literal.text if literal is not None and not literal.dynamic else ""
        spelled = [w for w in words if w.index >= 0]
        j.escalate(Effect.EXECUTE, reason, *cause, *spelled, launches=shell_commands(code))
        return
    inner = unwrapped.words
    inline = interpreter_problems(list(inner), []) if inner else []
    if inline:
        # Code on an interpreter's command line: no rule approves it, as at the top level.
        j.escalate(Effect.EXECUTE, f"{reason}: {inline[0]}")
        return
    dynamic = tuple(k for k, w in enumerate(inner) if w.dynamic)
    command = Command(tuple(w.text for w in inner), unwrapped.wrappers, (), "", j.cwd, dynamic)
    started = effect_of(command)
    only_found = all(FOUND in w.text for w in words if w.dynamic)
    if started.writes:
        j.write(*[w for w in started.writes if w != UNKNOWN], *under)
        if UNKNOWN in started.writes and not only_found:
            j.write(UNKNOWN)
        j.catastrophic = j.catastrophic or sweeps or started.catastrophic
    reads = [r for r in started.reads if r != UNKNOWN]
    if UNKNOWN in started.reads:
        reads += under if only_found else [UNKNOWN]
    j.read(*reads)
    j.contact(*started.hosts)
    indices = [w.index for w in words]
    contiguous = indices == list(range(indices[0], indices[0] + len(words)))
    slice_of = contiguous and indices[0] >= 0 and not unwrapped.wrappers
    j.escalate(
        Effect.EXECUTE,
        reason,
        *cause,
        *words[:1],
        launches=(started.invocation or Invocation(command.argv, started.effect),),
        separate=True,
        offset=indices[0] if slice_of else None,
    )


def run_string(j: Judgement, cause: list[Arg | None], code: Arg | None, reason: str) -> None:
    """``cause`` makes the command run ``code`` (a shell string, when known): an escalation
    only a rule spelling out ``cause`` and ``code`` approves."""
    launches = shell_commands(code.text) if code is not None and not code.dynamic else ()
    j.escalate(Effect.EXECUTE, reason, *cause, code, launches=launches)


def shell_commands(code: str) -> tuple[Invocation, ...]:
    """The commands in a shell string, for deny and ask rules (never for approval)."""
    if not code.strip():
        return ()
    # Imported here: programs imports the rule modules that call this.
    from agent.permissions.programs import effects
    from agent.permissions.shell import analyze

    return tuple(e.invocation for e in effects(analyze(code)) if e.invocation is not None)
