//! Verdicts: each layer a connection crosses, judged on the packets as they cross it.
//!
//! A layer is judged over the compiled data only: the policies selecting the subject's
//! identity class, and for each rule the class sets its peers compiled to. The matrix
//! (evaluate/matrix.rs) computes the same decision for every class at once from the
//! same sets; a property test holds the two equal.

use std::borrow::Cow;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::compile::dataplane::{DataplaneChoice, EnforcementMode, Settings};
use crate::compile::mesh::{MeshDecision, WirePort};
use crate::compile::party::Party;
use crate::compile::policy::{
    CompiledPolicy, Direction, Entity, Peer, PolicyRef, Rule, RuleRef, SetId, L7,
};
use crate::compile::Compiled;
use crate::findings::Diagnostic;
use crate::model::{Endpoint, Model};
use crate::ports::Protocol;
use crate::selector::Selector;

/// A port as a question gives it: a number, or a named port of the destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    pub reference: String,
    /// Pod, Deployment, …, Node, External, Service.
    pub kind: Cow<'static, str>,
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct NearMiss {
    pub rule: RuleRef,
    pub message: String,
}

/// One direction (the source's egress, or the destination's ingress).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    pub dataplane: DataplaneChoice,
    /// Structured warnings, e.g. `mesh-flow-blocked` when a proxy is cut off.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
    /// One line: why.
    pub summary: String,
}

/// Judges layers over a model and its compiled form.
#[derive(Clone, Copy)]
pub struct Evaluator<'a> {
    pub model: &'a Model,
    pub compiled: &'a Compiled,
    /// Build the reasons, near misses and notes. The decision is the same either way;
    /// bulk questions turn this off.
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
    rule.ports
        .iter()
        .any(|p| p.admits(port, protocol, dest_ports))
}

