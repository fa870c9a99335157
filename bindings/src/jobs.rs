//! The whole-cluster and synthesis jobs: `matrix`, `exposure`, `diff`, `synthesize`,
//! `repair` and `endpoints`.
//!
//! Each has a request type (what a host sends: every field optional, unknown fields
//! refused, a wrong field named in an `invalid-request` error) and an output type. The
//! output types are the CLI's too: `meshverdict matrix|exposure|diff|synthesize|repair
//! -o json` builds its `result` with the same types and the same functions, so a host
//! and the CLI answer the same question with the same bytes.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use meshverdict::evaluate::diff::{diff as diff_of, Diff, Tree};
use meshverdict::evaluate::exposure::{exposure as exposure_of, Exposure};
use meshverdict::evaluate::matrix::{Cell, Compact, Granularity, Group, Matrix, MatrixOptions};
use meshverdict::ports::NamedPort;
use meshverdict::source::{parse_stream, Limits};
use meshverdict::synthesize::{
    from_hubble, from_linkerd_edges, repair as repair_of, synthesize as synthesize_of, Dialect,
    Granularity as SynthGranularity, Intents, Reduction, Repair, RepairOptions, SynthOptions,
    Synthesis,
};
use meshverdict::{Cluster, DataplaneChoice, Error, ErrorCode, PortRef, Protocol, Query};

use crate::args::Problem;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

fn request(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidRequest, message)
}

// ------------------------------------------------------------------ matrix

/// What `matrix` returns: the cells (`meshverdict matrix -o json`) or the compact,
/// class-indexed form (`-o compact`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase", expecting = "'cells' or 'compact'")]
pub enum MatrixFormat {
    /// Groups and cells: `meshverdict matrix -o json`.
    #[default]
    Cells,
    /// Classes, sets and rows: `meshverdict matrix -o compact`.
    Compact,
}

/// What a row of a matrix (or a diff) names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase", expecting = "'workload', 'pod' or 'class'")]
pub enum By {
    /// Workloads (a Deployment with its pods is one row).
    #[default]
    Workload,
    /// Pods (and pod templates).
    Pod,
    /// Identity classes: output grows with classes, not pods².
    Class,
}

impl By {
    pub fn granularity(self) -> Granularity {
        match self {
            By::Workload => Granularity::Workload,
            By::Pod => Granularity::Pod,
            By::Class => Granularity::Class,
        }
    }
}

/// The options of `matrix`, as the CLI's flags: `by`, `namespace` (`-n`), `from`, `to`,
/// `port`, `protocol`, `noExternals`, and the output `format`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object with the options of matrix (by, namespace, from, to, port, protocol, noExternals, format)"
)]
pub struct MatrixRequest {
    /// What a row names: `workload` (the default), `pod` or `class`.
    #[serde(default)]
    pub by: Option<By>,
    /// Only rows with a side in this namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Only these sources: `NS/NAME`, `NS/*`, `ip:…`, `entity:…`, or a label selector.
    #[serde(default)]
    pub from: Option<String>,
    /// Only these destinations (as `from`).
    #[serde(default)]
    pub to: Option<String>,
    /// Only these ports: a number, `"8000-8100"`, `"8080,9090"`, or a list of those.
    #[serde(default)]
    pub port: Option<Ports>,
    /// Only these protocols: `"TCP"`, or a list; any case.
    #[serde(default)]
    pub protocol: Option<Protocols>,
    /// Leave out address ranges, the API server and DNS names.
    #[serde(default)]
    pub no_externals: Option<bool>,
    #[serde(default)]
    pub format: Option<MatrixFormat>,
}

impl MatrixRequest {
    /// The engine's options, and the output form.
    pub fn options(&self) -> (MatrixOptions, MatrixFormat) {
        let options = MatrixOptions {
            by: self.by.unwrap_or_default().granularity(),
            protocols: self.protocol.clone().map(|p| p.0).unwrap_or_default(),
            externals: !self.no_externals.unwrap_or(false),
            namespace: self.namespace.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            ports: self.port.clone().map(|p| p.0).unwrap_or_default(),
        };
        (options, self.format.unwrap_or_default())
    }
}

