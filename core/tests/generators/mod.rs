//! Generated clusters for the property tests (`properties.rs`) and for the cross-host
//! sample (`examples/sample.rs`): proptest strategies for a small world, rendered to YAML
//! text, so that nothing here depends on the engine's internals.
//!
//! Every generated object is one the API server accepts (valid names, label values,
//! CIDRs with `except` inside them, `In`/`NotIn` with values, `endPort ≥ port`, unique
//! container port names): a property is about verdicts, and a verdict over an invalid
//! object is refused. Hostile input is the fuzzers' job.
#![allow(dead_code)] // each includer uses part of it
#![allow(clippy::indexing_slicing)] // test code: every index is drawn from the range of the pool it indexes

use std::collections::BTreeMap;
use std::fmt::Write;

use meshverdict::{PortRef, Protocol, Query};
use proptest::prelude::*;

pub const NAMESPACES: [&str; 3] = ["alpha", "beta", "gamma"];
pub const KEYS: [&str; 3] = ["app", "tier", "team"];
pub const VALUES: [&str; 4] = ["web", "api", "db", "blue"];
/// Container ports: (name, number).
pub const PORTS: [(&str, u16); 5] = [
    ("http", 80),
    ("https", 443),
    ("web", 8080),
    ("metrics", 9090),
    ("dns", 53),
];
/// Numbers questions and rules use, beside the declared ones: 4143 is Linkerd's inbound port.
pub const RULE_PORTS: [u16; 7] = [80, 443, 8080, 9090, 53, 4143, 8050];
/// (cidr, except): pods live in 10.1.NS.N, nodes at 10.0.0.N.
pub const CIDRS: [(&str, Option<&str>); 6] = [
    ("10.1.0.0/16", None),
    ("10.1.1.0/24", Some("10.1.1.0/30")),
    ("10.0.0.0/24", None),
    ("0.0.0.0/0", Some("10.0.0.0/8")),
    ("192.168.0.0/16", None),
    ("10.0.0.0/8", Some("10.1.2.0/24")),
];
pub const ENTITIES: [&str; 5] = ["world", "cluster", "host", "remote-node", "all"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
}

impl Proto {
    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
            Proto::Sctp => "SCTP",
        }
    }

    pub fn protocol(self) -> Protocol {
        match self {
            Proto::Tcp => Protocol::Tcp,
            Proto::Udp => Protocol::Udp,
            Proto::Sctp => Protocol::Sctp,
        }
    }
}

fn proto() -> impl Strategy<Value = Proto> {
    prop_oneof![6 => Just(Proto::Tcp), 2 => Just(Proto::Udp), 1 => Just(Proto::Sctp)]
}

/// Labels: key index → value index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels(pub BTreeMap<usize, usize>);

impl Labels {
    pub fn flow(&self) -> String {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{}: {}", KEYS[*k], VALUES[*v]))
            .collect();
        format!("{{{}}}", items.join(", "))
    }
}

fn labels() -> impl Strategy<Value = Labels> {
    prop::collection::btree_map(0..KEYS.len(), 0..VALUES.len(), 0..=3).prop_map(Labels)
}

/// matchExpressions operators, all four.
#[derive(Debug, Clone)]
pub enum Op {
    In(Vec<usize>),
    NotIn(Vec<usize>),
    Exists,
    DoesNotExist,
}

fn op() -> impl Strategy<Value = Op> {
    let values = || prop::collection::vec(0..VALUES.len(), 1..=2);
    prop_oneof![
        values().prop_map(Op::In),
        values().prop_map(Op::NotIn),
        Just(Op::Exists),
        Just(Op::DoesNotExist)
    ]
}

#[derive(Debug, Clone)]
pub struct Sel {
    pub labels: Labels,
    pub exprs: Vec<(usize, Op)>,
}

