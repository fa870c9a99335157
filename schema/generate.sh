#!/usr/bin/env bash
# schema/generate.sh — the host types, generated from the Rust serde types:
#   1. meshverdict.schema.json: `cargo run -p meshverdict-bindings --features schema --bin schema`
#      (schemars reads the serde attributes: rename_all, tag, flatten, skip_serializing_if);
#   2. meshverdict.d.ts: generate.mjs (json-schema-to-typescript, pinned in package.json),
#      which node/index.d.ts re-exports (node/build.sh copies it to node/schema.d.ts) and
#      wasm/src/lib.rs includes ahead of wasm/src/types.d.ts;
#   3. ../python/src/meshverdict/_schema.py: generate_python.py (TypedDicts), which
#      python/src/meshverdict/_api.py re-exports.
#
#   bash schema/generate.sh          # regenerate the three files
#   bash schema/generate.sh --check  # fail if any checked-in file is stale (node/test.sh runs it)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
cd "$HERE"
if ! command -v cargo >/dev/null && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--check" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$REPO" && cargo run --quiet -p meshverdict-bindings --features schema --bin schema -- "$tmp/meshverdict.schema.json")
  if ! cmp -s "$tmp/meshverdict.schema.json" meshverdict.schema.json; then
    diff -u meshverdict.schema.json "$tmp/meshverdict.schema.json" | head -40 >&2 || true
    echo "schema/meshverdict.schema.json is stale: run \`bash schema/generate.sh\`" >&2
    exit 1
  fi
  node generate.mjs --check
  if [ -f generate_python.py ]; then python3 generate_python.py --check; fi
  echo "schema: meshverdict.schema.json and the generated host types are up to date"
else
  (cd "$REPO" && cargo run --quiet -p meshverdict-bindings --features schema --bin schema)
  node generate.mjs
  if [ -f generate_python.py ]; then python3 generate_python.py; fi
  echo "schema: wrote meshverdict.schema.json, meshverdict.d.ts$( [ -f generate_python.py ] && echo ', ../python/src/meshverdict/_schema.py')"
fi
