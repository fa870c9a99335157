#!/usr/bin/env bash
# Builds np-guard/netpol-analyzer's `netpolicy` CLI, the peer of the differential tests,
# into target/peers/netpolicy. Idempotent: an existing binary of the pinned version is kept.
#
#   bash scripts/peers/netpol-analyzer.sh [--timeout SECONDS]
#
# Prints the binary's path on stdout (last line). Exit 0: built or present; 1: Go missing or
# the build failed; 124: the build did not finish in time (CI may then skip the comparison).
#
# `go install github.com/np-guard/netpol-analyzer/cmd/netpolicy@v1.4.4` does not work from
# here: the module proxy refuses the module's version list and the checksum database lacks
# one of its dependencies. A throwaway module that depends on the pinned version and takes
# upstream's own go.sum (which records that dependency's checksum) builds it.
set -euo pipefail

VERSION=v1.4.4
MODULE=github.com/np-guard/netpol-analyzer
TIMEOUT=900
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) TIMEOUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "netpol-analyzer.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/target/peers"
BIN="$OUT/netpolicy"
STAMP="$OUT/netpolicy.version"

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
  echo "netpol-analyzer $VERSION already built" >&2
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "netpol-analyzer.sh: Go is not installed (need Go >= 1.22 to build netpol-analyzer $VERSION)" >&2
  exit 1
fi

mkdir -p "$OUT"
WORK="$OUT/build-npa"
rm -rf "$WORK"
mkdir -p "$WORK"
LOG="$OUT/netpolicy-build.log"

build() {
  set -e
  cd "$WORK"
  go mod init local/npa
  go get "$MODULE@$VERSION"
  cp "$(go env GOMODCACHE)/$MODULE@$VERSION/go.sum" go.sum
  chmod u+w go.sum
  go get "$MODULE/cmd/netpolicy@$VERSION"
  go build -o "$BIN.tmp" "$MODULE/cmd/netpolicy"
}

echo "building netpol-analyzer $VERSION (about 1.5 min on 2 cores; log: $LOG; timeout ${TIMEOUT}s)" >&2
export -f build
export WORK MODULE VERSION BIN
set +e
timeout --kill-after=10 "$TIMEOUT" bash -c build >"$LOG" 2>&1
rc=$?
set -e
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "netpol-analyzer.sh: the build did not finish within ${TIMEOUT}s (log: $LOG)" >&2
  exit 124
fi
if [ $rc -ne 0 ]; then
  echo "netpol-analyzer.sh: building netpol-analyzer $VERSION failed (exit $rc); last lines of $LOG:" >&2
  tail -n 15 "$LOG" >&2
  exit 1
fi
mv "$BIN.tmp" "$BIN"
echo "$VERSION" >"$STAMP"
rm -rf "$WORK"
echo "$BIN"