impl Sel {
    pub fn yaml(&self) -> String {
        let mut parts = Vec::new();
        if !self.labels.0.is_empty() {
            parts.push(format!("matchLabels: {}", self.labels.flow()));
        }
        if !self.exprs.is_empty() {
            let exprs: Vec<String> = self
                .exprs
                .iter()
                .map(|(k, op)| {
                    let (name, values) = match op {
                        Op::In(v) => ("In", Some(v)),
                        Op::NotIn(v) => ("NotIn", Some(v)),
                        Op::Exists => ("Exists", None),
                        Op::DoesNotExist => ("DoesNotExist", None),
                    };
                    match values {
                        Some(v) => format!(
                            "{{key: {}, operator: {name}, values: [{}]}}",
                            KEYS[*k],
                            v.iter().map(|i| VALUES[*i]).collect::<Vec<_>>().join(", ")
                        ),
                        None => format!("{{key: {}, operator: {name}}}", KEYS[*k]),
                    }
                })
                .collect();
            parts.push(format!("matchExpressions: [{}]", exprs.join(", ")));
        }
        format!("{{{}}}", parts.join(", "))
    }
}

fn sel() -> impl Strategy<Value = Sel> {
    (
        prop::collection::btree_map(0..KEYS.len(), 0..VALUES.len(), 0..=2).prop_map(Labels),
        prop::collection::vec((0..KEYS.len(), op()), 0..=1),
    )
        .prop_map(|(labels, exprs)| Sel { labels, exprs })
}

#[derive(Debug, Clone)]
pub enum PortG {
    Num(u16, Proto),
    Range(u16, u16, Proto),
    Named(usize, Proto),
}

impl PortG {
    fn netpol(&self) -> String {
        match self {
            PortG::Num(n, p) => format!("{{port: {n}, protocol: {}}}", p.name()),
            PortG::Range(a, b, p) => format!("{{port: {a}, endPort: {b}, protocol: {}}}", p.name()),
            PortG::Named(i, p) => format!("{{port: {}, protocol: {}}}", PORTS[*i].0, p.name()),
        }
    }

    fn cilium(&self) -> String {
        match self {
            PortG::Num(n, p) => format!("{{port: \"{n}\", protocol: {}}}", p.name()),
            PortG::Range(a, b, p) => {
                format!("{{port: \"{a}\", endPort: {b}, protocol: {}}}", p.name())
            }
            PortG::Named(i, p) => format!("{{port: {}, protocol: {}}}", PORTS[*i].0, p.name()),
        }
    }
}

fn port_g() -> impl Strategy<Value = PortG> {
    prop_oneof![
        3 => (prop::sample::select(RULE_PORTS.to_vec()), proto()).prop_map(|(n, p)| PortG::Num(n, p)),
        1 => (1u16..9000, 0u16..200, proto()).prop_map(|(a, w, p)| PortG::Range(a, a + w, p)),
        2 => (0..PORTS.len(), proto()).prop_map(|(i, p)| PortG::Named(i, p)),
    ]
}

#[derive(Debug, Clone)]
pub enum PeerG {
    Pods(Sel),
    Namespaces(Sel),
    Both(Sel, Sel),
    Ip(usize),
}

impl PeerG {
    fn yaml(&self) -> String {
        match self {
            PeerG::Pods(s) => format!("{{podSelector: {}}}", s.yaml()),
            PeerG::Namespaces(s) => format!("{{namespaceSelector: {}}}", s.yaml()),
            PeerG::Both(n, p) => format!(
                "{{namespaceSelector: {}, podSelector: {}}}",
                n.yaml(),
                p.yaml()
            ),
            PeerG::Ip(i) => match CIDRS[*i] {
                (c, Some(e)) => format!("{{ipBlock: {{cidr: {c}, except: [{e}]}}}}"),
                (c, None) => format!("{{ipBlock: {{cidr: {c}}}}}"),
            },
        }
    }
}

fn peer() -> impl Strategy<Value = PeerG> {
    prop_oneof![
        3 => sel().prop_map(PeerG::Pods),
        2 => sel().prop_map(PeerG::Namespaces),
        2 => (sel(), sel()).prop_map(|(n, p)| PeerG::Both(n, p)),
        2 => (0..CIDRS.len()).prop_map(PeerG::Ip),
    ]
}

/// A rule: `None` peers/ports leave the key out (every peer, every port).
#[derive(Debug, Clone)]
pub struct RuleG {
    pub peers: Option<Vec<PeerG>>,
    pub ports: Option<Vec<PortG>>,
}

