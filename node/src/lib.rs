//! The Node host: a napi-rs wrapper of `meshverdict-bindings` and nothing else.
//!
//! Every call crosses as JSON text, in the bindings' own `_json` forms: requests are
//! `JSON.stringify`-ed by `index.js`, answers are the bindings' `type`-tagged answers
//! (`success` / `failure`) that `index.js` parses and turns into values or thrown
//! `Error`s. No verdict logic lives here.

use meshverdict_bindings::{failure_json, run_case_json, ClusterHandle};
use napi::bindgen_prelude::Either;
use napi_derive::napi;

/// A loaded cluster (the bindings' `ClusterHandle`).
#[napi]
pub struct NativeCluster {
    handle: ClusterHandle,
}

/// Loads manifests from a `LoadRequest` JSON (`{"yaml", "name", "dataplane"}`).
/// Returns the cluster, or the failure answer (JSON text) when it cannot be loaded.
#[napi]
pub fn load_json(req: String) -> Either<NativeCluster, String> {
    match ClusterHandle::load_json(&req) {
        Ok((handle, _warnings)) => Either::A(NativeCluster { handle }),
        Err(e) => Either::B(failure_json(&e)),
    }
}

/// Runs one conformance case from a `CaseRequest` JSON (`{"yaml", "name"}`): the answer as JSON.
#[napi]
pub fn run_case(req: String) -> String {
    run_case_json(&req)
}

#[napi]
impl NativeCluster {
    /// The warnings of the load (skipped kinds, assumptions): a JSON list.
    #[napi]
    pub fn warnings(&self) -> String {
        serde_json::to_string(&self.handle.warnings()).unwrap_or_else(|_| "[]".into())
    }

    /// The dataplane the cluster was loaded for: `generic`, `calico` or `cilium`.
    #[napi]
    pub fn dataplane(&self) -> String {
        self.handle.dataplane().as_str().to_string()
    }

    /// One verdict: the bindings' answer (`result` is the verdict with its explanation).
    #[napi]
    pub fn verdict(&self, req: String) -> String {
        self.handle.verdict_json(&req)
    }

    /// Many verdicts: a list of answers (brief results), or one failure answer when the
    /// list itself is malformed.
    #[napi]
    pub fn verdicts(&self, reqs: String) -> String {
        self.handle.verdicts_json(&reqs)
    }

    /// `allowed` for each request, or the failure answer (JSON text) of the first error.
    #[napi]
    pub fn allowed_many(&self, reqs: String) -> Either<Vec<bool>, String> {
        match self.handle.allowed_many_json(&reqs) {
            Ok(v) => Either::A(v),
            Err(e) => Either::B(failure_json(&e)),
        }
    }

    /// The diagnostics answer (with the cluster's warnings).
    #[napi]
    pub fn diagnostics(&self) -> String {
        self.handle.diagnostics_json()
    }

    /// Objects the API server or Cilium would reject: a JSON list of located errors.
    #[napi]
    pub fn errors(&self) -> String {
        self.handle.errors_json()
    }
}
