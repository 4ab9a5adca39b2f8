"""Open on a desktop where nothing is set up for the kind of thing asked: the model hears
that no application is set up for it, not the handler's bare "Operation not supported"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.desktop.test_desktop_tools_launch import harken_ask, last_result
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


@pytest.mark.real_display
def test_an_address_with_no_handler_says_no_application_is_set_up(
    api: ScriptedAPI, workspace: Path, isolated_env: Path
) -> None:
    if not shutil.which("gio") or shutil.which("xdg-open"):
        pytest.skip("written for gio as the handler (xdg-open words its failures its own way)")
    empty = isolated_env / "no-apps"
    empty.mkdir()
    api.script(
        Reply([tool_use("Open", {"target": "https://example.com"})]),
        Reply([tool_use("Open", {"target": "mailto:someone@example.com"})]),
        Reply([text("Done.")]),
    )

    result = harken_ask(api, workspace, "open example.com", XDG_DATA_DIRS=str(empty))

    assert result.returncode == 0, result.stderr
    web, mail = (last_result(r) for r in api.requests[1:3])
    assert web.startswith("No application is set up to open web addresses"), web
    assert "https://example.com" in web and not web.startswith("Could not open"), web
    assert mail.startswith("No application is set up to open mailto: links"), mail
