//! Linkerd 2.x: inventory from manifests, the port the wire carries, its authorization
//! policy (policy.linkerd.io), and the flows its control plane needs.
//!
//! Facts (ports, labels, versions, defaults) are from linkerd/linkerd2 charts and
//! sources and linkerd/website, gathered with their sources in shared/reference/linkerd.md:
//! - from edge-25.3.2 / 2.18 every meshed→meshed connection goes to the server's inbound
//!   port 4143 (controller/api/destination/endpoint_translator.go, PR #13715); before,
//!   only opaque ports did;
//! - 4190 (control/tap) and 4191 (admin/metrics) are never rewritten;
//! - default inbound policy: pod annotation, then namespace annotation, then the
//!   cluster default (`all-unauthenticated`), policy-controller `defaults.rs`.

use std::net::IpAddr;

use ipnet::IpNet;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{FlowEnd, MeshDecision, NeededFlow, Severity, WirePort};
use crate::compile::party::Party;
use crate::model::linkerd::{
    AuthorizationPolicySpec, Named, Network, RouteSpec, ServerAuthorizationSpec, ServerSpec,
};
use crate::model::{Endpoint, Model};
use crate::ports::{in_port_list, parse_cidr, parse_port_list, Protocol};
use crate::selector::Selector;

pub const INBOUND_PORT: u16 = 4143;
pub const ADMIN_PORT: u16 = 4191;
pub const CONTROL_PORT: u16 = 4190;
/// Chart default `proxy.opaquePorts` (server-speaks-first protocols), since 2.10.
pub const DEFAULT_OPAQUE_PORTS: &str = "25,587,3306,4444,5432,6379,9300,11211";
/// Chart default `clusterNetworks`.
pub const CLUSTER_NETWORKS: [&str; 5] = [
    "10.0.0.0/8",
    "100.64.0.0/10",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fd00::/8",
];

/// A Linkerd version, reduced to what changes behaviour: the stable minor it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub label: String,
    /// 2.x minor; edge releases are mapped to the stable release they lead to.
    pub minor: u32,
}

impl Version {
    /// Parses `stable-2.14.10`, `version-2.18`, `enterprise-2.15.2`, `edge-25.3.2`, and
    /// `linkerd/cli edge-19.1.2` (the `created-by` form).
    pub fn parse(s: &str) -> Option<Version> {
        let word = s.split_whitespace().last()?;
        let word = word.rsplit(':').next().unwrap_or(word);
        let label = word.to_string();
        if let Some(rest) = word.strip_prefix("edge-") {
            let mut it = rest.split('.').map(|p| p.parse::<u32>().ok());
            let (y, m, n) = (it.next()??, it.next()??, it.next().flatten().unwrap_or(0));
            // edge-25.3.2 carries PR #13715 (2.18); policy came with 2.11 (edge-21.9);
            // default opaque ports with 2.10 (edge-21.2).
            let minor = if (y, m, n) >= (25, 3, 2) {
                18
            } else if (y, m) >= (21, 9) {
                11
            } else if (y, m) >= (21, 2) {
                10
            } else {
                9
            };
            return Some(Version { label, minor });
        }
        let rest = ["stable-", "version-", "enterprise-", "v"]
            .iter()
            .find_map(|p| word.strip_prefix(p))?;
        let mut it = rest.split('.');
        let major: u32 = it.next()?.parse().ok()?;
        let minor: u32 = it.next()?.parse().ok()?;
        (major == 2).then_some(Version { label, minor })
    }

    pub fn rewrites_all(&self) -> bool {
        self.minor >= 18
    }

    pub fn has_policy(&self) -> bool {
        self.minor >= 11
    }

    pub fn has_default_opaque_ports(&self) -> bool {
        self.minor >= 10
    }
}

/// Per-endpoint mesh facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProxyInfo {
    pub meshed: bool,
    pub component: Option<String>,
    pub opaque: Vec<(u16, u16)>,
    pub skip_inbound: Vec<(u16, u16)>,
    pub skip_outbound: Vec<(u16, u16)>,
    pub inbound_port: u16,
    pub default_policy: Option<String>,
    pub require_identity: Vec<(u16, u16)>,
}

/// Linkerd as found in the input.
#[derive(Debug, Clone)]
pub struct Linkerd {
    pub control_plane_ns: Option<String>,
    pub version: Version,
    pub version_assumed: bool,
    pub info: Vec<ProxyInfo>,
    pub trust_domain: String,
}

const INJECT: &str = "linkerd.io/inject";

fn annotation<'a>(
    e: &'a Endpoint,
    ns: Option<&'a crate::model::Namespace>,
    key: &str,
) -> Option<&'a str> {
    e.annotations
        .get(key)
        .or_else(|| ns.and_then(|n| n.annotations.get(key)))
        .map(String::as_str)
}

