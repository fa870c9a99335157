//! The one API every host wraps (WASM, Python, Node).
//!
//! Each host turns its caller's values into the typed requests here (checking them
//! with [`args`], so that a wrong argument reads the same way in every host, in that
//! host's words) and turns the typed answers back. Questions asked in bulk have typed
//! paths ([`ClusterHandle::allowed_many`], [`ClusterHandle::verdicts`]) so that the
//! boundary costs no JSON per item; everything else is an [`entry::Entry`] carried by
//! the host's [`entry::Codec`]. Every failure is the core's [`Error`] (code, message,
//! help, location), and JSON answers are the `type`-tagged [`Answer`]. A panic inside
//! the engine becomes an `internal` error here; it never crosses into a host.

pub mod args;
pub mod entry;
pub mod files;
pub mod jobs;
pub mod load;

use std::panic::{catch_unwind, AssertUnwindSafe};

use args::ArgumentError;
use meshverdict::cluster::DataplaneChoice;
use meshverdict::conformance::CaseReport;
use meshverdict::explain::verdict_text;
use meshverdict::model::Warning;
use meshverdict::{diagnose, Answer, Cluster, Diagnostic, Input, Options};
use serde::{Deserialize, Serialize};

pub use load::{LimitsRequest, LoadOptions, LoadRequest, Manifests};
// The engine's types a host handles, so that hosts depend on this crate alone.
pub use args::Host;
pub use meshverdict::explain::verdict_text as explanation;
pub use meshverdict::{
    Answer as EngineAnswer, Dataplane, Error, ErrorCode, Location, PortRef, Protocol, Query,
    Verdict,
};

/// One question in its JSON form. `protocol` defaults to TCP; `port` is a number or a
/// named port.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerdictRequest {
    pub from: String,
    pub to: String,
    pub port: PortRef,
    #[serde(default)]
    pub protocol: Option<String>,
}

impl VerdictRequest {
    pub fn into_query(self) -> Result<Query, Error> {
        let protocol = match self.protocol.as_deref() {
            None => Protocol::Tcp,
            Some(p) => args::protocol(p)
                .map_err(|b| b.named(args::Host::JavaScript, "protocol").to_error())?,
        };
        Ok(Query {
            from: self.from,
            to: self.to,
            port: self.port,
            protocol,
        })
    }
}

/// A verdict with its text explanation (what `meshverdict check` prints).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "VerdictResult")
)]
#[serde(rename_all = "camelCase")]
pub struct VerdictOut {
    #[serde(flatten)]
    pub verdict: Verdict,
    pub explanation: String,
}

/// The compact form of a batch item: enough for scripts asking many questions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerdictBrief {
    pub allowed: bool,
    pub summary: String,
}

/// One failed item of a case: what hosts list as `failures`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CaseFailure {
    pub id: String,
    pub detail: String,
}

/// A case report with its failed items listed apart.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "CaseReport")
)]
#[serde(rename_all = "camelCase")]
pub struct CaseOut {
    #[serde(flatten)]
    pub report: CaseReport,
    pub failures: Vec<CaseFailure>,
}

/// Run one conformance case file (JSON form).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseRequest {
    pub yaml: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A verdict with its explanation as JSON text: what a host sends when asked for all of it.
pub fn verdict_json_of(verdict: &Verdict) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Full<'a> {
        #[serde(flatten)]
        verdict: &'a Verdict,
        explanation: String,
    }
    serde_json::to_string(&Full {
        verdict,
        explanation: verdict_text(verdict),
    })
    .map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("verdict not serializable: {e}"),
        )
    })
}

/// Runs `f`, turning a panic into an `internal` error.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::new(
            ErrorCode::Internal,
            "meshverdict panicked; this is a bug, please report it with the input",
        ))
    })
}

fn failure<T>(error: Error) -> Answer<T> {
    Answer::Failure {
        error,
        warnings: Vec::new(),
    }
}

