#!/usr/bin/env bash
# Builds np-guard/netpol-analyzer's `netpolicy` CLI, the peer of the differential tests,
# once into a cache that survives work trees and fresh clones:
# ${MESHVERDICT_TOOLS:-~/.cache/meshverdict/tools}/netpolicy-VERSION/netpolicy (as
# scripts/fuzz.sh keeps cargo-fuzz). Idempotent: a binary of the pinned version is kept.
#
#   bash scripts/peers/netpol-analyzer.sh [--timeout SECONDS]
#
# Prints the binary's path on stdout (last line). Exit 0: built or present; 1: no Go new
# enough, or the build failed; 124: the build did not finish in time (CI then skips the
# comparison and says so).
#
# Go: the `go` on PATH, else /usr/local/go/bin/go (where this machine kind has it), else
# Debian's golang-go when the Debian release in use packages Go >= 1.23 (the `go` line of
# netpol-analyzer v1.4.4's go.mod): it is installed with apt-get then. Debian 12's is Go
# 1.19, which cannot build it; the script says so and exits 1 without installing it.
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

TOOLS="${MESHVERDICT_TOOLS:-$HOME/.cache/meshverdict/tools}"
OUT="$TOOLS/netpolicy-$VERSION"
BIN="$OUT/netpolicy"
STAMP="$OUT/netpolicy.version"
NEED_GO_MINOR=23   # go 1.23.0 in netpol-analyzer v1.4.4's go.mod

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
  echo "netpol-analyzer $VERSION already built" >&2
  echo "$BIN"
  exit 0
fi

go_minor() { # go_minor GO: the minor version of Go 1.x, or 0
  "$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p' | grep . || echo 0
}
GO=""
for g in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
  [ -n "$g" ] && [ -x "$g" ] || continue
  if [ "$(go_minor "$g")" -ge "$NEED_GO_MINOR" ]; then GO="$g"; break; fi
  echo "netpol-analyzer.sh: $g is Go 1.$(go_minor "$g"), older than the 1.$NEED_GO_MINOR netpol-analyzer $VERSION needs" >&2
done
if [ -z "$GO" ] && command -v apt-cache >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  # Debian's golang-go, when the release packages a Go new enough (Debian 13 has 1.24).
  candidate() { apt-cache policy golang-go 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9]*:\)\{0,1\}1\.\([0-9]*\).*/\2/p'; }
  c="$(candidate)"
  if [ -z "$c" ]; then apt-get update -qq >/dev/null 2>&1 || true; c="$(candidate)"; fi
  if [ -n "$c" ] && [ "$c" -ge "$NEED_GO_MINOR" ]; then
    echo "netpol-analyzer.sh: installing Debian's golang-go (Go 1.$c)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go >/dev/null 2>&1 || true
    [ -x /usr/bin/go ] && [ "$(go_minor /usr/bin/go)" -ge "$NEED_GO_MINOR" ] && GO=/usr/bin/go
  else
    echo "netpol-analyzer.sh: Debian's golang-go is Go 1.${c:-?} here, older than 1.$NEED_GO_MINOR: not installed" >&2
  fi
fi
if [ -z "$GO" ]; then
  echo "netpol-analyzer.sh: no Go >= 1.$NEED_GO_MINOR found (PATH, /usr/local/go, Debian's golang-go): cannot build netpol-analyzer $VERSION" >&2
  exit 1
fi
export PATH="$(dirname "$GO"):$PATH"

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

echo "building netpol-analyzer $VERSION with $("$GO" env GOVERSION) into $OUT (about 1.5 min on 2 cores; log: $LOG; timeout ${TIMEOUT}s)" >&2
export -f build
export WORK MODULE VERSION BIN PATH
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