/// The matrix as groups and cells: what `meshverdict matrix -o json` prints as `result`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MatrixCells {
    pub by: Granularity,
    pub dataplane: DataplaneChoice,
    /// The sides: workloads, pods or classes, then the outside parties.
    pub groups: Vec<Group>,
    /// Every allowed (source, destination, protocol), indices into `groups`.
    pub cells: Vec<Cell>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl MatrixCells {
    pub fn new(mut m: Matrix<'_>) -> MatrixCells {
        let cells = m.cells();
        MatrixCells {
            by: m.by,
            dataplane: m.dataplane.clone(),
            groups: std::mem::take(&mut m.groups),
            cells,
            notes: std::mem::take(&mut m.warnings),
        }
    }
}

/// What `matrix` answers: the cells, or the compact form (`format: "compact"`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum MatrixOut {
    Cells(MatrixCells),
    Compact(Compact),
}

/// The matrix of a cluster, in the form asked for.
pub fn matrix(
    cluster: &Cluster,
    options: &MatrixOptions,
    format: MatrixFormat,
) -> Result<MatrixOut, Error> {
    let m = cluster.matrix(options)?;
    Ok(match format {
        MatrixFormat::Cells => MatrixOut::Cells(MatrixCells::new(m)),
        MatrixFormat::Compact => MatrixOut::Compact(m.compact()),
    })
}

/// Ports as the CLI's `--port` takes them: `8080`, `8000-8100`, comma-separated.
pub fn parse_ports(s: &str) -> Result<Vec<(u16, u16)>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, z) = part.split_once('-').unwrap_or((part, part));
        let num = |x: &str| {
            x.trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| format!("{x:?} is not a port (1-65535)"))
        };
        let (a, z) = (num(a)?, num(z)?);
        if z < a {
            return Err(format!("{part:?}: the range ends before it starts"));
        }
        out.push((a, z));
    }
    if out.is_empty() {
        return Err("no port given".into());
    }
    Ok(out)
}

/// Inclusive port ranges, from a number, a string in the CLI's form, or a list of those.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ports(pub Vec<(u16, u16)>);

impl Ports {
    /// From the CLI's form (see [`parse_ports`]).
    pub fn parse(s: &str) -> Result<Ports, String> {
        parse_ports(s).map(Ports)
    }
}

/// One item of [`Ports`].
struct PortsItem(Vec<(u16, u16)>);

fn port_of_number<E: de::Error>(n: f64) -> Result<Vec<(u16, u16)>, E> {
    if n.fract() == 0.0 && (1.0..=65535.0).contains(&n) {
        // Whole and in range, so exact.
        let p = n as u16;
        return Ok(vec![(p, p)]);
    }
    Err(E::custom(format!(
        "{} is not a port (1-65535)",
        crate::args::js_number(n)
    )))
}

struct PortsVisitor {
    list: bool,
}

impl<'de> Visitor<'de> for PortsVisitor {
    type Value = Vec<(u16, u16)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.list {
            f.write_str("a port number, a string such as \"8080\", \"8000-8100\" or \"80,443\", or a list of those")
        } else {
            f.write_str("a port number, or a string such as \"8080\", \"8000-8100\" or \"80,443\"")
        }
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        match u16::try_from(n) {
            Ok(p) if p >= 1 => Ok(vec![(p, p)]),
            _ => Err(E::custom(format!("{n} is not a port (1-65535)"))),
        }
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        match u64::try_from(n) {
            Ok(n) => self.visit_u64(n),
            Err(_) => Err(E::custom(format!("{n} is not a port (1-65535)"))),
        }
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        port_of_number(n)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        parse_ports(s).map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if !self.list {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let mut out = Vec::new();
        while let Some(PortsItem(mut p)) = seq.next_element()? {
            out.append(&mut p);
        }
        if out.is_empty() {
            return Err(de::Error::custom("no port given"));
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for PortsItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PortsVisitor { list: false })
            .map(PortsItem)
    }
}

