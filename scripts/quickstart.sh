#!/usr/bin/env bash
# From a fresh machine: install what meshverdict needs, build the CLI, and show the
# bundled example (the broken Linkerd + NetworkPolicy cluster of the seed article):
# what is blocked, why, and which policy to change.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh
cargo build --quiet --release -p meshverdict-cli
MV=./target/release/meshverdict
echo
echo "\$ meshverdict diagnose -f examples/linkerd-netpol-broken --dataplane calico"
$MV diagnose -f examples/linkerd-netpol-broken --dataplane calico || true
echo
echo "\$ meshverdict check -f examples/linkerd-netpol-broken --dataplane calico --from emojivoto/web --to linkerd/linkerd-controller --port 8086"
$MV check -f examples/linkerd-netpol-broken --dataplane calico --from emojivoto/web --to linkerd/linkerd-controller --port 8086 || true