impl Linkerd {
    /// Finds Linkerd in the model; `None` when nothing in the input is Linkerd's.
    pub fn detect(model: &Model) -> Option<Linkerd> {
        let mut info = Vec::with_capacity(model.endpoints.len());
        let mut control_plane_ns = None;
        let mut version: Option<Version> = None;
        let mut fallback: Option<Version> = None;
        let mut any = false;
        for e in &model.endpoints {
            let ns = model.namespaces.get(&e.namespace);
            let component = e.labels.get("linkerd.io/control-plane-component").cloned();
            if component.is_some() {
                control_plane_ns.get_or_insert_with(|| e.namespace.clone());
                any = true;
                for key in ["linkerd.io/proxy-version", "linkerd.io/created-by"] {
                    if let Some(v) = e.annotations.get(key).and_then(|v| Version::parse(v)) {
                        version.get_or_insert(v);
                    }
                }
                if component.as_deref() == Some("destination")
                    && e.containers.iter().any(|c| {
                        c.args
                            .iter()
                            .any(|a| a.contains("outbound-transport-mode=transport-header"))
                    })
                {
                    version.get_or_insert(Version {
                        label: "2.18+ (transport-header mode)".into(),
                        minor: 18,
                    });
                }
            }
            let has_proxy = e.has_container("linkerd-proxy");
            let injector_labels = e.labels.contains_key("linkerd.io/control-plane-ns")
                || e.labels
                    .keys()
                    .any(|k| k.starts_with("linkerd.io/proxy-") && k != "linkerd.io/proxy-version");
            let inject = annotation(e, ns, INJECT);
            let own_inject = e.annotations.get(INJECT).map(String::as_str);
            let webhook_off = ns.is_some_and(|n| {
                n.labels
                    .get("config.linkerd.io/admission-webhooks")
                    .map(String::as_str)
                    == Some("disabled")
                    || matches!(n.name.as_str(), "kube-system" | "cert-manager")
            }) || e.labels.contains_key("linkerd.io/control-plane-component");
            let by_annotation = matches!(inject, Some("enabled" | "ingress"))
                && own_inject != Some("disabled")
                && !webhook_off;
            let meshed = has_proxy || injector_labels || by_annotation;
            if meshed {
                any = true;
                if let Some(v) = e
                    .annotations
                    .get("linkerd.io/proxy-version")
                    .and_then(|v| Version::parse(v))
                {
                    fallback.get_or_insert(v);
                }
                if let Some(cp) = e.labels.get("linkerd.io/control-plane-ns") {
                    control_plane_ns.get_or_insert_with(|| cp.clone());
                }
            }
            let list = |key: &str| {
                annotation(e, ns, key)
                    .map(parse_port_list)
                    .unwrap_or_default()
            };
            let env_port = |name: &str| {
                e.containers
                    .iter()
                    .filter(|c| c.name == "linkerd-proxy")
                    .flat_map(|c| c.env.iter())
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| v.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()))
            };
            let inbound_port = annotation(e, ns, "config.linkerd.io/inbound-port")
                .and_then(|p| p.parse().ok())
                .or_else(|| env_port("LINKERD2_PROXY_INBOUND_LISTEN_ADDR"))
                .unwrap_or(INBOUND_PORT);
            let env_policy = e
                .containers
                .iter()
                .filter(|c| c.name == "linkerd-proxy")
                .flat_map(|c| c.env.iter())
                .find(|(k, _)| k == "LINKERD2_PROXY_INBOUND_DEFAULT_POLICY")
                .map(|(_, v)| v.clone());
            info.push(ProxyInfo {
                meshed,
                component,
                opaque: annotation(e, ns, "config.linkerd.io/opaque-ports")
                    .map(parse_port_list)
                    .unwrap_or_default(),
                skip_inbound: list("config.linkerd.io/skip-inbound-ports"),
                skip_outbound: list("config.linkerd.io/skip-outbound-ports"),
                inbound_port,
                default_policy: annotation(e, ns, "config.linkerd.io/default-inbound-policy")
                    .map(str::to_string)
                    .or(env_policy),
                require_identity: list("config.linkerd.io/proxy-require-identity-inbound-ports"),
            });
        }
        if !any
            && model.linkerd.servers.is_empty()
            && model.linkerd.authorization_policies.is_empty()
        {
            return None;
        }
        let (version, version_assumed) = match version.or(fallback) {
            Some(v) => (v, false),
            None => (
                Version {
                    label: "2.18 or later (assumed)".into(),
                    minor: 18,
                },
                true,
            ),
        };
        // Without an annotation, the default opaque list applies (2.10+).
        if version.has_default_opaque_ports() {
            let ns_has = |e: &Endpoint| {
                e.annotations.contains_key("config.linkerd.io/opaque-ports")
                    || model.namespaces.get(&e.namespace).is_some_and(|n| {
                        n.annotations.contains_key("config.linkerd.io/opaque-ports")
                    })
            };
            for (i, e) in model.endpoints.iter().enumerate() {
                if !ns_has(e) {
                    if let Some(p) = info.get_mut(i) {
                        p.opaque = parse_port_list(DEFAULT_OPAQUE_PORTS);
                    }
                }
            }
        }
        Some(Linkerd {
            control_plane_ns,
            version,
            version_assumed,
            info,
            trust_domain: "cluster.local".into(),
        })
    }

    fn proxy(&self, _model: &Model, party: &Party) -> Option<&ProxyInfo> {
        match party {
            Party::Pod(e) => self.info.get(e.index),
            _ => None,
        }
    }

    fn info_of(&self, _model: &Model, e: &Endpoint) -> Option<&ProxyInfo> {
        self.info.get(e.index)
    }

    /// The Server that handles `port` on `dst`, if any: the single Server in its
    /// namespace that selects it and names that port (by number, or by a container
    /// port name resolving to it).
    pub fn server_for<'m>(
        &self,
        model: &'m Model,
        dst: &Endpoint,
        port: u16,
    ) -> Option<&'m Named<ServerSpec>> {
        model.linkerd.servers.iter().find(|s| {
            s.namespace == dst.namespace
                && s.spec
                    .selector
                    .as_ref()
                    .is_some_and(|sel| sel.matches(&dst.labels))
                && match &s.spec.port {
                    Some(IntOrString::Int(n)) => i32::from(port) == *n,
                    Some(IntOrString::String(name)) => dst
                        .ports
                        .iter()
                        .any(|p| p.name.as_deref() == Some(name) && p.port == port),
                    None => false,
                }
        })
    }

    fn identity(&self, e: &Endpoint) -> String {
        let cp = self
            .control_plane_ns
            .clone()
            .unwrap_or_else(|| "linkerd".into());
        format!(
            "{}.{}.serviceaccount.identity.{cp}.{}",
            e.service_account, e.namespace, self.trust_domain
        )
    }

    /// A client as Linkerd sees it: its mTLS identity (None: plaintext) and addresses.
    fn client(
        &self,
        model: &Model,
        src: &Party,
        port: u16,
    ) -> (Option<(String, String, String)>, Vec<IpAddr>, bool) {
        match src {
            Party::Pod(e) => {
                let info = self.info_of(model, e);
                let tls = info.is_some_and(|i| i.meshed && !in_port_list(&i.skip_outbound, port));
                let id = tls.then(|| {
                    (
                        self.identity(e),
                        e.service_account.clone(),
                        e.namespace.clone(),
                    )
                });
                // A pod whose address is not given is still a pod: inside the cluster networks.
                (id, e.ips.clone(), e.ips.is_empty())
            }
            other => (None, other.ips(), false),
        }
    }
}

