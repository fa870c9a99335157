//! Names of policies and their rules: the vocabulary every stage uses to say which
//! object it is talking about (the model stores them, compilers produce rules under
//! them, verdicts and findings cite them).

use std::sync::Arc;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

    pub fn is_cilium(self) -> bool {
        self != PolicyKind::NetworkPolicy
    }
}

/// Names one policy object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef {
    pub kind: PolicyKind,
    // Shared, not copied: every verdict that names a policy or one of its rules clones
    // its reference, and a clone is then a count, not an allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Arc<str>>,
    pub name: Arc<str>,
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RuleRef {
    pub policy: PolicyRef,
    pub direction: Direction,
    /// Index of the rule in its list.
    pub index: usize,
    /// Field path of the rule in its object.
    pub path: Arc<str>,
    pub deny: bool,
}

impl std::fmt::Display for RuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.policy, self.path)
    }
}
