#!/usr/bin/env bash
# Differential test of meshverdict against np-guard/netpol-analyzer v1.4.4 on generated
# NetworkPolicy clusters (100 to 1,000 pods; no ipBlock covers a pod or node address): the
# allowed (pod, pod, protocol, ports) of `meshverdict matrix --by pod -o csv` and of
# `netpolicy list`, and (pod, address atom, protocol, ports) both ways, must be the same.
#
#   bash scripts/peers/differential.sh [--pods N] [--min-pods M] [--seeds K] [--seed-base B]
#                                      [--timeout S] [--strict]
#
#   --pods N       largest cluster (default 600); sizes are spread from M (default 100) to N
#   --seeds K      clusters to run (default 5), seeds B+1..B+K (B default 0)
#   --timeout S    wall-clock budget of the comparisons, after the builds (default 420): a
#                  cluster whose predicted peer time (quadratic in pods, from the previous
#                  one) does not fit what is left is skipped, and said so
#   --build-timeout S  for building the peer when it is missing (default 600)
#   --strict       also fail on disagreements where netpol-analyzer contradicts itself
#   --max-cases N  candidate cases cut down per cluster with a disagreement (default 10;
#                  each costs peer runs: CI takes 1, every pair is still triaged)
#
# The peer is built once by netpol-analyzer.sh into ~/.cache/meshverdict/tools (Go from
# PATH, /usr/local/go, or Debian's golang-go when it is new enough). If it cannot be built
# (no Go >= 1.23, the build fails or runs out of time) the run is SKIPPED with exit 0 and
# a line saying why, unless MESHVERDICT_REQUIRE_PEER is set, which makes that a failure.
# meshverdict is the release CLI (target/release/meshverdict, built when missing).
#
# Every disagreement prints both answers (compare.py) and is triaged (make_case.py, with
# meshverdict's matrix of each cut-down cluster): `peer-inconsistent` when netpol-analyzer's own point
# evaluation agrees with meshverdict (a bug of its `list`), else `disputed` or
# `untriaged`. Candidate conformance cases go to target/differential/cases/. Exit 1 on
# any disputed or untriaged disagreement (or any at all with --strict), on a peer that
# refuses the input, or on a meshverdict error.
#
# The peer is slow (quadratic in pods: about 2 s at 100 pods, 40 s at 550, 70-90 s at
# 1,000 on an idle 2-core machine, up to 300 s on a busy one; meshverdict's matrix takes
# 0.1, 1.5 and 2-6 s), so the default run stops at 600 pods; CI runs
# `--pods 1000 --min-pods 100 --seeds 3 --timeout 360 --max-cases 1` (scripts/test.sh),
# and the full range is `--pods 1000 --seeds 6 --timeout 1200`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/scripts/peers"
MAX=600 MIN=100 SEEDS=5 BASE=0 BUDGET=420 BUILD_BUDGET=600 STRICT=0 MAX_CASES=10
while [ $# -gt 0 ]; do
  case "$1" in
    --pods) MAX="$2"; shift 2 ;;
    --min-pods) MIN="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    --seed-base) BASE="$2"; shift 2 ;;
    --timeout) BUDGET="$2"; shift 2 ;;
    --build-timeout) BUILD_BUDGET="$2"; shift 2 ;;
    --strict) STRICT=1; shift ;;
    --max-cases) MAX_CASES="$2"; shift 2 ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) echo "differential.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$MIN" -le "$MAX" ] || MIN="$MAX"

OUT="$ROOT/target/differential"
# Only the last run's clusters are kept (a 1,000-pod run leaves about 100 MB of CSV).
mkdir -p "$OUT"
rm -rf "$OUT/cases" "$OUT"/run-*
mkdir -p "$OUT/cases"

set +e
NPA="$(bash "$HERE/netpol-analyzer.sh" --timeout "$BUILD_BUDGET")"
rc=$?
set -e
if [ $rc -ne 0 ] || [ ! -x "$NPA" ]; then
  if [ -n "${MESHVERDICT_REQUIRE_PEER:-}" ]; then
    echo "differential: FAILED: netpol-analyzer could not be built (exit $rc) and MESHVERDICT_REQUIRE_PEER is set" >&2
    exit 1
  fi
  echo "differential: SKIPPED: netpol-analyzer could not be built (exit $rc; see above); set MESHVERDICT_REQUIRE_PEER=1 to make this a failure"
  exit 0
fi

MV="$ROOT/target/release/meshverdict"
if true; then  # a no-op when it is up to date
  echo "differential: the CLI, built when out of date (cargo build --release -p meshverdict-cli)" >&2
  if ! (cd "$ROOT" && cargo build --quiet --release -p meshverdict-cli) >"$OUT/build.log" 2>&1; then
    cat "$OUT/build.log" >&2
    echo "differential: FAILED: the CLI does not build" >&2
    exit 1
  fi
fi
START=$(date +%s)
left() { echo $(( BUDGET - ($(date +%s) - START) )); }

