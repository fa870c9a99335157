//! CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2) as read: our
//! own serde types of the CRD (Cilium 1.18-1.20), no generated crate. What the agent
//! does with them is the compiler's (compile/cilium.rs).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Deserialize;
use serde_json::Value;

use super::{read_meta, Ctx, Origin};
use crate::error::Error;
use crate::refs::PolicyKind;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DefaultDeny {
    pub ingress: Option<bool>,
    pub egress: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CidrRule {
    pub cidr: Option<String>,
    pub cidr_group_ref: Option<String>,
    pub cidr_group_selector: Option<Value>,
    pub except: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PortProtocol {
    pub port: Option<String>,
    pub end_port: Option<i32>,
    pub protocol: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Fqdn {
    pub match_name: Option<String>,
    pub match_pattern: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct L7Rules {
    pub http: Option<Vec<Value>>,
    pub kafka: Option<Vec<Value>>,
    pub dns: Option<Vec<Fqdn>>,
    pub l7proto: Option<String>,
    pub l7: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PortRule {
    pub ports: Option<Vec<PortProtocol>>,
    pub rules: Option<L7Rules>,
    #[serde(rename = "terminatingTLS")]
    pub terminating_tls: Option<Value>,
    #[serde(rename = "originatingTLS")]
    pub originating_tls: Option<Value>,
    pub server_names: Option<Vec<String>>,
    pub listener: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct K8sServiceName {
    pub service_name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct K8sServiceSelector {
    pub selector: Option<LabelSelector>,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRef {
    pub k8s_service: Option<K8sServiceName>,
    pub k8s_service_selector: Option<K8sServiceSelector>,
}

/// One ingress/ingressDeny or egress/egressDeny rule: the fields of both directions, so
/// that one reader serves all four lists.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DirRule {
    pub from_endpoints: Option<Vec<LabelSelector>>,
    pub from_requires: Option<Vec<LabelSelector>>,
    #[serde(rename = "fromCIDR")]
    pub from_cidr: Option<Vec<String>>,
    #[serde(rename = "fromCIDRSet")]
    pub from_cidr_set: Option<Vec<CidrRule>>,
    pub from_entities: Option<Vec<String>>,
    pub from_groups: Option<Vec<Value>>,
    pub from_nodes: Option<Vec<LabelSelector>>,
    pub to_endpoints: Option<Vec<LabelSelector>>,
    pub to_requires: Option<Vec<LabelSelector>>,
    #[serde(rename = "toCIDR")]
    pub to_cidr: Option<Vec<String>>,
    #[serde(rename = "toCIDRSet")]
    pub to_cidr_set: Option<Vec<CidrRule>>,
    pub to_entities: Option<Vec<String>>,
    pub to_services: Option<Vec<ServiceRef>>,
    pub to_groups: Option<Vec<Value>>,
    pub to_nodes: Option<Vec<LabelSelector>>,
    #[serde(rename = "toFQDNs")]
    pub to_fqdns: Option<Vec<Fqdn>>,
    pub to_ports: Option<Vec<PortRule>>,
    pub icmps: Option<Vec<Value>>,
    pub authentication: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CiliumRule {
    pub endpoint_selector: Option<LabelSelector>,
    pub node_selector: Option<LabelSelector>,
    pub ingress: Option<Vec<DirRule>>,
    pub ingress_deny: Option<Vec<DirRule>>,
    pub egress: Option<Vec<DirRule>>,
    pub egress_deny: Option<Vec<DirRule>>,
    pub enable_default_deny: Option<DefaultDeny>,
    pub labels: Option<Value>,
    pub description: Option<String>,
    pub log: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CiliumDoc {
    metadata: Option<ObjectMeta>,
    spec: Option<CiliumRule>,
    specs: Option<Vec<CiliumRule>>,
}

/// A Cilium policy as read, before translation.
#[derive(Debug, Clone)]
pub struct CiliumObject {
    pub kind: PolicyKind,
    pub namespace: Option<String>,
    pub name: String,
    /// `(path, rule)`: `spec` and each `specs[i]`.
    pub rules: Vec<(String, CiliumRule)>,
    pub origin: Origin,
}

/// Reads the object; type errors are errors (the API server's schema rejects them).
pub(crate) fn read(ctx: &Ctx, v: &Value) -> Result<CiliumObject, Error> {
    let doc: CiliumDoc = ctx.deserialize(v)?;
    let clusterwide = ctx.kind == "CiliumClusterwideNetworkPolicy";
    let meta = read_meta(ctx, doc.metadata.as_ref(), !clusterwide)?;
    let mut rules = Vec::new();
    if let Some(r) = doc.spec {
        rules.push(("spec".to_string(), r));
    }
    for (i, r) in doc.specs.into_iter().flatten().enumerate() {
        rules.push((format!("specs[{i}]"), r));
    }
    Ok(CiliumObject {
        kind: if clusterwide {
            PolicyKind::CiliumClusterwideNetworkPolicy
        } else {
            PolicyKind::CiliumNetworkPolicy
        },
        namespace: if clusterwide {
            None
        } else {
            Some(meta.namespace)
        },
        name: meta.name,
        rules,
        origin: ctx.origin.clone(),
    })
}
