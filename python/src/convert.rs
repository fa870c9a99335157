//! Python values → the bindings' typed requests, checked by `meshverdict_bindings::args`
//! so that a wrong argument reads as in every other host, in Python's words.
//!
//! This is the hot path of a batch: a tuple or dict per question is read straight into
//! a `Query` (no JSON), and an argument is only named when it is wrong.

use meshverdict_bindings::args::{self, ArgumentError, Bad, Expected, Problem};
use meshverdict_bindings::load::{LimitsRequest, LIMIT_NAMES_PY};
use meshverdict_bindings::{Columns, Manifests, PortColumn};
use meshverdict_bindings::{PortRef, Protocol, Query};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyInt, PyList, PyMapping, PyMemoryView, PySequence,
    PyString, PyTuple,
};
use pyo3::{intern, Borrowed};

use crate::errors::HOST;

/// A wrong argument, or a Python error met while reading one (a `__getitem__` that raised).
pub enum Wrong {
    Argument(ArgumentError),
    Python(PyErr),
}

impl From<PyErr> for Wrong {
    fn from(e: PyErr) -> Self {
        Wrong::Python(e)
    }
}

impl Wrong {
    pub fn raise(self, py: Python<'_>) -> PyErr {
        match self {
            Wrong::Argument(a) => crate::errors::raise_argument(py, &a),
            Wrong::Python(e) => e,
        }
    }
}

/// `type(value).__name__`, with `None` for None (as Python's own messages say it).
pub fn type_name(v: &Bound<'_, PyAny>) -> String {
    if v.is_none() {
        return "None".into();
    }
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

fn named(bad: Bad, argument: impl FnOnce() -> String) -> Wrong {
    Wrong::Argument(bad.named(HOST, &argument()))
}

fn text(s: &Bound<'_, PyString>, expected: Expected) -> Result<String, Bad> {
    // A str with lone surrogates cannot be UTF-8: no name in any input can equal it.
    s.to_str()
        .map(str::to_owned)
        .map_err(|_| Bad::wrong_value(expected, "a str with lone surrogates"))
}

pub fn endpoint(v: &Bound<'_, PyAny>) -> Result<String, Bad> {
    match v.cast::<PyString>() {
        Ok(s) => text(s, Expected::Endpoint),
        Err(_) => Err(Bad::wrong_type(Expected::Endpoint, type_name(v))),
    }
}

pub fn port(v: &Bound<'_, PyAny>) -> Result<PortRef, Bad> {
    // bool is an int to Python, but `True` is no port.
    if v.is_instance_of::<PyBool>() {
        return Err(Bad::wrong_type(Expected::Port, "bool"));
    }
    if v.is_instance_of::<PyInt>() {
        return match v.extract::<i64>() {
            Ok(n) => args::port_int(n),
            Err(_) => Err(Bad::wrong_value(
                Expected::Port,
                v.str().map(|s| s.to_string()).unwrap_or_default(),
            )),
        };
    }
    match v.cast::<PyString>() {
        Ok(s) => args::port_name(&text(s, Expected::Port)?),
        Err(_) => Err(Bad::wrong_type(Expected::Port, type_name(v))),
    }
}

pub fn protocol(v: Option<&Bound<'_, PyAny>>) -> Result<Protocol, Bad> {
    match v {
        None => Ok(Protocol::Tcp),
        Some(v) if v.is_none() => Ok(Protocol::Tcp),
        Some(v) => match v.cast::<PyString>() {
            Ok(s) => args::protocol(&text(s, Expected::Protocol)?),
            Err(_) => Err(Bad::wrong_type(Expected::Protocol, type_name(v))),
        },
    }
}

/// One question from its four arguments (`verdict(src, dst, port, protocol)`).
pub fn query(
    src: &Bound<'_, PyAny>,
    dst: &Bound<'_, PyAny>,
    port_: &Bound<'_, PyAny>,
    protocol_: Option<&Bound<'_, PyAny>>,
) -> Result<Query, Wrong> {
    Ok(Query {
        from: endpoint(src).map_err(|b| named(b, || "src".into()))?,
        to: endpoint(dst).map_err(|b| named(b, || "dst".into()))?,
        port: port(port_).map_err(|b| named(b, || "port".into()))?,
        protocol: protocol(protocol_).map_err(|b| named(b, || "protocol".into()))?,
    })
}

const QUERY_KEYS: [&str; 4] = ["from", "to", "port", "protocol"];

/// The four parts of one batch item, whatever its form.
fn item_parts<'py>(
    i: usize,
    item: Borrowed<'_, 'py, PyAny>,
) -> Result<[Option<Bound<'py, PyAny>>; 4], Wrong> {
    let py = item.py();
    if let Ok(t) = item.cast::<PyTuple>() {
        return sequence_parts(i, t.len(), |k| t.get_item(k));
    }
    if let Ok(d) = item.cast::<PyDict>() {
        return dict_parts(i, &d.to_owned());
    }
    if let Ok(l) = item.cast::<PyList>() {
        return sequence_parts(i, l.len(), |k| l.get_item(k));
    }
    if let Ok(m) = item.cast::<PyMapping>() {
        let d = PyDict::new(py);
        for kv in m.items()?.iter() {
            let (k, v): (Bound<'py, PyAny>, Bound<'py, PyAny>) = kv.extract()?;
            d.set_item(k, v)?;
        }
        return dict_parts(i, &d);
    }
    Err(named(
        Bad::wrong_type(Expected::Query, type_name(&item)),
        || format!("queries[{i}]"),
    ))
}

