//! The compiled policy: one shape for NetworkPolicy and Cilium rules.
//!
//! A compiled policy is data, not a closure: a subject, the directions it enforces, and
//! rules made of peers and ports. Every selector is also compiled to the set of
//! identity classes it matches (`*_set` fields, indices into [`super::Compiled::sets`]),
//! so a verdict, a matrix row and a diagnostic read the same sets.

use serde::Serialize;

use crate::model::Origin;
use crate::ports::{IpBlock, PortMatch};
use crate::selector::Selector;

/// Index of a class set in [`super::Compiled::sets`].
pub type SetId = usize;

pub use crate::refs::{Direction, PolicyKind, PolicyRef, RuleRef};

/// Where a selector of namespaces applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum NamespaceScope {
    /// The policy's own namespace.
    Own { namespace: String },
    /// Namespaces whose labels match.
    Matching { selector: Selector },
}

/// Cilium's reserved and aggregate identities (`fromEntities` / `toEntities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Peer {
    /// Every source or destination: a NetworkPolicy rule without `from`/`to`, a Cilium
    /// rule with ports only.
    Any,
    /// NetworkPolicy peer: pods matching `pods` in namespaces of `namespaces`.
    Pods {
        namespaces: NamespaceScope,
        pods: Selector,
    },
    /// Cilium endpoint selector over identity labels (keys carry a source: `k8s:`, `any:`, `reserved:`).
    Identity {
        selector: Selector,
    },
    /// Addresses. Whether pods and nodes match depends on the dataplane.
    Block {
        block: IpBlock,
    },
    Entity {
        entity: Entity,
    },
    Fqdn {
        fqdn: FqdnPattern,
    },
    /// Cilium `fromNodes`/`toNodes`: remote nodes matching.
    Nodes {
        selector: Selector,
    },
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peer::Any => f.write_str("any peer"),
            Peer::Pods {
                namespaces: NamespaceScope::Own { namespace },
                pods,
            } => {
                write!(f, "pods {pods} in namespace {namespace}")
            }
            Peer::Pods {
                namespaces: NamespaceScope::Matching { selector },
                pods,
            } => {
                if selector.is_empty() {
                    write!(f, "pods {pods} in every namespace")
                } else {
                    write!(f, "pods {pods} in namespaces {selector}")
                }
            }
            Peer::Identity { selector } => write!(f, "endpoints {selector}"),
            Peer::Block { block } => write!(f, "addresses {block}"),
            Peer::Entity { entity } => write!(
                f,
                "entity {}",
                serde_json::to_value(entity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ),
            Peer::Fqdn { fqdn } => write!(f, "DNS {}", fqdn.pattern),
            Peer::Nodes { selector } => write!(f, "nodes {selector}"),
        }
    }
}

/// L7 rules attached to a Cilium port rule: recorded, not evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct L7 {
    pub protocol: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// Per peer, the pod classes it matches.
    #[serde(skip)]
    pub peer_sets: Vec<SetId>,
}

/// Which endpoints a policy applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Subject {
    /// NetworkPolicy: pods of one namespace matching a selector.
    Pods {
        namespace: String,
        selector: Selector,
    },
    /// Cilium: endpoints whose identity labels match (namespace already folded in for CNPs).
    Identity { selector: Selector },
    /// CCNP `nodeSelector`: host endpoints, enforced only with the host firewall.
    Nodes { selector: Selector },
}

/// How a policy treats one direction of its subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Enforcement {
    /// The policy has rules (or a type) for this direction.
    pub enforced: bool,
    /// Traffic no rule admits is dropped (NetworkPolicy always; Cilium unless
    /// `enableDefaultDeny` is false).
    pub default_deny: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// The pod classes the subject selects.
    #[serde(skip)]
    pub subject_set: SetId,
    /// `requires`, compiled.
    #[serde(skip)]
    pub requires_sets: Vec<(Direction, SetId)>,
}

impl CompiledPolicy {
    pub fn enforcement(&self, d: Direction) -> Enforcement {
        match d {
            Direction::Ingress => self.ingress,
            Direction::Egress => self.egress,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(p: &str) -> FqdnPattern {
        FqdnPattern {
            pattern: p.into(),
            is_pattern: true,
        }
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
        let exact = FqdnPattern {
            pattern: "api.example.com".into(),
            is_pattern: false,
        };
        assert!(exact.matches("API.example.com") && !exact.matches("x.api.example.com"));
    }

    #[test]
    fn many_stars_are_linear() {
        let p = pat(&"*".repeat(10_000).replace("**", "*a*"));
        // Must answer quickly (bounded work), whatever the answer.
        let _ = p.matches(&"a".repeat(10_000));
    }
}
