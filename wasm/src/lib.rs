//! The WASM host: a wasm-bindgen wrapper of `meshverdict-bindings` and nothing else.
//!
//! JavaScript values cross the boundary as values, not JSON text: arguments are read
//! property by property into the bindings' typed requests (`read`, checked with the
//! messages every JavaScript host shares), and answers are built as plain objects by
//! serde-wasm-bindgen (JSON-compatible: objects, not `Map`s); a single verdict is decided
//! at once, its reasons judged and built only when first read (`verdict`,
//! `VerdictSource`). A batch packed into one string by JavaScript is answered as it is
//! read (`ClusterHandle::allowed_many_packed`); a batch by columns crosses as
//! Uint32Arrays (`Cluster::allowed_columns`).
//! A wrong argument throws a `TypeError` or a `RangeError`, anything the engine refuses
//! a `MeshverdictError` (the class of `js/host.js`, exported by every build). Entry points other than
//! verdicts go through one generic `call`. No verdict logic lives here. The TypeScript
//! shapes of the values are in `types.d.ts`.

mod js;
mod read;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use meshverdict_bindings::args::{self, Problem};
use meshverdict_bindings::entry::{self, Codec, Entry};
use meshverdict_bindings::load::js_load_options;
use meshverdict_bindings::{
    run_case as run_case_in, ClusterHandle, EngineAnswer, Error, ErrorCode, Failure, Query,
    Verdict, VerdictOut,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// The answers' shapes generated from the Rust types (schema/generate.sh) in the namespace
// `Schema`, then the hand-written rest, which re-exports them under their names.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = concat!(
    "export declare namespace Schema {\n",
    include_str!("../../schema/meshverdict.d.ts"),
    "}\n\n",
    include_str!("types.d.ts")
);

/// JavaScript values both ways: a request deserialized from its object, an answer's
/// result returned and its error thrown.
struct JsCodec;

impl Codec for JsCodec {
    type In = JsValue;
    type Out = Result<JsValue, JsValue>;

    fn decode<T: DeserializeOwned>(&self, entry: &str, request: &JsValue) -> Result<T, Error> {
        // Through a JSON value, as the other hosts' requests: every property is seen (an
        // unknown one is refused), numbers are integers where they are whole, and the
        // messages are theirs, word for word.
        let value: serde_json::Value =
            serde_wasm_bindgen::from_value(request.clone()).map_err(|e| {
                let text = e.to_string();
                entry::request_error(
                    entry,
                    format!(
                        "invalid type: {}",
                        text.strip_prefix("Error: ").unwrap_or(&text)
                    ),
                )
            })?;
        entry::decode_value(entry, value)
    }

    fn encode<T: Serialize>(&self, answer: &EngineAnswer<T>) -> Result<JsValue, JsValue> {
        match answer {
            EngineAnswer::Success { result, .. } => js::to_js(result),
            EngineAnswer::Failure { error, .. } => Err(js::engine_error(error)),
        }
    }

    /// A request of the wrong shape is a `TypeError`, a wrong value in it a `RangeError`.
    fn encode_request_error(&self, error: Error, problem: Problem) -> Result<JsValue, JsValue> {
        Err(js::request_error(&error, problem))
    }
}

/// Manifests loaded into a cluster, kept between questions.
#[wasm_bindgen]
pub struct Cluster {
    /// Seen (weakly) by the verdicts whose details are not read yet (`VerdictSource`);
    /// boxed, so that what such a verdict keeps of a freed cluster is one pointer.
    #[allow(clippy::redundant_allocation)]
    handle: Rc<Box<ClusterHandle>>,
    /// The [`VerdictSource`] of this cluster's verdicts, as the JavaScript object they hold.
    source: JsValue,
}

/// The last verdict asked, by its serial.
enum Last {
    /// Its question, while its cluster (by address) lives.
    Asked {
        serial: u32,
        cluster: usize,
        query: Query,
    },
    /// Its judgement: made for its port and summary (the rest may be read next), or
    /// when its cluster was freed before its details were read.
    Judged { serial: u32, verdict: Box<Verdict> },
}