impl<'de> Deserialize<'de> for Ports {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PortsVisitor { list: true }).map(Ports)
    }
}

/// Protocols: one name or a list, any case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Protocols(pub Vec<Protocol>);

struct ProtocolItem(Protocol);

fn protocol_of<E: de::Error>(s: &str) -> Result<Protocol, E> {
    crate::args::protocol(s).map_err(|b| {
        E::custom(format!(
            "{} is not a protocol (TCP, UDP or SCTP, any case)",
            b.got
        ))
    })
}

struct ProtocolsVisitor {
    list: bool,
}

impl<'de> Visitor<'de> for ProtocolsVisitor {
    type Value = Vec<Protocol>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.list {
            f.write_str("\"TCP\", \"UDP\" or \"SCTP\" (any case), or a list of those")
        } else {
            f.write_str("\"TCP\", \"UDP\" or \"SCTP\" (any case)")
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        protocol_of(s).map(|p| vec![p])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if !self.list {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let mut out = Vec::new();
        while let Some(ProtocolItem(p)) = seq.next_element()? {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for ProtocolItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ProtocolsVisitor { list: false })
            .and_then(|v| {
                v.into_iter()
                    .next()
                    .map(ProtocolItem)
                    .ok_or_else(|| de::Error::custom("no protocol"))
            })
    }
}

impl<'de> Deserialize<'de> for Protocols {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ProtocolsVisitor { list: true })
            .map(Protocols)
    }
}

// ------------------------------------------------------------------ exposure

/// The options of `exposure`: `namespace` (`-n`) keeps the workloads of one namespace.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object with the options of exposure (namespace)"
)]
pub struct ExposureRequest {
    #[serde(default)]
    pub namespace: Option<String>,
}

/// For each workload, who beyond its namespace may reach it (`meshverdict exposure -o json`).
pub fn exposure(cluster: &Cluster, namespace: Option<&str>) -> Result<Vec<Exposure>, Error> {
    let options = MatrixOptions {
        by: Granularity::Workload,
        externals: true,
        ..MatrixOptions::default()
    };
    let mut list = exposure_of(&cluster.matrix(&options)?);
    if let Some(ns) = namespace {
        list.retain(|e| e.namespace.as_deref() == Some(ns));
    }
    Ok(list)
}

// ------------------------------------------------------------------ diff

/// Manifests given in a request: one text (`yaml`, with its `name`), or several files.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "manifests: an object { yaml, name? } or { files: [{ name, yaml }] }"
)]
pub struct ManifestsRequest {
    /// Multi-document YAML or JSON.
    #[serde(default)]
    pub yaml: Option<String>,
    /// The name of `yaml` in error locations.
    #[serde(default)]
    pub name: Option<String>,
    /// Several files (a folder), each under its name.
    #[serde(default)]
    pub files: Option<Vec<FileRequest>>,
}

/// One file of [`ManifestsRequest::files`].
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a file: an object { name, yaml }"
)]
pub struct FileRequest {
    pub name: String,
    pub yaml: String,
}

impl ManifestsRequest {
    /// Exactly one of `yaml` and `files`, and `name` only with `yaml`.
    pub fn check(&self, entry: &str, field: &str) -> Result<(), (Problem, Error)> {
        match (&self.yaml, &self.files) {
            (None, Some(files)) if files.is_empty() => Err((
                Problem::Value,
                request(format!("{entry}: {field}.files: no file given")),
            )),
            (None, Some(_)) if self.name.is_some() => Err((
                Problem::Type,
                request(format!(
                    "{entry}: {field}.name: names `yaml`; each of `files` has its own name"
                )),
            )),
            (Some(_), None) | (None, Some(_)) => Ok(()),
            (Some(_), Some(_)) => Err((
                Problem::Type,
                request(format!(
                    "{entry}: {field}: give `yaml` or `files`, not both"
                )),
            )),
            (None, None) => Err((
                Problem::Type,
                request(format!(
                    "{entry}: {field}: give `yaml` (one text) or `files` ([{{name, yaml}}])"
                )),
            )),
        }
    }

