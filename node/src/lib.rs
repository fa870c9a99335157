//! The Node host: a napi-rs wrapper of `meshverdict-bindings` and nothing else.
//!
//! Arguments are read from JavaScript values into the bindings' typed requests
//! (`read`): a batch crosses as an array of objects, with no JSON (or as columns, a
//! `Uint32Array` read where it is), and its decisions come back as one `Uint8Array`. Failures are returned as data (`Failure`: the kind,
//! `type`, `range` or `engine`, and the error as JSON) and `index.js` throws them as a
//! `TypeError`, a `RangeError` or a `MeshverdictError`. Entry points other than
//! verdicts go through one generic `call` with JSON text. No verdict logic lives here.

/// The engine's own heap, apart from the Node runtime's: a loaded cluster is many small
/// objects that every answer reads, and the system allocator scatters them among the
/// runtime's allocations (docs/hosts.md, "Speed across the boundary"). The CLI links it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod read;

use meshverdict_bindings::args::{batch_field, ArgumentError, Bad, Expected, Host, Problem};
use meshverdict_bindings::files::{self, FolderPlan};
use meshverdict_bindings::load::js_load_options;
use meshverdict_bindings::{
    run_case as run_case_in, verdict_json_of, ClusterHandle, Error, ErrorCode,
    Failure as BatchFailure, LoadOptions, Manifests, Protocol, Query,
};
use napi::bindgen_prelude::{Either, Uint8Array, Unknown};
use napi::Env;
use napi_derive::napi;

use read::Wrong;

/// A failure as data: `kind` is `type` or `range` (a wrong argument) or `engine`, and
/// `error` the bindings' error (`code`, `message`, `help`, `location`) as JSON.
#[napi(object)]
pub struct Failure {
    pub kind: String,
    pub error: String,
}