/// An answer as JSON text (no intermediate `Value`).
pub fn to_text<T: Serialize>(a: &Answer<T>) -> String {
    serde_json::to_string(a).unwrap_or_else(|e| {
        serde_json::json!({"type": "failure", "error": {"code": "internal", "message": format!("answer not serializable: {e}")}, "warnings": []}).to_string()
    })
}

/// The failure answer for an error, as JSON text.
pub fn failure_json(e: &Error) -> String {
    to_text(&failure::<()>(e.clone()))
}

/// A loaded cluster, kept by the host between questions. Immutable: hosts may ask it
/// from many threads at once.
pub struct ClusterHandle {
    cluster: Cluster,
    /// How it was loaded (the dataplane setting, `None` for `auto`, and the limits): the
    /// other tree of a `diff` is loaded the same way.
    setting: Option<meshverdict::Dataplane>,
    limits: meshverdict::source::Limits,
}

impl ClusterHandle {
    /// Loads manifests. Warnings (skipped kinds, assumptions) stay with the cluster.
    pub fn load(manifests: Manifests, options: LoadOptions) -> Result<ClusterHandle, Error> {
        let name = options.name().to_string();
        ClusterHandle::load_files(vec![(name, manifests)], options)
    }

    /// Loads several files as one cluster (a folder), each under its own name.
    pub fn load_files(
        files: Vec<(String, Manifests)>,
        options: LoadOptions,
    ) -> Result<ClusterHandle, Error> {
        guard(|| {
            let mut texts = Vec::with_capacity(files.len());
            for (name, manifests) in files {
                let text = manifests.into_text(&name)?;
                texts.push((name, text));
            }
            let inputs: Vec<Input> = texts
                .iter()
                .map(|(name, text)| Input { name, text })
                .collect();
            let cluster = Cluster::load(
                &inputs,
                Options {
                    dataplane: options.dataplane,
                    limits: options.limits,
                },
            )?;
            Ok(ClusterHandle {
                cluster,
                setting: options.dataplane,
                limits: options.limits,
            })
        })
    }

    /// Loads from the JSON form of the request.
    pub fn load_json(request: &str) -> Result<ClusterHandle, Error> {
        let req: LoadRequest = entry::Codec::decode(&entry::Json, "load", request)?;
        let options = req.options()?;
        ClusterHandle::load(Manifests::Text(req.yaml), options)
    }

    /// The dataplane verdicts are judged on, and why (given, or what the input shows).
    pub fn dataplane(&self) -> &DataplaneChoice {
        &self.cluster.dataplane_choice
    }

    pub fn warnings(&self) -> &[Warning] {
        self.cluster.warnings()
    }

    /// The engine's cluster, for callers that use the engine's own API beside this one.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Loads other manifests the way this cluster was loaded (its dataplane setting and
    /// limits): the other tree of a `diff`.
    pub fn load_like(&self, files: Vec<(String, Manifests)>) -> Result<ClusterHandle, Error> {
        ClusterHandle::load_files(
            files,
            LoadOptions {
                name: None,
                dataplane: self.setting,
                limits: self.limits,
            },
        )
    }

    /// One verdict, with its explanation.
    pub fn verdict(&self, q: &Query) -> Result<VerdictOut, Error> {
        guard(|| {
            let verdict = self.cluster.verdict(q)?;
            let explanation = verdict_text(&verdict);
            Ok(VerdictOut {
                verdict,
                explanation,
            })
        })
    }

    /// One verdict without its explanation, for hosts that write it only when asked.
    pub fn verdict_only(&self, q: &Query) -> Result<Verdict, Error> {
        guard(|| self.cluster.verdict(q))
    }

    /// Only the decision of [`ClusterHandle::verdict_only`], with the same error: what a
    /// host asks first when it builds the reasons only if they are read.
    pub fn allowed(&self, q: &Query) -> Result<bool, Error> {
        guard(|| self.cluster.allowed(q))
    }

    /// Many questions: each item answered on its own, in the compact form.
    pub fn verdicts(&self, queries: &[Query]) -> Vec<Result<VerdictBrief, Error>> {
        queries.iter().map(|q| self.brief(q)).collect()
    }