thread_local! {
    /// The last verdict asked: its details stay readable after `free()` (the usual order
    /// is to ask, free, then print), as an eager verdict's would, and once judged for its
    /// summary, its other details cost no second judgement. Earlier ones are not kept:
    /// that would keep every question in memory.
    static LAST: RefCell<Option<Last>> = const { RefCell::new(None) };
    static SERIAL: Cell<u32> = const { Cell::new(0) };
}

/// What a verdict's details are built from when JavaScript first reads them (not part of
/// the API: `js/host.js` holds it inside the verdict). One per cluster, made with it: a
/// verdict holds this, its serial and a copy of its question, and no object of its own
/// (an object per verdict, with its finalizer, kept V8's collector busy in a loop of
/// verdicts). The details are judged from the question, unless the cluster was freed
/// since (a verdict does not keep a freed cluster's memory; the last one is judged as
/// the cluster is freed, see `LAST`). A cluster does not change once loaded, so the
/// judgement made later is the one that would have been made at once.
#[wasm_bindgen(skip_typescript)]
pub struct VerdictSource {
    #[allow(clippy::redundant_allocation)]
    handle: Weak<Box<ClusterHandle>>,
}

#[wasm_bindgen]
impl VerdictSource {
    /// The port and the summary of verdict `serial` (`[port, summary]`), the first read of
    /// either; the verdict is kept for its other details, as the last one judged.
    pub fn brief(&self, serial: u32, query: JsValue) -> Result<JsValue, JsValue> {
        let verdict = self.judged(serial, &query)?;
        let out = js_sys::Array::of2(
            &JsValue::from(verdict.port),
            &JsValue::from_str(&verdict.summary),
        );
        LAST.with(|last| {
            *last.borrow_mut() = Some(Last::Judged {
                serial,
                verdict: Box::new(verdict),
            })
        });
        Ok(out.into())
    }

    /// The whole verdict `serial` with its explanation (`VerdictResult`), as a JavaScript
    /// value; `query` is its question.
    pub fn details(&self, serial: u32, query: JsValue) -> Result<JsValue, JsValue> {
        let verdict = self.judged(serial, &query)?;
        let explanation = meshverdict_bindings::explanation(&verdict);
        js::to_js(&VerdictOut {
            verdict,
            explanation,
        })
    }
}

impl VerdictSource {
    /// Verdict `serial`: the one kept (`LAST`), or judged from its question (the one
    /// kept, when it is the last one asked, else the copy JavaScript holds).
    fn judged(&self, serial: u32, query: &JsValue) -> Result<Verdict, JsValue> {
        let (kept, asked) = LAST.with(|last| {
            let mut last = last.borrow_mut();
            match last.take() {
                Some(Last::Judged { serial: s, verdict }) if s == serial => (Some(*verdict), None),
                Some(Last::Asked {
                    serial: s, query, ..
                }) if s == serial => (None, Some(query)),
                other => {
                    *last = other;
                    (None, None)
                }
            }
        });
        match (kept, self.handle.upgrade()) {
            (Some(v), _) => Ok(v),
            (None, Some(handle)) => {
                let q = match asked {
                    Some(q) => q,
                    None => read::query(query).map_err(|a| js::argument(&a))?,
                };
                handle.verdict_only(&q).map_err(|e| js::engine_error(&e))
            }
            (None, None) => {
                let e = Error::new(ErrorCode::InvalidRequest, "the details of this verdict were read after its cluster was freed (free()); read them before, or ask again");
                Err(js::engine_error(&e))
            }
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // The last verdict asked of this cluster is judged now, while it can be.
        let me = self.address();
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            if let Some(Last::Asked {
                serial,
                cluster,
                query,
            }) = &*last
            {
                if *cluster == me {
                    if let Ok(verdict) = self.handle.verdict_only(query) {
                        *last = Some(Last::Judged {
                            serial: *serial,
                            verdict: Box::new(verdict),
                        });
                    }
                }
            }
        });
    }
}