impl RuleG {
    fn yaml(&self, key: &str) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.peers {
            parts.push(format!(
                "{key}: [{}]",
                p.iter().map(PeerG::yaml).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(p) = &self.ports {
            parts.push(format!(
                "ports: [{}]",
                p.iter().map(PortG::netpol).collect::<Vec<_>>().join(", ")
            ));
        }
        format!("{{{}}}", parts.join(", "))
    }
}

pub fn rule() -> impl Strategy<Value = RuleG> {
    (
        prop::option::weighted(0.85, prop::collection::vec(peer(), 1..=2)),
        prop::option::weighted(0.7, prop::collection::vec(port_g(), 1..=2)),
    )
        .prop_map(|(peers, ports)| RuleG { peers, ports })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Ingress,
    Egress,
}

#[derive(Debug, Clone)]
pub struct NetPolG {
    pub ns: usize,
    pub subject: Sel,
    pub ingress: Vec<RuleG>,
    pub egress: Vec<RuleG>,
    /// Explicit `policyTypes` (ingress, egress); `None` leaves the defaults.
    pub types: Option<(bool, bool)>,
}

impl NetPolG {
    /// The directions it isolates: `policyTypes`, or its default (Ingress, plus Egress
    /// when the egress list is non-empty: NetworkPolicySpec; SetDefaults_NetworkPolicy).
    pub fn isolates(&self, d: Dir) -> bool {
        match (self.types, d) {
            (Some((i, _)), Dir::Ingress) => i,
            (Some((_, e)), Dir::Egress) => e,
            (None, Dir::Ingress) => true,
            (None, Dir::Egress) => !self.egress.is_empty(),
        }
    }

    pub fn yaml(&self, name: &str) -> String {
        let mut s = format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {}}}\nspec:\n  podSelector: {}\n",
            NAMESPACES[self.ns],
            self.subject.yaml()
        );
        if let Some((i, e)) = self.types {
            let t: Vec<&str> = [(i, "Ingress"), (e, "Egress")]
                .iter()
                .filter(|x| x.0)
                .map(|x| x.1)
                .collect();
            let _ = writeln!(s, "  policyTypes: [{}]", t.join(", "));
        }
        if !self.ingress.is_empty() {
            let _ = writeln!(
                s,
                "  ingress: [{}]",
                self.ingress
                    .iter()
                    .map(|r| r.yaml("from"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !self.egress.is_empty() {
            let _ = writeln!(
                s,
                "  egress: [{}]",
                self.egress
                    .iter()
                    .map(|r| r.yaml("to"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        s
    }
}

pub fn netpol() -> impl Strategy<Value = NetPolG> {
    let types = prop_oneof![
        2 => Just(None),
        1 => Just(Some((true, false))),
        1 => Just(Some((false, true))),
        2 => Just(Some((true, true))),
    ];
    (
        0..NAMESPACES.len(),
        sel(),
        prop::collection::vec(rule(), 0..=2),
        prop::collection::vec(rule(), 0..=2),
        types,
    )
        .prop_map(|(ns, subject, ingress, egress, types)| NetPolG {
            ns,
            subject,
            ingress,
            egress,
            types,
        })
}

/// A Cilium peer: endpoints (confined to a namespace by its label key when given),
/// entities, CIDRs, CIDR sets with `except`.
#[derive(Debug, Clone)]
pub enum CPeer {
    Endpoints(Sel, Option<usize>),
    Entities(usize),
    Cidr(usize),
    CidrSet(usize),
}

#[derive(Debug, Clone)]
pub struct CRule {
    pub peer: CPeer,
    pub ports: Option<Vec<PortG>>,
}

impl CRule {
    pub fn yaml(&self, ingress: bool) -> String {
        let dir = if ingress { "from" } else { "to" };
        let mut parts = vec![match &self.peer {
            CPeer::Endpoints(s, ns) => {
                let mut m = s
                    .labels
                    .0
                    .iter()
                    .map(|(k, v)| format!("{}: {}", KEYS[*k], VALUES[*v]))
                    .collect::<Vec<_>>();
                if let Some(ns) = ns {
                    m.push(format!(
                        "\"k8s:io.kubernetes.pod.namespace\": {}",
                        NAMESPACES[*ns]
                    ));
                }
                format!("{dir}Endpoints: [{{matchLabels: {{{}}}}}]", m.join(", "))
            }
            CPeer::Entities(i) => format!("{dir}Entities: [{}]", ENTITIES[*i]),
            CPeer::Cidr(i) => format!("{dir}CIDR: [{}]", CIDRS[*i].0),
            CPeer::CidrSet(i) => match CIDRS[*i] {
                (c, Some(e)) => format!("{dir}CIDRSet: [{{cidr: {c}, except: [{e}]}}]"),
                (c, None) => format!("{dir}CIDRSet: [{{cidr: {c}}}]"),
            },
        }];
        if let Some(p) = &self.ports {
            parts.push(format!(
                "toPorts: [{{ports: [{}]}}]",
                p.iter().map(PortG::cilium).collect::<Vec<_>>().join(", ")
            ));
        }
        format!("{{{}}}", parts.join(", "))
    }
}

fn cpeer() -> impl Strategy<Value = CPeer> {
    let labels_only =
        prop::collection::btree_map(0..KEYS.len(), 0..VALUES.len(), 0..=2).prop_map(|l| Sel {
            labels: Labels(l),
            exprs: Vec::new(),
        });
    prop_oneof![
        4 => (labels_only, prop::option::of(0..NAMESPACES.len())).prop_map(|(s, ns)| CPeer::Endpoints(s, ns)),
        1 => (0..ENTITIES.len()).prop_map(CPeer::Entities),
        1 => (0..CIDRS.len()).prop_map(CPeer::Cidr),
        1 => (0..CIDRS.len()).prop_map(CPeer::CidrSet),
    ]
}

fn cport_g() -> impl Strategy<Value = PortG> {
    // Cilium deny rules and allow rules take the same L4 ports; SCTP is left out since
    // Cilium enforces it only behind a flag (`--enable-sctp`).
    let p = prop_oneof![3 => Just(Proto::Tcp), 1 => Just(Proto::Udp)];
    prop_oneof![
        3 => (prop::sample::select(RULE_PORTS.to_vec()), p.clone()).prop_map(|(n, p)| PortG::Num(n, p)),
        1 => (1u16..9000, 0u16..200, p.clone()).prop_map(|(a, w, p)| PortG::Range(a, a + w, p)),
        1 => (0..PORTS.len(), p).prop_map(|(i, p)| PortG::Named(i, p)),
    ]
}

pub fn crule() -> impl Strategy<Value = CRule> {
    (
        cpeer(),
        prop::option::weighted(0.6, prop::collection::vec(cport_g(), 1..=2)),
    )
        .prop_map(|(peer, ports)| CRule { peer, ports })
}

#[derive(Debug, Clone)]
pub struct CnpG {
    pub ns: usize,
    pub subject: Labels,
    pub ingress: Vec<CRule>,
    pub egress: Vec<CRule>,
    pub ingress_deny: Vec<CRule>,
    pub egress_deny: Vec<CRule>,
}

impl CnpG {
    pub fn yaml(&self, name: &str) -> String {
        let mut s = format!(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: {name}, namespace: {}}}\nspec:\n  endpointSelector: {{matchLabels: {}}}\n",
            NAMESPACES[self.ns],
            self.subject.flow()
        );
        for (key, rules, ingress) in [
            ("ingress", &self.ingress, true),
            ("egress", &self.egress, false),
            ("ingressDeny", &self.ingress_deny, true),
            ("egressDeny", &self.egress_deny, false),
        ] {
            if !rules.is_empty() {
                let _ = writeln!(
                    s,
                    "  {key}: [{}]",
                    rules
                        .iter()
                        .map(|r| r.yaml(ingress))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        s
    }
}

pub fn cnp() -> impl Strategy<Value = CnpG> {
    (
        0..NAMESPACES.len(),
        prop::collection::btree_map(0..KEYS.len(), 0..VALUES.len(), 0..=1).prop_map(Labels),
        prop::collection::vec(crule(), 0..=2),
        prop::collection::vec(crule(), 0..=2),
        prop::collection::vec(crule(), 0..=1),
        prop::collection::vec(crule(), 0..=1),
    )
        .prop_map(
            |(ns, subject, mut ingress, egress, ingress_deny, egress_deny)| {
                // Cilium's agent refuses a rule without any direction ("rule must have at
                // least one of Ingress, IngressDeny, Egress, EgressDeny", api/rule_validation.go).
                if ingress.is_empty()
                    && egress.is_empty()
                    && ingress_deny.is_empty()
                    && egress_deny.is_empty()
                {
                    ingress.push(CRule {
                        peer: CPeer::Entities(0),
                        ports: None,
                    });
                }
                CnpG {
                    ns,
                    subject,
                    ingress,
                    egress,
                    ingress_deny,
                    egress_deny,
                }
            },
        )
}

#[derive(Debug, Clone)]
pub struct PodG {
    pub ns: usize,
    pub labels: Labels,
    /// Indices into [`PORTS`] with a protocol; names stay unique within the pod.
    pub ports: BTreeMap<usize, Proto>,
    pub node: usize,
    pub meshed: bool,
}

fn pod() -> impl Strategy<Value = PodG> {
    (
        0..NAMESPACES.len(),
        labels(),
        prop::collection::btree_map(0..PORTS.len(), proto(), 0..=3),
        0..2usize,
        any::<bool>(),
    )
        .prop_map(|(ns, labels, ports, node, meshed)| PodG {
            ns,
            labels,
            ports,
            node,
            meshed,
        })
}

#[derive(Debug, Clone)]
pub struct World {
    pub ns_labels: Vec<Labels>,
    pub pods: Vec<PodG>,
    /// A Linkerd control plane (2.18+, so meshed pods talk on 4143) and meshed pods.
    pub linkerd: bool,
    pub netpols: Vec<NetPolG>,
    pub cnps: Vec<CnpG>,
    /// A Service `alpha/svc` selecting `app: web` on port 80 → target `http` (else 8080).
    pub service_named_target: bool,
}

pub fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(labels(), NAMESPACES.len()),
        prop::collection::vec(pod(), 2..=5),
        any::<bool>(),
        prop::collection::vec(netpol(), 0..=3),
        prop::collection::vec(cnp(), 0..=2),
        any::<bool>(),
    )
        .prop_map(
            |(ns_labels, pods, linkerd, netpols, cnps, service_named_target)| World {
                ns_labels,
                pods,
                linkerd,
                netpols,
                cnps,
                service_named_target,
            },
        )
}

/// A world without any NetworkPolicy or Cilium policy.
pub fn open_world() -> impl Strategy<Value = World> {
    world().prop_map(|w| World {
        netpols: Vec::new(),
        cnps: Vec::new(),
        ..w
    })
}

impl World {
    pub fn pod_name(&self, i: usize) -> String {
        format!("{}/pod-{i}", NAMESPACES[self.pods[i].ns])
    }

    pub fn pod_ip(&self, i: usize) -> String {
        format!("10.1.{}.{}", self.pods[i].ns, i + 10)
    }

    /// Every object as its own YAML document, in a fixed order.
    pub fn documents(&self) -> Vec<String> {
        let mut docs = Vec::new();
        for (i, ns) in NAMESPACES.iter().enumerate() {
            docs.push(format!(
                "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {}}}\n",
                self.ns_labels[i].flow()
            ));
        }
        for n in 0..2 {
            docs.push(format!("apiVersion: v1\nkind: Node\nmetadata: {{name: n{n}}}\nstatus: {{addresses: [{{type: InternalIP, address: 10.0.0.{}}}]}}\n", n + 1));
        }
        for (i, p) in self.pods.iter().enumerate() {
            let ports: Vec<String> = p
                .ports
                .iter()
                .map(|(j, pr)| {
                    format!(
                        "{{name: {}, containerPort: {}, protocol: {}}}",
                        PORTS[*j].0,
                        PORTS[*j].1,
                        pr.name()
                    )
                })
                .collect();
            let annotations = if self.linkerd && p.meshed {
                "{linkerd.io/inject: enabled}"
            } else {
                "{}"
            };
            docs.push(format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: pod-{i}, namespace: {}, labels: {}, annotations: {annotations}}}\nspec:\n  nodeName: n{}\n  containers: [{{name: main, ports: [{}]}}]\nstatus: {{podIP: {}}}\n",
                NAMESPACES[p.ns],
                p.labels.flow(),
                p.node,
                ports.join(", "),
                self.pod_ip(i)
            ));
        }
        let target = if self.service_named_target {
            "http"
        } else {
            "8080"
        };
        docs.push(format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: svc, namespace: alpha}}\nspec: {{selector: {{app: web}}, ports: [{{name: front, port: 80, targetPort: {target}}}]}}\n"
        ));
        if self.linkerd {
            docs.extend(linkerd_control_plane());
        }
        for (i, np) in self.netpols.iter().enumerate() {
            docs.push(np.yaml(&format!("np-{i}")));
        }
        for (i, c) in self.cnps.iter().enumerate() {
            docs.push(c.yaml(&format!("cnp-{i}")));
        }
        docs
    }