/// The port a component serves under one of `names`, or `default` when the endpoint
/// declares no ports (or declares that number).
fn declared_port(e: &Endpoint, names: &[&str], default: Option<u16>) -> Option<u16> {
    e.ports
        .iter()
        .find(|p| p.name.as_deref().is_some_and(|n| names.contains(&n)))
        .map(|p| p.port)
        .or_else(|| {
            let d = default?;
            (e.ports.is_empty() || e.ports.iter().any(|p| p.port == d)).then_some(d)
        })
}

/// The control plane's proxy-facing ports (identity, destination, policy) with what each
/// serves, for the version in use.
fn control_ports(e: &Endpoint, component: &str, version: &Version) -> Vec<(u16, &'static str)> {
    let mut out = Vec::new();
    match component {
        "identity" => out.extend(
            declared_port(e, &["ident-grpc", "grpc"], Some(8080))
                .map(|p| (p, "identity (the proxy's certificate)")),
        ),
        "destination" => {
            out.extend(
                declared_port(e, &["dest-grpc", "grpc"], Some(8086))
                    .map(|p| (p, "destination (service discovery)")),
            );
            out.extend(
                declared_port(e, &["policy-grpc"], version.has_policy().then_some(8090))
                    .map(|p| (p, "policy (inbound and outbound policy)")),
            );
        }
        // The 2019 single controller served discovery on its proxy-api container.
        "controller" => out.extend(
            declared_port(e, &["grpc"], Some(8086))
                .filter(|p| *p == 8086)
                .map(|p| (p, "destination (the proxy-api)")),
        ),
        _ => {}
    }
    out
}