fn sequence_parts<'py>(
    i: usize,
    len: usize,
    get: impl Fn(usize) -> PyResult<Bound<'py, PyAny>>,
) -> Result<[Option<Bound<'py, PyAny>>; 4], Wrong> {
    if !(3..=4).contains(&len) {
        return Err(named(
            Bad::wrong_type(Expected::Query, format!("a sequence of {len} items")),
            || format!("queries[{i}]"),
        ));
    }
    let protocol = if len == 4 { Some(get(3)?) } else { None };
    Ok([Some(get(0)?), Some(get(1)?), Some(get(2)?), protocol])
}

fn dict_parts<'py>(
    i: usize,
    d: &Bound<'py, PyDict>,
) -> Result<[Option<Bound<'py, PyAny>>; 4], Wrong> {
    // One pass over the items, each key matched by its text: a lookup by key would
    // compare strings too (a dict from `json.load` does not hold the interned keys), and
    // takes four probes where a query has three or four items.
    let mut parts: [Option<Bound<'py, PyAny>>; 4] = [None, None, None, None];
    let mut unknown = false;
    for (k, v) in d.iter() {
        let slot = k
            .cast::<PyString>()
            .ok()
            .and_then(|s| s.to_str().ok())
            .and_then(|name| QUERY_KEYS.iter().position(|q| *q == name));
        match slot.and_then(|j| parts.get_mut(j)) {
            Some(part) => *part = Some(v),
            None => {
                unknown = true;
                break;
            }
        }
    }
    if unknown {
        // Slow path, only for a wrong dict: name the key it should not have.
        for k in d.keys().iter() {
            let name = k.str().map(|s| s.to_string()).unwrap_or_default();
            if !k.is_instance_of::<PyString>() || !QUERY_KEYS.contains(&name.as_str()) {
                return Err(Wrong::Argument(ArgumentError::unknown_key(
                    &format!("queries[{i}]"),
                    "key",
                    &name,
                    &QUERY_KEYS,
                )));
            }
        }
    }
    let [from, to, port, protocol] = parts;
    for (key, v) in QUERY_KEYS.iter().zip([&from, &to, &port]) {
        if v.is_none() {
            return Err(Wrong::Argument(ArgumentError::missing(
                &format!("queries[{i}]"),
                &format!("'{key}'"),
            )));
        }
    }
    Ok([from, to, port, protocol])
}

fn item(i: usize, item: Borrowed<'_, '_, PyAny>) -> Result<Query, Wrong> {
    let mut q = Query {
        from: String::new(),
        to: String::new(),
        port: PortRef::Number(1),
        protocol: Protocol::Tcp,
    };
    item_into(i, item, &mut q)?;
    Ok(q)
}

/// An endpoint read into a string the caller reuses.
fn endpoint_into(v: &Bound<'_, PyAny>, out: &mut String) -> Result<(), Bad> {
    let Ok(s) = v.cast::<PyString>() else {
        return Err(Bad::wrong_type(Expected::Endpoint, type_name(v)));
    };
    // In place: the limited API of 3.10 lends the str's own UTF-8.
    let text = s
        .to_str()
        .map_err(|_| Bad::wrong_value(Expected::Endpoint, "a str with lone surrogates"))?;
    out.clear();
    out.push_str(text);
    Ok(())
}

/// Batch item `i` read into `q` (its strings reused).
fn item_into(i: usize, item: Borrowed<'_, '_, PyAny>, q: &mut Query) -> Result<(), Wrong> {
    let [from, to, port_, protocol_] = item_parts(i, item)?;
    let (Some(from), Some(to), Some(port_)) = (from, to, port_) else {
        return Err(Wrong::Argument(ArgumentError::missing(
            &format!("queries[{i}]"),
            "from, to or port",
        )));
    };
    endpoint_into(&from, &mut q.from).map_err(|b| named(b, || format!("from of queries[{i}]")))?;
    endpoint_into(&to, &mut q.to).map_err(|b| named(b, || format!("to of queries[{i}]")))?;
    q.port = port(&port_).map_err(|b| named(b, || format!("port of queries[{i}]")))?;
    q.protocol = protocol(protocol_.as_ref())
        .map_err(|b| named(b, || format!("protocol of queries[{i}]")))?;
    Ok(())
}

/// How many questions of a batch are read before the engine answers them.
const CHUNK: usize = 256;

/// Every question of a batch, read in chunks into queries that are reused (no allocation
/// per question): `answer(chunk, first)` answers each chunk as soon as it is read, `first`
/// being the index of its first question, and returns whether to go on answering. Once
/// it said no, the rest of the batch is still read, so that a wrong argument anywhere is
/// reported, as when the whole batch is read first.
pub fn queries_chunked(
    v: &Bound<'_, PyAny>,
    mut answer: impl FnMut(&[Query], usize) -> bool,
) -> Result<(), Wrong> {
    let mut buf: Vec<Query> = Vec::with_capacity(CHUNK);
    let mut filled = 0;
    let mut first = 0;
    let mut going = true;
    let mut take = |i: usize, x: Borrowed<'_, '_, PyAny>| -> Result<(), Wrong> {
        if filled == buf.len() {
            buf.push(Query {
                from: String::new(),
                to: String::new(),
                port: PortRef::Number(1),
                protocol: Protocol::Tcp,
            });
        }
        if let Some(q) = buf.get_mut(filled) {
            item_into(i, x, q)?;
        }
        filled += 1;
        if filled == CHUNK {
            if going {
                going = answer(buf.get(..filled).unwrap_or_default(), first);
            }
            first += filled;
            filled = 0;
        }
        Ok(())
    };
    if let Ok(l) = v.cast::<PyList>() {
        for (i, x) in l.iter().enumerate() {
            take(i, x.as_borrowed())?;
        }
    } else if let Ok(t) = v.cast::<PyTuple>() {
        for (i, x) in t.iter_borrowed().enumerate() {
            take(i, x)?;
        }
    } else if v.is_instance_of::<PyString>()
        || v.is_instance_of::<PyBytes>()
        || v.is_instance_of::<PyDict>()
    {
        // Iterable, but never a list of questions: say so rather than fail on its items.
        return Err(named(
            Bad::wrong_type(Expected::Queries, type_name(v)),
            || "queries".into(),
        ));
    } else {
        let iter = v.try_iter().map_err(|_| {
            named(Bad::wrong_type(Expected::Queries, type_name(v)), || {
                "queries".into()
            })
        })?;
        for (i, x) in iter.enumerate() {
            take(i, x?.as_borrowed())?;
        }
    }
    if filled > 0 && going {
        answer(buf.get(..filled).unwrap_or_default(), first);
    }
    Ok(())
}

/// Every question of a batch: a list or tuple (read in place), or any other iterable.
pub fn queries(v: &Bound<'_, PyAny>) -> Result<Vec<Query>, Wrong> {
    if let Ok(l) = v.cast::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for (i, x) in l.iter().enumerate() {
            out.push(item(i, x.as_borrowed())?);
        }
        return Ok(out);
    }
    if let Ok(t) = v.cast::<PyTuple>() {
        return t
            .iter_borrowed()
            .enumerate()
            .map(|(i, x)| item(i, x))
            .collect();
    }
    if v.is_instance_of::<PyString>()
        || v.is_instance_of::<PyBytes>()
        || v.is_instance_of::<PyDict>()
    {
        // Iterable, but never a list of questions: say so rather than fail on its items.
        return Err(named(
            Bad::wrong_type(Expected::Queries, type_name(v)),
            || "queries".into(),
        ));
    }
    let iter = v.try_iter().map_err(|_| {
        named(Bad::wrong_type(Expected::Queries, type_name(v)), || {
            "queries".into()
        })
    })?;
    let mut out = Vec::new();
    for (i, x) in iter.enumerate() {
        out.push(item(i, x?.as_borrowed())?);
    }
    Ok(out)
}

