"""``harken hooks`` and ``harken skills``: what is configured, from where, and trust.

    harken hooks list [--json] [--cwd DIR]     each hook: event, matcher, timeout, command,
                                               the file it comes from, trusted or not
    harken hooks trust [--yes] [--cwd DIR]     trust this folder's project hooks
    harken skills list [--json] [--cwd DIR]    each skill: name, source, description, folder
    harken skills trust [--yes] [--cwd DIR]    trust this folder's project skills

JSON: ``hooks list`` prints a list of ``{"event", "matcher", "command", "timeout",
"source", "file", "trusted"}``; ``skills list`` a list of ``{"name", "description",
"source", "folder", "trusted"}``. Problems in the files go to stderr as warnings.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1


def add_commands(commands: Any) -> None:
    """Add ``hooks`` and ``skills`` to the ``harken`` subparsers ``commands``."""
    for name, lister, truster in (
        ("hooks", run_hooks_list, run_hooks_trust),
        ("skills", run_skills_list, run_skills_trust),
    ):
        parser = commands.add_parser(name, help=f"the {name} Harken uses: list, trust")
        actions = parser.add_subparsers(dest=f"{name}_action", metavar="ACTION", required=True)
        listing = actions.add_parser("list", help=f"the configured {name} and where from")
        listing.add_argument("--json", action="store_true", help="a JSON list")
        listing.add_argument("--cwd", type=Path, help="the workspace (default: here)")
        listing.set_defaults(handler=lister)
        trust = actions.add_parser("trust", help=f"trust this folder's project {name}")
        trust.add_argument("--cwd", type=Path, help="the project folder (default: here)")
        trust.add_argument("--yes", action="store_true", help="do not ask")
        trust.set_defaults(handler=truster)


def _workspace(args: argparse.Namespace) -> Path:
    return (args.cwd or Path.cwd()).expanduser().resolve()


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"harken: warning: {warning}", file=sys.stderr)


def run_hooks_list(args: argparse.Namespace) -> int:
    from agent.hooks import load_hooks
    from agent.hooks.config import user_file

    loaded = load_hooks(_workspace(args))
    _warn(loaded.warnings)
    rows = [(hook, True) for hook in loaded.hooks] + [(hook, False) for hook in loaded.untrusted]
    if args.json:
        listed = [
            {
                "event": hook.event,
                "matcher": hook.matcher,
                "command": hook.command,
                "timeout": hook.timeout_s,
                "source": hook.source,
                "file": str(hook.origin),
                "trusted": trusted,
            }
            for hook, trusted in rows
        ]
        print(json.dumps(listed, indent=2, ensure_ascii=False))
        return EXIT_OK
    for path in loaded.unreadable:
        print(f"harken: could not read {path}: its hooks are not listed.", file=sys.stderr)
    if not rows:
        if loaded.unreadable:
            return EXIT_FAILED
        print(f"No hooks configured. Yours go in {user_file()}, a project's under")
        print('"hooks" in its .harken/settings.json.')
        return EXIT_OK
    origin = None
    for hook, trusted in rows:
        if hook.origin != origin:
            origin = hook.origin
            state = "" if trusted else ", not trusted: run `harken hooks trust` there"
            print(f"{origin} ({hook.source}{state}):")
        matcher = hook.matcher or "*"
        print(f"  {hook.event} [{matcher}] ({hook.timeout_s:g} s): {hook.command}")
    return EXIT_OK


def run_hooks_trust(args: argparse.Namespace) -> int:
    from agent.hooks import load_hooks, trust

    workspace = _workspace(args)
    loaded = load_hooks(workspace)
    _warn(loaded.warnings)
    if not loaded.untrusted:
        print("Nothing to trust: this folder's project settings run no new hooks.")
        return EXIT_OK
    print(f"{workspace}/.harken/settings.json wants to run:")
    for hook in loaded.untrusted:
        print(f"  {hook.event} [{hook.matcher or '*'}]: {hook.command}")
    if not _confirm(args, "Trust these hooks for this folder?"):
        return EXIT_FAILED
    trust.trust(workspace, trust.HOOKS, loaded.project_fingerprint)
    print("Trusted.")
    return EXIT_OK


def run_skills_list(args: argparse.Namespace) -> int:
    from agent.skills import discover_skills
    from agent.skills.discover import user_dir

    loaded = discover_skills(_workspace(args))
    _warn(loaded.warnings)
    rows = [(s, True) for s in loaded.skills] + [(s, False) for s in loaded.untrusted]
    if args.json:
        listed = [
            {
                "name": skill.name,
                "description": skill.description,
                "source": skill.source,
                "folder": str(skill.folder),
                "trusted": trusted,
            }
            for skill, trusted in rows
        ]
        print(json.dumps(listed, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print(
            f"No skills found. A skill is a folder with a SKILL.md: yours go in "
            f"{user_dir()}/<name>/, a project's in .harken/skills/<name>/."
        )
        return EXIT_OK
    for skill, trusted in rows:
        state = "" if trusted else ", not trusted: run `harken skills trust` there"
        print(f"{skill.name} ({skill.source}{state}) {skill.folder}")
        print(f"  {skill.description}")
    return EXIT_OK


def run_skills_trust(args: argparse.Namespace) -> int:
    from agent.hooks import trust
    from agent.skills import discover_skills

    workspace = _workspace(args)
    loaded = discover_skills(workspace)
    _warn(loaded.warnings)
    if not loaded.untrusted:
        print("Nothing to trust: this folder offers no new skills.")
        return EXIT_OK
    print(f"{workspace}/.harken/skills offers:")
    for skill in loaded.untrusted:
        print(f"  {skill.name}: {skill.description}")
    if not _confirm(args, "Trust these skills for this folder?"):
        return EXIT_FAILED
    trust.trust(workspace, trust.SKILLS, loaded.project_fingerprint)
    print("Trusted.")
    return EXIT_OK


def _confirm(args: argparse.Namespace, question: str) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        print("harken: run this on a terminal to answer (or pass --yes)", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