fn in_networks(nets: &[Network], ips: &[IpAddr], assume_cluster_pod: bool) -> Option<bool> {
    if ips.is_empty() {
        if assume_cluster_pod {
            // Only the cluster networks can be judged for a pod without an address.
            let cluster: Vec<IpNet> = CLUSTER_NETWORKS
                .iter()
                .filter_map(|c| parse_cidr(c).ok())
                .collect();
            let covers_cluster = nets.iter().any(|n| {
                n.cidr
                    .as_deref()
                    .and_then(|c| parse_cidr(c).ok())
                    .is_some_and(|net| net.prefix_len() == 0 || cluster.contains(&net))
                    && n.except.as_ref().is_none_or(Vec::is_empty)
            });
            return covers_cluster.then_some(true);
        }
        return None;
    }
    Some(ips.iter().any(|ip| {
        nets.iter().any(|n| {
            let Some(net) = n.cidr.as_deref().and_then(|c| parse_cidr(c).ok()) else {
                return false;
            };
            net.contains(ip)
                && !n
                    .except
                    .iter()
                    .flatten()
                    .filter_map(|e| parse_cidr(e).ok())
                    .any(|e| e.contains(ip))
        })
    }))
}

fn cluster_networks() -> Vec<Network> {
    CLUSTER_NETWORKS
        .iter()
        .map(|c| Network {
            cidr: Some((*c).to_string()),
            except: None,
        })
        .collect()
}

fn all_networks() -> Vec<Network> {
    ["0.0.0.0/0", "::/0"]
        .iter()
        .map(|c| Network {
            cidr: Some((*c).to_string()),
            except: None,
        })
        .collect()
}

/// One authorization: who (identity requirement) from where (networks).
#[derive(Debug, Clone)]
pub struct Authz {
    name: String,
    /// None: unauthenticated allowed; Some(empty): any identity (TLS); Some(list): these.
    identities: Option<Vec<IdMatch>>,
    networks: Vec<Network>,
}

#[derive(Debug, Clone)]
enum IdMatch {
    Exact(String),
    Suffix(String),
    Any,
    ServiceAccount { name: String, namespace: String },
}

impl IdMatch {
    fn matches(&self, id: &(String, String, String)) -> bool {
        match self {
            IdMatch::Any => true,
            IdMatch::Exact(s) => s == &id.0,
            IdMatch::Suffix(s) => id.0.ends_with(s.as_str()),
            IdMatch::ServiceAccount { name, namespace } => name == &id.1 && namespace == &id.2,
        }
    }
}

fn id_matches(list: &[String]) -> Vec<IdMatch> {
    list.iter()
        .map(|s| {
            if s == "*" {
                IdMatch::Any
            } else if let Some(suffix) = s.strip_prefix('*') {
                IdMatch::Suffix(suffix.to_string())
            } else {
                IdMatch::Exact(s.clone())
            }
        })
        .collect()
}

impl Authz {
    fn admits(
        &self,
        id: &Option<(String, String, String)>,
        ips: &[IpAddr],
        assume_pod: bool,
    ) -> (bool, Option<String>) {
        let id_ok = match (&self.identities, id) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(list), Some(id)) => list.is_empty() || list.iter().any(|m| m.matches(id)),
        };
        match in_networks(&self.networks, ips, assume_pod) {
            Some(net_ok) => (id_ok && net_ok, None),
            None => (
                false,
                Some(format!(
                    "{}: the client's address is not given, so its networks cannot be checked",
                    self.name
                )),
            ),
        }
    }
}

fn default_authz(policy: &str) -> Option<Authz> {
    let name = format!("default:{policy}");
    match policy {
        "all-unauthenticated" | "audit" => Some(Authz {
            name,
            identities: None,
            networks: all_networks(),
        }),
        "all-authenticated" => Some(Authz {
            name,
            identities: Some(Vec::new()),
            networks: all_networks(),
        }),
        "cluster-unauthenticated" => Some(Authz {
            name,
            identities: None,
            networks: cluster_networks(),
        }),
        "cluster-authenticated" => Some(Authz {
            name,
            identities: Some(Vec::new()),
            networks: cluster_networks(),
        }),
        _ => None,
    }
}

impl Linkerd {
    /// The port a meshed client (one that does not skip `port` outbound) reaches `dst`
    /// on, when it is not `port` itself: the server proxy's inbound port on 2.18+, or
    /// for an opaque port before.
    pub fn rewrite(&self, model: &Model, d: &Endpoint, port: u16) -> Option<WirePort> {
        let info = self.info.get(d.index)?;
        if !info.meshed
            || port == ADMIN_PORT
            || port == CONTROL_PORT
            || in_port_list(&info.skip_inbound, port)
        {
            return None;
        }
        // Connections to the control plane's identity, destination and policy ports are
        // the proxy's own (iptables lets the proxy's uid 2102 bypass its redirect), so
        // they keep their port: the flows every proxy needs.
        if let Some(c) = info.component.as_deref() {
            if control_ports(d, c, &self.version)
                .iter()
                .any(|(p, _)| *p == port)
            {
                return None;
            }
        }
        if self.version.rewrites_all() {
            return Some(WirePort {
                port: info.inbound_port,
                reason: Some(format!(
                    "Linkerd {} sends meshed-to-meshed traffic to the server proxy's inbound port {}",
                    self.version.label, info.inbound_port
                )),
            });
        }
        let opaque = in_port_list(&info.opaque, port)
            || self
                .server_for(model, d, port)
                .is_some_and(|srv| srv.spec.proxy_protocol.as_deref() == Some("opaque"));
        opaque.then(|| WirePort {
            port: info.inbound_port,
            reason: Some(format!(
                "{port} is an opaque port: Linkerd {} carries it to the inbound port {}",
                self.version.label, info.inbound_port
            )),
        })
    }