    /// The named texts; `field` names the request field in errors, `default` the text's name.
    pub fn texts(
        self,
        entry: &str,
        field: &str,
        default: &str,
    ) -> Result<Vec<(String, String)>, Error> {
        self.check(entry, field).map_err(|(_, e)| e)?;
        Ok(match (self.yaml, self.files) {
            (Some(yaml), _) => vec![(self.name.unwrap_or_else(|| default.to_string()), yaml)],
            (None, files) => files
                .unwrap_or_default()
                .into_iter()
                .map(|f| (f.name, f.yaml))
                .collect(),
        })
    }
}

/// One text with its name (the `forbid` document of `diff`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a document: an object { yaml, name? }"
)]
pub struct DocumentRequest {
    pub yaml: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// The options of `diff`: the other tree (`after`, the cluster being the tree before the
/// change; or `before`, the cluster being after it), `by`, and `forbid` (an Expectations
/// document whose `deny` flows must stay denied), as the CLI's flags.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object with the options of diff (after or before, by, forbid)"
)]
pub struct DiffRequest {
    #[serde(default)]
    pub before: Option<ManifestsRequest>,
    #[serde(default)]
    pub after: Option<ManifestsRequest>,
    /// What a row names: `workload` (the default), `pod` or `class`.
    #[serde(default)]
    pub by: Option<By>,
    #[serde(default)]
    pub forbid: Option<DocumentRequest>,
}

/// Which side of the change the request gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The request gives the tree before; the cluster is after.
    Before,
    /// The request gives the tree after; the cluster is before.
    After,
}

impl DiffRequest {
    /// One side given, and its manifests well formed.
    pub fn check(&self) -> Result<(), (Problem, Error)> {
        match (&self.before, &self.after) {
            (None, Some(m)) => m.check("diff", "after"),
            (Some(m), None) => m.check("diff", "before"),
            (Some(_), Some(_)) => Err((Problem::Type, request("diff: give `after` (this cluster is the tree before the change) or `before` (this cluster is after it), not both"))),
            (None, None) => Err((Problem::Type, request("diff: give `after`: the manifests after the change (this cluster is the tree before it), or `before`"))),
        }
    }

    /// The side given, and its manifests.
    pub fn other(&mut self) -> Result<(Side, ManifestsRequest), Error> {
        self.check().map_err(|(_, e)| e)?;
        match (self.before.take(), self.after.take()) {
            (Some(b), None) => Ok((Side::Before, b)),
            (None, Some(a)) => Ok((Side::After, a)),
            _ => Err(request("diff: give `after` or `before`, one of them")),
        }
    }
}

/// What a change opens and closes (`meshverdict diff -o json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "DiffResult")
)]
#[serde(rename_all = "camelCase")]
pub struct DiffOut {
    pub diff: Diff,
    /// The `deny` flows of the `forbid` document that the tree after allows.
    pub forbidden_opened: Vec<String>,
}

/// The flows the change from `before` to `after` opens and closes; with `forbid`
/// (`(name, text)` of an Expectations document), its `deny` flows that `after` allows.
pub fn diff(
    before: &Cluster,
    after: &Cluster,
    by: By,
    forbid: Option<(&str, &str)>,
) -> Result<DiffOut, Error> {
    let options = MatrixOptions {
        by: by.granularity(),
        externals: true,
        ..MatrixOptions::default()
    };
    let d = diff_of(
        &Tree {
            model: before.model(),
            compiled: before.compiled(),
        },
        &Tree {
            model: after.model(),
            compiled: after.compiled(),
        },
        &options,
    )?;
    let forbidden_opened = match forbid {
        Some((name, text)) => forbidden(after, text, name)?,
        None => Vec::new(),
    };
    Ok(DiffOut {
        diff: d,
        forbidden_opened,
    })
}

