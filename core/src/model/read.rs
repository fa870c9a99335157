//! Documents → objects: one reader per kind, each checking what the API server would
//! check of the fields a verdict reads.

use std::collections::BTreeMap;
use std::net::IpAddr;

use k8s_openapi::api::core::v1::{ContainerPort, Namespace as K8sNamespace, Service as K8sService};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::*;
use crate::error::ErrorCode;
use crate::ports::{check_port_name, Protocol};
use crate::selector::{check_dns_label, check_dns_subdomain, check_label_key, check_label_value};
use crate::source::{locate, parse_path, Document, Limits};

/// The context of one object while it is read.
pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub origin: Origin,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// Where the object starts (its document, or its List item): a field's line is
    /// found from there, not by re-parsing the stream from the start for every error.
    pub start: Option<Located>,
}

/// Where an object starts in its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Located {
    Document(crate::source::Start),
    Item(crate::source::Start),
}

impl Ctx<'_> {
    /// An error located at `field` of this object, with its YAML line.
    pub fn error(&self, code: ErrorCode, field: &str, message: impl Into<String>) -> Error {
        let line = match self.start {
            Some(Located::Item(start)) => {
                crate::source::locate_item(self.text, start, &parse_path(field))
            }
            Some(Located::Document(start)) => {
                crate::source::locate_from(self.text, start, &parse_path(&self.origin.path(field)))
            }
            None => locate(
                self.text,
                self.origin.document,
                &parse_path(&self.origin.path(field)),
            ),
        };
        let what = match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        };
        Error::new(
            code,
            format!(
                "{what}: {}{}",
                if field.is_empty() {
                    String::new()
                } else {
                    format!("{field}: ")
                },
                message.into()
            ),
        )
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

pub(crate) fn read_meta(
    ctx: &Ctx,
    meta: Option<&ObjectMeta>,
    namespaced: bool,
) -> Result<Meta, Error> {
    // Only the fields kept are copied (not the whole ObjectMeta, once per object).
    let kept = meta.map(|m| ObjectMeta {
        name: m.name.clone(),
        namespace: m.namespace.clone(),
        labels: m.labels.clone(),
        annotations: m.annotations.clone(),
        uid: m.uid.clone(),
        owner_references: m.owner_references.clone(),
        ..ObjectMeta::default()
    });
    read_owned_meta(ctx, kept.unwrap_or_default(), namespaced)
}

/// As [`read_meta`], keeping the metadata's own strings: for the objects read by the
/// hundred thousand (Pods, workloads), whose metadata is read for nothing else.
pub(crate) fn read_owned_meta(
    ctx: &Ctx,
    meta: ObjectMeta,
    namespaced: bool,
) -> Result<Meta, Error> {
    let name = meta.name.unwrap_or_default();
    if name.is_empty() {
        return Err(ctx.error(ErrorCode::InvalidField, "metadata.name", "is required"));
    }
    let namespace = meta.namespace.unwrap_or_else(|| "default".to_string());
    if namespaced {
        check_dns_label(&namespace)
            .map_err(|m| ctx.error(ErrorCode::InvalidPolicy, "metadata.namespace", m))?;
    }
    let labels = meta.labels.unwrap_or_default();
    check_labels(ctx, &labels, "metadata.labels")?;
    let owners = meta
        .owner_references
        .into_iter()
        .flatten()
        .map(|o| OwnerRef {
            kind: o.kind,
            name: o.name,
            uid: Some(o.uid).filter(|u| !u.is_empty()),
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
        check_label_value(v)
            .map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &format!("{field}[\"{k}\"]"), m))?;
    }
    Ok(())
}

/// The images a pod spec runs, for telling the dataplane's agents; a spec whose
/// containers cannot be read shows none.
fn image_names(ctx: &Ctx, spec: &PodSpecView, field: &str) -> Vec<String> {
    read_containers(ctx, spec, field)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.image)
        .collect()
}

fn parse_ip(ctx: &Ctx, s: &str, field: &str) -> Result<IpAddr, Error> {
    s.parse().map_err(|_| {
        ctx.error(
            ErrorCode::InvalidPolicy,
            field,
            format!("{s:?} is not an IP address"),
        )
    })
}

