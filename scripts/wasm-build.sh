#!/usr/bin/env bash
# scripts/wasm-build.sh CRATE_DIR OUT_DIR — build a wasm-bindgen cdylib for
# wasm32-unknown-unknown (release profile + size options) and generate JS bindings into
# OUT_DIR/{bundler,nodejs,web}, then wasm-opt -Oz them and print sizes.
#
# Toolchain (run scripts/setup.sh first):
#   rustup : `cargo build --target wasm32-unknown-unknown` with the rustup toolchain
#   debian : Debian's rustc-web 1.96 with -Z build-std=std,panic_abort
# Chosen by, in order: $WASM_TOOLCHAIN (rustup|debian), the file setup.sh wrote
# (~/.cache/meshverdict/wasm-toolchain.env), then auto-detection.
#
# Environment:
#   WASM_TOOLCHAIN   rustup | debian            (override)
#   WASM_LINKER      linker for the debian toolchain (default: rustup's rust-lld, else wasm-ld)
#   WASM_OPT         wasm-opt binary (default: the one setup.sh recorded, else wasm-opt on
#                    PATH; binaryen < 116 is refused; "none" to skip)
#   WASM_OPT_FLAGS   default: -Oz --strip-debug --strip-producers + rustc's default wasm features
#   WASM_TARGETS     default: "bundler nodejs web"
#   WASM_PROFILE     cargo profile (default: release)
#   WASM_SIZE_OPTS   1 (default): build with opt-level "z", lto, codegen-units 1 and
#                    panic abort whatever the workspace profile says, through
#                    CARGO_PROFILE_<P>_* variables (a CARGO_PROFILE_* already set wins);
#                    0: use the profile exactly as Cargo.toml has it
#   RUSTFLAGS, CARGO_TARGET_DIR, CARGO_PROFILE_* are honoured.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 CRATE_DIR OUT_DIR" >&2; exit 2
fi
CRATE_DIR="$(cd "$1" && pwd)"
mkdir -p "$2"; OUT_DIR="$(cd "$2" && pwd)"
STATE_FILE="${MESHVERDICT_STATE_DIR:-$HOME/.cache/meshverdict}/wasm-toolchain.env"
TARGET=wasm32-unknown-unknown
TARGETS="${WASM_TARGETS:-bundler nodejs web}"

T0=$SECONDS
say() { printf '[wasm-build %3ds] %s\n' "$((SECONDS - T0))" "$*"; }
die() { printf 'wasm-build: %s\n' "$*" >&2; exit 1; }

[ -f "$CRATE_DIR/Cargo.toml" ] || die "no Cargo.toml in $CRATE_DIR"
command -v wasm-bindgen >/dev/null || die "wasm-bindgen not found: run scripts/setup.sh"

# ------------------------------------------------------------ choose toolchain
RECORDED_TOOLCHAIN="" RECORDED_LINKER=""
if [ -f "$STATE_FILE" ]; then
  RECORDED_TOOLCHAIN=$(sed -n 's/^WASM_TOOLCHAIN=//p' "$STATE_FILE")
  RECORDED_LINKER=$(sed -n 's/^WASM_LINKER=//p' "$STATE_FILE")
fi
TOOLCHAIN="${WASM_TOOLCHAIN:-$RECORDED_TOOLCHAIN}"
if [ -z "$TOOLCHAIN" ]; then
  installed=$(cd "$CRATE_DIR" && rustup target list --installed 2>/dev/null || true)
  if grep -qx "$TARGET" <<<"$installed"; then TOOLCHAIN=rustup
  elif [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ]; then TOOLCHAIN=debian
  else die "no wasm toolchain: run scripts/setup.sh"; fi
fi

case "$TOOLCHAIN" in
  rustup)
    CARGO=(cargo)
    BUILD_ENV=()
    EXTRA=()
    say "toolchain: rustup $(cd "$CRATE_DIR" && rustc --version)"
    ;;
  debian)
    [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] || die "Debian rustc-web not installed: run scripts/setup.sh --debian-wasm"
    LINKER="${WASM_LINKER:-$RECORDED_LINKER}"
    if [ -z "$LINKER" ] || [ ! -x "$LINKER" ]; then
      sysroot=$(rustc --print sysroot 2>/dev/null || true)
      LINKER="$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
      [ -x "$LINKER" ] || LINKER=$(command -v wasm-ld || true)
    fi
    [ -n "$LINKER" ] && [ -x "$LINKER" ] || die "no wasm linker (rust-lld / wasm-ld)"
    CARGO=(/usr/bin/cargo)
    # Debian's rustc wants "rust-lld", which it does not ship: point it at one.
    BUILD_ENV=(RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
               CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$LINKER")
    # shellcheck disable=SC2054
    EXTRA=(-Z build-std=std,panic_abort)
    say "toolchain: Debian $(/usr/bin/rustc --version) + build-std, linker $LINKER"
    ;;
  *) die "WASM_TOOLCHAIN must be rustup or debian (got '$TOOLCHAIN')" ;;