    /// Just `allowed` for each question, in order: the cheapest crossing for bulk
    /// questions. The first error fails the batch, its message prefixed with the item
    /// (`queries[17]: …`).
    pub fn allowed_many(&self, queries: &[Query]) -> Result<Vec<bool>, Error> {
        let mut out = Vec::with_capacity(queries.len());
        self.allowed_into(queries, 0, &mut out)?;
        Ok(out)
    }

    /// `allowed` for the questions `queries`, the first of which is question `first` of
    /// the batch, appended to `out`: a batch in chunks (a host reads a chunk, then the
    /// engine answers it). The first error stops, its message prefixed with the item.
    pub fn allowed_into(
        &self,
        queries: &[Query],
        first: usize,
        out: &mut Vec<bool>,
    ) -> Result<(), Error> {
        guard(|| {
            for (i, q) in queries.iter().enumerate() {
                out.push(self.cluster.allowed(q).map_err(|e| at_item(e, first + i))?);
            }
            Ok(())
        })
    }

    /// `allowed` for each question of a batch by columns, in order: the bulk path that
    /// reads each endpoint reference once ([`meshverdict::Roster`]). A wrong argument
    /// (columns of different lengths, an index past `endpoints`, a port out of range)
    /// fails before anything is judged; else the first engine error fails the batch, its
    /// message prefixed with the question (`from[17] → to[17]: …`; `from_` in Python).
    pub fn allowed_columns<S: AsRef<str>>(
        &self,
        columns: Columns<'_, S>,
        host: args::Host,
    ) -> Result<Vec<bool>, Failure> {
        self.allowed_columns_out(columns, host, None)
    }

    /// [`ClusterHandle::allowed_columns`] for a caller that writes the answers into a
    /// buffer of its own (`out=` in Python, `out` in JavaScript), `out` items long: that
    /// length is checked once the columns are, as they say how many answers there are.
    pub fn allowed_columns_out<S: AsRef<str>>(
        &self,
        columns: Columns<'_, S>,
        host: args::Host,
        out: Option<usize>,
    ) -> Result<Vec<bool>, Failure> {
        columns.check(host).map_err(Failure::Argument)?;
        if let Some(m) = out.filter(|m| *m != columns.from.len()) {
            return Err(Failure::Argument(args::out_length(
                host,
                m,
                columns.from.len(),
            )));
        }
        guard(|| {
            let roster = self.cluster.roster(columns.endpoints);
            let mut out = Vec::with_capacity(columns.from.len());
            for (i, (from, to)) in columns.from.iter().zip(columns.to).enumerate() {
                let port = match columns.port {
                    PortColumn::One(p) => p,
                    PortColumn::Each(ports) => ports.get(i).copied().unwrap_or(0),
                };
                // `check` kept every port within 1..=65535.
                let port = PortRef::Number(u16::try_from(port).unwrap_or(0));
                let allowed = roster
                    .allowed(*from as usize, *to as usize, &port, columns.protocol)
                    .map_err(|mut e| {
                        e.message = format!("{}[{i}] → to[{i}]: {}", from_name(host), e.message);
                        e
                    })?;
                out.push(allowed);
            }
            Ok(out)
        })
        .map_err(Failure::Engine)
    }

    /// [`ClusterHandle::allowed_many`] over a packed batch ([`args::packed_queries`]),
    /// each question answered as it is read into one reused `Query` (no allocation per
    /// question). The same answer and the same error as reading the whole batch first:
    /// a wrong argument anywhere wins over an engine error (the rest is still checked),
    /// else the first engine error. `None` when the text does not hold `items` questions.
    pub fn allowed_many_packed(
        &self,
        text: &str,
        items: usize,
        argument: impl Fn(usize, &str) -> String,
    ) -> Option<Result<Vec<bool>, Failure>> {
        let mut reader = args::Packed::new(text, items)?;
        let mut q = args::Packed::query();
        let mut out = Vec::with_capacity(items);
        let mut failed: Option<Error> = None;
        loop {
            let i = reader.index();
            match reader.next_into(&mut q, &argument) {
                None => break,
                Some(Err(a)) => return Some(Err(Failure::Argument(a))),
                Some(Ok(())) if failed.is_none() => match guard(|| self.cluster.allowed(&q)) {
                    Ok(a) => out.push(a),
                    Err(e) => failed = Some(at_item(e, i)),
                },
                Some(Ok(())) => {}
            }
        }
        if !reader.finish() {
            return None;
        }
        Some(match failed {
            Some(e) => Err(Failure::Engine(e)),
            None => Ok(out),
        })
    }

