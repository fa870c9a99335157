//! `meshverdict._native`: the Python host's glue over `meshverdict-bindings`.
//!
//! Nothing here decides a verdict. Arguments are read straight from Python objects into
//! the bindings' typed requests (`convert`), so a batch crosses without JSON; failures
//! are raised as the exceptions of `meshverdict._errors` (`errors`). A verdict stays a
//! Rust value until Python asks for its details: `allowed` and `summary` cost nothing,
//! the explanation and the full dict are written on demand. Entry points other than
//! verdicts go through one generic `call` with JSON text, so a new one needs no code here.
//!
//! The GIL is released while the engine works: a loaded cluster is immutable and can be
//! asked from many threads at once.

/// The engine's own heap, apart from the Python runtime's: a loaded cluster is many small
/// objects that every answer reads, and the system allocator scatters them among the
/// runtime's allocations (docs/hosts.md, "Speed across the boundary"). The CLI links it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod convert;
mod errors;
mod files;

use meshverdict_bindings::{
    explanation, run_case as run_case_in, verdict_json_of, ClusterHandle, Error, ErrorCode,
    Failure, LoadOptions, Verdict,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyTuple};

use convert::Wrong;

/// A loaded cluster, kept between questions.
#[pyclass(frozen, module = "meshverdict._native", name = "ClusterHandle")]
struct PyClusterHandle {
    handle: ClusterHandle,
}

/// One verdict, kept as the engine's value until Python reads more than `allowed`.
#[pyclass(frozen, module = "meshverdict._native", name = "VerdictHandle")]
struct PyVerdict {
    verdict: Verdict,
}

static BRIEF: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TUPLE_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn options(
    py: Python<'_>,
    name: Option<String>,
    dataplane: &Bound<'_, PyAny>,
    limits: Option<&Bound<'_, PyAny>>,
) -> PyResult<LoadOptions> {
    let dataplane = convert::dataplane(dataplane).map_err(|w| w.raise(py))?;
    let limits = convert::limits(limits).map_err(|w| w.raise(py))?;
    Ok(LoadOptions {
        name,
        dataplane,
        limits: limits.resolve(),
    })
}

