//! Entry points beyond verdicts, in one pattern: a request type, a result type, a
//! function, and a name every host uses.
//!
//! Verdicts have typed paths in every host because they are asked in bulk. Everything
//! else (diagnostics, errors, matrix, exposure, diff, synthesize, repair, endpoints) is an
//! [`Entry`]: its request and result are serde types, and a host carries them with its
//! [`Codec`] (JSON text for Python and Node, JavaScript values for WASM). Adding one is
//! an `impl Entry` plus a line in [`dispatch`]; each host then adds a one-line method
//! that calls `call(NAME, request)`, and the type of its result.

use meshverdict::{Answer, Error, ErrorCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::args::Problem;
use crate::jobs::{
    self, DiffOut, EndpointInfo, ExposureRequest, MatrixOut, MatrixRequest, RepairRequest, Side,
    SynthesisOut, SynthesizeRequest,
};
use crate::{guard, ClusterHandle, Manifests};

/// One entry point of a loaded cluster.
pub trait Entry {
    /// The name in every host (camelCase in JavaScript, snake_case in Python).
    const NAME: &'static str;
    type Request: DeserializeOwned;
    type Output: Serialize;
    /// Checks a decoded request beyond its types (one of two fields, not both): a failure
    /// is an argument error, said the way the host says a wrong type or a wrong value.
    fn check(_request: &Self::Request) -> Result<(), (Problem, Error)> {
        Ok(())
    }
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
    /// A request that does not fit its entry point (code `invalid-request`): an argument
    /// of the wrong type or with a wrong value, which hosts raise as they raise those
    /// (Python `TypeError`/`ValueError`, JavaScript `TypeError`/`RangeError`).
    fn encode_request_error(&self, error: Error, problem: Problem) -> Self::Out;
}

/// JSON text both ways (Python and Node).
pub struct Json;

impl Codec for Json {
    type In = str;
    type Out = String;

    fn decode<T: DeserializeOwned>(&self, entry: &str, request: &str) -> Result<T, Error> {
        // Through a Value, so that errors carry the field path and never a text position.
        let value: serde_json::Value =
            serde_json::from_str(request).map_err(|e| request_error(entry, e))?;
        decode_value(entry, value)
    }

    fn encode<T: Serialize>(&self, answer: &Answer<T>) -> String {
        crate::to_text(answer)
    }

    /// The failure answer with `"problem": "type"` or `"value"` beside the error.
    fn encode_request_error(&self, error: Error, problem: Problem) -> String {
        #[derive(Serialize)]
        struct RequestFailure<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            error: &'a Error,
            warnings: [(); 0],
            problem: &'static str,
        }
        let problem = match problem {
            Problem::Type => "type",
            Problem::Value => "value",
        };
        serde_json::to_string(&RequestFailure {
            kind: "failure",
            error: &error,
            warnings: [],
            problem,
        })
        .unwrap_or_else(|_| crate::failure_json(&error))
    }
}

/// Whether a request that failed to decode had a wrong type (a field of the wrong type, an
/// unknown or missing field: the shape is wrong) or a wrong value (an unknown name, a port
/// out of range).
pub fn problem_of(e: &Error) -> Problem {
    let m = &e.message;
    if [
        "invalid type: ",
        "unknown field `",
        "missing field `",
        "invalid length ",
        "expected value at",
        "EOF while",
    ]
    .iter()
    .any(|p| m.contains(p))
    {
        Problem::Type
    } else {
        Problem::Value
    }
}

/// A request from its JSON value; the error names the entry point and the field (every
/// host's codec ends here, so that the messages are the same in every host).
pub fn decode_value<T: DeserializeOwned>(
    entry: &str,
    value: serde_json::Value,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| request_error(entry, e))
}

/// A request that does not fit its entry point: `invalid-request`, with the field path.
pub fn request_error(entry: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::InvalidRequest, format!("{entry}: {e}"))
}