    pub fn text(&self) -> String {
        self.documents().join("---\n")
    }

    /// Questions: every ordered pair of pods on the rule ports, each destination's named
    /// ports, an outside address, a node and the Service, over TCP, UDP and SCTP.
    pub fn questions(&self) -> Vec<Query> {
        let mut out = Vec::new();
        let n = self.pods.len();
        let q = |from: String, to: String, port: PortRef, protocol: Protocol| Query {
            from,
            to,
            port,
            protocol,
        };
        for a in 0..n {
            for b in 0..n {
                for (k, port) in RULE_PORTS.iter().enumerate() {
                    // Every pair and port over TCP; UDP and SCTP on a rotating subset.
                    let protocol = match (a + b + k) % 5 {
                        3 => Protocol::Udp,
                        4 => Protocol::Sctp,
                        _ => Protocol::Tcp,
                    };
                    out.push(q(
                        self.pod_name(a),
                        self.pod_name(b),
                        PortRef::Number(*port),
                        Protocol::Tcp,
                    ));
                    if protocol != Protocol::Tcp {
                        out.push(q(
                            self.pod_name(a),
                            self.pod_name(b),
                            PortRef::Number(*port),
                            protocol,
                        ));
                    }
                }
                for (j, pr) in &self.pods[b].ports {
                    out.push(q(
                        self.pod_name(a),
                        self.pod_name(b),
                        PortRef::Name(PORTS[*j].0.into()),
                        pr.protocol(),
                    ));
                }
            }
            out.push(q(
                self.pod_name(a),
                "ip:203.0.113.9".into(),
                PortRef::Number(443),
                Protocol::Tcp,
            ));
            out.push(q(
                "ip:203.0.113.9".into(),
                self.pod_name(a),
                PortRef::Number(80),
                Protocol::Tcp,
            ));
            out.push(q(
                "node:n0".into(),
                self.pod_name(a),
                PortRef::Number(8080),
                Protocol::Tcp,
            ));
            out.push(q(
                self.pod_name(a),
                format!("ip:{}", self.pod_ip((a + 1) % n)),
                PortRef::Number(80),
                Protocol::Tcp,
            ));
            out.push(q(
                self.pod_name(a),
                "svc:alpha/svc".into(),
                PortRef::Number(80),
                Protocol::Tcp,
            ));
            out.push(q(
                self.pod_name(a),
                "dns:example.com".into(),
                PortRef::Number(443),
                Protocol::Tcp,
            ));
        }
        out
    }
}

/// A Linkerd 2.18+ control plane: destination and identity, meshed themselves.
fn linkerd_control_plane() -> Vec<String> {
    let mut docs = vec!["apiVersion: v1\nkind: Namespace\nmetadata: {name: linkerd, annotations: {linkerd.io/inject: disabled}}\n".to_string()];
    for (component, port) in [("destination", 8086), ("identity", 8080)] {
        docs.push(format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: linkerd-{component}, namespace: linkerd}}\nspec:\n  selector: {{matchLabels: {{linkerd.io/control-plane-component: {component}}}}}\n  template:\n    metadata:\n      labels: {{linkerd.io/control-plane-component: {component}, linkerd.io/control-plane-ns: linkerd, linkerd.io/proxy-deployment: linkerd-{component}}}\n      annotations: {{linkerd.io/proxy-version: edge-25.3.2}}\n    spec:\n      containers:\n      - {{name: {component}, ports: [{{name: grpc, containerPort: {port}}}]}}\n      - {{name: linkerd-proxy, ports: [{{name: linkerd-proxy, containerPort: 4143}}, {{name: linkerd-admin, containerPort: 4191}}]}}\n"
        ));
    }
    docs
}