/// The manifests: str, or bytes in UTF-8 (decoded by the engine, with a located error).
pub fn manifests(v: &Bound<'_, PyAny>, argument: &str) -> Result<Manifests, Wrong> {
    if let Ok(s) = v.cast::<PyString>() {
        return text(s, Expected::Manifests)
            .map(Manifests::Text)
            .map_err(|b| named(b, || argument.into()));
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(Manifests::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(b) = v.cast::<PyByteArray>() {
        return Ok(Manifests::Bytes(b.to_vec()));
    }
    Err(named(
        Bad::wrong_type(Expected::Manifests, type_name(v)),
        || argument.into(),
    ))
}

pub fn name(v: &Bound<'_, PyAny>, argument: &str) -> Result<String, Wrong> {
    match v.cast::<PyString>() {
        Ok(s) => text(s, Expected::Name).map_err(|b| named(b, || argument.into())),
        Err(_) => Err(named(Bad::wrong_type(Expected::Name, type_name(v)), || {
            argument.into()
        })),
    }
}

pub fn dataplane(v: &Bound<'_, PyAny>) -> Result<Option<meshverdict_bindings::Dataplane>, Wrong> {
    let s = match v.cast::<PyString>() {
        Ok(s) => text(s, Expected::Dataplane),
        Err(_) => Err(Bad::wrong_type(Expected::Dataplane, type_name(v))),
    };
    s.and_then(|s| args::dataplane(&s))
        .map_err(|b| named(b, || "dataplane".into()))
}

/// `limits={"max_objects": …, "max_depth": …, "max_alias_nodes": …}` (each optional).
pub fn limits(v: Option<&Bound<'_, PyAny>>) -> Result<LimitsRequest, Wrong> {
    let mut out = LimitsRequest::default();
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(out);
    };
    let Ok(d) = v.cast::<PyMapping>() else {
        return Err(named(
            Bad::wrong_type(Expected::Limits, type_name(v)),
            || "limits".into(),
        ));
    };
    for kv in d.items()?.iter() {
        let (k, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = kv.extract()?;
        let key = k.str().map(|s| s.to_string()).unwrap_or_default();
        let Some(index) = LIMIT_NAMES_PY.iter().position(|n| *n == key) else {
            return Err(Wrong::Argument(ArgumentError::unknown_key(
                "limits",
                "key",
                &key,
                &LIMIT_NAMES_PY,
            )));
        };
        let n = if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
            Err(Bad::wrong_type(Expected::Limit, type_name(&value)))
        } else {
            match value.extract::<i64>() {
                Ok(n) => args::limit_int(n),
                Err(_) => Err(Bad::wrong_value(
                    Expected::Limit,
                    value.str().map(|s| s.to_string()).unwrap_or_default(),
                )),
            }
        };
        out.set(
            index,
            n.map_err(|b| named(b, || format!("limits['{key}']")))?,
        );
    }
    Ok(out)
}

/// The endpoint references of a batch by columns: a sequence of str. There are few, so
/// they are copied.
pub fn endpoints(v: &Bound<'_, PyAny>) -> Result<Vec<String>, Wrong> {
    let not_endpoints = || {
        named(Bad::wrong_type(Expected::Endpoints, type_name(v)), || {
            "endpoints".into()
        })
    };
    // A str is a sequence of str, but never a list of references.
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyBytes>() {
        return Err(not_endpoints());
    }
    let seq = v.cast::<PySequence>().map_err(|_| not_endpoints())?;
    let len = seq.len()?;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let item = seq.get_item(i)?;
        out.push(endpoint(&item).map_err(|b| named(b, || format!("endpoints[{i}]")))?);
    }
    Ok(out)
}

