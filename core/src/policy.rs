//! The compiled policy: one shape for NetworkPolicy and Cilium rules.
//!
//! A compiled policy is data, not a closure: a subject, the directions it enforces, and
//! rules made of peers and ports. Verdicts read it; later analyses (matrices, diffs,
//! synthesis) enumerate it per label identity, because every peer is a selector over
//! labels, a block of addresses, or a named entity.

use std::net::IpAddr;

use serde::Serialize;

use crate::model::{Endpoint, Model, Node, Origin};
use crate::ports::{IpBlock, PortMatch};
use crate::selector::{Labels, Selector};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum PolicyKind {
    NetworkPolicy,
    CiliumNetworkPolicy,
    CiliumClusterwideNetworkPolicy,
}

impl PolicyKind {
    pub fn short(self) -> &'static str {
        match self {
            PolicyKind::NetworkPolicy => "NetworkPolicy",
            PolicyKind::CiliumNetworkPolicy => "CiliumNetworkPolicy",
            PolicyKind::CiliumClusterwideNetworkPolicy => "CiliumClusterwideNetworkPolicy",
        }
    }
}

/// Names one policy object (and, for Cilium, one rule of its `specs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef {
    pub kind: PolicyKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            PolicyKind::NetworkPolicy => "",
            PolicyKind::CiliumNetworkPolicy => "cnp ",
            PolicyKind::CiliumClusterwideNetworkPolicy => "ccnp ",
        };
        match &self.namespace {
            Some(ns) => write!(f, "{kind}{ns}/{}", self.name),
            None => write!(f, "{kind}{}", self.name),
        }
    }
}

/// Names one rule: `spec.ingress[0]` of a NetworkPolicy, `specs[1].egressDeny[0]` of a CNP.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleRef {
    pub policy: PolicyRef,
    pub direction: Direction,
    /// Index of the rule in its list.
    pub index: usize,
    /// Field path of the rule in its object.
    pub path: String,
    pub deny: bool,
}

impl std::fmt::Display for RuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.policy, self.path)
    }
}

/// Where a selector of namespaces applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum NamespaceScope {
    /// The policy's own namespace.
    Own { namespace: String },
    /// Namespaces whose labels match.
    Matching { selector: Selector },
}

/// Cilium's reserved and aggregate identities (`fromEntities` / `toEntities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Entity {
    All,
    World,
    WorldIpv4,
    WorldIpv6,
    Cluster,
    ClusterMesh,
    Host,
    RemoteNode,
    KubeApiserver,
    Ingress,
    Init,
    Health,
    Unmanaged,
    None,
}

impl Entity {
    pub fn parse(s: &str) -> Option<Entity> {
        Some(match s {
            "all" => Entity::All,
            "world" => Entity::World,
            "world-ipv4" => Entity::WorldIpv4,
            "world-ipv6" => Entity::WorldIpv6,
            "cluster" => Entity::Cluster,
            "cluster-mesh" => Entity::ClusterMesh,
            "host" => Entity::Host,
            "remote-node" => Entity::RemoteNode,
            "kube-apiserver" => Entity::KubeApiserver,
            "ingress" => Entity::Ingress,
            "init" => Entity::Init,
            "health" => Entity::Health,
            "unmanaged" => Entity::Unmanaged,
            "none" => Entity::None,
            _ => return None,
        })
    }
}

/// A DNS name pattern of Cilium `toFQDNs` (`matchName` or `matchPattern`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FqdnPattern {
    pub pattern: String,
    pub is_pattern: bool,
}

