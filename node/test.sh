#!/usr/bin/env bash
# node/test.sh — build (build.sh), then run the Node tests and check the types.
#
#   node --test test/*.test.mjs   conformance (tests/cases + shared corpus, against the
#                                 Rust runner), tests/invalid, the API, the README snippet
#   tsc --noEmit                  the hand-written index.d.ts, the generated native.d.ts
#                                 and test/types.check.ts
#
# Environment: MESHVERDICT_SHARED_CASES (default ../shared/conformance/cases; missing is a
# failure with CI=true), MESHVERDICT_RUST_RESULTS (the output of `meshverdict conformance
# -o json tests/cases ../shared/conformance/cases`; without it the conformance test runs
# that command with `cargo run --release`). NODE_SKIP_BUILD=1 skips build.sh.
# Runnable from any folder.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

if [ "${NODE_SKIP_BUILD:-0}" != 1 ]; then
  "$HERE/build.sh"
fi
if ! command -v cargo >/dev/null && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"   # the conformance test may run the Rust CLI
fi

status=0
echo "[node/test.sh] tsc --noEmit"
node_modules/.bin/tsc --noEmit -p tsconfig.json || status=1
echo "[node/test.sh] node --test"
node --test test/*.test.mjs || status=1
exit "$status"