    /// Whether a meshed client's proxy leaves connections to `port` alone.
    pub fn skips_outbound(&self, src: usize, port: u16) -> bool {
        self.info
            .get(src)
            .is_none_or(|i| !i.meshed || in_port_list(&i.skip_outbound, port))
    }

    /// Every port at which a mesh decision can change, for an endpoint: admin, tap,
    /// inbound, skip, opaque and require-identity ports, Server ports.
    pub fn boundaries(&self, model: &Model, e: &Endpoint, out: &mut Vec<(u16, u16)>) {
        let Some(info) = self.info.get(e.index) else {
            return;
        };
        if !info.meshed {
            return;
        }
        out.extend([
            (ADMIN_PORT, ADMIN_PORT),
            (CONTROL_PORT, CONTROL_PORT),
            (info.inbound_port, info.inbound_port),
        ]);
        for list in [
            &info.skip_inbound,
            &info.skip_outbound,
            &info.opaque,
            &info.require_identity,
        ] {
            out.extend(list.iter().copied());
        }
        for s in &model.linkerd.servers {
            if let Some(IntOrString::Int(n)) = &s.spec.port {
                if let Ok(p) = u16::try_from(*n) {
                    out.push((p, p));
                }
            }
        }
    }

    /// The authorizations that hold for `port` of `dst` (its Server's, or its default
    /// inbound policy's), with a key equal for every endpoint and port they hold alike.
    pub fn authorizations(
        &self,
        model: &Model,
        dst: &Endpoint,
        port: u16,
    ) -> Option<Authorizations> {
        let mut notes = Vec::new();
        let l = &model.linkerd;
        let info = self.info_of(model, dst)?;
        let (server_name, authzs): (String, Vec<Authz>) = match self.server_for(model, dst, port) {
            Some(server) => {
                let mut authzs = Vec::new();
                let sname = format!("Server {}/{}", server.namespace, server.name);
                match server.spec.access_policy.as_deref() {
                    None | Some("deny") => {}
                    Some(p) => authzs.extend(default_authz(p).map(|mut a| {
                        a.name = format!("{sname} accessPolicy {p}");
                        a
                    })),
                }
                let routes: Vec<&Named<RouteSpec>> = l
                    .routes
                    .iter()
                    .filter(|r| {
                        r.namespace == server.namespace
                            && r.spec.parent_refs.iter().flatten().any(|p| {
                                p.kind.as_deref() == Some("Server")
                                    && p.name.as_deref() == Some(&server.name)
                            })
                    })
                    .collect();
                for ap in &l.authorization_policies {
                    if ap.namespace != server.namespace {
                        continue;
                    }
                    let target = ap.spec.target_ref.clone().unwrap_or_default();
                    let applies = match target.kind.as_deref() {
                        Some("Server") => target.name.as_deref() == Some(&server.name),
                        Some("Namespace") => target.name.as_deref() == Some(&server.namespace),
                        Some("HTTPRoute" | "GRPCRoute") => routes
                            .iter()
                            .any(|r| Some(r.name.as_str()) == target.name.as_deref()),
                        _ => false,
                    };
                    if !applies {
                        continue;
                    }
                    match self.resolve_policy(model, ap) {
                        Ok(a) => {
                            if matches!(target.kind.as_deref(), Some("HTTPRoute" | "GRPCRoute")) {
                                notes.push(format!(
                                    "AuthorizationPolicy {}/{} applies per request on its route",
                                    ap.namespace, ap.name
                                ));
                            }
                            authzs.push(a);
                        }
                        Err(why) => notes.push(why),
                    }
                }
                for saz in &l.server_authorizations {
                    if saz.namespace != server.namespace {
                        continue;
                    }
                    let target = saz.spec.server.clone().unwrap_or_default();
                    let selects = match (&target.name, &target.selector) {
                        (Some(n), _) => n == &server.name,
                        (None, Some(ls)) => {
                            Selector::compile(ls, "").is_ok_and(|s| s.matches(&server.labels))
                        }
                        (None, None) => false,
                    };
                    if selects {
                        match saz_authz(saz) {
                            Ok(a) => authzs.push(a),
                            Err(why) => notes.push(why),
                        }
                    }
                }
                (sname, authzs)
            }
            None => {
                let policy = info
                    .default_policy
                    .clone()
                    .unwrap_or_else(|| "all-unauthenticated".to_string());
                let mut authz = default_authz(&policy);
                if in_port_list(&info.require_identity, port) {
                    if let Some(a) = authz.as_mut() {
                        a.identities.get_or_insert_with(Vec::new);
                    }
                    notes.push(format!("port {port} requires identity (config.linkerd.io/proxy-require-identity-inbound-ports)"));
                }
                if !matches!(
                    policy.as_str(),
                    "all-unauthenticated"
                        | "all-authenticated"
                        | "cluster-unauthenticated"
                        | "cluster-authenticated"
                        | "deny"
                        | "audit"
                ) {
                    notes.push(format!(
                        "unknown default inbound policy {policy:?}: treated as deny"
                    ));
                }
                (
                    format!("default policy {policy}"),
                    authz.into_iter().collect(),
                )
            }
        };
        let key = format!("{server_name}|{}", notes.join("|"));
        Some(Authorizations {
            server: server_name,
            list: authzs,
            notes,
            key,
        })
    }

