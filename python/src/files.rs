//! The folder rules of the CLI for `Cluster.from_path`: Python walks the folder and reads
//! the files; these say which ones are manifests (`meshverdict_bindings::files`).

use meshverdict_bindings::files::{self, FolderPlan};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// The files of one folder walk, classified as the CLI classifies them.
#[pyclass(frozen, module = "meshverdict._native", name = "Folder")]
pub struct PyFolder {
    plan: FolderPlan,
}

#[pymethods]
impl PyFolder {
    /// From every file path of the walk, relative to the folder, `/`-separated.
    #[new]
    fn new(paths: Vec<String>) -> PyFolder {
        PyFolder {
            plan: FolderPlan::new(paths.iter().map(String::as_str)),
        }
    }

    /// By name alone: `other` (not opened), `manifests` (read it, then `classify`), or
    /// the kind of a skipped file.
    fn by_name(&self, path: &str) -> &'static str {
        self.plan.by_name(path).as_str()
    }

    /// A file read (str or bytes): `manifests` (load it), `other`, or the kind skipped.
    fn classify(&self, path: &str, text: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let kind = if let Ok(s) = text.cast::<PyString>() {
            self.plan.classify(path, &s.to_cow()?)
        } else {
            // Undecoded bytes: the load reports bad UTF-8 with its place; classifying
            // only looks for `{{`, which a lossy decoding keeps.
            let bytes = text.cast::<PyBytes>()?;
            self.plan
                .classify(path, &String::from_utf8_lossy(bytes.as_bytes()))
        };
        Ok(kind.as_str())
    }

    /// Why a file of that kind is skipped, and what to do instead.
    #[staticmethod]
    fn reason(kind: &str) -> &'static str {
        files::kind(kind).map_or("", |k| k.reason())
    }

    /// Raises the error of a folder with nothing to load; `skipped` are `(path, kind)`.
    #[staticmethod]
    fn nothing_to_load(py: Python<'_>, folder: &str, skipped: Vec<(String, String)>) -> PyErr {
        let skipped: Vec<files::SkippedFile> = skipped
            .into_iter()
            .filter_map(|(p, k)| files::kind(&k).map(|k| files::SkippedFile::new(p, k)))
            .collect();
        crate::errors::raise(py, &files::nothing_to_load(folder, &skipped))
    }

    /// Entries a walk leaves out (`.git`, `.github`).
    #[staticmethod]
    fn is_hidden(name: &str) -> bool {
        files::is_hidden(name)
    }
}

/// Whether a path names a manifest file (`*.yaml`, `*.yml`, `*.json`), as kubectl reads them.
#[pyfunction]
pub fn is_manifest_path(path: &str) -> bool {
    files::is_manifest_path(path)
}
