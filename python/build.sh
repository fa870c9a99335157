#!/usr/bin/env bash
# python/build.sh — build the meshverdict wheel (abi3, CPython >= 3.9, release) and
# install it, with pytest, into the venv at target/pyenv. Runnable from any folder;
# idempotent (a second run rebuilds only what changed and reinstalls the wheel).
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

# ------------------------------------------------------------------ the venv
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
# maturin and pytest in the venv; installed once, then left alone.
if ! "$VPY" -m maturin --version >/dev/null 2>&1 || ! "$VPY" -c 'import pytest' >/dev/null 2>&1; then
  say "installing maturin and pytest into the venv"
  vpip install --quiet 'maturin>=1.9,<2' 'pytest>=8'
fi

# ----------------------------------------------------------------- the wheel
mkdir -p "$WHEELS"
say "maturin build --release (abi3) -> $WHEELS"
(cd "$REPO" && "$VPY" -m maturin build --release --manifest-path "$HERE/Cargo.toml" \
  --interpreter "$VPY" --out "$WHEELS")

WHEEL="$("$VPY" - "$WHEELS" <<'PY'
import pathlib, sys
wheels = sorted(pathlib.Path(sys.argv[1]).glob("meshverdict-*-cp39-abi3-*.whl"), key=lambda p: p.stat().st_mtime)
print(wheels[-1] if wheels else "")
PY
)"
if [ -z "$WHEEL" ]; then
  say "no meshverdict abi3 wheel in $WHEELS"
  exit 1
fi

say "installing $(basename "$WHEEL") into $VENV"
vpip install --quiet --force-reinstall --no-deps "$WHEEL"
"$VPY" -c 'import meshverdict, sys; print(f"[python/build] meshverdict {meshverdict.__version__} on Python {sys.version.split()[0]}", file=sys.stderr)'