    /// Whether Linkerd authorizes connections to `port` of `dst` at all (a meshed
    /// server with policy, a port the proxy intercepts).
    pub fn judges(&self, dst: &Endpoint, port: u16, protocol: Protocol) -> bool {
        self.info.get(dst.index).is_some_and(|info| {
            info.meshed
                && protocol == Protocol::Tcp
                && self.version.has_policy()
                && !in_port_list(&info.skip_inbound, port)
                && port != CONTROL_PORT
        })
    }

    /// Whether some authorization admits a client.
    pub fn admits(&self, model: &Model, authz: &Authorizations, src: &Party, port: u16) -> bool {
        let (id, ips, assume_pod) = self.client(model, src, port);
        authz.list.iter().any(|a| a.admits(&id, &ips, assume_pod).0)
    }
}

/// The authorizations of one server port.
#[derive(Debug, Clone)]
pub struct Authorizations {
    pub server: String,
    pub list: Vec<Authz>,
    pub notes: Vec<String>,
    /// Equal for every (endpoint, port) these authorizations hold alike.
    pub key: String,
}

impl super::Mesh for Linkerd {
    fn name(&self) -> &'static str {
        "linkerd"
    }

    fn is_meshed(&self, index: usize) -> bool {
        self.info.get(index).is_some_and(|i| i.meshed)
    }

    fn inbound_port(&self, _model: &Model, dst: usize) -> u16 {
        self.info
            .get(dst)
            .map(|i| i.inbound_port)
            .unwrap_or(INBOUND_PORT)
    }

    fn wire_port(
        &self,
        model: &Model,
        src: &Party,
        dst: &Party,
        port: u16,
        protocol: Protocol,
    ) -> WirePort {
        let keep = WirePort { port, reason: None };
        if protocol != Protocol::Tcp {
            return keep;
        }
        let (Some(s), Party::Pod(d)) = (self.proxy(model, src), dst) else {
            return keep;
        };
        if !s.meshed || in_port_list(&s.skip_outbound, port) {
            return keep;
        }
        self.rewrite(model, d, port).unwrap_or(keep)
    }

    fn authorize(
        &self,
        model: &Model,
        src: &Party,
        dst: &Endpoint,
        port: u16,
        protocol: Protocol,
    ) -> Option<MeshDecision> {
        let info = self.info_of(model, dst)?;
        if !info.meshed || protocol != Protocol::Tcp || !self.version.has_policy() {
            return None;
        }
        if in_port_list(&info.skip_inbound, port) || port == CONTROL_PORT {
            return None;
        }
        if matches!(src, Party::Node(n) if dst.node.as_deref() == Some(n.name.as_str()))
            && port == ADMIN_PORT
        {
            // Probes from the kubelet are authorized from probeNetworks (everything).
            return None;
        }
        let (id, ips, assume_pod) = self.client(model, src, port);
        let Authorizations {
            server: server_name,
            list: authzs,
            mut notes,
            ..
        } = self.authorizations(model, dst, port)?;
        let mut matched = None;
        for a in &authzs {
            let (ok, note) = a.admits(&id, &ips, assume_pod);
            if let Some(n) = note {
                notes.push(n);
            }
            if ok {
                matched = Some(a.name.clone());
                break;
            }
        }
        let who = match &id {
            Some((ident, ..)) => format!("identity {ident}"),
            None => "an unauthenticated client".to_string(),
        };
        let reason = match &matched {
            Some(name) => format!("{who} is authorized by {name}"),
            None if authzs.is_empty() => format!("{server_name} authorizes nobody on port {port}"),
            None => format!(
                "no authorization of {server_name} admits {who} from {}",
                src.describe()
            ),
        };
        Some(MeshDecision {
            mesh: "linkerd".into(),
            allowed: matched.is_some(),
            server: server_name,
            reason,
            notes,
        })
    }

    fn needed_flows(&self, model: &Model) -> Vec<NeededFlow> {
        let mut out = Vec::new();
        let comp = |c: &str| -> Vec<usize> {
            self.info
                .iter()
                .enumerate()
                .filter(|(_, i)| i.component.as_deref() == Some(c))
                .map(|(n, _)| n)
                .collect()
        };
        let port_of = |idx: usize, names: &[&str], default: Option<u16>| -> Option<u16> {
            declared_port(model.endpoints.get(idx)?, names, default)
        };
        let need =
            |from: FlowEnd, to: FlowEnd, port: u16, purpose: &'static str, severity: Severity| {
                NeededFlow {
                    from,
                    to,
                    port,
                    protocol: Protocol::Tcp,
                    purpose,
                    severity,
                }
            };
        // Every proxy dials identity, destination and policy on their own ports.
        for (idx, e) in model.endpoints.iter().enumerate() {
            if let Some(c) = self.info.get(idx).and_then(|i| i.component.as_deref()) {
                for (port, purpose) in control_ports(e, c, &self.version) {
                    out.push(need(
                        FlowEnd::Meshed,
                        FlowEnd::Endpoint(idx),
                        port,
                        purpose,
                        Severity::Error,
                    ));
                }
            }
        }
        // Prometheus scrapes every proxy's metrics on 4191.
        for (i, e) in model.endpoints.iter().enumerate() {
            let prometheus = self.info.get(i).and_then(|p| p.component.as_deref())
                == Some("prometheus")
                || (e.labels.get("linkerd.io/extension").map(String::as_str) == Some("viz")
                    && e.labels.get("component").map(String::as_str) == Some("prometheus"));
            if prometheus {
                out.push(need(
                    FlowEnd::Endpoint(i),
                    FlowEnd::Meshed,
                    ADMIN_PORT,
                    "proxy metrics (Prometheus scrape)",
                    Severity::Warning,
                ));
            }
        }
        // Tap dials every proxy on 4190.
        for (i, e) in model.endpoints.iter().enumerate() {
            let c = self.info.get(i).and_then(|p| p.component.as_deref());
            let tap = c == Some("tap")
                || (e.labels.get("linkerd.io/extension").map(String::as_str) == Some("viz")
                    && e.labels.get("component").map(String::as_str) == Some("tap"))
                || (c == Some("controller") && e.has_container("tap"));
            if tap {
                out.push(need(
                    FlowEnd::Endpoint(i),
                    FlowEnd::Meshed,
                    CONTROL_PORT,
                    "tap (live traffic)",
                    Severity::Warning,
                ));
            }
        }
        // The API server calls webhooks on their container ports.
        let mut hooks: Vec<(usize, u16, &'static str)> = Vec::new();
        for idx in comp("proxy-injector") {
            if let Some(p) = port_of(idx, &["proxy-injector"], Some(8443)) {
                hooks.push((
                    idx,
                    p,
                    "proxy injector webhook (without it pods start without a proxy)",
                ));
            }
        }
        for idx in comp("destination") {
            if let Some(p) = port_of(idx, &["sp-validator"], None) {
                hooks.push((idx, p, "ServiceProfile validator webhook"));
            }
            if let Some(p) = port_of(idx, &["policy-https"], None) {
                hooks.push((idx, p, "policy validator webhook"));
            }
        }
        for (idx, e) in model.endpoints.iter().enumerate() {
            let viz = e.labels.get("linkerd.io/extension").map(String::as_str) == Some("viz");
            match (viz, e.labels.get("component").map(String::as_str)) {
                (true, Some("tap")) => {
                    if let Some(p) = port_of(idx, &["apiserver"], Some(8089)) {
                        hooks.push((idx, p, "tap API service"));
                    }
                }
                (true, Some("tap-injector")) => {
                    if let Some(p) = port_of(idx, &["tap-injector"], Some(8443)) {
                        hooks.push((idx, p, "tap injector webhook"));
                    }
                }
                _ => {}
            }
        }
        for (idx, port, purpose) in hooks {
            out.push(need(
                FlowEnd::ApiServer,
                FlowEnd::Endpoint(idx),
                port,
                purpose,
                Severity::Error,
            ));
        }
        out
    }

    fn assumptions(&self) -> Vec<(crate::findings::DiagnosticCode, String)> {
        if self.version_assumed {
            vec![(
                crate::findings::DiagnosticCode::MeshVersionAssumed,
                "the Linkerd version is not given (no linkerd.io/proxy-version or linkerd.io/created-by annotation): assuming 2.18 or later, where meshed-to-meshed traffic goes to port 4143".into(),
            )]
        } else {
            Vec::new()
        }
    }
}

