//! JavaScript values → the bindings' typed requests. Every check and message is the
//! bindings' (`meshverdict_bindings::args`, in JavaScript's words, shared with the WASM
//! host); this module only reads properties and says what type a value has.

use meshverdict_bindings::args::{self, ArgumentError, Bad, Expected, Host, JsPart, JsType};
use meshverdict_bindings::{Columns, Manifests, PortColumn, Protocol, Query};
use napi::bindgen_prelude::{
    Array, FromNapiValue, JsObjectValue, JsValue, Object, Uint32ArraySlice, Uint8ArraySlice,
    Unknown,
};
use napi::{Env, JsString, ValueType};

/// A JavaScript argument that failed its check, or a call of the runtime that failed.
pub enum Wrong {
    Argument(ArgumentError),
    Napi(napi::Error),
}

impl From<napi::Error> for Wrong {
    fn from(e: napi::Error) -> Self {
        Wrong::Napi(e)
    }
}

pub fn js_type(v: &Unknown<'_>) -> napi::Result<JsType> {
    Ok(match v.get_type()? {
        ValueType::Undefined | ValueType::Unknown => JsType::Undefined,
        ValueType::Null => JsType::Null,
        ValueType::Boolean => JsType::Boolean,
        ValueType::Number => JsType::Number,
        ValueType::BigInt => JsType::BigInt,
        ValueType::String => JsType::String,
        ValueType::Symbol => JsType::Symbol,
        ValueType::Function => JsType::Function,
        ValueType::Object | ValueType::External => {
            if v.is_array()? {
                JsType::Array
            } else if v.is_typedarray()? {
                JsType::TypedArray
            } else {
                JsType::Object
            }
        }
    })
}

/// A property value as the bindings' checks read it.
pub fn part(v: Unknown<'_>) -> napi::Result<JsPart> {
    Ok(match v.get_type()? {
        ValueType::String => JsPart::Text(String::from_unknown(v)?),
        ValueType::Number => JsPart::Number(f64::from_unknown(v)?),
        _ => JsPart::Other(js_type(&v)?),
    })
}

/// The property names read on every query, created once per call rather than per item.
pub struct QueryKeys<'env> {
    keys: [JsString<'env>; 4],
}

impl<'env> QueryKeys<'env> {
    pub fn new(env: &'env Env) -> napi::Result<QueryKeys<'env>> {
        Ok(QueryKeys {
            keys: [
                env.create_string("from")?,
                env.create_string("to")?,
                env.create_string("port")?,
                env.create_string("protocol")?,
            ],
        })
    }

    /// One query object; `argument("port")` names a property on failure.
    pub fn query(&self, v: Unknown<'_>, container: impl Fn() -> String) -> Result<Query, Wrong> {
        let t = js_type(&v)?;
        if t != JsType::Object {
            return Err(Wrong::Argument(
                Bad::wrong_type(Expected::Query, t.name()).named(Host::JavaScript, &container()),
            ));
        }
        let obj = Object::from_unknown(v)?;
        let [from, to, port, protocol] = &self.keys;
        let get = |k: &JsString<'_>| -> napi::Result<JsPart> {
            part(obj.get_property_unchecked::<_, Unknown>(*k)?)
        };
        let named = |key: &str| {
            let c = container();
            if c == "query" {
                format!("query.{key}")
            } else {
                format!("{key} of {c}")
            }
        };
        meshverdict_bindings::args::js_query(
            get(from)?,
            get(to)?,
            get(port)?,
            get(protocol)?,
            named,
        )
        .map_err(Wrong::Argument)
    }
}

/// Every question of a batch (an array of query objects).
pub fn queries(env: &Env, v: Unknown<'_>) -> Result<Vec<Query>, Wrong> {
    let t = js_type(&v)?;
    if t != JsType::Array {
        return Err(Wrong::Argument(
            Bad::wrong_type(Expected::Queries, t.name()).named(Host::JavaScript, "queries"),
        ));
    }
    let arr = Array::from_unknown(v)?;
    let keys = QueryKeys::new(env)?;
    let mut out = Vec::with_capacity(arr.len() as usize);
    for i in 0..arr.len() {
        let item = arr
            .get::<Unknown>(i)?
            .ok_or_else(|| napi::Error::from_reason("array changed while read"))?;
        out.push(keys.query(item, || format!("queries[{i}]"))?);
    }
    Ok(out)
}