/// The `deny` flows of an Expectations document that the tree after allows.
pub fn forbidden(after: &Cluster, text: &str, name: &str) -> Result<Vec<String>, Error> {
    let docs = parse_stream(name, text, Limits::default())?;
    let mut out = Vec::new();
    for doc in docs
        .iter()
        .filter(|d| d.value.get("kind").and_then(Value::as_str) == Some("Expectations"))
    {
        for f in doc
            .value
            .pointer("/spec/flows")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if f.get("expect").and_then(Value::as_str) != Some("deny") {
                continue;
            }
            let (Some(from), Some(to)) = (
                f.get("from").and_then(Value::as_str),
                f.get("to").and_then(Value::as_str),
            ) else {
                continue;
            };
            let port = match f.get("port") {
                Some(Value::Number(n)) => {
                    PortRef::Number(n.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0))
                }
                Some(Value::String(s)) => PortRef::Name(s.clone()),
                _ => continue,
            };
            let protocol = f
                .get("protocol")
                .and_then(Value::as_str)
                .and_then(Protocol::parse)
                .unwrap_or(Protocol::Tcp);
            let q = Query {
                from: from.into(),
                to: to.into(),
                port: port.clone(),
                protocol,
            };
            if after.allowed(&q)? {
                out.push(format!("{from} => {to} : {protocol} {port}"));
            }
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------ synthesize

/// The kind of objects `synthesize` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "'networkpolicy', 'cilium' or 'linkerd'")]
pub enum SynthesisDialect {
    /// Kubernetes NetworkPolicy, with Linkerd Servers where the mesh needs them.
    #[default]
    #[serde(rename = "networkpolicy")]
    NetworkPolicy,
    /// CiliumNetworkPolicy, with Linkerd Servers.
    #[serde(rename = "cilium")]
    Cilium,
    /// Linkerd Server and authorizations only.
    #[serde(rename = "linkerd")]
    Linkerd,
}

impl SynthesisDialect {
    pub fn dialect(self) -> Dialect {
        match self {
            SynthesisDialect::NetworkPolicy => Dialect::NetworkPolicy,
            SynthesisDialect::Cilium => Dialect::Cilium,
            SynthesisDialect::Linkerd => Dialect::Linkerd,
        }
    }
}

/// What one synthesized policy selects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase", expecting = "'workload' or 'namespace'")]
pub enum SynthesisGranularity {
    /// One policy per workload.
    #[default]
    Workload,
    /// One policy per namespace, namespaces as peers.
    Namespace,
}

impl SynthesisGranularity {
    pub fn granularity(self) -> SynthGranularity {
        match self {
            SynthesisGranularity::Workload => SynthGranularity::Workload,
            SynthesisGranularity::Namespace => SynthGranularity::Namespace,
        }
    }
}

/// The options of `synthesize`, as the CLI's flags: the intents (an Intents document's
/// text, or its parsed value; or observed flows: `hubble`, `linkerdEdges`; none: the
/// Intents documents among the cluster's manifests), `dialect`, `granularity`,
/// `fromCurrent`, `isolate`, `isolateAll`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object with the options of synthesize (intents, intentsName, hubble, linkerdEdges, dialect, granularity, fromCurrent, isolate, isolateAll)"
)]
pub struct SynthesizeRequest {
    /// YAML or JSON text of `kind: Intents` documents; or a parsed document, a list of
    /// documents, or a list of intents (`[{from, to, ports?, protocol?}]`).
    #[serde(default)]
    pub intents: Option<Value>,
    /// The name of the intents (or observed flows) in error locations.
    #[serde(default)]
    pub intents_name: Option<String>,
    /// `hubble observe -o json` output (one flow a line), reduced to intents.
    #[serde(default)]
    pub hubble: Option<String>,
    /// `linkerd viz edges -o json` output, reduced to intents.
    #[serde(default)]
    pub linkerd_edges: Option<String>,
    /// `networkpolicy` (the default), `cilium` or `linkerd`.
    #[serde(default)]
    pub dialect: Option<SynthesisDialect>,
    /// `workload` (the default) or `namespace`.
    #[serde(default)]
    pub granularity: Option<SynthesisGranularity>,
    /// Narrow each intent to what the cluster allows today.
    #[serde(default)]
    pub from_current: Option<bool>,
    /// Also isolate every workload of these namespaces.
    #[serde(default)]
    pub isolate: Option<Vec<String>>,
    /// Isolate every workload of the input.
    #[serde(default)]
    pub isolate_all: Option<bool>,
}