impl FqdnPattern {
    /// Cilium's rules (pkg/fqdn/matchpattern): case-insensitive; `*` alone matches every
    /// name; inside a label `*` matches `[-a-zA-Z0-9_]*` and never a dot; a leading `**.`
    /// matches one or more whole labels. Linear in the name and pattern lengths.
    pub fn matches(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let pat = self.pattern.trim_end_matches('.').to_ascii_lowercase();
        if !self.is_pattern {
            return name == pat;
        }
        // `*`, `**` and `*.` (trimmed above) match every name.
        if !pat.is_empty() && pat.chars().all(|c| c == '*') {
            return true;
        }
        if let Some(rest) = pat.strip_prefix("**.") {
            // One or more whole labels, then the rest.
            let mut idx = name.find('.');
            while let Some(i) = idx {
                let tail = name.get(i + 1..).unwrap_or_default();
                if glob_labels(rest, tail) {
                    return true;
                }
                idx = tail.find('.').map(|j| i + 1 + j);
            }
            return false;
        }
        glob_labels(&pat, &name)
    }
}

/// Matches label by label; `*` inside a label matches any run of label characters.
fn glob_labels(pattern: &str, name: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    let n: Vec<&str> = name.split('.').collect();
    p.len() == n.len() && p.iter().zip(n.iter()).all(|(p, n)| glob_label(p, n))
}

/// Wildcard match of one label with `*` (greedy-free two-pointer algorithm, linear time).
fn glob_label(p: &str, n: &str) -> bool {
    let p = p.as_bytes();
    let n = n.as_bytes();
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<usize> = None;
    let mut mark = 0usize;
    while ni < n.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some(pi);
                pi += 1;
                mark = ni;
            }
            Some(c) if Some(c) == n.get(ni) => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    ni = mark;
                }
                None => return false,
            },
        }
    }
    p.get(pi..).unwrap_or_default().iter().all(|c| *c == b'*')
}

/// Who a rule admits (or denies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Peer {
    /// Every source or destination: a NetworkPolicy rule without `from`/`to`, a Cilium
    /// rule with ports only.
    Any,
    /// NetworkPolicy peer: pods matching `pods` in namespaces of `namespaces`.
    Pods { namespaces: NamespaceScope, pods: Selector },
    /// Cilium endpoint selector over identity labels (keys carry a source: `k8s:`, `any:`, `reserved:`).
    Identity { selector: Selector },
    /// Addresses. Whether pods and nodes match depends on the dataplane.
    Block { block: IpBlock },
    Entity { entity: Entity },
    Fqdn { fqdn: FqdnPattern },
    /// Cilium `fromNodes`/`toNodes`: remote nodes matching.
    Nodes { selector: Selector },
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peer::Any => f.write_str("any peer"),
            Peer::Pods { namespaces: NamespaceScope::Own { namespace }, pods } => {
                write!(f, "pods {pods} in namespace {namespace}")
            }
            Peer::Pods { namespaces: NamespaceScope::Matching { selector }, pods } => {
                if selector.is_empty() {
                    write!(f, "pods {pods} in every namespace")
                } else {
                    write!(f, "pods {pods} in namespaces {selector}")
                }
            }
            Peer::Identity { selector } => write!(f, "endpoints {selector}"),
            Peer::Block { block } => write!(f, "addresses {block}"),
            Peer::Entity { entity } => write!(f, "entity {}", serde_json::to_value(entity).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
            Peer::Fqdn { fqdn } => write!(f, "DNS {}", fqdn.pattern),
            Peer::Nodes { selector } => write!(f, "nodes {selector}"),
        }
    }
}

/// L7 rules attached to a Cilium port rule: recorded, not evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct L7 {
    pub protocol: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    #[serde(rename = "ref")]
    pub rule: RuleRef,
    /// Any of these (an empty list admits no peer: Cilium `fromEndpoints: []`).
    pub peers: Vec<Peer>,
    /// Any of these; empty means every port of every protocol.
    pub ports: Vec<PortMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub l7: Vec<L7>,
    /// Cilium `icmps` without `toPorts`: admits ICMP only, never a TCP/UDP/SCTP flow.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub icmp_only: bool,
}