esac

# ------------------------------------------------------------ crate metadata
META=$(cd "$CRATE_DIR" && env "${BUILD_ENV[@]}" "${CARGO[@]}" metadata --no-deps --format-version 1 --manifest-path "$CRATE_DIR/Cargo.toml")
read -r PKG_NAME LIB_NAME TARGET_DIR < <(python3 -c '
import json, os, sys
m = json.load(sys.stdin)
want = os.path.realpath(sys.argv[1])
for p in m["packages"]:
    if os.path.realpath(p["manifest_path"]) == want:
        libs = [t for t in p["targets"] if "cdylib" in t["crate_types"]]
        if not libs:
            sys.exit("package %s has no cdylib target" % p["name"])
        print(p["name"], libs[0]["name"].replace("-", "_"), m["target_directory"])
        break
else:
    sys.exit("no package with manifest " + want)
' "$CRATE_DIR/Cargo.toml" <<<"$META")
# keep the two toolchains' artefacts apart (different rustc, std built from source)
[ "$TOOLCHAIN" = rustup ] || TARGET_DIR="$TARGET_DIR/wasm-debian"

# ------------------------------------------------------------ cargo build
PROFILE="${WASM_PROFILE:-release}"
case "$PROFILE" in dev|test) PROFILE_DIR=debug ;; bench) PROFILE_DIR=release ;; *) PROFILE_DIR="$PROFILE" ;; esac
if [ "${WASM_SIZE_OPTS:-1}" = 1 ]; then
  P=$(echo "$PROFILE" | tr 'a-z-' 'A-Z_')
  for kv in OPT_LEVEL=z LTO=true CODEGEN_UNITS=1 PANIC=abort; do
    var="CARGO_PROFILE_${P}_${kv%%=*}"
    if [ -z "${!var:-}" ]; then export "$var=${kv#*=}"; fi
    BUILD_ENV+=("$var=${!var}")
  done
  say "size options: ${BUILD_ENV[*]: -4}"
fi
say "cargo build -p $PKG_NAME --profile $PROFILE --target $TARGET"
T1=$SECONDS
(cd "$CRATE_DIR" && env "${BUILD_ENV[@]}" "${CARGO[@]}" build --profile "$PROFILE" --lib \
    --manifest-path "$CRATE_DIR/Cargo.toml" --target "$TARGET" --target-dir "$TARGET_DIR" "${EXTRA[@]}")
WASM="$TARGET_DIR/$TARGET/$PROFILE_DIR/$LIB_NAME.wasm"
[ -f "$WASM" ] || die "build produced no $WASM"
say "built $WASM ($(stat -c %s "$WASM") bytes) in $((SECONDS - T1))s"

# ------------------------------------------------------------ wasm-bindgen
# The CLI must match the wasm-bindgen crate exactly; say so clearly if not.
CLI_V=$(wasm-bindgen --version | awk '{print $2}')
LOCK=""
d="$CRATE_DIR"; while [ "$d" != / ]; do [ -f "$d/Cargo.lock" ] && { LOCK="$d/Cargo.lock"; break; }; d=$(dirname "$d"); done
if [ -n "$LOCK" ]; then
  CRATE_V=$(awk '/^\[\[package\]\]/{n=""} /^name = /{n=$3} n=="\"wasm-bindgen\"" && /^version = /{gsub(/"/,"",$3); print $3; exit}' "$LOCK")
  if [ -n "$CRATE_V" ] && [ "$CRATE_V" != "$CLI_V" ]; then
    die "wasm-bindgen crate is $CRATE_V ($LOCK) but wasm-bindgen-cli is $CLI_V: run scripts/setup.sh"
  fi
fi

for t in $TARGETS; do
  rm -rf "${OUT_DIR:?}/$t"
  say "wasm-bindgen --target $t -> $OUT_DIR/$t"
  # strip = true in the profile removes the target_features section: wasm-bindgen
  # then warns it cannot detect features. Harmless (wasm-opt below gets explicit flags).
  wasm-bindgen --target "$t" --out-dir "$OUT_DIR/$t" "$WASM" 2> >(grep -v 'target_features. custom section is missing' >&2)
