//! What every entry point of the engine promises, whatever the input: the facts the fuzz
//! targets check on each input, and that `core/tests/regressions.rs` checks again on each
//! finding (it includes this file by path, so a finding replays against the very checks
//! that found it). Only the public API is used: `Cluster::{load, verdict, allowed,
//! model}`, `diagnose`, `conformance::run_case` and the `Verdict`/`Error` types.

use meshverdict::source::Limits;
use meshverdict::{Cluster, Dataplane, Error, ErrorCode, Input, PortRef, Protocol, Query, Verdict};

/// The limits every fuzz input is loaded with: the defaults, but alias expansion lowered,
/// so that the memory bound (K × input + C) is tight: at the default, aliases alone may
/// legitimately copy a million units whatever the input's size.
pub fn fuzz_limits() -> Limits {
    Limits {
        max_alias_nodes: 10_000,
        ..Limits::default()
    }
}

/// Fuzzer bytes as inputs: text split at NUL bytes (which YAML never holds) into up to
/// four named inputs; the dataplane from a hash of the bytes, so a mutation may change it.
pub fn split_inputs(data: &[u8]) -> (Dataplane, Vec<(String, String)>) {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<(String, String)> = text
        .split('\0')
        .take(4)
        .enumerate()
        .map(|(i, t)| (format!("in-{i}.yaml"), t.to_string()))
        .collect();
    let dataplane = match seed(data) % 3 {
        0 => Dataplane::Generic,
        1 => Dataplane::Calico,
        _ => Dataplane::Cilium,
    };
    (dataplane, parts)
}

/// Questions asked per loaded input: enough to reach every kind of reference, few
/// enough that an input stays well under the time budget.
pub const QUESTIONS: usize = 48;

/// A broken promise, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Checked = Result<(), Violation>;

fn violation(what: impl Into<String>) -> Violation {
    Violation(what.into())
}

/// The texts of one load, to check that a location points inside one of them.
pub struct Sources<'a> {
    pub inputs: &'a [Input<'a>],
    /// Lines of each input, counted once: counting them for every error made checking
    /// N located errors O(N × size) (the `load-invalid-objects-quadratic` replay spent
    /// its seconds here, not in the engine).
    lines: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Sources<'a> {
    pub fn new(inputs: &'a [Input<'a>]) -> Sources<'a> {
        Sources {
            inputs,
            lines: std::cell::OnceCell::new(),
        }
    }

    /// Lines as YAML counts them: LF, CR and CRLF each end a line (YAML 1.2 §5.4,
    /// b-break), so a lone CR starts a line where `str::lines` would not.
    fn lines_of(&self, source: &str) -> Option<usize> {
        let lines = self.lines.get_or_init(|| {
            self.inputs
                .iter()
                .map(|i| {
                    let bytes = i.text.as_bytes();
                    let breaks = bytes
                        .iter()
                        .enumerate()
                        .filter(|(k, b)| {
                            **b == b'\n' || (**b == b'\r' && bytes.get(k + 1) != Some(&b'\n'))
                        })
                        .count();
                    breaks + 1
                })
                .collect()
        });
        self.inputs
            .iter()
            .position(|i| i.name == source)
            .and_then(|k| lines.get(k).copied())
    }
}

/// Errors point at their cause. A `parse-error` or `limit-exceeded` names the input and
/// the line; an `invalid-policy` or `invalid-field` names the input, the document, the
/// field path and the line (every input is YAML or JSON text, so a line always exists);
/// the line is one of the input's. `internal` is a bug whatever it says.
pub fn located(e: &Error, sources: &Sources) -> Checked {
    located_as(e, sources, false)
}