/// Options of an entry point that takes none: `null`, `undefined`, or an empty object.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "no options (null, or an empty object)"
)]
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
        Answer::Success {
            result: cluster.errors(),
            warnings: Vec::new(),
        }
    }
}

/// Every allowed source → destination, with its ports: `meshverdict matrix -o json`
/// (or `-o compact` with `format: "compact"`).
pub struct Matrix;

impl Entry for Matrix {
    const NAME: &'static str = "matrix";
    type Request = Option<MatrixRequest>;
    type Output = MatrixOut;

    fn run(cluster: &ClusterHandle, request: Option<MatrixRequest>) -> Answer<MatrixOut> {
        let (options, format) = request.unwrap_or_default().options();
        Answer::from_result(
            jobs::matrix(&cluster.cluster, &options, format),
            cluster.warnings().to_vec(),
        )
    }
}

/// For each workload, who beyond its namespace may reach it: `meshverdict exposure -o json`.
pub struct Exposure;

impl Entry for Exposure {
    const NAME: &'static str = "exposure";
    type Request = Option<ExposureRequest>;
    type Output = Vec<meshverdict::evaluate::exposure::Exposure>;

    fn run(cluster: &ClusterHandle, request: Option<ExposureRequest>) -> Answer<Self::Output> {
        let request = request.unwrap_or_default();
        Answer::from_result(
            jobs::exposure(&cluster.cluster, request.namespace.as_deref()),
            cluster.warnings().to_vec(),
        )
    }
}

/// What a change opens and closes: `meshverdict diff -o json`. The request gives the
/// other tree (`after`, or `before`); it is loaded as this cluster was. The warnings are
/// those of the tree after the change.
pub struct Diff;

impl Entry for Diff {
    const NAME: &'static str = "diff";
    type Request = Option<jobs::DiffRequest>;
    type Output = DiffOut;

    fn check(request: &Option<jobs::DiffRequest>) -> Result<(), (Problem, Error)> {
        match request {
            Some(r) => r.check(),
            None => jobs::DiffRequest::default().check(),
        }
    }

    fn run(cluster: &ClusterHandle, request: Option<jobs::DiffRequest>) -> Answer<DiffOut> {
        let mut request = request.unwrap_or_default();
        let other = request.other().and_then(|(side, manifests)| {
            let field = match side {
                Side::After => "after",
                Side::Before => "before",
            };
            let files = manifests
                .texts(Self::NAME, field, field)?
                .into_iter()
                .map(|(name, text)| (name, Manifests::Text(text)))
                .collect();
            Ok((side, cluster.load_like(files)?))
        });
        let (side, other) = match other {
            Ok(o) => o,
            Err(error) => {
                return Answer::Failure {
                    error,
                    warnings: Vec::new(),
                }
            }
        };
        let (before, after) = match side {
            Side::After => (&cluster.cluster, &other.cluster),
            Side::Before => (&other.cluster, &cluster.cluster),
        };
        let forbid = request
            .forbid
            .as_ref()
            .map(|f| (f.name.as_deref().unwrap_or("forbid.yaml"), f.yaml.as_str()));
        Answer::from_result(
            jobs::diff(before, after, request.by.unwrap_or_default(), forbid),
            after.warnings().to_vec(),
        )
    }
}

/// Least-privilege policies for intents, proven: `meshverdict synthesize -o json`.
pub struct Synthesize;

impl Entry for Synthesize {
    const NAME: &'static str = "synthesize";
    type Request = Option<SynthesizeRequest>;
    type Output = SynthesisOut;

    fn check(request: &Option<SynthesizeRequest>) -> Result<(), (Problem, Error)> {
        request.as_ref().map_or(Ok(()), |r| {
            r.source().map(|_| ()).map_err(|e| (Problem::Type, e))
        })
    }