done

# ------------------------------------------------------------ wasm-opt
RECORDED_WASM_OPT=""
[ ! -f "$STATE_FILE" ] || RECORDED_WASM_OPT=$(sed -n 's/^WASM_OPT=//p' "$STATE_FILE")
WASM_OPT="${WASM_OPT:-${RECORDED_WASM_OPT:-$(command -v wasm-opt || true)}}"
# rustc >= 1.87 enables these features by default for wasm32-unknown-unknown;
# binaryen must be told when the target_features section was stripped (strip = true).
DEFAULT_OPT_FLAGS="-Oz --strip-debug --strip-producers --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals --enable-multivalue --enable-reference-types"
if [ -n "$WASM_OPT" ] && [ "$WASM_OPT" != none ] && [ -x "$WASM_OPT" ]; then
  OPT_V=$("$WASM_OPT" --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\).*/\1/p' | head -1)
  if [ "${OPT_V:-0}" -lt 116 ] && [ "${WASM_OPT_FORCE:-0}" != 1 ]; then
    # Debian 12's binaryen 108 rewrites the "__wbindgen_externrefs" export to point at
    # the funcref table (even with no passes): the module then fails at load time.
    say "WARNING: $WASM_OPT is binaryen ${OPT_V:-?} (< 116, breaks wasm-bindgen's externref table): wasm-opt skipped; run scripts/setup.sh"
    WASM_OPT=none
  fi
else
  WASM_OPT=none
fi
if [ "$WASM_OPT" != none ]; then
  read -r -a OPT_FLAGS <<<"${WASM_OPT_FLAGS:-$DEFAULT_OPT_FLAGS}"
  ref_raw=$(mktemp) ref_opt=""
  for t in $TARGETS; do
    f="$OUT_DIR/$t/${LIB_NAME}_bg.wasm"
    # the targets usually get byte-identical modules: optimise once, copy
    if [ -n "$ref_opt" ] && cmp -s "$f" "$ref_raw"; then
      cp "$ref_opt" "$f"; say "wasm-opt: $t/$(basename "$f") is identical to the one just optimised: copied"; continue
    fi
    cp "$f" "$ref_raw"
    say "wasm-opt (binaryen $OPT_V) ${OPT_FLAGS[*]} $t/$(basename "$f")"
    if ! "$WASM_OPT" "${OPT_FLAGS[@]}" "$f" -o "$f.opt" >"$OUT_DIR/$t/wasm-opt.log" 2>&1; then
      tail -5 "$OUT_DIR/$t/wasm-opt.log" >&2
      die "wasm-opt failed on $f (full log: $OUT_DIR/$t/wasm-opt.log)"
    fi
    rm -f "$OUT_DIR/$t/wasm-opt.log"
    mv "$f.opt" "$f"; ref_opt="$f"
  done
  PRE_OPT="$ref_raw"   # the module as wasm-bindgen wrote it, for the size table
else
  say "wasm-opt: skipped"
fi

# ------------------------------------------------------------ smoke test
if command -v node >/dev/null && [ -f "$OUT_DIR/nodejs/$LIB_NAME.js" ]; then
  if node -e 'require(process.argv[1])' "$OUT_DIR/nodejs/$LIB_NAME.js"; then
    say "node: nodejs/$LIB_NAME.js loads"
  else
    die "the nodejs build does not load in node (see above)"
  fi
fi

# ------------------------------------------------------------ sizes
gz() { gzip -9c "$1" | wc -c; }
printf '%-10s %10s %10s  %s\n' target raw gzip-9 file
printf '%-10s %10s %10s  %s\n' cargo "$(stat -c %s "$WASM")" "$(gz "$WASM")" "$WASM"
if [ -n "${PRE_OPT:-}" ]; then
  printf '%-10s %10s %10s  %s\n' pre-opt "$(stat -c %s "$PRE_OPT")" "$(gz "$PRE_OPT")" "(wasm-bindgen output before wasm-opt)"
  rm -f "$PRE_OPT"
fi
for t in $TARGETS; do
  for f in "$OUT_DIR/$t/"*_bg.wasm; do
    printf '%-10s %10s %10s  %s\n' "$t" "$(stat -c %s "$f")" "$(gz "$f")" "$f"
  done
done
say "done ($TOOLCHAIN) in $((SECONDS - T0))s"