/// The manifests: a string, or a Uint8Array (a Buffer) in UTF-8.
pub fn manifests(v: Unknown<'_>, argument: &str) -> Result<Manifests, Wrong> {
    match js_type(&v)? {
        JsType::String => Ok(Manifests::Text(String::from_unknown(v)?)),
        JsType::TypedArray => match Uint8ArraySlice::from_unknown(v) {
            Ok(bytes) => Ok(Manifests::Bytes(bytes.to_vec())),
            Err(_) => Err(Wrong::Argument(
                Bad::wrong_type(Expected::Manifests, "a typed array other than Uint8Array")
                    .named(Host::JavaScript, argument),
            )),
        },
        t => Err(Wrong::Argument(
            Bad::wrong_type(Expected::Manifests, t.name()).named(Host::JavaScript, argument),
        )),
    }
}

/// The properties of an options object for `meshverdict_bindings::load::js_load_options`.
pub fn options(v: Option<Unknown<'_>>) -> Result<Vec<(String, JsPart)>, Wrong> {
    let Some(v) = v else { return Ok(Vec::new()) };
    match js_type(&v)? {
        JsType::Undefined | JsType::Null => return Ok(Vec::new()),
        JsType::Object => {}
        t => {
            return Err(Wrong::Argument(
                Bad::wrong_type(Expected::Options, t.name()).named(Host::JavaScript, "options"),
            ))
        }
    }
    let obj = Object::from_unknown(v)?;
    let mut out = Vec::new();
    for key in Object::keys(&obj)? {
        let value = obj.get::<Unknown>(&key)?;
        let Some(value) = value else {
            out.push((key, JsPart::Other(JsType::Undefined)));
            continue;
        };
        let p = part(value)?;
        if key == "limits" && p == JsPart::Other(JsType::Object) {
            let limits = Object::from_unknown(value)?;
            for k in Object::keys(&limits)? {
                let inner = match limits.get::<Unknown>(&k)? {
                    Some(x) => part(x)?,
                    None => JsPart::Other(JsType::Undefined),
                };
                out.push((format!("limits.{k}"), inner));
            }
        }
        out.push((key, p));
    }
    Ok(out)
}

/// A name argument (a case's source name).
pub fn name(v: Option<Unknown<'_>>, argument: &str) -> Result<Option<String>, Wrong> {
    let Some(v) = v else { return Ok(None) };
    match js_type(&v)? {
        JsType::Undefined | JsType::Null => Ok(None),
        JsType::String => Ok(Some(String::from_unknown(v)?)),
        t => Err(Wrong::Argument(
            Bad::wrong_type(Expected::Name, t.name()).named(Host::JavaScript, argument),
        )),
    }
}

/// A batch by columns as read (see `NativeCluster::allowed_columns`).
pub struct ColumnsRead<'a> {
    endpoints: Endpoints,
    from: Column<'a>,
    to: Column<'a>,
    port: PortRead<'a>,
    protocol: Protocol,
}

/// A column of integers: a Uint32Array's own memory, or the integers read from an array.
enum Column<'a> {
    Borrowed(Uint32ArraySlice<'a>),
    Read(Vec<u32>),
}

impl Column<'_> {
    fn as_slice(&self) -> &[u32] {
        match self {
            Column::Borrowed(s) => s,
            Column::Read(v) => v,
        }
    }
}

/// The references of a batch by columns: read item by item, or as one string that
/// `index.js` joined with newlines (one crossing instead of one per reference; no
/// reference holds a newline, and a count that does not match sends the batch the
/// item-by-item way, which names what is wrong).
enum Endpoints {
    Items(Vec<String>),
    Joined(String),
}

enum PortRead<'a> {
    One(u32),
    Each(Column<'a>),
}

