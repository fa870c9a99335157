//! Engine errors and argument errors as the Python exceptions of `meshverdict._errors`.
//!
//! The classes live in Python (they pickle, print and compare like Python exceptions);
//! this module only builds instances of them, through `meshverdict._errors._from_native`,
//! so that an error raised here and one rebuilt from a JSON answer are the same object.

use meshverdict_bindings::args::{ArgumentError, Host, Problem};
use meshverdict_bindings::{Error, Location};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

pub const HOST: Host = Host::Python;

static FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// How the exception should read to Python: a `TypeError`, a `ValueError`, or whatever
/// the code says.
#[derive(Clone, Copy)]
pub enum Kind {
    Type,
    Value,
    ByCode,
}

fn location<'py>(py: Python<'py>, l: &Location) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("source", &l.source)?;
    if let Some(v) = l.document {
        d.set_item("document", v)?;
    }
    if let Some(v) = &l.path {
        d.set_item("path", v)?;
    }
    if let Some(v) = l.line {
        d.set_item("line", v)?;
    }
    if let Some(v) = l.column {
        d.set_item("column", v)?;
    }
    if let Some(v) = l.offset {
        d.set_item("offset", v)?;
    }
    Ok(d)
}

/// The exception instance for an error (returned, not raised: `verdicts` puts them in
/// place of the items that failed).
pub fn instance(py: Python<'_>, e: &Error, kind: Kind) -> PyResult<Py<PyAny>> {
    let factory = FACTORY.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("meshverdict._errors")?
            .getattr("_from_native")?
            .unbind())
    })?;
    let loc = match &e.location {
        Some(l) => Some(location(py, l)?),
        None => None,
    };
    let kind = match kind {
        Kind::Type => "type",
        Kind::Value => "value",
        Kind::ByCode => "code",
    };
    Ok(factory
        .bind(py)
        .call1((e.code.as_str(), &e.message, e.help.as_deref(), loc, kind))?
        .unbind())
}

/// The exception to raise for an engine error.
pub fn raise(py: Python<'_>, e: &Error) -> PyErr {
    match instance(py, e, Kind::ByCode) {
        Ok(obj) => PyErr::from_value(obj.into_bound(py)),
        Err(failed) => failed,
    }
}

/// The exception to raise for an argument error: `TypeError` or `ValueError`.
pub fn raise_argument(py: Python<'_>, a: &ArgumentError) -> PyErr {
    let kind = match a.problem {
        Problem::Type => Kind::Type,
        Problem::Value => Kind::Value,
    };
    match instance(py, &a.to_error(), kind) {
        Ok(obj) => PyErr::from_value(obj.into_bound(py)),
        Err(failed) => failed,
    }
}
