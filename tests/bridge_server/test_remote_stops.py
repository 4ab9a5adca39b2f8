"""``harken remote send --wait`` (stdout a pipe) when the answer stops short or a streamed
attempt is retried: the same words and exit status as ``harken ask``, and no fragment
of an abandoned attempt on stdout."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from tests.bridge_server.conftest import Daemon
from tests.e2e.conftest import harken_command
from tests.processes import HANG_S
from tests.scripted_api import Reply, ScriptedAPI, text

pytestmark = pytest.mark.e2e


async def send(prompt: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *harken_command(),
        "remote",
        "send",
        prompt,
        "--wait",
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), HANG_S)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_an_answer_cut_by_a_refusal_says_so_and_exits_1(
    daemon: Daemon, api: ScriptedAPI
) -> None:
    api.script(Reply([text("I can")], stop_reason="refusal"))
    code, out, err = await send("write it")

    assert code == 1
    assert out == "I can\n"
    assert "harken: the model declined to continue (refusal)" in err.splitlines()


async def test_a_retried_attempt_leaves_no_fragment_on_stdout(
    daemon: Daemon, api: ScriptedAPI
) -> None:
    api.script(
        Reply([text("partial answer here")], text_chunk=4, error_after=4),
        Reply([text("full answer.")]),
    )
    code, out, err = await send("go")

    assert code == 0, err
    assert out == "full answer.\n"
