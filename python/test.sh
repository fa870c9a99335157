#!/usr/bin/env bash
# python/test.sh — build and install the wheel (build.sh), then run the Python tests.
# Extra arguments go to pytest (e.g. `python/test.sh -k conformance -x`).
#
# Environment (see tests/): MESHVERDICT_RUST_RESULTS (the CLI's `conformance -o json`
# output; built and run here when unset), MESHVERDICT_SHARED_CASES, MESHVERDICT_SAMPLES
# (generated clusters with Rust's answers; written here when unset), CI.
#
# Besides the API: mypy.stubtest and mypy --strict (tests/test_typing.py), and the wheel
# installed into a fresh venv, its README snippet run and type-checked there, its CLI run
# (tests/test_wheel.py).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VENV="${MESHVERDICT_PYENV:-$REPO/target/pyenv}"

# The TypedDicts generated from schema/meshverdict.schema.json are up to date (the schema
# itself is checked against the Rust types by node/test.sh: schema/generate.sh --check).
python3 "$REPO/schema/generate_python.py" --check

"$HERE/build.sh"

# Generated clusters with Rust's answers, for the replay test (tests/test_samples.py,
# test/samples.test.mjs): written here unless MESHVERDICT_SAMPLES names a file.
if [ -z "${MESHVERDICT_SAMPLES:-}" ]; then
  export MESHVERDICT_SAMPLES="$REPO/target/samples.json"
  (cd "$REPO" && cargo run --quiet --release -p meshverdict --example sample -- 20 "$MESHVERDICT_SAMPLES")
fi
cd "$HERE"
exec "$VENV/bin/python" -m pytest -q "$HERE/tests" "$@"
