#!/usr/bin/env bash
# python/build.sh — build the meshverdict wheel (abi3, release, manylinux) with the CLI
# inside it, and install it into the venv at target/pyenv with the test tools. Runnable
# from any folder; idempotent (a second run rebuilds only what changed).
#
# The wheel holds: the package (src/meshverdict), its native module (src/lib.rs), the
# license, and the `meshverdict` and `kubectl-meshverdict` commands (the Rust CLI from
# ../cli, staged in data/scripts/ here and installed into the environment's bin/).
#
# Environment:
#   PYTHON              the interpreter that creates the venv (default: python3)
#   MESHVERDICT_PYENV   the venv (default: <repo>/target/pyenv)
#   MESHVERDICT_WHEELS  where wheels go (default: <repo>/target/wheels)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VENV="${MESHVERDICT_PYENV:-$REPO/target/pyenv}"
WHEELS="${MESHVERDICT_WHEELS:-$REPO/target/wheels}"
PY="${PYTHON:-python3}"
say() { printf '[python/build] %s\n' "$*" >&2; }

if ! command -v cargo >/dev/null && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

# ------------------------------------------------------------------ the venv
# The wheel is abi3 for CPython 3.10 and later (pyproject's requires-python): say so here
# rather than let pip refuse the wheel at the end of the build.
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  say "$PY is $("$PY" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo 'not a Python'): the wheel needs CPython 3.10 or later; set PYTHON=python3.11 (or any 3.10+)"
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  say "creating venv $VENV"
  mkdir -p "$(dirname "$VENV")"
  if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    # Debian ships ensurepip separately (python3-venv): make the venv without pip
    # and let the interpreter's own pip install into it.
    rm -rf "$VENV"
    "$PY" -m venv --without-pip "$VENV"
  fi
fi
VPY="$VENV/bin/python"

vpip() {
  if "$VPY" -m pip --version >/dev/null 2>&1; then
    "$VPY" -m pip --disable-pip-version-check "$@"
  else
    "$PY" -m pip --disable-pip-version-check --python "$VPY" "$@"
  fi
}

# ----------------------------------------------------------------- the tools
# maturin, pytest and mypy (for stubtest and --strict) in the venv; installed once.
if ! "$VPY" -m maturin --version >/dev/null 2>&1 || ! "$VPY" -c 'import pytest, mypy' >/dev/null 2>&1; then
  say "installing maturin, pytest and mypy into the venv"
  vpip install --quiet 'maturin>=1.9,<2' 'pytest>=8' 'mypy>=1.13'
fi

# ------------------------------------------------------------------ the CLI
# The same binaries as `cargo install --path cli --locked`, shipped in the wheel.
say "cargo build --release -p meshverdict-cli (the commands the wheel installs)"
(cd "$REPO" && cargo build --quiet --release --locked -p meshverdict-cli)
TARGET_DIR="$(cd "$REPO" && cargo metadata --format-version 1 --no-deps | "$VPY" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
SCRIPTS="$HERE/data/scripts"
mkdir -p "$SCRIPTS"
for bin in meshverdict kubectl-meshverdict; do
  [ -x "$TARGET_DIR/release/$bin" ] || { say "no $TARGET_DIR/release/$bin"; exit 1; }
  cmp -s "$TARGET_DIR/release/$bin" "$SCRIPTS/$bin" || cp "$TARGET_DIR/release/$bin" "$SCRIPTS/$bin"
done

# ----------------------------------------------------------------- the wheel
mkdir -p "$WHEELS"
rm -f "$WHEELS"/meshverdict-*.whl
say "maturin build --release (abi3) -> $WHEELS"
(cd "$REPO" && "$VPY" -m maturin build --release --locked --manifest-path "$HERE/Cargo.toml" \
  --interpreter "$VPY" --out "$WHEELS")

WHEEL="$(ls -1t "$WHEELS"/meshverdict-*-abi3-*.whl 2>/dev/null | head -1 || true)"
if [ -z "$WHEEL" ]; then
  say "no meshverdict abi3 wheel in $WHEELS"
  exit 1
fi

say "installing $(basename "$WHEEL") into $VENV"
vpip install --quiet --force-reinstall --no-deps "$WHEEL"
"$VPY" -c 'import meshverdict, sys; print(f"[python/build] meshverdict {meshverdict.__version__} on Python {sys.version.split()[0]}", file=sys.stderr)'
