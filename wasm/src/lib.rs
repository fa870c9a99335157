//! The WASM host: a wasm-bindgen wrapper of `meshverdict-bindings` and nothing else.
//!
//! Requests cross as JSON text (`JSON.stringify`, run by the JS engine) into the bindings'
//! `_json` forms; their `type`-tagged answers come back through `JSON.parse`. A `success`
//! gives its `result`; a `failure` is thrown as a JS `Error` named `MeshverdictError` that
//! carries the bindings' `code`, `help`, `location` and `warnings`. No verdict logic lives
//! here. The TypeScript shapes of the values are in `types.d.ts`.

use js_sys::{Array, Reflect, JSON};
use meshverdict_bindings::{failure_json, run_case, CaseRequest, ClusterHandle};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A bindings error (`{code, message, help, location}`) as a JS `Error` to throw.
fn js_error(error: &JsValue, warnings: JsValue) -> JsValue {
    let e = js_sys::Error::new(&get(error, "message").as_string().unwrap_or_default());
    e.set_name("MeshverdictError");
    let warnings = if Array::is_array(&warnings) {
        warnings
    } else {
        Array::new().into()
    };
    for (key, value) in [
        ("code", get(error, "code")),
        ("help", get(error, "help")),
        ("location", get(error, "location")),
        ("warnings", warnings),
    ] {
        let _ = Reflect::set(&e, &JsValue::from_str(key), &value);
    }
    e.into()
}

/// An error of this host itself (the input never reached the bindings).
fn host_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Object::new();
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    let _ = Reflect::set(
        &error,
        &JsValue::from_str("message"),
        &JsValue::from_str(message),
    );
    js_error(&error, JsValue::UNDEFINED)
}

/// An answer object: its `result`, or its `error` as a thrown `Error`.
fn outcome(answer: &JsValue) -> Result<JsValue, JsValue> {
    match get(answer, "type").as_string().as_deref() {
        Some("success") => Ok(get(answer, "result")),
        _ => Err(js_error(&get(answer, "error"), get(answer, "warnings"))),
    }
}

/// An answer (JSON text): its `result`, or its `error` thrown.
fn settle(answer: &str) -> Result<JsValue, JsValue> {
    outcome(&JSON::parse(answer)?)
}

/// The `Error` of a failure answer (JSON text).
fn thrown(answer: &str) -> JsValue {
    settle(answer)
        .err()
        .unwrap_or_else(|| host_error("internal", "a failure answer was expected"))
}

/// JSON text of a request. A value JSON cannot carry (a BigInt, a cycle) is a bad request;
/// anything else, even `undefined` (sent as `null`), is judged by the bindings.
fn request(value: &JsValue) -> Result<String, JsValue> {
    match JSON::stringify(value) {
        Ok(s) => Ok(s.as_string().unwrap_or_else(|| "null".into())),
        Err(e) => Err(host_error(
            "invalid-request",
            &format!(
                "request: not representable as JSON: {}",
                get(&e, "message").as_string().unwrap_or_default()
            ),
        )),
    }
}

fn text_arg(text: &JsValue, what: &str) -> Result<String, JsValue> {
    text.as_string().ok_or_else(|| {
        host_error(
            "invalid-request",
            &format!("request: {what} must be a string"),
        )
    })
}

/// Manifests loaded into a cluster, kept between questions.
#[wasm_bindgen]
pub struct Cluster {
    handle: ClusterHandle,
}

#[wasm_bindgen]
impl Cluster {
    /// Loads multi-document YAML or JSON (what `kubectl get -o yaml` prints).
    /// Throws a `MeshverdictError`: `parse-error`, `limit-exceeded`, `invalid-field`,
    /// `invalid-request` (e.g. an unknown dataplane or option).
    #[wasm_bindgen(js_name = fromYaml)]
    pub fn from_yaml(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "LoadOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> Result<Cluster, JsValue> {
        let yaml = Value::String(text_arg(&text, "the manifests text")?);
        // The options go to the bindings as they are, so a misspelt one is `invalid-request`.
        let options = match options {
            Some(o) => serde_json::from_str(&request(&o)?).unwrap_or(Value::Null),
            None => Value::Null,
        };
        let req = match options {
            Value::Null => json!({ "yaml": yaml }),
            Value::Object(mut m) => {
                m.insert("yaml".into(), yaml);
                Value::Object(m)
            }
            other => other,
        };
        match ClusterHandle::load_json(&req.to_string()) {
            Ok((handle, _warnings)) => Ok(Cluster { handle }),
            Err(e) => Err(thrown(&failure_json(&e))),
        }
    }