/// What a column holds, for the words of its errors.
#[derive(Clone, Copy)]
pub enum Column {
    /// Indices into `endpoints` (`from_`, `to`).
    Indices,
    /// Port numbers (`port`).
    Ports,
}

impl Column {
    /// Item `i` of the column `argument`, which is not what the column holds.
    fn bad_item(self, argument: &str, i: usize, problem: Problem, got: String) -> Wrong {
        let argument = format!("{argument}[{i}]");
        // Whether an index is within `endpoints` is the bindings' check; this one only
        // that it is a u32.
        let expected = match self {
            Column::Ports => Expected::PortNumber,
            Column::Indices => Expected::Index,
        };
        Wrong::Argument(
            Bad {
                problem,
                expected,
                got,
            }
            .named(HOST, &argument),
        )
    }

    /// The column itself is of the wrong type.
    fn bad(self, argument: &str, got: String) -> Wrong {
        let expected = match self {
            Column::Indices => Expected::Indices,
            Column::Ports => Expected::Ports,
        };
        named(Bad::wrong_type(expected, got), || argument.into())
    }
}

/// A column of numbers (`from_`, `to`, `port`): a list, a tuple or another sequence of
/// int, or an object that exports a one-dimensional buffer of integers of any format
/// (`array.array`, `memoryview`, `bytes`, a NumPy array), read in Rust.
pub fn column(v: &Bound<'_, PyAny>, argument: &str, of: Column) -> Result<Vec<u32>, Wrong> {
    if let Ok(l) = v.cast::<PyList>() {
        return l
            .iter()
            .enumerate()
            .map(|(i, x)| column_int(&x, argument, i, of))
            .collect();
    }
    if let Ok(t) = v.cast::<PyTuple>() {
        return t
            .iter()
            .enumerate()
            .map(|(i, x)| column_int(&x, argument, i, of))
            .collect();
    }
    if v.is_instance_of::<PyString>() {
        return Err(of.bad(argument, "str".into()));
    }
    if let Ok(view) = PyMemoryView::from(v) {
        return buffer(&view, argument, of);
    }
    let seq = v
        .cast::<PySequence>()
        .map_err(|_| of.bad(argument, type_name(v)))?;
    (0..seq.len()?)
        .map(|i| column_int(&seq.get_item(i)?, argument, i, of))
        .collect()
}

