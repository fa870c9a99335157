//! The one API every host wraps (WASM, Python, Node): JSON in, JSON out.
//!
//! Requests are camelCase and reject unknown fields. Every answer is the `type`-tagged
//! [`Answer`] of the core (`success` with `result`, or `failure` with an `error` that
//! carries `code`, `message`, `help` and `location`), plus warnings. Each entry point
//! comes in three forms: typed, [`serde_json::Value`], and `&str`. A panic inside the
//! engine becomes an `internal` error here; it never crosses into a host.

use std::panic::{catch_unwind, AssertUnwindSafe};

use meshverdict::conformance::CaseReport;
use meshverdict::explain::verdict_text;
use meshverdict::model::Warning;
use meshverdict::{diagnose, Answer, Cluster, Dataplane, Diagnostic, Error, ErrorCode, Input, Options, PortRef, Protocol, Query, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Load manifests into a cluster.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadRequest {
    /// Multi-document YAML or JSON (what `kubectl get -o yaml` prints).
    pub yaml: String,
    /// A name for error locations (a file name); `input` by default.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub dataplane: Option<String>,
}

/// One question. `protocol` defaults to TCP; `port` is a number or a named port.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerdictRequest {
    pub from: String,
    pub to: String,
    pub port: PortRef,
    #[serde(default)]
    pub protocol: Option<String>,
}

/// A verdict with its text explanation (what `meshverdict check` prints).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictOut {
    #[serde(flatten)]
    pub verdict: Verdict,
    pub explanation: String,
}

/// The compact form of a batch item: enough for scripts asking many questions.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictBrief {
    pub allowed: bool,
    pub summary: String,
}

/// Run one conformance case file.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseRequest {
    pub yaml: String,
    #[serde(default)]
    pub name: Option<String>,
}

fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(Error::new(ErrorCode::Internal, "meshverdict panicked; this is a bug, please report it with the input")))
}

fn bad_request(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::InvalidRequest, format!("request: {e}"))
}

fn parse<T: for<'de> Deserialize<'de>>(v: Value) -> Result<T, Error> {
    serde_json::from_value(v).map_err(bad_request)
}

fn to_value<T: Serialize>(a: &Answer<T>) -> Value {
    serde_json::to_value(a).unwrap_or_else(|e| {
        serde_json::json!({"type": "failure", "error": {"code": "internal", "message": format!("answer not serializable: {e}")}, "warnings": []})
    })
}

/// Serializes straight to text (no intermediate `Value`): the hot path of every host.
fn to_text<T: Serialize>(a: &Answer<T>) -> String {
    serde_json::to_string(a).unwrap_or_else(|e| to_value(&Answer::<()>::Failure { error: Error::new(ErrorCode::Internal, format!("answer not serializable: {e}")), warnings: Vec::new() }).to_string())
}

fn from_str<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, Error> {
    serde_json::from_str(s).map_err(bad_request)
}

/// A loaded cluster, kept by the host between questions.
pub struct ClusterHandle {
    cluster: Cluster,
}

impl ClusterHandle {
    /// Loads manifests (typed form). Warnings (skipped kinds, assumptions) come with it.
    pub fn load(req: LoadRequest) -> Result<(ClusterHandle, Vec<Warning>), Error> {
        guard(|| {
            let dataplane = match req.dataplane.as_deref() {
                None => None,
                Some(d) => Dataplane::parse_setting(d)?,
            };
            let name = req.name.clone().unwrap_or_else(|| "input".to_string());
            let cluster = Cluster::load(&[Input { name: &name, text: &req.yaml }], Options { dataplane, ..Options::default() })?;
            let warnings = cluster.warnings().to_vec();
            Ok((ClusterHandle { cluster }, warnings))
        })
    }

    /// Loads from a JSON request string; the failure is the same answer every host gets.
    pub fn load_json(req: &str) -> Result<(ClusterHandle, Vec<Warning>), Error> {
        ClusterHandle::load(from_str(req)?)
    }

