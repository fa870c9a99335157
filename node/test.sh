#!/usr/bin/env bash
# node/test.sh — build (build.sh), then run the Node tests and check the types.
#
#   node --test test/*.test.mjs   conformance (tests/cases + shared corpus, against the
#                                 Rust runner), tests/invalid, the API and its argument
#                                 errors, the platform loader, fromPath, generated samples
#                                 against Rust's answers, the README snippet, and the
#                                 packed tarballs in a fresh project (ESM, CommonJS, strict
#                                 TypeScript)
#   schema/generate.sh --check    schema/meshverdict.schema.json and the types generated
#                                 from it match the Rust types
#   tsc --noEmit                  index.d.ts, the generated schema.d.ts and native.d.ts,
#                                 and test/types.check.ts
#
# Environment: MESHVERDICT_SHARED_CASES (default ../shared/conformance/cases; missing is a
# failure with CI=true), MESHVERDICT_RUST_RESULTS (the output of `meshverdict conformance
# -o json tests/cases ../shared/conformance/cases`; without it the conformance test runs
# that command with `cargo run --release`), MESHVERDICT_SAMPLES (generated clusters with
# Rust's answers; written here when unset). NODE_SKIP_BUILD=1 skips build.sh.
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
REPO="$(cd "$HERE/.." && pwd)"

# Generated clusters with Rust's answers, for the replay test (tests/test_samples.py,
# test/samples.test.mjs): written here unless MESHVERDICT_SAMPLES names a file.
if [ -z "${MESHVERDICT_SAMPLES:-}" ]; then
  export MESHVERDICT_SAMPLES="$REPO/target/samples.json"
  (cd "$REPO" && cargo run --quiet --release -p meshverdict --example sample -- 20 "$MESHVERDICT_SAMPLES")
fi

status=0
echo "[node/test.sh] the generated types are fresh (schema/generate.sh --check)"
bash "$REPO/schema/generate.sh" --check || status=1
cp "$REPO/schema/meshverdict.d.ts" schema.d.ts
echo "[node/test.sh] tsc --noEmit"
node_modules/.bin/tsc --noEmit -p tsconfig.json || status=1
echo "[node/test.sh] node --test"
node --test test/*.test.mjs || status=1
exit "$status"