/// As [`located`]; `whole_document`: the error is about a document as a whole (one that
/// is no object at all fails the load), so it has no field path to give.
pub fn located_as(e: &Error, sources: &Sources, whole_document: bool) -> Checked {
    let needs_path = matches!(e.code, ErrorCode::InvalidPolicy | ErrorCode::InvalidField);
    let needs_line =
        needs_path || matches!(e.code, ErrorCode::ParseError | ErrorCode::LimitExceeded);
    if e.code == ErrorCode::Internal {
        return Err(violation(format!("internal error: {e}")));
    }
    if e.message.trim().is_empty() {
        return Err(violation(format!("{} error without a message", e.code)));
    }
    if !needs_line {
        return Ok(());
    }
    let Some(loc) = e.location.as_deref() else {
        return Err(violation(format!(
            "{} error without a location: {e}",
            e.code
        )));
    };
    let Some(lines) = sources.lines_of(&loc.source) else {
        return Err(violation(format!(
            "{} error names no input (source {:?}): {e}",
            e.code, loc.source
        )));
    };
    match loc.line {
        None => return Err(violation(format!("{} error without a line: {e}", e.code))),
        // A parser may point one line past the last one (at the end of the stream).
        Some(l) if l == 0 || l > lines + 1 => {
            return Err(violation(format!(
                "{} error at line {l} of a {lines}-line input: {e}",
                e.code
            )))
        }
        Some(_) => {}
    }
    if needs_path {
        if loc.document.is_none_or(|d| d == 0) {
            return Err(violation(format!(
                "{} error without a document: {e}",
                e.code
            )));
        }
        if !whole_document && loc.path.as_deref().is_none_or(str::is_empty) {
            return Err(violation(format!(
                "{} error without a field path: {e}",
                e.code
            )));
        }
    }
    Ok(())
}

/// The errors of every object the API server would reject, or Cilium's agent refuses:
/// the one place that knows where the engine keeps them.
pub fn invalid_objects(cluster: &Cluster) -> Vec<&Error> {
    let (model, compiled) = (cluster.model(), cluster.compiled());
    model
        .invalid
        .iter()
        .chain(compiled.invalid.iter())
        .chain(compiled.refused.iter())
        .map(|i| &i.error)
        .collect()
}

/// Loading either answers or fails with a located `parse-error`, `limit-exceeded` or
/// `invalid-field` (a document that is not an object); an object the API server would
/// reject is kept and reported, located, never a load failure.
pub fn check_load(result: &Result<Cluster, Error>, sources: &Sources) -> Checked {
    match result {
        Err(e) => {
            if !matches!(
                e.code,
                ErrorCode::ParseError | ErrorCode::LimitExceeded | ErrorCode::InvalidField
            ) {
                return Err(violation(format!("load failed with {}: {e}", e.code)));
            }
            located_as(e, sources, e.code == ErrorCode::InvalidField)
        }
        Ok(cluster) => {
            for error in invalid_objects(cluster) {
                located(error, sources)?;
            }
            Ok(())
        }
    }
}

/// A verdict is consistent with its layers: a direct flow is allowed exactly when the
/// source's egress, the destination's ingress and (for a meshed destination) the mesh
/// admit it; a Service is allowed exactly when every backend is.
pub fn consistent(v: &Verdict) -> Checked {
    if v.backends.is_empty() {
        let mesh = v.mesh.as_ref().is_none_or(|m| m.allowed);
        let layers = v.egress.allowed && v.ingress.allowed && mesh;
        if v.allowed != layers {
            return Err(violation(format!(
                "{} → {} {}/{}: allowed={} but egress={} ingress={} mesh={mesh}",
                v.from.reference,
                v.to.reference,
                v.port,
                v.protocol,
                v.allowed,
                v.egress.allowed,
                v.ingress.allowed
            )));
        }
    } else {
        let all = v.backends.iter().all(|b| b.allowed);
        if v.allowed != all {
            return Err(violation(format!(
                "{}: allowed={} but every backend allowed={all}",
                v.to.reference, v.allowed
            )));
        }
        for b in &v.backends {
            consistent(b)?;
        }
    }
    if v.summary.is_empty() {
        return Err(violation(format!(
            "{} → {}: verdict without a summary",
            v.from.reference, v.to.reference
        )));
    }
    Ok(())
}