fn ports_text(rule: &Rule) -> String {
    if rule.icmp_only {
        return "ICMP only".into();
    }
    rule.ports
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn peers_text(rule: &Rule) -> String {
    if rule.peers.is_empty() {
        return "no peer".into();
    }
    rule.peers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

impl<'a> Evaluator<'a> {
    pub fn new(model: &'a Model, compiled: &'a Compiled, detail: bool) -> Evaluator<'a> {
        Evaluator {
            model,
            compiled,
            detail,
        }
    }

    fn text(&self, f: impl FnOnce() -> String) -> String {
        if self.detail {
            f()
        } else {
            String::new()
        }
    }

    fn in_set(&self, set: SetId, class: usize) -> bool {
        self.compiled.set(set).is_some_and(|s| s.contains(class))
    }

    /// The enforced policies that select `e`, for a direction.
    pub fn selecting(&self, e: &Endpoint, direction: Direction) -> Vec<&'a CompiledPolicy> {
        self.policies_selecting(e, direction).collect()
    }

    /// [`Evaluator::selecting`] without collecting them (decisions read them in place).
    fn policies_selecting(
        &self,
        e: &Endpoint,
        direction: Direction,
    ) -> impl Iterator<Item = &'a CompiledPolicy> + Clone + 'a {
        let compiled = self.compiled;
        compiled
            .selecting
            .get(compiled.classes.of(e))
            .into_iter()
            .flatten()
            .filter_map(move |i| compiled.policies.get(*i))
            .filter(move |p| p.enforcement(direction).enforced)
    }

    /// Whether an identity selector (Cilium) matches a party that is not a pod: only
    /// reserved identities (`reserved:host` for the subject's own node, …) can.
    fn identity_matches_other(&self, sel: &Selector, subject: &Endpoint, party: &Party) -> bool {
        let m = self.model;
        match party {
            Party::Pod(_) => false,
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
        let api = party.is_api_server(self.model);
        match (entity, party) {
            (Entity::All, _) => true,
            (
                Entity::None | Entity::Ingress | Entity::Init | Entity::Health | Entity::Unmanaged,
                _,
            ) => false,
            (Entity::Cluster | Entity::ClusterMesh, Party::Pod(_) | Party::Node(_)) => true,
            (Entity::Cluster | Entity::ClusterMesh, Party::External { .. }) => api,
            (Entity::Host, Party::Node(n)) => subject.node.as_deref() == Some(n.name.as_str()),
            (Entity::RemoteNode, Party::Node(n)) => {
                subject.node.as_deref() != Some(n.name.as_str())
            }
            (Entity::KubeApiserver, _) => api,
            (Entity::World, Party::External { .. }) => true,
            (Entity::WorldIpv4, Party::External { ip, .. }) => ip.is_some_and(|i| i.is_ipv4()),
            (Entity::WorldIpv6, Party::External { ip, .. }) => ip.is_some_and(|i| i.is_ipv6()),
            _ => false,
        }
    }

    /// Whether peer `i` of a rule matches the party. A pod matches when its class is in
    /// the peer's compiled set (and in every `fromRequires` set, for endpoint
    /// selectors); other parties are matched by what they are (node, address, name).
    /// `notes` collects what the engine could not know.
    #[allow(clippy::too_many_arguments)]
    fn peer_matches(
        &self,
        rule: &Rule,
        i: usize,
        policy: &CompiledPolicy,
        subject: &Endpoint,
        party: &Party,
        requires: &[SetId],
        notes: &mut Vec<String>,
    ) -> bool {
        let Some(peer) = rule.peers.get(i) else {
            return false;
        };
        if let Party::Pod(e) = party {
            let class = self.compiled.classes.of(e);
            let set = rule.peer_sets.get(i).copied().unwrap_or(0);
            let hit = self.in_set(set, class)
                && (!matches!(peer, Peer::Identity { .. })
                    || requires.iter().all(|r| self.in_set(*r, class)));
            if !hit
                && self.detail
                && matches!(peer, Peer::Block { .. })
                && self.compiled.settings.cidr_matches_pods
                && e.ips.is_empty()
            {
                notes.push(format!(
                    "{} of {} could match {} by address, but its address is not given (no status.podIP)",
                    peer,
                    policy.policy,
                    e.reference()
                ));
            }
            return hit;
        }
        match peer {
            Peer::Any => true,
            Peer::Pods { .. } => false,
            Peer::Identity { selector } => self.identity_matches_other(selector, subject, party),
            Peer::Block { block } => match party {
                Party::External { ip: Some(ip), .. } => block.contains(ip),
                Party::Node(n) => {
                    self.compiled.settings.cidr_matches_nodes
                        && n.addresses.iter().any(|ip| block.contains(ip))
                }
                _ => false,
            },
            Peer::Entity { entity } => self.entity_matches(*entity, subject, party),
            Peer::Fqdn { fqdn } => match party {
                Party::External {
                    dns: Some(name), ..
                } => fqdn.matches(name),
                Party::External { ip: Some(ip), .. } => {
                    if self.detail {
                        notes.push(format!("{peer} of {} admits {ip} only if DNS answers for that name return it (depends on DNS)", policy.policy));
                    }
                    false
                }
                _ => false,
            },
            Peer::Nodes { selector } => match party {
                Party::Node(n) => {
                    subject.node.as_deref() != Some(n.name.as_str()) && selector.matches(&n.labels)
                }
                _ => false,
            },
        }
    }

    /// Whether the rule's peers admit the party; a DNS name needs a rule that admits it
    /// by name or admits every outside address.
    fn rule_admits_party(
        &self,
        rule: &Rule,
        policy: &CompiledPolicy,
        subject: &Endpoint,
        party: &Party,
        requires: &[SetId],
        notes: &mut Vec<String>,
    ) -> bool {
        if let Party::External {
            ip: None,
            dns: Some(name),
        } = party
        {
            let whole = |v4: bool| {
                rule.peers.iter().any(|p| matches!(p, Peer::Block { block } if block.is_whole_family() && block.cidr.addr().is_ipv4() == v4))
            };
            let ok = rule.peers.iter().any(|p| match p {
                Peer::Any => true,
                Peer::Entity { entity } => matches!(entity, Entity::All | Entity::World),
                Peer::Fqdn { fqdn } => fqdn.matches(name),
                _ => false,
            }) || (whole(true) && whole(false));
            if !ok && self.detail && rule.peers.iter().any(|p| matches!(p, Peer::Block { .. })) {
                notes.push(format!(
                    "{} admits {}: whether dns:{name} is admitted depends on what it resolves to",
                    rule.rule,
                    peers_text(rule)
                ));
            }
            return ok;
        }
        (0..rule.peers.len())
            .any(|i| self.peer_matches(rule, i, policy, subject, party, requires, notes))
    }

    /// [`Evaluator::layer`]'s decision alone, with nothing built: the same rules read in
    /// the same way (a deny rule wins; else the local node, or an allow rule; else the
    /// default), for bulk questions. `properties::allowed_equals_the_verdicts_decision`
    /// holds the two together.
    pub fn admits(
        &self,
        direction: Direction,
        subject: &Party,
        party: &Party,
        port: u16,
        protocol: Protocol,
    ) -> bool {
        let Party::Pod(e) = subject else {
            return true;
        };
        let settings = &self.compiled.settings;
        if settings.enforcement == EnforcementMode::Never {
            return true;
        }
        let selecting = self.policies_selecting(e, direction);
        let always = settings.enforcement == EnforcementMode::Always;
        if !always && selecting.clone().next().is_none() {
            return true;
        }
        let default_deny = always
            || selecting
                .clone()
                .any(|p| p.enforcement(direction).default_deny);
        let requires = required_sets(selecting.clone(), direction);
        let dest = named_port_holder(direction, e, party);
        let mut notes = Vec::new();
        let (mut allow, mut deny) = (false, false);
        'policies: for p in selecting {
            for rule in p.rules.iter().filter(|r| r.rule.direction == direction) {
                // Once a deny rule matched, nothing else counts; once an allow rule did,
                // only deny rules still can.
                if (rule.rule.deny && deny) || (!rule.rule.deny && allow) {
                    continue;
                }
                if rule_ports_admit(rule, port, protocol, dest)
                    && self.rule_admits_party(rule, p, e, party, &requires, &mut notes)
                {
                    if rule.rule.deny {
                        deny = true;
                        break 'policies;
                    }
                    allow = true;
                }
            }
        }
        let local_node = from_own_node(settings, direction, e, party);
        let allowed = if deny {
            false
        } else {
            local_node || allow || !default_deny
        };
        // Audit mode logs what it would drop and drops nothing.
        allowed || settings.audit
    }

    /// Judges one direction: `subject` is the pod whose policies apply, `party` the
    /// other side; `port` is the port on the wire.
    pub fn layer(
        &self,
        direction: Direction,
        subject: &Party,
        party: &Party,
        port: u16,
        protocol: Protocol,
    ) -> Layer {
        let Party::Pod(e) = subject else {
            let what = if !self.detail {
                String::new()
            } else {
                match subject {
                    Party::Node(n) => format!("node:{} (host network)", n.name),
                    _ => subject.describe(),
                }
            };
            return Layer::open(
                self.text(|| format!("no {} policy applies to {what}", direction.as_str())),
            );
        };
        let settings = &self.compiled.settings;
        if settings.enforcement == EnforcementMode::Never {
            return Layer::open(self.text(|| {
                "Cilium's policy enforcement is off (enable-policy: never): nothing is dropped"
                    .to_string()
            }));
        }
        let selecting = self.selecting(e, direction);
        if selecting.is_empty() && settings.enforcement != EnforcementMode::Always {
            return Layer::open(self.text(|| {
                format!(
                    "no policy selects {} for {}",
                    e.reference(),
                    direction.as_str()
                )
            }));
        }
        // `enable-policy: always` makes every endpoint default-deny, selected or not.
        let default_deny = settings.enforcement == EnforcementMode::Always
            || selecting
                .iter()
                .any(|p| p.enforcement(direction).default_deny);
        let isolated_by: Vec<PolicyRef> = {
            let mut v: Vec<PolicyRef> = selecting.iter().map(|p| p.policy.clone()).collect();
            v.dedup();
            v
        };
        let requires = required_sets(selecting.iter().copied(), direction);
        let dest = named_port_holder(direction, e, party);
        let mut layer = Layer::open(String::new());
        layer.isolated = true;
        layer.isolated_by = isolated_by;
        let mut notes = Vec::new();
        // Rules that admit the peer or the port but not both: said only when the layer
        // denies (an allowed layer has no near misses), so written only then.
        let mut near: Vec<(&Rule, bool)> = Vec::new();
        for p in &selecting {
            for rule in p.rules.iter().filter(|r| r.rule.direction == direction) {
                let port_ok = rule_ports_admit(rule, port, protocol, dest);
                // Without detail, a rule that cannot match on its port is skipped early.
                if !port_ok && !self.detail {
                    continue;
                }
                let peer_ok = self.rule_admits_party(rule, p, e, party, &requires, &mut notes);
                if peer_ok && port_ok {
                    if rule.rule.deny {
                        layer.denied_by.push(rule.rule.clone());
                    } else {
                        layer.allowed_by.push(rule.rule.clone());
                        layer.l7.extend(rule.l7.iter().cloned());
                    }
                } else if self.detail
                    && !rule.rule.deny
                    && (peer_ok || port_ok)
                    && !rule.peers.is_empty()
                {
                    near.push((rule, peer_ok));
                }
            }
        }
        notes.dedup();
        layer.notes = notes;
        let local_node = from_own_node(settings, direction, e, party);
        let dir = direction.as_str();
        if !layer.denied_by.is_empty() {
            layer.allowed = false;
            layer.reason = self.text(|| {
                format!(
                    "denied by {} (deny rules take precedence over every allow)",
                    join_rules(&layer.denied_by)
                )
            });
        } else if local_node {
            layer.allowed = true;
            layer.reason = self.text(|| match settings.dataplane {
                crate::compile::dataplane::Dataplane::Cilium => {
                    "traffic from the pod's own node (Cilium's host identity) is allowed on ingress (allow-localhost)".into()
                }
                _ => "traffic from the pod's own node is always allowed (NetworkPolicySpec: \"OR if the traffic source is the pod's local node\")".into(),
            });
        } else if !layer.allowed_by.is_empty() {
            layer.allowed = true;
            layer.reason = self.text(|| format!("allowed by {}", join_rules(&layer.allowed_by)));
        } else if default_deny {
            layer.allowed = false;
            layer.reason = self.text(|| {
                if layer.isolated_by.is_empty() {
                    format!("every endpoint is default-deny (Cilium enable-policy: always), and no rule admits {} on {port}/{protocol}", party.describe())
                } else {
                    format!(
                        "{} is isolated for {dir} by {}, and no rule admits {} on {port}/{protocol}",
                        e.reference(),
                        layer.isolated_by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                        party.describe()
                    )
                }
            });
        } else {
            layer.allowed = true;
            layer.reason = self.text(|| {
                format!(
                    "the policies selecting {} for {dir} do not enable default deny",
                    e.reference()
                )
            });
        }
        if settings.audit && !layer.allowed {
            layer.allowed = true;
            layer.notes.push(format!("policy audit mode (cilium-config policy-audit-mode): Cilium logs this as denied but drops nothing ({})", layer.reason));
            layer.reason = self.text(|| "audit mode: the policies would deny this, but Cilium's policy-audit-mode drops nothing".into());
        }
        if !layer.allowed {
            layer.near_misses = near
                .into_iter()
                .map(|(rule, peer_ok)| {
                    let message = if peer_ok {
                        format!(
                            "{} admits {}, but only on {}",
                            rule.rule,
                            party.describe(),
                            ports_text(rule)
                        )
                    } else {
                        format!(
                            "{} admits {port}/{protocol}, but only for {}",
                            rule.rule,
                            peers_text(rule)
                        )
                    };
                    NearMiss {
                        rule: rule.rule.clone(),
                        message,
                    }
                })
                .collect();
        }
        layer
    }
}