fn read_containers(ctx: &Ctx, spec: &PodSpecView, field: &str) -> Result<Vec<Container>, Error> {
    let mut out = Vec::new();
    let lists = [
        ("containers", &spec.containers, false),
        ("initContainers", &spec.init_containers, true),
    ];
    for (list, containers, init) in lists {
        for (i, c) in containers.iter().flatten().enumerate() {
            let mut ports = Vec::new();
            for (j, p) in c.ports.iter().flatten().enumerate() {
                let at = format!("{field}.{list}[{i}].ports[{j}]");
                let port = u16::try_from(p.container_port)
                    .ok()
                    .filter(|p| *p >= 1)
                    .ok_or_else(|| {
                        ctx.error(
                            ErrorCode::InvalidPolicy,
                            &format!("{at}.containerPort"),
                            "must be between 1 and 65535, inclusive",
                        )
                    })?;
                let protocol = match p.protocol.as_deref() {
                    None => Protocol::Tcp,
                    Some(s) => Protocol::parse(s).ok_or_else(|| {
                        ctx.error(
                            ErrorCode::InvalidPolicy,
                            &format!("{at}.protocol"),
                            format!("unsupported protocol {s:?} (TCP, UDP, SCTP)"),
                        )
                    })?,
                };
                if let Some(name) = &p.name {
                    check_port_name(name).map_err(|m| {
                        ctx.error(ErrorCode::InvalidPolicy, &format!("{at}.name"), m)
                    })?;
                }
                ports.push(NamedPort {
                    name: p.name.clone(),
                    port,
                    protocol,
                });
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

/// The versions the API server serves for the kinds the engine reads (the group's own
/// CRD versions for Cilium and Linkerd); `None` for kinds it does not read.
fn served_version(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    Some(match (group, kind) {
        (
            "",
            "Namespace" | "Pod" | "Service" | "Node" | "ServiceAccount" | "Endpoints" | "ConfigMap",
        ) => &["v1"],
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => &["v1"],
        ("batch", "Job" | "CronJob") => &["v1"],
        ("discovery.k8s.io", "EndpointSlice") => &["v1"],
        ("networking.k8s.io", "NetworkPolicy") => &["v1"],
        ("cilium.io", "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy") => &["v2"],
        _ => return None,
    })
}

impl Model {
    pub(super) fn read_document(
        &mut self,
        input: &Input,
        doc: &Document,
        objects: &mut usize,
        limits: Limits,
    ) -> Result<(), Error> {
        self.note_start(input.name, doc);
        let origin = Origin {
            source: input.name.to_string(),
            document: doc.index,
            prefix: String::new(),
            line: doc.line,
        };
        let is_list = doc.value.get("items").is_some_and(Value::is_array)
            && doc
                .value
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k == "List" || k.ends_with("List"));
        if is_list {
            let items = doc
                .value
                .get("items")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (i, item) in items.iter().enumerate() {
                let prefix = format!("items[{i}]");
                // Recorded while parsing: locating each item anew would parse the List
                // up to it, quadratic in a `kubectl get -o yaml` dump.
                let line = match doc.items.get(i) {
                    Some(start) => start.line,
                    None => locate(input.text, doc.index, &parse_path(&prefix)).unwrap_or(doc.line),
                };
                let origin = Origin {
                    prefix,
                    line,
                    ..origin.clone()
                };
                let start = doc.items.get(i).map(|s| Located::Item(*s));
                self.read_object(input, origin, start, item, objects, limits)?;
            }
            return Ok(());
        }
        self.read_object(
            input,
            origin,
            Some(Located::Document(doc.start)),
            &doc.value,
            objects,
            limits,
        )
    }

    fn read_object(
        &mut self,
        input: &Input,
        origin: Origin,
        start: Option<Located>,
        v: &Value,
        objects: &mut usize,
        limits: Limits,
    ) -> Result<(), Error> {
        *objects += 1;
        if *objects > limits.max_objects {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!(
                    "more than {} objects (limit max_objects)",
                    limits.max_objects
                ),
            )
            .at(origin.location(None, None)));
        }
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let api_version = v
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        let name = v
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let namespace = v
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .map(str::to_string);
        let ctx = Ctx {
            text: input.text,
            origin: origin.clone(),
            kind: kind.clone(),
            namespace: namespace.clone(),
            name: name.clone(),
            start,
        };
        if !v.is_object() {
            return Err(Error::new(
                ErrorCode::InvalidField,
                "a document must be a mapping (a Kubernetes object)",
            )
            .at(origin.location(None, None)));
        }
        let unserved = served_version(group, &kind).and_then(|served| {
            let version = api_version
                .rsplit_once('/')
                .map_or(api_version.as_str(), |(_, v)| v);
            (!served.contains(&version)).then(|| {
                ctx.error(
                    ErrorCode::InvalidField,
                    "apiVersion",
                    format!(
                        "{api_version:?} is not served for {kind}: the API server serves {}",
                        served
                            .iter()
                            .map(|v| if group.is_empty() {
                                (*v).to_string()
                            } else {
                                format!("{group}/{v}")
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
        });
        let result = if let Some(error) = unserved {
            Err(error)
        } else {
            match (group, kind.as_str()) {
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
                    let meta: ObjectMeta =
                        ctx.deserialize(v.get("metadata").unwrap_or(&Value::Null))?;
                    let m = read_meta(&ctx, Some(&meta), true);
                    m.map(|m| {
                        self.service_accounts.insert((m.namespace, m.name));
                    })
                }
                ("", "Endpoints") => self.read_endpoints(&ctx, v),
                ("discovery.k8s.io", "EndpointSlice") => self.read_endpoint_slice(&ctx, v),
                ("networking.k8s.io", "NetworkPolicy") => self.read_netpol(&ctx, v),
                ("", "ConfigMap")
                    if namespace.as_deref() == Some("kube-system") && name == "cilium-config" =>
                {
                    let data: BTreeMap<String, Value> = v
                        .get("data")
                        .and_then(|d| serde_json::from_value(d.clone()).ok())
                        .unwrap_or_default();
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
                    let cluster_scoped = kind.starts_with("Global")
                        || kind.starts_with("StagedGlobal")
                        || namespace.is_none() && !kind.contains("NetworkPolicy");
                    self.signs.calico_objects.push(ForeignPolicy {
                        kind: kind.clone(),
                        namespace: if cluster_scoped {
                            None
                        } else {
                            Some(namespace.clone().unwrap_or_else(|| "default".into()))
                        },
                        name: name.clone(),
                        origin: origin.clone(),
                    });
                    Ok(())
                }
                ("cilium.io", "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy") => {
                    cilium::read(&ctx, v).map(|o| self.cilium.push(o))
                }
                ("policy.linkerd.io", _) if linkerd::is_policy_kind(&kind) => {
                    self.linkerd.read(&ctx, v)
                }
                ("gateway.networking.k8s.io", "HTTPRoute" | "GRPCRoute") => {
                    self.linkerd.read(&ctx, v)
                }
                ("meshverdict", "Expectations") => {
                    self.expectations.push((origin.clone(), v.clone()));
                    Ok(())
                }
                ("meshverdict", "Intents") => {
                    self.intents.push((origin.clone(), v.clone()));
                    Ok(())
                }
                _ => {
                    let what = if kind.is_empty() {
                        "an object without `kind`".to_string()
                    } else {
                        format!("kind {kind} ({api_version})")
                    };
                    self.warnings.push(Warning {
                        code: WarningCode::UnknownKind,
                        message: format!("skipped {what}: meshverdict does not read it"),
                        location: Some(origin.location(None, None)),
                    });
                    Ok(())
                }
            }
        };
        if let Err(error) = result {
            if kind == "Pod"
                || ctx.kind.ends_with("Set")
                || matches!(kind.as_str(), "Deployment" | "Job" | "CronJob")
            {
                self.invalid_endpoints.insert(
                    (
                        namespace.clone().unwrap_or_else(|| "default".into()),
                        name.clone(),
                    ),
                    error.clone(),
                );
            }
            self.invalid.push(Invalid {
                kind,
                namespace,
                name,
                error,
            });
        }
        Ok(())
    }

    pub(super) fn namespace_entry(&mut self, name: &str) -> &mut Namespace {
        self.namespaces
            .entry(name.to_string())
            .or_insert_with(|| Namespace {
                name: name.to_string(),
                labels: BTreeMap::from([(
                    "kubernetes.io/metadata.name".to_string(),
                    name.to_string(),
                )]),
                annotations: BTreeMap::new(),
                declared: false,
            })
    }

    fn read_namespace(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        let ns: K8sNamespace = ctx.deserialize(v)?;
        let meta = read_meta(ctx, Some(&ns.metadata), false)?;
        check_dns_label(&meta.name)
            .map_err(|m| ctx.error(ErrorCode::InvalidPolicy, "metadata.name", m))?;
        let mut labels = meta.labels;
        // The API server always sets this label to the name (NamespaceDefaultLabelName).
        labels.insert("kubernetes.io/metadata.name".into(), meta.name.clone());
        self.namespaces.insert(
            meta.name.clone(),
            Namespace {
                name: meta.name,
                labels,
                annotations: meta.annotations,
                declared: true,
            },
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
        let ports = containers
            .iter()
            .flat_map(|c| c.ports.iter().cloned())
            .collect();
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
                message: format!(
                    "{} {}/{} is given twice; the later one is used",
                    kind.as_str(),
                    meta.namespace,
                    meta.name
                ),
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
            workload: None,
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
        let meta = read_owned_meta(ctx, pod.metadata.unwrap_or_default(), true)?;
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
            // Cilium's and Calico's agents run in the host network: their Pods are no
            // endpoints, but they show the dataplane.
            let images = image_names(ctx, &spec, "spec");
            self.note_agent(EndpointKind::Pod, &meta.namespace, &meta.name, &images);
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
        let meta = read_owned_meta(ctx, w.metadata.unwrap_or_default(), true)?;
        let spec = w.spec.unwrap_or_default();
        let (template, field) = if kind == EndpointKind::CronJob {
            (
                spec.job_template
                    .and_then(|j| j.spec)
                    .and_then(|s| s.template),
                "spec.jobTemplate.spec.template",
            )
        } else {
            (spec.template, "spec.template")
        };
        let Some(template) = template else {
            return Err(ctx.error(
                ErrorCode::InvalidField,
                field,
                "is required: the pod template is the endpoint",
            ));
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
            let images = image_names(ctx, &pod_spec, &format!("{field}.spec"));
            self.note_agent(kind, &endpoint_meta.namespace, &endpoint_meta.name, &images);
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
        self.push_endpoint(
            ctx,
            kind,
            endpoint_meta,
            &pod_spec,
            Vec::new(),
            &format!("{field}.spec"),
        )
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
                .ok_or_else(|| {
                    ctx.error(
                        ErrorCode::InvalidPolicy,
                        &format!("{at}.port"),
                        "must be between 1 and 65535, inclusive",
                    )
                })?;
            let protocol = match p.protocol.as_deref() {
                None => Protocol::Tcp,
                Some(s) => Protocol::parse(s).ok_or_else(|| {
                    ctx.error(
                        ErrorCode::InvalidPolicy,
                        &format!("{at}.protocol"),
                        format!("unsupported protocol {s:?}"),
                    )
                })?,
            };
            use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
            let target = match &p.target_port {
                None => TargetPort::Number(port),
                Some(IntOrString::Int(n)) => TargetPort::Number(
                    u16::try_from(*n).ok().filter(|n| *n >= 1).ok_or_else(|| {
                        ctx.error(
                            ErrorCode::InvalidPolicy,
                            &format!("{at}.targetPort"),
                            "must be between 1 and 65535, inclusive",
                        )
                    })?,
                ),
                Some(IntOrString::String(s)) => match s.parse::<u16>() {
                    Ok(n) if n >= 1 => TargetPort::Number(n),
                    _ => TargetPort::Name(s.clone()),
                },
            };
            ports.push(ServicePort {
                name: p.name.clone(),
                port,
                target,
                protocol,
                app_protocol: p.app_protocol.clone(),
            });
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
        check_dns_subdomain(&meta.name)
            .map_err(|m| ctx.error(ErrorCode::InvalidPolicy, "metadata.name", m))?;
        let mut addresses = Vec::new();
        for (i, a) in node
            .status
            .and_then(|s| s.addresses)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let is_ip = matches!(a.kind.as_deref(), Some("InternalIP" | "ExternalIP"));
            if let (true, Some(addr)) = (is_ip, &a.address) {
                addresses.push(parse_ip(
                    ctx,
                    addr,
                    &format!("status.addresses[{i}].address"),
                )?);
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
        let for_api = meta.namespace == "default"
            && meta
                .labels
                .get("kubernetes.io/service-name")
                .map(String::as_str)
                == Some("kubernetes");
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
        check_dns_subdomain(&meta.name)
            .map_err(|m| ctx.error(ErrorCode::InvalidPolicy, "metadata.name", m))?;
        self.namespace_entry(&meta.namespace);
        let obj = NetPolObject {
            namespace: meta.namespace,
            name: meta.name,
            policy: np,
            origin: ctx.origin.clone(),
        };
        self.netpols.push(obj);
        Ok(())
    }
}
