//! The conformance case runner (shared/conformance/FORMAT.md, v1). Pure: text in,
//! report out; the CLI and every host walk folders and print.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cluster::{Cluster, Dataplane};
use crate::diagnose::diagnose;
use crate::error::{Error, ErrorCode};
use crate::evaluate::{PortRef, Query};
use crate::model::{Input, Model};
use crate::ports::Protocol;
use crate::source::Limits;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Flow {
    from: String,
    to: String,
    port: PortRef,
    #[serde(default)]
    protocol: Option<Protocol>,
    expect: Expect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
enum Expect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, Deserialize)]
struct Code {
    code: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Spec {
    #[serde(default)]
    dataplane: Option<Dataplane>,
    #[serde(default)]
    flows: Option<Vec<Flow>>,
    #[serde(default)]
    diagnostics: Option<Vec<Code>>,
    #[serde(default)]
    absent_diagnostics: Option<Vec<Code>>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

/// One checked expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ItemResult {
    /// `CASE#N`, `CASE#diagnostics:CODE` or `CASE#absentDiagnostics:CODE`.
    pub id: String,
    pub passed: bool,
    /// What was expected and what came out.
    pub detail: String,
}

/// The outcome of one case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CaseReport {
    pub name: String,
    pub source: String,
    pub passed: usize,
    pub failed: usize,
    pub results: Vec<ItemResult>,
}

impl CaseReport {
    pub fn failures(&self) -> impl Iterator<Item = &ItemResult> {
        self.results.iter().filter(|r| !r.passed)
    }
}

fn expectations(model: &Model, source: &str) -> Result<(String, Spec), Error> {
    let mut docs = model.expectations.iter();
    let Some((origin, v)) = docs.next() else {
        return Err(Error::new(
            ErrorCode::InvalidCase,
            format!("{source}: no `kind: Expectations` document"),
        ));
    };
    if docs.next().is_some() {
        return Err(Error::new(
            ErrorCode::InvalidCase,
            "a case holds exactly one Expectations document",
        )
        .at(origin.location(None, None)));
    }
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if name.is_empty() {
        return Err(
            Error::new(ErrorCode::InvalidCase, "Expectations needs metadata.name")
                .at(origin.location(Some("metadata.name"), None)),
        );
    }
    let spec: Spec = serde_path_to_error::deserialize(v.get("spec").unwrap_or(&Value::Null))
        .map_err(|e| {
            Error::new(
                ErrorCode::InvalidCase,
                format!("Expectations {name}: spec.{}: {}", e.path(), e.inner()),
            )
            .at(origin.location(Some(&format!("spec.{}", e.path())), None))
        })?;
    Ok((name, spec))
}

/// Runs a case file. `Ok(None)`: the file has no Expectations document (skipped).
/// A case that cannot be loaded counts every expectation it names as failed.
pub fn run_case(source: &str, text: &str) -> Result<Option<CaseReport>, Error> {
    let input = Input { name: source, text };
    let model = match Model::load(&[input], Limits::default()) {
        Ok(m) => m,
        Err(e) => return Ok(Some(unloadable(source, text, &e))),
    };
    if model.expectations.is_empty() {
        return Ok(None);
    }
    let (name, spec) = match expectations(&model, source) {
        Ok(x) => x,
        Err(e) => return Ok(Some(unloadable(source, text, &e))),
    };
    // A case without `dataplane` is judged on the dataplane its input shows (FORMAT).
    let cluster = Cluster::from_model(model, spec.dataplane);
    let mut results = Vec::new();
    for (i, f) in spec.flows.iter().flatten().enumerate() {
        let q = Query {
            from: f.from.clone(),
            to: f.to.clone(),
            port: f.port.clone(),
            protocol: f.protocol.unwrap_or(Protocol::Tcp),
        };
        let id = format!("{name}#{i}");
        let expected = f.expect;
        let (passed, detail) = match cluster.verdict(&q) {
            Ok(v) => {
                let got = if v.allowed {
                    Expect::Allow
                } else {
                    Expect::Deny
                };
                (
                    got == expected,
                    format!(
                        "{} → {} {}/{}: expected {:?}, got {:?}: {}",
                        q.from, q.to, q.port, q.protocol, expected, got, v.summary
                    ),
                )
            }
            Err(e) => (
                false,
                format!(
                    "{} → {} {}/{}: expected {:?}, got error: {e}",
                    q.from, q.to, q.port, q.protocol, expected
                ),
            ),
        };
        results.push(ItemResult { id, passed, detail });
    }
    let wants_diags = spec.diagnostics.is_some() || spec.absent_diagnostics.is_some();
    if wants_diags {
        let diags = diagnose(&cluster);
        for c in spec.diagnostics.iter().flatten() {
            let found = diags.iter().find(|d| d.code.as_str() == c.code);
            results.push(ItemResult {
                id: format!("{name}#diagnostics:{}", c.code),
                passed: found.is_some(),
                detail: match found {
                    Some(d) => format!("reported: {}", d.message),
                    None => format!(
                        "expected diagnostic {} was not reported (reported: {})",
                        c.code,
                        codes(&diags)
                    ),
                },
            });
        }
        for c in spec.absent_diagnostics.iter().flatten() {
            let found = diags.iter().find(|d| d.code.as_str() == c.code);
            results.push(ItemResult {
                id: format!("{name}#absentDiagnostics:{}", c.code),
                passed: found.is_none(),
                detail: match found {
                    Some(d) => format!("reported although it must not be: {}", d.message),
                    None => "not reported, as expected".into(),
                },
            });
        }
    }
    let passed = results.iter().filter(|r| r.passed).count();
    Ok(Some(CaseReport {
        name,
        source: source.to_string(),
        passed,
        failed: results.len() - passed,
        results,
    }))
}

fn codes(diags: &[crate::findings::Diagnostic]) -> String {
    let mut c: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    c.sort();
    c.dedup();
    if c.is_empty() {
        "none".into()
    } else {
        c.join(", ")
    }
}

/// A case whose cluster cannot load: every flow and diagnostic it names fails. The
/// names come from a plain scan of the Expectations document, when it parses.
fn unloadable(source: &str, text: &str, error: &Error) -> CaseReport {
    let mut name = source
        .rsplit('/')
        .next()
        .unwrap_or(source)
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .to_string();
    let mut ids = Vec::new();
    if let Ok(docs) = crate::source::parse_stream(source, text, Limits::default()) {
        if let Some(doc) = docs
            .iter()
            .find(|d| d.value.get("kind").and_then(Value::as_str) == Some("Expectations"))
        {
            if let Some(n) = doc.value.pointer("/metadata/name").and_then(Value::as_str) {
                name = n.to_string();
            }
            let flows = doc
                .value
                .pointer("/spec/flows")
                .and_then(Value::as_array)
                .map(Vec::len)
                .unwrap_or(0);
            ids.extend((0..flows).map(|i| format!("{name}#{i}")));
            for key in ["diagnostics", "absentDiagnostics"] {
                for c in doc
                    .value
                    .pointer(&format!("/spec/{key}"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(code) = c.get("code").and_then(Value::as_str) {
                        ids.push(format!("{name}#{key}:{code}"));
                    }
                }
            }
        }
    }
    if ids.is_empty() {
        ids.push(format!("{name}#load"));
    }
    let results: Vec<ItemResult> = ids
        .into_iter()
        .map(|id| ItemResult {
            id,
            passed: false,
            detail: format!("the case cannot be loaded: {error}"),
        })
        .collect();
    CaseReport {
        name,
        source: source.to_string(),
        passed: 0,
        failed: results.len(),
        results,
    }
}