/// The sets the policies selecting a subject require of its peers in `direction`
/// (Cilium's `requires`): empty for nearly every policy, and then no allocation.
fn required_sets<'p>(
    policies: impl Iterator<Item = &'p CompiledPolicy>,
    direction: Direction,
) -> Vec<SetId> {
    policies
        .flat_map(|p| {
            p.requires_sets
                .iter()
                .filter(|(d, _)| *d == direction)
                .map(|(_, s)| *s)
        })
        .collect()
}

/// The pod whose container ports give a rule's named ports their numbers: the subject on
/// ingress, the destination (when a pod) on egress.
fn named_port_holder<'x>(
    direction: Direction,
    subject: &'x Endpoint,
    party: &'x Party<'_>,
) -> Option<&'x Endpoint> {
    match (direction, party) {
        (Direction::Ingress, _) => Some(subject),
        (Direction::Egress, Party::Pod(d)) => Some(d),
        (Direction::Egress, _) => None,
    }
}

/// Ingress from the subject's own node, which the dataplane admits whatever the policies
/// say where `local_node_allowed` (NetworkPolicy's "the pod's local node"; Cilium's
/// allow-localhost).
fn from_own_node(
    settings: &Settings,
    direction: Direction,
    subject: &Endpoint,
    party: &Party,
) -> bool {
    settings.local_node_allowed
        && matches!((direction, party), (Direction::Ingress, Party::Node(n)) if subject.node.as_deref() == Some(n.name.as_str()))
}

fn join_rules(rules: &[RuleRef]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (i, rule) in rules.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{rule}");
    }
    out
}
