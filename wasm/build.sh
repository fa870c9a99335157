#!/usr/bin/env bash
# wasm/build.sh — build the @meshverdict/wasm package into wasm/pkg/:
#   pkg/bundler  ES module importing the .wasm (webpack 5, Vite with a wasm plugin, …)
#   pkg/nodejs   CommonJS, loads the .wasm synchronously with fs (Node >= 18)
#   pkg/web      ES module with `init()` / `initSync()` (browsers without a bundler, Deno)
# Size-optimised release (scripts/wasm-build.sh: opt-level z, LTO, one codegen unit,
# panic abort, wasm-opt -Oz), then prints the .wasm size raw and gzipped.
# Any cwd; idempotent. Environment: everything scripts/wasm-build.sh reads.
set -euo pipefail

WASM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$WASM_DIR/.." && pwd)"
PKG="$WASM_DIR/pkg"
LIB=meshverdict_wasm
LIMIT_GZ=$((1536 * 1024))   # 1.5 MB gzipped: the budget

"$REPO/scripts/wasm-build.sh" "$WASM_DIR" "$PKG"

# Module type of each build, for Node and tools that look at the nearest package.json
# (wasm/package.json has no "type", so without these the ES builds would be read as
# CommonJS, and the nodejs build must stay CommonJS whatever a parent says).
printf '{\n  "type": "commonjs"\n}\n' >"$PKG/nodejs/package.json"
printf '{\n  "type": "module"\n}\n' >"$PKG/bundler/package.json"
printf '{\n  "type": "module"\n}\n' >"$PKG/web/package.json"
rm -f "$PKG"/*/.gitignore

for t in bundler nodejs web; do
  for f in "$LIB.js" "$LIB.d.ts" "${LIB}_bg.wasm"; do
    [ -f "$PKG/$t/$f" ] || { echo "build.sh: missing $PKG/$t/$f" >&2; exit 1; }
  done
done

WASM="$PKG/web/${LIB}_bg.wasm"
RAW=$(stat -c %s "$WASM")
GZ=$(gzip -9c "$WASM" | wc -c)
echo "meshverdict_wasm_bg.wasm: $RAW bytes raw, $GZ bytes gzip -9 ($(awk -v r="$RAW" -v g="$GZ" 'BEGIN{printf "%.0f KiB / %.0f KiB", r/1024, g/1024}'))"
if [ "$GZ" -gt "$LIMIT_GZ" ]; then
  echo "build.sh: the module is $GZ bytes gzipped, over the 1.5 MB budget ($LIMIT_GZ)" >&2
  exit 1
fi
