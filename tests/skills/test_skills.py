"""Skills through the real ``harken ask``: only names and descriptions in the system
prompt, a skill's body (and folder, whose scripts run through Bash) loaded with the Skill
tool, a malformed SKILL.md costing one warning, and an untrusted project's skill never
offered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.hooks import trust
from agent.skills import discover_skills
from tests.e2e.conftest import harken as harken  # the fixture
from tests.hooks.conftest import result_text, tool_results
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

BODY_MARKER = "Group the changes by component and thank every contributor."


def write_skill(folder: Path, front_matter: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SKILL.md").write_text(f"---\n{front_matter}\n---\n{body}\n")
    return folder


def user_skills() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "harken" / "skills"


@pytest.fixture
def release_notes() -> Path:
    folder = write_skill(
        user_skills() / "release-notes",
        "name: release-notes\ndescription: >\n  Writes release notes\n  from the git history.",
        f"# Release notes\n{BODY_MARKER}\nRun scripts/collect.sh first.",
    )
    (folder / "scripts").mkdir()
    (folder / "scripts" / "collect.sh").write_text("git log --oneline\n")
    return folder


def system_text(request: dict) -> str:
    system = request["system"]
    return system if isinstance(system, str) else "\n".join(b["text"] for b in system)


def test_the_prompt_lists_a_skill_by_name_and_the_skill_tool_loads_its_body(
    api: ScriptedAPI, harken, release_notes: Path
) -> None:
    api.script(
        Reply([tool_use("Skill", {"skill": "release-notes"})]),
        Reply([text("Release notes written.")]),
    )

    result = harken("ask", "use the release-notes skill")

    assert result.returncode == 0, result.stderr
    first = api.requests[0]
    assert "- release-notes: Writes release notes from the git history." in system_text(first)
    assert BODY_MARKER not in system_text(first)
    # The next section (memory) starts after a blank line, as every other section does.
    assert "from the git history.\n\n# Memory" in system_text(first)
    assert "Skill" in [tool["name"] for tool in first["tools"]]
    [loaded] = tool_results(api, 1)
    assert not loaded.get("is_error")
    assert BODY_MARKER in result_text(loaded)
    assert str(release_notes) in result_text(loaded)
    assert "scripts/collect.sh" in result_text(loaded)


def test_a_malformed_skill_costs_one_warning_and_the_others_still_load(
    api: ScriptedAPI, harken, release_notes: Path
) -> None:
    write_skill(user_skills() / "broken", "description: no name here", "Body.")
    api.script(Reply([text("Hi.")]))

    result = harken("ask", "hello")

    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "broken" in line]
    assert len(warnings) == 1 and "no name" in warnings[0]
    assert "- release-notes:" in system_text(api.requests[0])


def test_an_untrusted_projects_skill_is_not_offered_until_trusted_then_its_script_runs(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    folder = write_skill(
        workspace / ".harken" / "skills" / "deploy",
        "name: deploy\ndescription: Deploys to production.",
        "Push to prod with scripts/ship.sh.",
    )
    (folder / "scripts").mkdir()
    (folder / "scripts" / "ship.sh").write_text("echo shipped-build-42\n")
    api.script(
        Reply([tool_use("Skill", {"skill": "deploy"})]),
        Reply([text("I cannot.")]),
    )

    result = harken("ask", "use the deploy skill")

    assert result.returncode == 0, result.stderr
    assert "deploy" not in system_text(api.requests[0])
    [refused] = tool_results(api, 1)
    assert refused["is_error"] is True
    assert "Push to prod" not in result_text(refused)
    assert "harken skills trust" in result.stderr

    loaded = discover_skills(workspace)  # what `harken skills trust` records on a yes
    trust.trust(workspace, trust.SKILLS, loaded.project_fingerprint)
    script = folder / "scripts" / "ship.sh"
    api.script(
        Reply([tool_use("Skill", {"skill": "deploy"})]),
        Reply([tool_use("Bash", {"command": f"sh '{script}'"})]),
        Reply([text("Deployed.")]),
    )

    result = harken("ask", "--mode", "bypass", "use the deploy skill")

    assert result.returncode == 0, result.stderr
    assert "- deploy: Deploys to production." in system_text(api.requests[2])
    [offered] = tool_results(api, 3)
    assert "Push to prod with scripts/ship.sh." in result_text(offered)
    assert str(folder) in result_text(offered)
    [ran] = tool_results(api, 4)  # the script runs through Bash, under the same gate
    assert "shipped-build-42" in result_text(ran)
