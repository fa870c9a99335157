//! JavaScript values → the bindings' typed requests. Every check and message is the
//! bindings' (`meshverdict_bindings::args`, in JavaScript's words, shared with the Node
//! host); this module only reads properties and says what type a value has.

use js_sys::{Array, Object, Uint32Array, Uint8Array};
use meshverdict_bindings::args::{self, ArgumentError, Bad, Expected, Host, JsPart, JsType};
use meshverdict_bindings::{Columns, Manifests, PortColumn, Protocol, Query};
use wasm_bindgen::{JsCast, JsValue};

use crate::js::{self, Props};

pub fn js_type(v: &JsValue) -> JsType {
    if v.is_undefined() {
        JsType::Undefined
    } else if v.is_null() {
        JsType::Null
    } else if v.as_bool().is_some() {
        JsType::Boolean
    } else if v.as_f64().is_some() {
        JsType::Number
    } else if v.is_string() {
        JsType::String
    } else if v.is_bigint() {
        JsType::BigInt
    } else if v.is_symbol() {
        JsType::Symbol
    } else if v.is_function() {
        JsType::Function
    } else if Array::is_array(v) {
        JsType::Array
    } else if v.is_instance_of::<Uint8Array>() || js_sys::ArrayBuffer::is_view(v) {
        JsType::TypedArray
    } else {
        JsType::Object
    }
}

pub fn part(v: JsValue) -> JsPart {
    if let Some(s) = v.as_string() {
        return JsPart::Text(s);
    }
    if let Some(n) = v.as_f64() {
        return JsPart::Number(n);
    }
    JsPart::Other(js_type(&v))
}

thread_local! {
    // The property names of a query, made once: a string crossing costs a TextDecoder call.
    static KEYS: QueryKeys = QueryKeys { keys: args::QUERY_KEYS.map(JsValue::from_str) };
}

/// One query `{ from, to, port, protocol? }`: packed by JavaScript into one string when it
/// is plain and well typed, else read property by property (which names what is wrong).
pub fn query(v: &JsValue) -> Result<Query, ArgumentError> {
    if let Some(text) = js::pack_one(v) {
        if let Some(read) = args::packed_queries(&text, 1, args::query_field) {
            return read.map(|mut qs| qs.pop()).transpose().unwrap_or_else(|| {
                Err(Bad::wrong_type(Expected::Query, "nothing").named(Host::JavaScript, "query"))
            });
        }
    }
    unknown_key(v, true)?;
    KEYS.with(|k| k.query(v, || "query".into()))
}

/// The property names of a query.
pub struct QueryKeys {
    keys: [JsValue; 4],
}

impl QueryKeys {
    /// One query object; `container()` names it on failure (`query`, `queries[3]`).
    pub fn query(
        &self,
        v: &JsValue,
        container: impl Fn() -> String,
    ) -> Result<Query, ArgumentError> {
        let t = js_type(v);
        if t != JsType::Object {
            return Err(
                Bad::wrong_type(Expected::Query, t.name()).named(Host::JavaScript, &container())
            );
        }
        let obj: &Props = v.unchecked_ref();
        let [from, to, port, protocol] = &self.keys;
        let named = |key: &str| {
            let c = container();
            if c == "query" {
                format!("query.{key}")
            } else {
                format!("{key} of {c}")
            }
        };
        args::js_query(
            part(obj.get(from)),
            part(obj.get(to)),
            part(obj.get(port)),
            part(obj.get(protocol)),
            named,
        )
    }
}

/// A property none of a query's: the error, else nothing.
pub fn unknown_key(queries: &JsValue, single: bool) -> Result<(), ArgumentError> {
    let found = js::unknown_key(queries, single);
    if found.is_null() || found.is_undefined() {
        return Ok(());
    }
    let pair: Array = found.unchecked_into();
    let index = pair.get(0).as_f64().unwrap_or(-1.0);
    let key = pair.get(1).as_string().unwrap_or_default();
    let argument = if index < 0.0 {
        "query".to_string()
    } else {
        format!("queries[{index}]")
    };
    Err(ArgumentError::unknown_key(
        &argument,
        "property",
        &key,
        &args::QUERY_KEYS,
    ))
}

