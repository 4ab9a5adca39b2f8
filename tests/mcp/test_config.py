"""Where servers are configured, ${VAR} expansion, and trust of a project's exact set."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.mcp.config import load_servers, save_entry
from agent.mcp.trust import trust
from tests.mcp.conftest import project_servers, toolbox_entry, user_servers


def test_user_servers_load_with_variables_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOX_TOKEN", "s3cret")
    monkeypatch.delenv("UNSET_THING", raising=False)
    user_servers(
        {
            "box": toolbox_entry(env={"TOKEN": "${BOX_TOKEN}", "MODE": "${UNSET_THING:-quiet}"}),
            "web": {
                "type": "http",
                "url": "https://example.test/${UNSET_THING}mcp",
                "headers": {"Authorization": "Bearer ${BOX_TOKEN}"},
            },
            "old": {"type": "sse", "url": "http://127.0.0.1:9/sse"},
        }
    )

    loaded = load_servers(Path.cwd())

    servers = {s.name: s for s in loaded.servers}
    assert servers["box"].transport == "stdio"
    assert servers["box"].env == {"TOKEN": "s3cret", "MODE": "quiet"}
    assert servers["web"].transport == "http"
    assert servers["web"].url == "https://example.test/mcp"
    assert servers["web"].headers == {"Authorization": "Bearer s3cret"}
    assert servers["old"].transport == "sse"
    assert loaded.warnings == []


def test_bad_entries_are_warnings_and_the_rest_load() -> None:
    user_servers(
        {
            "ok": toolbox_entry(),
            "no command": {"command": "x"},
            "nocommand": {"args": ["x"], "type": "stdio"},
            "weird": {"type": "carrier-pigeon", "url": "x"},
        }
    )

    loaded = load_servers(Path.cwd())

    assert [s.name for s in loaded.servers] == ["ok"]
    assert len(loaded.warnings) == 3


def test_project_servers_wait_for_trust_of_exactly_that_set(workspace: Path) -> None:
    entries = {"box": toolbox_entry()}
    project_servers(workspace, entries)

    before = load_servers(workspace)
    assert before.servers == [] and [s.name for s in before.untrusted] == ["box"]

    trust(workspace, before.project_entries)
    assert [s.name for s in load_servers(workspace).servers] == ["box"]

    # A changed argument is a different program: asked again.
    project_servers(workspace, {"box": toolbox_entry(args=["/tmp/other.py"])})
    again = load_servers(workspace)
    assert again.servers == [] and [s.name for s in again.untrusted] == ["box"]

    # So is one more server beside a trusted one.
    project_servers(workspace, {**entries, "two": toolbox_entry()})
    assert load_servers(workspace).servers == []


def test_add_and_remove_keep_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text('{"mcpServers": {"keep": {"command": "k"}}, "other": 1}')

    save_entry(path, "box", toolbox_entry())
    assert save_entry(path, "keep", None)
    assert not save_entry(path, "missing", None)

    text = path.read_text()
    assert '"other": 1' in text and '"box"' in text and '"keep"' not in text


def test_an_unreadable_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text("{not json")

    with pytest.raises(ValueError):
        save_entry(path, "box", toolbox_entry())
    assert path.read_text() == "{not json"
