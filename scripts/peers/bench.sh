#!/usr/bin/env bash
# The whole-cluster benchmark against netpol-analyzer: the same generated cluster, the full
# pairwise map from each, wall time and peak RSS (/usr/bin/time -v), their ratio, and a
# check that both allow the same (pod pair, protocol, port) set.
#
#   bash scripts/peers/bench.sh [--pods N] [--policies P] [--peer-timeout S]
#
# Defaults: 1000 pods, 200 policies (the peers' published comparison point: all three
# peers agree on 198,414 allowed (pod pair, port) on TCP 8080/9090). The cluster comes
# from the shared generator (PyYAML, installed into target/peers/venv). `--pods 3000`
# is the next point; the peer did not finish it within ten minutes before, so it runs
# under --peer-timeout (default 1200 s) and a timeout is reported, not failed.
# meshverdict's side is `meshverdict matrix --by pod -o csv` (load, every pod pair and
# port as the peer lists them, CSV out), one thread; the peer runs alone after it.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/scripts/peers"
PODS=1000 POLICIES=200 PEER_TIMEOUT=1200
while [ $# -gt 0 ]; do
  case "$1" in
    --pods) PODS="$2"; shift 2 ;;
    --policies) POLICIES="$2"; shift 2 ;;
    --peer-timeout) PEER_TIMEOUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
GEN="${MESHVERDICT_GEN_CLUSTER:-$ROOT/../shared/perf/gen_cluster.py}"
[ -f "$GEN" ] || { echo "bench.sh: no generator at $GEN (set MESHVERDICT_GEN_CLUSTER)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

NPA="$(bash "$HERE/netpol-analyzer.sh")"
VENV="$ROOT/target/peers/venv"
if ! "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pyyaml
fi
if ! (cd "$ROOT" && cargo build --quiet --release -p meshverdict-cli) >"$ROOT/target/peers/cli-build.log" 2>&1; then
  cat "$ROOT/target/peers/cli-build.log" >&2
  echo "bench.sh: the meshverdict CLI does not build" >&2
  exit 1
fi
MV="$ROOT/target/release/meshverdict"

D="$ROOT/target/peers/bench-$PODS-$POLICIES"
rm -rf "$D"
mkdir -p "$D/cluster"
"$VENV/bin/python" "$GEN" "$PODS" "$POLICIES" "$D/cluster/cluster.yaml"

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 2:19.03" and "Maximum resident set size (kbytes): 1234"
wall() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }
rss() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

echo "bench: meshverdict matrix on $PODS pods, $POLICIES policies (load, every pod pair and port, CSV)" >&2
/usr/bin/time -v -o "$D/meshverdict.time" "$MV" matrix -f "$D/cluster" --by pod --no-externals -o csv -q >"$D/meshverdict.csv" 2>"$D/meshverdict.log"
cat "$D/meshverdict.log" >&2
echo "bench: netpol-analyzer list (timeout ${PEER_TIMEOUT}s)" >&2
set +e
/usr/bin/time -v -o "$D/netpol-analyzer.time" timeout "$PEER_TIMEOUT" "$NPA" list --dirpath "$D/cluster" -o json -q >"$D/netpol-analyzer.json" 2>"$D/netpol-analyzer.log"
rc=$?
set -e
mv_s=$(wall "$D/meshverdict.time") mv_kb=$(rss "$D/meshverdict.time")
npa_s=$(wall "$D/netpol-analyzer.time") npa_kb=$(rss "$D/netpol-analyzer.time")
echo
printf '%-16s %10s %12s\n' "" "wall s" "peak RSS MB"
printf '%-16s %10s %12s\n' meshverdict "$mv_s" "$((mv_kb / 1024))"
if [ $rc -eq 124 ]; then
  printf '%-16s %10s %12s\n' netpol-analyzer ">$PEER_TIMEOUT" "(timed out)"
  echo "bench: netpol-analyzer did not finish $PODS pods within ${PEER_TIMEOUT}s: meshverdict is more than $(python3 -c "print(round($PEER_TIMEOUT / $mv_s, 1))")× faster"
  exit 0
fi
if [ $rc -ne 0 ]; then
  echo "bench: netpol-analyzer failed (exit $rc):" >&2
  tail -5 "$D/netpol-analyzer.log" >&2
  exit 1
fi
printf '%-16s %10s %12s\n' netpol-analyzer "$npa_s" "$((npa_kb / 1024))"
python3 -c "print(f'ratio (netpol-analyzer / meshverdict): wall {$npa_s / $mv_s:.1f}x, peak RSS {$npa_kb / $mv_kb:.1f}x')"
python3 "$HERE/npa_to_csv.py" "$D/netpol-analyzer.json" -o "$D/netpol-analyzer.csv"
python3 "$HERE/compare.py" "$D/meshverdict.csv" "$D/netpol-analyzer.csv" --count TCP:8080,TCP:9090 --max 20