/// Which endpoints a policy applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Subject {
    /// NetworkPolicy: pods of one namespace matching a selector.
    Pods { namespace: String, selector: Selector },
    /// Cilium: endpoints whose identity labels match (namespace already folded in for CNPs).
    Identity { selector: Selector },
    /// CCNP `nodeSelector`: host endpoints, enforced only with the host firewall.
    Nodes { selector: Selector },
}

/// How a policy treats one direction of its subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Enforcement {
    /// The policy has rules (or a type) for this direction.
    pub enforced: bool,
    /// Traffic no rule admits is dropped (NetworkPolicy always; Cilium unless
    /// `enableDefaultDeny` is false).
    pub default_deny: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompiledPolicy {
    #[serde(rename = "ref")]
    pub policy: PolicyRef,
    pub subject: Subject,
    pub ingress: Enforcement,
    pub egress: Enforcement,
    pub rules: Vec<Rule>,
    #[serde(skip)]
    pub origin: Origin,
    /// Path of the subject selector in the object, for diagnostics.
    #[serde(skip)]
    pub subject_path: String,
    /// Cilium `fromRequires`/`toRequires` (≤1.18): requirements ANDed into every
    /// endpoint peer of every rule that selects the same subject.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<(Direction, Selector)>,
}

impl CompiledPolicy {
    pub fn enforcement(&self, d: Direction) -> Enforcement {
        match d {
            Direction::Ingress => self.ingress,
            Direction::Egress => self.egress,
        }
    }
}