    /// Warnings of the load (skipped kinds, assumptions).
    #[wasm_bindgen(getter, unchecked_return_type = "Warning[]")]
    pub fn warnings(&self) -> JsValue {
        let text = serde_json::to_string(&self.handle.warnings()).unwrap_or_else(|_| "[]".into());
        JSON::parse(&text).unwrap_or_else(|_| Array::new().into())
    }

    /// `generic`, `calico` or `cilium`.
    #[wasm_bindgen(getter, unchecked_return_type = "Dataplane")]
    pub fn dataplane(&self) -> String {
        self.handle.dataplane().as_str().to_string()
    }

    /// One verdict with its explanation. Throws a `MeshverdictError`: `unknown-endpoint`,
    /// `invalid-request`, `invalid-policy` (the verdict would read a rejected object).
    #[wasm_bindgen(unchecked_return_type = "VerdictResult")]
    pub fn verdict(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Query")] query: JsValue,
    ) -> Result<JsValue, JsValue> {
        settle(&self.handle.verdict_json(&request(&query)?))
    }

    /// Many verdicts in one call, each `{ allowed, summary }`. An item that cannot be
    /// answered becomes a `MeshverdictError` in its place (returned, not thrown); a
    /// malformed list (not an array, an item with an unknown or missing field) throws.
    #[wasm_bindgen(unchecked_return_type = "Array<VerdictBrief | MeshverdictError>")]
    pub fn verdicts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly Query[]")] queries: JsValue,
    ) -> Result<JsValue, JsValue> {
        let answers = JSON::parse(&self.handle.verdicts_json(&request(&queries)?))?;
        if !Array::is_array(&answers) {
            return outcome(&answers);
        }
        Ok(Array::from(&answers)
            .iter()
            .map(|a| outcome(&a).unwrap_or_else(|e| e))
            .collect::<Array>()
            .into())
    }

    /// Just `allowed` for each question, in order; the first error anywhere is thrown.
    #[wasm_bindgen(js_name = allowedMany, unchecked_return_type = "boolean[]")]
    pub fn allowed_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly Query[]")] queries: JsValue,
    ) -> Result<JsValue, JsValue> {
        match self.handle.allowed_many_json(&request(&queries)?) {
            Ok(v) => Ok(v
                .into_iter()
                .map(JsValue::from_bool)
                .collect::<Array>()
                .into()),
            Err(e) => Err(thrown(&failure_json(&e))),
        }
    }

    /// The analysis: `[{ code, severity, message, help, flows, policies, location }]`.
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn diagnostics(&self) -> Result<JsValue, JsValue> {
        settle(&self.handle.diagnostics_json())
    }

    /// Objects the API server or Cilium would reject, each a located error as data
    /// (`{ code, message, help, location }`); verdicts that read them are refused.
    #[wasm_bindgen(unchecked_return_type = "ErrorInfo[]")]
    pub fn errors(&self) -> Result<JsValue, JsValue> {
        JSON::parse(&self.handle.errors_json())
    }
}

/// Runs one conformance case file: `{ name, source, passed, failed, results, failures }`,
/// `failures` being the failed items as `{ id, detail }`. `name` is the source name in
/// reports (`case.yaml` by default). Throws `invalid-case` when the text holds no
/// `kind: Expectations` document.
#[wasm_bindgen(js_name = runCase, unchecked_return_type = "CaseReport")]
pub fn run_case_js(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] name: Option<String>,
) -> Result<JsValue, JsValue> {
    let req = CaseRequest {
        yaml: text_arg(&text, "the case text")?,
        name,
    };
    let mut answer =
        serde_json::to_value(run_case(&req)).map_err(|e| host_error("internal", &e.to_string()))?;
    if let Some(report) = answer.get_mut("result").and_then(Value::as_object_mut) {
        let failures: Vec<Value> = report
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| r.get("passed") == Some(&Value::Bool(false)))
            .map(|r| json!({ "id": r.get("id"), "detail": r.get("detail") }))
            .collect();
        report.insert("failures".into(), Value::Array(failures));
    }
    settle(&answer.to_string())
}
