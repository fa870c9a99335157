//! Linkerd's policy objects (policy.linkerd.io, and Gateway API routes) as read. What
//! they authorize is the mesh compiler's (compile/mesh/linkerd.rs).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;
use serde_json::Value;

use super::{read_meta, Ctx, Origin};
use crate::error::{Error, ErrorCode};
use crate::ports::parse_cidr;
use crate::selector::Selector;

pub fn is_policy_kind(kind: &str) -> bool {
    matches!(
        kind,
        "Server"
            | "ServerAuthorization"
            | "AuthorizationPolicy"
            | "MeshTLSAuthentication"
            | "NetworkAuthentication"
            | "HTTPRoute"
            | "GRPCRoute"
    )
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServerSpec {
    pub pod_selector: Option<LabelSelector>,
    pub external_workload_selector: Option<LabelSelector>,
    pub port: Option<IntOrString>,
    pub proxy_protocol: Option<String>,
    pub access_policy: Option<String>,
    /// `podSelector`, compiled once when read (it is matched on every verdict).
    #[serde(skip)]
    pub selector: Option<Selector>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicySpec {
    pub target_ref: Option<TargetRef>,
    pub required_authentication_refs: Option<Vec<TargetRef>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct MeshTlsSpec {
    pub identities: Option<Vec<String>>,
    pub identity_refs: Option<Vec<TargetRef>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    pub cidr: Option<String>,
    pub except: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAuthSpec {
    pub networks: Option<Vec<Network>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountRef {
    pub name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct MeshTlsClient {
    #[serde(rename = "unauthenticatedTLS")]
    pub unauthenticated_tls: Option<bool>,
    pub identities: Option<Vec<String>>,
    pub service_accounts: Option<Vec<ServiceAccountRef>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SazClient {
    #[serde(rename = "meshTLS")]
    pub mesh_tls: Option<MeshTlsClient>,
    pub unauthenticated: Option<bool>,
    pub networks: Option<Vec<Network>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SazServer {
    pub name: Option<String>,
    pub selector: Option<LabelSelector>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServerAuthorizationSpec {
    pub server: Option<SazServer>,
    pub client: Option<SazClient>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RouteSpec {
    pub parent_refs: Option<Vec<TargetRef>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct Doc<S> {
    metadata: Option<ObjectMeta>,
    spec: Option<S>,
}

#[derive(Debug, Clone)]
pub struct Named<S> {
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub spec: S,
    pub origin: Origin,
}

/// The policy.linkerd.io objects of the input.
#[derive(Debug, Clone, Default)]
pub struct LinkerdObjects {
    pub servers: Vec<Named<ServerSpec>>,
    pub authorization_policies: Vec<Named<AuthorizationPolicySpec>>,
    pub mesh_tls: Vec<Named<MeshTlsSpec>>,
    pub network_auth: Vec<Named<NetworkAuthSpec>>,
    pub server_authorizations: Vec<Named<ServerAuthorizationSpec>>,
    pub routes: Vec<Named<RouteSpec>>,
}

fn named<S: serde::de::DeserializeOwned + Default>(
    ctx: &Ctx,
    v: &Value,
) -> Result<Named<S>, Error> {
    let doc: Doc<S> = ctx.deserialize(v)?;
    let meta = read_meta(ctx, doc.metadata.as_ref(), true)?;
    Ok(Named {
        namespace: meta.namespace,
        name: meta.name,
        labels: meta.labels,
        spec: doc.spec.unwrap_or_default(),
        origin: ctx.origin.clone(),
    })
}

fn check_networks(ctx: &Ctx, nets: &[Network], path: &str) -> Result<(), Error> {
    for (i, n) in nets.iter().enumerate() {
        let cidr = n.cidr.clone().unwrap_or_default();
        parse_cidr(&cidr)
            .map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &format!("{path}[{i}].cidr"), m))?;
        for (j, e) in n.except.iter().flatten().enumerate() {
            parse_cidr(e).map_err(|m| {
                ctx.error(
                    ErrorCode::InvalidPolicy,
                    &format!("{path}[{i}].except[{j}]"),
                    m,
                )
            })?;
        }
    }
    Ok(())
}

impl LinkerdObjects {
    pub(crate) fn read(&mut self, ctx: &Ctx, v: &Value) -> Result<(), Error> {
        match ctx.kind.as_str() {
            "Server" => {
                let mut s: Named<ServerSpec> = named(ctx, v)?;
                if let Some(ls) = &s.spec.pod_selector {
                    s.spec.selector =
                        Some(Selector::compile(ls, "spec.podSelector").map_err(|p| {
                            ctx.error(ErrorCode::InvalidPolicy, &p.path, p.message)
                        })?);
                }
                if s.spec.port.is_none() {
                    return Err(ctx.error(ErrorCode::InvalidPolicy, "spec.port", "is required"));
                }
                self.servers.push(s);
            }
            "AuthorizationPolicy" => self.authorization_policies.push(named(ctx, v)?),
            "MeshTLSAuthentication" => self.mesh_tls.push(named(ctx, v)?),
            "NetworkAuthentication" => {
                let n: Named<NetworkAuthSpec> = named(ctx, v)?;
                check_networks(
                    ctx,
                    n.spec.networks.as_deref().unwrap_or_default(),
                    "spec.networks",
                )?;
                self.network_auth.push(n);
            }
            "ServerAuthorization" => {
                let s: Named<ServerAuthorizationSpec> = named(ctx, v)?;
                if let Some(nets) = s.spec.client.as_ref().and_then(|c| c.networks.as_ref()) {
                    check_networks(ctx, nets, "spec.client.networks")?;
                }
                self.server_authorizations.push(s);
            }
            "HTTPRoute" | "GRPCRoute" => self.routes.push(named(ctx, v)?),
            _ => {}
        }
        Ok(())
    }

    pub fn namespaces(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        out.extend(self.servers.iter().map(|s| s.namespace.clone()));
        out.extend(
            self.authorization_policies
                .iter()
                .map(|s| s.namespace.clone()),
        );
        out.extend(self.mesh_tls.iter().map(|s| s.namespace.clone()));
        out.extend(self.network_auth.iter().map(|s| s.namespace.clone()));
        out.extend(
            self.server_authorizations
                .iter()
                .map(|s| s.namespace.clone()),
        );
        out
    }
}
