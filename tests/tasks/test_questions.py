"""A permission question in a task: the host's answer, or a refusal when nobody answers."""

from __future__ import annotations

import asyncio

from agent.events import PermissionAnswer, PermissionRequested
from agent.tasks.model import Task
from agent.tasks.runner import _answer

TASK = Task(id="t-1", name="n", prompt="p", cron="0 * * * *", cwd="/")


def question() -> PermissionRequested:
    future = asyncio.get_running_loop().create_future()
    return PermissionRequested("c1", "Bash", "rm x", {}, "writes", "high", None, future)


async def test_the_hosts_answer_is_used() -> None:
    event = question()

    async def allow(_event: PermissionRequested) -> PermissionAnswer:
        return PermissionAnswer(True)

    await _answer(event, allow, 60, TASK)
    assert (await event.wait()).allow


async def test_a_question_nobody_answers_is_refused_after_the_timeout() -> None:
    event = question()
    never = asyncio.Event()

    async def silent(_event: PermissionRequested) -> PermissionAnswer | None:
        await never.wait()  # the user is away: the notification is never clicked
        return None

    await _answer(event, silent, 0.01, TASK)
    answer = await event.wait()
    assert not answer.allow and "nobody answered" in answer.message


async def test_headless_refuses_at_once() -> None:
    event = question()
    await _answer(event, None, 60, TASK)
    answer = await event.wait()
    assert not answer.allow and "unattended" in answer.message