/// Every question of a batch (an array of query objects), read object by object: the
/// path of a batch JavaScript could not pack (`js::pack`), which names what is wrong.
pub fn queries(v: &JsValue) -> Result<Vec<Query>, ArgumentError> {
    let t = js_type(v);
    if t != JsType::Array {
        return Err(Bad::wrong_type(Expected::Queries, t.name()).named(Host::JavaScript, "queries"));
    }
    unknown_key(v, false)?;
    let arr: &Array = v.unchecked_ref();
    KEYS.with(|keys| {
        let mut out = Vec::with_capacity(arr.length() as usize);
        for i in 0..arr.length() {
            out.push(keys.query(&arr.get(i), || format!("queries[{i}]"))?);
        }
        Ok(out)
    })
}

/// A batch packed into one string by JavaScript, with its length: `None` when JavaScript
/// could not pack it (then [`queries`] reads the objects).
pub fn packed(v: &JsValue) -> Option<(String, usize)> {
    let arr = v.dyn_ref::<Array>()?;
    Some((js::pack(v)?, arr.length() as usize))
}

/// The manifests: a string, or a Uint8Array in UTF-8.
pub fn manifests(v: &JsValue, argument: &str) -> Result<Manifests, ArgumentError> {
    if let Some(s) = v.as_string() {
        return Ok(Manifests::Text(s));
    }
    if let Some(bytes) = v.dyn_ref::<Uint8Array>() {
        return Ok(Manifests::Bytes(bytes.to_vec()));
    }
    Err(Bad::wrong_type(Expected::Manifests, js_type(v).name()).named(Host::JavaScript, argument))
}

/// The properties of an options object for `meshverdict_bindings::load::js_load_options`.
pub fn options(v: &JsValue) -> Result<Vec<(String, JsPart)>, ArgumentError> {
    match js_type(v) {
        JsType::Undefined | JsType::Null => return Ok(Vec::new()),
        JsType::Object => {}
        t => {
            return Err(
                Bad::wrong_type(Expected::Options, t.name()).named(Host::JavaScript, "options")
            )
        }
    }
    let mut out = Vec::new();
    for (key, value) in entries(v) {
        let p = part(value.clone());
        if key == "limits" && p == JsPart::Other(JsType::Object) {
            for (k, inner) in entries(&value) {
                out.push((format!("limits.{k}"), part(inner)));
            }
        }
        out.push((key, p));
    }
    Ok(out)
}

fn entries(v: &JsValue) -> Vec<(String, JsValue)> {
    let obj: &Object = v.unchecked_ref();
    Object::entries(obj)
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1)))
        })
        .collect()
}

/// A name argument (a case's source name).
pub fn name(v: &JsValue, argument: &str) -> Result<Option<String>, ArgumentError> {
    match js_type(v) {
        JsType::Undefined | JsType::Null => Ok(None),
        JsType::String => Ok(v.as_string()),
        t => Err(Bad::wrong_type(Expected::Name, t.name()).named(Host::JavaScript, argument)),
    }
}

