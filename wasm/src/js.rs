//! What the WASM host takes from JavaScript (`js/host.js`): the error classes it throws,
//! the loops that cost less in JavaScript (packing a batch, converting a column of
//! integers, booleans out), property reads
//! without `Reflect`'s try/catch, and the bindings' errors as thrown values.

use meshverdict_bindings::args::{ArgumentError, Problem};
use meshverdict_bindings::Error;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = MeshverdictError)]
    pub type MeshverdictErrorJs;

    #[wasm_bindgen(constructor, js_class = "MeshverdictError")]
    fn new(error: &JsValue, warnings: &JsValue) -> MeshverdictErrorJs;

    #[wasm_bindgen(js_name = argumentError)]
    fn argument_error(kind: &str, error: &JsValue) -> JsValue;

    #[wasm_bindgen(js_name = unknownKey)]
    pub fn unknown_key(queries: &JsValue, single: bool) -> JsValue;

    pub fn booleans(bytes: &[u8]) -> JsValue;

    /// The first property of a batch by columns that is none of its own.
    #[wasm_bindgen(js_name = unknownColumnKey)]
    pub fn unknown_column_key(columns: &JsValue) -> Option<String>;

    /// A column of integers as a Uint32Array, or `null` when the module must read it item
    /// by item (an item is wrong, or it is no array).
    pub fn integers(column: &JsValue) -> Option<js_sys::Uint32Array>;

    /// The batch as one string, or `null` when the module must read the objects.
    pub fn pack(queries: &JsValue) -> Option<String>;

    /// One query as one string, or `null` (see `pack`).
    #[wasm_bindgen(js_name = packOne)]
    pub fn pack_one(query: &JsValue) -> Option<String>;

    /// A verdict decided (`allowed`), whose details (`source.details(serial, question)`)
    /// are judged and built when first read; `query` is the question as asked (copied:
    /// the caller may change it).
    #[wasm_bindgen(js_name = lazyVerdict)]
    pub fn lazy_verdict(
        source: &JsValue,
        serial: u32,
        query: &JsValue,
        allowed: bool,
        protocol: &str,
    ) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// Any object, read by `obj[key]` (no `Reflect.get`, which wraps every read in a try).
    pub type Props;

    #[wasm_bindgen(method, structural, indexing_getter)]
    pub fn get(this: &Props, key: &JsValue) -> JsValue;
}

/// Answers and errors as plain JavaScript values (objects, not `Map`s; `null` for none).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            engine_error(&Error::new(
                meshverdict_bindings::ErrorCode::Internal,
                format!("answer not convertible: {e}"),
            ))
        })
}

/// The `MeshverdictError` of an engine error, to throw or to return in place.
pub fn engine_error(e: &Error) -> JsValue {
    let data = e
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL);
    MeshverdictErrorJs::new(&data, &JsValue::UNDEFINED).into()
}

/// The `TypeError` or `RangeError` of a request an entry point refused (`call`).
pub fn request_error(e: &Error, problem: Problem) -> JsValue {
    let data = e
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL);
    let kind = match problem {
        Problem::Type => "type",
        Problem::Value => "range",
    };
    argument_error(kind, &data)
}

/// The `TypeError` or `RangeError` of a wrong argument.
pub fn argument(a: &ArgumentError) -> JsValue {
    let data = a
        .to_error()
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL);
    let kind = match a.problem {
        Problem::Type => "type",
        Problem::Value => "range",
    };
    argument_error(kind, &data)
}