    pub fn load_value(req: Value) -> Result<(ClusterHandle, Vec<Warning>), Error> {
        ClusterHandle::load(parse(req)?)
    }

    pub fn dataplane(&self) -> Dataplane {
        self.cluster.dataplane
    }

    pub fn warnings(&self) -> Vec<Warning> {
        self.cluster.warnings().to_vec()
    }

    fn query(req: &VerdictRequest) -> Result<Query, Error> {
        let protocol = match req.protocol.as_deref() {
            None => Protocol::Tcp,
            Some(p) => Protocol::parse(&p.to_ascii_uppercase()).ok_or_else(|| bad_request(format!("unknown protocol {p:?} (TCP, UDP, SCTP)")))?,
        };
        Ok(Query { from: req.from.clone(), to: req.to.clone(), port: req.port.clone(), protocol })
    }

    /// One verdict, with its explanation.
    pub fn verdict(&self, req: &VerdictRequest) -> Answer<VerdictOut> {
        let r = guard(|| {
            let v = self.cluster.verdict(&ClusterHandle::query(req)?)?;
            let explanation = verdict_text(&v);
            Ok(VerdictOut { verdict: v, explanation })
        });
        Answer::from_result(r, Vec::new())
    }

    pub fn verdict_value(&self, req: Value) -> Value {
        match parse::<VerdictRequest>(req) {
            Ok(r) => to_value(&self.verdict(&r)),
            Err(e) => to_value(&Answer::<()>::Failure { error: e, warnings: Vec::new() }),
        }
    }

    pub fn verdict_json(&self, req: &str) -> String {
        match from_str::<VerdictRequest>(req) {
            Ok(r) => to_text(&self.verdict(&r)),
            Err(e) => to_text(&Answer::<()>::Failure { error: e, warnings: Vec::new() }),
        }
    }

    /// Many questions in one crossing: each item is its own answer, in the compact form
    /// (`allowed`, `summary`) so that the boundary is not the cost.
    pub fn verdicts(&self, reqs: &[VerdictRequest]) -> Vec<Answer<VerdictBrief>> {
        reqs.iter()
            .map(|req| {
                let r = guard(|| {
                    let v = self.cluster.verdict(&ClusterHandle::query(req)?)?;
                    Ok(VerdictBrief { allowed: v.allowed, summary: v.summary })
                });
                Answer::from_result(r, Vec::new())
            })
            .collect()
    }

    pub fn verdicts_json(&self, reqs: &str) -> String {
        match from_str::<Vec<VerdictRequest>>(reqs) {
            Ok(r) => serde_json::to_string(&self.verdicts(&r)).unwrap_or_else(|e| format!("[{{\"type\":\"failure\",\"error\":{{\"code\":\"internal\",\"message\":\"{e}\"}}}}]")),
            Err(e) => to_text(&Answer::<()>::Failure { error: e, warnings: Vec::new() }),
        }
    }

    pub fn verdicts_value(&self, reqs: Value) -> Value {
        match parse::<Vec<VerdictRequest>>(reqs) {
            Ok(r) => serde_json::to_value(self.verdicts(&r)).unwrap_or(Value::Null),
            Err(e) => to_value(&Answer::<()>::Failure { error: e, warnings: Vec::new() }),
        }
    }

    /// Just `allowed` for each question, in order; an error anywhere fails the batch.
    /// The cheapest crossing for bulk questions.
    pub fn allowed_many(&self, reqs: &[VerdictRequest]) -> Result<Vec<bool>, Error> {
        guard(|| reqs.iter().map(|req| self.cluster.allowed(&ClusterHandle::query(req)?)).collect())
    }

    /// Objects the API server or Cilium would reject, each a located error (verdicts
    /// that read them are refused; `diagnostics()` reports them as `invalid-policy`).
    pub fn errors(&self) -> Vec<Error> {
        self.cluster.errors()
    }

    pub fn errors_json(&self) -> String {
        serde_json::to_string(&self.errors()).unwrap_or_else(|_| "[]".into())
    }

