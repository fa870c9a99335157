//! The plan: dialect-free policies (subjects, rules of peers and ports, and the reasons
//! each rule exists), merged the way people write them: one rule per set of ports,
//! peers grouped, ports merged. The dialects render it (render/).

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::ports::Protocol;
use crate::selector::Labels;

/// A label selector in a form that sorts: matchLabels and matchExpressions.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Sel {
    pub labels: Labels,
    /// (key, operator, values)
    pub exprs: Vec<(String, String, Vec<String>)>,
}

impl Sel {
    pub fn labels(labels: Labels) -> Sel {
        Sel {
            labels,
            exprs: Vec::new(),
        }
    }

    pub fn from_k8s(ls: &LabelSelector) -> Sel {
        Sel {
            labels: ls.match_labels.clone().unwrap_or_default(),
            exprs: ls
                .match_expressions
                .iter()
                .flatten()
                .map(|e| {
                    (
                        e.key.clone(),
                        e.operator.clone(),
                        e.values.clone().unwrap_or_default(),
                    )
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.exprs.is_empty()
    }

    /// Whether pods with these labels are picked.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.exprs.iter().all(|(k, op, values)| {
                let v = labels.get(k);
                match op.as_str() {
                    "In" => v.is_some_and(|v| values.contains(v)),
                    "NotIn" => v.is_none_or(|v| !values.contains(v)),
                    "Exists" => v.is_some(),
                    _ => v.is_none(),
                }
            })
    }

    pub fn text(&self) -> String {
        let mut parts: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.extend(self.exprs.iter().map(|(k, op, v)| match op.as_str() {
            "Exists" => k.clone(),
            "DoesNotExist" => format!("!{k}"),
            _ => format!("{k} {} ({})", op.to_ascii_lowercase(), v.join(",")),
        }));
        if parts.is_empty() {
            "{}".into()
        } else {
            parts.join(",")
        }
    }
}

/// Which namespaces a pod peer is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum NsSel {
    Named(String),
    All,
}

/// The other side of a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Peer {
    /// Pods: of a namespace (or every one), picked by a selector (`None`: every pod).
    Pods { namespace: NsSel, pods: Option<Sel> },
    /// Addresses outside the pod network.
    Cidr(IpNet),
    /// The Kubernetes API server.
    ApiServer,
    /// Nodes' host network (kubelet, host-network pods).
    Nodes,
    /// A DNS name (Cilium toFQDNs).
    Fqdn(String),
}

impl Peer {
    pub fn text(&self) -> String {
        match self {
            Peer::Pods {
                namespace: NsSel::Named(ns),
                pods: Some(s),
            } => format!("pods {} in {ns}", s.text()),
            Peer::Pods {
                namespace: NsSel::Named(ns),
                pods: None,
            } => format!("every pod in {ns}"),
            Peer::Pods {
                namespace: NsSel::All,
                pods: Some(s),
            } => format!("pods {} in every namespace", s.text()),
            Peer::Pods {
                namespace: NsSel::All,
                pods: None,
            } => "every pod".into(),
            Peer::Cidr(n) => n.to_string(),
            Peer::ApiServer => "the API server".into(),
            Peer::Nodes => "the nodes".into(),
            Peer::Fqdn(n) => format!("dns:{n}"),
        }
    }
}

/// Ports of a rule: a protocol (`None`: every protocol) and a range (`None`: every port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct PortItem {
    pub protocol: Option<Protocol>,
    pub range: Option<(u16, u16)>,
}

impl PortItem {
    pub fn one(protocol: Protocol, port: u16) -> PortItem {
        PortItem {
            protocol: Some(protocol),
            range: Some((port, port)),
        }
    }

    pub fn any() -> PortItem {
        PortItem {
            protocol: None,
            range: None,
        }
    }

    pub fn covers(&self, protocol: Protocol, port: u16) -> bool {
        self.protocol.is_none_or(|p| p == protocol)
            && self.range.is_none_or(|(a, b)| (a..=b).contains(&port))
    }

    pub fn text(&self) -> String {
        let p = self
            .protocol
            .map(Protocol::as_str)
            .unwrap_or("any protocol");
        match self.range {
            None if self.protocol.is_none() => "every port".into(),
            None => format!("every {p} port"),
            Some((a, b)) if a == b => format!("{a}/{p}"),
            Some((a, b)) => format!("{a}-{b}/{p}"),
        }
    }
}

/// A set of ports, kept merged: nothing covered twice, adjacent numbers joined.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct PortSet(pub BTreeSet<PortItem>);

impl PortSet {
    pub fn any() -> PortSet {
        PortSet(BTreeSet::from([PortItem::any()]))
    }

    pub fn is_any(&self) -> bool {
        self.0.contains(&PortItem::any())
    }

    pub fn covers(&self, protocol: Protocol, port: u16) -> bool {
        self.0.iter().any(|i| i.covers(protocol, port))
    }

    pub fn insert(&mut self, item: PortItem) {
        self.0.insert(item);
    }

    pub fn extend(&mut self, other: &PortSet) {
        self.0.extend(other.0.iter().copied());
    }

