//! The cluster model: what the manifests say, read into plain types.
//!
//! Every object is read through k8s-openapi types (or, for CRDs, our own serde types)
//! and checked the way the API server would check the fields a verdict reads. An object
//! that fails is kept as an [`Invalid`] entry, never silently dropped: verdicts that
//! would read it are refused, and `diagnose` reports it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use k8s_openapi::api::core::v1::{ContainerPort, Namespace as K8sNamespace, Service as K8sService};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorCode, Location};
use crate::ports::{check_port_name, NamedPort, Protocol};
use crate::selector::{check_dns_label, check_dns_subdomain, check_label_key, check_label_value, Labels};
use crate::source::{locate, parse_path, parse_stream, Document, Limits};
use crate::{cilium, mesh, netpol};

/// One named text to read (a file, stdin, or what a host was given).
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Where an object came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub name: String,
    pub labels: Labels,
    pub addresses: Vec<IpAddr>,
    pub declared: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "value")]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub target: TargetPort,
    pub protocol: Protocol,
    pub app_protocol: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
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
#[serde(rename_all = "camelCase")]
pub struct Invalid {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub error: Error,
}

pub use crate::findings::{Warning, WarningCode};

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
    /// Every enforced policy rule set, NetworkPolicy and Cilium alike.
    pub policies: Vec<crate::policy::CompiledPolicy>,
    /// Cilium policies with the text they came from: they are compiled once every
    /// Service is known (`toServices`).
    pub cilium: Vec<(cilium::CiliumObject, String)>,
    pub linkerd: mesh::linkerd::LinkerdObjects,
    pub invalid: Vec<Invalid>,
    /// Objects the API server stores but Cilium's agent refuses: not enforced, reported.
    pub agent_refused: Vec<Invalid>,
    /// Endpoints that exist but could not be read: `(namespace, name)` → why.
    pub invalid_endpoints: BTreeMap<(String, String), Error>,
    pub warnings: Vec<Warning>,
    /// `meshverdict/v1` documents (conformance expectations), for the case runner.
    pub expectations: Vec<(Origin, Value)>,
    /// The input texts by name, to find the line of a field a diagnostic points at.
    pub texts: BTreeMap<String, String>,
    /// `namespace/name` of a workload that is no endpoint of its own (it owns Pods in the
    /// input, or another workload owns it) → the Pods it names, directly or through the
    /// workloads it owns (`ownerReferences`).
    pub workload_pods: BTreeMap<(String, String), Vec<usize>>,
    /// `(kind, namespace, name)` → position in `endpoints`, while loading (duplicates).
    endpoint_index: HashMap<(EndpointKind, String, String), usize>,
}