impl Linkerd {
    /// An AuthorizationPolicy's authentications as one authorization; an error (the
    /// policy is ignored, as the policy controller does) when a reference is missing
    /// or ambiguous.
    fn resolve_policy(
        &self,
        model: &Model,
        ap: &Named<AuthorizationPolicySpec>,
    ) -> Result<Authz, String> {
        let l = &model.linkerd;
        let name = format!("AuthorizationPolicy {}/{}", ap.namespace, ap.name);
        let mut identities: Option<Vec<IdMatch>> = None;
        let mut networks: Option<Vec<Network>> = None;
        let (mut id_refs, mut net_refs) = (0, 0);
        for r in ap.spec.required_authentication_refs.iter().flatten() {
            let ns = r.namespace.clone().unwrap_or_else(|| ap.namespace.clone());
            let rname = r.name.clone().unwrap_or_default();
            match r.kind.as_deref() {
                Some("MeshTLSAuthentication") => {
                    id_refs += 1;
                    let Some(m) = l
                        .mesh_tls
                        .iter()
                        .find(|m| m.namespace == ns && m.name == rname)
                    else {
                        return Err(format!("{name} is ignored: it references MeshTLSAuthentication {ns}/{rname}, which does not exist"));
                    };
                    let mut ids = id_matches(m.spec.identities.as_deref().unwrap_or_default());
                    for ir in m.spec.identity_refs.iter().flatten() {
                        let ins = ir.namespace.clone().unwrap_or_else(|| m.namespace.clone());
                        match ir.kind.as_deref() {
                            Some("ServiceAccount") => ids.push(IdMatch::ServiceAccount {
                                name: ir.name.clone().unwrap_or_default(),
                                namespace: ins,
                            }),
                            Some("Namespace") => ids.push(IdMatch::Suffix(format!(
                                ".{}.serviceaccount.identity.{}.{}",
                                ir.name.clone().unwrap_or_default(),
                                self.control_plane_ns
                                    .clone()
                                    .unwrap_or_else(|| "linkerd".into()),
                                self.trust_domain
                            ))),
                            _ => {}
                        }
                    }
                    identities = Some(ids);
                }
                Some("ServiceAccount") => {
                    id_refs += 1;
                    identities = Some(vec![IdMatch::ServiceAccount {
                        name: rname,
                        namespace: ns,
                    }]);
                }
                Some("NetworkAuthentication") => {
                    net_refs += 1;
                    let Some(n) = l
                        .network_auth
                        .iter()
                        .find(|m| m.namespace == ns && m.name == rname)
                    else {
                        return Err(format!("{name} is ignored: it references NetworkAuthentication {ns}/{rname}, which does not exist"));
                    };
                    networks = Some(n.spec.networks.clone().unwrap_or_default());
                }
                other => {
                    return Err(format!(
                        "{name} is ignored: unsupported authentication kind {other:?}"
                    ))
                }
            }
        }
        if id_refs > 1 || net_refs > 1 {
            return Err(format!("{name} is ignored: at most one identity and one network authentication may be required"));
        }
        // The policy controller sends an authorization without networks as the
        // cluster's networks (policy-controller grpc `to_authz`).
        Ok(Authz {
            name,
            identities,
            networks: networks
                .filter(|n| !n.is_empty())
                .unwrap_or_else(cluster_networks),
        })
    }
}

