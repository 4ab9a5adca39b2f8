"""The bridge of the real tray app (Xvfb, tray, microphone of tests/desktop_env.sh), driven
by a real WebSocket client, against the scripted Messages API.

The handshake refuses bad credentials before any method runs; ``send`` reaches the API as
typed text and subscribers get the streamed text; a permission question is answered over
the bridge: the open dialog closes and the tool runs (allow) or does not (deny); an
observe token cannot send; malformed frames leave the app responsive; the editor's
context reaches the next request; bridge.json is removed when the app quits.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from agent.bridge_server import CONTROL, OBSERVE, issue_token
from agent.bridge_server.admin import new_token
from agent.bridge_server.rpc import BUSY, FORBIDDEN, NOT_FOUND
from agent.bridge_server.secret import load_secret
from tests.bridge_server.clients import BridgeClient, RpcFailure, wait_for_bridge
from tests.bridge_server.conftest import bearer, refusal
from tests.conftest import TEST_KEY
from tests.e2e.desktop_helpers import (
    NEEDS,
    HarkenApp,
    find_window,
    have_desktop_env,
    private_runtime_dir,
    screenshot,
    window_gone,
)
from tests.processes import HANG_S
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_display,
    pytest.mark.skipif(not have_desktop_env(), reason=NEEDS),
]


def last_text(request: dict[str, Any]) -> str:
    content = request["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content if b.get("type") == "text")


async def answer_over_bridge(
    client: BridgeClient, decision: str, shot: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Wait for the question and its dialog; answer over the bridge; the dialog closes."""
    asked = (await client.events_until("permission_requested"))[-1]
    window = await asyncio.to_thread(find_window, "Harken — allow")
    await asyncio.to_thread(screenshot, shot)
    status = await client.call("status")
    assert status["state"] == "waiting" and status["questions"] == [asked["request_id"]]
    with pytest.raises(RpcFailure) as busy:  # as the conversation window would refuse it
        await client.call("send", {"text": "and another thing"})
    assert busy.value.code == BUSY
    answer = {"request_id": asked["request_id"], "decision": decision}
    assert await client.call("permission.answer", answer) == answer
    assert await asyncio.to_thread(window_gone, window), "the dialog stayed open"
    with pytest.raises(RpcFailure) as again:  # the first answer won
        await client.call("permission.answer", answer)
    assert again.value.code == NOT_FOUND
    return asked, await client.events_until("turn_finished")


async def until_idle(client: BridgeClient) -> None:
    """Until the app's status says idle (bounded: only a hang takes HANG_S)."""
    async with asyncio.timeout(HANG_S):
        while (await client.call("status"))["state"] != "idle":  # noqa: ASYNC110 (a server)
            await asyncio.sleep(0.1)


async def test_the_tray_app_is_driven_over_its_bridge(
    api: ScriptedAPI, isolated_env: Path, workspace: Path, tmp_path: Path
) -> None:
    config = isolated_env / "xdg_config_home" / "harken"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("sound_cues = false\nspeak_summaries = false\n")
    env = {
        **os.environ,
        **private_runtime_dir(tmp_path),
        "ANTHROPIC_API_KEY": TEST_KEY,
        "ANTHROPIC_BASE_URL": api.base_url,  # type: ignore[attr-defined]
        "QT_QPA_PLATFORM": "xcb",
        "HARKEN_SPEECH_OUT": str(tmp_path / "speech"),
    }
    path = Path(env["XDG_RUNTIME_DIR"]) / "harken" / "bridge.json"
    log = isolated_env / "xdg_state_home" / "harken" / "log" / "harken.log"
    api.script(
        Reply([text("Hello from the tray.")]),
        Reply([tool_use("Write", {"file_path": "notes.txt", "content": "Buy milk.\n"})]),
        Reply([text("Created notes.txt.")]),
        Reply([tool_use("Write", {"file_path": "later.txt", "content": "Later.\n"})]),
        Reply([text("I did not create it.")]),
        Reply([text("It sums the items.")]),
    )
    app = HarkenApp(env, workspace, log)
    await asyncio.to_thread(app.start)
    try:
        assert app.process is not None
        info = await wait_for_bridge(path, app.process.pid)
        url, token = info["url"], info["token"]

        # Who gets in.
        assert await refusal(url, {}) == 401
        assert await refusal(url, bearer(issue_token("x" * 43, CONTROL))) == 401
        assert await refusal(url, bearer(issue_token(load_secret(), CONTROL, -60))) == 401
        assert await refusal(url, bearer(token), origin="https://evil.example") == 403
        async with BridgeClient.open(url, new_token(OBSERVE)) as observer:
            assert (await observer.call("status"))["host"] == "tray"
            with pytest.raises(RpcFailure) as refused:
                await observer.call("send", {"text": "delete everything"})
            assert refused.value.code == FORBIDDEN
        assert api.requests == []

        async with BridgeClient.open(url, token) as client:
            # Malformed frames first: the app answers each and goes on.
            for _ in range(50):
                for frame in ("{oops", b"\x00", "[]", '{"jsonrpc": "2.0", "id": 1}'):
                    assert "error" in await client.raw(frame)
            status = await client.call("status")
            assert status["state"] == "idle" and status["workspace"] == str(workspace)

            # send + subscribe.
            await client.call("subscribe")
            sent = await client.call("send", {"text": "say hello"})
            events = await client.events_until("turn_finished")
            assert last_text(api.requests[0]) == "say hello"
            deltas = [e["text"] for e in events if e["kind"] == "text_delta"]
            assert len(deltas) > 1 and "".join(deltas) == "Hello from the tray."
            assert events[-1]["session_id"] == sent["session_id"]

            # A question answered over the bridge: allow, then deny.
            await client.call("send", {"text": "note: buy milk"})
            _, events = await answer_over_bridge(client, "allow", "bridge-01-dialog.png")
            assert (workspace / "notes.txt").read_text() == "Buy milk.\n"
            assert next(e for e in events if e["kind"] == "tool_finished")["is_error"] is False

            await client.call("send", {"text": "one more for later"})
            _, events = await answer_over_bridge(client, "deny", "bridge-02-dialog.png")
            assert not (workspace / "later.txt").exists()
            assert next(e for e in events if e["kind"] == "tool_finished")["is_error"] is True

            # The editor's context rides with the next request.
            context = {
                "file": "src/shop.py",
                "selection": {"start_line": 3, "end_line": 4, "text": "return sum(items)"},
                "open_files": ["src/shop.py"],
            }
            assert await client.call("ide.context", context) == {}
            await client.call("send", {"text": "what does this do?"})
            await client.events_until("turn_finished")
            sent_text = last_text(api.requests[5])
            assert "what does this do?" in sent_text and "<ide-context>" in sent_text
            assert "return sum(items)" in sent_text
            assert "IdeContext" in [t["name"] for t in api.requests[5]["tools"]]

            # Push-to-talk, as the hotkey: the microphone records until the release.
            await client.call("ptt", {"action": "press"})
            assert (await client.call("status"))["state"] == "listening"
            await client.call("ptt", {"action": "release"})
            await until_idle(client)  # a silent take: nothing heard, nothing sent
            assert len(api.requests) == 6
    finally:
        status = await asyncio.to_thread(app.quit)
    assert status == 0, app.tail()
    assert "Traceback" not in app.log_text(), app.tail()
    assert not path.exists(), "bridge.json outlived the app"