    fn run(cluster: &ClusterHandle, request: Option<SynthesizeRequest>) -> Answer<SynthesisOut> {
        let request = request.unwrap_or_default();
        let c = &cluster.cluster;
        let out = request.source().and_then(|source| jobs::intents_of(c, &source)).and_then(|found| {
            let (intents, reduction) = found.ok_or_else(|| {
                Error::new(ErrorCode::InvalidRequest, "synthesize: no intents: give `intents` (or observed flows: `hubble`, `linkerdEdges`), or load a `kind: Intents` document with the manifests")
                    .with_help("docs/intents.md describes the format")
            })?;
            jobs::synthesize(c, &intents, reduction, &request.options())
        });
        Answer::from_result(out, cluster.warnings().to_vec())
    }
}

/// The smallest additive change that gives the mesh back the flows it needs:
/// `meshverdict repair -o json`.
pub struct Repair;

impl Entry for Repair {
    const NAME: &'static str = "repair";
    type Request = Option<RepairRequest>;
    type Output = meshverdict::synthesize::Repair;

    fn run(cluster: &ClusterHandle, request: Option<RepairRequest>) -> Answer<Self::Output> {
        let dialect = request.unwrap_or_default().dialect.unwrap_or_default();
        Answer::from_result(
            jobs::repair(&cluster.cluster, dialect),
            cluster.warnings().to_vec(),
        )
    }
}

/// Every Pod, workload and Service a question may name, for a UI's pickers.
pub struct Endpoints;

impl Entry for Endpoints {
    const NAME: &'static str = "endpoints";
    type Request = Option<NoOptions>;
    type Output = Vec<EndpointInfo>;

    fn run(cluster: &ClusterHandle, _: Option<NoOptions>) -> Answer<Self::Output> {
        Answer::Success {
            result: jobs::endpoints(&cluster.cluster),
            warnings: Vec::new(),
        }
    }
}

fn run<E: Entry, C: Codec>(cluster: &ClusterHandle, codec: &C, request: &C::In) -> C::Out {
    match codec.decode::<E::Request>(E::NAME, request) {
        Ok(req) => match E::check(&req) {
            Ok(()) => {
                let answer =
                    guard(|| Ok(E::run(cluster, req))).unwrap_or_else(|error| Answer::Failure {
                        error,
                        warnings: Vec::new(),
                    });
                codec.encode(&answer)
            }
            Err((problem, error)) => codec.encode_request_error(error, problem),
        },
        Err(error) => {
            let problem = problem_of(&error);
            codec.encode_request_error(error, problem)
        }
    }
}

/// Every entry point's name, for hosts that list them.
pub const ENTRIES: &[&str] = &[
    Diagnostics::NAME,
    Errors::NAME,
    Matrix::NAME,
    Exposure::NAME,
    Diff::NAME,
    Synthesize::NAME,
    Repair::NAME,
    Endpoints::NAME,
];

/// Runs the entry point `name` with a request in the codec's form; the answer in the same
/// form. An unknown name is an `invalid-request` failure answer.
pub fn dispatch<C: Codec>(
    cluster: &ClusterHandle,
    codec: &C,
    name: &str,
    request: &C::In,
) -> C::Out {
    match name {
        Diagnostics::NAME => run::<Diagnostics, C>(cluster, codec, request),
        Errors::NAME => run::<Errors, C>(cluster, codec, request),
        Matrix::NAME => run::<Matrix, C>(cluster, codec, request),
        Exposure::NAME => run::<Exposure, C>(cluster, codec, request),
        Diff::NAME => run::<Diff, C>(cluster, codec, request),
        Synthesize::NAME => run::<Synthesize, C>(cluster, codec, request),
        Repair::NAME => run::<Repair, C>(cluster, codec, request),
        Endpoints::NAME => run::<Endpoints, C>(cluster, codec, request),
        other => codec.encode(&Answer::<()>::Failure {
            error: Error::new(
                ErrorCode::InvalidRequest,
                format!("no entry point {other:?}; there are {}", ENTRIES.join(", ")),
            ),
            warnings: Vec::new(),
        }),
    }
}