impl ColumnsRead<'_> {
    /// Reads `endpoints`, `from`, `to`, `port` and `protocol`, in that order (the first
    /// wrong one is the error). Ranges (an index past `endpoints`, a port above 65535) and
    /// lengths are the bindings' check.
    pub fn read<'a>(
        endpoints: Unknown<'_>,
        from: Unknown<'a>,
        to: Unknown<'a>,
        port: Unknown<'a>,
        protocol: Unknown<'_>,
    ) -> Result<ColumnsRead<'a>, Wrong> {
        let endpoints = Endpoints::Items(self::endpoints(endpoints)?);
        Self::read_rest(endpoints, from, to, port, protocol)
    }

    /// [`ColumnsRead::read`] with the references joined by newlines; `None` when the
    /// text does not hold `count` of them.
    pub fn read_joined<'a>(
        joined: String,
        count: u32,
        from: Unknown<'a>,
        to: Unknown<'a>,
        port: Unknown<'a>,
        protocol: Unknown<'_>,
    ) -> Option<Result<ColumnsRead<'a>, Wrong>> {
        let held = if joined.is_empty() {
            0
        } else {
            joined.matches('\n').count() + 1
        };
        if held != count as usize {
            return None;
        }
        Some(Self::read_rest(
            Endpoints::Joined(joined),
            from,
            to,
            port,
            protocol,
        ))
    }

    fn read_rest<'a>(
        endpoints: Endpoints,
        from: Unknown<'a>,
        to: Unknown<'a>,
        port: Unknown<'a>,
        protocol: Unknown<'_>,
    ) -> Result<ColumnsRead<'a>, Wrong> {
        let from = column(from, "from", Expected::Indices, Expected::Index)?;
        let to = column(to, "to", Expected::Indices, Expected::Index)?;
        let port = match js_type(&port)? {
            JsType::Number => PortRead::One(
                args::js_column_item(
                    JsPart::Number(f64::from_unknown(port)?),
                    Expected::PortNumber,
                )
                .map_err(|b| named(b, "port"))?,
            ),
            JsType::Array | JsType::TypedArray => {
                PortRead::Each(column(port, "port", Expected::Ports, Expected::PortNumber)?)
            }
            t => return Err(named(Bad::wrong_type(Expected::Ports, t.name()), "port")),
        };
        let protocol = args::js_protocol(part(protocol)?).map_err(|b| named(b, "protocol"))?;
        Ok(ColumnsRead {
            endpoints,
            from,
            to,
            port,
            protocol,
        })
    }

    /// The references, borrowed from what was read (see [`ColumnsRead::columns`]).
    pub fn endpoints(&self) -> Vec<&str> {
        match &self.endpoints {
            Endpoints::Items(items) => items.iter().map(String::as_str).collect(),
            Endpoints::Joined(text) if text.is_empty() => Vec::new(),
            Endpoints::Joined(text) => text.split('\n').collect(),
        }
    }

    pub fn columns<'r>(&'r self, endpoints: &'r [&'r str]) -> Columns<'r, &'r str> {
        Columns {
            endpoints,
            from: self.from.as_slice(),
            to: self.to.as_slice(),
            port: match &self.port {
                PortRead::One(p) => PortColumn::One(*p),
                PortRead::Each(c) => PortColumn::Each(c.as_slice()),
            },
            protocol: self.protocol,
        }
    }
}

fn named(b: Bad, argument: &str) -> Wrong {
    Wrong::Argument(b.named(Host::JavaScript, argument))
}

/// The endpoint references of a batch by columns: an array of strings.
fn endpoints(v: Unknown<'_>) -> Result<Vec<String>, Wrong> {
    let t = js_type(&v)?;
    if t != JsType::Array {
        return Err(named(
            Bad::wrong_type(Expected::Endpoints, t.name()),
            "endpoints",
        ));
    }
    let arr = Array::from_unknown(v)?;
    let mut out = Vec::with_capacity(arr.len() as usize);
    for i in 0..arr.len() {
        let item = arr
            .get::<Unknown>(i)?
            .ok_or_else(|| napi::Error::from_reason("array changed while read"))?;
        match part(item)? {
            JsPart::Text(s) => out.push(s),
            JsPart::Number(_) => {
                return Err(named(
                    Bad::wrong_type(Expected::Endpoint, "number"),
                    &format!("endpoints[{i}]"),
                ))
            }
            JsPart::Other(t) => {
                return Err(named(
                    Bad::wrong_type(Expected::Endpoint, t.name()),
                    &format!("endpoints[{i}]"),
                ))
            }
        }
    }
    Ok(out)
}

/// `from`, `to` or a port column. A Uint32Array is used where it is, without a copy;
/// `index.js` converts every other column whose items are all whole numbers a Uint32Array
/// can hold, so what is read here item by item is mostly a column with a wrong item, to
/// name it (`from[3]`). `whole` is what the column must be, `item` what each item must be.
fn column<'a>(
    v: Unknown<'a>,
    name: &str,
    whole: Expected,
    item: Expected,
) -> Result<Column<'a>, Wrong> {
    let t = js_type(&v)?;
    if t == JsType::TypedArray {
        if let Ok(slice) = Uint32ArraySlice::from_unknown(v) {
            return Ok(Column::Borrowed(slice));
        }
    }
    if t != JsType::Array && t != JsType::TypedArray {
        return Err(named(Bad::wrong_type(whole, t.name()), name));
    }
    let obj = Object::from_unknown(v)?;
    let len: u32 = obj.get_named_property("length")?;
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        let value = part(obj.get_element::<Unknown>(i)?)?;
        out.push(args::js_column_item(value, item).map_err(|b| named(b, &format!("{name}[{i}]")))?);
    }
    Ok(Column::Read(out))
}
