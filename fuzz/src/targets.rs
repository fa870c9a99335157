//! The fuzz targets. Each takes the fuzzer's bytes and checks the invariants of
//! `invariants.rs`; `run` adds the budgets (time, memory) around any of them. A new
//! entry point is one function here, one line in [`TARGETS`],
//! a three-line file in `fuzz_targets/` and a `[[bin]]` entry in `Cargo.toml`.

use std::time::Duration;

use meshverdict::Dataplane;

use crate::invariants::{self, Checked, Rng, Sources, Violation};
use crate::structured::World;

/// Every target by name, for the libFuzzer binaries and the stable replayer.
/// A target returns the number of bytes of text the engine read (the measure of the
/// memory budget), or a finding.
pub type Target = fn(&[u8]) -> Result<usize, Violation>;

/// Name, entry, and the fixed part C of its memory budget. `case` loads with the default
/// limits (`run_case` takes none), whose alias budget (2,000,000 units, about 110 bytes
/// each at most) alone may cost some 230 MB whatever the input's size.
pub const TARGETS: &[(&str, Target, usize)] = &[
    ("load", load, 16 << 20),
    ("verdicts", verdicts, 16 << 20),
    ("diagnose", diagnose, 16 << 20),
    ("case", case, 256 << 20),
    ("structured", structured, 16 << 20),
    ("matrix", matrix, 16 << 20),
    ("diff", diff, 16 << 20),
    ("synthesize", synthesize, 16 << 20),
];

pub use crate::invariants::{fuzz_limits as limits, split_inputs as inputs, QUESTIONS};

/// Budgets per input (docs/reliability.md says how they were measured).
pub struct Budget {
    /// CPU time of the fuzzing thread ([`invariants::thread_time`]).
    pub time: Duration,
    /// K: bytes of peak heap per byte of input.
    pub per_byte: usize,
    /// C: fixed bytes of peak heap (parser buffers, indexes, and the alias budget).
    pub fixed: usize,
}

/// The budget of one target: `MESHVERDICT_FUZZ_SECONDS` overrides the time (2 s).
pub fn budget(fixed: usize) -> Budget {
    let seconds = std::env::var("MESHVERDICT_FUZZ_SECONDS").ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(2.0);
    Budget { time: Duration::from_secs_f64(seconds), per_byte: 200, fixed }
}

/// What one input cost.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub elapsed: Duration,
    pub peak: usize,
    pub size: usize,
}

/// Runs target `name` on `data` within the budgets. `Err` is a finding.
pub fn run(name: &str, data: &[u8]) -> Result<Cost, Violation> {
    let Some((_, target, fixed)) = TARGETS.iter().find(|(n, _, _)| *n == name) else {
        return Err(Violation(format!("no fuzz target {name:?}")));
    };
    let budget = budget(*fixed);
    let base = crate::alloc::reset_peak();
    let start = invariants::thread_time();
    let size = target(data)?;
    let cost = Cost { elapsed: invariants::thread_time().saturating_sub(start), peak: crate::alloc::peak().saturating_sub(base), size };
    if cost.elapsed > budget.time {
        return Err(Violation(format!("{name}: {:?} for a {}-byte input (budget {:?})", cost.elapsed, cost.size, budget.time)));
    }
    let allowed = budget.per_byte.saturating_mul(cost.size).saturating_add(budget.fixed);
    if cost.peak > allowed {
        return Err(Violation(format!(
            "{name}: peak heap {} bytes for a {}-byte input (budget {} × size + {} = {allowed})",
            cost.peak, cost.size, budget.per_byte, budget.fixed
        )));
    }
    Ok(cost)
}

/// Findings already recorded (in tests/regressions/) that a long exploratory run should
/// step over: `MESHVERDICT_FUZZ_IGNORE`, substrings separated by `|`. Unset in CI.
fn known(v: &Violation) -> bool {
    std::env::var("MESHVERDICT_FUZZ_IGNORE").is_ok_and(|list| list.split('|').any(|s| !s.is_empty() && v.0.contains(s)))
}

