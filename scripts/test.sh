#!/usr/bin/env bash
# Runs every test: the engine (unit, conformance, hostile inputs, doc), lints, the
# CLI over the conformance corpus, then each host (Python, Node, WASM) over the same
# corpus, compared flow by flow with the Rust results.
#
#   bash scripts/test.sh            # everything (after scripts/setup.sh)
#   bash scripts/test.sh --rust     # the Rust part only
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
RUST_ONLY=0
[ "${1:-}" = "--rust" ] && RUST_ONLY=1

SHARED="${MESHVERDICT_SHARED_CASES:-$REPO/../shared/conformance/cases}"
if [ ! -d "$SHARED" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "test.sh: shared conformance cases not found at $SHARED" >&2
    exit 1
  fi
  echo "test.sh: note: no shared corpus at $SHARED; running the project's own cases only" >&2
  SHARED=""
fi
export MESHVERDICT_SHARED_CASES="${SHARED:-$REPO/../shared/conformance/cases}"

# Each step's heading, and how long the one before it took (CI budgets: docs/reliability.md).
STEP_START=$SECONDS
step() { printf '\n== %s   (previous step: %ds)\n' "$*" "$((SECONDS - STEP_START))"; STEP_START=$SECONDS; }

step "the module graph: data flows one way (source → model → compile → evaluate → explain/diagnose), no cycle"
python3 scripts/check-layers.py

step "the differential tooling (netpol-analyzer output readers, comparator)"
python3 -m unittest discover -s tests/differential -q

step "cargo test (core, cli, bindings)"
cargo test --quiet

step "cargo clippy (workspace lints: no unwrap/expect/panic/indexing in library code)"
cargo clippy --quiet --all-targets -- -D warnings

step "rustfmt: the code in rustfmt's default style"
cargo fmt --all --check

step "CLI conformance run"
cargo build --quiet --release -p meshverdict-cli
./target/release/meshverdict conformance tests/cases ${SHARED:+"$SHARED"}

step "a 50 MB input of valid objects is answered (size is no error)"
BIG="$REPO/target/big-input"
./target/release/meshverdict generate --pods 130000 --policies 6000 --queries 1 --out "$BIG"
size=$(wc -c < "$BIG/cluster.yaml")
[ "$size" -ge 50000000 ] || { echo "generated input is only $size bytes" >&2; exit 1; }
set +e
./target/release/meshverdict check -f "$BIG/cluster.yaml" --from ns-0/pod-0 --to ns-1/pod-1 --port 8001 > /dev/null
status=$?
set -e
[ "$status" -le 1 ] || { echo "a ${size}-byte input got exit status $status, not a verdict" >&2; exit 1; }
echo "answered a ${size}-byte input (exit status $status)"

step "fuzzing: every target of fuzz/ for a bounded time (docs/reliability.md); any finding fails"
# About a minute of fuzzing (8 targets × 8 s) after building them (cargo-fuzz is installed
# once into ~/.cache/meshverdict/tools; the build's dependencies are kept in
# ~/.cache/meshverdict/fuzz-target). A longer run is one command:
# bash scripts/fuzz.sh --seconds 120 (or --long).
MESHVERDICT_FUZZ_TARGET_DIR="${MESHVERDICT_FUZZ_TARGET_DIR:-$HOME/.cache/meshverdict/fuzz-target}" \
  bash scripts/fuzz.sh --seconds "${MESHVERDICT_FUZZ_SECONDS_PER_TARGET:-8}"

step "differential test against netpol-analyzer (generated clusters of 100 to 1,000 pods)"
# Runs when the peer builds (Go >= 1.23: see scripts/peers/netpol-analyzer.sh); otherwise it
# prints "differential: SKIPPED: …" with the reason and this step passes.
bash scripts/peers/differential.sh --pods 1000 --min-pods 100 --seeds 3 --timeout 360 --max-cases 1

# The Rust results every host must reproduce, flow by flow.
./target/release/meshverdict conformance -o json tests/cases ${SHARED:+"$SHARED"} > target/conformance-rust.json 2>/dev/null || [ $? -eq 1 ]  # 1: an item failed, still a full report
export MESHVERDICT_RUST_RESULTS="$REPO/target/conformance-rust.json"

if [ "$RUST_ONLY" = 1 ]; then
  step "Rust tests passed"
  exit 0
fi
for host in python node wasm playground; do
  step "$host host"
  bash "$host/test.sh"
done
step "all tests passed"
