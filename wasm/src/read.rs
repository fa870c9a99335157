//! JavaScript values → the bindings' typed requests. Every check and message is the
//! bindings' (`meshverdict_bindings::args`, in JavaScript's words, shared with the Node
//! host); this module only reads properties and says what type a value has.

use js_sys::{Array, Object, Uint8Array};
use meshverdict_bindings::args::{self, ArgumentError, Bad, Expected, Host, JsPart, JsType};
use meshverdict_bindings::{Manifests, Query};
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