fn engine(e: &Error) -> Failure {
    Failure {
        kind: "engine".into(),
        error: serde_json::to_string(e)
            .unwrap_or_else(|_| r#"{"code":"internal","message":"error not serializable"}"#.into()),
    }
}

fn argument(a: &ArgumentError) -> Failure {
    let kind = match a.problem {
        Problem::Type => "type",
        Problem::Value => "range",
    };
    Failure {
        kind: kind.into(),
        ..engine(&a.to_error())
    }
}

fn wrong(w: Wrong) -> napi::Result<Failure> {
    match w {
        Wrong::Argument(a) => Ok(argument(&a)),
        Wrong::Napi(e) => Err(e),
    }
}

fn settle<T>(r: Result<T, Error>) -> napi::Result<Either<T, Failure>> {
    Ok(match r {
        Ok(v) => Either::A(v),
        Err(e) => Either::B(engine(&e)),
    })
}

/// One question object, read property by property, answered by `answer`.
fn one_object<T>(
    env: &Env,
    query: Unknown<'_>,
    answer: impl FnOnce(&Query) -> Result<T, Error>,
) -> napi::Result<Either<T, Failure>> {
    let keys = read::QueryKeys::new(env)?;
    match keys.query(query, || "query".into()) {
        Ok(q) => settle(answer(&q)),
        Err(w) => Ok(Either::B(wrong(w)?)),
    }
}

/// One packed question (`index.js`'s `packOne`) answered by `answer`: nothing when the
/// text does not hold one question.
fn one_packed<T>(
    text: &str,
    answer: impl FnOnce(&Query) -> Result<T, Error>,
) -> Option<Either<T, Failure>> {
    let read = meshverdict_bindings::args::packed_queries(
        text,
        1,
        meshverdict_bindings::args::query_field,
    )?;
    Some(match read.map(|mut qs| qs.pop()) {
        Ok(Some(q)) => match answer(&q) {
            Ok(v) => Either::A(v),
            Err(e) => Either::B(engine(&e)),
        },
        Ok(None) => return None,
        Err(a) => Either::B(argument(&a)),
    })
}

/// A verdict's port and summary (`NativeCluster::brief`).
#[napi(object)]
pub struct VerdictBriefOut {
    pub port: u32,
    pub summary: String,
}

/// A loaded cluster (the bindings' `ClusterHandle`).
#[napi]
pub struct NativeCluster {
    handle: ClusterHandle,
}

fn load_options(options: Option<Unknown<'_>>) -> Result<LoadOptions, Wrong> {
    js_load_options(read::options(options)?).map_err(Wrong::Argument)
}

/// Loads manifests (a string, or a Uint8Array in UTF-8) with `{ dataplane, name, limits }`.
#[napi]
pub fn load(
    text: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<Either<NativeCluster, Failure>> {
    let manifests = match read::manifests(text, "text") {
        Ok(m) => m,
        Err(w) => return Ok(Either::B(wrong(w)?)),
    };
    let options = match load_options(options) {
        Ok(o) => o,
        Err(w) => return Ok(Either::B(wrong(w)?)),
    };
    settle(ClusterHandle::load(manifests, options).map(|handle| NativeCluster { handle }))
}

/// Loads files as one cluster (a folder): `names[i]` is the name of `texts[i]`.
#[napi]
pub fn load_files(
    names: Vec<String>,
    texts: Vec<Unknown<'_>>,
    options: Option<Unknown<'_>>,
) -> napi::Result<Either<NativeCluster, Failure>> {
    let mut files: Vec<(String, Manifests)> = Vec::with_capacity(names.len());
    for (name, text) in names.into_iter().zip(texts) {
        match read::manifests(text, &name) {
            Ok(m) => files.push((name, m)),
            Err(w) => return Ok(Either::B(wrong(w)?)),
        }
    }
    let options = match load_options(options) {
        Ok(o) => o,
        Err(w) => return Ok(Either::B(wrong(w)?)),
    };
    settle(ClusterHandle::load_files(files, options).map(|handle| NativeCluster { handle }))
}

/// Runs one conformance case file: the report (with its `failures`) as JSON.
#[napi]
pub fn run_case(
    text: Unknown<'_>,
    name: Option<Unknown<'_>>,
) -> napi::Result<Either<String, Failure>> {
    let read = read::manifests(text, "text").and_then(|m| Ok((m, read::name(name, "name")?)));
    let (manifests, name) = match read {
        Ok(x) => x,
        Err(w) => return Ok(Either::B(wrong(w)?)),
    };
    let report = run_case_in(name.as_deref(), manifests).and_then(|r| {
        serde_json::to_string(&r)
            .map_err(|e| Error::new(ErrorCode::Internal, format!("report not serializable: {e}")))
    });
    settle(report)
}

/// The error of an object that has a key it should not (`query has no property 'colour'`).
#[napi]
pub fn unknown_key(argument: String, key: String, keys: Vec<String>) -> Failure {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    self::argument(&ArgumentError::unknown_key(
        &argument, "property", &key, &keys,
    ))
}

/// The error of an argument of the wrong type that the wrapper checks itself (`path`,
/// `columns`).
#[napi]
pub fn argument_type(
    argument: String,
    expected: String,
    value: Unknown<'_>,
) -> napi::Result<Failure> {
    let expected = match expected.as_str() {
        "path" => Expected::Path,
        "columns" => Expected::Columns,
        "answers" => Expected::Answers,
        _ => Expected::Name,
    };
    let t = read::js_type(&value)?;
    Ok(self::argument(
        &Bad::wrong_type(expected, t.name()).named(Host::JavaScript, &argument),
    ))
}

/// The answers of a batch as JSON: per question `{ allowed, summary }` or `{ error }`,
/// written straight into one buffer.
fn briefs_json(
    answers: &[Result<meshverdict_bindings::VerdictBrief, Error>],
) -> napi::Result<String> {
    let mut out: Vec<u8> = Vec::with_capacity(answers.len() * 160 + 2);
    out.push(b'[');
    for (i, r) in answers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let written = match r {
            Ok(b) => {
                out.extend_from_slice(if b.allowed {
                    br#"{"allowed":true,"summary":"#
                } else {
                    br#"{"allowed":false,"summary":"#
                });
                serde_json::to_writer(&mut out, &b.summary)
            }
            Err(e) => {
                out.extend_from_slice(br#"{"error":"#);
                serde_json::to_writer(&mut out, e)
            }
        };
        written.map_err(|e| napi::Error::from_reason(e.to_string()))?;
        out.push(b'}');
    }
    out.push(b']');
    String::from_utf8(out).map_err(|e| napi::Error::from_reason(e.to_string()))
}

#[napi]
impl NativeCluster {
    /// The dataplane verdicts are judged on: `generic`, `calico` or `cilium`.
    #[napi(getter)]
    pub fn dataplane(&self) -> String {
        self.handle.dataplane().name.as_str().to_string()
    }

    /// Why that dataplane: given, or what in the input showed it.
    #[napi(getter)]
    pub fn dataplane_reason(&self) -> String {
        self.handle.dataplane().reason.to_string()
    }

    /// The warnings of the load (skipped kinds, assumptions): a JSON list.
    #[napi]
    pub fn warnings(&self) -> String {
        serde_json::to_string(self.handle.warnings()).unwrap_or_else(|_| "[]".into())
    }

    /// One verdict `{ from, to, port, protocol? }`: the verdict with its explanation, as JSON.
    #[napi]
    pub fn verdict(&self, env: &Env, query: Unknown<'_>) -> napi::Result<Either<String, Failure>> {
        one_object(env, query, |q| self.verdict_json(q))
    }

    /// The decision of one verdict (`index.js` judges the reasons only when they are
    /// read, with `verdict`): bit 0 is `allowed`, the bits above it the protocol's place
    /// in `PROTOCOLS` (TCP, UDP, SCTP).
    #[napi]
    pub fn decide(&self, env: &Env, query: Unknown<'_>) -> napi::Result<Either<u32, Failure>> {
        one_object(env, query, |q| self.decision(q))
    }

    /// The port and the summary of one verdict (what `index.js` reads first of its
    /// reasons, before the rest, if ever, with `verdict`).
    #[napi]
    pub fn brief(
        &self,
        env: &Env,
        query: Unknown<'_>,
    ) -> napi::Result<Either<VerdictBriefOut, Failure>> {
        one_object(env, query, |q| self.brief_of(q))
    }

    /// `decide` for a query packed by `index.js` (`packOne`, see
    /// `meshverdict_bindings::args::packed_queries`): one string instead of four property
    /// reads, which cost most of a decision's crossing. Nothing when the text does not
    /// hold one question (the wrapper then passes the object).
    #[napi]
    pub fn decide_packed(&self, text: String) -> Option<Either<u32, Failure>> {
        one_packed(&text, |q| self.decision(q))
    }

    /// `brief` for a packed query (see `decide_packed`).
    #[napi]
    pub fn brief_packed(&self, text: String) -> Option<Either<VerdictBriefOut, Failure>> {
        one_packed(&text, |q| self.brief_of(q))
    }

    /// `verdict` for a packed query (see `decide_packed`).
    #[napi]
    pub fn verdict_packed(&self, text: String) -> Option<Either<String, Failure>> {
        one_packed(&text, |q| self.verdict_json(q))
    }

    /// Many verdicts: a JSON list, per question `{ allowed, summary }` or `{ error }`.
    #[napi]
    pub fn verdicts(
        &self,
        env: &Env,
        queries: Unknown<'_>,
    ) -> napi::Result<Either<String, Failure>> {
        let qs = match read::queries(env, queries) {
            Ok(qs) => qs,
            Err(w) => return Ok(Either::B(wrong(w)?)),
        };
        Ok(Either::A(briefs_json(&self.handle.verdicts(&qs))?))
    }

    /// `allowed` for each question, in order, as bytes (1 allowed, 0 denied); the first
    /// failing question fails the batch.
    #[napi]
    pub fn allowed_many(
        &self,
        env: &Env,
        queries: Unknown<'_>,
    ) -> napi::Result<Either<Uint8Array, Failure>> {
        let qs = match read::queries(env, queries) {
            Ok(qs) => qs,
            Err(w) => return Ok(Either::B(wrong(w)?)),
        };
        settle(
            self.handle
                .allowed_many(&qs)
                .map(|v| Uint8Array::new(v.into_iter().map(u8::from).collect())),
        )
    }

    /// `allowed` for each question of a batch by columns, in order, as bytes: question `i`
    /// is `endpoints[from[i]] → endpoints[to[i]]` on `port` (a number) or `port[i]`, all
    /// on `protocol`. `index.js` checks the request object and passes its properties,
    /// with `from`, `to` and a port column as Uint32Arrays wherever it could convert them,
    /// and the length of the caller's `out`, which must then hold one answer per question.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn allowed_columns(
        &self,
        endpoints: Unknown<'_>,
        from: Unknown<'_>,
        to: Unknown<'_>,
        port: Unknown<'_>,
        protocol: Unknown<'_>,
        out_len: Option<u32>,
    ) -> napi::Result<Either<Uint8Array, Failure>> {
        let read = read::ColumnsRead::read(endpoints, from, to, port, protocol);
        self.answer_columns(read, out_len)
    }

    /// `allowedColumns` with the references joined by newlines (`index.js` joins an
    /// array of strings): nothing when the text does not hold `count` references (the
    /// wrapper then passes the array).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn allowed_columns_joined(
        &self,
        endpoints: String,
        count: u32,
        from: Unknown<'_>,
        to: Unknown<'_>,
        port: Unknown<'_>,
        protocol: Unknown<'_>,
        out_len: Option<u32>,
    ) -> napi::Result<Option<Either<Uint8Array, Failure>>> {
        read::ColumnsRead::read_joined(endpoints, count, from, to, port, protocol)
            .map(|read| self.answer_columns(read, out_len))
            .transpose()
    }

    /// `allowedMany` for a batch packed by `index.js` (one string, see
    /// `meshverdict_bindings::args::packed_queries`), each question answered as it is
    /// read; nothing when the packing does not hold `items` questions (the wrapper then
    /// passes the objects).
    #[napi]
    pub fn allowed_many_packed(
        &self,
        text: String,
        items: u32,
    ) -> Option<Either<Uint8Array, Failure>> {
        Some(
            match self
                .handle
                .allowed_many_packed(&text, items as usize, batch_field)?
            {
                Ok(v) => Either::A(Uint8Array::new(v.into_iter().map(u8::from).collect())),
                Err(BatchFailure::Argument(a)) => Either::B(argument(&a)),
                Err(BatchFailure::Engine(e)) => Either::B(engine(&e)),
            },
        )
    }

    /// `verdicts` for a packed batch (see `allowed_many_packed`).
    #[napi]
    pub fn verdicts_packed(
        &self,
        text: String,
        items: u32,
    ) -> napi::Result<Option<Either<String, Failure>>> {
        match self
            .handle
            .verdicts_packed(&text, items as usize, batch_field)
        {
            None => Ok(None),
            Some(Ok(answers)) => Ok(Some(Either::A(briefs_json(&answers)?))),
            Some(Err(a)) => Ok(Some(Either::B(argument(&a)))),
        }
    }

    /// An entry point by name (`diagnostics`, `errors`, …): request and answer as JSON text.
    #[napi]
    pub fn call(&self, name: String, request: String) -> String {
        self.handle.call_json(&name, &request)
    }
}

