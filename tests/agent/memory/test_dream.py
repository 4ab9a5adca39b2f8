"""``harken memory dream``: a side run with only the memory tool and SessionSearch, on a
copy of memory; applied and logged with a dated diff when it ends well, and memory as
it was when it fails, is cancelled or another dream holds the lock."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent import paths
from agent.config import Config
from agent.memory.dream import (
    DreamBusy,
    DreamFailed,
    dream,
    dream_lock,
    last_dream,
    sessions_since,
    should_dream,
)
from agent.memory.folders import dream_dir, scopes_for
from agent.model import ModelClient
from tests.conftest import FAST_RETRY, TEST_KEY
from tests.processes import HANG_S
from tests.scripted_api import Failure, Reply, ScriptedAPI, text, tool_use

ROOT = Path(__file__).resolve().parents[3]
ONE = "---\nname: Standup\ndescription: when the standup is\ntype: project\n---\n"


def seed(workspace: Path) -> Path:
    folder = scopes_for(workspace).workspace
    folder.mkdir(parents=True)
    (folder / "standup.md").write_text(ONE + "The standup moved to 10:00 yesterday.\n")
    (folder / "standup-time.md").write_text(ONE + "Standup is at 10:00.\n")
    (folder / "MEMORY.md").write_text("- standup: standup.md\n- standup: standup-time.md\n")
    session_in(workspace, "s-old", "remember the standup moved to ten")
    return folder


def session_in(cwd: Path, session_id: str, prompt: str) -> Path:
    """A transcript of a session that ran in ``cwd`` and was given ``prompt``."""
    sessions = paths.sessions_dir()
    sessions.mkdir(parents=True, exist_ok=True)
    head = {"type": "session", "id": session_id, "started": "2026-03-01T09:00:00+00:00"}
    said = {"type": "prompt", "text": prompt, "at": "x"}
    path = sessions / f"{session_id}.jsonl"
    path.write_text(json.dumps(head | {"cwd": str(cwd)}) + "\n" + json.dumps(said) + "\n")
    return path


def tidy_steps() -> list[Reply]:
    return [
        Reply(
            [
                tool_use(
                    "memory", {"command": "delete", "path": "/memories/workspace/standup-time.md"}
                )
            ]
        ),
        Reply(
            [
                tool_use(
                    "memory",
                    {
                        "command": "str_replace",
                        "path": "/memories/workspace/standup.md",
                        "old_str": "yesterday",
                        "new_str": "on 2026-03-01",
                    },
                )
            ]
        ),
        Reply(
            [
                tool_use(
                    "memory",
                    {
                        "command": "str_replace",
                        "path": "/memories/workspace/MEMORY.md",
                        "old_str": "- standup: standup-time.md\n",
                        "new_str": "",
                    },
                )
            ]
        ),
    ]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def client(api: ScriptedAPI) -> ModelClient:
    return ModelClient(api_key=TEST_KEY, base_url=api.base_url, retry=FAST_RETRY)  # type: ignore[attr-defined]


async def test_a_dream_merges_notes_and_logs_every_change_with_a_diff(
    api: ScriptedAPI, workspace: Path
) -> None:
    folder = seed(workspace)
    api.script(*tidy_steps(), Reply([text("Merged the two standup notes.")]))
    model = client(api)

    report = await dream(model, Config(), workspace, today="2026-03-02")
    await model.aclose()

    assert sorted(p.name for p in folder.iterdir()) == ["MEMORY.md", "standup.md"]
    assert "moved to 10:00 on 2026-03-01" in (folder / "standup.md").read_text()
    assert (folder / "MEMORY.md").read_text() == "- standup: standup.md\n"
    assert report.log_path is not None and report.log_path.parent == dream_dir() / "log"
    log = report.log_path.read_text()
    assert "-The standup moved to 10:00 yesterday." in log
    assert "+The standup moved to 10:00 on 2026-03-01." in log
    assert "--- a/workspace/standup-time.md" in log and "+++ /dev/null" in log
    first = api.requests[0]
    assert sorted(t["name"] for t in first["tools"]) == ["SessionSearch", "memory"]
    assert "remember the standup moved to ten" in first["system"][0]["text"]
    assert "2026-03-02" in first["system"][0]["text"]
    assert not (dream_dir() / "dream.lock").exists()


async def test_a_dream_that_fails_leaves_memory_as_it_was(
    api: ScriptedAPI, workspace: Path
) -> None:
    folder = seed(workspace)
    before = snapshot(folder)
    api.script(*tidy_steps()[:2], Failure(400, "scripted refusal"))
    model = client(api)

    with pytest.raises(DreamFailed, match="memory is as it was"):
        await dream(model, Config(), workspace)
    await model.aclose()

    assert snapshot(folder) == before
    assert not (dream_dir() / "log").exists()
    assert not (dream_dir() / "dream.lock").exists()


async def test_a_cancelled_dream_leaves_memory_as_it_was(api: ScriptedAPI, workspace: Path) -> None:
    folder = seed(workspace)
    before = snapshot(folder)
    steps = tidy_steps()
    api.script(steps[0], Reply([text("Still thinking about it")], pause_after=3))
    model = client(api)

    running = asyncio.create_task(dream(model, Config(), workspace))
    assert await asyncio.to_thread(api.paused.wait, HANG_S)
    running.cancel()
    api.release()
    with pytest.raises(asyncio.CancelledError):
        await running
    await model.aclose()

    assert snapshot(folder) == before
    assert not (dream_dir() / "dream.lock").exists()


async def test_a_second_dream_waits_for_the_lock(api: ScriptedAPI, workspace: Path) -> None:
    seed(workspace)
    model = client(api)
    with dream_lock(), pytest.raises(DreamBusy, match="another dream is running"):
        await dream(model, Config(), workspace)
    await model.aclose()
    assert api.requests == []


def test_harken_memory_dream_runs_from_the_command_line(api: ScriptedAPI, workspace: Path) -> None:
    folder = seed(workspace)
    api.script(*tidy_steps(), Reply([text("Merged the two standup notes.")]))

    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli_memory", "memory", "dream", "--cwd", str(workspace)],
        cwd=ROOT,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "changed 3 file(s)" in done.stdout and "Merged the two standup notes." in done.stdout
    assert not (folder / "standup-time.md").exists()


def two_projects(tmp_path: Path) -> tuple[Path, Path]:
    """Project A, a repository whose session ran in a subfolder, and project B."""
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    (alpha / ".git").mkdir(parents=True)
    (alpha / "src").mkdir()
    beta.mkdir()
    session_in(alpha / "src", "s-alpha", "the alpha build uses meson")
    session_in(beta, "s-beta", "the beta deploy goes to kestrel")
    return alpha, beta


async def test_a_dream_sees_only_its_own_workspaces_sessions(
    api: ScriptedAPI, tmp_path: Path
) -> None:
    alpha, beta = two_projects(tmp_path)
    api.script(Reply([text("Nothing to merge in alpha.")]), Reply([text("Beta tidied.")]))
    model = client(api)

    await dream(model, Config(), alpha)
    await dream(model, Config(), beta)
    await model.aclose()

    alpha_prompt = api.requests[0]["system"][0]["text"]
    beta_prompt = api.requests[1]["system"][0]["text"]
    assert "alpha build uses meson" in alpha_prompt  # a subfolder's session is the repo's
    assert "kestrel" not in alpha_prompt
    assert "the beta deploy goes to kestrel" in beta_prompt  # not used up by alpha's dream
    assert "meson" not in beta_prompt and "(no new sessions)" not in beta_prompt


async def test_the_last_dream_is_kept_per_workspace_and_an_old_state_file_is_read(
    api: ScriptedAPI, tmp_path: Path
) -> None:
    alpha, beta = two_projects(tmp_path)
    for n in range(2, 6):
        session_in(beta, f"s-beta-{n}", f"beta session {n}")
    two_days_ago = time.time() - 48 * 3600
    dream_dir().mkdir(parents=True)
    (dream_dir() / "state.json").write_text(json.dumps({"last": two_days_ago}))

    assert last_dream(beta) == pytest.approx(two_days_ago)  # the old global time
    assert [p.stem for p in sessions_since(0, alpha)] == ["s-alpha"]
    assert should_dream(beta) and not should_dream(alpha)  # 5 sessions in beta, 1 in alpha

    api.script(Reply([text("Beta tidied.")]))
    model = client(api)
    await dream(model, Config(), beta)
    await model.aclose()

    assert not should_dream(beta)  # beta just dreamed
    assert last_dream(alpha) == pytest.approx(two_days_ago)  # alpha's time is untouched
    assert last_dream(beta) > two_days_ago


def test_a_failed_dream_says_once_that_memory_is_as_it_was(
    api: ScriptedAPI, workspace: Path
) -> None:
    folder = seed(workspace)
    before = snapshot(folder)
    api.script(Failure(400, "scripted refusal"))

    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli_memory", "memory", "dream", "--cwd", str(workspace)],
        cwd=ROOT,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert done.stderr.count("memory is as it was") == 1, done.stderr
    assert snapshot(folder) == before