/// The context of one object while it is read.
pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub origin: Origin,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Ctx<'_> {
    /// An error located at `field` of this object, with its YAML line.
    pub fn error(&self, code: ErrorCode, field: &str, message: impl Into<String>) -> Error {
        let path = self.origin.path(field);
        let line = locate(self.text, self.origin.document, &parse_path(&path));
        let what = match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        };
        Error::new(code, format!("{what}: {}{}", if field.is_empty() { String::new() } else { format!("{field}: ") }, message.into()))
            .at(self.origin.location(Some(field), line))
    }

    pub fn deserialize<T: DeserializeOwned>(&self, v: &Value) -> Result<T, Error> {
        serde_path_to_error::deserialize(v).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            self.error(ErrorCode::InvalidField, &path, e.into_inner().to_string())
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EnvView {
    name: Option<String>,
    value: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ContainerView {
    name: Option<String>,
    ports: Option<Vec<ContainerPort>>,
    args: Option<Vec<Value>>,
    env: Option<Vec<EnvView>>,
    image: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PodSpecView {
    containers: Option<Vec<ContainerView>>,
    init_containers: Option<Vec<ContainerView>>,
    host_network: Option<bool>,
    node_name: Option<String>,
    service_account_name: Option<String>,
    service_account: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PodIpView {
    ip: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PodStatusView {
    #[serde(rename = "podIP")]
    pod_ip: Option<String>,
    #[serde(rename = "podIPs")]
    pod_ips: Option<Vec<PodIpView>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PodView {
    metadata: Option<ObjectMeta>,
    spec: Option<PodSpecView>,
    status: Option<PodStatusView>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PodTemplateView {
    metadata: Option<ObjectMeta>,
    spec: Option<PodSpecView>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JobSpecView {
    template: Option<PodTemplateView>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JobTemplateView {
    spec: Option<JobSpecView>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WorkloadSpecView {
    template: Option<PodTemplateView>,
    job_template: Option<JobTemplateView>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WorkloadView {
    metadata: Option<ObjectMeta>,
    spec: Option<WorkloadSpecView>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NodeAddressView {
    #[serde(rename = "type")]
    kind: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NodeStatusView {
    addresses: Option<Vec<NodeAddressView>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NodeView {
    metadata: Option<ObjectMeta>,
    status: Option<NodeStatusView>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AddressView {
    ip: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EndpointPortView {
    port: Option<i32>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SubsetView {
    addresses: Option<Vec<AddressView>>,
    ports: Option<Vec<EndpointPortView>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EndpointsView {
    metadata: Option<ObjectMeta>,
    subsets: Option<Vec<SubsetView>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SliceEndpointView {
    addresses: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EndpointSliceView {
    metadata: Option<ObjectMeta>,
    endpoints: Option<Vec<SliceEndpointView>>,
    ports: Option<Vec<EndpointPortView>>,
}

/// The metadata every object needs: a valid name and namespace.
pub(crate) struct Meta {
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub annotations: BTreeMap<String, String>,
    pub uid: Option<String>,
    pub owners: Vec<OwnerRef>,
}

/// An entry of `metadata.ownerReferences`: who created (and garbage-collects) the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRef {
    pub kind: String,
    pub name: String,
    pub uid: Option<String>,
    /// `controller: true`: the managing controller (at most one per object).
    pub controller: bool,
}

pub(crate) fn read_meta(ctx: &Ctx, meta: Option<&ObjectMeta>, namespaced: bool) -> Result<Meta, Error> {
    let meta = meta.cloned().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    if name.is_empty() {
        return Err(ctx.error(ErrorCode::InvalidField, "metadata.name", "is required"));
    }
    let namespace = meta.namespace.clone().unwrap_or_else(|| "default".to_string());
    if namespaced {
        check_dns_label(&namespace).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, "metadata.namespace", m))?;
    }
    let labels = meta.labels.clone().unwrap_or_default();
    check_labels(ctx, &labels, "metadata.labels")?;
    let owners = meta
        .owner_references
        .iter()
        .flatten()
        .map(|o| OwnerRef {
            kind: o.kind.clone(),
            name: o.name.clone(),
            uid: Some(o.uid.clone()).filter(|u| !u.is_empty()),
            controller: o.controller == Some(true),
        })
        .collect();
    Ok(Meta {
        name,
        namespace,
        labels,
        annotations: meta.annotations.unwrap_or_default(),
        uid: meta.uid.filter(|u| !u.is_empty()),
        owners,
    })
}

pub(crate) fn check_labels(ctx: &Ctx, labels: &Labels, field: &str) -> Result<(), Error> {
    for (k, v) in labels {
        check_label_key(k).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, field, m))?;
        check_label_value(v).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &format!("{field}[\"{k}\"]"), m))?;
    }
    Ok(())
}

fn parse_ip(ctx: &Ctx, s: &str, field: &str) -> Result<IpAddr, Error> {
    s.parse().map_err(|_| ctx.error(ErrorCode::InvalidPolicy, field, format!("{s:?} is not an IP address")))
}

fn read_containers(ctx: &Ctx, spec: &PodSpecView, field: &str) -> Result<Vec<Container>, Error> {
    let mut out = Vec::new();
    let lists = [("containers", &spec.containers, false), ("initContainers", &spec.init_containers, true)];
    for (list, containers, init) in lists {
        for (i, c) in containers.iter().flatten().enumerate() {
            let mut ports = Vec::new();
            for (j, p) in c.ports.iter().flatten().enumerate() {
                let at = format!("{field}.{list}[{i}].ports[{j}]");
                let port = u16::try_from(p.container_port)
                    .ok()
                    .filter(|p| *p >= 1)
                    .ok_or_else(|| ctx.error(ErrorCode::InvalidPolicy, &format!("{at}.containerPort"), "must be between 1 and 65535, inclusive"))?;
                let protocol = match p.protocol.as_deref() {
                    None => Protocol::Tcp,
                    Some(s) => Protocol::parse(s).ok_or_else(|| {
                        ctx.error(ErrorCode::InvalidPolicy, &format!("{at}.protocol"), format!("unsupported protocol {s:?} (TCP, UDP, SCTP)"))
                    })?,
                };
                if let Some(name) = &p.name {
                    check_port_name(name).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &format!("{at}.name"), m))?;
                }
                ports.push(NamedPort { name: p.name.clone(), port, protocol });
            }
            let env = c
                .env
                .iter()
                .flatten()
                .filter_map(|e| {
                    let v = match &e.value {
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    Some((e.name.clone()?, v))
                })
                .collect();
            let args = c
                .args
                .iter()
                .flatten()
                .map(|a| match a {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.push(Container {
                name: c.name.clone().unwrap_or_default(),
                ports,
                init,
                args,
                env,
                image: c.image.clone(),
            });
        }
    }
    Ok(out)
}

impl Model {
    /// Reads every input. Only text that is not YAML/JSON at all, or that breaks a
    /// limit, is an error here; invalid objects are recorded and reported later.
    pub fn load(inputs: &[Input], limits: Limits) -> Result<Model, Error> {
        let mut model = Model::default();
        let mut objects = 0usize;
        for input in inputs {
            model.texts.insert(input.name.to_string(), input.text.to_string());
            let docs = parse_stream(input.name, input.text, limits)?;
            for doc in docs {
                model.read_document(input, &doc, &mut objects, limits)?;
            }
        }
        model.finish();
        Ok(model)
    }

    fn read_document(&mut self, input: &Input, doc: &Document, objects: &mut usize, limits: Limits) -> Result<(), Error> {
        let origin = Origin { source: input.name.to_string(), document: doc.index, prefix: String::new(), line: doc.line };
        let is_list = doc.value.get("items").is_some_and(Value::is_array)
            && doc.value.get("kind").and_then(Value::as_str).is_some_and(|k| k == "List" || k.ends_with("List"));
        if is_list {
            let items = doc.value.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for (i, item) in items.iter().enumerate() {
                let prefix = format!("items[{i}]");
                let line = locate(input.text, doc.index, &parse_path(&prefix)).unwrap_or(doc.line);
                let origin = Origin { prefix, line, ..origin.clone() };
                self.read_object(input, origin, item, objects, limits)?;
            }
            return Ok(());
        }
        self.read_object(input, origin, &doc.value, objects, limits)
    }

    fn read_object(&mut self, input: &Input, origin: Origin, v: &Value, objects: &mut usize, limits: Limits) -> Result<(), Error> {
        *objects += 1;
        if *objects > limits.max_objects {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("more than {} objects (limit max_objects)", limits.max_objects),
            )
            .at(origin.location(None, None)));
        }
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
        let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or_default().to_string();
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        let name = v.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
        let namespace = v.pointer("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
        let ctx = Ctx { text: input.text, origin: origin.clone(), kind: kind.clone(), namespace: namespace.clone(), name: name.clone() };
        if !v.is_object() {
            return Err(Error::new(ErrorCode::InvalidField, "a document must be a mapping (a Kubernetes object)")
                .at(origin.location(None, None)));
        }
        let result = match (group, kind.as_str()) {
            ("", "Namespace") => self.read_namespace(&ctx, v),
            ("", "Pod") => self.read_pod(&ctx, v),
            ("apps", "Deployment") => self.read_workload(&ctx, v, EndpointKind::Deployment),
            ("apps", "StatefulSet") => self.read_workload(&ctx, v, EndpointKind::StatefulSet),
            ("apps", "DaemonSet") => self.read_workload(&ctx, v, EndpointKind::DaemonSet),
            ("apps", "ReplicaSet") => self.read_workload(&ctx, v, EndpointKind::ReplicaSet),
            ("batch", "Job") => self.read_workload(&ctx, v, EndpointKind::Job),
            ("batch", "CronJob") => self.read_workload(&ctx, v, EndpointKind::CronJob),
            ("", "Service") => self.read_service(&ctx, v),
            ("", "Node") => self.read_node(&ctx, v),
            ("", "ServiceAccount") => {
                let meta: ObjectMeta = ctx.deserialize(v.get("metadata").unwrap_or(&Value::Null))?;
                let m = read_meta(&ctx, Some(&meta), true);
                m.map(|m| {
                    self.service_accounts.insert((m.namespace, m.name));
                })
            }
            ("", "Endpoints") => self.read_endpoints(&ctx, v),
            ("discovery.k8s.io", "EndpointSlice") => self.read_endpoint_slice(&ctx, v),
            ("networking.k8s.io", "NetworkPolicy") => self.read_netpol(&ctx, v),
            ("", "ConfigMap") if namespace.as_deref() == Some("kube-system") && name == "cilium-config" => {
                let data: BTreeMap<String, Value> = v.get("data").and_then(|d| serde_json::from_value(d.clone()).ok()).unwrap_or_default();
                let data = data
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (k, v)
                    })
                    .collect();
                self.signs.cilium_config = Some((origin.clone(), data));
                Ok(())
            }
            ("projectcalico.org" | "crd.projectcalico.org", _) => {
                let cluster_scoped = kind.starts_with("Global") || kind.starts_with("StagedGlobal") || namespace.is_none() && !kind.contains("NetworkPolicy");
                self.signs.calico_objects.push(ForeignPolicy {
                    kind: kind.clone(),
                    namespace: if cluster_scoped { None } else { Some(namespace.clone().unwrap_or_else(|| "default".into())) },
                    name: name.clone(),
                    origin: origin.clone(),
                });
                Ok(())
            }
            ("cilium.io", "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy") => {
                cilium::read(&ctx, v).map(|o| self.cilium.push((o, input.text.to_string())))
            }
            ("policy.linkerd.io", _) if mesh::linkerd::is_policy_kind(&kind) => self.linkerd.read(&ctx, v),
            ("gateway.networking.k8s.io", "HTTPRoute" | "GRPCRoute") => self.linkerd.read(&ctx, v),
            ("meshverdict", "Expectations") => {
                self.expectations.push((origin.clone(), v.clone()));
                Ok(())
            }
            _ => {
                let what = if kind.is_empty() { "an object without `kind`".to_string() } else { format!("kind {kind} ({api_version})") };
                self.warnings.push(Warning {
                    code: WarningCode::UnknownKind,
                    message: format!("skipped {what}: meshverdict does not read it"),
                    location: Some(origin.location(None, None)),
                });
                Ok(())
            }
        };
        if let Err(error) = result {
            if kind == "Pod" || ctx.kind.ends_with("Set") || matches!(kind.as_str(), "Deployment" | "Job" | "CronJob") {
                self.invalid_endpoints.insert((namespace.clone().unwrap_or_else(|| "default".into()), name.clone()), error.clone());
            }
            self.invalid.push(Invalid { kind, namespace, name, error });
        }
        Ok(())
    }

    fn namespace_entry(&mut self, name: &str) -> &mut Namespace {
        self.namespaces.entry(name.to_string()).or_insert_with(|| Namespace {
            name: name.to_string(),
            labels: BTreeMap::from([("kubernetes.io/metadata.name".to_string(), name.to_string())]),
            annotations: BTreeMap::new(),
            declared: false,
        })
    }

    fn read_namespace(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        let ns: K8sNamespace = ctx.deserialize(v)?;
        let meta = read_meta(ctx, Some(&ns.metadata), false)?;
        check_dns_label(&meta.name).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, "metadata.name", m))?;
        let mut labels = meta.labels;
        // The API server always sets this label to the name (NamespaceDefaultLabelName).
        labels.insert("kubernetes.io/metadata.name".into(), meta.name.clone());
        self.namespaces.insert(
            meta.name.clone(),
            Namespace { name: meta.name, labels, annotations: meta.annotations, declared: true },
        );
        Ok(())
    }

    fn push_endpoint(
        &mut self,
        ctx: &Ctx,
        kind: EndpointKind,
        meta: Meta,
        spec: &PodSpecView,
        ips: Vec<IpAddr>,
        spec_field: &str,
    ) -> Result<(), Error> {
        let containers = read_containers(ctx, spec, spec_field)?;
        let ports = containers.iter().flat_map(|c| c.ports.iter().cloned()).collect();
        let service_account = spec
            .service_account_name
            .clone()
            .or_else(|| spec.service_account.clone())
            .unwrap_or_else(|| "default".to_string());
        if let Some(node) = &spec.node_name {
            self.nodes.entry(node.clone()).or_insert_with(|| Node {
                name: node.clone(),
                labels: Labels::new(),
                addresses: Vec::new(),
                declared: false,
            });
        }
        self.namespace_entry(&meta.namespace);
        let key = (kind, meta.namespace.clone(), meta.name.clone());
        let duplicate = self.endpoint_index.get(&key).copied();
        if duplicate.is_some() {
            self.warnings.push(Warning {
                code: WarningCode::DuplicateObject,
                message: format!("{} {}/{} is given twice; the later one is used", kind.as_str(), meta.namespace, meta.name),
                location: Some(ctx.origin.location(None, None)),
            });
        }
        let endpoint = Endpoint {
            index: 0,
            kind,
            namespace: meta.namespace,
            name: meta.name,
            labels: meta.labels,
            annotations: meta.annotations,
            containers,
            ports,
            ips,
            node: spec.node_name.clone(),
            service_account,
            origin: ctx.origin.clone(),
            uid: meta.uid,
            owners: meta.owners,
        };
        match duplicate.and_then(|i| self.endpoints.get_mut(i)) {
            Some(slot) => *slot = endpoint,
            None => {
                self.endpoint_index.insert(key, self.endpoints.len());
                self.endpoints.push(endpoint);
            }
        }
        Ok(())
    }

    fn read_pod(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        let pod: PodView = ctx.deserialize(v)?;
        let meta = read_meta(ctx, pod.metadata.as_ref(), true)?;
        let spec = pod.spec.unwrap_or_default();
        let mut ips = Vec::new();
        if let Some(status) = &pod.status {
            if let Some(ip) = &status.pod_ip {
                if !ip.is_empty() {
                    ips.push(parse_ip(ctx, ip, "status.podIP")?);
                }
            }
            for (i, p) in status.pod_ips.iter().flatten().enumerate() {
                if let Some(ip) = &p.ip {
                    let ip = parse_ip(ctx, ip, &format!("status.podIPs[{i}].ip"))?;
                    if !ips.contains(&ip) {
                        ips.push(ip);
                    }
                }
            }
        }
        if spec.host_network == Some(true) {
            // A host-network Pod is its node's host network, not a pod endpoint.
            let node = spec.node_name.clone().unwrap_or_default();
            if node.is_empty() {
                return Err(ctx.error(
                    ErrorCode::InvalidField,
                    "spec.nodeName",
                    "a Pod with hostNetwork: true needs spec.nodeName: it is its node's host network",
                ));
            }
            let entry = self.nodes.entry(node.clone()).or_insert_with(|| Node {
                name: node.clone(),
                labels: Labels::new(),
                addresses: Vec::new(),
                declared: false,
            });
            // Its podIP is the node's address.
            for ip in ips {
                if !entry.addresses.contains(&ip) {
                    entry.addresses.push(ip);
                }
            }
            self.namespace_entry(&meta.namespace);
            self.host_pods.insert((meta.namespace, meta.name), node);
            return Ok(());
        }
        self.push_endpoint(ctx, EndpointKind::Pod, meta, &spec, ips, "spec")
    }

    fn read_workload(&mut self, ctx: &Ctx, v: &Value, kind: EndpointKind) -> Result<(), Error> {
        let w: WorkloadView = ctx.deserialize(v)?;
        let meta = read_meta(ctx, w.metadata.as_ref(), true)?;
        let spec = w.spec.unwrap_or_default();
        let (template, field) = if kind == EndpointKind::CronJob {
            (spec.job_template.and_then(|j| j.spec).and_then(|s| s.template), "spec.jobTemplate.spec.template")
        } else {
            (spec.template, "spec.template")
        };
        let Some(template) = template else {
            return Err(ctx.error(ErrorCode::InvalidField, field, "is required: the pod template is the endpoint"));
        };
        let tmeta = template.metadata.unwrap_or_default();
        let labels = tmeta.labels.unwrap_or_default();
        check_labels(ctx, &labels, &format!("{field}.metadata.labels"))?;
        let endpoint_meta = Meta {
            name: meta.name,
            namespace: meta.namespace,
            labels,
            annotations: tmeta.annotations.unwrap_or_default(),
            uid: meta.uid,
            owners: meta.owners,
        };
        let pod_spec = template.spec.unwrap_or_default();
        if pod_spec.host_network == Some(true) {
            self.warnings.push(Warning {
                code: WarningCode::HostNetworkWorkload,
                message: format!(
                    "{} {}/{} runs with hostNetwork: its pods are their nodes' host network, which no pod policy selects",
                    kind.as_str(),
                    endpoint_meta.namespace,
                    endpoint_meta.name
                ),
                location: Some(ctx.origin.location(Some(&format!("{field}.spec.hostNetwork")), None)),
            });
            self.namespace_entry(&endpoint_meta.namespace);
            return Ok(());
        }
        self.push_endpoint(ctx, kind, endpoint_meta, &pod_spec, Vec::new(), &format!("{field}.spec"))
    }

    fn read_service(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        let svc: K8sService = ctx.deserialize(v)?;
        let meta = read_meta(ctx, Some(&svc.metadata), true)?;
        let spec = svc.spec.unwrap_or_default();
        let mut ports = Vec::new();
        for (i, p) in spec.ports.iter().flatten().enumerate() {
            let at = format!("spec.ports[{i}]");
            let port = u16::try_from(p.port)
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| ctx.error(ErrorCode::InvalidPolicy, &format!("{at}.port"), "must be between 1 and 65535, inclusive"))?;
            let protocol = match p.protocol.as_deref() {
                None => Protocol::Tcp,
                Some(s) => Protocol::parse(s).ok_or_else(|| {
                    ctx.error(ErrorCode::InvalidPolicy, &format!("{at}.protocol"), format!("unsupported protocol {s:?}"))
                })?,
            };
            use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
            let target = match &p.target_port {
                None => TargetPort::Number(port),
                Some(IntOrString::Int(n)) => TargetPort::Number(u16::try_from(*n).ok().filter(|n| *n >= 1).ok_or_else(|| {
                    ctx.error(ErrorCode::InvalidPolicy, &format!("{at}.targetPort"), "must be between 1 and 65535, inclusive")
                })?),
                Some(IntOrString::String(s)) => match s.parse::<u16>() {
                    Ok(n) if n >= 1 => TargetPort::Number(n),
                    _ => TargetPort::Name(s.clone()),
                },
            };
            ports.push(ServicePort { name: p.name.clone(), port, target, protocol, app_protocol: p.app_protocol.clone() });
        }
        let selector = spec.selector.filter(|s| !s.is_empty());
        if let Some(sel) = &selector {
            check_labels(ctx, sel, "spec.selector")?;
        }
        self.namespace_entry(&meta.namespace);
        self.services.push(Service {
            namespace: meta.namespace,
            name: meta.name,
            labels: meta.labels,
            selector,
            ports,
            annotations: meta.annotations,
            origin: ctx.origin.clone(),
        });
        Ok(())
    }

    fn read_node(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        let node: NodeView = ctx.deserialize(v)?;
        let meta = read_meta(ctx, node.metadata.as_ref(), false)?;
        check_dns_subdomain(&meta.name).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, "metadata.name", m))?;
        let mut addresses = Vec::new();
        for (i, a) in node.status.and_then(|s| s.addresses).unwrap_or_default().iter().enumerate() {
            let is_ip = matches!(a.kind.as_deref(), Some("InternalIP" | "ExternalIP"));
            if let (true, Some(addr)) = (is_ip, &a.address) {
                addresses.push(parse_ip(ctx, addr, &format!("status.addresses[{i}].address"))?);
            }
        }
        let entry = self.nodes.entry(meta.name.clone()).or_insert_with(|| Node {
            name: meta.name.clone(),
            labels: Labels::new(),
            addresses: Vec::new(),
            declared: false,
        });
        entry.declared = true;
        entry.labels = meta.labels;
        for a in addresses {
            if !entry.addresses.contains(&a) {
                entry.addresses.push(a);
            }
        }
        Ok(())
    }

    fn read_endpoints(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        let ep: EndpointsView = ctx.deserialize(v)?;
        let meta = read_meta(ctx, ep.metadata.as_ref(), true)?;
        if meta.namespace != "default" || meta.name != "kubernetes" {
            return Ok(());
        }
        for (i, s) in ep.subsets.iter().flatten().enumerate() {
            for (j, a) in s.addresses.iter().flatten().enumerate() {
                if let Some(ip) = &a.ip {
                    let ip = parse_ip(ctx, ip, &format!("subsets[{i}].addresses[{j}].ip"))?;
                    if !self.api_server.contains(&ip) {
                        self.api_server.push(ip);
                    }
                }
            }
            for p in s.ports.iter().flatten() {
                if let Some(port) = p.port.and_then(|p| u16::try_from(p).ok()) {
                    if !self.api_server_ports.contains(&port) {
                        self.api_server_ports.push(port);
                    }
                }
            }
        }
        Ok(())
    }

    fn read_endpoint_slice(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        let es: EndpointSliceView = ctx.deserialize(v)?;
        let meta = read_meta(ctx, es.metadata.as_ref(), true)?;
        let for_api =
            meta.namespace == "default" && meta.labels.get("kubernetes.io/service-name").map(String::as_str) == Some("kubernetes");
        if !for_api {
            return Ok(());
        }
        for (i, e) in es.endpoints.iter().flatten().enumerate() {
            for (j, a) in e.addresses.iter().flatten().enumerate() {
                let ip = parse_ip(ctx, a, &format!("endpoints[{i}].addresses[{j}]"))?;
                if !self.api_server.contains(&ip) {
                    self.api_server.push(ip);
                }
            }
        }
        for p in es.ports.iter().flatten() {
            if let Some(port) = p.port.and_then(|p| u16::try_from(p).ok()) {
                if !self.api_server_ports.contains(&port) {
                    self.api_server_ports.push(port);
                }
            }
        }
        Ok(())
    }

    fn read_netpol(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        let np: NetworkPolicy = ctx.deserialize(v)?;
        let meta = read_meta(ctx, Some(&np.metadata), true)?;
        check_dns_subdomain(&meta.name).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, "metadata.name", m))?;
        self.namespace_entry(&meta.namespace);
        let obj = NetPolObject { namespace: meta.namespace, name: meta.name, policy: np, origin: ctx.origin.clone() };
        self.policies.push(netpol::compile(ctx, &obj)?);
        self.netpols.push(obj);
        Ok(())
    }

    /// Namespaces referenced by objects exist even when not declared.
    fn finish(&mut self) {
        let referenced: Vec<String> = self
            .cilium
            .iter()
            .filter_map(|c| c.0.namespace.clone())
            .chain(self.linkerd.namespaces())
            .chain(self.invalid.iter().filter_map(|i| i.namespace.clone()))
            .collect();
        for ns in referenced {
            self.namespace_entry(&ns);
        }
        self.find_agents();
        self.resolve_owners();
        for (i, e) in self.endpoints.iter_mut().enumerate() {
            e.index = i;
        }
        cilium::compile_all(self);
    }

    /// Cilium's agent (`quay.io/cilium/cilium`) and operator, and `calico/node`, by the
    /// images of workloads and Pods: what Helm charts and operators deploy.
    fn find_agents(&mut self) {
        fn runs(e: &Endpoint, repo: &str) -> bool {
            e.containers.iter().filter_map(|c| c.image.as_deref()).any(|image| {
                // `registry/cilium/cilium:v1.18.1@sha256:…`: the repository path, without
                // tag or digest, ends with the image name.
                let path = image.split('@').next().unwrap_or(image);
                let path = match path.rsplit_once(':') {
                    Some((p, tag)) if !tag.contains('/') => p,
                    _ => path,
                };
                path == repo || path.ends_with(&format!("/{repo}"))
            })
        }
        for e in &self.endpoints {
            let what = format!("{} {}/{}", e.kind.as_str(), e.namespace, e.name);
            if runs(e, "cilium/cilium") || runs(e, "cilium/operator-generic") || runs(e, "cilium/operator") {
                self.signs.cilium_agents.push(what);
            } else if runs(e, "calico/node") || (e.kind == EndpointKind::DaemonSet && e.name == "calico-node") {
                self.signs.calico_nodes.push(what);
            }
        }
    }

    /// A live dump (`kubectl get -o yaml`) holds a Deployment, the ReplicaSets it owns
    /// and their Pods, chained by `ownerReferences`: a running pod must count once.
    /// A workload owned by another workload of the input is no endpoint; a workload's
    /// template is an endpoint only when no Pod it owns (directly or through that
    /// chain) is in the input; a reference to such a workload names its Pods.
    /// Owners match by kind and name in the object's namespace (owners are always in
    /// the same namespace, API reference ObjectMeta.ownerReferences), and by uid when
    /// both sides give one (a recreated workload has a new uid).
    fn resolve_owners(&mut self) {
        let mut workloads: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for (i, e) in self.endpoints.iter().enumerate() {
            if e.kind != EndpointKind::Pod {
                workloads.insert((e.namespace.as_str(), e.kind.as_str(), e.name.as_str()), i);
            }
        }
        if workloads.is_empty() {
            return;
        }
        let parent: Vec<Option<usize>> = self
            .endpoints
            .iter()
            .map(|e| {
                let mut owners: Vec<&OwnerRef> = e.owners.iter().collect();
                // The managing controller first: it is the owner that created the object.
                owners.sort_by_key(|o| !o.controller);
                owners.iter().find_map(|o| {
                    let i = *workloads.get(&(e.namespace.as_str(), o.kind.as_str(), o.name.as_str()))?;
                    let w = self.endpoints.get(i)?;
                    let uid_ok = match (&o.uid, &w.uid) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    };
                    uid_ok.then_some(i)
                })
            })
            .collect();
        let n = self.endpoints.len();
        let mut named_pods: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut has_parent = vec![false; n];
        for (i, p) in parent.iter().enumerate() {
            if p.is_some() {
                if let Some(slot) = has_parent.get_mut(i) {
                    *slot = true;
                }
            }
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            if e.kind != EndpointKind::Pod {
                continue;
            }
            // Walk up the chain; a cycle (malformed input) cannot loop: at most n steps.
            let mut at = parent.get(i).copied().flatten();
            let mut steps = 0;
            while let Some(w) = at {
                if steps > n {
                    break;
                }
                steps += 1;
                if let Some(list) = named_pods.get_mut(w) {
                    list.push(i);
                }
                at = parent.get(w).copied().flatten();
            }
        }
        let keep: Vec<bool> = self
            .endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| {
                e.kind == EndpointKind::Pod
                    || (!has_parent.get(i).copied().unwrap_or(false) && named_pods.get(i).is_none_or(Vec::is_empty))
            })
            .collect();
        if keep.iter().all(|k| *k) {
            return;
        }
        // Renumber: the kept endpoints keep their order.
        let mut new_index = vec![None; n];
        let mut next = 0;
        for (i, k) in keep.iter().enumerate() {
            if *k {
                if let Some(slot) = new_index.get_mut(i) {
                    *slot = Some(next);
                }
                next += 1;
            }
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            if keep.get(i).copied().unwrap_or(true) {
                continue;
            }
            let pods: Vec<usize> = named_pods.get(i).into_iter().flatten().filter_map(|p| new_index.get(*p).copied().flatten()).collect();
            self.workload_pods.insert((e.namespace.clone(), e.name.clone()), pods);
        }
        let mut i = 0;
        self.endpoints.retain(|_| {
            let k = keep.get(i).copied().unwrap_or(true);
            i += 1;
            k
        });
        self.endpoint_index.clear();
    }

    /// The location of `field` of the object at `origin`, with its line.
    pub fn locate(&self, origin: &Origin, field: &str) -> Location {
        let line = self.texts.get(&origin.source).and_then(|t| locate(t, origin.document, &parse_path(&origin.path(field))));
        origin.location(Some(field), line)
    }

    pub fn namespace_labels(&self, ns: &str) -> Option<&Labels> {
        self.namespaces.get(ns).map(|n| &n.labels)
    }
}
