//! Structure-aware inputs: `arbitrary` builds a Kubernetes-like world (namespaces, pods,
//! workloads, Services, nodes, NetworkPolicies, Cilium policies, a Linkerd control plane
//! and its policy objects, an Expectations document) and renders it to YAML or JSON
//! text. Names, labels, CIDRs and ports come from small pools, so selectors meet labels
//! and ports meet rules far more often than random bytes would; every field can also be
//! replaced by a value of the wrong type or an out-of-range one, which the API server
//! would reject.

use arbitrary::Arbitrary;
use serde_json::{json, Map, Value};

const NAMESPACES: &[&str] = &["default", "shop", "data", "kube-system", "linkerd", "x", "Bad_NS", ""];
const NAMES: &[&str] = &["web", "api", "db", "client", "worker", "coredns", "a", "b-1", "linkerd-destination", "x.y", "UPPER", ""];
const KEYS: &[&str] = &[
    "app",
    "tier",
    "team",
    "k8s-app",
    "app.kubernetes.io/name",
    "linkerd.io/control-plane-component",
    "linkerd.io/proxy-deployment",
    "kubernetes.io/metadata.name",
    "k8s:io.kubernetes.pod.namespace",
    "io.cilium.k8s.namespace.labels.team",
    "bad key",
    "-x",
];
const VALUES: &[&str] = &["web", "api", "db", "client", "blue", "red", "kube-dns", "destination", "shop", "", "a b", "-bad"];
const PORT_NAMES: &[&str] = &["http", "grpc", "dns", "metrics", "linkerd-proxy", "admin-http", "Bad_Name", "toolongportname1"];
const CIDRS: &[&str] = &[
    "10.0.0.0/8",
    "10.244.0.0/16",
    "10.244.1.0/24",
    "10.244.1.7/32",
    "0.0.0.0/0",
    "::/0",
    "2001:db8::/32",
    "192.168.0.0/16",
    "10.0.0.0/33",
    "10.0.0.1",
    "fe80::/129",
    "not-a-cidr",
];
const IPS: &[&str] = &["10.244.1.7", "10.244.1.8", "10.244.2.9", "10.0.0.11", "2001:db8::7", "172.20.0.2", "300.1.1.1", ""];
const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP", "ANY", "ICMP", "tcp"];
const OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist", "Equals"];
const ENTITIES: &[&str] = &["world", "cluster", "host", "remote-node", "kube-apiserver", "all", "health", "everything"];
const FQDNS: &[&str] = &["example.com", "*.example.com", "api.example.org", "*", "**.bad", ""];
const NODES: &[&str] = &["node-a", "node-b", "Node_C"];
const LINKERD_VERSIONS: &[&str] = &["edge-25.3.1", "edge-25.3.2", "stable-2.14.10", "edge-26.8.3", "garbage"];
const INBOUND_POLICIES: &[&str] = &["all-unauthenticated", "all-authenticated", "cluster-authenticated", "deny", "audit", "nonsense"];

/// An index into one of the pools above.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct P(u8);

impl P {
    fn of(self, pool: &[&str]) -> String {
        pool.get(usize::from(self.0) % pool.len().max(1)).copied().unwrap_or_default().to_string()
    }
}

/// A value of the wrong type or out of range, in place of a field.
#[derive(Arbitrary, Debug, Clone)]
pub enum Odd {
    Null,
    Bool(bool),
    Int(i64),
    Float,
    List,
    Map,
    Long(u16),
    Text(String),
}

impl Odd {
    fn value(&self) -> Value {
        match self {
            Odd::Null => Value::Null,
            Odd::Bool(b) => Value::Bool(*b),
            Odd::Int(i) => json!(i),
            Odd::Float => json!(1.5),
            Odd::List => json!(["a", 1]),
            Odd::Map => json!({"a": {"b": []}}),
            Odd::Long(n) => Value::String("a".repeat(usize::from(*n) % 4096)),
            Odd::Text(s) => Value::String(s.chars().take(64).collect()),
        }
    }
}

/// A field: usually a good value, sometimes an odd one.
#[derive(Arbitrary, Debug, Clone)]
pub enum F<T> {
    Good(T),
    Odd(Odd),
}

