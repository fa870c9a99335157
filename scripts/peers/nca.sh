#!/usr/bin/env bash
# Installs IBM's network-config-analyzer (the second peer) into its own venv under
# target/peers/nca-venv. Idempotent. Prints the path of its `nca` command (last line).
#
#   bash scripts/peers/nca.sh [--timeout SECONDS]
#
# Usage afterwards: `nca --connectivity --resource_list DIR -o txt_no_fw_rules` prints the
# pairwise map; `nca --semantic_diff` compares two sets of policies.
set -euo pipefail

VERSION=2.1.0
TIMEOUT=600
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) TIMEOUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "nca.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/target/peers/nca-venv"
if [ -x "$VENV/bin/nca" ] && [ "$("$VENV/bin/pip" show network-config-analyzer 2>/dev/null | sed -n 's/^Version: //p')" = "$VERSION" ]; then
  echo "network-config-analyzer $VERSION already installed" >&2
  echo "$VENV/bin/nca"
  exit 0
fi
command -v python3 >/dev/null || { echo "nca.sh: python3 is not installed" >&2; exit 1; }
mkdir -p "$ROOT/target/peers"
LOG="$ROOT/target/peers/nca-install.log"
echo "installing network-config-analyzer $VERSION into $VENV (log: $LOG)" >&2
set +e
timeout "$TIMEOUT" bash -c "python3 -m venv '$VENV' && '$VENV/bin/pip' install --quiet 'network-config-analyzer==$VERSION'" >"$LOG" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "nca.sh: installing network-config-analyzer $VERSION failed (exit $rc$([ $rc -eq 124 ] && echo ", timed out after ${TIMEOUT}s")); last lines of $LOG:" >&2
  tail -n 15 "$LOG" >&2
  exit $([ $rc -eq 124 ] && echo 124 || echo 1)
fi
[ -x "$VENV/bin/nca" ] || { echo "nca.sh: installed, but $VENV/bin/nca is missing" >&2; exit 1; }
echo "$VENV/bin/nca"
