#!/usr/bin/env bash
# The engine at scale: generated live clusters (Deployments → ReplicaSets → Pods, Services,
# Nodes, kube-dns, Linkerd) at 1k, 10k and 150k pods, one run per size and variant,
# measured with /usr/bin/time -v (wall time, peak RSS):
#   check     load + one verdict          (NetworkPolicy; Cilium)
#   diagnose  every diagnostic, complete  (NetworkPolicy; Cilium; half the namespaces meshed)
#   matrix    the whole matrix, by class and by workload, -o compact (when the CLI has `matrix`)
# plus the identity classes of each input (`meshverdict generate --stats`).
#
#   bash scripts/bench-scale.sh [--sizes 1k,10k,150k] [--bin PATH] [--out DIR] [--keep]
#                               [--timeout SECONDS] [--max-memory GIB] [--no-matrix]
#                               [--variants netpol,cilium,mesh]
#
# Sizes: 1k = 1,000 pods × 200 policies, 10k = 10,000 × 1,000, 150k = 150,000 × 10,000;
# workloads ≈ pods / 10, 100 pods per namespace. A table goes to stdout (Markdown) and
# DIR/results.tsv. Builds the release CLI unless --bin is given. A run that takes longer
# than --timeout (default 1200 s) is stopped, one that would take more than --max-memory
# (default 8 GiB of address space, so that a run cannot push a shared machine out of
# memory) fails; both are reported as such. The 150k inputs (about
# 200 MB each) are deleted after use unless --keep. docs/performance.md has the results
# and how to read them.
set -euo pipefail

SIZES="1k,10k,150k"
BIN=""
KEEP=0
TIMEOUT=1200
MAX_GIB=8
MATRIX=1
VARIANTS="netpol,cilium,mesh"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$REPO/target/bench-scale"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --max-memory) MAX_GIB="$2"; shift 2 ;;
    --no-matrix) MATRIX=0; shift ;;
    --variants) VARIANTS="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ -z "$BIN" ]; then
  (cd "$REPO" && cargo build --quiet --release -p meshverdict-cli)
  # A private copy: other builds may replace target/release while we measure.
  mkdir -p "$OUT"
  cp "$REPO/target/release/meshverdict" "$OUT/meshverdict"
  BIN="$OUT/meshverdict"
fi
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time: apt-get install time)" >&2; exit 2; }
mkdir -p "$OUT"
TSV="$OUT/results.tsv"
printf 'size\tvariant\tcommand\twall_s\tcpu_s\tpeak_rss_mib\texit\tclasses\tdetail\n' > "$TSV"

size_args() {
  case "$1" in
    1k) echo "1000 200 100" ;;
    10k) echo "10000 1000 1000" ;;
    150k) echo "150000 10000 15000" ;;
    *k) local p=$(( ${1%k} * 1000 )); echo "$p $(( p / 15 )) $(( p / 10 ))" ;;
    *) echo "size $1: use 1k, 10k, 150k or another NUMBERk" >&2; exit 2 ;;
  esac
}

# run COMMAND...: one measured run; sets WALL, CPU (user + system, all threads), RSS_MIB,
# STATUS, and leaves stdout in $OUT/last.out.
run() {
  local log="$OUT/time.log"
  set +e
  ( ulimit -v $(( MAX_GIB * 1024 * 1024 )); exec /usr/bin/time -v timeout "$TIMEOUT" "$@" ) > "$OUT/last.out" 2> "$log"
  STATUS=$?
  set -e
  CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$log")
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$log")
  RSS_MIB=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log")
}

has_matrix=0
if "$BIN" matrix --help > /dev/null 2>&1; then has_matrix=1; fi

echo "# meshverdict at scale"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| size | variant | command | wall | CPU | peak RSS | classes | result |"
echo "|---|---|---|---|---|---|---|---|"

IFS=',' read -r -a sizes <<< "$SIZES"
for size in "${sizes[@]}"; do
  read -r pods policies workloads <<< "$(size_args "$size")"
  IFS=',' read -r -a variants <<< "$VARIANTS"
  for variant in "${variants[@]}"; do
    dir="$OUT/$size-$variant"
    flags=(--pods "$pods" --policies "$policies" --workloads "$workloads" --queries 1)
    dataplane=generic
    case "$variant" in
      cilium) flags+=(--cilium); dataplane=cilium ;;
      mesh) flags+=(--meshed-namespaces 0.5) ;;
    esac
    stats=$("$BIN" generate "${flags[@]}" --out "$dir" --stats)
    classes=$(echo "$stats" | jq -r '.classes')
    mib=$(( $(stat -c %s "$dir/cluster.yaml") / 1048576 ))
    from=$(jq -r '.[0].from' "$dir/queries.json")
    to=$(jq -r '.[0].to' "$dir/queries.json")
    port=$(jq -r '.[0].port' "$dir/queries.json")
    row() {
      echo "| $size ($pods pods, $policies policies, ${mib} MB) | $variant | $1 | ${WALL} s | ${CPU} s | ${RSS_MIB} MiB | $classes | $2 |"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$variant" "$1" "$WALL" "$CPU" "$RSS_MIB" "$STATUS" "$classes" "$2" >> "$TSV"
    }
    if [ "$variant" != mesh ]; then
      run "$BIN" check -q --dataplane "$dataplane" -f "$dir/cluster.yaml" --from "$from" --to "$to" --port "$port"
      verdict=$(head -c 200 "$OUT/last.out" | head -1 | cut -d: -f1)
      [ "$STATUS" -le 1 ] || verdict="failed (exit $STATUS$(grep -qi 'memory allocation' "$OUT/time.log" && echo ", over ${MAX_GIB} GiB"))"
      [ "$STATUS" != 124 ] || verdict="stopped after ${TIMEOUT} s"
      row "load + check" "$verdict"
    fi
    run "$BIN" diagnose -q --dataplane "$dataplane" -f "$dir/cluster.yaml"
    result=$(tail -1 "$OUT/last.out")
    [ "$STATUS" -le 1 ] || result="failed (exit $STATUS$(grep -qi 'memory allocation' "$OUT/time.log" && echo ", over ${MAX_GIB} GiB"))"
    [ "$STATUS" != 124 ] || result="stopped after ${TIMEOUT} s"
    row "diagnose" "$result"
    if [ "$has_matrix" = 1 ] && [ "$MATRIX" = 1 ] && [ "$variant" != mesh ]; then
      for by in class workload; do
        # The compact form (what hosts and the playground read): `-o json` lists every
        # cell, which grows with workloads² (gigabytes at 150k).
        run "$BIN" matrix -q --dataplane "$dataplane" -f "$dir/cluster.yaml" --by "$by" -o compact
        [ "$STATUS" -le 1 ] && result="$(stat -c %s "$OUT/last.out") bytes of compact JSON" || result="failed (exit $STATUS)"
        row "matrix --by $by" "$result"
      done
    fi
    echo "$stats" > "$dir/stats.json"
    rm -f "$OUT/last.out"
    # The 150k inputs are about 200 MB each: keep only what is needed to rerun.
    if [ "$size" = 150k ] && [ "$KEEP" = 0 ]; then rm -f "$dir/cluster.yaml"; fi
  done
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); per-stage times: $OUT/*/stats.json; table: $TSV"
