//! The model: the inventory of what the manifests hold, read into plain types.
//!
//! Every object is read through k8s-openapi types (or, for CRDs, our own serde types).
//! An object that cannot be read is kept as an [`Invalid`] entry, never silently
//! dropped: verdicts that would read it are refused, and `diagnose` reports it. The
//! model knows nothing of dataplanes or verdicts: the compilers read it.

mod owners;
mod read;

pub mod cilium;
pub mod linkerd;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Location};
use crate::ports::{NamedPort, Protocol};
use crate::selector::Labels;
use crate::source::{
    for_each_document_parallel, locate, locate_from, locate_item, parse_path, Limits, Start,
};

pub use crate::findings::{Warning, WarningCode};
pub(crate) use read::{read_meta, Ctx, Located, OwnerRef};

/// One named text to read (a file, stdin, or what a host was given).
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Where an object came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    pub source: String,
    pub document: usize,
    /// Path of the object inside its document: empty, or `items[3]` inside a List.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// Line where the object starts.
    pub line: usize,
}

impl Origin {
    pub fn path(&self, field: &str) -> String {
        match (self.prefix.is_empty(), field.is_empty()) {
            (true, _) => field.to_string(),
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}.{field}", self.prefix),
        }
    }

    pub fn location(&self, field: Option<&str>, line: Option<usize>) -> Location {
        Location {
            source: self.source.clone(),
            document: Some(self.document),
            path: field.map(|f| self.path(f)).filter(|p| !p.is_empty()),
            line: line.or(Some(self.line)),
            column: None,
            offset: None,
        }
    }
}

/// Which kind of object an endpoint is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum EndpointKind {
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    CronJob,
}

impl EndpointKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::Pod => "Pod",
            EndpointKind::Deployment => "Deployment",
            EndpointKind::StatefulSet => "StatefulSet",
            EndpointKind::DaemonSet => "DaemonSet",
            EndpointKind::ReplicaSet => "ReplicaSet",
            EndpointKind::Job => "Job",
            EndpointKind::CronJob => "CronJob",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    pub ports: Vec<NamedPort>,
    /// An init container (a native sidecar when `restartPolicy: Always`).
    pub init: bool,
    #[serde(skip)]
    pub args: Vec<String>,
    #[serde(skip)]
    pub env: Vec<(String, String)>,
    #[serde(skip)]
    pub image: Option<String>,
}

/// A pod endpoint: a Pod, or the pod template of a workload.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// Position in [`Model::endpoints`], set once the model is complete.
    #[serde(skip)]
    pub index: usize,
    pub kind: EndpointKind,
    pub namespace: String,
    pub name: String,
    pub labels: Labels,
    #[serde(skip)]
    pub annotations: BTreeMap<String, String>,
    #[serde(skip)]
    pub containers: Vec<Container>,
    /// Every declared container port (init containers included).
    pub ports: Vec<NamedPort>,
    pub ips: Vec<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub service_account: String,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub uid: Option<String>,
    #[serde(skip)]
    pub owners: Vec<OwnerRef>,
    /// For a Pod owned (directly or through a chain) by a workload of the input: the
    /// workload at the top of the chain (a Deployment, not its ReplicaSet).
    #[serde(skip)]
    pub workload: Option<(EndpointKind, String)>,
}