    /// [`ClusterHandle::verdicts`] over a packed batch, each question answered as it is
    /// read (see [`ClusterHandle::allowed_many_packed`]); a wrong argument anywhere fails
    /// the batch.
    pub fn verdicts_packed(
        &self,
        text: &str,
        items: usize,
        argument: impl Fn(usize, &str) -> String,
    ) -> Option<Result<Vec<Result<VerdictBrief, Error>>, ArgumentError>> {
        let mut reader = args::Packed::new(text, items)?;
        let mut q = args::Packed::query();
        let mut out = Vec::with_capacity(items);
        while let Some(read) = reader.next_into(&mut q, &argument) {
            if let Err(a) = read {
                return Some(Err(a));
            }
            out.push(self.brief(&q));
        }
        reader.finish().then_some(Ok(out))
    }

    fn brief(&self, q: &Query) -> Result<VerdictBrief, Error> {
        guard(|| {
            self.cluster.verdict(q).map(|v| VerdictBrief {
                allowed: v.allowed,
                summary: v.summary,
            })
        })
    }

    /// Objects the API server or Cilium would reject (verdicts that read them are
    /// refused; `diagnostics()` reports them as `invalid-policy`).
    pub fn errors(&self) -> Vec<Error> {
        self.cluster.errors()
    }

    pub fn diagnostics(&self) -> Answer<Vec<Diagnostic>> {
        Answer::from_result(
            guard(|| Ok(diagnose(&self.cluster))),
            self.warnings().to_vec(),
        )
    }

    /// An entry point by name, request and answer as JSON text.
    pub fn call_json(&self, name: &str, request: &str) -> String {
        entry::dispatch(self, &entry::Json, name, request)
    }

    /// One verdict from its JSON form, the answer as JSON text.
    pub fn verdict_json(&self, request: &str) -> String {
        let q = entry::Codec::decode::<VerdictRequest>(&entry::Json, "verdict", request)
            .and_then(VerdictRequest::into_query);
        match q {
            Ok(q) => to_text(&Answer::from_result(self.verdict(&q), Vec::new())),
            Err(e) => failure_json(&e),
        }
    }
}

/// A batch that failed: a wrong argument (a `TypeError`/`RangeError` in the host) or the
/// engine's error.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Argument(ArgumentError),
    Engine(Error),
}

/// One port for every question of a batch by columns, or one port each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortColumn<'a> {
    One(u32),
    Each(&'a [u32]),
}

/// A batch of questions as columns: question `i` is `endpoints[from[i]] →
/// endpoints[to[i]]` on `port` (or `port[i]`), all on `protocol`. Each reference is
/// read once, however many questions name it, and the columns cross a host boundary as
/// arrays of numbers, not one object per question.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a, S> {
    pub endpoints: &'a [S],
    pub from: &'a [u32],
    pub to: &'a [u32],
    pub port: PortColumn<'a>,
    pub protocol: Protocol,
}

/// The name of the `from` column in the host's words (`from` is a keyword in Python).
fn from_name(host: args::Host) -> &'static str {
    match host {
        args::Host::Python => "from_",
        args::Host::JavaScript => "from",
    }
}