    /// [`ClusterHandle::allowed_many`] from a JSON list of requests.
    pub fn allowed_many_json(&self, reqs: &str) -> Result<Vec<bool>, Error> {
        self.allowed_many(&from_str::<Vec<VerdictRequest>>(reqs)?)
    }

    pub fn diagnostics(&self) -> Answer<Vec<Diagnostic>> {
        Answer::from_result(guard(|| Ok(diagnose(&self.cluster))), self.warnings())
    }

    pub fn diagnostics_json(&self) -> String {
        to_text(&self.diagnostics())
    }
}

/// Runs one conformance case file.
pub fn run_case(req: &CaseRequest) -> Answer<CaseReport> {
    let r = guard(|| {
        let name = req.name.clone().unwrap_or_else(|| "case.yaml".to_string());
        meshverdict::conformance::run_case(&name, &req.yaml)?
            .ok_or_else(|| Error::new(ErrorCode::InvalidCase, format!("{name}: no `kind: Expectations` document")))
    });
    Answer::from_result(r, Vec::new())
}

pub fn run_case_value(req: Value) -> Value {
    match parse::<CaseRequest>(req) {
        Ok(r) => to_value(&run_case(&r)),
        Err(e) => to_value(&Answer::<()>::Failure { error: e, warnings: Vec::new() }),
    }
}

pub fn run_case_json(req: &str) -> String {
    match from_str::<CaseRequest>(req) {
        Ok(r) => to_text(&run_case(&r)),
        Err(e) => to_text(&Answer::<()>::Failure { error: e, warnings: Vec::new() }),
    }
}

/// The failure answer for an error, as every host reports it.
pub fn failure_json(e: &Error) -> String {
    to_text(&Answer::<()>::Failure { error: e.clone(), warnings: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\nspec: {containers: [{name: c}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {matchLabels: {app: a}}}\n";

    fn handle() -> Option<ClusterHandle> {
        ClusterHandle::load_json(&serde_json::json!({"yaml": YAML, "dataplane": "calico"}).to_string()).ok().map(|(h, _)| h)
    }

    #[test]
    fn verdict_in_three_forms() {
        let Some(h) = handle() else { return assert!(handle().is_some()) };
        let s = h.verdict_json(r#"{"from":"x/b","to":"x/a","port":"http"}"#);
        let v: Value = serde_json::from_str(&s).unwrap_or_default();
        assert_eq!(v["type"], "success");
        assert_eq!(v["result"]["allowed"], false);
        assert!(v["result"]["explanation"].as_str().is_some_and(|t| t.starts_with("DENIED")));
        let v = h.verdict_value(serde_json::json!({"from": "x/a", "to": "x/b", "port": 80}));
        assert_eq!(v["result"]["allowed"], true);
    }

    #[test]
    fn errors_are_data_with_codes() {
        let Some(h) = handle() else { return assert!(handle().is_some()) };
        let v: Value = serde_json::from_str(&h.verdict_json(r#"{"from":"x/nope","to":"x/a","port":80}"#)).unwrap_or_default();
        assert_eq!(v["type"], "failure");
        assert_eq!(v["error"]["code"], "unknown-endpoint");
        let v: Value = serde_json::from_str(&h.verdict_json(r#"{"from":"x/b","to":"x/a","port":80,"bogus":1}"#)).unwrap_or_default();
        assert_eq!(v["error"]["code"], "invalid-request");
        let err = ClusterHandle::load_json(r#"{"yaml":"a: [1,"}"#).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::ParseError));
    }

    #[test]
    fn batch_answers_each_item() {
        let Some(h) = handle() else { return assert!(handle().is_some()) };
        let out: Value = serde_json::from_str(&h.verdicts_json(r#"[{"from":"x/a","to":"x/b","port":80},{"from":"x/zz","to":"x/b","port":80}]"#)).unwrap_or_default();
        assert_eq!(out[0]["result"]["allowed"], true);
        assert_eq!(out[1]["type"], "failure");
    }
}
