#!/usr/bin/env bash
# scripts/bench-hosts.sh [--no-build] — verdicts through every host on one generated
# cluster (5,000 pods, 500 policies; QUERIES questions, 100,000 by default), each figure
# as a ratio to Rust direct, all measured in this one run.
#
#   single       one verdict per call (Rust direct: the verdict alone; Python: the verdict,
#                its details built when read; WASM: the decision, its reasons judged and
#                built when read; rows with the summary and with the explanation read are
#                printed beneath the table; Node: with its explanation and every layer as
#                an object)
#   batch        decisions only, all questions in one crossing (allowed_many / allowedMany)
#   columns      the same decisions asked as columns (allowed_columns / allowedColumns: the
#                distinct endpoint references once, then index and port arrays; Rust
#                direct: Cluster::roster), the arrays built before the timing; each host's
#                answers written into a buffer (Python's out=, JavaScript's out) beneath the table
#   batch-brief  allowed + summary, all questions in one crossing (verdicts)
#
# PASSES=N (5 by default) runs the hosts N times, interleaved; each figure is the best.
# Builds every host from the working tree first (the CLI, the Rust example, the Python
# wheel, the Node addon, the WASM package), so that every row runs the same engine;
# --no-build measures what is built. With WASM_SIZE_MODULE=PATH (a nodejs build made
# with MESHVERDICT_WASM_OPT=size) a row for that build is added. Writes
# target/bench-hosts.json (one JSON line per host and pass) and prints the table.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
BUILD=1
[ "${1:-}" = "--no-build" ] && BUILD=0
OUT="$REPO/target/bench-hosts"
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"

if [ "$BUILD" = 1 ]; then
  cargo build --quiet --release -p meshverdict-cli
  cargo build --quiet --release -p meshverdict --example direct
  bash python/build.sh
  bash node/build.sh
  bash wasm/build.sh
fi
"$TARGET_DIR/release/meshverdict" generate -q --pods 5000 --policies 500 --queries "${QUERIES:-100000}" --out "$OUT"
Y="$OUT/cluster.yaml" Q="$OUT/queries.json"
# The hosts one after the other, PASSES times over (5 by default): a shared machine slows
# down for seconds at a time, and interleaved passes let every host meet the quiet ones.
# Each figure is a host's best over the passes.
for pass in $(seq "${PASSES:-5}"); do
  "$TARGET_DIR/release/examples/direct" "$Y" "$Q"
  target/pyenv/bin/python python/bench.py "$Y" "$Q"
  node node/bench.mjs "$Y" "$Q"
  node wasm/bench.mjs "$Y" "$Q"
  if [ -n "${WASM_SIZE_MODULE:-}" ]; then
    node wasm/bench.mjs "$Y" "$Q" --module "$WASM_SIZE_MODULE" | sed 's/"host":"wasm"/"host":"wasm (opt-level z)"/'
  fi
done | tee "$REPO/target/bench-hosts.json"
python3 - "$REPO/target/bench-hosts.json" <<'PY'
import json, sys
passes = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
# One row per host, in first-seen order: each timing the best of its passes.
rows = []
for p in passes:
    row = next((r for r in rows if r["host"] == p["host"]), None)
    if row is None:
        rows.append(dict(p))
        continue
    for k, v in p.items():
        if k.endswith("_ns") or k == "load_ms":
            if isinstance(v, (int, float)) and (not isinstance(row.get(k), (int, float)) or v < row[k]):
                row[k] = v
rust = next(r for r in rows if r["host"] == "rust")
names = {"rust": "Rust direct", "python": "Python (pyo3)", "node": "Node (napi)", "wasm": "WASM in Node"}
# The machine, printed with the table: figures mean little without it.
import datetime, os, platform
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine()) if os.path.exists("/proc/cpuinfo") else platform.machine()
print(f"\n{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({cpu}), load average {os.getloadavg()[0]:.1f} at the end, {rows[0].get('queries', '?')} questions, best of {len(passes) // max(len(rows), 1)} interleaved passes")
print()
print("| host | single µs | ×Rust | batch µs | ×Rust | columns µs | ×Rust | batch-brief µs | ×Rust |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    cells = []
    for k in ("single_ns", "batch_ns", "columns_ns", "batch_brief_ns"):
        cells += [f"{r[k] / 1000:.2f}", f"{r[k] / rust[k]:.2f}"] if k in r else ["–", "–"]
    print(f"| {names.get(r['host'], r['host'])} | " + " | ".join(cells) + " |")
for r in rows:
    if r.get("columns_out_ns") and rust.get("columns_ns"):
        print(f"\n{names.get(r['host'], r['host'])}: columns with the answers written into a buffer (out): {r['columns_out_ns'] / 1000:.2f} µs ({r['columns_out_ns'] / rust['columns_ns']:.2f}× Rust direct's columns)")
for r in rows:
    if "single_summary_ns" in r:
        print(f"\n{names.get(r['host'], r['host'])}: a verdict with its summary read: {r['single_summary_ns'] / 1000:.2f} µs ({r['single_summary_ns'] / rust['single_ns']:.2f}× Rust direct's verdict)")
extra = [r for r in rows if "single_explained_ns" in r]
for r in extra:
    print(f"\n{names.get(r['host'], r['host'])}: a verdict with its explanation read: {r['single_explained_ns'] / 1000:.2f} µs ({r['single_explained_ns'] / rust['single_ns']:.2f}× Rust direct's verdict)")
PY