impl Endpoint {
    pub fn reference(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    pub fn has_container(&self, name: &str) -> bool {
        self.containers.iter().any(|c| c.name == name)
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    #[serde(skip)]
    pub annotations: BTreeMap<String, String>,
    /// Declared in the input, or only referenced.
    pub declared: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub name: String,
    pub labels: Labels,
    pub addresses: Vec<IpAddr>,
    pub declared: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", tag = "type", content = "value")]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub target: TargetPort,
    pub protocol: Protocol,
    pub app_protocol: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub namespace: String,
    pub name: String,
    pub labels: Labels,
    /// `None`: a Service without selector (its endpoints are managed by hand).
    pub selector: Option<Labels>,
    pub ports: Vec<ServicePort>,
    #[serde(skip)]
    pub annotations: BTreeMap<String, String>,
    #[serde(skip)]
    pub origin: Origin,
}

/// An object that the API server (or Cilium's schema) would reject.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Invalid {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub error: Error,
}

/// A NetworkPolicy as read, with where it came from.
#[derive(Debug, Clone)]
pub struct NetPolObject {
    pub namespace: String,
    pub name: String,
    pub policy: NetworkPolicy,
    pub origin: Origin,
}

/// A policy object of a kind the engine does not evaluate (Calico's own kinds): kept so
/// that verdicts it may affect say so.
#[derive(Debug, Clone)]
pub struct ForeignPolicy {
    pub kind: String,
    /// `None`: cluster-scoped (it may select any endpoint).
    pub namespace: Option<String>,
    pub name: String,
    pub origin: Origin,
}

/// What the input shows of the dataplane that runs it.
#[derive(Debug, Clone, Default)]
pub struct DataplaneSigns {
    /// Workloads or Pods running Cilium's agent or operator: `kind namespace/name`.
    pub cilium_agents: Vec<String>,
    /// `kube-system/cilium-config`, the agent's settings.
    pub cilium_config: Option<(Origin, BTreeMap<String, String>)>,
    /// Workloads or Pods running calico-node: `kind namespace/name`.
    pub calico_nodes: Vec<String>,
    /// Objects of Calico's API groups (`projectcalico.org`, `crd.projectcalico.org`).
    pub calico_objects: Vec<ForeignPolicy>,
}

/// Everything read from the input.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// What the input shows of its dataplane (for `--dataplane auto`).
    pub signs: DataplaneSigns,
    pub namespaces: BTreeMap<String, Namespace>,
    pub endpoints: Vec<Endpoint>,
    /// `(namespace, name)` of host-network Pods → their node.
    pub host_pods: BTreeMap<(String, String), String>,
    pub nodes: BTreeMap<String, Node>,
    pub services: Vec<Service>,
    pub service_accounts: BTreeSet<(String, String)>,
    /// The API server's endpoint addresses (the `default/kubernetes` Endpoints or EndpointSlices).
    pub api_server: Vec<IpAddr>,
    pub api_server_ports: Vec<u16>,
    pub netpols: Vec<NetPolObject>,
    /// Cilium policies as read; they are compiled with the rest of the model (their
    /// `toServices` need every Service).
    pub cilium: Vec<cilium::CiliumObject>,
    pub linkerd: linkerd::LinkerdObjects,
    /// Objects that could not be read (a field of the wrong type, a missing name): the
    /// API server would reject them. Policy objects that fail its validation are found
    /// by the compilers.
    pub invalid: Vec<Invalid>,
    /// Endpoints that exist but could not be read: `(namespace, name)` → why.
    pub invalid_endpoints: BTreeMap<(String, String), Error>,
    pub warnings: Vec<Warning>,
    /// `meshverdict/v1` documents (conformance expectations), for the case runner.
    pub expectations: Vec<(Origin, Value)>,
    /// `meshverdict/v1` Intents documents (what should talk to what), for synthesis.
    pub intents: Vec<(Origin, Value)>,
    /// The input texts by name, to find the line of a field a diagnostic points at.
    pub texts: BTreeMap<String, String>,
    /// `namespace/name` of a workload that is no endpoint of its own (it owns Pods in the
    /// input, or another workload owns it) → the Pods it names, directly or through the
    /// workloads it owns (`ownerReferences`).
    pub workload_pods: BTreeMap<(String, String), Vec<usize>>,
    /// `(kind, namespace, name)` → position in `endpoints`, while loading (duplicates).
    endpoint_index: HashMap<(EndpointKind, String, String), usize>,
    /// namespace → name → the endpoint a reference names (a Pod wins over a workload);
    /// nested so that a question's `ns/name` is looked up without copying it.
    by_name: HashMap<String, HashMap<String, usize>>,
    /// Pod addresses → the Pod.
    by_ip: HashMap<IpAddr, usize>,
    /// Per input, where each document starts (by document index, ascending), and per
    /// `kind: List` document where each item starts: [`Model::locate`] parses one
    /// document (or item) from there, not the whole stream up to it, so locating every
    /// diagnostic of a 200 MB input stays linear.
    starts: HashMap<String, Vec<(usize, Start)>>,
    item_starts: HashMap<(String, usize), Vec<Start>>,
}

impl Model {
    /// Reads every input. Only text that is not YAML/JSON at all, or that breaks a
    /// limit, is an error here; objects that cannot be read are recorded and reported.
    pub fn load(inputs: &[Input], limits: Limits) -> Result<Model, Error> {
        let mut model = Model::default();
        let mut objects = 0usize;
        for input in inputs {
            model
                .texts
                .insert(input.name.to_string(), input.text.to_string());
            // Each document is read as soon as it is parsed (on another thread where
            // there are threads): the stream's trees are never all held at once.
            for_each_document_parallel(input.name, input.text, limits, |doc| {
                model.read_document(input, doc, &mut objects, limits)
            })?;
        }
        model.finish();
        Ok(model)
    }