    /// Joins adjacent and overlapping ranges of a protocol; a wider item swallows the rest.
    pub fn normalized(&self) -> PortSet {
        if self.is_any() {
            return PortSet::any();
        }
        let mut out = BTreeSet::new();
        for proto in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
            if self.0.contains(&PortItem {
                protocol: Some(proto),
                range: None,
            }) {
                out.insert(PortItem {
                    protocol: Some(proto),
                    range: None,
                });
                continue;
            }
            let mut ranges: Vec<(u16, u16)> = self
                .0
                .iter()
                .filter(|i| i.protocol == Some(proto))
                .filter_map(|i| i.range)
                .collect();
            ranges.sort_unstable();
            let mut merged: Vec<(u16, u16)> = Vec::new();
            for (a, b) in ranges {
                match merged.last_mut() {
                    Some((_, end)) if u32::from(a) <= u32::from(*end) + 1 => *end = (*end).max(b),
                    _ => merged.push((a, b)),
                }
            }
            out.extend(merged.into_iter().map(|r| PortItem {
                protocol: Some(proto),
                range: Some(r),
            }));
        }
        PortSet(out)
    }

    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(PortItem::text)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Why a rule exists: an intent, or a need of the mesh or the platform.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Reason {
    /// Sorts intents by number first, then needs.
    pub order: (u8, usize),
    pub text: String,
}

impl Reason {
    pub fn intent(n: usize, summary: &str) -> Reason {
        Reason {
            order: (0, n),
            text: format!("intent #{n}: {summary}"),
        }
    }

    pub fn need(text: impl Into<String>) -> Reason {
        Reason {
            order: (1, 0),
            text: text.into(),
        }
    }
}

/// One rule: peers, ports, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub peers: Vec<Peer>,
    pub ports: PortSet,
    pub reasons: Vec<Reason>,
    /// Per peer, what it is there for (a dialect that splits a rule by peer kind says
    /// only what each part serves).
    pub peer_reasons: Vec<Vec<Reason>>,
}

/// What a policy selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Subject {
    /// Pods of the namespace picked by a selector.
    Pods(Sel),
    /// Every pod of the namespace.
    Namespace,
}

/// One policy: a subject and its rules, by direction.
#[derive(Debug, Clone)]
pub(crate) struct PolicyPlan {
    pub namespace: String,
    pub name: String,
    pub subject: Subject,
    /// What the subject stands for, for comments: `shop/api (Deployment)`.
    pub about: String,
    /// Which directions it isolates.
    pub ingress: bool,
    pub egress: bool,
    /// (direction, peer) → ports and reasons, merged into rules when rendered.
    pub wants: BTreeMap<(Dir, Peer), (PortSet, BTreeSet<Reason>)>,
    /// Lines for the comment above the object.
    pub notes: Vec<String>,
}

/// A direction that sorts (ingress first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Dir {
    Ingress,
    Egress,
}

impl PolicyPlan {
    pub fn new(namespace: &str, name: &str, subject: Subject, about: String) -> PolicyPlan {
        PolicyPlan {
            namespace: namespace.into(),
            name: name.into(),
            subject,
            about,
            ingress: true,
            egress: true,
            wants: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    pub fn want(&mut self, dir: Dir, peer: Peer, ports: &PortSet, reason: Reason) {
        let e = self.wants.entry((dir, peer)).or_default();
        e.0.extend(ports);
        e.1.insert(reason);
    }

    /// The rules of a direction: peers with equal ports grouped, in the order of their
    /// first reason.
    pub fn rules(&self, dir: Dir) -> Vec<Rule> {
        let mut by_ports: BTreeMap<PortSet, Rule> = BTreeMap::new();
        for ((d, peer), (ports, reasons)) in &self.wants {
            if *d != dir {
                continue;
            }
            let ports = ports.normalized();
            let rule = by_ports.entry(ports.clone()).or_insert_with(|| Rule {
                peers: Vec::new(),
                ports,
                reasons: Vec::new(),
                peer_reasons: Vec::new(),
            });
            rule.peers.push(peer.clone());
            rule.reasons.extend(reasons.iter().cloned());
            rule.peer_reasons.push(reasons.iter().cloned().collect());
        }
        let mut rules: Vec<Rule> = by_ports
            .into_values()
            .map(|mut r| {
                r.reasons.sort();
                r.reasons.dedup();
                r
            })
            .collect();
        rules.sort_by(|a, b| {
            a.reasons
                .first()
                .cmp(&b.reasons.first())
                .then_with(|| a.peers.cmp(&b.peers))
        });
        rules
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;

    #[test]
    fn ports_merge_and_peers_group() {
        let mut s = PortSet::default();
        for p in [8080, 8081, 8082, 9090] {
            s.insert(PortItem::one(Protocol::Tcp, p));
        }
        s.insert(PortItem {
            protocol: Some(Protocol::Udp),
            range: None,
        });
        s.insert(PortItem::one(Protocol::Udp, 53));
        assert_eq!(
            s.normalized().text(),
            "8080-8082/TCP, 9090/TCP, every UDP port"
        );
        let mut p = PolicyPlan::new("ns", "x", Subject::Namespace, String::new());
        let a = Peer::Pods {
            namespace: NsSel::Named("ns".into()),
            pods: Some(Sel::labels(Labels::from([("app".into(), "a".into())]))),
        };
        let b = Peer::Pods {
            namespace: NsSel::Named("ns".into()),
            pods: Some(Sel::labels(Labels::from([("app".into(), "b".into())]))),
        };
        let port = PortSet(BTreeSet::from([PortItem::one(Protocol::Tcp, 80)]));
        p.want(Dir::Ingress, a, &port, Reason::intent(2, "a"));
        p.want(Dir::Ingress, b, &port, Reason::intent(1, "b"));
        let rules = p.rules(Dir::Ingress);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].peers.len(), 2);
        assert_eq!(rules[0].reasons.len(), 2);
    }
}
