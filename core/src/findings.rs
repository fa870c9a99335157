//! Findings: what the engine reports besides verdicts. Diagnostics (about the policy set:
//! what breaks the mesh, the DNS or the policies themselves) and warnings (about the
//! input: what was skipped or assumed). Codes are enums so that every host, the CLI's
//! SARIF rules and the documentation name the same set; this module is a leaf.

use serde::{Deserialize, Serialize};

use crate::error::Location;
use crate::ports::Protocol;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// An assumption the engine made.
    Info,
    /// Degraded (metrics, tap), risky, or wider than written.
    Warning,
    /// A data path breaks, or an object cannot exist.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal : $desc:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every code, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The code as it appears in JSON, SARIF and case files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// One sentence: what the code means.
            pub fn description(self) -> &'static str {
                match self { $($name::$variant => $desc,)* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes! {
    /// What a diagnostic is about. The first eight are the conformance format's codes
    /// (v1); the rest are meshverdict's own.
    DiagnosticCode {
        MeshFlowBlocked = "mesh-flow-blocked":
            "A flow the service mesh needs (proxy to control plane, Prometheus to proxy metrics, API server to webhooks, tap) is denied.",
        MeshPortRewriteBlocked = "mesh-port-rewrite-blocked":
            "A policy admits a flow on its application port, but the mesh carries it on another port (Linkerd 2.18+ and opaque ports: 4143) that the policies do not admit, so the flow breaks.",
        MeshWidensPortRule = "mesh-widens-port-rule":
            "A port-restricted allow between meshed pods admits every port in practice, because the mesh carries all of them on its one inbound port.",
        SelectorMatchesNothing = "selector-matches-nothing":
            "A policy's target selector, or one of its peers, selects no endpoint in the input (often a wrong label).",
        L7RuleOnMeshedEndpoint = "l7-rule-on-meshed-endpoint":
            "A Cilium L7 rule applies to traffic of a meshed endpoint, which the mesh encrypts, so the rule cannot work as written.",
        EgressWithoutDns = "egress-without-dns":
            "An endpoint whose egress is restricted cannot reach the cluster DNS.",
        InvalidPolicy = "invalid-policy":
            "An object the API server or Cilium's agent would reject: it cannot exist, or exists without being enforced.",
        MeshVersionAssumed = "mesh-version-assumed":
            "The mesh's version is not given in the input; the engine assumed one.",
        LinkerdAuthzIgnored = "linkerd-authz-ignored":
            "A Linkerd AuthorizationPolicy references an authentication that does not exist, so Linkerd ignores the whole policy.",
        PolicyNotEnforced = "policy-not-enforced":
            "The input holds policies the chosen dataplane does not enforce (e.g. Cilium policies on a non-Cilium dataplane, Calico's own kinds).",
        HostPolicyNotEnforced = "host-policy-not-enforced":
            "A CiliumClusterwideNetworkPolicy with nodeSelector applies only with Cilium's host firewall, which is off by default.",
        DataplaneSetting = "dataplane-setting":
            "A dataplane setting in the input (e.g. Cilium's agent ConfigMap) changes verdicts, or could not be honoured.",
    }
}

impl DiagnosticCode {
    /// Where the code is documented (the project's docs/diagnostics.md).
    pub fn help_uri(self) -> String {
        format!(
            "https://github.com/meshverdict/meshverdict/blob/main/docs/diagnostics.md#{}",
            self.as_str()
        )
    }
}

codes! {
    /// What a warning about the input is about.
    WarningCode {
        UnknownKind = "unknown-kind":
            "An object of a kind the engine does not read was skipped.",
        DuplicateObject = "duplicate-object":
            "The same object is given twice; the later one is used.",
        HostNetworkWorkload = "host-network-workload":
            "A workload runs with hostNetwork: its pods are their nodes' host network, which no pod policy selects.",
        ServiceNotFound = "service-not-found":
            "A Cilium toServices entry names no Service in the input, so it admits nothing.",
        ServiceWithoutSelector = "service-without-selector":
            "A Cilium toServices entry names a Service without selector; its addresses are not in the input.",
        CiliumGroupsUnresolved = "cilium-groups-unresolved":
            "fromGroups/toGroups name cloud security groups that only the Cilium operator can resolve; they admit nothing here.",
        CiliumCidrGroupUnresolved = "cilium-cidr-group-unresolved":
            "A CIDR group reference cannot be resolved from the input; it admits nothing here.",
        CiliumRequiresRemoved = "cilium-requires-removed":
            "fromRequires/toRequires were removed in Cilium 1.19; evaluated with their 1.18 meaning.",
        PolicyNotEnforced = "policy-not-enforced":
            "A policy in the input is not enforced by the chosen dataplane.",
        DataplaneSetting = "dataplane-setting":
            "A dataplane setting from the input changes or may change verdicts.",
        OwnedWorkload = "owned-workload":
            "A workload owned by another workload in the input (a ReplicaSet of a Deployment, a Job of a CronJob) is no endpoint of its own.",
    }
}

/// A note about the input that is no error: a skipped kind, an assumption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>) -> Warning {
        Warning {
            code,
            message: message.into(),
            location: None,
        }
    }

    pub fn at(mut self, location: Location) -> Warning {
        self.location = Some(location);
        self
    }
}

/// A flow a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FlowRef {
    pub from: String,
    pub to: String,
    pub port: u16,
    pub protocol: Protocol,
}

/// A finding about the policy set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub code: DiagnosticCode,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<FlowRef>,
    /// How many flows the finding concerns, when `flows` lists only the first of them
    /// (a finding between two large groups of pods concerns a number of flows that
    /// grows with the product of their sizes; `diagnose` lists a bounded sample).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flows_total: Option<usize>,
    /// The policies concerned, as `kind`, `namespace`, `name`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<crate::refs::PolicyRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Diagnostic {
    /// Sets the flows from an iterator over `total` of them, keeping at most `max`.
    pub fn set_flows(
        &mut self,
        flows: impl Iterator<Item = FlowRef>,
        total: usize,
        max: Option<usize>,
    ) {
        match max {
            Some(max) if total > max => {
                self.flows = flows.take(max).collect();
                self.flows_total = Some(total);
            }
            _ => {
                self.flows = flows.collect();
                self.flows_total = None;
            }
        }
    }

    pub fn new(code: DiagnosticCode, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            help: None,
            flows: Vec::new(),
            flows_total: None,
            policies: Vec::new(),
            location: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_text() {
        for c in DiagnosticCode::ALL {
            assert_eq!(DiagnosticCode::parse(c.as_str()), Some(*c));
            assert_eq!(
                serde_json::to_value(c).ok(),
                Some(serde_json::Value::from(c.as_str()))
            );
            assert!(c.description().ends_with('.'));
        }
        for c in WarningCode::ALL {
            assert_eq!(WarningCode::parse(c.as_str()), Some(*c));
        }
    }
}
