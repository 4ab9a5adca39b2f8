#!/usr/bin/env bash
# Builds the wheel and sdist, runs the artifact gate on them, and installs the wheel into
# a fresh virtual environment to check that `harken --version` and `--help` work there.
# Run by .ci/run after the tests (needs the .venv that tests/run.sh sets up).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

.venv/bin/python -m build --no-isolation --outdir "$out/dist" . >"$out/build.log" 2>&1 \
  || { cat "$out/build.log"; exit 1; }
.venv/bin/python packaging/check_artifacts.py "$out"/dist/*.whl "$out"/dist/*.tar.gz --source .

.venv/bin/python -m venv "$out/fresh"
"$out/fresh/bin/python" -m pip install -q --disable-pip-version-check "$out"/dist/*.whl
(cd "$out" && "$out/fresh/bin/harken" --version)
(cd "$out" && "$out/fresh/bin/harken" --help >/dev/null)
echo "release check: the wheel installs into a fresh environment and runs"