/// Where the intents come from.
#[derive(Debug, Clone)]
pub enum IntentsSource {
    /// The `kind: Intents` documents of a text.
    Text { name: String, text: String },
    /// `hubble observe -o json` output.
    Hubble { name: String, text: String },
    /// `linkerd viz edges -o json` output.
    LinkerdEdges { name: String, text: String },
    /// The Intents documents among the cluster's own manifests.
    Manifests,
}

impl SynthesizeRequest {
    pub fn options(&self) -> SynthOptions {
        SynthOptions {
            dialect: self.dialect.unwrap_or_default().dialect(),
            granularity: self.granularity.unwrap_or_default().granularity(),
            from_current: self.from_current.unwrap_or(false),
            isolate_namespaces: self.isolate.clone().unwrap_or_default(),
            isolate_all: self.isolate_all.unwrap_or(false),
        }
    }

    /// Where the intents come from; a parsed value is written out as JSON text.
    pub fn source(&self) -> Result<IntentsSource, Error> {
        let given = [
            self.intents.is_some(),
            self.hubble.is_some(),
            self.linkerd_edges.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given > 1 {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "synthesize: give one of `intents`, `hubble` and `linkerdEdges`",
            ));
        }
        let name = |default: &str| {
            self.intents_name
                .clone()
                .unwrap_or_else(|| default.to_string())
        };
        if let Some(text) = &self.hubble {
            return Ok(IntentsSource::Hubble {
                name: name("hubble.json"),
                text: text.clone(),
            });
        }
        if let Some(text) = &self.linkerd_edges {
            return Ok(IntentsSource::LinkerdEdges {
                name: name("edges.json"),
                text: text.clone(),
            });
        }
        match &self.intents {
            None | Some(Value::Null) => {
                if self.intents_name.is_some() {
                    return Err(Error::new(ErrorCode::InvalidRequest, "synthesize: intentsName names `intents`, `hubble` or `linkerdEdges`, and none is given"));
                }
                Ok(IntentsSource::Manifests)
            }
            Some(Value::String(text)) => Ok(IntentsSource::Text {
                name: name("intents.yaml"),
                text: text.clone(),
            }),
            Some(v) => Ok(IntentsSource::Text {
                name: name("intents"),
                text: intents_text(v)?,
            }),
        }
    }
}

/// A parsed intents value as the text of Intents documents: a document, a list of
/// documents, or a list of intents (one document around them).
fn intents_text(v: &Value) -> Result<String, Error> {
    let bad = || {
        Error::new(ErrorCode::InvalidRequest, "synthesize: intents must be the text of Intents documents, a document (`{apiVersion, kind: Intents, spec}`), a list of documents, or a list of intents (`[{from, to, ports?, protocol?}]`)")
            .with_help("docs/intents.md describes the format")
    };
    let is_doc = |x: &Value| x.get("kind").is_some();
    let docs: Vec<Value> = match v {
        Value::Object(_) if is_doc(v) => vec![v.clone()],
        Value::Array(items) if !items.is_empty() && items.iter().all(is_doc) => items.clone(),
        Value::Array(items) if items.iter().all(Value::is_object) => vec![serde_json::json!({
            "apiVersion": "meshverdict/v1",
            "kind": "Intents",
            "metadata": {"name": "intents"},
            "spec": {"intents": items},
        })],
        _ => return Err(bad()),
    };
    let mut text = String::new();
    for d in docs {
        if !text.is_empty() {
            text.push_str("---\n");
        }
        text.push_str(&serde_json::to_string_pretty(&d).map_err(|_| bad())?);
        text.push('\n');
    }
    Ok(text)
}