    /// Namespaces referenced by objects exist even when not declared; owned workloads
    /// give way to their Pods; names and addresses are indexed.
    fn finish(&mut self) {
        let referenced: Vec<String> = self
            .cilium
            .iter()
            .filter_map(|c| c.namespace.clone())
            .chain(self.netpols.iter().map(|n| n.namespace.clone()))
            .chain(self.linkerd.namespaces())
            .chain(self.invalid.iter().filter_map(|i| i.namespace.clone()))
            .collect();
        for ns in referenced {
            self.namespace_entry(&ns);
        }
        self.find_agents();
        self.resolve_owners();
        self.by_name.clear();
        self.by_ip.clear();
        for (i, e) in self.endpoints.iter_mut().enumerate() {
            e.index = i;
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            let names = self.by_name.entry(e.namespace.clone()).or_default();
            let better = names
                .get(&e.name)
                .and_then(|j| self.endpoints.get(*j))
                .is_none_or(|b| e.kind < b.kind);
            if better {
                names.insert(e.name.clone(), i);
            }
            if e.kind == EndpointKind::Pod {
                for ip in &e.ips {
                    self.by_ip.entry(*ip).or_insert(i);
                }
            }
        }
    }

    /// The location of `field` of the object at `origin`, with its line.
    pub fn locate(&self, origin: &Origin, field: &str) -> Location {
        let line = self
            .texts
            .get(&origin.source)
            .and_then(|t| self.line_of(t, origin, field));
        origin.location(Some(field), line)
    }

    fn line_of(&self, text: &str, origin: &Origin, field: &str) -> Option<usize> {
        let item = origin
            .prefix
            .strip_prefix("items[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(i) = item {
            if let Some(start) = self
                .item_starts
                .get(&(origin.source.clone(), origin.document))
                .and_then(|v| v.get(i))
            {
                return locate_item(text, *start, &parse_path(field));
            }
        }
        let path = parse_path(&origin.path(field));
        let starts = self.starts.get(&origin.source);
        match starts.and_then(|v| {
            v.binary_search_by_key(&origin.document, |(d, _)| *d)
                .ok()
                .and_then(|k| v.get(k))
        }) {
            Some((_, start)) => locate_from(text, *start, &path),
            None => locate(text, origin.document, &path),
        }
    }

    /// Where the object at `origin` starts, for errors found after reading (compilers).
    pub(crate) fn object_start(&self, origin: &Origin) -> Option<Located> {
        let item = origin
            .prefix
            .strip_prefix("items[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(i) = item {
            return self
                .item_starts
                .get(&(origin.source.clone(), origin.document))
                .and_then(|v| v.get(i))
                .map(|s| Located::Item(*s));
        }
        let starts = self.starts.get(&origin.source)?;
        let k = starts
            .binary_search_by_key(&origin.document, |(d, _)| *d)
            .ok()?;
        starts.get(k).map(|(_, s)| Located::Document(*s))
    }

    /// Records where a document (and its List items) starts, for [`Model::locate`].
    pub(super) fn note_start(&mut self, source: &str, doc: &crate::source::Document) {
        match self.starts.get_mut(source) {
            Some(v) => v.push((doc.index, doc.start)),
            None => {
                self.starts
                    .insert(source.to_string(), vec![(doc.index, doc.start)]);
            }
        }
        if !doc.items.is_empty() {
            self.item_starts
                .insert((source.to_string(), doc.index), doc.items.clone());
        }
    }

    pub fn namespace_labels(&self, ns: &str) -> Option<&Labels> {
        self.namespaces.get(ns).map(|n| &n.labels)
    }

    /// The endpoint a `NAMESPACE/NAME` reference names: a Pod wins over a workload.
    pub fn find_endpoint(&self, ns: &str, name: &str) -> Option<&Endpoint> {
        self.by_name
            .get(ns)
            .and_then(|names| names.get(name))
            .and_then(|i| self.endpoints.get(*i))
    }

    /// The Pod with this address, if the input gives it.
    pub fn pod_by_ip(&self, ip: &IpAddr) -> Option<&Endpoint> {
        self.by_ip.get(ip).and_then(|i| self.endpoints.get(*i))
    }

    pub fn text(&self, source: &str) -> Option<&str> {
        self.texts.get(source).map(String::as_str)
    }
}

#[cfg(test)]
mod locate_tests {
    use super::*;

    /// Locating from a document's (or List item's) recorded start finds the line that
    /// parsing the whole stream up to it finds.
    #[test]
    fn locate_from_starts_like_the_whole_stream() {
        let text = "# head\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: a}\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: q\n    namespace: a\n  spec:\n    containers:\n    - name: c\n---\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: r\n  namespace: a\n";
        let model = Model::load(
            &[Input {
                name: "t.yaml",
                text,
            }],
            Limits::default(),
        )
        .unwrap_or_default();
        assert_eq!(model.endpoints.len(), 3);
        for e in &model.endpoints {
            for field in [
                "metadata.name",
                "metadata.namespace",
                "spec.containers[0].name",
                "kind",
            ] {
                let whole = locate(text, e.origin.document, &parse_path(&e.origin.path(field)));
                assert_eq!(
                    model.locate(&e.origin, field).line,
                    whole.or(Some(e.origin.line)),
                    "{} {field}",
                    e.name
                );
            }
        }
    }
}
