#!/usr/bin/env bash
# playground/build.sh — build the static playground into playground/dist/.
# Builds the WASM package first when wasm/pkg/web is missing (wasm/build.sh), and warns
# when it is older than the engine's sources (scripts/test.sh rebuilds it before), installs
# the pinned npm packages when node_modules is missing (npm ci), then type-checks and
# runs vite. Any cwd; idempotent. Deploy by copying dist/ to any static host.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

WASM="$REPO/wasm/pkg/web/meshverdict_wasm_bg.wasm"
if [ ! -f "$WASM" ]; then
  echo "playground/build.sh: building the WASM package (wasm/build.sh)"
  bash "$REPO/wasm/build.sh"
elif [ -n "$(find "$REPO/core" "$REPO/bindings" "$REPO/wasm/src" "$REPO/wasm/Cargo.toml" -newer "$WASM" -type f -print -quit 2>/dev/null)" ]; then
  echo "playground/build.sh: WARNING: the engine's sources are newer than wasm/pkg; run bash wasm/build.sh for a page with the current engine" >&2
fi

cd "$HERE"
if [ ! -d node_modules/vite ] || [ ! -d node_modules/@codemirror/view ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
echo "playground/build.sh: built $HERE/dist ($(du -sh dist | cut -f1))"