/// The files of one folder walk, classified as the CLI classifies them (for `fromPath`).
#[napi]
pub struct Folder {
    plan: FolderPlan,
}

#[napi]
impl Folder {
    /// From every file path of the walk, relative to the folder, `/`-separated.
    #[napi(constructor)]
    pub fn new(paths: Vec<String>) -> Folder {
        Folder {
            plan: FolderPlan::new(paths.iter().map(String::as_str)),
        }
    }

    /// By name alone: `other` (not opened), `manifests` (read it, then `classify`), or the
    /// kind of a skipped file.
    #[napi]
    pub fn by_name(&self, path: String) -> String {
        self.plan.by_name(&path).as_str().into()
    }

    /// A file read (its text, or its bytes): `manifests`, `other`, or the kind skipped.
    #[napi]
    pub fn classify(&self, path: String, text: Unknown<'_>) -> napi::Result<String> {
        let text = match read::manifests(text, &path) {
            Ok(Manifests::Text(t)) => t,
            // Classifying only looks for `{{`: a lossy decoding keeps it, and the load
            // reports bad UTF-8 with its place.
            Ok(Manifests::Bytes(b)) => String::from_utf8_lossy(&b).into_owned(),
            Err(Wrong::Napi(e)) => return Err(e),
            Err(Wrong::Argument(a)) => return Err(napi::Error::from_reason(a.message)),
        };
        Ok(self.plan.classify(&path, &text).as_str().into())
    }

