#!/usr/bin/env bash
# Sets Harken up (packaging/setup.sh) and starts it; arguments go to `harken`.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh
exec .venv/bin/harken "$@"