/// One question: `verdict` and `allowed` agree, both are deterministic, an answer is
/// consistent and serializes, and a refusal is an error of the question or a located
/// refusal over an invalid object.
pub fn check_question(cluster: &Cluster, q: &Query, sources: &Sources) -> Checked {
    let full = cluster.verdict(q);
    let brief = cluster.allowed(q);
    let again = cluster.verdict(q);
    if full != again {
        return Err(violation(format!("{q:?}: two verdicts differ")));
    }
    match (&full, &brief) {
        (Ok(v), Ok(a)) => {
            if v.allowed != *a {
                return Err(violation(format!(
                    "{q:?}: verdict says allowed={}, allowed() says {a}",
                    v.allowed
                )));
            }
            consistent(v)?;
            serde_json::to_string(v)
                .map_err(|e| violation(format!("{q:?}: verdict does not serialize: {e}")))?;
            Ok(())
        }
        (Err(e), Err(b)) => {
            if e != b {
                return Err(violation(format!(
                    "{q:?}: verdict error {e} but allowed() error {b}"
                )));
            }
            // A refusal over an object the API server would reject carries that object's
            // own error: invalid-policy, or invalid-field for a field of the wrong type.
            let refusal = matches!(e.code, ErrorCode::InvalidPolicy | ErrorCode::InvalidField);
            if !refusal
                && !matches!(
                    e.code,
                    ErrorCode::UnknownEndpoint | ErrorCode::InvalidRequest
                )
            {
                return Err(violation(format!("{q:?}: refused with {}: {e}", e.code)));
            }
            located(e, sources)
        }
        (Ok(v), Err(e)) => Err(violation(format!(
            "{q:?}: verdict answers allowed={}, allowed() fails: {e}",
            v.allowed
        ))),
        (Err(e), Ok(a)) => Err(violation(format!(
            "{q:?}: verdict fails ({e}), allowed() answers {a}"
        ))),
    }
}

/// `diagnose` is deterministic, ordered most severe first, and every `invalid-policy`
/// diagnostic is located like the error it reports.
pub fn check_diagnose(cluster: &Cluster, sources: &Sources) -> Checked {
    let first = meshverdict::diagnose(cluster);
    let second = meshverdict::diagnose(cluster);
    if first != second {
        return Err(violation("diagnose gave two different answers"));
    }
    for pair in first.windows(2) {
        if let [a, b] = pair {
            if a.severity < b.severity {
                return Err(violation(format!(
                    "diagnostics out of order: {} before {}",
                    a.code, b.code
                )));
            }
        }
    }
    for d in &first {
        if d.code.as_str().is_empty() || d.message.is_empty() {
            return Err(violation(format!(
                "diagnostic without code or message: {d:?}"
            )));
        }
        if d.code.as_str() == "invalid-policy" {
            let e = Error {
                code: ErrorCode::InvalidPolicy,
                message: d.message.clone(),
                help: None,
                location: d.location.clone().map(Box::new),
            };
            located(&e, sources)?;
        }
        serde_json::to_string(d)
            .map_err(|e| violation(format!("diagnostic does not serialize: {e}")))?;
    }
    Ok(())
}

/// A case file runs to a report (or is skipped for want of Expectations): its counts add
/// up, every item is named after the case, and a second run gives the same report.
pub fn check_case(source: &str, text: &str) -> Checked {
    let first = meshverdict::conformance::run_case(source, text);
    let second = meshverdict::conformance::run_case(source, text);
    if first != second {
        return Err(violation("run_case gave two different reports"));
    }
    match first {
        Ok(None) => Ok(()),
        Ok(Some(r)) => {
            if r.passed + r.failed != r.results.len() || r.failed != r.failures().count() {
                return Err(violation(format!(
                    "case {}: {} passed + {} failed ≠ {} results",
                    r.name,
                    r.passed,
                    r.failed,
                    r.results.len()
                )));
            }
            if let Some(bad) = r
                .results
                .iter()
                .find(|i| !i.id.starts_with(&format!("{}#", r.name)))
            {
                return Err(violation(format!(
                    "case {}: item {} is not named after the case",
                    r.name, bad.id
                )));
            }
            Ok(())
        }
        Err(e) => {
            let inputs = [Input { name: source, text }];
            if e.code != ErrorCode::InvalidCase {
                return Err(violation(format!("run_case failed with {}: {e}", e.code)));
            }
            located(&e, &Sources::new(&inputs))
        }
    }
}

/// CPU time of the calling thread (Linux: /proc/thread-self/schedstat, nanoseconds on
/// the CPU), so that a time budget holds on a machine shared with other work; wall time
/// where that is not available.
pub fn thread_time() -> std::time::Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let cpu = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        });
    match cpu {
        Some(ns) => std::time::Duration::from_nanos(ns),
        None => START.get_or_init(std::time::Instant::now).elapsed(),
    }
}

/// A small deterministic sequence (SplitMix64): the same input always asks the same
/// questions, so a finding replays.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }
}