/// A legacy ServerAuthorization as one authorization (policy-controller
/// `server_authorization.rs`): unauthenticated, any TLS, or these identities; one that
/// names no client is ignored.
fn saz_authz(saz: &Named<ServerAuthorizationSpec>) -> Result<Authz, String> {
    let name = format!("ServerAuthorization {}/{}", saz.namespace, saz.name);
    let client = saz.spec.client.clone().unwrap_or_default();
    let identities = if client.unauthenticated == Some(true) {
        None
    } else {
        let Some(tls) = client.mesh_tls.clone() else {
            return Err(format!(
                "{name} is ignored: no client authentication configured"
            ));
        };
        if tls.unauthenticated_tls == Some(true) {
            Some(Vec::new())
        } else {
            let mut ids = id_matches(tls.identities.as_deref().unwrap_or_default());
            for sa in tls.service_accounts.iter().flatten() {
                ids.push(IdMatch::ServiceAccount {
                    name: sa.name.clone().unwrap_or_default(),
                    namespace: sa
                        .namespace
                        .clone()
                        .unwrap_or_else(|| saz.namespace.clone()),
                });
            }
            if ids.is_empty() {
                return Err(format!("{name} is ignored: it authorizes no clients"));
            }
            Some(ids)
        }
    };
    let networks = client
        .networks
        .filter(|n| !n.is_empty())
        .unwrap_or_else(cluster_networks);
    Ok(Authz {
        name,
        identities,
        networks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let v = |s: &str| Version::parse(s).map(|v| v.minor);
        assert_eq!(v("stable-2.9.4"), Some(9));
        assert_eq!(v("linkerd/cli edge-19.1.2"), Some(9));
        assert_eq!(v("edge-25.3.2"), Some(18));
        assert_eq!(v("edge-25.3.1"), Some(11));
        assert_eq!(v("version-2.17"), Some(17));
        assert_eq!(v("linkerd/helm stable-2.14.10"), Some(14));
        assert_eq!(v("edge-26.8.3"), Some(18));
        assert_eq!(v("nonsense"), None);
    }
}
