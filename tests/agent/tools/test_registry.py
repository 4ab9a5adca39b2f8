"""default_tools(): the set the model sees, and a light import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent.tools import default_tools
from agent.tools.base import ToolError, ToolKind

ROOT = Path(__file__).resolve().parents[3]


def test_default_tools_have_unique_names_kinds_and_descriptions() -> None:
    tools = default_tools()
    names = [t.name for t in tools]
    assert names == [
        "Bash",
        "Glob",
        "Grep",
        "Read",
        "Edit",
        "Write",
        "WebFetch",
        "TodoWrite",
        "BashOutput",
        "KillShell",
        "memory",
        "SessionSearch",
        "Skill",
        "Undo",
        "AskUserQuestion",
    ]
    kinds = {t.name: t.kind for t in tools}
    assert kinds["Read"] is ToolKind.READ and kinds["Edit"] is ToolKind.WRITE
    assert kinds["Bash"] is ToolKind.EXECUTE and kinds["WebFetch"] is ToolKind.NETWORK
    assert kinds["TodoWrite"] is ToolKind.INTERNAL and kinds["memory"] is ToolKind.INTERNAL
    assert kinds["SessionSearch"] is ToolKind.READ
    for tool in tools:
        schema = tool.api_schema()
        if tool.name == "memory":  # Anthropic's typed tool: the API knows its schema
            assert schema == {"type": "memory_20250818", "name": "memory"}
        else:
            assert schema["input_schema"]["type"] == "object"
        assert 80 < len(tool.description) < 2000
    concurrent = {t.name for t in tools if t.concurrent}
    assert concurrent == {"Read", "Glob", "Grep", "WebFetch", "SessionSearch", "Skill"}


@pytest.mark.parametrize("raw", [{"file_path": 5}, {"file_path": "a", "limit": "many"}])
def test_bad_input_names_the_field(raw: dict) -> None:
    read = next(t for t in default_tools() if t.name == "Read")
    with pytest.raises(ToolError) as info:
        read.parse(raw)
    field = "limit" if "limit" in raw else "file_path"
    assert f"{field}:" in str(info.value)


def test_importing_the_tools_leaves_http_and_html_libraries_unloaded() -> None:
    code = (
        "import sys; from agent.tools import default_tools; default_tools(); "
        "heavy = {'httpx', 'markdownify', 'bs4', 'anthropic'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