impl Cluster {
    fn new(handle: ClusterHandle) -> Cluster {
        let handle = Rc::new(Box::new(handle));
        let source = JsValue::from(VerdictSource {
            handle: Rc::downgrade(&handle),
        });
        Cluster { handle, source }
    }

    /// Which cluster this is, while it lives.
    fn address(&self) -> usize {
        Rc::as_ptr(&self.handle) as usize
    }
}

#[wasm_bindgen]
impl Cluster {
    /// Loads multi-document YAML or JSON (a string, or a Uint8Array in UTF-8), with
    /// `{ dataplane, name, limits }`. Throws a `MeshverdictError` (`parse-error`,
    /// `limit-exceeded`, `invalid-field`), or a `TypeError`/`RangeError` for a wrong argument.
    #[wasm_bindgen(js_name = fromYaml)]
    pub fn from_yaml(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "LoadOptions")] options: JsValue,
    ) -> Result<Cluster, JsValue> {
        let manifests = read::manifests(&text, "text").map_err(|a| js::argument(&a))?;
        let options = read::options(&options)
            .and_then(js_load_options)
            .map_err(|a| js::argument(&a))?;
        ClusterHandle::load(manifests, options)
            .map(Cluster::new)
            .map_err(|e| js::engine_error(&e))
    }

    /// Loads several files as one cluster (a folder), each under its name: `files` is an
    /// array of `{ name, yaml }` (`yaml` a string or a Uint8Array in UTF-8); the options as
    /// `fromYaml`'s (but `name`: each file has its own).
    #[wasm_bindgen(js_name = fromFiles)]
    pub fn from_files(
        #[wasm_bindgen(
            unchecked_param_type = "Array<{ name: string; yaml: string | Uint8Array }>"
        )]
        files: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Omit<LoadOptions, 'name'>")]
        options: JsValue,
    ) -> Result<Cluster, JsValue> {
        let files = read::files(&files).map_err(|a| js::argument(&a))?;
        let options = read::options(&options)
            .and_then(js_load_options)
            .map_err(|a| js::argument(&a))?;
        ClusterHandle::load_files(files, options)
            .map(Cluster::new)
            .map_err(|e| js::engine_error(&e))
    }

    /// Warnings of the load (skipped kinds, assumptions).
    #[wasm_bindgen(getter, unchecked_return_type = "Warning[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        js::to_js(self.handle.warnings())
    }

    /// The dataplane verdicts are judged on: given, or (`auto`) what the input shows.
    #[wasm_bindgen(getter, unchecked_return_type = "Dataplane")]
    pub fn dataplane(&self) -> String {
        self.handle.dataplane().name.as_str().to_string()
    }

    /// Why that dataplane.
    #[wasm_bindgen(getter, js_name = dataplaneReason)]
    pub fn dataplane_reason(&self) -> String {
        self.handle.dataplane().reason.to_string()
    }

    /// One verdict with its explanation. Throws a `MeshverdictError` (`unknown-endpoint`,
    /// `invalid-request`, `invalid-policy`) or a `TypeError`/`RangeError`. The flow is
    /// decided at once: `allowed` and `protocol` are there at once, and the rest (the
    /// port, the summary, the layers, the endpoints, the explanation) is judged and built
    /// as a JavaScript value when one of them is first read (`js/host.js`, `lazyVerdict`):
    /// the reasons cost four times what the decision does, and many callers read only
    /// `allowed`.
    #[wasm_bindgen(unchecked_return_type = "VerdictResult")]
    pub fn verdict(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Query")] query: JsValue,
    ) -> Result<JsValue, JsValue> {
        let q = read::query(&query).map_err(|a| js::argument(&a))?;
        let allowed = self.handle.allowed(&q).map_err(|e| js::engine_error(&e))?;
        let serial = SERIAL.with(|s| {
            let n = s.get().wrapping_add(1);
            s.set(n);
            n
        });
        let out = js::lazy_verdict(&self.source, serial, &query, allowed, q.protocol.as_str());
        let cluster = self.address();
        LAST.with(|last| {
            *last.borrow_mut() = Some(Last::Asked {
                serial,
                cluster,
                query: q,
            })
        });
        Ok(out)
    }

    /// Many verdicts in one call, each `{ allowed, summary }`. An item the engine cannot
    /// answer becomes a `MeshverdictError` in its place (returned, not thrown); a wrong
    /// argument throws.
    #[wasm_bindgen(unchecked_return_type = "Array<VerdictBrief | MeshverdictError>")]
    pub fn verdicts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly Query[]")] queries: JsValue,
    ) -> Result<JsValue, JsValue> {
        let packed = read::packed(&queries)
            .and_then(|(text, items)| self.handle.verdicts_packed(&text, items, args::batch_field));
        let answers = match packed {
            Some(read) => read.map_err(|a| js::argument(&a))?,
            None => self
                .handle
                .verdicts(&read::queries(&queries).map_err(|a| js::argument(&a))?),
        };
        let out = js_sys::Array::new();
        for answer in answers {
            out.push(&match answer {
                Ok(b) => js::to_js(&b)?,
                Err(e) => js::engine_error(&e),
            });
        }
        Ok(out.into())
    }

    /// Just `allowed` for each question, in order; the first error anywhere is thrown.
    #[wasm_bindgen(js_name = allowedMany, unchecked_return_type = "boolean[]")]
    pub fn allowed_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly Query[]")] queries: JsValue,
    ) -> Result<JsValue, JsValue> {
        // Packed by JavaScript and answered as read; else the objects, read one by one.
        let packed = read::packed(&queries).and_then(|(text, items)| {
            self.handle
                .allowed_many_packed(&text, items, args::batch_field)
        });
        let allowed = match packed {
            Some(Ok(v)) => v,
            Some(Err(Failure::Argument(a))) => return Err(js::argument(&a)),
            Some(Err(Failure::Engine(e))) => return Err(js::engine_error(&e)),
            None => {
                let qs = read::queries(&queries).map_err(|a| js::argument(&a))?;
                self.handle
                    .allowed_many(&qs)
                    .map_err(|e| js::engine_error(&e))?
            }
        };
        Ok(js::booleans(
            &allowed.into_iter().map(u8::from).collect::<Vec<u8>>(),
        ))
    }

    /// `allowed` for each question of a batch by columns, in order: question `i` is
    /// `endpoints[from[i]] → endpoints[to[i]]` on `port` (one number) or `port[i]`, all on
    /// `protocol`; each reference is read once. A wrong argument throws before anything
    /// is judged; else the first error of the engine is thrown (`from[17] → to[17]: …`).
    /// With `out` (a Uint8Array as long as `from`), the answers are written into it, 1 for
    /// allowed, and it is returned: no JavaScript value per answer. A failing question
    /// leaves it as it was.
    // Typed by the overloads of `Cluster` in types.d.ts.
    #[wasm_bindgen(js_name = allowedColumns, skip_typescript)]
    pub fn allowed_columns(&self, columns: JsValue, out: JsValue) -> Result<JsValue, JsValue> {
        let out = if out.is_undefined() {
            None
        } else {
            let Some(buffer) = out.dyn_ref::<js_sys::Uint8Array>() else {
                return Err(js::argument(
                    &args::Bad::wrong_type(args::Expected::Answers, read::js_type(&out).name())
                        .named(args::Host::JavaScript, "out"),
                ));
            };
            Some(buffer.clone())
        };
        let read = read::columns(&columns).map_err(|a| js::argument(&a))?;
        let allowed = self
            .handle
            .allowed_columns_out(
                read.columns(),
                args::Host::JavaScript,
                out.as_ref().map(|b| b.length() as usize),
            )
            .map_err(|f| match f {
                Failure::Argument(a) => js::argument(&a),
                Failure::Engine(e) => js::engine_error(&e),
            })?;
        let bytes: Vec<u8> = allowed.into_iter().map(u8::from).collect();
        match out {
            Some(buffer) => {
                buffer.copy_from(&bytes);
                Ok(buffer.into())
            }
            None => Ok(js::booleans(&bytes)),
        }
    }

    /// An entry point of the engine by name (`diagnostics`, `errors`, …) with its request
    /// object: its result, or its error thrown.
    pub fn call(&self, name: &str, request: JsValue) -> Result<JsValue, JsValue> {
        entry::dispatch(&self.handle, &JsCodec, name, &request)
    }

    /// The analysis: `[{ code, severity, message, help, flows, policies, location }]`.
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn diagnostics(&self) -> Result<JsValue, JsValue> {
        self.call(entry::Diagnostics::NAME, JsValue::NULL)
    }

    /// Objects the API server or Cilium would reject, each a located error as data
    /// (`{ code, message, help, location }`); verdicts that read them are refused.
    #[wasm_bindgen(unchecked_return_type = "ErrorInfo[]")]
    pub fn errors(&self) -> Result<JsValue, JsValue> {
        self.call(entry::Errors::NAME, JsValue::NULL)
    }

    /// Every allowed source → destination with its ports: `meshverdict matrix -o json`
    /// (`{ format: 'compact' }`: `-o compact`), with the CLI's filters. (Typed in
    /// `types.d.ts`: the answer's type follows `format`.)
    #[wasm_bindgen(skip_typescript)]
    pub fn matrix(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.call(entry::Matrix::NAME, options)
    }

    /// For each workload, who beyond its namespace may reach it: `meshverdict exposure -o json`.
    #[wasm_bindgen(unchecked_return_type = "Exposure[]")]
    pub fn exposure(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ExposureOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.call(entry::Exposure::NAME, options)
    }

    /// What a change opens and closes (`meshverdict diff -o json`): this cluster is the
    /// tree before the change and `after` the manifests after it (or, with `before`, the
    /// other way round), loaded as this cluster was.
    #[wasm_bindgen(unchecked_return_type = "DiffResult")]
    pub fn diff(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DiffOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let mut request = options.clone();
        if read::js_type(&options) == meshverdict_bindings::args::JsType::Object {
            let copy = js_sys::Object::assign(&js_sys::Object::new(), options.unchecked_ref());
            for side in ["after", "before", "forbid"] {
                let key = JsValue::from_str(side);
                let value = js_sys::Reflect::get(&copy, &key)?;
                if !value.is_undefined() {
                    js_sys::Reflect::set(&copy, &key, &read::manifests_request(&value, side)?)?;
                }
            }
            request = copy.into();
        }
        self.call(entry::Diff::NAME, request)
    }

    /// Least-privilege policies for intents, proven before they are returned
    /// (`meshverdict synthesize -o json`). `intents`: the text of Intents documents or
    /// their parsed form; none: the Intents documents among the manifests.
    #[wasm_bindgen(unchecked_return_type = "Synthesis")]
    pub fn synthesize(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SynthesizeOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.call(entry::Synthesize::NAME, options)
    }

    /// The smallest additive change that gives the mesh back the flows it needs
    /// (`meshverdict repair -o json`).
    #[wasm_bindgen(unchecked_return_type = "Repair")]
    pub fn repair(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RepairOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.call(entry::Repair::NAME, options)
    }

    /// Every Pod, workload and Service a question may name, for pickers.
    #[wasm_bindgen(unchecked_return_type = "EndpointInfo[]")]
    pub fn endpoints(&self) -> Result<JsValue, JsValue> {
        self.call(entry::Endpoints::NAME, JsValue::NULL)
    }
}

/// Runs one conformance case file: `{ name, source, passed, failed, results, failures }`.
/// `name` is the source name in reports (`case.yaml` by default). Throws `invalid-case`
/// when the text holds no `kind: Expectations` document.
#[wasm_bindgen(js_name = runCase, unchecked_return_type = "CaseReport")]
pub fn run_case(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] name: JsValue,
) -> Result<JsValue, JsValue> {
    let manifests = read::manifests(&text, "text").map_err(|a| js::argument(&a))?;
    let name = read::name(&name, "name").map_err(|a| js::argument(&a))?;
    match run_case_in(name.as_deref(), manifests) {
        Ok(report) => js::to_js(&report),
        Err(e) => Err(js::engine_error(&e)),
    }
}
