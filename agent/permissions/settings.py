"""Where rules come from, and the trust a project must earn before its allow rules count.

    $XDG_CONFIG_HOME/harken/permissions.json   the user's own rules (Harken writes here)
        {"allow": [...], "ask": [...], "deny": [...],
         "workspaces": {"/abs/folder": {"allow": [...], "ask": [...], "deny": [...],
                                        "trusted_project_rules": "<hash>"}}}
    command-line flags                         --allow / --ask / --deny
    <workspace>/.harken/settings.json          the project's: {"permissions": {...}}

A cloned repository must not grant itself permissions: the project's deny and ask rules
always apply, its allow rules only once the user has trusted exactly that set of rules.
Nothing in a project can change the mode or the API endpoint: such keys are ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import paths
from agent.errors import ConfigError
from agent.json_file import read_json_object
from agent.permissions.rules import Rule, Source, parse_rule
from agent.tools.files import atomic_write

log = logging.getLogger(__name__)

PROJECT_FILE = Path(".harken") / "settings.json"
KINDS = ("deny", "ask", "allow")


@dataclass
class RuleSet:
    deny: list[Rule] = field(default_factory=list)
    ask: list[Rule] = field(default_factory=list)
    allow: list[Rule] = field(default_factory=list)

    def add(self, kind: str, rule: Rule) -> None:
        getattr(self, kind).append(rule)


@dataclass
class LoadedRules:
    rules: RuleSet
    # The project's allow rules, waiting for the user's trust (not in effect).
    untrusted_allow: list[Rule] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def store_path() -> Path:
    return paths.config_dir() / "permissions.json"


def load_rules(
    workspace: Path,
    *,
    cli: dict[str, list[str]] | None = None,
    store: Path | None = None,
) -> LoadedRules:
    """Every rule in effect for ``workspace``, with problems reported, never raised."""
    workspace = Path(os.path.realpath(workspace))
    loaded = LoadedRules(RuleSet())
    user = _read_json(store or store_path(), loaded.warnings)
    _add_rules(loaded, user, Source.USER)
    per_workspace = (user.get("workspaces") or {}).get(str(workspace)) or {}
    _add_rules(loaded, per_workspace, Source.WORKSPACE)
    _add_rules(loaded, cli or {}, Source.CLI)

    project_file = workspace / PROJECT_FILE
    if project_file.is_file():
        project = _read_json(project_file, loaded.warnings)
        ignored = sorted(k for k in project if k not in ("permissions", "hooks"))
        if ignored:
            loaded.warnings.append(
                f"{project_file}: ignored {', '.join(ignored)}: a project cannot change "
                "Harken's mode, model or API endpoint"
            )
        section = project.get("permissions") or {}
        ignored = sorted(k for k in section if k not in KINDS)
        if ignored:
            loaded.warnings.append(
                f"{project_file}: ignored permissions.{', permissions.'.join(ignored)}"
            )
        project_rules = LoadedRules(RuleSet())
        _add_rules(project_rules, section, Source.PROJECT)
        loaded.warnings += project_rules.warnings
        loaded.rules.deny += project_rules.rules.deny
        loaded.rules.ask += project_rules.rules.ask
        allow = project_rules.rules.allow
        if allow and per_workspace.get("trusted_project_rules") == rules_hash(allow):
            loaded.rules.allow += allow
        else:
            loaded.untrusted_allow = allow
    return loaded


def rules_hash(rules: list[Rule]) -> str:
    """A fingerprint of a set of rules: trust covers exactly the rules that were shown."""
    text = "\n".join(sorted(r.text for r in rules))
    return hashlib.sha256(text.encode()).hexdigest()


def trust_project(workspace: Path, allow: list[Rule], store: Path | None = None) -> None:
    """Record that the user trusts the project's current allow rules for ``workspace``."""
    _update_workspace(
        workspace, store, lambda entry: entry.update(trusted_project_rules=rules_hash(allow))
    )


def save_rule(workspace: Path, kind: str, rule_text: str, store: Path | None = None) -> None:
    """Add a rule to the user's own settings for ``workspace`` (e.g. "always allow")."""
    parse_rule(rule_text)  # never store what cannot be read back

    def add(entry: dict[str, Any]) -> None:
        rules = entry.setdefault(kind, [])
        if rule_text not in rules:
            rules.append(rule_text)

    _update_workspace(workspace, store, add)


def _update_workspace(workspace: Path, store: Path | None, change: Any) -> None:
    path = store or store_path()
    problems: list[str] = []
    data = _read_json(path, problems)
    if problems and path.exists():
        # Never overwrite a file we could not read: the user's rules would be lost.
        raise ConfigError(problems[0])
    entry = data.setdefault("workspaces", {}).setdefault(str(os.path.realpath(workspace)), {})
    change(entry)
    atomic_write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())


def _read_json(path: Path, warnings: list[str]) -> dict[str, Any]:
    return read_json_object(path, warnings) or {}


def _add_rules(loaded: LoadedRules, section: dict[str, Any], source: Source) -> None:
    for kind in KINDS:
        texts = section.get(kind) or []
        if not isinstance(texts, list):
            loaded.warnings.append(f"{source}: {kind} must be a list of rules")
            continue
        for text in texts:
            try:
                loaded.rules.add(kind, parse_rule(str(text), source))
            except ConfigError as exc:
                loaded.warnings.append(f"{source}: {exc}")
