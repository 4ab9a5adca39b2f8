#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian/Ubuntu machine, then runs the
# linters and the whole test suite. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest -q "$@"
