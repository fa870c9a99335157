#!/usr/bin/env bash
# 100,000 verdicts on one generated cluster (5,000 pods, 500 policies) through every
# host, each figure as a ratio to Rust direct, all measured in this one run.
#
#   single      one full verdict (with its explanation) per call
#   batch       decisions only, all questions in one crossing (allowedMany / allowed_many)
#   batch-brief allowed + summary, all questions in one crossing (verdicts)
#
# Needs the hosts built (bash scripts/test.sh does that). Writes target/bench-hosts.json.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
OUT="$REPO/target/bench-hosts"
cargo build --quiet --release -p meshverdict-cli
./target/release/meshverdict generate --pods 5000 --policies 500 --queries "${QUERIES:-100000}" --out "$OUT"
Y="$OUT/cluster.yaml" Q="$OUT/queries.json"
{
  cargo run --quiet --release -p meshverdict --example direct -- "$Y" "$Q"
  target/pyenv/bin/python python/bench.py "$Y" "$Q"
  node node/bench.mjs "$Y" "$Q"
  node wasm/bench.mjs "$Y" "$Q"
} | tee "$REPO/target/bench-hosts.json"
python3 - "$REPO/target/bench-hosts.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
rust = next(r for r in rows if r["host"] == "rust")
print()
print("| host | single µs | ×Rust | batch µs | ×Rust | batch-brief µs | ×Rust |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    cells = []
    for k in ("single_ns", "batch_ns", "batch_brief_ns"):
        cells += [f"{r[k] / 1000:.2f}", f"{r[k] / rust[k]:.2f}"]
    print(f"| {r['host']} | " + " | ".join(cells) + " |")
PY
