#!/usr/bin/env bash
# python/test.sh — build and install the wheel (build.sh), then run the Python tests.
# Extra arguments go to pytest (e.g. `python/test.sh -k conformance -x`).
#
# Environment (see tests/): MESHVERDICT_RUST_RESULTS (the CLI's `conformance -o json`
# output; built and run here when unset), MESHVERDICT_SHARED_CASES, CI.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VENV="${MESHVERDICT_PYENV:-$REPO/target/pyenv}"

"$HERE/build.sh"
cd "$HERE"
exec "$VENV/bin/python" -m pytest -q "$HERE/tests" "$@"
