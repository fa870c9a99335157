#!/usr/bin/env bash
# wasm/test.sh — build the package (wasm/build.sh), then run its tests:
#   node --test wasm/test/   conformance (tests/cases + the shared corpus, against the Rust
#                            runner), tests/invalid, the API and its argument errors,
#                            generated samples against Rust's answers, the README snippets
#                            (from the packed tarball in a fresh project: ESM, CommonJS,
#                            strict TypeScript, and the browser snippet in chromium), and the
#                            browser smoke test (skipped without /usr/bin/chromium)
#   tsc --noEmit             the .d.ts, against test/types.check.mts (node and bundler resolution)
# Any cwd; idempotent. Needs scripts/setup.sh (wasm toolchain; it also runs `npm ci` here).
# Environment: MESHVERDICT_RUST_RESULTS, MESHVERDICT_SHARED_CASES, MESHVERDICT_SAMPLES, CI (see test/);
# WASM_SKIP_BUILD=1 tests the existing wasm/pkg.
set -euo pipefail

WASM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$WASM_DIR/.." && pwd)"

if [ "${WASM_SKIP_BUILD:-0}" != 1 ]; then
  "$WASM_DIR/build.sh"
fi

# Dev dependencies (typescript, playwright-core): setup.sh installs them; do it here when
# it did not (or package.json changed since).
if [ ! -x "$WASM_DIR/node_modules/.bin/tsc" ] || [ ! -f "$WASM_DIR/node_modules/playwright-core/package.json" ] \
   || [ "$WASM_DIR/package.json" -nt "$WASM_DIR/node_modules/.package-lock.json" ]; then
  (cd "$WASM_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Generated clusters with Rust's answers, for the replay test (tests/test_samples.py,
# test/samples.test.mjs): written here unless MESHVERDICT_SAMPLES names a file.
if [ -z "${MESHVERDICT_SAMPLES:-}" ]; then
  export MESHVERDICT_SAMPLES="$REPO/target/samples.json"
  (cd "$REPO" && cargo run --quiet --release -p meshverdict --example sample -- 20 "$MESHVERDICT_SAMPLES")
fi

echo "== node --test wasm/test/"
(cd "$REPO" && node --test wasm/test/)

echo "== tsc --noEmit (nodenext and bundler resolution)"
"$WASM_DIR/node_modules/.bin/tsc" --noEmit -p "$WASM_DIR/tsconfig.json"
"$WASM_DIR/node_modules/.bin/tsc" --noEmit -p "$WASM_DIR/tsconfig.bundler.json"
echo "wasm/test.sh: all passed"