/// The files of `Cluster.fromFiles`: an array of `{ name, yaml }` (`yaml` a string or a
/// Uint8Array in UTF-8).
pub fn files(v: &JsValue) -> Result<Vec<(String, Manifests)>, ArgumentError> {
    let Some(arr) = v.dyn_ref::<Array>() else {
        return Err(
            Bad::wrong_type(Expected::Files, js_type(v).name()).named(Host::JavaScript, "files")
        );
    };
    let name_key = JsValue::from_str("name");
    let yaml_key = JsValue::from_str("yaml");
    let mut out = Vec::with_capacity(arr.length() as usize);
    for i in 0..arr.length() {
        let item = arr.get(i);
        let t = js_type(&item);
        if t != JsType::Object {
            return Err(Bad::wrong_type(Expected::Files, t.name())
                .named(Host::JavaScript, &format!("files[{i}]")));
        }
        for (key, _) in entries(&item) {
            if key != "name" && key != "yaml" {
                return Err(ArgumentError::unknown_key(
                    &format!("files[{i}]"),
                    "property",
                    &key,
                    &["name", "yaml"],
                ));
            }
        }
        let obj: &Props = item.unchecked_ref();
        let name = obj.get(&name_key);
        let Some(name) = name.as_string() else {
            return Err(Bad::wrong_type(Expected::Name, js_type(&name).name())
                .named(Host::JavaScript, &format!("files[{i}].name")));
        };
        out.push((
            name,
            manifests(&obj.get(&yaml_key), &format!("files[{i}].yaml"))?,
        ));
    }
    Ok(out)
}

/// Manifests of a request (`diff`'s other tree) in the engine's form: a string becomes
/// `{ yaml }`, an array `{ files }`, and bytes (a Uint8Array, alone or as a `yaml`) text,
/// or the located `parse-error` of bytes that are not UTF-8. Anything else goes as it is:
/// the engine says what is wrong with it.
pub fn manifests_request(v: &JsValue, argument: &str) -> Result<JsValue, JsValue> {
    let yaml_key = JsValue::from_str("yaml");
    let name_key = JsValue::from_str("name");
    let text = |bytes: &Uint8Array, name: &str| -> Result<JsValue, JsValue> {
        Manifests::Bytes(bytes.to_vec())
            .into_text(name)
            .map(|t| JsValue::from_str(&t))
            .map_err(|e| js::engine_error(&e))
    };
    let object = |pairs: &[(&JsValue, JsValue)]| -> Result<JsValue, JsValue> {
        let o = Object::new();
        for (k, v) in pairs {
            js_sys::Reflect::set(&o, k, v)?;
        }
        Ok(o.into())
    };
    // A `{ yaml, … }` object with its bytes decoded.
    let decoded = |o: &JsValue, name: &str| -> Result<JsValue, JsValue> {
        let props: &Props = o.unchecked_ref();
        let yaml = props.get(&yaml_key);
        let Some(bytes) = yaml.dyn_ref::<Uint8Array>() else {
            return Ok(o.clone());
        };
        let copy = Object::assign(&Object::new(), o.unchecked_ref());
        let name = props
            .get(&name_key)
            .as_string()
            .unwrap_or_else(|| name.to_string());
        js_sys::Reflect::set(&copy, &yaml_key, &text(bytes, &name)?)?;
        Ok(copy.into())
    };
    if v.is_string() {
        return object(&[(&yaml_key, v.clone())]);
    }
    if let Some(bytes) = v.dyn_ref::<Uint8Array>() {
        return object(&[(&yaml_key, text(bytes, argument)?)]);
    }
    if let Some(arr) = v.dyn_ref::<Array>() {
        let files = Array::new();
        for i in 0..arr.length() {
            let item = arr.get(i);
            files.push(&if js_type(&item) == JsType::Object {
                decoded(&item, &format!("{argument}.files[{i}]"))?
            } else {
                item
            });
        }
        return object(&[(&JsValue::from_str("files"), files.into())]);
    }
    if js_type(v) == JsType::Object {
        return decoded(v, argument);
    }
    Ok(v.clone())
}

/// A batch by columns as read (see `Cluster::allowed_columns`).
pub struct ColumnsRead {
    endpoints: Vec<String>,
    from: Vec<u32>,
    to: Vec<u32>,
    port: PortRead,
    protocol: Protocol,
}

enum PortRead {
    One(u32),
    Each(Vec<u32>),
}

impl ColumnsRead {
    pub fn columns(&self) -> Columns<'_, String> {
        Columns {
            endpoints: &self.endpoints,
            from: &self.from,
            to: &self.to,
            port: match &self.port {
                PortRead::One(p) => PortColumn::One(*p),
                PortRead::Each(c) => PortColumn::Each(c),
            },
            protocol: self.protocol,
        }
    }
}

