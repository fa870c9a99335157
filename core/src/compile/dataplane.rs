//! Which dataplane enforces the policies, why that one, and the settings of it that
//! change verdicts. Where CNIs differ, they differ here and nowhere else.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::findings::{Warning, WarningCode};
use crate::model::{Model, Origin};
use crate::refs::PolicyKind;

use super::labels::LabelFilter;

/// Which dataplane enforces the policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Dataplane {
    /// The Kubernetes API reference and the upstream e2e tests.
    #[default]
    Generic,
    /// Calico: as generic for NetworkPolicy (ipBlock matches pod and node addresses).
    Calico,
    /// Cilium 1.18-1.20.
    Cilium,
}

impl Dataplane {
    pub fn parse(s: &str) -> Result<Dataplane> {
        match s {
            "generic" => Ok(Dataplane::Generic),
            "calico" => Ok(Dataplane::Calico),
            "cilium" => Ok(Dataplane::Cilium),
            other => Err(Error::request(format!("unknown dataplane {other:?}"))
                .with_help("use auto, generic, calico or cilium")),
        }
    }

    /// A dataplane setting as users give it: `auto` (None: the one the input shows) or a name.
    pub fn parse_setting(s: &str) -> Result<Option<Dataplane>> {
        match s {
            "auto" => Ok(None),
            other => Dataplane::parse(other).map(Some),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dataplane::Generic => "generic",
            Dataplane::Calico => "calico",
            Dataplane::Cilium => "cilium",
        }
    }

    /// The dataplane the input shows (the case format's rule for a case without
    /// `dataplane`, and the CLI's `--dataplane auto`): Cilium when it holds Cilium
    /// policies or Cilium's agent, Calico when it holds Calico's objects or calico-node,
    /// else the API reference.
    pub fn detect(model: &Model) -> DataplaneChoice {
        let s = &model.signs;
        let cilium_policies: Vec<String> = model
            .cilium
            .iter()
            .map(|o| {
                format!(
                    "{} {}",
                    o.kind.short(),
                    qualified(o.namespace.as_deref(), &o.name)
                )
            })
            .collect();
        let mut cilium = Vec::new();
        if !cilium_policies.is_empty() {
            cilium.push(format!(
                "{} Cilium polic{} ({})",
                cilium_policies.len(),
                if cilium_policies.len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                sample(&cilium_policies)
            ));
        }
        if !s.cilium_agents.is_empty() {
            cilium.push(format!("Cilium's agent ({})", sample(&s.cilium_agents)));
        }
        if s.cilium_config.is_some() {
            cilium.push("the ConfigMap kube-system/cilium-config".into());
        }
        if !cilium.is_empty() {
            return DataplaneChoice {
                name: Dataplane::Cilium,
                reason: format!("auto: the input holds {}", cilium.join(" and ")).into(),
            };
        }
        let mut calico = Vec::new();
        if !s.calico_objects.is_empty() {
            let names: Vec<String> = s
                .calico_objects
                .iter()
                .map(|o| format!("{} {}", o.kind, qualified(o.namespace.as_deref(), &o.name)))
                .collect();
            calico.push(format!("Calico objects ({})", sample(&names)));
        }
        if !s.calico_nodes.is_empty() {
            calico.push(format!("calico-node ({})", sample(&s.calico_nodes)));
        }
        if !calico.is_empty() {
            return DataplaneChoice {
                name: Dataplane::Calico,
                reason: format!("auto: the input holds {}", calico.join(" and ")).into(),
            };
        }
        DataplaneChoice {
            name: Dataplane::Generic,
            reason: "auto: the input shows no Cilium or Calico object, so the Kubernetes API reference applies (generic)".into(),
        }
    }
}

pub(crate) fn qualified(ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

pub(crate) fn sample(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a}, {b}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}

/// The dataplane a cluster is judged on, and why that one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DataplaneChoice {
    pub name: Dataplane,
    // Shared, not copied: every verdict carries the choice.
    pub reason: std::sync::Arc<str>,
}

impl DataplaneChoice {
    /// The choice for an explicit dataplane, or the detected one.
    pub fn for_model(model: &Model, given: Option<Dataplane>) -> DataplaneChoice {
        match given {
            Some(name) => DataplaneChoice {
                name,
                reason: "given by the caller".into(),
            },
            None => Dataplane::detect(model),
        }
    }
}

/// Cilium's `enable-policy` agent mode (Helm `policyEnforcementMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum EnforcementMode {
    /// Endpoints are enforced once a policy selects them.
    Default,
    /// Every endpoint is default-deny both ways, selected or not.
    Always,
    /// Nothing is enforced.
    Never,
}

/// The settings of a dataplane that change verdicts. For Cilium they come from the
/// agent's ConfigMap `kube-system/cilium-config` when the input holds it; every key
/// read is named in `notes`, every unmodelled key that changes verdicts in `warnings`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub dataplane: Dataplane,
    /// `ipBlock`/CIDR rules match pod addresses.
    pub cidr_matches_pods: bool,
    /// `ipBlock`/CIDR rules match node (and host-network) addresses.
    pub cidr_matches_nodes: bool,
    /// Traffic from a pod's own node is admitted on ingress.
    pub local_node_allowed: bool,
    pub enforcement: EnforcementMode,
    /// Audit mode: policy verdicts are logged, nothing is dropped.
    pub audit: bool,
    /// `enableDefaultDeny: false` is honoured (`enable-non-default-deny-policies`).
    pub non_default_deny: bool,
    /// `fromNodes`/`toNodes` are accepted (`enable-node-selector-labels`).
    pub node_selector_labels: bool,
    /// L7 rules are accepted (`enable-l7-proxy`).
    pub l7_proxy: bool,
    /// Kubernetes NetworkPolicies are enforced (`enable-k8s-networkpolicy`).
    pub enforce_network_policy: bool,
    /// The value of every pod's `io.cilium.k8s.policy.cluster` identity label.
    pub cluster_name: String,
    /// Peers that name no cluster select the local cluster only
    /// (`policy-default-local-cluster`, Helm default true from 1.19).
    pub policy_default_local_cluster: bool,
    /// Which pod labels are part of a Cilium identity.
    pub label_filter: LabelFilter,
    pub warnings: Vec<Warning>,
}

