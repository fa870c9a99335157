//! Entry points beyond verdicts, in one pattern: a request type, a result type, a
//! function, and a name every host uses.
//!
//! Verdicts have typed paths in every host because they are asked in bulk. Everything
//! else (diagnostics today; matrix, exposure, diff, synthesize and repair next) is an
//! [`Entry`]: its request and result are serde types, and a host carries them with its
//! [`Codec`] (JSON text for Python and Node, JavaScript values for WASM). Adding one is
//! an `impl Entry` plus a line in [`dispatch`]; each host then adds a one-line method
//! that calls `call(NAME, request)`, and the type of its result.

use meshverdict::{Answer, Error, ErrorCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{guard, ClusterHandle};

/// One entry point of a loaded cluster.
pub trait Entry {
    /// The name in every host (camelCase in JavaScript, snake_case in Python).
    const NAME: &'static str;
    type Request: DeserializeOwned;
    type Output: Serialize;
    fn run(cluster: &ClusterHandle, request: Self::Request) -> Answer<Self::Output>;
}

/// How a host carries requests in and answers out.
pub trait Codec {
    /// What a request arrives as (`str` for JSON text, `JsValue` for WASM).
    type In: ?Sized;
    /// What an answer leaves as.
    type Out;
    /// A request decoded; the error names the entry point and the field.
    fn decode<T: DeserializeOwned>(&self, entry: &str, request: &Self::In) -> Result<T, Error>;
    /// An answer encoded; an answer that cannot be is an `internal` failure answer instead.
    fn encode<T: Serialize>(&self, answer: &Answer<T>) -> Self::Out;
}

/// JSON text both ways (Python and Node).
pub struct Json;

impl Codec for Json {
    type In = str;
    type Out = String;

    fn decode<T: DeserializeOwned>(&self, entry: &str, request: &str) -> Result<T, Error> {
        // Through a Value, so that errors carry the field path and never a text position.
        let value: serde_json::Value = serde_json::from_str(request).map_err(|e| request_error(entry, e))?;
        serde_path_to_error::deserialize(value).map_err(|e| request_error(entry, e))
    }

    fn encode<T: Serialize>(&self, answer: &Answer<T>) -> String {
        crate::to_text(answer)
    }
}

/// A request that does not fit its entry point: `invalid-request`, with the field path.
pub fn request_error(entry: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::InvalidRequest, format!("{entry}: {e}"))
}

/// Options of an entry point that takes none: `null`, `undefined`, or an empty object.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoOptions {}

/// The analysis of the whole cluster.
pub struct Diagnostics;

impl Entry for Diagnostics {
    const NAME: &'static str = "diagnostics";
    type Request = Option<NoOptions>;
    type Output = Vec<meshverdict::Diagnostic>;

    fn run(cluster: &ClusterHandle, _: Option<NoOptions>) -> Answer<Self::Output> {
        cluster.diagnostics()
    }
}

/// Objects the API server or Cilium would reject, each a located error.
pub struct Errors;

impl Entry for Errors {
    const NAME: &'static str = "errors";
    type Request = Option<NoOptions>;
    type Output = Vec<Error>;

    fn run(cluster: &ClusterHandle, _: Option<NoOptions>) -> Answer<Self::Output> {
        Answer::Success { result: cluster.errors(), warnings: Vec::new() }
    }
}

fn run<E: Entry, C: Codec>(cluster: &ClusterHandle, codec: &C, request: &C::In) -> C::Out {
    match codec.decode::<E::Request>(E::NAME, request) {
        Ok(req) => {
            let answer = guard(|| Ok(E::run(cluster, req))).unwrap_or_else(|error| Answer::Failure { error, warnings: Vec::new() });
            codec.encode(&answer)
        }
        Err(error) => codec.encode(&Answer::<()>::Failure { error, warnings: Vec::new() }),
    }
}

/// Every entry point's name, for hosts that list them.
pub const ENTRIES: &[&str] = &[Diagnostics::NAME, Errors::NAME];

/// Runs the entry point `name` with a request in the codec's form; the answer in the same
/// form. An unknown name is an `invalid-request` failure answer.
pub fn dispatch<C: Codec>(cluster: &ClusterHandle, codec: &C, name: &str, request: &C::In) -> C::Out {
    match name {
        Diagnostics::NAME => run::<Diagnostics, C>(cluster, codec, request),
        Errors::NAME => run::<Errors, C>(cluster, codec, request),
        other => codec.encode(&Answer::<()>::Failure {
            error: Error::new(ErrorCode::InvalidRequest, format!("no entry point {other:?}; there are {}", ENTRIES.join(", "))),
            warnings: Vec::new(),
        }),
    }
}