fn field<T>(f: &F<T>, good: impl FnOnce(&T) -> Value) -> Value {
    match f {
        F::Good(t) => good(t),
        F::Odd(o) => o.value(),
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Labels(Vec<(P, P)>);

impl Labels {
    fn value(&self) -> Value {
        let m: Map<String, Value> = self.0.iter().take(4).map(|(k, v)| (k.of(KEYS), Value::String(v.of(VALUES)))).collect();
        Value::Object(m)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Expr {
    key: P,
    op: P,
    values: Vec<P>,
    with_values: bool,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Selector {
    labels: Option<Labels>,
    exprs: Vec<Expr>,
}

impl Selector {
    fn value(&self) -> Value {
        let mut m = Map::new();
        if let Some(l) = &self.labels {
            m.insert("matchLabels".into(), l.value());
        }
        if !self.exprs.is_empty() {
            let exprs: Vec<Value> = self
                .exprs
                .iter()
                .take(3)
                .map(|e| {
                    let mut x = json!({"key": e.key.of(KEYS), "operator": e.op.of(OPERATORS)});
                    if e.with_values {
                        x["values"] = Value::Array(e.values.iter().take(3).map(|v| Value::String(v.of(VALUES))).collect());
                    }
                    x
                })
                .collect();
            m.insert("matchExpressions".into(), Value::Array(exprs));
        }
        Value::Object(m)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Port {
    Number(u16),
    Named(P),
    Range(u16, u16),
    Wild(i64),
}

impl Port {
    fn netpol(&self, protocol: &Option<P>) -> Value {
        let mut m = match self {
            Port::Number(n) => json!({"port": n}),
            Port::Named(p) => json!({"port": p.of(PORT_NAMES)}),
            Port::Range(a, b) => json!({"port": a, "endPort": b}),
            Port::Wild(n) => json!({"port": n}),
        };
        if let Some(p) = protocol {
            m["protocol"] = Value::String(p.of(PROTOCOLS));
        }
        m
    }

    fn cilium(&self, protocol: &Option<P>) -> Value {
        let mut m = match self {
            Port::Number(n) => json!({"port": n.to_string()}),
            Port::Named(p) => json!({"port": p.of(PORT_NAMES)}),
            Port::Range(a, b) => json!({"port": a.to_string(), "endPort": b}),
            Port::Wild(n) => json!({"port": n}),
        };
        if let Some(p) = protocol {
            m["protocol"] = Value::String(p.of(PROTOCOLS));
        }
        m
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Ns {
    name: P,
    labels: F<Labels>,
    inject: Option<bool>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ContainerPort {
    name: Option<P>,
    port: F<u16>,
    protocol: Option<P>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct PodSpec {
    ports: Vec<ContainerPort>,
    node: Option<P>,
    host_network: bool,
    proxy: bool,
    service_account: Option<P>,
}

impl PodSpec {
    fn value(&self) -> Value {
        let ports: Vec<Value> = self
            .ports
            .iter()
            .take(4)
            .map(|p| {
                let mut m = json!({"containerPort": field(&p.port, |n| json!(n))});
                if let Some(n) = p.name {
                    m["name"] = Value::String(n.of(PORT_NAMES));
                }
                if let Some(pr) = p.protocol {
                    m["protocol"] = Value::String(pr.of(PROTOCOLS));
                }
                m
            })
            .collect();
        let mut containers = vec![json!({"name": "main", "image": "registry.example/app:1", "ports": ports})];
        if self.proxy {
            containers.push(json!({"name": "linkerd-proxy", "ports": [{"name": "linkerd-proxy", "containerPort": 4143}, {"name": "linkerd-admin", "containerPort": 4191}]}));
        }
        let mut spec = json!({"containers": containers});
        if let Some(n) = self.node {
            spec["nodeName"] = Value::String(n.of(NODES));
        }
        if self.host_network {
            spec["hostNetwork"] = Value::Bool(true);
        }
        if let Some(sa) = self.service_account {
            spec["serviceAccountName"] = Value::String(sa.of(NAMES));
        }
        spec
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Pod {
    ns: Option<P>,
    name: P,
    labels: F<Labels>,
    spec: PodSpec,
    ips: Vec<P>,
    inject: Option<bool>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Workload {
    kind: P,
    ns: Option<P>,
    name: P,
    labels: Labels,
    spec: PodSpec,
    template_missing: bool,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct SvcPort {
    name: Option<P>,
    port: F<u16>,
    target: Option<Port>,
    protocol: Option<P>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Svc {
    ns: Option<P>,
    name: P,
    selector: Option<Labels>,
    ports: Vec<SvcPort>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct NodeDef {
    name: P,
    ips: Vec<P>,
    labels: Labels,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Peer {
    Pods(Selector),
    Namespaces(Selector),
    Both(Selector, Selector),
    IpBlock(P, Vec<P>),
    Empty,
    Odd(Odd),
}

impl Peer {
    fn value(&self) -> Value {
        match self {
            Peer::Pods(s) => json!({"podSelector": s.value()}),
            Peer::Namespaces(s) => json!({"namespaceSelector": s.value()}),
            Peer::Both(n, p) => json!({"namespaceSelector": n.value(), "podSelector": p.value()}),
            Peer::IpBlock(c, except) => {
                json!({"ipBlock": {"cidr": c.of(CIDRS), "except": except.iter().take(2).map(|e| e.of(CIDRS)).collect::<Vec<_>>()}})
            }
            Peer::Empty => json!({}),
            Peer::Odd(o) => o.value(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Rule {
    peers: Option<Vec<Peer>>,
    ports: Option<Vec<(Port, Option<P>)>>,
}

impl Rule {
    fn value(&self, peers_key: &str) -> Value {
        let mut m = Map::new();
        if let Some(peers) = &self.peers {
            m.insert(peers_key.into(), Value::Array(peers.iter().take(4).map(Peer::value).collect()));
        }
        if let Some(ports) = &self.ports {
            m.insert("ports".into(), Value::Array(ports.iter().take(4).map(|(p, pr)| p.netpol(pr)).collect()));
        }
        Value::Object(m)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct NetPol {
    ns: Option<P>,
    name: P,
    subject: Option<Selector>,
    ingress: Option<Vec<Rule>>,
    egress: Option<Vec<Rule>>,
    types: Option<Vec<P>>,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum CiliumPeer {
    Endpoints(Vec<Selector>),
    Entities(Vec<P>),
    Cidr(Vec<P>),
    CidrSet(P, Vec<P>),
    Fqdn(Vec<P>),
    PortsOnly,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct CiliumRule {
    peer: CiliumPeer,
    ports: Option<Vec<(Port, Option<P>)>>,
    l7: bool,
}

impl CiliumRule {
    fn value(&self, ingress: bool) -> Value {
        let dir = if ingress { "from" } else { "to" };
        let mut m = Map::new();
        match &self.peer {
            CiliumPeer::Endpoints(s) => {
                m.insert(format!("{dir}Endpoints"), Value::Array(s.iter().take(3).map(Selector::value).collect()));
            }
            CiliumPeer::Entities(e) => {
                m.insert(format!("{dir}Entities"), Value::Array(e.iter().take(3).map(|p| Value::String(p.of(ENTITIES))).collect()));
            }
            CiliumPeer::Cidr(c) => {
                m.insert(format!("{dir}CIDR"), Value::Array(c.iter().take(3).map(|p| Value::String(p.of(CIDRS))).collect()));
            }
            CiliumPeer::CidrSet(c, except) => {
                m.insert(
                    format!("{dir}CIDRSet"),
                    json!([{"cidr": c.of(CIDRS), "except": except.iter().take(2).map(|e| e.of(CIDRS)).collect::<Vec<_>>()}]),
                );
            }
            CiliumPeer::Fqdn(f) => {
                let pats: Vec<Value> = f.iter().take(3).map(|p| json!({"matchPattern": p.of(FQDNS)})).collect();
                m.insert("toFQDNs".into(), Value::Array(pats));
            }
            CiliumPeer::PortsOnly => {}
        }
        if let Some(ports) = &self.ports {
            let mut tp = json!({"ports": ports.iter().take(3).map(|(p, pr)| p.cilium(pr)).collect::<Vec<_>>()});
            if self.l7 {
                tp["rules"] = json!({"http": [{"method": "GET", "path": "/"}]});
            }
            m.insert("toPorts".into(), json!([tp]));
        }
        Value::Object(m)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Cnp {
    clusterwide: bool,
    ns: Option<P>,
    name: P,
    subject: Selector,
    ingress: Option<Vec<CiliumRule>>,
    egress: Option<Vec<CiliumRule>>,
    ingress_deny: Option<Vec<CiliumRule>>,
    egress_deny: Option<Vec<CiliumRule>>,
    specs: bool,
    default_deny_off: bool,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Linkerd {
    version: P,
    inbound: P,
    components: u8,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum LinkerdPolicy {
    Server { ns: Option<P>, name: P, selector: Selector, port: Port, opaque: bool, access: Option<P> },
    Authz { ns: Option<P>, name: P, server: P, auth: P, mtls: bool },
    MeshTls { ns: Option<P>, name: P, identities: Vec<P> },
    Network { ns: Option<P>, name: P, cidrs: Vec<P> },
}

#[derive(Arbitrary, Debug, Clone)]
pub struct FlowDef {
    from: P,
    to: P,
    port: Port,
    protocol: Option<P>,
    allow: bool,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Layout {
    Block,
    Json,
    List,
    /// Documents dealt over this many inputs (at least one).
    Split(u8),
}

/// The whole generated input.
#[derive(Arbitrary, Debug, Clone)]
pub struct World {
    pub dataplane: u8,
    pub layout: Layout,
    namespaces: Vec<Ns>,
    pods: Vec<Pod>,
    workloads: Vec<Workload>,
    services: Vec<Svc>,
    nodes: Vec<NodeDef>,
    netpols: Vec<NetPol>,
    cnps: Vec<Cnp>,
    linkerd: Option<Linkerd>,
    linkerd_policies: Vec<LinkerdPolicy>,
    flows: Vec<FlowDef>,
    api_server: bool,
}

fn meta(name: &P, ns: &Option<P>, labels: Option<Value>) -> Value {
    let mut m = json!({"name": name.of(NAMES)});
    if let Some(ns) = ns {
        m["namespace"] = Value::String(ns.of(NAMESPACES));
    }
    if let Some(l) = labels {
        m["labels"] = l;
    }
    m
}

fn inject_annotation(inject: Option<bool>) -> Value {
    match inject {
        Some(true) => json!({"linkerd.io/inject": "enabled"}),
        Some(false) => json!({"linkerd.io/inject": "disabled"}),
        None => json!({}),
    }
}

impl World {
    /// The objects, in order, as JSON values.
    pub fn documents(&self) -> Vec<Value> {
        let mut docs = Vec::new();
        for n in self.namespaces.iter().take(6) {
            docs.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": n.name.of(NAMESPACES), "labels": field(&n.labels, Labels::value), "annotations": inject_annotation(n.inject)}}));
        }
        for n in self.nodes.iter().take(3) {
            let addresses: Vec<Value> = n.ips.iter().take(2).map(|ip| json!({"type": "InternalIP", "address": ip.of(IPS)})).collect();
            docs.push(json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": n.name.of(NODES), "labels": n.labels.value()},
                "status": {"addresses": addresses}}));
        }
        if self.api_server {
            docs.push(json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"kubernetes.io/service-name": "kubernetes"}},
                "addressType": "IPv4", "endpoints": [{"addresses": ["172.20.0.2"]}], "ports": [{"name": "https", "port": 6443}]}));
        }
        for p in self.pods.iter().take(12) {
            let mut m = meta(&p.name, &p.ns, Some(field(&p.labels, Labels::value)));
            m["annotations"] = inject_annotation(p.inject);
            let ips: Vec<String> = p.ips.iter().take(2).map(|i| i.of(IPS)).collect();
            let mut status = json!({});
            if let Some(first) = ips.first() {
                status["podIP"] = Value::String(first.clone());
                status["podIPs"] = Value::Array(ips.iter().map(|i| json!({"ip": i})).collect());
            }
            docs.push(json!({"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": p.spec.value(), "status": status}));
        }
        for w in self.workloads.iter().take(4) {
            let (api, kind) = *[("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"), ("batch/v1", "Job"), ("batch/v1", "CronJob")]
                .get(usize::from(w.kind.0) % 5)
                .unwrap_or(&("apps/v1", "Deployment"));
            let template = json!({"metadata": {"labels": w.labels.value()}, "spec": w.spec.value()});
            let spec = match (w.template_missing, kind) {
                (true, _) => json!({}),
                (false, "CronJob") => json!({"jobTemplate": {"spec": {"template": template}}}),
                (false, _) => json!({"selector": {"matchLabels": w.labels.value()}, "template": template}),
            };
            docs.push(json!({"apiVersion": api, "kind": kind, "metadata": meta(&w.name, &w.ns, None), "spec": spec}));
        }
        for s in self.services.iter().take(4) {
            let ports: Vec<Value> = s
                .ports
                .iter()
                .take(3)
                .map(|p| {
                    let mut m = json!({"port": field(&p.port, |n| json!(n))});
                    if let Some(n) = p.name {
                        m["name"] = Value::String(n.of(PORT_NAMES));
                    }
                    if let Some(pr) = p.protocol {
                        m["protocol"] = Value::String(pr.of(PROTOCOLS));
                    }
                    match &p.target {
                        Some(Port::Number(n) | Port::Range(n, _)) => m["targetPort"] = json!(n),
                        Some(Port::Named(n)) => m["targetPort"] = Value::String(n.of(PORT_NAMES)),
                        Some(Port::Wild(n)) => m["targetPort"] = json!(n),
                        None => {}
                    }
                    m
                })
                .collect();
            let mut spec = json!({"ports": ports});
            if let Some(sel) = &s.selector {
                spec["selector"] = sel.value();
            }
            docs.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": meta(&s.name, &s.ns, None), "spec": spec}));
        }
        for n in self.netpols.iter().take(6) {
            let mut spec = Map::new();
            if let Some(s) = &n.subject {
                spec.insert("podSelector".into(), s.value());
            }
            if let Some(rules) = &n.ingress {
                spec.insert("ingress".into(), Value::Array(rules.iter().take(3).map(|r| r.value("from")).collect()));
            }
            if let Some(rules) = &n.egress {
                spec.insert("egress".into(), Value::Array(rules.iter().take(3).map(|r| r.value("to")).collect()));
            }
            if let Some(types) = &n.types {
                let t: Vec<Value> = types.iter().take(2).map(|p| Value::String(p.of(&["Ingress", "Egress", "ingress"]))).collect();
                spec.insert("policyTypes".into(), Value::Array(t));
            }
            docs.push(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(&n.name, &n.ns, None), "spec": spec}));
        }
        for c in self.cnps.iter().take(4) {
            let mut spec = Map::new();
            spec.insert("endpointSelector".into(), c.subject.value());
            for (key, rules, ingress) in [
                ("ingress", &c.ingress, true),
                ("egress", &c.egress, false),
                ("ingressDeny", &c.ingress_deny, true),
                ("egressDeny", &c.egress_deny, false),
            ] {
                if let Some(rules) = rules {
                    spec.insert(key.into(), Value::Array(rules.iter().take(3).map(|r| r.value(ingress)).collect()));
                }
            }
            if c.default_deny_off {
                spec.insert("enableDefaultDeny".into(), json!({"ingress": false, "egress": false}));
            }
            let body = if c.specs { json!({"specs": [Value::Object(spec)]}) } else { json!({"spec": Value::Object(spec)}) };
            let kind = if c.clusterwide { "CiliumClusterwideNetworkPolicy" } else { "CiliumNetworkPolicy" };
            let mut doc = json!({"apiVersion": "cilium.io/v2", "kind": kind, "metadata": meta(&c.name, &if c.clusterwide { None } else { c.ns }, None)});
            if let (Value::Object(d), Value::Object(b)) = (&mut doc, body) {
                d.extend(b);
            }
            docs.push(doc);
        }
        if let Some(l) = &self.linkerd {
            docs.extend(linkerd_control_plane(l));
        }
        for p in self.linkerd_policies.iter().take(4) {
            docs.push(linkerd_policy(p));
        }
        if !self.flows.is_empty() {
            let flows: Vec<Value> = self
                .flows
                .iter()
                .take(6)
                .map(|f| {
                    let endpoint = |p: &P| format!("{}/{}", NAMESPACES.get(usize::from(p.0 >> 4) % 4).copied().unwrap_or("default"), p.of(NAMES));
                    let port = match &f.port {
                        Port::Named(n) => Value::String(n.of(PORT_NAMES)),
                        Port::Number(n) | Port::Range(n, _) => json!(n),
                        Port::Wild(n) => json!(n),
                    };
                    let mut m = json!({"from": endpoint(&f.from), "to": endpoint(&f.to), "port": port, "expect": if f.allow { "allow" } else { "deny" }});
                    if let Some(pr) = f.protocol {
                        m["protocol"] = Value::String(pr.of(PROTOCOLS));
                    }
                    m
                })
                .collect();
            let dataplane = ["generic", "calico", "cilium"].get(usize::from(self.dataplane) % 3).copied();
            docs.push(json!({"apiVersion": "meshverdict/v1", "kind": "Expectations", "metadata": {"name": "generated"},
                "spec": {"dataplane": dataplane, "flows": flows,
                    "diagnostics": [{"code": "mesh-flow-blocked"}], "absentDiagnostics": [{"code": "invalid-policy"}]}}));
        }
        docs
    }

    /// The inputs to load, named `gen-N.yaml`, laid out as `layout` says.
    pub fn render(&self) -> Vec<(String, String)> {
        let docs = self.documents();
        match self.layout {
            Layout::Block => vec![("gen-0.yaml".into(), stream(&docs, block))],
            Layout::Json => vec![("gen-0.json".into(), stream(&docs, |v| serde_json::to_string_pretty(v).unwrap_or_default()))],
            Layout::List => {
                let list = json!({"apiVersion": "v1", "kind": "List", "items": docs});
                vec![("gen-0.yaml".into(), block(&list))]
            }
            Layout::Split(n) => {
                let n = usize::from(n % 4) + 1;
                (0..n)
                    .map(|i| {
                        let mine: Vec<Value> = docs.iter().skip(i).step_by(n).cloned().collect();
                        (format!("gen-{i}.yaml"), stream(&mine, block))
                    })
                    .collect()
            }
        }
    }
}

fn linkerd_control_plane(l: &Linkerd) -> Vec<Value> {
    let version = l.version.of(LINKERD_VERSIONS);
    let mut docs = vec![json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "linkerd",
        "labels": {"linkerd.io/is-control-plane": "true"}, "annotations": {"linkerd.io/inject": "disabled",
        "config.linkerd.io/default-inbound-policy": l.inbound.of(INBOUND_POLICIES)}}})];
    let components = [("destination", 8086u16), ("identity", 8080), ("proxy-injector", 8443), ("prometheus", 9090), ("tap", 8089)];
    for (i, (component, port)) in components.iter().enumerate() {
        if l.components & (1 << i) == 0 {
            continue;
        }
        let labels = json!({"linkerd.io/control-plane-component": component, "linkerd.io/control-plane-ns": "linkerd",
            "linkerd.io/proxy-deployment": format!("linkerd-{component}")});
        docs.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": format!("linkerd-{component}"), "namespace": "linkerd", "labels": labels,
                "annotations": {"linkerd.io/created-by": format!("linkerd/helm {version}")}},
            "spec": {"selector": {"matchLabels": labels}, "template": {
                "metadata": {"labels": labels, "annotations": {"linkerd.io/proxy-version": version}},
                "spec": {"containers": [
                    {"name": component, "ports": [{"name": "grpc", "containerPort": port}]},
                    {"name": "linkerd-proxy", "ports": [{"name": "linkerd-proxy", "containerPort": 4143}, {"name": "linkerd-admin", "containerPort": 4191}]}
                ]}}}}));
    }
    docs
}

fn linkerd_policy(p: &LinkerdPolicy) -> Value {
    match p {
        LinkerdPolicy::Server { ns, name, selector, port, opaque, access } => {
            let port = match port {
                Port::Named(n) => Value::String(n.of(PORT_NAMES)),
                Port::Number(n) | Port::Range(n, _) => json!(n),
                Port::Wild(n) => json!(n),
            };
            let mut spec = json!({"podSelector": selector.value(), "port": port});
            if *opaque {
                spec["proxyProtocol"] = json!("opaque");
            }
            if let Some(a) = access {
                spec["accessPolicy"] = Value::String(a.of(INBOUND_POLICIES));
            }
            json!({"apiVersion": "policy.linkerd.io/v1beta3", "kind": "Server", "metadata": meta(name, ns, None), "spec": spec})
        }
        LinkerdPolicy::Authz { ns, name, server, auth, mtls } => {
            let kind = if *mtls { "MeshTLSAuthentication" } else { "NetworkAuthentication" };
            json!({"apiVersion": "policy.linkerd.io/v1alpha1", "kind": "AuthorizationPolicy", "metadata": meta(name, ns, None),
                "spec": {"targetRef": {"group": "policy.linkerd.io", "kind": "Server", "name": server.of(NAMES)},
                    "requiredAuthenticationRefs": [{"group": "policy.linkerd.io", "kind": kind, "name": auth.of(NAMES)}]}})
        }
        LinkerdPolicy::MeshTls { ns, name, identities } => {
            let ids: Vec<String> = identities.iter().take(3).map(|i| format!("{}.shop.serviceaccount.identity.linkerd.cluster.local", i.of(NAMES))).collect();
            json!({"apiVersion": "policy.linkerd.io/v1alpha1", "kind": "MeshTLSAuthentication", "metadata": meta(name, ns, None), "spec": {"identities": ids}})
        }
        LinkerdPolicy::Network { ns, name, cidrs } => {
            let nets: Vec<Value> = cidrs.iter().take(3).map(|c| json!({"cidr": c.of(CIDRS)})).collect();
            json!({"apiVersion": "policy.linkerd.io/v1alpha1", "kind": "NetworkAuthentication", "metadata": meta(name, ns, None), "spec": {"networks": nets}})
        }
    }
}

fn stream(docs: &[Value], render: impl Fn(&Value) -> String) -> String {
    docs.iter().map(&render).collect::<Vec<_>>().join("---\n")
}

/// Block-style YAML. Strings are written plain where YAML would read them back as the
/// same string, double-quoted (JSON escapes are YAML escapes) elsewhere.
pub fn block(v: &Value) -> String {
    let mut out = String::new();
    write_block(&mut out, v, 0);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) if plain_ok(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn plain_ok(s: &str) -> bool {
    let first = s.chars().next();
    first.is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '_'))
        && !matches!(s.to_ascii_lowercase().as_str(), "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n")
}

fn write_block(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, val) in m {
                out.push_str(&pad);
                out.push_str(&scalar(&Value::String(k.clone())));
                out.push(':');
                match val {
                    Value::Object(x) if !x.is_empty() => {
                        out.push('\n');
                        write_block(out, val, indent + 2);
                    }
                    Value::Array(x) if !x.is_empty() => {
                        out.push('\n');
                        write_block(out, val, indent);
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&inline(val));
                        out.push('\n');
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                match item {
                    Value::Object(x) if !x.is_empty() => {
                        // The first key on the dash's line, the rest aligned under it.
                        let mut inner = String::new();
                        write_block(&mut inner, item, indent + 2);
                        out.push_str(inner.trim_start());
                    }
                    Value::Array(x) if !x.is_empty() => {
                        out.push_str(&inline(item));
                        out.push('\n');
                    }
                    _ => {
                        out.push_str(&inline(item));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

/// Flow style for scalars and nested lists.
fn inline(v: &Value) -> String {
    match v {
        Value::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter().map(|(k, x)| format!("{}: {}", scalar(&Value::String(k.clone())), inline(x))).collect::<Vec<_>>().join(", ")
        ),
        other => scalar(other),
    }
}
