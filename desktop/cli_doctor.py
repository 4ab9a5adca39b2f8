"""``harken doctor [--json]``: check what Harken needs, each result with its fix.

Human output is one line per check (status, title, what was found) and an indented
``fix:`` line under anything not ok. ``--json`` prints one object instead:

    {"ok": true,                     false when any check failed
     "checks": [{"name": "api_key",  stable id (api_key, microphone, whisper, speech,
                                     tray, hotkey, sandbox), in that order
                 "title": "API key", for people
                 "status": "ok",     ok | warning | fail
                 "detail": "...",    what was found, one line
                 "fix": ""}, ...]}   what to do, one line ("" when there is nothing to do)

Exit status 0 when nothing failed (warnings allowed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

EXIT_OK, EXIT_FAILED = 0, 1


def add_commands(commands: Any) -> None:
    doctor = commands.add_parser("doctor", help="check the key, microphone, speech, tray, ...")
    doctor.add_argument("--json", action="store_true", help="print one JSON object")
    doctor.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    from agent.config import load_config
    from desktop.doctor import FAIL, run_checks

    config = load_config()
    for problem in config.problems:
        print(f"harken: warning: {problem}", file=sys.stderr)
    if not args.json:
        print("Checking; the microphone records for a second, so say something.", file=sys.stderr)
    results = []
    for check in run_checks(config, os.environ):
        results.append(check)
        if not args.json:
            print_check(check)
    failed = any(check.status == FAIL for check in results)
    if args.json:
        checks = [check.as_dict() for check in results]
        print(json.dumps({"ok": not failed, "checks": checks}, ensure_ascii=False))
    else:
        print(summary(results))
    return EXIT_FAILED if failed else EXIT_OK


def print_check(check: Any) -> None:
    print(f"{check.status:<8} {check.title:<14} {check.detail}", flush=True)
    if check.fix and check.status != "ok":
        print(f"{'':<8} {'':<14} fix: {check.fix}", flush=True)


def summary(results: list[Any]) -> str:
    failed = sum(check.status == "fail" for check in results)
    warned = sum(check.status == "warning" for check in results)
    if not failed and not warned:
        return "Everything Harken needs works."
    parts = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((failed, "failure"), (warned, "warning"))
        if n
    ]
    return ", ".join(parts) + "."