impl<S> Columns<'_, S> {
    /// Every argument check, before any question is judged (so that a wrong argument
    /// wins over an engine error, as in [`ClusterHandle::allowed_many_packed`]).
    fn check(&self, host: args::Host) -> Result<(), ArgumentError> {
        use args::{Bad, Expected};
        let n = self.from.len();
        let from = from_name(host);
        let lengths = [
            ("to", Some(self.to.len())),
            (
                "port",
                if let PortColumn::Each(p) = self.port {
                    Some(p.len())
                } else {
                    None
                },
            ),
        ];
        for (name, len) in lengths {
            if let Some(len) = len.filter(|l| *l != n) {
                return Err(ArgumentError {
                    problem: args::Problem::Value,
                    message: format!("{name} has {}, but {from} has {n}: question i is {from}[i] → to[i] on port[i]", args::items(len)),
                    help: None,
                });
            }
        }
        let m = self.endpoints.len();
        for (name, column) in [(from, self.from), ("to", self.to)] {
            if let Some((i, v)) = column.iter().enumerate().find(|(_, v)| **v as usize >= m) {
                return Err(ArgumentError {
                    problem: args::Problem::Value,
                    message: match m {
                        0 => format!("{name}[{i}] is {v}, but endpoints is empty"),
                        1 => format!("{name}[{i}] is {v}, but endpoints has 1 item (index 0)"),
                        _ => format!(
                            "{name}[{i}] is {v}, but endpoints has {m} items (indices 0 to {})",
                            m - 1
                        ),
                    },
                    help: None,
                });
            }
        }
        let bad_port = |p: u32| p == 0 || p > u32::from(u16::MAX);
        match self.port {
            PortColumn::One(p) if bad_port(p) => {
                Err(Bad::wrong_value(Expected::PortNumber, p.to_string()).named(host, "port"))
            }
            PortColumn::Each(ports) => match ports.iter().position(|p| bad_port(*p)) {
                Some(i) => Err(Bad::wrong_value(
                    Expected::PortNumber,
                    ports.get(i).copied().unwrap_or(0).to_string(),
                )
                .named(host, &format!("port[{i}]"))),
                None => Ok(()),
            },
            PortColumn::One(_) => Ok(()),
        }
    }
}

/// An error of batch item `i`: its message prefixed with the item (`queries[17]: …`).
fn at_item(mut e: Error, i: usize) -> Error {
    e.message = format!("queries[{i}]: {}", e.message);
    e
}

/// Runs one conformance case file.
pub fn run_case(name: Option<&str>, manifests: Manifests) -> Result<CaseOut, Error> {
    guard(|| {
        let name = name.unwrap_or("case.yaml");
        let text = manifests.into_text(name)?;
        let report = meshverdict::conformance::run_case(name, &text)?.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidCase,
                format!("{name}: no `kind: Expectations` document"),
            )
        })?;
        let failures = report
            .failures()
            .map(|r| CaseFailure {
                id: r.id.clone(),
                detail: r.detail.clone(),
            })
            .collect();
        Ok(CaseOut { report, failures })
    })
}

