//! Verdicts: each layer a connection crosses, judged on the packets as they cross it.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::cluster::{Cluster, Dataplane};
use crate::diagnose::Diagnostic;
use crate::mesh::{MeshDecision, WirePort};
use crate::model::Endpoint;
use crate::policy::{CompiledPolicy, Direction, Entity, NamespaceScope, Party, Peer, PolicyRef, Rule, RuleRef, Subject, L7};
use crate::ports::Protocol;
use crate::selector::Selector;

/// A port as a question gives it: a number, or a named port of the destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PortRef {
    Number(u16),
    Name(String),
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => f.write_str(s),
        }
    }
}

/// "May `from` reach `to` on `port`/`protocol`?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Query {
    pub from: String,
    pub to: String,
    pub port: PortRef,
    #[serde(default = "default_protocol")]
    pub protocol: Protocol,
}

fn default_protocol() -> Protocol {
    Protocol::Tcp
}

/// One side of a verdict, described for people and programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    pub reference: String,
    /// Pod, Deployment, …, Node, External, Service.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<IpAddr>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub meshed: bool,
}

/// A rule that nearly matched: the peer matched but not the port, or the other way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NearMiss {
    pub rule: RuleRef,
    pub message: String,
}

/// One direction (the source's egress, or the destination's ingress).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Layer {
    pub allowed: bool,
    /// Some policy selects the endpoint for this direction.
    pub isolated: bool,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub isolated_by: Vec<PolicyRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_by: Vec<RuleRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denied_by: Vec<RuleRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_misses: Vec<NearMiss>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub l7: Vec<L7>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Layer {
    fn open(reason: String) -> Layer {
        Layer {
            allowed: true,
            isolated: false,
            reason,
            isolated_by: Vec::new(),
            allowed_by: Vec::new(),
            denied_by: Vec::new(),
            near_misses: Vec::new(),
            l7: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// The answer, with every layer's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub allowed: bool,
    pub from: EndpointView,
    pub to: EndpointView,
    /// The port the application dials.
    pub port: u16,
    pub protocol: Protocol,
    /// The port the network sees, when the mesh changes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wire_port: Option<WirePort>,
    pub egress: Layer,
    pub ingress: Layer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mesh: Option<MeshDecision>,
    /// For a Service: the verdict of each backend (`allowed` only if every one is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backends: Vec<Verdict>,
    /// When a reference names a workload whose Pods are in the input: the verdict of
    /// each (source pod, destination pod) pair (`allowed` only if every one is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Verdict>,
    /// The dataplane the verdict is judged on, and why that one.
    pub dataplane: crate::cluster::DataplaneChoice,
    /// Structured warnings, e.g. `mesh-flow-blocked` when a proxy is cut off.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
    /// One line: why.
    pub summary: String,
}

/// What the engine knows about the other side while judging a rule.
pub(crate) struct Judge<'c> {
    pub cluster: &'c Cluster,
    /// Build the reasons, near misses and notes. The decision is the same either way;
    /// `Cluster::allowed` turns this off for bulk questions.
    pub detail: bool,
}

fn rule_ports_admit(rule: &Rule, port: u16, protocol: Protocol, dest: Option<&Endpoint>) -> bool {
    if rule.icmp_only {
        return false;
    }
    if rule.ports.is_empty() {
        return true;
    }
    let dest_ports = dest.map(|e| e.ports.as_slice()).unwrap_or_default();
    rule.ports.iter().any(|p| p.admits(port, protocol, dest_ports))
}

fn ports_text(rule: &Rule) -> String {
    if rule.icmp_only {
        return "ICMP only".into();
    }
    rule.ports.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn peers_text(rule: &Rule) -> String {
    if rule.peers.is_empty() {
        return "no peer".into();
    }
    rule.peers.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ")
}

impl Judge<'_> {
    fn text(&self, f: impl FnOnce() -> String) -> String {
        if self.detail {
            f()
        } else {
            String::new()
        }
    }

    fn subject_matches(&self, p: &CompiledPolicy, e: &Endpoint) -> bool {
        let m = &self.cluster.model;
        match &p.subject {
            Subject::Pods { namespace, selector } => &e.namespace == namespace && selector.matches(&e.labels),
            Subject::Identity { selector } => {
                let ns = m.namespace_labels(&e.namespace);
                selector.matches_with(|k| crate::policy::cilium_pod_label(e, ns, k))
            }
            Subject::Nodes { .. } => false,
        }
    }

    /// Indices of the policies enforced by this dataplane that select `e`.
    pub fn selecting(&self, e: &Endpoint) -> Vec<usize> {
        self.selecting_among(e, 0..self.cluster.policies().len())
    }

    /// Among `policies`, those whose subject selects `e`, whatever the dataplane enforces.
    pub fn subjects_of(&self, e: &Endpoint, policies: &[usize]) -> Vec<usize> {
        let all = self.cluster.policies();
        policies.iter().copied().filter(|i| all.get(*i).is_some_and(|p| self.subject_matches(p, e))).collect()
    }

    /// Like [`Judge::selecting`], among the given candidate indices (ascending).
    pub fn selecting_among(&self, e: &Endpoint, candidates: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let policies = self.cluster.policies();
        candidates
            .into_iter()
            .filter(|i| policies.get(*i).is_some_and(|p| self.cluster.dataplane.enforces(p.policy.kind) && self.subject_matches(p, e)))
            .collect()
    }

    /// Whether an identity selector (Cilium) matches the party.
    fn identity_matches(&self, sel: &Selector, subject: &Endpoint, party: &Party) -> bool {
        let m = &self.cluster.model;
        match party {
            Party::Pod(e) => {
                let ns = m.namespace_labels(&e.namespace);
                sel.matches_with(|k| crate::policy::cilium_pod_label(e, ns, k))
            }
            Party::Node(n) => {
                let local = subject.node.as_deref() == Some(n.name.as_str());
                let api = party.is_api_server(m);
                sel.matches_with(|k| match k {
                    "reserved:host" if local => Some(""),
                    "reserved:remote-node" if !local => Some(""),
                    "reserved:kube-apiserver" if api => Some(""),
                    _ => None,
                })
            }
            Party::External { ip, .. } => {
                let api = party.is_api_server(m);
                let v4 = ip.is_some_and(|i| i.is_ipv4());
                let v6 = ip.is_some_and(|i| i.is_ipv6());
                sel.matches_with(|k| match k {
                    "reserved:world" => Some(""),
                    "reserved:world-ipv4" if v4 => Some(""),
                    "reserved:world-ipv6" if v6 => Some(""),
                    "reserved:kube-apiserver" if api => Some(""),
                    _ => None,
                })
            }
        }
    }

    fn entity_matches(&self, entity: Entity, subject: &Endpoint, party: &Party) -> bool {
        let m = &self.cluster.model;
        let api = party.is_api_server(m);
        match (entity, party) {
            (Entity::All, _) => true,
            (Entity::None | Entity::Ingress | Entity::Init | Entity::Health | Entity::Unmanaged, _) => false,
            (Entity::Cluster | Entity::ClusterMesh, Party::Pod(_) | Party::Node(_)) => true,
            (Entity::Cluster | Entity::ClusterMesh, Party::External { .. }) => api,
            (Entity::Host, Party::Node(n)) => subject.node.as_deref() == Some(n.name.as_str()),
            (Entity::RemoteNode, Party::Node(n)) => subject.node.as_deref() != Some(n.name.as_str()),
            (Entity::KubeApiserver, _) => api,
            (Entity::World, Party::External { .. }) => true,
            (Entity::WorldIpv4, Party::External { ip, .. }) => ip.is_some_and(|i| i.is_ipv4()),
            (Entity::WorldIpv6, Party::External { ip, .. }) => ip.is_some_and(|i| i.is_ipv6()),
            _ => false,
        }
    }

    /// Whether one peer of a rule matches the party. `notes` collects what the engine
    /// could not know (an address that is not given).
    fn peer_matches(&self, peer: &Peer, policy: &CompiledPolicy, subject: &Endpoint, party: &Party, requires: &[&Selector], notes: &mut Vec<String>) -> bool {
        let m = &self.cluster.model;
        match peer {
            Peer::Any => true,
            Peer::Pods { namespaces, pods } => match party {
                Party::Pod(e) => {
                    let ns_ok = match namespaces {
                        NamespaceScope::Own { namespace } => &e.namespace == namespace,
                        NamespaceScope::Matching { selector } => m.namespace_labels(&e.namespace).is_some_and(|l| selector.matches(l)),
                    };
                    ns_ok && pods.matches(&e.labels)
                }
                _ => false,
            },
            Peer::Identity { selector } => {
                self.identity_matches(selector, subject, party) && requires.iter().all(|r| self.identity_matches(r, subject, party))
            }
            Peer::Block { block } => {
                let dp = self.cluster.dataplane;
                match party {
                    Party::External { ip: Some(ip), .. } => block.contains(ip),
                    Party::External { .. } => false,
                    Party::Pod(e) => {
                        if !dp.ip_block_matches_pods() {
                            return false;
                        }
                        if e.ips.is_empty() {
                            notes.push(format!(
                                "{} of {} could match {} by address, but its address is not given (no status.podIP)",
                                peer, policy.policy, e.reference()
                            ));
                            return false;
                        }
                        e.ips.iter().any(|ip| block.contains(ip))
                    }
                    Party::Node(n) => dp.ip_block_matches_nodes() && n.addresses.iter().any(|ip| block.contains(ip)),
                }
            }
            Peer::Entity { entity } => self.entity_matches(*entity, subject, party),
            Peer::Fqdn { fqdn } => match party {
                Party::External { dns: Some(name), .. } => fqdn.matches(name),
                Party::External { ip: Some(ip), .. } => {
                    notes.push(format!("{peer} of {} admits {ip} only if DNS answers for that name return it (depends on DNS)", policy.policy));
                    false
                }
                _ => false,
            },
            Peer::Nodes { selector } => match party {
                Party::Node(n) => subject.node.as_deref() != Some(n.name.as_str()) && selector.matches(&n.labels),
                _ => false,
            },
        }
    }

    /// Whether the rule's peers admit the party; a DNS name needs a rule that admits it
    /// by name or admits every outside address (FORMAT.md "Endpoints").
    fn rule_admits_party(&self, rule: &Rule, policy: &CompiledPolicy, subject: &Endpoint, party: &Party, requires: &[&Selector], notes: &mut Vec<String>) -> bool {
        if let Party::External { ip: None, dns: Some(name) } = party {
            let whole = |v4: bool| {
                rule.peers.iter().any(|p| matches!(p, Peer::Block { block } if block.is_whole_family() && block.cidr.addr().is_ipv4() == v4))
            };
            let ok = rule.peers.iter().any(|p| match p {
                Peer::Any => true,
                Peer::Entity { entity } => matches!(entity, Entity::All | Entity::World),
                Peer::Fqdn { fqdn } => fqdn.matches(name),
                _ => false,
            }) || (whole(true) && whole(false));
            if !ok && rule.peers.iter().any(|p| matches!(p, Peer::Block { .. })) {
                notes.push(format!("{} admits {}: whether dns:{name} is admitted depends on what it resolves to", rule.rule, peers_text(rule)));
            }
            return ok;
        }
        let mut hit = false;
        for p in &rule.peers {
            if self.peer_matches(p, policy, subject, party, requires, notes) {
                hit = true;
                break;
            }
        }
        hit
    }

    /// Judges one direction: `subject` is the pod whose policies apply, `party` the
    /// other side; `port` is the port on the wire.
    pub fn layer(&self, direction: Direction, subject: &Party, party: &Party, port: u16, protocol: Protocol) -> Layer {
        let Party::Pod(e) = subject else {
            let what = if !self.detail { String::new() } else { match subject {
                Party::Node(n) => format!("node:{} (host network)", n.name),
                _ => subject.describe(),
            } };
            return Layer::open(self.text(|| format!("no {} policy applies to {what}", direction.as_str())));
        };
        let selecting: Vec<&CompiledPolicy> = self.cluster.selecting_cached(e).into_iter().filter(|p| p.enforcement(direction).enforced).collect();
        if selecting.is_empty() {
            return Layer::open(self.text(|| format!("no policy selects {} for {}", e.reference(), direction.as_str())));
        }
        let default_deny = selecting.iter().any(|p| p.enforcement(direction).default_deny);
        let isolated_by: Vec<PolicyRef> = {
            let mut v: Vec<PolicyRef> = selecting.iter().map(|p| p.policy.clone()).collect();
            v.dedup();
            v
        };
        let requires: Vec<&Selector> =
            selecting.iter().flat_map(|p| p.requires.iter().filter(|(d, _)| *d == direction).map(|(_, s)| s)).collect();
        let dest: Option<&Endpoint> = match direction {
            Direction::Ingress => Some(e),
            Direction::Egress => match party {
                Party::Pod(d) => Some(d),
                _ => None,
            },
        };
        let mut layer = Layer::open(String::new());
        layer.isolated = true;
        layer.isolated_by = isolated_by;
        let mut notes = Vec::new();
        for p in &selecting {
            for rule in p.rules.iter().filter(|r| r.rule.direction == direction) {
                let peer_ok = self.rule_admits_party(rule, p, e, party, &requires, &mut notes);
                let port_ok = rule_ports_admit(rule, port, protocol, dest);
                if peer_ok && port_ok {
                    if rule.rule.deny {
                        layer.denied_by.push(rule.rule.clone());
                    } else {
                        layer.allowed_by.push(rule.rule.clone());
                        layer.l7.extend(rule.l7.iter().cloned());
                    }
                } else if self.detail && !rule.rule.deny && (peer_ok || port_ok) && !rule.peers.is_empty() {
                    let message = if peer_ok {
                        format!("{} admits {}, but only on {}", rule.rule, party.describe(), ports_text(rule))
                    } else {
                        format!("{} admits {port}/{protocol}, but only for {}", rule.rule, peers_text(rule))
                    };
                    layer.near_misses.push(NearMiss { rule: rule.rule.clone(), message });
                }
            }
        }
        notes.dedup();
        layer.notes = notes;
        let local_node = matches!((direction, party), (Direction::Ingress, Party::Node(n)) if e.node.as_deref() == Some(n.name.as_str()));
        let dir = direction.as_str();
        if !layer.denied_by.is_empty() {
            layer.allowed = false;
            layer.reason = self.text(|| format!("denied by {} (deny rules take precedence over every allow)", join_rules(&layer.denied_by)));
        } else if local_node {
            layer.allowed = true;
            layer.reason = self.text(|| match self.cluster.dataplane {
                Dataplane::Cilium => "traffic from the pod's own node (Cilium's host identity) is allowed on ingress (allow-localhost)".into(),
                _ => "traffic from the pod's own node is always allowed (NetworkPolicySpec: \"OR if the traffic source is the pod's local node\")".into(),
            });
        } else if !layer.allowed_by.is_empty() {
            layer.allowed = true;
            layer.reason = self.text(|| format!("allowed by {}", join_rules(&layer.allowed_by)));
        } else if default_deny {
            layer.allowed = false;
            layer.reason = self.text(|| format!(
                "{} is isolated for {dir} by {}, and no rule admits {} on {port}/{protocol}",
                e.reference(),
                layer.isolated_by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                party.describe()
            ));
        } else {
            layer.allowed = true;
            layer.reason = self.text(|| format!("the policies selecting {} for {dir} do not enable default deny", e.reference()));
        }
        if layer.allowed {
            layer.near_misses.clear();
        }
        layer
    }
}

fn join_rules(rules: &[RuleRef]) -> String {
    rules.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
