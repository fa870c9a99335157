//! JavaScript values → the bindings' typed requests. Every check and message is the
//! bindings' (`meshverdict_bindings::args`, in JavaScript's words, shared with the WASM
//! host); this module only reads properties and says what type a value has.

use meshverdict_bindings::args::{ArgumentError, Bad, Expected, Host, JsPart, JsType};
use meshverdict_bindings::{Manifests, Query};
use napi::bindgen_prelude::{
    Array, FromNapiValue, JsObjectValue, JsValue, Object, Uint8ArraySlice, Unknown,
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
