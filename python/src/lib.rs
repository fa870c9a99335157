//! `meshverdict._native`: the Python host's glue over `meshverdict-bindings`.
//!
//! Nothing here decides a verdict. Every entry point hands a JSON request to the
//! bindings and hands back what they answer (the `type`-tagged success/failure
//! envelope), so Python sees byte for byte what every other host sees. The Python
//! package (`meshverdict`) turns those answers into objects and exceptions.
//!
//! The GIL is released while the engine works: a loaded cluster is immutable and
//! can be asked from many threads at once.

use meshverdict_bindings::{failure_json, run_case_json, ClusterHandle, VerdictRequest};
use pyo3::prelude::*;

/// A loaded cluster, kept between questions.
#[pyclass(frozen, module = "meshverdict._native", name = "ClusterHandle")]
struct PyClusterHandle {
    handle: ClusterHandle,
}

/// Loads manifests. `request` is the bindings' `LoadRequest` as JSON
/// (`{"yaml": …, "name": …, "dataplane": …}`). Returns the handle, or, when loading
/// fails, the failure answer as JSON text.
#[pyfunction]
fn load(py: Python<'_>, request: &str) -> PyResult<Py<PyAny>> {
    // The error becomes its answer text inside the closure: no engine type crosses here.
    match py.detach(|| ClusterHandle::load_json(request).map_err(|e| failure_json(&e))) {
        Ok((handle, _warnings)) => Ok(Py::new(py, PyClusterHandle { handle })?.into_any()),
        Err(failure) => Ok(failure.into_pyobject(py)?.into_any().unbind()),
    }
}

/// Runs one conformance case file (`{"yaml": …, "name": …}`); the answer as JSON.
#[pyfunction]
fn run_case(py: Python<'_>, request: &str) -> String {
    py.detach(|| run_case_json(request))
}

#[pymethods]
impl PyClusterHandle {
    /// `generic`, `calico` or `cilium`.
    #[getter]
    fn dataplane(&self) -> &'static str {
        self.handle.dataplane().as_str()
    }

    /// The load warnings (skipped kinds, assumptions) as a JSON list.
    fn warnings_json(&self) -> String {
        serde_json::to_string(&self.handle.warnings()).unwrap_or_else(|_| "[]".to_string())
    }

    /// One verdict (`{"from", "to", "port", "protocol"?}`), with its explanation.
    fn verdict(&self, py: Python<'_>, request: &str) -> String {
        py.detach(|| self.handle.verdict_json(request))
    }

    /// Many verdicts in one crossing: a JSON list of answers in the compact form, or
    /// one failure answer when the list itself is malformed.
    fn verdicts(&self, py: Python<'_>, requests: &str) -> String {
        py.detach(|| self.handle.verdicts_json(requests))
    }

    /// Just `allowed` for each question, in order: the list, or, when anything fails,
    /// the failure answer as JSON text.
    fn allowed_many(&self, py: Python<'_>, requests: &str) -> PyResult<Py<PyAny>> {
        let out = py.detach(
            || match serde_json::from_str::<Vec<VerdictRequest>>(requests) {
                Ok(reqs) => self
                    .handle
                    .allowed_many(&reqs)
                    .map_err(|e| failure_json(&e)),
                // A malformed list: the bindings' own answer for it, as `verdicts` gives.
                Err(_) => Err(self.handle.verdicts_json(requests)),
            },
        );
        match out {
            Ok(allowed) => Ok(allowed.into_pyobject(py)?.into_any().unbind()),
            Err(failure) => Ok(failure.into_pyobject(py)?.into_any().unbind()),
        }
    }

    /// The analysis of the whole cluster (an answer with a list of diagnostics).
    fn diagnostics(&self, py: Python<'_>) -> String {
        py.detach(|| self.handle.diagnostics_json())
    }

    /// Objects the API server or Cilium would reject, as a JSON list of errors.
    fn errors(&self, py: Python<'_>) -> String {
        py.detach(|| self.handle.errors_json())
    }

    fn __repr__(&self) -> String {
        format!(
            "<meshverdict._native.ClusterHandle dataplane={}>",
            self.handle.dataplane().as_str()
        )
    }
}

/// The module: `load`, `run_case`, `ClusterHandle` and the version.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<PyClusterHandle>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(run_case, m)?)?;
    Ok(())
}