/// FNV-1a: a seed from the input's bytes.
pub fn seed(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Up to `count` questions over what the cluster holds: pods and workloads by name,
/// their addresses, nodes, Services and DNS names, outside addresses, and a few
/// references that must be refused; numeric and named ports; TCP, UDP and SCTP.
pub fn questions(cluster: &Cluster, rng: &mut Rng, count: usize) -> Vec<Query> {
    let model = cluster.model();
    let mut parties: Vec<String> = Vec::new();
    let mut ports: Vec<PortRef> = vec![
        PortRef::Number(80),
        PortRef::Number(443),
        PortRef::Number(53),
        PortRef::Number(4143),
    ];
    for _ in 0..8 {
        if let Some(e) = rng.pick(&model.endpoints) {
            parties.push(e.reference());
            if let Some(ip) = rng.pick(&e.ips) {
                parties.push(format!("ip:{ip}"));
            }
            if let Some(p) = rng.pick(&e.ports) {
                ports.push(PortRef::Number(p.port));
                if let Some(name) = &p.name {
                    ports.push(PortRef::Name(name.clone()));
                }
            }
        }
    }
    let nodes: Vec<&String> = model.nodes.keys().collect();
    for _ in 0..2 {
        if let Some(n) = rng.pick(&nodes) {
            parties.push(format!("node:{n}"));
        }
    }
    // Outside addresses, v4 and v6, and references that must be refused, not judged.
    parties.extend(
        [
            "ip:203.0.113.7",
            "ip:2001:db8::1",
            "ip:10.0.0.1",
            "nope",
            "x/missing",
            "ip:300.1.1.1",
            "node:missing",
        ]
        .map(String::from),
    );
    let mut destinations = parties.clone();
    for _ in 0..3 {
        if let Some(s) = rng.pick(&model.services) {
            destinations.push(format!("svc:{}/{}", s.namespace, s.name));
            if let Some(p) = rng.pick(&s.ports) {
                ports.push(PortRef::Number(p.port));
                if let Some(name) = &p.name {
                    ports.push(PortRef::Name(name.clone()));
                }
            }
        }
    }
    destinations.extend(
        [
            "dns:example.com",
            "dns:api.example.org",
            "dns:",
            "svc:nope/none",
        ]
        .map(String::from),
    );
    ports.extend([
        PortRef::Number(0),
        PortRef::Number(65535),
        PortRef::Name("http".into()),
        PortRef::Name("no-such-port".into()),
    ]);
    ports.push(PortRef::Number((rng.next_u64() & 0xffff) as u16));
    let protocols = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        // Mostly well-formed sources; a source drawn from the destinations (a Service,
        // a DNS name) must be refused as a request error.
        let from = if i % 7 == 6 {
            rng.pick(&destinations)
        } else {
            rng.pick(&parties)
        };
        let (Some(from), Some(to), Some(port)) = (from, rng.pick(&destinations), rng.pick(&ports))
        else {
            break;
        };
        // Mostly TCP, as most questions are.
        let protocol = if i % 3 == 0 {
            *rng.pick(&protocols).unwrap_or(&Protocol::Tcp)
        } else {
            Protocol::Tcp
        };
        out.push(Query {
            from: from.clone(),
            to: to.clone(),
            port: port.clone(),
            protocol,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------
// Whole-input checks of the entry points beyond load, verdicts and diagnose: the matrix,
// diff and synthesize targets (and `structured`) run these; so does the regression replay.

/// Named texts as the engine's inputs.
pub fn as_inputs(parts: &[(String, String)]) -> Vec<Input<'_>> {
    parts
        .iter()
        .map(|(name, text)| Input { name, text })
        .collect()
}

/// Loads with the fuzz limits and checks the load; `None` when the input does not load.
pub fn load_checked(
    dataplane: Dataplane,
    parts: &[(String, String)],
) -> Result<Option<Cluster>, Violation> {
    let inputs = as_inputs(parts);
    let result = Cluster::load(
        &inputs,
        meshverdict::Options {
            dataplane: Some(dataplane),
            limits: fuzz_limits(),
        },
    );
    check_load(&result, &Sources::new(&inputs))?;
    Ok(result.ok())
}

/// The whole matrix (by pod, with the outside) agrees with point verdicts at the ends of
/// each cell's port ranges, and a diff of a cluster with itself is empty.
pub fn matrix_of(dataplane: Dataplane, parts: &[(String, String)]) -> Checked {
    use meshverdict::evaluate::diff::{diff, Tree};
    use meshverdict::evaluate::matrix::{Granularity, MatrixOptions};
    use meshverdict::{PortRef, Query};
    let Some(cluster) = load_checked(dataplane, parts)? else {
        return Ok(());
    };
    let options = MatrixOptions {
        by: Granularity::Pod,
        externals: true,
        ..MatrixOptions::default()
    };
    let m = match cluster.matrix(&options) {
        Ok(m) => m,
        Err(e) => return Err(Violation(format!("matrix failed on a loaded cluster: {e}"))),
    };
    // Every cell is the point verdict at both ends of each of its port ranges, and a
    // port just outside a range is too (when no neighbouring range starts there).
    for c in m.cells().iter().take(200) {
        let (Some(from), Some(to)) = (m.groups.get(c.from), m.groups.get(c.to)) else {
            continue;
        };
        if c.ports
            .windows(2)
            .any(|w| matches!(w, [a, b] if a.to >= b.from))
        {
            return Err(Violation(format!(
                "matrix: unsorted or overlapping ranges {:?}",
                c.ports
            )));
        }
        for r in c.ports.iter().take(4) {
            for port in [r.from, r.to] {
                let q = Query {
                    from: from.reference.clone(),
                    to: to.reference.clone(),
                    port: PortRef::Number(port),
                    protocol: c.protocol,
                };
                if let Ok(point) = cluster.allowed(&q) {
                    if !point {
                        return Err(Violation(format!(
                            "matrix admits {} → {} {port}/{} but the point verdict denies it",
                            from.reference, to.reference, c.protocol
                        )));
                    }
                }
            }
        }
    }
    let tree = Tree {
        model: cluster.model(),
        compiled: cluster.compiled(),
    };
    match diff(&tree, &tree, &options) {
        Ok(d) if d.is_empty() => Ok(()),
        Ok(d) => Err(Violation(format!(
            "a diff of a cluster with itself is not empty: {d:?}"
        ))),
        Err(e) => Err(Violation(format!("diff failed on a loaded cluster: {e}"))),
    }
}

/// The text of `parts` with one document (chosen by `seed`) left out: the tree before a
/// change whose after is `parts`. Documents are cut at `---` lines, as a person editing
/// the file would; the cut text need not load (then there is nothing to compare).
pub fn without_one_document(parts: &[(String, String)], seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng(seed ^ 0xd1ff);
    let mut out = parts.to_vec();
    let Some(k) = (!out.is_empty()).then(|| rng.below(out.len())) else {
        return out;
    };
    if let Some((_, text)) = out.get_mut(k) {
        let docs: Vec<&str> = text.split("\n---").collect();
        let drop = rng.below(docs.len());
        let kept: Vec<&str> = docs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != drop)
            .map(|(_, d)| *d)
            .collect();
        *text = kept.join("\n---");
    }
    out
}

/// Flows of a diff as comparable rows: (from, to, protocol, ports).
type Rows = Vec<(String, String, meshverdict::Protocol, Vec<(u16, u16)>)>;

fn rows_of(changes: &[meshverdict::evaluate::diff::FlowChange]) -> Rows {
    let mut rows: Rows = changes
        .iter()
        .map(|c| {
            (
                c.from.clone(),
                c.to.clone(),
                c.protocol,
                c.ports.iter().map(|r| (r.from, r.to)).collect(),
            )
        })
        .collect();
    rows.sort();
    rows
}

pub fn diff_of(
    dataplane: Dataplane,
    before: &[(String, String)],
    after: &[(String, String)],
) -> Checked {
    use meshverdict::evaluate::diff::{diff, Tree};
    use meshverdict::evaluate::matrix::{Granularity, MatrixOptions};
    use meshverdict::{PortRef, Query};
    let (Some(a), Some(b)) = (
        load_checked(dataplane, before)?,
        load_checked(dataplane, after)?,
    ) else {
        return Ok(());
    };
    let options = MatrixOptions {
        by: Granularity::Pod,
        externals: true,
        ..MatrixOptions::default()
    };
    let (ta, tb) = (
        Tree {
            model: a.model(),
            compiled: a.compiled(),
        },
        Tree {
            model: b.model(),
            compiled: b.compiled(),
        },
    );
    let (forward, backward) = match (diff(&ta, &tb, &options), diff(&tb, &ta, &options)) {
        (Ok(f), Ok(r)) => (f, r),
        (Err(e), _) | (_, Err(e)) => {
            return Err(Violation(format!(
                "diff failed on two loaded clusters: {e}"
            )))
        }
    };
    // What a change opens, its reverse closes, and the other way round.
    if rows_of(&forward.opened) != rows_of(&backward.closed)
        || rows_of(&forward.closed) != rows_of(&backward.opened)
    {
        return Err(Violation(format!(
            "diff is not symmetric: before→after opens {:?} closes {:?}; after→before opens {:?} closes {:?}",
            rows_of(&forward.opened),
            rows_of(&forward.closed),
            rows_of(&backward.opened),
            rows_of(&backward.closed)
        )));
    }
    // No flow is both opened and closed; each change's ports are sorted, disjoint ranges;
    // each is the point verdicts' change at the ends of its ranges; each is located in
    // one of the inputs of the tree that holds its policy.
    // The two trees hold inputs of the same names with different texts: a change is
    // located in the tree that holds its policy, so its line is checked against either.
    let (ia, ib) = (as_inputs(before), as_inputs(after));
    let (sa, sb) = (Sources::new(&ia), Sources::new(&ib));
    for (opened, change) in forward
        .opened
        .iter()
        .map(|c| (true, c))
        .chain(forward.closed.iter().map(|c| (false, c)))
    {
        if change.ports.is_empty()
            || change
                .ports
                .windows(2)
                .any(|w| matches!(w, [x, y] if x.to >= y.from))
            || change.ports.iter().any(|r| r.from > r.to)
        {
            return Err(Violation(format!(
                "diff: empty, unsorted or overlapping ranges {:?} for {} → {}",
                change.ports, change.from, change.to
            )));
        }
        if change.reason.is_empty() {
            return Err(Violation(format!(
                "diff: a change without a reason: {} → {}",
                change.from, change.to
            )));
        }
        if let Some(loc) = &change.location {
            let e = meshverdict::Error {
                code: meshverdict::ErrorCode::InvalidPolicy,
                message: change.reason.clone(),
                help: None,
                location: Some(Box::new(loc.clone())),
            };
            // A policy's subject path is located like an invalid policy's field.
            if let (Err(v), Err(_)) = (located(&e, &sb), located(&e, &sa)) {
                return Err(Violation(format!(
                    "diff: change of {} → {} badly located: {v}",
                    change.from, change.to
                )));
            }
        }
        for r in change.ports.iter().take(3) {
            for port in [r.from, r.to] {
                let q = Query {
                    from: change.from.clone(),
                    to: change.to.clone(),
                    port: PortRef::Number(port),
                    protocol: change.protocol,
                };
                let (was, is) = (a.allowed(&q), b.allowed(&q));
                let wrong = if opened {
                    matches!(is, Ok(false)) || matches!(was, Ok(true))
                } else {
                    matches!(is, Ok(true)) || matches!(was, Ok(false))
                };
                if wrong {
                    let what = if opened { "opens" } else { "closes" };
                    return Err(Violation(format!("diff {what} {} → {} {port}/{} but the point verdicts say before {was:?}, after {is:?}", change.from, change.to, change.protocol)));
                }
            }
        }
    }
    Ok(())
}

pub fn synthesize_of(dataplane: Dataplane, parts: &[(String, String)], seed: u64) -> Checked {
    synthesize_with(dataplane, parts, seed, None)
}

/// As [`synthesize_of`], with the options given rather than drawn (regression files name
/// them in their header).
pub fn synthesize_with(
    dataplane: Dataplane,
    parts: &[(String, String)],
    seed: u64,
    given: Option<meshverdict::synthesize::SynthOptions>,
) -> Checked {
    use meshverdict::synthesize::{
        synthesize as synth, Dialect, End, Granularity, Intent, Intents, SynthOptions, SYNTHESIZED,
    };
    use meshverdict::{ErrorCode, PortRef, Protocol, Query};
    let Some(cluster) = load_checked(dataplane, parts)? else {
        return Ok(());
    };
    let inputs = as_inputs(parts);
    let sources = Sources::new(&inputs);
    let mut rng = Rng(seed ^ 0x5717);
    // The input's own Intents documents, else a few intents between what it holds.
    let mut written = true;
    let intents = match Intents::from_model(cluster.model()) {
        Err(e) => {
            if e.code != ErrorCode::InvalidField {
                return Err(Violation(format!(
                    "an Intents document failed with {}: {e}",
                    e.code
                )));
            }
            return located(&e, &sources);
        }
        Ok(Some(i)) => i,
        Ok(None) => {
            written = false;
            let model = cluster.model();
            let mut items = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let (Some(from), Some(to)) =
                    (rng.pick(&model.endpoints), rng.pick(&model.endpoints))
                else {
                    break;
                };
                let ports = match rng.below(3) {
                    0 => None,
                    1 => rng.pick(&to.ports).map(|p| vec![PortRef::Number(p.port)]),
                    _ => rng
                        .pick(&to.ports)
                        .and_then(|p| p.name.clone())
                        .map(|n| vec![PortRef::Name(n)]),
                };
                let protocol = [None, Some(Protocol::Tcp), Some(Protocol::Udp)][rng.below(3)];
                items.push(Intent::new(
                    End::Ref(from.reference()),
                    End::Ref(to.reference()),
                    ports,
                    protocol,
                ));
            }
            if items.is_empty() {
                return Ok(());
            }
            Intents { items }
        }
    };
    let drawn = SynthOptions {
        dialect: [Dialect::NetworkPolicy, Dialect::Cilium, Dialect::Linkerd][rng.below(3)],
        granularity: if rng.below(2) == 0 {
            Granularity::Workload
        } else {
            Granularity::Namespace
        },
        from_current: rng.below(4) == 0,
        isolate_all: rng.below(4) == 0,
        ..SynthOptions::default()
    };
    let options = given.unwrap_or(drawn);
    let s = match synth(&cluster, &intents, &options) {
        Ok(s) => s,
        // Requests the cluster cannot meet are errors of the question; a set that fails
        // its own proof (`internal`) is a bug, and so is any unlocated input error.
        // Intents built by the caller (not read from a document) have no place in the
        // text to point at: only `internal` is a finding there.
        Err(e) if !written && e.code != ErrorCode::Internal => return Ok(()),
        Err(e) => {
            return located(&e, &sources)
                .map_err(|v| Violation(format!("synthesize ({:?}): {v}", options.dialect)))
        }
    };
    match synth(&cluster, &intents, &options) {
        Ok(again) if again.yaml == s.yaml => {}
        _ => return Err(Violation("synthesize gave two different answers".into())),
    }
    // The set loads beside the cluster, every object of it valid, and admits every intent
    // it says it meets (between named endpoints, on named ports).
    let mut with: Vec<(String, String)> = parts.to_vec();
    with.push((SYNTHESIZED.to_string(), s.yaml.clone()));
    let inputs = as_inputs(&with);
    let after = match Cluster::load(
        &inputs,
        meshverdict::Options {
            dataplane: Some(s.dataplane),
            limits: fuzz_limits(),
        },
    ) {
        Ok(c) => c,
        Err(e) => {
            return Err(Violation(format!(
                "the synthesized set does not load beside its cluster: {e}\n{}",
                s.yaml
            )))
        }
    };
    if let Some(bad) = invalid_objects(&after)
        .into_iter()
        .find(|e| e.location.as_ref().is_some_and(|l| l.source == SYNTHESIZED))
    {
        return Err(Violation(format!(
            "synthesized an object the API server rejects: {bad}\n{}",
            s.yaml
        )));
    }
    let unmet: Vec<usize> = s.unmet.iter().map(|u| u.intent).collect();
    for (k, i) in intents.items.iter().enumerate() {
        let (End::Ref(from), End::Ref(to)) = (&i.from, &i.to) else {
            continue;
        };
        if unmet.contains(&(k + 1)) || [from, to].iter().any(|r| r.contains(':')) {
            continue;
        }
        let Some(ports) = &i.ports else { continue };
        for port in ports.iter().take(4) {
            let q = Query {
                from: from.clone(),
                to: to.clone(),
                port: port.clone(),
                protocol: i.protocol.unwrap_or(Protocol::Tcp),
            };
            if let (Ok(false), Ok(true)) = (after.allowed(&q), cluster.verdict(&q).map(|_| true)) {
                return Err(Violation(format!(
                    "synthesize meets intent #{} but {q:?} is denied beside it\n{}",
                    k + 1,
                    s.yaml
                )));
            }
        }
    }
    Ok(())
}
