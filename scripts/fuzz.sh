#!/usr/bin/env bash
# Fuzzes the engine (docs/reliability.md): every target of fuzz/ for a bounded time, with
# libFuzzer through cargo-fuzz on the stable toolchain (RUSTC_BOOTSTRAP=1: cargo-fuzz
# passes -Z flags). Prints executions, coverage and findings per target; exits 1 on any
# finding (crash, broken invariant, time or memory over budget, libFuzzer timeout/OOM).
#
#   bash scripts/fuzz.sh                 # about one minute in all (12 s per target)
#   bash scripts/fuzz.sh --seconds 120   # per target
#   bash scripts/fuzz.sh --long          # 600 s per target
#   bash scripts/fuzz.sh --targets load,case
#   bash scripts/fuzz.sh --long --keep-going   # libFuzzer's fork mode: go on past findings, keep them all
#
# Seeds: every file of tests/, examples/ and the shared corpus (MESHVERDICT_SHARED_CASES,
# default ../shared/conformance/cases). The corpus grows in fuzz/corpus/TARGET (kept
# between runs, not committed); findings land in fuzz/artifacts/TARGET.
# MESHVERDICT_FUZZ_TARGET_DIR: cargo's target folder for the fuzz build (default
# fuzz/target); scripts/test.sh puts it in ~/.cache/meshverdict so that a fresh clone on
# the same machine (CI) rebuilds only the engine and the harness, not every dependency.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

SECONDS_PER_TARGET=12
TARGETS=""
KEEP_GOING=0
while [ $# -gt 0 ]; do
  case "$1" in
    --long) SECONDS_PER_TARGET=600 ;;
    --seconds) SECONDS_PER_TARGET="$2"; shift ;;
    --targets) TARGETS="$2"; shift ;;
    --keep-going) KEEP_GOING=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# cargo-fuzz, installed once into a cache that survives the work tree.
CARGO_FUZZ_VERSION=0.13.2
TOOLS="${MESHVERDICT_TOOLS:-$HOME/.cache/meshverdict/tools}/cargo-fuzz"
CARGO_FUZZ="$TOOLS/bin/cargo-fuzz"
if ! "$CARGO_FUZZ" fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "fuzz.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION into $TOOLS"
  cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --locked --root "$TOOLS"
fi

TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
# Release code with debug assertions (overflow checks), no sanitizer: the engine forbids
# unsafe code, so AddressSanitizer would only halve the executions.
echo "fuzz.sh: building the targets (cargo fuzz build -O -a -s none)"
FUZZ_TARGET_DIR="${MESHVERDICT_FUZZ_TARGET_DIR:-$REPO/fuzz/target}"
(cd fuzz && RUSTC_BOOTSTRAP=1 "$CARGO_FUZZ" fuzz build -O -a -s none --target-dir "$FUZZ_TARGET_DIR")
BIN="$FUZZ_TARGET_DIR/$TRIPLE/release"
[ -n "$TARGETS" ] || TARGETS="$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v -e "^meshverdict-fuzz$" -e "^replay$" | paste -sd, -)"

# Seeds: every case, invalid input, example and regression, flattened (read-only dir).
SHARED="${MESHVERDICT_SHARED_CASES:-$REPO/../shared/conformance/cases}"
SEEDS="$REPO/target/fuzz-seeds-$$"
rm -rf "$SEEDS"; mkdir -p "$SEEDS"
trap 'rm -rf "$SEEDS"' EXIT
for dir in tests examples "$SHARED"; do
  [ -d "$dir" ] || continue
  find "$dir" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -size -1024k -print0 |
    while IFS= read -r -d '' f; do cp "$f" "$SEEDS/$(echo "$f" | md5sum | cut -c1-16)-$(basename "$f")"; done
done
echo "fuzz.sh: $(ls "$SEEDS" | wc -l) seed files; ${SECONDS_PER_TARGET}s per target: $TARGETS"

LOGS="$REPO/target/fuzz-logs"; mkdir -p "$LOGS"
total_findings=0
printf '\n%-11s %12s %8s %8s %7s %9s\n' target executions edges features corpus findings
for t in ${TARGETS//,/ }; do
  corpus="$REPO/fuzz/corpus/$t"; artifacts="$REPO/fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  seeds=("$SEEDS")
  [ "$t" = structured ] && seeds=()   # its bytes are a generator's choices, not text
  before=$(ls "$artifacts" | wc -l)
  log="$LOGS/$t.log"
  set +e
  mode=()
  [ "$KEEP_GOING" = 1 ] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  # -timeout: libFuzzer's own hang detector, a backstop for the harness's 2 s budget.
  # From the logs folder: fork mode writes its job logs (fuzz-N.log) where it runs.
  (cd "$LOGS" && timeout $((SECONDS_PER_TARGET + 120)) "$BIN/$t" "${mode[@]}" "$corpus" "${seeds[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/") > "$log" 2>&1
  status=$?
  # Executions: the final stats, or in fork mode the last status line's counter.
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  [ "${execs:-0}" = 0 ] && execs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
  edges=$(echo "$last" | grep -o 'cov: [0-9]*' | awk '{print $2}')
  features=$(echo "$last" | grep -o 'ft: [0-9]*' | awk '{print $2}')
  set -e
  found=$(( $(ls "$artifacts" | wc -l) - before ))
  if [ "$status" -ne 0 ] && [ "$found" -eq 0 ]; then found=1; fi
  [ "$KEEP_GOING" = 1 ] && [ "$status" -ne 0 ] && [ "$found" -eq 0 ] && found=0
  total_findings=$((total_findings + found))
  printf '%-11s %12s %8s %8s %7s %9s\n' "$t" "${execs:-0}" "${edges:-?}" "${features:-?}" "$(ls "$corpus" | wc -l)" "$found"
  if [ "$found" -gt 0 ]; then
    grep -E 'finding:|ERROR: libFuzzer' "$log" | sort | uniq -c | sort -rn | head -8 | sed 's/^/    /'
    echo "    log: $log; inputs: $artifacts"
  fi
done
echo
if [ "$total_findings" -gt 0 ]; then
  echo "fuzz.sh: $total_findings finding(s); replay with: (cd fuzz && cargo run --release --no-default-features --example replay -- --target TARGET FILE)"
  exit 1
fi
echo "fuzz.sh: no findings"