fn flag(data: &BTreeMap<String, String>, key: &str, default: bool) -> bool {
    match data.get(key).map(|v| v.trim().to_ascii_lowercase()) {
        Some(v) if v == "true" => true,
        Some(v) if v == "false" => false,
        _ => default,
    }
}

impl Settings {
    /// The settings of `dataplane` for this input: defaults, and for Cilium the agent
    /// ConfigMap's keys that change verdicts (pkg/option/config.go names).
    pub fn read(model: &Model, dataplane: Dataplane) -> Settings {
        let mut s = Settings {
            dataplane,
            cidr_matches_pods: dataplane != Dataplane::Cilium,
            cidr_matches_nodes: dataplane != Dataplane::Cilium,
            local_node_allowed: true,
            enforcement: EnforcementMode::Default,
            audit: false,
            non_default_deny: true,
            node_selector_labels: false,
            l7_proxy: true,
            enforce_network_policy: true,
            cluster_name: "default".into(),
            policy_default_local_cluster: true,
            label_filter: LabelFilter::cilium_default(),
            warnings: Vec::new(),
        };
        if dataplane != Dataplane::Cilium {
            return s;
        }
        let Some((origin, data)) = &model.signs.cilium_config else {
            return s;
        };
        let mut honoured = Vec::new();
        let mut note = |key: &str| honoured.push(key.to_string());
        if let Some(name) = data.get("cluster-name").filter(|n| !n.is_empty()) {
            s.cluster_name = name.clone();
            note("cluster-name");
        }
        if let Some(mode) = data.get("policy-cidr-match-mode") {
            // A comma- or space-separated list: `nodes` (1.15+), `pods` (1.20).
            let parts: Vec<&str> = mode
                .split([',', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            s.cidr_matches_nodes = parts.contains(&"nodes");
            s.cidr_matches_pods = parts.contains(&"pods");
            note("policy-cidr-match-mode");
        }
        if let Some(mode) = data.get("enable-policy") {
            s.enforcement = match mode.trim() {
                "always" => EnforcementMode::Always,
                "never" => EnforcementMode::Never,
                _ => EnforcementMode::Default,
            };
            note("enable-policy");
        }
        if let Some(v) = data.get("allow-localhost") {
            s.local_node_allowed = v.trim() != "policy";
            note("allow-localhost");
        }
        if data.contains_key("policy-audit-mode") {
            s.audit = flag(data, "policy-audit-mode", false);
            note("policy-audit-mode");
        }
        for (key, slot, default) in [
            (
                "enable-non-default-deny-policies",
                &mut s.non_default_deny,
                true,
            ),
            (
                "enable-node-selector-labels",
                &mut s.node_selector_labels,
                false,
            ),
            ("enable-l7-proxy", &mut s.l7_proxy, true),
            (
                "enable-k8s-networkpolicy",
                &mut s.enforce_network_policy,
                true,
            ),
            (
                "policy-default-local-cluster",
                &mut s.policy_default_local_cluster,
                true,
            ),
        ] {
            if data.contains_key(key) {
                *slot = flag(data, key, default);
                note(key);
            }
        }
        if let Some(labels) = data.get("labels").filter(|l| !l.trim().is_empty()) {
            match LabelFilter::parse_config(labels) {
                Ok(f) => {
                    s.label_filter = f;
                    note("labels");
                }
                Err(why) => s.warnings.push(
                    Warning::new(
                        WarningCode::DataplaneSetting,
                        format!("cilium-config `labels`: {why}; Cilium's default identity labels are used instead"),
                    )
                    .at(origin.location(Some("data.labels"), None)),
                ),
            }
        }
        if flag(data, "enable-host-firewall", false) {
            s.warnings.push(
                Warning::new(
                    WarningCode::DataplaneSetting,
                    "cilium-config enables the host firewall: policies selecting nodes (nodeSelector) are enforced by Cilium, but meshverdict does not judge traffic to host endpoints yet",
                )
                .at(origin.location(Some("data.enable-host-firewall"), None)),
            );
        }
        if !honoured.is_empty() {
            s.warnings.push(
                Warning::new(
                    WarningCode::DataplaneSetting,
                    format!(
                        "honouring kube-system/cilium-config: {}",
                        honoured.join(", ")
                    ),
                )
                .at(origin_of(origin)),
            );
        }
        s
    }

    /// Whether this dataplane enforces policies of `kind`.
    pub fn enforces(&self, kind: PolicyKind) -> bool {
        match kind {
            PolicyKind::NetworkPolicy => {
                self.dataplane != Dataplane::Cilium || self.enforce_network_policy
            }
            _ => self.dataplane == Dataplane::Cilium,
        }
    }
}

fn origin_of(origin: &Origin) -> crate::error::Location {
    origin.location(None, None)
}
