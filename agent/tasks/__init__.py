"""Scheduled tasks: prompts that run on a cron schedule, each as its own session.

    model.Task, TaskError           one task as stored; the one-line error for people
    schedule.check_cron(expr)       a standard five-field cron expression that fires, or
                                    TaskError (croniter's extensions refused)
    schedule.next_run(task, now)    the slot the task waits for, local wall-clock time
                                    (in the past: due now)
    schedule.problem(task)          why a stored task cannot be used (cron, time, allow
                                    rule), or None: reported and skipped everywhere
    schedule.due(tasks, now)        the tasks to run now, each once however many slots
                                    it missed (suspend, shutdown)
    store.TaskStore                 tasks.json under the data dir: atomic writes, a lock
                                    around read-modify-write, a corrupt file never rewritten
    locks.workspace_lock(cwd)       one task at a time per workspace (across processes)
    locks.scheduler_lock(holder)    one scheduler at a time (``harken daemon``, the tray);
                                    the holder and its pid are written into the lock file
    runner.run_task(...)            run one task now as a new Session and record the result
                                    (store and journal); failures in a row back off
                                    (schedule.backoff) and notify the host once
    scheduler.serve(store, stop)    run due tasks, sleep until the next (at most to the
                                    next minute); a host's loop; a bad task is reported
                                    once and skipped; an unexpected error never ends it
    unattended.open_session(...)    the session of an unattended run: slow Bash calls go to
                                    the background after 15 s, host tools added
    proactive.ProactiveStore        per-folder proactive mode (off by default), daily cap
    ticks.TickLoop, serve_ticks     ``<tick>`` prompts while the user is away; Sleep;
                                    pause/resume for the host

A task runs with its own mode and ``--allow`` rules; the project's untrusted allow rules
stay off, as for any session started without a question. A permission question goes to the
host's ``ask`` callback (the tray will show a notification with Allow and Deny) and is
refused when nobody answers within ``question_timeout``; headless hosts pass no callback
and every question is refused at once. Either way the task goes on with that answer.

Imports: the standard library, ``croniter``, ``agent.journal`` and other ``agent`` modules
(``agent.session``, ``agent.tools.proactive`` and what they need only inside functions,
when a task or tick runs). Never ``desktop`` or ``audio``,
never Qt. Nothing heavy at import time: ``harken tasks list`` must start fast.
"""

from __future__ import annotations

from agent.tasks.model import Task, TaskError

__all__ = ["Task", "TaskError"]
