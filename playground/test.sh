#!/usr/bin/env bash
# playground/test.sh — build the playground (build.sh), make sure the release CLI the
# tests compare against exists, then run the browser tests (npm test: playwright-core
# driving Debian's /usr/bin/chromium against dist/ on a localhost server).
# Any cwd. Prints bundle sizes, time to first verdict per example and the 300-pod
# matrix time; writes screenshots to playground/screenshots/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

bash "$HERE/build.sh"
if [ ! -x "$REPO/target/release/meshverdict" ]; then
  (cd "$REPO" && cargo build --release -p meshverdict-cli)
fi
cd "$HERE"
npm test