TIME=()
[ -x /usr/bin/time ] && TIME=(/usr/bin/time -f "%e %M")
measure() { # measure LOG cmd...: runs cmd; LOG gets "seconds max-rss-KB"
  local log="$1"; shift
  if [ ${#TIME[@]} -gt 0 ]; then
    "${TIME[@]}" -o "$log" "$@"
  else
    local t0=$SECONDS; "$@"; local rc=$?; echo "$((SECONDS - t0)) ?" >"$log"; return $rc
  fi
}

failed=0 inconsistent=0 ran=0 skipped=0
last_n=0 last_t=0
summary="$OUT/summary.txt"
printf '%-6s %-5s %-9s %-9s %-16s %-18s %s\n' pods seed policies "rows" "meshverdict" "netpol-analyzer" result >"$summary"
for i in $(seq 1 "$SEEDS"); do
  if [ "$SEEDS" -eq 1 ]; then n=$MAX; else n=$(( MIN + (MAX - MIN) * (i - 1) / (SEEDS - 1) )); fi
  seed=$(( BASE + i ))
  remaining=$(left)
  predicted=0
  if [ "$last_n" -gt 0 ]; then
    predicted=$(python3 -c "print(int($last_t * ($n / $last_n) ** 2) + 5)")
  fi
  if [ "$remaining" -le 10 ] || [ "$predicted" -ge "$remaining" ]; then
    echo "differential: skipping $n pods (seed $seed): about ${predicted}s predicted, ${remaining}s left of --timeout $BUDGET"
    printf '%-6s %-5s %-9s %-9s %-16s %-18s %s\n' "$n" "$seed" - - - - "skipped (time)" >>"$summary"
    skipped=$((skipped + 1))
    continue
  fi
  D="$OUT/run-$n-s$seed"
  rm -rf "$D"
  python3 "$HERE/gen_netpol_cluster.py" --pods "$n" --seed "$seed" --out "$D" 2>"$D.gen.log" || { cat "$D.gen.log" >&2; exit 1; }
  policies=$(python3 -c "import json;print(sum(o['kind']=='NetworkPolicy' for o in json.load(open('$D/objects.json'))))")
  echo "differential: $n pods, $policies policies, seed $seed" >&2

  # Both at once (two cores): meshverdict on one thread beside the peer.
  measure "$D/mv.time" "$MV" matrix -q -f "$D/cluster" --dataplane generic --by pod -o csv >"$D/meshverdict-matrix.csv" 2>"$D/meshverdict.log" &
  mv_pid=$!
  set +e
  measure "$D/npa.time" timeout "$remaining" "$NPA" list --dirpath "$D/cluster" -o json -q >"$D/netpol-analyzer.json" 2>"$D/netpol-analyzer.log"
  npa_rc=$?
  wait $mv_pid
  mv_rc=$?
  set -e
  if [ $mv_rc -ne 0 ]; then
    echo "differential: FAILED: meshverdict matrix failed on $D/cluster:" >&2
    tail -5 "$D/meshverdict.log" >&2
    exit 1
  fi
  if [ $npa_rc -eq 124 ]; then
    echo "differential: netpol-analyzer ran out of the budget on $n pods; stopping"
    printf '%-6s %-5s %-9s %-9s %-16s %-18s %s\n' "$n" "$seed" "$policies" - - - "peer timed out" >>"$summary"
    skipped=$((skipped + 1))
    break
  fi
  if [ $npa_rc -ne 0 ]; then
    echo "differential: FAILED: netpol-analyzer refused $D/cluster (exit $npa_rc):" >&2
    grep -v "has no match in the configuration" "$D/netpol-analyzer.log" | tail -5 >&2
    exit 1
  fi
  python3 "$HERE/npa_to_csv.py" "$D/netpol-analyzer.json" --addresses "$D/addresses.txt" -o "$D/netpol-analyzer.csv" 2>/dev/null
  python3 "$HERE/matrix_to_csv.py" "$D/meshverdict-matrix.csv" --addresses "$D/addresses.txt" -o "$D/meshverdict.csv" 2>/dev/null
  read -r mv_s mv_kb <"$D/mv.time"
  read -r npa_s npa_kb <"$D/npa.time"
  last_n=$n last_t=${npa_s%.*}
  ran=$((ran + 1))
  set +e
  python3 "$HERE/compare.py" "$D/meshverdict.csv" "$D/netpol-analyzer.csv" --json "$D/diff.json" --max 20 >"$D/compare.txt"
  cmp_rc=$?
  set -e
  rows=$(tail -n 1 "$D/compare.txt" | sed -n 's/^compared \([0-9]*\) .*/\1/p')
  result="agree"
  if [ $cmp_rc -ne 0 ]; then
    cat "$D/compare.txt"
    set +e
    python3 "$HERE/make_case.py" --objects "$D/objects.json" --diff "$D/diff.json" --out "$OUT/cases/seed$seed" \
      --name "differential-$n-seed$seed" --meshverdict "$MV" --netpolicy "$NPA" --max-cases "$MAX_CASES" >"$D/triage.txt"
    tri_rc=$?
    cat "$D/triage.txt"
    set -e
    result="$(tail -n 1 "$D/triage.txt")"
    if [ "$tri_rc" -ne 0 ]; then
      failed=$((failed + 1))
    else
      inconsistent=$((inconsistent + 1))
      [ $STRICT -eq 1 ] && failed=$((failed + 1))
    fi
  fi
  printf '%-6s %-5s %-9s %-9s %-16s %-18s %s\n' "$n" "$seed" "$policies" "${rows:-?}" "${mv_s}s ${mv_kb}KB" "${npa_s}s ${npa_kb}KB" "$result" >>"$summary"
done

echo
cat "$summary"
echo "(rows: compared (source, destination, protocol) rows; times: wall seconds and peak RSS; meshverdict matrix beside the peer)"
echo "differential: $ran clusters compared, $skipped skipped for time, $inconsistent with peer-inconsistent disagreements only, $failed failing; cases in $OUT/cases"
if [ $ran -eq 0 ]; then
  echo "differential: FAILED: no cluster fit in --timeout $BUDGET" >&2
  exit 1
fi
[ $failed -eq 0 ]