/// The synthesized set with its proof, and the reduction of observed flows when the
/// intents came from them (`meshverdict synthesize -o json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "Synthesis")
)]
#[serde(rename_all = "camelCase")]
pub struct SynthesisOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reduction: Option<Reduction>,
    #[serde(flatten)]
    pub synthesis: Synthesis,
}

/// The intents of a source, and the reduction when they were reduced from observed flows.
/// `None`: the source is the manifests, and they hold no Intents document.
pub fn intents_of(
    cluster: &Cluster,
    source: &IntentsSource,
) -> Result<Option<(Intents, Option<Reduction>)>, Error> {
    Ok(Some(match source {
        IntentsSource::Text { name, text } => (Intents::parse(name, text)?, None),
        IntentsSource::Hubble { name, text } => {
            let r = from_hubble(name, text, cluster.model())?;
            (r.intents.clone(), Some(r))
        }
        IntentsSource::LinkerdEdges { name, text } => {
            let r = from_linkerd_edges(name, text, cluster.model())?;
            (r.intents.clone(), Some(r))
        }
        IntentsSource::Manifests => match Intents::from_model(cluster.model())? {
            Some(i) => (i, None),
            None => return Ok(None),
        },
    }))
}

/// Least-privilege policies for the intents, proven by the engine.
pub fn synthesize(
    cluster: &Cluster,
    intents: &Intents,
    reduction: Option<Reduction>,
    options: &SynthOptions,
) -> Result<SynthesisOut, Error> {
    let synthesis = synthesize_of(cluster, intents, options)?;
    Ok(SynthesisOut {
        reduction,
        synthesis,
    })
}

// ------------------------------------------------------------------ repair

/// The kind of objects `repair` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "'networkpolicy' or 'cilium'")]
pub enum RepairDialect {
    /// Kubernetes NetworkPolicy.
    #[default]
    #[serde(rename = "networkpolicy")]
    NetworkPolicy,
    /// CiliumNetworkPolicy.
    #[serde(rename = "cilium")]
    Cilium,
}

impl RepairDialect {
    pub fn dialect(self) -> Dialect {
        match self {
            RepairDialect::NetworkPolicy => Dialect::NetworkPolicy,
            RepairDialect::Cilium => Dialect::Cilium,
        }
    }
}

/// The options of `repair`: `dialect`, as the CLI's flag.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object with the options of repair (dialect)"
)]
pub struct RepairRequest {
    /// `networkpolicy` (the default) or `cilium`.
    #[serde(default)]
    pub dialect: Option<RepairDialect>,
}

/// The smallest additive change that gives the mesh back the flows it needs
/// (`meshverdict repair -o json`).
pub fn repair(cluster: &Cluster, dialect: RepairDialect) -> Result<Repair, Error> {
    repair_of(
        cluster,
        &RepairOptions {
            dialect: dialect.dialect(),
        },
    )
}

// ------------------------------------------------------------------ endpoints

/// Something a question may name, for a UI's pickers: a Pod, a workload (its pod
/// template, or its Pods in the input), or a Service (as a destination, `svc:NS/NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EndpointInfo {
    /// What a question names it by: `NS/NAME`, or `svc:NS/NAME` for a Service.
    pub reference: String,
    /// `Pod`, `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `Job`, `CronJob`, `Service`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The pod's labels (a workload with Pods in the input: the labels all of them carry;
    /// a Service: its own).
    pub labels: BTreeMap<String, String>,
    /// Declared container ports (a Service: its ports, as clients dial them).
    pub ports: Vec<NamedPort>,
    /// Meshed (a workload with Pods: every one of them).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub meshed: bool,
    /// A workload's Pods in the input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<String>,
}