/// Loads manifests (str, or UTF-8 bytes) under `name`, for `dataplane` (`auto`,
/// `generic`, `calico`, `cilium`), within `limits` (a dict, or None).
#[pyfunction]
#[pyo3(signature = (text, name, dataplane, limits))]
fn load(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    name: &Bound<'_, PyAny>,
    dataplane: &Bound<'_, PyAny>,
    limits: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyClusterHandle> {
    let manifests = convert::manifests(text, "text").map_err(|w| w.raise(py))?;
    let name = convert::name(name, "name").map_err(|w| w.raise(py))?;
    let options = options(py, Some(name), dataplane, limits)?;
    match py.detach(|| ClusterHandle::load(manifests, options)) {
        Ok(handle) => Ok(PyClusterHandle { handle }),
        Err(e) => Err(errors::raise(py, &e)),
    }
}

/// Loads several files as one cluster: `files` is a list of `(name, str | bytes)`.
#[pyfunction]
#[pyo3(signature = (files, dataplane, limits))]
fn load_files(
    py: Python<'_>,
    files: &Bound<'_, PyList>,
    dataplane: &Bound<'_, PyAny>,
    limits: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyClusterHandle> {
    let mut inputs = Vec::with_capacity(files.len());
    for f in files.iter() {
        let (name, text): (String, Bound<'_, PyAny>) = f.extract()?;
        let manifests = convert::manifests(&text, &name).map_err(|w| w.raise(py))?;
        inputs.push((name, manifests));
    }
    let options = options(py, None, dataplane, limits)?;
    match py.detach(|| ClusterHandle::load_files(inputs, options)) {
        Ok(handle) => Ok(PyClusterHandle { handle }),
        Err(e) => Err(errors::raise(py, &e)),
    }
}

/// Runs one conformance case file; the report as JSON text (with its `failures`).
#[pyfunction]
#[pyo3(signature = (text, name))]
fn run_case(py: Python<'_>, text: &Bound<'_, PyAny>, name: &Bound<'_, PyAny>) -> PyResult<String> {
    let manifests = convert::manifests(text, "text").map_err(|w| w.raise(py))?;
    let name = convert::name(name, "name").map_err(|w| w.raise(py))?;
    let out = py.detach(|| run_case_in(Some(&name), manifests).map(|r| serde_json::to_string(&r)));
    match out {
        Ok(Ok(json)) => Ok(json),
        Ok(Err(e)) => Err(errors::raise(
            py,
            &Error::new(ErrorCode::Internal, e.to_string()),
        )),
        Err(e) => Err(errors::raise(py, &e)),
    }
}

#[pymethods]
impl PyClusterHandle {
    /// `generic`, `calico` or `cilium`: given, or what the input shows.
    #[getter]
    fn dataplane(&self) -> &'static str {
        self.handle.dataplane().name.as_str()
    }

    /// Why that dataplane (given by the caller, or what in the input showed it).
    #[getter]
    fn dataplane_reason(&self) -> &str {
        &self.handle.dataplane().reason
    }

    /// The load warnings (skipped kinds, assumptions) as a JSON list.
    fn warnings_json(&self) -> String {
        serde_json::to_string(self.handle.warnings()).unwrap_or_else(|_| "[]".to_string())
    }

    /// One verdict. Raises the argument's `TypeError`/`ValueError`, or the engine's error.
    #[pyo3(signature = (src, dst, port, protocol=None))]
    fn verdict(
        &self,
        py: Python<'_>,
        src: &Bound<'_, PyAny>,
        dst: &Bound<'_, PyAny>,
        port: &Bound<'_, PyAny>,
        protocol: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyVerdict> {
        let q = convert::query(src, dst, port, protocol).map_err(|w| w.raise(py))?;
        match py.detach(|| self.handle.verdict_only(&q)) {
            Ok(verdict) => Ok(PyVerdict { verdict }),
            Err(e) => Err(errors::raise(py, &e)),
        }
    }

    /// Many verdicts: a `VerdictBrief` per question, or the exception of a question that
    /// failed in its place. A wrong argument anywhere raises.
    fn verdicts<'py>(
        &self,
        py: Python<'py>,
        queries: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let qs = convert::queries(queries).map_err(|w| w.raise(py))?;
        let answers = py.detach(|| self.handle.verdicts(&qs));
        // `tuple.__new__(VerdictBrief, (allowed, summary))`: the NamedTuple without its
        // Python-level `__new__`, half the cost per item.
        let brief = BRIEF.import(py, "meshverdict._api", "VerdictBrief")?;
        let new = TUPLE_NEW
            .get_or_try_init(py, || {
                py.get_type::<PyTuple>()
                    .getattr("__new__")
                    .map(Bound::unbind)
            })?
            .bind(py);
        let mut items = Vec::with_capacity(answers.len());
        for a in answers {
            items.push(match a {
                Ok(b) => new.call1((brief, (b.allowed, b.summary)))?,
                Err(e) => errors::instance(py, &e, errors::Kind::ByCode)?.into_bound(py),
            });
        }
        PyList::new(py, items)
    }

    /// `allowed` per question, in order; the first failing question raises (a wrong
    /// argument anywhere first). Read and answered in chunks, the GIL released while the
    /// engine answers each.
    fn allowed_many<'py>(
        &self,
        py: Python<'py>,
        queries: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut allowed = Vec::with_capacity(queries.len().unwrap_or(0));
        let mut failed = None;
        convert::queries_chunked(queries, |chunk, first| {
            match py.detach(|| self.handle.allowed_into(chunk, first, &mut allowed)) {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        })
        .map_err(|w: Wrong| w.raise(py))?;
        match failed {
            Some(e) => Err(errors::raise(py, &e)),
            None => PyList::new(py, allowed),
        }
    }

    /// `allowed` per question of a batch by columns: question `i` is
    /// `endpoints[from_[i]] → endpoints[to[i]]` on `port` (or `port[i]`). Every argument
    /// is read into Rust before the GIL is released; a wrong one raises before any
    /// question is answered, else the first failing question raises. With `out_len` (the
    /// length of the buffer `out` that the wrapper writes them into), the answers are
    /// `bytes`, 1 for allowed: one copy, not a Python object per answer.
    #[pyo3(signature = (endpoints, from_, to, port, protocol=None, out_len=None))]
    #[allow(clippy::too_many_arguments)]
    fn allowed_columns<'py>(
        &self,
        py: Python<'py>,
        endpoints: &Bound<'py, PyAny>,
        from_: &Bound<'py, PyAny>,
        to: &Bound<'py, PyAny>,
        port: &Bound<'py, PyAny>,
        protocol: Option<&Bound<'py, PyAny>>,
        out_len: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let arguments =
            convert::columns(endpoints, from_, to, port, protocol).map_err(|w| w.raise(py))?;
        match py.detach(|| {
            self.handle
                .allowed_columns_out(arguments.columns(), errors::HOST, out_len)
        }) {
            Ok(allowed) if out_len.is_some() => {
                let bytes: Vec<u8> = allowed.into_iter().map(u8::from).collect();
                Ok(PyBytes::new(py, &bytes).into_any())
            }
            Ok(allowed) => Ok(PyList::new(py, allowed)?.into_any()),
            Err(Failure::Argument(a)) => Err(errors::raise_argument(py, &a)),
            Err(Failure::Engine(e)) => Err(errors::raise(py, &e)),
        }
    }

    /// An entry point by name (`diagnostics`, `errors`, …): request and answer as JSON text.
    fn call(&self, py: Python<'_>, name: &str, request: &str) -> String {
        py.detach(|| self.handle.call_json(name, request))
    }

    fn __repr__(&self) -> String {
        format!(
            "<meshverdict._native.ClusterHandle dataplane={}>",
            self.handle.dataplane().name.as_str()
        )
    }
}

#[pymethods]
impl PyVerdict {
    #[getter]
    fn allowed(&self) -> bool {
        self.verdict.allowed
    }

    #[getter]
    fn summary(&self) -> &str {
        &self.verdict.summary
    }

    /// Every layer's reason, as `meshverdict check` prints it.
    fn explanation(&self, py: Python<'_>) -> String {
        py.detach(|| explanation(&self.verdict))
    }

    /// The whole verdict, with its explanation, as JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| verdict_json_of(&self.verdict))
            .map_err(|e| errors::raise(py, &e))
    }

    fn __bool__(&self) -> bool {
        self.verdict.allowed
    }
}

/// The module: `load`, `load_files`, `run_case`, the handles, the folder rules, the version.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "ENTRIES",
        PyTuple::new(m.py(), meshverdict_bindings::entry::ENTRIES)?,
    )?;
    m.add_class::<PyClusterHandle>()?;
    m.add_class::<PyVerdict>()?;
    m.add_class::<files::PyFolder>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(load_files, m)?)?;
    m.add_function(wrap_pyfunction!(run_case, m)?)?;
    m.add_function(wrap_pyfunction!(files::is_manifest_path, m)?)?;
    Ok(())
}