/// Item `i` of a column given as Python ints.
fn column_int(x: &Bound<'_, PyAny>, argument: &str, i: usize, of: Column) -> Result<u32, Wrong> {
    // bool is an int to Python, but `True` is no index and no port.
    if x.is_instance_of::<PyBool>() || !x.is_instance_of::<PyInt>() {
        return Err(of.bad_item(argument, i, Problem::Type, type_name(x)));
    }
    x.extract::<u32>().map_err(|_| {
        let value = x.str().map(|s| s.to_string()).unwrap_or_default();
        of.bad_item(argument, i, Problem::Value, value)
    })
}

/// A column read from a buffer: copied out whole (`tobytes`, which also lays out a
/// strided view), then each item decoded here. The limited API of Python 3.10 that the
/// wheel targets has no `PyBuffer`, so the memoryview is the safe way in.
fn buffer(view: &Bound<'_, PyMemoryView>, argument: &str, of: Column) -> Result<Vec<u32>, Wrong> {
    let py = view.py();
    let format: String = view.getattr(intern!(py, "format"))?.extract()?;
    let size: usize = view.getattr(intern!(py, "itemsize"))?.extract()?;
    let dimensions: usize = view.getattr(intern!(py, "ndim"))?.extract()?;
    let Some((signed, big_endian)) = integer_format(&format).filter(|_| (1..=8).contains(&size))
    else {
        return Err(of.bad(argument, format!("a buffer of format '{format}'")));
    };
    if dimensions != 1 {
        return Err(of.bad(argument, format!("a {dimensions}-dimensional buffer")));
    }
    let bytes = view.call_method0(intern!(py, "tobytes"))?;
    let bytes = bytes.cast::<PyBytes>().map_err(PyErr::from)?;
    let bytes = bytes.as_bytes();
    // The usual column, unsigned 32-bit in this machine's order, is the answer as it is:
    // decoded without a check per item (a column is read in the time of a copy).
    if size == 4 && !signed && big_endian == cfg!(target_endian = "big") {
        return Ok(bytes
            .chunks_exact(4)
            .map(|c| {
                let mut w = [0u8; 4];
                w.copy_from_slice(c);
                u32::from_ne_bytes(w)
            })
            .collect());
    }
    let mut out = Vec::with_capacity(bytes.len() / size);
    for (i, item) in bytes.chunks_exact(size).enumerate() {
        let n = buffer_int(item, signed, big_endian);
        out.push(
            u32::try_from(n)
                .map_err(|_| of.bad_item(argument, i, Problem::Value, n.to_string()))?,
        );
    }
    Ok(out)
}