/// Every Pod, workload and Service a question may name, sorted by namespace and name
/// (Services after the rest).
pub fn endpoints(cluster: &Cluster) -> Vec<EndpointInfo> {
    let model = cluster.model();
    let mut out: Vec<EndpointInfo> = model
        .endpoints
        .iter()
        .map(|e| EndpointInfo {
            reference: e.reference(),
            kind: e.kind.as_str().to_string(),
            namespace: e.namespace.clone(),
            name: e.name.clone(),
            labels: e.labels.clone(),
            ports: e.ports.clone(),
            meshed: cluster.is_meshed(e),
            pods: Vec::new(),
        })
        .collect();
    // Workloads whose Pods are in the input: named by the top of their Pods' owner chains.
    let mut workloads: BTreeMap<(String, String), (String, Vec<usize>)> = BTreeMap::new();
    for (i, e) in model.endpoints.iter().enumerate() {
        if let Some((kind, name)) = &e.workload {
            workloads
                .entry((e.namespace.clone(), name.clone()))
                .or_insert_with(|| (kind.as_str().to_string(), Vec::new()))
                .1
                .push(i);
        }
    }
    for ((namespace, name), (kind, pods)) in workloads {
        // A Pod of the same name wins the reference; the workload then is no choice.
        if model.find_endpoint(&namespace, &name).is_some() {
            continue;
        }
        let members: Vec<_> = pods
            .iter()
            .filter_map(|i| model.endpoints.get(*i))
            .collect();
        let mut labels = members
            .first()
            .map(|p| p.labels.clone())
            .unwrap_or_default();
        labels.retain(|k, v| members.iter().all(|p| p.labels.get(k) == Some(v)));
        let mut seen = HashSet::new();
        let ports = members
            .iter()
            .flat_map(|p| p.ports.iter())
            .filter(|p| seen.insert((*p).clone()))
            .cloned()
            .collect();
        out.push(EndpointInfo {
            reference: format!("{namespace}/{name}"),
            kind,
            meshed: !members.is_empty() && members.iter().all(|p| cluster.is_meshed(p)),
            pods: members.iter().map(|p| p.reference()).collect(),
            namespace,
            name,
            labels,
            ports,
        });
    }
    out.sort_by(|a, b| (&a.namespace, &a.name, &a.kind).cmp(&(&b.namespace, &b.name, &b.kind)));
    let mut services: Vec<EndpointInfo> = model
        .services
        .iter()
        .map(|s| EndpointInfo {
            reference: format!("svc:{}/{}", s.namespace, s.name),
            kind: "Service".into(),
            namespace: s.namespace.clone(),
            name: s.name.clone(),
            labels: s.labels.clone(),
            ports: s
                .ports
                .iter()
                .map(|p| NamedPort {
                    name: p.name.clone(),
                    port: p.port,
                    protocol: p.protocol,
                })
                .collect(),
            meshed: false,
            pods: Vec::new(),
        })
        .collect();
    services.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    out.extend(services);
    out
}

// Hand-written deserializers, so hand-written schemas (what they accept).
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Ports {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Ports".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A port (1-65535), a string in the CLI's form (\"80\", \"8000-8080\", \"80,443\"), or a list of those.",
            "anyOf": [
                { "type": "integer", "minimum": 1, "maximum": 65535 },
                { "type": "string" },
                { "type": "array", "items": { "anyOf": [{ "type": "integer", "minimum": 1, "maximum": 65535 }, { "type": "string" }] } }
            ]
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Protocols {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Protocols".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "\"TCP\", \"UDP\" or \"SCTP\" (any case), or a list of those.",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } }
            ]
        })
    }
}