    /// Why a file of that kind is skipped, and what to do instead.
    #[napi]
    pub fn reason(kind: String) -> String {
        files::kind(&kind).map_or("", |k| k.reason()).into()
    }

    /// Entries a walk leaves out (`.git`, `.github`).
    #[napi]
    pub fn is_hidden(name: String) -> bool {
        files::is_hidden(&name)
    }

    /// The failure of a folder with nothing to load; `skipped` are `[path, kind]`.
    #[napi]
    pub fn nothing_to_load(folder: String, skipped: Vec<Vec<String>>) -> Failure {
        let skipped: Vec<files::SkippedFile> = skipped
            .into_iter()
            .filter_map(|pk| match pk.as_slice() {
                [p, k] => files::kind(k).map(|k| files::SkippedFile::new(p.clone(), k)),
                _ => None,
            })
            .collect();
        engine(&files::nothing_to_load(&folder, &skipped))
    }
}

/// The entry points `NativeCluster.call` knows.
#[napi]
pub fn entries() -> Vec<String> {
    meshverdict_bindings::entry::ENTRIES
        .iter()
        .map(|s| s.to_string())
        .collect()
}

impl NativeCluster {
    fn decision(&self, q: &Query) -> Result<u32, Error> {
        self.handle.allowed(q).map(|allowed| {
            let protocol: u32 = match q.protocol {
                Protocol::Tcp => 0,
                Protocol::Udp => 1,
                Protocol::Sctp => 2,
            };
            u32::from(allowed) | protocol << 1
        })
    }

    fn verdict_json(&self, q: &Query) -> Result<String, Error> {
        self.handle
            .verdict_only(q)
            .and_then(|v| verdict_json_of(&v))
    }

    fn brief_of(&self, q: &Query) -> Result<VerdictBriefOut, Error> {
        self.handle.verdict_only(q).map(|v| VerdictBriefOut {
            port: u32::from(v.port),
            summary: v.summary,
        })
    }

    fn answer_columns(
        &self,
        read: Result<read::ColumnsRead<'_>, read::Wrong>,
        out_len: Option<u32>,
    ) -> napi::Result<Either<Uint8Array, Failure>> {
        let read = match read {
            Ok(r) => r,
            Err(w) => return Ok(Either::B(wrong(w)?)),
        };
        let endpoints = read.endpoints();
        Ok(
            match self.handle.allowed_columns_out(
                read.columns(&endpoints),
                Host::JavaScript,
                out_len.map(|m| m as usize),
            ) {
                Ok(v) => Either::A(Uint8Array::new(v.into_iter().map(u8::from).collect())),
                Err(BatchFailure::Argument(a)) => Either::B(argument(&a)),
                Err(BatchFailure::Engine(e)) => Either::B(engine(&e)),
            },
        )
    }
}
