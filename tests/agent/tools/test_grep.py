"""Grep: the same results from ripgrep and from the Python fallback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from agent.tools import grep
from agent.tools.context import ToolContext
from agent.tools.grep import GREP

from .conftest import Call

HAVE_RG = shutil.which("rg") is not None


@pytest.fixture(
    params=[
        pytest.param("rg", marks=pytest.mark.skipif(not HAVE_RG, reason="ripgrep not installed")),
        "python",
    ]
)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with ripgrep, then with the Python fallback."""
    if request.param == "python":
        monkeypatch.setattr(grep, "RG", "harken-no-such-ripgrep")
    return request.param


@pytest.fixture
def tree(ctx: ToolContext) -> Path:
    """A small project: sources, docs, a binary, ignored and .git files."""
    ws = ctx.workspace
    files = {
        "src/app.py": "import os\n\ndef main():\n    print('Hello world')\n    return 0\n",
        "src/util.py": "def helper():\n    return 'hello'\n",
        "src/web/page.js": "const msg = 'hello from js';\n",
        "docs/guide.md": "# Guide\nSay HELLO to everyone.\n",
        "build/out.py": "hello = 'generated'\n",
        ".git/config": "hello in git\n",
        ".gitignore": "build/\n",
    }
    for rel, text in files.items():
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (ws / "data.bin").write_bytes(b"hello\0\x01\x02")
    for n, rel in enumerate(["docs/guide.md", "src/util.py", "src/app.py", "src/web/page.js"]):
        os.utime(ws / rel, (1_000 + n, 1_000 + n))
    return ws


async def test_grep_lists_matching_files_newest_first(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern="hello")
    assert out.text().splitlines() == [
        "Found 2 files",
        str(tree / "src/web/page.js"),
        str(tree / "src/util.py"),
    ]


async def test_grep_skips_git_binary_and_gitignored_files(
    backend: str, tree: Path, call: Call
) -> None:
    out = await call(GREP, pattern="hello", **{"-i": True})
    assert ".git" not in out.text()
    assert "data.bin" not in out.text()
    assert "build" not in out.text()
    assert "Found 4 files" in out.text()


async def test_grep_content_mode_shows_path_line_number_and_text(
    backend: str, tree: Path, call: Call
) -> None:
    out = await call(GREP, pattern=r"def \w+", output_mode="content")
    assert out.text().splitlines() == [
        f"{tree}/src/app.py:3:def main():",
        f"{tree}/src/util.py:1:def helper():",
    ]


async def test_grep_content_without_line_numbers(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern="helper", output_mode="content", **{"-n": False})
    assert out.text() == f"{tree}/src/util.py:def helper():"


async def test_grep_context_lines_are_marked_and_groups_separated(
    backend: str, tree: Path, call: Call
) -> None:
    out = await call(
        GREP, pattern="main|return 0", output_mode="content", path="src/app.py", **{"-C": 1}
    )
    app = tree / "src/app.py"
    assert out.text().splitlines() == [
        f"{app}-2-",
        f"{app}:3:def main():",
        f"{app}-4-    print('Hello world')",
        f"{app}:5:    return 0",
    ]
    out = await call(
        GREP, pattern="import|return", output_mode="content", path="src", **{"-A": 0, "-B": 0}
    )
    assert len(out.text().splitlines()) == 3


async def test_grep_separates_distant_groups(backend: str, tree: Path, call: Call) -> None:
    (tree / "long.txt").write_text("\n".join(["match", "a", "b", "c", "d", "match"]) + "\n")
    out = await call(GREP, pattern="match", output_mode="content", path="long.txt", **{"-A": 1})
    long = tree / "long.txt"
    assert out.text().splitlines() == [f"{long}:1:match", f"{long}-2-a", "--", f"{long}:6:match"]


async def test_grep_count_mode_counts_matching_lines(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern="return", output_mode="count")
    assert out.text().splitlines() == [
        "Found 2 matching lines in 2 files",
        f"{tree}/src/app.py:1",
        f"{tree}/src/util.py:1",
    ]


async def test_grep_case_insensitive(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern="hello", path="docs", **{"-i": True})
    assert str(tree / "docs/guide.md") in out.text()
    out = await call(GREP, pattern="hello", path="docs")
    assert out.text() == "No matches found."


async def test_grep_glob_and_type_filters(backend: str, tree: Path, call: Call) -> None:
    by_glob = await call(GREP, pattern="hello", glob="*.js")
    assert by_glob.text().splitlines()[1:] == [str(tree / "src/web/page.js")]
    by_type = await call(GREP, pattern="hello", type="py")
    assert by_type.text().splitlines()[1:] == [str(tree / "src/util.py")]
    braces = await call(GREP, pattern="hello", glob="*.{js,md}", **{"-i": True})
    assert braces.text().splitlines()[0] == "Found 2 files"


async def test_grep_multiline_pattern_spans_lines(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern=r"main\(\):.*?print", output_mode="content", multiline=True)
    app = tree / "src/app.py"
    assert out.text().splitlines() == [
        f"{app}:3:def main():",
        f"{app}:4:    print('Hello world')",
    ]
    single = await call(GREP, pattern=r"main\(\):.*?print", output_mode="content")
    assert single.text() == "No matches found."


async def test_grep_head_limit_keeps_first_entries(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern="hello", head_limit=1, **{"-i": True})
    lines = out.text().splitlines()
    assert lines[0] == "Found 4 files"
    assert lines[1] == str(tree / "src/web/page.js")
    assert "3 more lines not shown" in lines[2]


async def test_grep_invalid_regex_is_an_error(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern="(unclosed")
    assert out.is_error


async def test_grep_unknown_type_is_an_error(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern="x", type="nosuchtype")
    assert out.is_error


async def test_grep_missing_path_is_an_error(backend: str, tree: Path, call: Call) -> None:
    out = await call(GREP, pattern="x", path="nowhere")
    assert out.is_error
    assert "does not exist" in out.text()


@pytest.mark.skipif(not HAVE_RG, reason="ripgrep not installed")
async def test_backends_give_identical_output(
    tree: Path, call: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = [
        {"pattern": "hello", "-i": True},
        {"pattern": "e", "output_mode": "content", "-B": 1},
        {"pattern": "[a-z]+\\(", "output_mode": "count"},
        {"pattern": "o", "output_mode": "content", "glob": "src/**", "-n": False},
    ]
    with_rg = [(await call(GREP, **q)).text() for q in queries]
    monkeypatch.setattr(grep, "RG", "harken-no-such-ripgrep")
    with_python = [(await call(GREP, **q)).text() for q in queries]
    assert with_python == with_rg


def test_grep_schema_uses_flag_names_and_accepts_both_spellings() -> None:
    props = GREP.api_schema()["input_schema"]["properties"]
    assert {"-i", "-n", "-A", "-B", "-C"} <= set(props)
    assert GREP.parse({"pattern": "x", "-i": True}).ignore_case
    assert GREP.parse({"pattern": "x", "ignore_case": True}).ignore_case


def test_grep_describe(ctx: ToolContext) -> None:
    params = GREP.parse({"pattern": "foo", "path": "src"})
    assert GREP.describe(params, ctx) == "Searching for 'foo' in src"