/// The libFuzzer entry: a finding is a panic, which libFuzzer records with its input.
pub fn fuzz(name: &str, data: &[u8]) {
    if let Err(v) = run(name, data).or_else(|v| if known(&v) { Ok(Cost { elapsed: Duration::ZERO, peak: 0, size: 0 }) } else { Err(v) }) {
        // A panic is how a libFuzzer target reports a finding; this crate is no library code.
        #[allow(clippy::panic)]
        {
            panic!("finding: {v}");
        }
    }
}

/// (a) text → `Cluster::load`.
pub fn load(data: &[u8]) -> Result<usize, Violation> {
    let (dataplane, parts) = inputs(data);
    invariants::load_checked(dataplane, &parts).map(|_| data.len())
}

fn verdicts_of(dataplane: Dataplane, parts: &[(String, String)], seed: u64) -> Checked {
    let Some(cluster) = invariants::load_checked(dataplane, parts)? else { return Ok(()) };
    let inputs = invariants::as_inputs(parts);
    let sources = Sources::new(&inputs);
    let mut rng = Rng(seed);
    for q in invariants::questions(&cluster, &mut rng, QUESTIONS) {
        invariants::check_question(&cluster, &q, &sources)?;
    }
    Ok(())
}

/// (b) load → point verdicts over a sample of what the cluster holds.
pub fn verdicts(data: &[u8]) -> Result<usize, Violation> {
    let (dataplane, parts) = inputs(data);
    verdicts_of(dataplane, &parts, invariants::seed(data)).map(|()| data.len())
}

fn diagnose_of(dataplane: Dataplane, parts: &[(String, String)]) -> Checked {
    let Some(cluster) = invariants::load_checked(dataplane, parts)? else { return Ok(()) };
    let inputs = invariants::as_inputs(parts);
    invariants::check_diagnose(&cluster, &Sources::new(&inputs))
}

/// (c) load → `diagnose`.
pub fn diagnose(data: &[u8]) -> Result<usize, Violation> {
    let (dataplane, parts) = inputs(data);
    diagnose_of(dataplane, &parts).map(|()| data.len())
}

/// (d) case text → `conformance::run_case`.
pub fn case(data: &[u8]) -> Result<usize, Violation> {
    let text = String::from_utf8_lossy(data);
    invariants::check_case("case.yaml", &text).map(|()| data.len())
}

/// (e) load → the whole matrix (checked against point verdicts) and a diff with itself.
pub fn matrix(data: &[u8]) -> Result<usize, Violation> {
    let (dataplane, parts) = inputs(data);
    invariants::matrix_of(dataplane, &parts).map(|()| data.len())
}

/// (f) two trees (the input, and the input less one document) → `diff` both ways: it is
/// symmetric, every change is the point verdicts' change, located in its tree.
pub fn diff(data: &[u8]) -> Result<usize, Violation> {
    let (dataplane, parts) = inputs(data);
    let before = invariants::without_one_document(&parts, invariants::seed(data));
    invariants::diff_of(dataplane, &before, &parts).map(|()| data.len())
}

/// (g) load → `synthesize` for the input's Intents (or a few drawn from its endpoints):
/// deterministic, never `internal`, every error located, the set valid and admitting
/// every intent it meets.
pub fn synthesize(data: &[u8]) -> Result<usize, Violation> {
    let (dataplane, parts) = inputs(data);
    invariants::synthesize_of(dataplane, &parts, invariants::seed(data)).map(|()| data.len())
}

/// Structure-aware: `arbitrary` builds a world, rendered to YAML/JSON, then every check
/// above runs on it.
pub fn structured(data: &[u8]) -> Result<usize, Violation> {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(world) = u.arbitrary::<World>() else { return Ok(data.len()) };
    let parts = world.render();
    let size = parts.iter().map(|(_, t)| t.len()).sum::<usize>().max(data.len());
    let dataplane = [Dataplane::Generic, Dataplane::Calico, Dataplane::Cilium][usize::from(world.dataplane) % 3];
    verdicts_of(dataplane, &parts, invariants::seed(data))?;
    diagnose_of(dataplane, &parts)?;
    invariants::matrix_of(dataplane, &parts)?;
    let seed = invariants::seed(data);
    invariants::diff_of(dataplane, &invariants::without_one_document(&parts, seed), &parts)?;
    invariants::synthesize_of(dataplane, &parts, seed)?;
    if let Some((name, text)) = parts.first() {
        invariants::check_case(name, text)?;
    }
    Ok(size)
}