/// [`run_case`] from its JSON form, the answer as JSON text.
pub fn run_case_json(request: &str) -> String {
    let r = entry::Codec::decode::<CaseRequest>(&entry::Json, "runCase", request)
        .and_then(|req| run_case(req.name.as_deref(), Manifests::Text(req.yaml)));
    to_text(&Answer::from_result(r, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const YAML: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\nspec: {containers: [{name: c}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {matchLabels: {app: a}}}\n";

    fn handle() -> Option<ClusterHandle> {
        ClusterHandle::load_json(
            &serde_json::json!({"yaml": YAML, "dataplane": "calico"}).to_string(),
        )
        .ok()
    }

    fn q(from: &str, to: &str, port: u16) -> Query {
        Query {
            from: from.into(),
            to: to.into(),
            port: PortRef::Number(port),
            protocol: Protocol::Tcp,
        }
    }

    #[test]
    fn verdict_typed_and_json() {
        let Some(h) = handle() else {
            return assert!(handle().is_some());
        };
        let v: Value =
            serde_json::from_str(&h.verdict_json(r#"{"from":"x/b","to":"x/a","port":"http"}"#))
                .unwrap_or_default();
        assert_eq!(v["type"], "success");
        assert_eq!(v["result"]["allowed"], false);
        assert_eq!(v["result"]["dataplane"]["name"], "calico");
        assert!(v["result"]["explanation"]
            .as_str()
            .is_some_and(|t| t.starts_with("DENIED")));
        assert_eq!(
            h.verdict(&q("x/a", "x/b", 80)).map(|v| v.verdict.allowed),
            Ok(true)
        );
        assert_eq!(h.dataplane().name.as_str(), "calico");
    }

    #[test]
    fn columns_answer_as_questions_do() {
        let Some(h) = handle() else {
            return assert!(handle().is_some());
        };
        let endpoints = ["x/a", "x/b", "ip:10.9.9.9", "x/nope", "svc:x/none"];
        let from = [0, 1, 1, 2, 0];
        let to = [1, 0, 0, 0, 2];
        let ports = [80, 80, 81, 80, 443];
        let columns = Columns {
            endpoints: &endpoints,
            from: &from,
            to: &to,
            port: PortColumn::Each(&ports),
            protocol: Protocol::Tcp,
        };
        let asked: Vec<Query> = (0..from.len())
            .map(|i| {
                q(
                    endpoints[from[i] as usize],
                    endpoints[to[i] as usize],
                    ports[i] as u16,
                )
            })
            .collect();
        let expected = h.allowed_many(&asked);
        assert!(
            expected
                .as_ref()
                .is_ok_and(|a| a.contains(&true) && a.contains(&false)),
            "{expected:?}"
        );
        assert_eq!(
            h.allowed_columns(columns, Host::Python).map_err(|_| ()),
            expected.map_err(|_| ())
        );
        // One port for all.
        let one = Columns {
            port: PortColumn::One(80),
            ..columns
        };
        assert_eq!(
            h.allowed_columns(one, Host::Python).ok().map(|a| a.len()),
            Some(5)
        );
        // An unknown reference fails the questions that use it, with the engine's error.
        let bad = Columns {
            from: &[0, 3],
            to: &[1, 0],
            port: PortColumn::One(80),
            ..columns
        };
        match h.allowed_columns(bad, Host::Python) {
            Err(Failure::Engine(e)) => {
                assert_eq!(e.code, ErrorCode::UnknownEndpoint);
                assert!(
                    e.message.starts_with("from_[1] → to[1]: x/nope: "),
                    "{}",
                    e.message
                );
            }
            other => panic!("{other:?}"),
        }
        // A Service is only a destination: the error a question by text gets.
        let svc = Columns {
            from: &[4],
            to: &[0],
            port: PortColumn::One(80),
            ..columns
        };
        let by_text = h
            .allowed_many(&[q("svc:x/none", "x/a", 80)])
            .err()
            .map(|e| e.message.replace("queries[0]: ", ""));
        let by_index = match h.allowed_columns(svc, Host::Python) {
            Err(Failure::Engine(e)) => Some(e.message.replace("from_[0] → to[0]: ", "")),
            _ => None,
        };
        assert!(by_text.is_some());
        assert_eq!(by_index, by_text);
    }

    #[test]
    fn columns_arguments_are_checked_first() {
        let Some(h) = handle() else {
            return assert!(handle().is_some());
        };
        let endpoints = ["x/a", "x/nope"];
        let base = Columns {
            endpoints: &endpoints,
            from: &[1, 0],
            to: &[0, 0],
            port: PortColumn::One(80),
            protocol: Protocol::Tcp,
        };
        let argument = |c: Columns<'_, &str>, host| match h.allowed_columns(c, host) {
            Err(Failure::Argument(a)) => (a.problem, a.message),
            other => panic!("{other:?}"),
        };
        let (problem, message) = argument(Columns { to: &[0], ..base }, Host::Python);
        assert_eq!(problem, args::Problem::Value);
        assert_eq!(
            message,
            "to has 1 item, but from_ has 2: question i is from_[i] → to[i] on port[i]"
        );
        // An index past the references wins over the engine's error for x/nope.
        assert_eq!(
            argument(
                Columns {
                    to: &[0, 2],
                    ..base
                },
                Host::Python
            )
            .1,
            "to[1] is 2, but endpoints has 2 items (indices 0 to 1)"
        );
        assert_eq!(
            argument(
                Columns {
                    port: PortColumn::One(0),
                    ..base
                },
                Host::Python
            )
            .1,
            "port must be an int between 1 and 65535, not 0"
        );
        assert_eq!(
            argument(
                Columns {
                    port: PortColumn::Each(&[80, 70000]),
                    ..base
                },
                Host::JavaScript
            )
            .1,
            "port[1] must be an integer between 1 and 65535, not 70000"
        );
        assert_eq!(
            argument(
                Columns {
                    port: PortColumn::Each(&[80]),
                    ..base
                },
                Host::JavaScript
            )
            .1,
            "port has 1 item, but from has 2: question i is from[i] → to[i] on port[i]"
        );
        assert_eq!(
            argument(
                Columns {
                    endpoints: &[],
                    ..base
                },
                Host::Python
            )
            .1,
            "from_[0] is 1, but endpoints is empty"
        );
        // Nothing to ask is no error.
        assert_eq!(
            h.allowed_columns(
                Columns {
                    from: &[],
                    to: &[],
                    ..base
                },
                Host::Python
            ),
            Ok(Vec::new())
        );
    }

    #[test]
    fn auto_dataplane_by_default() {
        let h = ClusterHandle::load(Manifests::Text(YAML.into()), LoadOptions::default());
        let choice = h.map(|h| h.dataplane().clone());
        assert_eq!(choice.as_ref().map(|c| c.name.as_str()), Ok("generic"));
        assert!(choice.is_ok_and(|c| c.reason.starts_with("auto")));
    }

    #[test]
    fn errors_are_data_with_codes() {
        let Some(h) = handle() else {
            return assert!(handle().is_some());
        };
        let v: Value =
            serde_json::from_str(&h.verdict_json(r#"{"from":"x/nope","to":"x/a","port":80}"#))
                .unwrap_or_default();
        assert_eq!(v["error"]["code"], "unknown-endpoint");
        let v: Value = serde_json::from_str(
            &h.verdict_json(r#"{"from":"x/b","to":"x/a","port":80,"bogus":1}"#),
        )
        .unwrap_or_default();
        assert_eq!(v["error"]["code"], "invalid-request");
        let msg = v["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("bogus") && !msg.contains("line 1"), "{msg}");
        let err = ClusterHandle::load_json(r#"{"yaml":"a: [1,"}"#).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::ParseError));
    }

    #[test]
    fn batches() {
        let Some(h) = handle() else {
            return assert!(handle().is_some());
        };
        let qs = [
            q("x/a", "x/b", 80),
            q("x/b", "x/a", 80),
            q("x/zz", "x/b", 80),
        ];
        let out = h.verdicts(&qs);
        assert_eq!(
            out.iter()
                .map(|r| r.as_ref().map(|b| b.allowed).ok())
                .collect::<Vec<_>>(),
            vec![Some(true), Some(false), None]
        );
        assert_eq!(
            h.allowed_many(qs.get(..2).unwrap_or_default()),
            Ok(vec![true, false])
        );
        let e = h.allowed_many(&qs).err().map(|e| e.message);
        assert!(e.is_some_and(|m| m.starts_with("queries[2]: ")));
    }

    #[test]
    fn packed_batches_answer_as_they_read() {
        let Some(h) = handle() else {
            return assert!(handle().is_some());
        };
        let text = ["x/a", "x/b", "80", "", "x/b", "x/a", "http", "tcp"].join("\0");
        assert_eq!(
            h.allowed_many_packed(&text, 2, args::batch_field),
            Some(Ok(vec![true, false]))
        );
        let briefs = h
            .verdicts_packed(&text, 2, args::batch_field)
            .and_then(Result::ok)
            .unwrap_or_default();
        assert_eq!(
            briefs
                .iter()
                .map(|b| b.as_ref().map(|b| b.allowed).ok())
                .collect::<Vec<_>>(),
            vec![Some(true), Some(false)]
        );
        assert!(h.allowed_many_packed(&text, 3, args::batch_field).is_none());
        assert_eq!(
            h.allowed_many_packed("", 0, args::batch_field),
            Some(Ok(Vec::new()))
        );
        // The first engine error, prefixed with its item, as `allowed_many` says it...
        let text = [
            "x/a", "x/b", "80", "", "x/zz", "x/b", "80", "", "x/yy", "x/b", "80", "",
        ]
        .join("\0");
        let e = h
            .allowed_many_packed(&text, 3, args::batch_field)
            .and_then(Result::err);
        assert!(
            matches!(&e, Some(Failure::Engine(e)) if e.message.starts_with("queries[1]: ")),
            "{e:?}"
        );
        let qs = args::packed_queries(&text, 3, args::batch_field)
            .and_then(Result::ok)
            .unwrap_or_default();
        assert_eq!(
            h.allowed_many(&qs).err().map(|e| e.message),
            match e {
                Some(Failure::Engine(e)) => Some(e.message),
                _ => None,
            }
        );
        // ...but a wrong argument after it wins, as when the whole batch is read first.
        let text = ["x/zz", "x/b", "80", "", "x/a", "x/b", "80", "ICMP"].join("\0");
        let e = h
            .allowed_many_packed(&text, 2, args::batch_field)
            .and_then(Result::err);
        assert!(
            matches!(&e, Some(Failure::Argument(a)) if a.message.starts_with("protocol of queries[1] ")),
            "{e:?}"
        );
        assert!(h
            .verdicts_packed(&text, 2, args::batch_field)
            .is_some_and(|r| r.is_err()));
        // In chunks: the index of the first item names the error.
        let mut out = Vec::new();
        let e = h
            .allowed_into(&[q("x/a", "x/b", 80), q("x/zz", "x/b", 80)], 40, &mut out)
            .err()
            .map(|e| e.message);
        assert_eq!(out, vec![true]);
        assert!(e.is_some_and(|m| m.starts_with("queries[41]: ")));
    }

    #[test]
    fn limits_apply() {
        let options = LoadOptions {
            limits: LimitsRequest {
                max_objects: Some(2),
                ..LimitsRequest::default()
            }
            .resolve(),
            ..LoadOptions::default()
        };
        let e = ClusterHandle::load(Manifests::Text(YAML.into()), options).err();
        assert_eq!(e.map(|e| e.code), Some(ErrorCode::LimitExceeded));
    }

    #[test]
    fn entries_by_name() {
        let Some(h) = handle() else {
            return assert!(handle().is_some());
        };
        let v: Value =
            serde_json::from_str(&h.call_json("diagnostics", "null")).unwrap_or_default();
        assert_eq!(v["type"], "success");
        let v: Value = serde_json::from_str(&h.call_json("errors", "{}")).unwrap_or_default();
        assert_eq!(v["result"], serde_json::json!([]));
        let v: Value =
            serde_json::from_str(&h.call_json("diagnostics", r#"{"x":1}"#)).unwrap_or_default();
        assert_eq!(v["error"]["code"], "invalid-request");
        let v: Value = serde_json::from_str(&h.call_json("nope", "null")).unwrap_or_default();
        assert!(v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("diagnostics")));
    }

    #[test]
    fn cases_list_failures() {
        let case = format!("{YAML}---\napiVersion: meshverdict/v1\nkind: Expectations\nmetadata: {{name: t}}\nspec:\n  dataplane: calico\n  flows:\n  - {{from: x/a, to: x/b, port: 80, expect: deny}}\n");
        let out = run_case(Some("t.yaml"), Manifests::Text(case));
        assert_eq!(
            out.as_ref().map(|o| (o.report.failed, o.failures.len())),
            Ok((1, 1))
        );
        let e = run_case(None, Manifests::Text(YAML.into())).err();
        assert_eq!(e.map(|e| e.code), Some(ErrorCode::InvalidCase));
    }
}
