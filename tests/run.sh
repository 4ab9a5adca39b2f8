#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian/Ubuntu machine, starts the virtual
# screen, tray host and microphone, then runs the linters and the whole test suite.
# Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
source tests/desktop_env.sh
.venv/bin/python -m pytest -q "$@"
