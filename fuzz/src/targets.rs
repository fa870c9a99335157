//! The fuzz targets. Each takes the fuzzer's bytes and checks the invariants of
//! `invariants.rs`; `run` adds the budgets (time, memory) around any of them. A new
//! entry point (matrix, diff, synthesize) is one function here, one line in [`TARGETS`],
//! a three-line file in `fuzz_targets/` and a `[[bin]]` entry in `Cargo.toml`.

use std::time::Duration;

use meshverdict::{Cluster, Dataplane, Input, Options};

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

fn as_inputs(parts: &[(String, String)]) -> Vec<Input<'_>> {
    parts.iter().map(|(name, text)| Input { name, text }).collect()
}

fn load_checked(dataplane: Dataplane, parts: &[(String, String)]) -> Result<Option<Cluster>, Violation> {
    let inputs = as_inputs(parts);
    let result = Cluster::load(&inputs, Options { dataplane: Some(dataplane), limits: limits() });
    invariants::check_load(&result, &Sources { inputs: &inputs })?;
    Ok(result.ok())
}

/// (a) text → `Cluster::load`.
pub fn load(data: &[u8]) -> Result<usize, Violation> {
    let (dataplane, parts) = inputs(data);
    load_checked(dataplane, &parts).map(|_| data.len())
}

fn verdicts_of(dataplane: Dataplane, parts: &[(String, String)], seed: u64) -> Checked {
    let Some(cluster) = load_checked(dataplane, parts)? else { return Ok(()) };
    let inputs = as_inputs(parts);
    let sources = Sources { inputs: &inputs };
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
    let Some(cluster) = load_checked(dataplane, parts)? else { return Ok(()) };
    let inputs = as_inputs(parts);
    invariants::check_diagnose(&cluster, &Sources { inputs: &inputs })
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

fn matrix_of(dataplane: Dataplane, parts: &[(String, String)]) -> Checked {
    use meshverdict::evaluate::diff::{diff, Tree};
    use meshverdict::evaluate::matrix::{Granularity, MatrixOptions};
    use meshverdict::{PortRef, Query};
    let Some(cluster) = load_checked(dataplane, parts)? else { return Ok(()) };
    let options = MatrixOptions { by: Granularity::Pod, externals: true, ..MatrixOptions::default() };
    let m = match cluster.matrix(&options) {
        Ok(m) => m,
        Err(e) => return Err(Violation(format!("matrix failed on a loaded cluster: {e}"))),
    };
    // Every cell is the point verdict at both ends of each of its port ranges, and a
    // port just outside a range is too (when no neighbouring range starts there).
    for c in m.cells().iter().take(200) {
        let (Some(from), Some(to)) = (m.groups.get(c.from), m.groups.get(c.to)) else { continue };
        if c.ports.windows(2).any(|w| matches!(w, [a, b] if a.to >= b.from)) {
            return Err(Violation(format!("matrix: unsorted or overlapping ranges {:?}", c.ports)));
        }
        for r in c.ports.iter().take(4) {
            for port in [r.from, r.to] {
                let q = Query { from: from.reference.clone(), to: to.reference.clone(), port: PortRef::Number(port), protocol: c.protocol };
                if let Ok(point) = cluster.allowed(&q) {
                    if !point {
                        return Err(Violation(format!("matrix admits {} → {} {port}/{} but the point verdict denies it", from.reference, to.reference, c.protocol)));
                    }
                }
            }
        }
    }
    let tree = Tree { model: cluster.model(), compiled: cluster.compiled() };
    match diff(&tree, &tree, &options) {
        Ok(d) if d.is_empty() => Ok(()),
        Ok(d) => Err(Violation(format!("a diff of a cluster with itself is not empty: {d:?}"))),
        Err(e) => Err(Violation(format!("diff failed on a loaded cluster: {e}"))),
    }
}

/// (e) load → the whole matrix (checked against point verdicts) and a diff with itself.
pub fn matrix(data: &[u8]) -> Result<usize, Violation> {
    let (dataplane, parts) = inputs(data);
    matrix_of(dataplane, &parts).map(|()| data.len())
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
    matrix_of(dataplane, &parts)?;
    if let Some((name, text)) = parts.first() {
        invariants::check_case(name, text)?;
    }
    Ok(size)
}
