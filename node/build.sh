#!/usr/bin/env bash
# node/build.sh [NAPI BUILD ARGS...] — build the Node host of meshverdict.
#
# Installs the npm devDependencies from package-lock.json (npm ci, skipped when
# node_modules is already up to date), builds the native addon with napi-rs:
#   napi build --platform --release --no-js --dts native.d.ts
# which writes meshverdict.<platform>.node and regenerates the addon's types native.d.ts
# (loader.js, index.js and index.d.ts are hand-written), then stages the npm packages
# (tools/stage.mjs): target/npm/meshverdict (the main package, with its
# optionalDependencies) and target/npm/meshverdict-<platform> (this platform's addon),
# each packed into a tarball there.
# Extra arguments go to `napi build` (e.g. --verbose). Runnable from any folder;
# needs Node >= 20.17, npm and Rust >= 1.88 (rustup).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

say() { printf '[node/build.sh] %s\n' "$*"; }
die() { printf 'node/build.sh: %s\n' "$*" >&2; exit 1; }

# rustup's cargo, when this shell has not got it on PATH yet
if ! command -v cargo >/dev/null && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
command -v node >/dev/null || die "node not found (Node >= 20.17 is needed)"
command -v npm >/dev/null || die "npm not found"
command -v cargo >/dev/null || die "cargo not found (install Rust >= 1.88 with rustup)"
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number)
  if (maj < 20 || (maj === 20 && min < 17)) { console.error(`node ${process.version}: >= 20.17 is needed (@napi-rs/cli 3)`); process.exit(1) }
' || die "Node is too old"

if [ -f node_modules/.package-lock.json ] \
   && [ node_modules/.package-lock.json -nt package-lock.json ] \
   && [ node_modules/.package-lock.json -nt package.json ] \
   && [ -x node_modules/.bin/napi ]; then
  say "node_modules up to date"
elif [ -f package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  say "npm install (no package-lock.json yet)"
  npm install --no-audit --no-fund --loglevel=error
fi

say "napi build --platform --release ($(cargo --version))"
node_modules/.bin/napi build --platform --release --no-js --dts native.d.ts "$@"
ls -1 ./*.node >/dev/null 2>&1 || die "napi build wrote no .node file"
node -e 'require("./index.js")' || die "the built addon does not load"
say "built: $(ls -1 ./*.node | tr '\n' ' ')"
# The generated answer types that index.d.ts re-exports (../schema/generate.sh writes them).
cp ../schema/meshverdict.d.ts schema.d.ts
node tools/stage.mjs
