#!/usr/bin/env bash
# wasm/build.sh — build the @meshverdict/wasm package into wasm/pkg/:
#   pkg/bundler  ES module importing the .wasm (webpack 5, Vite with a wasm plugin, …)
#   pkg/nodejs   CommonJS, loads the .wasm synchronously with fs (Node >= 18)
#   pkg/web      ES module with `init()` / `initSync()` (browsers without a bundler, Deno)
# Release build for speed (scripts/wasm-build.sh with opt-level 3, LTO, one codegen
# unit, panic abort, then wasm-opt -O3; MESHVERDICT_WASM_OPT=size for opt-level z and
# wasm-opt -Oz: see README "Size and speed"), then tools/finish.mjs (MeshverdictError
# exported by every build, module types), then prints the .wasm size raw and gzipped.
# Any cwd; idempotent. Environment: everything scripts/wasm-build.sh reads;
# MESHVERDICT_WASM_OPT=speed (default) | size.
set -euo pipefail

WASM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$WASM_DIR/.." && pwd)"
PKG="$WASM_DIR/pkg"
LIB=meshverdict_wasm
LIMIT_GZ=$((1536 * 1024))   # 1.5 MB gzipped: the budget

FEATURES="--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals --enable-multivalue --enable-reference-types"
case "${MESHVERDICT_WASM_OPT:-speed}" in
  speed)
    # A verdict in WASM costs about half as much at opt-level 3, for 40% more bytes
    # gzipped, well within the budget (README "Size and speed").
    export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-3}"
    export WASM_OPT_FLAGS="${WASM_OPT_FLAGS:--O3 --strip-debug --strip-producers $FEATURES}"
    ;;
  size) ;; # scripts/wasm-build.sh's defaults: opt-level z, wasm-opt -Oz
  *) echo "build.sh: MESHVERDICT_WASM_OPT must be speed or size" >&2; exit 2 ;;
esac

"$REPO/scripts/wasm-build.sh" "$WASM_DIR" "$PKG"
rm -f "$PKG"/*/.gitignore
node "$WASM_DIR/tools/finish.mjs" "$PKG"
cp "$REPO/LICENSE" "$WASM_DIR/LICENSE"

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