fn named(b: Bad, argument: &str) -> ArgumentError {
    b.named(Host::JavaScript, argument)
}

/// A batch by columns `{ endpoints, from, to, port, protocol? }`: its properties read in
/// that order (the first wrong one is the error). Ranges (an index past `endpoints`, a
/// port above 65535) and lengths are the bindings' check.
pub fn columns(v: &JsValue) -> Result<ColumnsRead, ArgumentError> {
    let t = js_type(v);
    if t != JsType::Object {
        return Err(named(
            Bad::wrong_type(Expected::Columns, t.name()),
            "columns",
        ));
    }
    if let Some(key) = js::unknown_column_key(v) {
        return Err(ArgumentError::unknown_key(
            "columns",
            "property",
            &key,
            &args::COLUMN_KEYS,
        ));
    }
    let obj: &Props = v.unchecked_ref();
    let [endpoints, from, to, port, protocol] =
        args::COLUMN_KEYS.map(|k| obj.get(&JsValue::from_str(k)));
    let endpoints = self::endpoints(&endpoints)?;
    let from = column(&from, "from", Expected::Indices, Expected::Index)?;
    let to = column(&to, "to", Expected::Indices, Expected::Index)?;
    let port = match port.as_f64() {
        Some(n) => PortRead::One(
            args::js_column_item(JsPart::Number(n), Expected::PortNumber)
                .map_err(|b| named(b, "port"))?,
        ),
        None => match js_type(&port) {
            JsType::Array | JsType::TypedArray => PortRead::Each(column(
                &port,
                "port",
                Expected::Ports,
                Expected::PortNumber,
            )?),
            t => return Err(named(Bad::wrong_type(Expected::Ports, t.name()), "port")),
        },
    };
    let protocol = args::js_protocol(part(protocol)).map_err(|b| named(b, "protocol"))?;
    Ok(ColumnsRead {
        endpoints,
        from,
        to,
        port,
        protocol,
    })
}

/// The endpoint references of a batch by columns: an array of strings.
fn endpoints(v: &JsValue) -> Result<Vec<String>, ArgumentError> {
    let Some(arr) = v.dyn_ref::<Array>() else {
        return Err(named(
            Bad::wrong_type(Expected::Endpoints, js_type(v).name()),
            "endpoints",
        ));
    };
    let mut out = Vec::with_capacity(arr.length() as usize);
    for i in 0..arr.length() {
        let item = arr.get(i);
        match item.as_string() {
            Some(s) => out.push(s),
            None => {
                return Err(named(
                    Bad::wrong_type(Expected::Endpoint, js_type(&item).name()),
                    &format!("endpoints[{i}]"),
                ))
            }
        }
    }
    Ok(out)
}

/// `from`, `to` or a port column, copied into this module's memory: a Uint32Array at
/// once, any other column of whole numbers a Uint32Array can hold converted by
/// JavaScript first (`js::integers`); what is read here item by item is a column with a
/// wrong item, to name it (`from[3]`). `whole` is what the column must be, `item` what
/// each item must be.
fn column(
    v: &JsValue,
    name: &str,
    whole: Expected,
    item: Expected,
) -> Result<Vec<u32>, ArgumentError> {
    if let Some(a) = v.dyn_ref::<Uint32Array>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = js::integers(v) {
        return Ok(a.to_vec());
    }
    let t = js_type(v);
    let obj: &Props = v.unchecked_ref();
    let len = match t {
        JsType::Array | JsType::TypedArray => obj.get(&JsValue::from_str("length")).as_f64(),
        _ => None,
    };
    // A DataView is a view with no length: no column either.
    let Some(len) = len else {
        return Err(named(Bad::wrong_type(whole, t.name()), name));
    };
    let len = len as u32;
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        let value = part(obj.get(&JsValue::from(i)));
        out.push(args::js_column_item(value, item).map_err(|b| named(b, &format!("{name}[{i}]")))?);
    }
    Ok(out)
}