/// One side of a connection, as policies see it.
#[derive(Debug, Clone, Copy)]
pub enum Party<'a> {
    Pod(&'a Endpoint),
    Node(&'a Node),
    /// An address outside the cluster, or a DNS name whose address is unknown.
    External { ip: Option<IpAddr>, dns: Option<&'a str> },
}

impl Party<'_> {
    pub fn ips(&self) -> Vec<IpAddr> {
        match self {
            Party::Pod(e) => e.ips.clone(),
            Party::Node(n) => n.addresses.clone(),
            Party::External { ip, .. } => ip.iter().copied().collect(),
        }
    }

    pub fn is_api_server(&self, model: &Model) -> bool {
        match self {
            Party::Pod(_) => false,
            _ => self.ips().iter().any(|ip| model.api_server.contains(ip)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Party::Pod(e) => e.reference(),
            Party::Node(n) => format!("node:{}", n.name),
            Party::External { ip: Some(ip), .. } => format!("ip:{ip}"),
            Party::External { dns: Some(d), .. } => format!("dns:{d}"),
            Party::External { .. } => "an outside address".to_string(),
        }
    }
}

/// Cilium's identity labels of a pod, looked up by a selector key with its source prefix.
///
/// Source: pkg/labels (sources), pkg/labelsfilter (pod labels Cilium leaves out of
/// identities), pkg/k8s/apis/cilium.io/utils (the namespace, namespace-label,
/// service-account and cluster labels every pod identity carries).
pub fn cilium_pod_label<'a>(e: &'a Endpoint, ns_labels: Option<&'a Labels>, key: &str) -> Option<&'a str> {
    let (source, key) = split_source(key);
    if !matches!(source, "k8s" | "any") {
        return None;
    }
    match key {
        "io.kubernetes.pod.namespace" => return Some(e.namespace.as_str()),
        "io.cilium.k8s.policy.serviceaccount" => return Some(e.service_account.as_str()),
        "io.cilium.k8s.policy.cluster" => return Some("default"),
        _ => {}
    }
    if let Some(ns_key) = key.strip_prefix("io.cilium.k8s.namespace.labels.") {
        return ns_labels.and_then(|l| l.get(ns_key)).map(String::as_str);
    }
    if !cilium_identity_label(key) {
        return None;
    }
    e.labels.get(key).map(String::as_str)
}

/// A pod's Cilium identity labels, sorted, as `source:key=value` (what selectors match).
pub fn cilium_identity(e: &Endpoint, ns_labels: Option<&Labels>) -> Vec<String> {
    let mut out: Vec<String> = e.labels.iter().filter(|(k, _)| cilium_identity_label(k)).map(|(k, v)| format!("k8s:{k}={v}")).collect();
    out.push(format!("k8s:io.kubernetes.pod.namespace={}", e.namespace));
    out.push(format!("k8s:io.cilium.k8s.policy.serviceaccount={}", e.service_account));
    out.push("k8s:io.cilium.k8s.policy.cluster=default".to_string());
    out.extend(ns_labels.into_iter().flatten().map(|(k, v)| format!("k8s:io.cilium.k8s.namespace.labels.{k}={v}")));
    out.sort();
    out
}

/// Splits `k8s:app` into (`k8s`, `app`); a key without a source is `any:` (Cilium's
/// `Sanitize` rewrites it so).
pub fn split_source(key: &str) -> (&str, &str) {
    match key.split_once(':') {
        Some((src, rest)) if matches!(src, "k8s" | "any" | "reserved" | "cidr" | "fqdn" | "unspec" | "container" | "node" | "cidrgroup") => {
            (src, rest)
        }
        _ => ("any", key),
    }
}

/// Whether a pod label key is part of the pod's Cilium identity (default label filter of
/// pkg/labelsfilter: Kubernetes-internal and controller-generated keys are left out).
pub fn cilium_identity_label(key: &str) -> bool {
    const DROPPED_PREFIXES: [&str; 9] = [
        "io.kubernetes",
        "kubernetes.io",
        "k8s.io",
        "topology.kubernetes.io",
        "pod-template-generation",
        "pod-template-hash",
        "controller-revision-hash",
        "controller-uid",
        "annotation",
    ];
    const DROPPED: [&str; 5] = [
        "etcd_node",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "batch.kubernetes.io/job-completion-index",
        "batch.kubernetes.io/controller-uid",
    ];
    if key.contains(".beta.kubernetes.io") {
        return false;
    }
    !DROPPED_PREFIXES.iter().any(|p| key.starts_with(p)) && !DROPPED.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(p: &str) -> FqdnPattern {
        FqdnPattern { pattern: p.into(), is_pattern: true }
    }

    #[test]
    fn fqdn_patterns_follow_cilium_matchpattern() {
        // Documentation/security/policy/language.rst (DNS based), pkg/fqdn/matchpattern.
        assert!(pat("*.cilium.io").matches("sub.cilium.io"));
        assert!(!pat("*.cilium.io").matches("cilium.io"));
        assert!(!pat("*.cilium.io").matches("a.b.cilium.io"));
        assert!(pat("*cilium.io").matches("cilium.io"));
        assert!(pat("*cilium.io").matches("subcilium.io"));
        assert!(!pat("*cilium.io").matches("www.cilium.io"));
        assert!(pat("**.cilium.io").matches("a.b.cilium.io"));
        assert!(!pat("**.cilium.io").matches("cilium.io"));
        assert!(pat("*").matches("anything.example.com"));
        assert!(pat("API.Example.com").matches("api.example.com."));
        let exact = FqdnPattern { pattern: "api.example.com".into(), is_pattern: false };
        assert!(exact.matches("API.example.com") && !exact.matches("x.api.example.com"));
    }

    #[test]
    fn many_stars_are_linear() {
        let p = pat(&"*".repeat(10_000).replace("**", "*a*"));
        // Must answer quickly (bounded work), whatever the answer.
        let _ = p.matches(&"a".repeat(10_000));
    }

    #[test]
    fn identity_label_filter() {
        assert!(cilium_identity_label("app"));
        assert!(cilium_identity_label("app.kubernetes.io/name"));
        assert!(cilium_identity_label("k8s-app"));
        assert!(!cilium_identity_label("pod-template-hash"));
        assert!(!cilium_identity_label("statefulset.kubernetes.io/pod-name"));
        assert!(!cilium_identity_label("kubernetes.io/metadata.name"));
    }
}