/// Whether a buffer format (`struct` syntax) is one integer, and if so whether it is
/// signed and big-endian.
fn integer_format(format: &str) -> Option<(bool, bool)> {
    let native_big = cfg!(target_endian = "big");
    let (big_endian, code) = match format.as_bytes() {
        [code] | [b'@' | b'=', code] => (native_big, *code),
        [b'<', code] => (false, *code),
        [b'>' | b'!', code] => (true, *code),
        _ => return None,
    };
    match code {
        b'b' | b'h' | b'i' | b'l' | b'q' | b'n' => Some((true, big_endian)),
        b'B' | b'H' | b'I' | b'L' | b'Q' | b'N' => Some((false, big_endian)),
        _ => None,
    }
}

/// One integer of 1 to 8 bytes.
fn buffer_int(item: &[u8], signed: bool, big_endian: bool) -> i128 {
    let add = |n: u64, b: &u8| n << 8 | u64::from(*b);
    let n = if big_endian {
        item.iter().fold(0, add)
    } else {
        item.iter().rev().fold(0, add)
    };
    let bits = 8 * item.len() as u32;
    let n = i128::from(n);
    if signed && n >> (bits - 1) == 1 {
        n - (1 << bits)
    } else {
        n
    }
}

/// The port of a batch by columns: one for every question, or one each.
pub enum Ports {
    One(u32),
    Each(Vec<u32>),
}

/// The arguments of `allowed_columns`, read into Rust values, so that the engine can
/// answer without the GIL.
pub struct ColumnArguments {
    endpoints: Vec<String>,
    from: Vec<u32>,
    to: Vec<u32>,
    port: Ports,
    protocol: Protocol,
}

impl ColumnArguments {
    pub fn columns(&self) -> Columns<'_, String> {
        Columns {
            endpoints: &self.endpoints,
            from: &self.from,
            to: &self.to,
            port: match &self.port {
                Ports::One(p) => PortColumn::One(*p),
                Ports::Each(p) => PortColumn::Each(p),
            },
            protocol: self.protocol,
        }
    }
}

/// `allowed_columns(endpoints, from_, to, port, protocol)`, each argument read in that
/// order. Lengths and ranges are the bindings' checks (`ClusterHandle::allowed_columns`).
pub fn columns(
    endpoints_: &Bound<'_, PyAny>,
    from: &Bound<'_, PyAny>,
    to: &Bound<'_, PyAny>,
    port: &Bound<'_, PyAny>,
    protocol_: Option<&Bound<'_, PyAny>>,
) -> Result<ColumnArguments, Wrong> {
    let endpoints = endpoints(endpoints_)?;
    let from = column(from, "from_", Column::Indices)?;
    let to = column(to, "to", Column::Indices)?;
    // A bool is read as a column, which it is not either: a TypeError.
    let port = if port.is_instance_of::<PyInt>() && !port.is_instance_of::<PyBool>() {
        // Out of u32 it is out of 1..=65535 too: the bindings' words for that.
        Ports::One(port.extract::<u32>().map_err(|_| {
            let value = port.str().map(|s| s.to_string()).unwrap_or_default();
            named(Bad::wrong_value(Expected::PortNumber, value), || {
                "port".into()
            })
        })?)
    } else {
        Ports::Each(column(port, "port", Column::Ports)?)
    };
    let protocol = protocol(protocol_).map_err(|b| named(b, || "protocol".into()))?;
    Ok(ColumnArguments {
        endpoints,
        from,
        to,
        port,
        protocol,
    })
}
