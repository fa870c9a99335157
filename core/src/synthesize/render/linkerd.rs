//! Server plans as Linkerd policy objects (policy.linkerd.io): a `Server` per port, and
//! for its clients a `MeshTLSAuthentication` naming their ServiceAccounts (identityRefs,
//! so no trust domain is written down), a `NetworkAuthentication` for clients without an
//! identity, and the `AuthorizationPolicy` that requires each, all in the server's
//! namespace (charts/linkerd-crds/templates/policy/*.yaml; linkerd.md §4, §8.3).

use super::{selector_node, Object};
use crate::compile::mesh::linkerd::Version;
use crate::synthesize::build::ServerPlan;
use crate::synthesize::yaml::Node;

/// The Server version a Linkerd release serves and stores: v1beta3 (accessPolicy) from
/// 2.16, v1beta2 from 2.15, v1beta1 before.
fn server_api(v: &Version) -> &'static str {
    match v.minor {
        16.. => "policy.linkerd.io/v1beta3",
        15 => "policy.linkerd.io/v1beta2",
        _ => "policy.linkerd.io/v1beta1",
    }
}

fn auth_ref(kind: &str, name: &str) -> Node {
    Node::map()
        .with("group", Node::str("policy.linkerd.io"))
        .with("kind", Node::str(kind))
        .with("name", Node::str(name))
}

/// The objects of one server port.
pub(crate) fn render(
    s: &ServerPlan,
    version: &Version,
    identity: &dyn Fn(&str, &str) -> String,
) -> Vec<Object> {
    let mut out = Vec::new();
    let reasons: Vec<String> = s.reasons.iter().cloned().collect();
    let server = s.existing.clone().unwrap_or_else(|| s.name.clone());
    if s.existing.is_none() {
        let mut spec = Node::map().with("podSelector", selector_node(&s.selector));
        spec.push("port", Node::Int(i64::from(s.port)), Vec::new());
        if s.opaque {
            spec.push(
                "proxyProtocol",
                Node::str("opaque"),
                vec!["an opaque port: no protocol detection, as the pod's opaque-ports say".into()],
            );
        }
        let mut comment = vec![format!(
            "{}: port {} is served only to the clients authorized below",
            s.about, s.port
        )];
        if s.identities.is_empty() && s.networks.is_empty() {
            comment = vec![format!("{}: no intent names port {}: this Server (with no authorization) closes it to the clients the mesh carries on its inbound port", s.about, s.port)];
        }
        comment.extend(reasons.iter().cloned());
        let serves = vec![format!(
            "spec.port: {}",
            if reasons.is_empty() {
                "holds the port for the intents".to_string()
            } else {
                reasons.join("; ")
            }
        )];
        out.push(Object::new(
            server_api(version),
            "Server",
            &s.namespace,
            &s.name,
            spec,
            serves,
            comment,
        ));
    }
    let legacy = version.minor < 12;
    if !s.identities.is_empty() {
        let name = format!("{}-clients", s.name);
        let who: Vec<String> = s
            .identities
            .iter()
            .map(|(sa, ns)| identity(sa, ns))
            .collect();
        let why = format!(
            "port {} of {}: meshed clients of the intents ({})",
            s.port,
            s.about,
            who.join(", ")
        );
        if legacy {
            // Linkerd 2.11 has Server and ServerAuthorization only.
            let sas = Node::seq(
                s.identities
                    .iter()
                    .map(|(sa, ns)| {
                        Node::map()
                            .with("name", Node::str(sa.clone()))
                            .with("namespace", Node::str(ns.clone()))
                    })
                    .collect(),
            );
            let spec = Node::map()
                .with(
                    "server",
                    Node::map().with("name", Node::str(server.clone())),
                )
                .with(
                    "client",
                    Node::map().with("meshTLS", Node::map().with("serviceAccounts", sas)),
                );
            out.push(Object::new(
                "policy.linkerd.io/v1beta1",
                "ServerAuthorization",
                &s.namespace,
                &name,
                spec,
                vec![format!("spec.client: {why}")],
                vec![why],
            ));
        } else {
            let refs = Node::seq(
                s.identities
                    .iter()
                    .map(|(sa, ns)| {
                        Node::map()
                            .with("kind", Node::str("ServiceAccount"))
                            .with("name", Node::str(sa.clone()))
                            .with("namespace", Node::str(ns.clone()))
                    })
                    .collect(),
            );
            let spec = Node::map().with("identityRefs", refs);
            out.push(Object::new(
                "policy.linkerd.io/v1alpha1",
                "MeshTLSAuthentication",
                &s.namespace,
                &name,
                spec,
                vec![format!("spec.identityRefs: {why}")],
                vec![why.clone()],
            ));
            let spec = Node::map()
                .with("targetRef", auth_ref("Server", &server))
                .with(
                    "requiredAuthenticationRefs",
                    Node::seq(vec![auth_ref("MeshTLSAuthentication", &name)]),
                );
            out.push(Object::new(
                "policy.linkerd.io/v1alpha1",
                "AuthorizationPolicy",
                &s.namespace,
                &name,
                spec,
                vec![format!("spec: {why}")],
                vec![why],
            ));
        }
    }
    if !s.networks.is_empty() {
        let name = format!("{}-unmeshed", s.name);
        let nets: Vec<String> = s.networks.iter().map(ToString::to_string).collect();
        let why = format!(
            "port {} of {}: clients of the intents without a mesh identity, by address ({}); NetworkPolicy narrows who that is",
            s.port,
            s.about,
            nets.join(", ")
        );
        let networks = Node::seq(
            s.networks
                .iter()
                .map(|n| Node::map().with("cidr", Node::str(n.to_string())))
                .collect(),
        );
        if legacy {
            let spec = Node::map()
                .with(
                    "server",
                    Node::map().with("name", Node::str(server.clone())),
                )
                .with(
                    "client",
                    Node::map()
                        .with("unauthenticated", Node::Bool(true))
                        .with("networks", networks),
                );
            out.push(Object::new(
                "policy.linkerd.io/v1beta1",
                "ServerAuthorization",
                &s.namespace,
                &name,
                spec,
                vec![format!("spec.client: {why}")],
                vec![why],
            ));
        } else {
            out.push(Object::new(
                "policy.linkerd.io/v1alpha1",
                "NetworkAuthentication",
                &s.namespace,
                &name,
                Node::map().with("networks", networks),
                vec![format!("spec.networks: {why}")],
                vec![why.clone()],
            ));
            let spec = Node::map()
                .with("targetRef", auth_ref("Server", &server))
                .with(
                    "requiredAuthenticationRefs",
                    Node::seq(vec![auth_ref("NetworkAuthentication", &name)]),
                );
            out.push(Object::new(
                "policy.linkerd.io/v1alpha1",
                "AuthorizationPolicy",
                &s.namespace,
                &name,
                spec,
                vec![format!("spec: {why}")],
                vec![why],
            ));
        }
    }
    out
}
