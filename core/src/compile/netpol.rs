//! Kubernetes NetworkPolicy (networking.k8s.io/v1): validation as the API server does
//! it, and compilation into the shared policy shape.
//!
//! The rules below follow the API reference (NetworkPolicySpec, NetworkPolicyPeer,
//! NetworkPolicyPort, IPBlock) and kubernetes/kubernetes
//! pkg/apis/networking/validation/validation.go; tests in tests/cases/netpol cite them.

//!
//! On Cilium, a NetworkPolicy is first translated the way the agent does it
//! (pkg/k8s/network_policy.go, Cilium 1.19/1.20): its selectors become selectors over
//! the endpoints' identity labels (`k8s:` keys): the subject gets the policy's
//! namespace, a `namespaceSelector`'s keys move under `io.cilium.k8s.namespace.labels.`
//! (an empty one becomes `io.kubernetes.pod.namespace` Exists), a lone `podSelector`
//! gets the policy's namespace, and every pod selector gets the local cluster
//! (`io.cilium.k8s.policy.cluster`) unless it names a cluster itself.

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::labels::{CLUSTER_LABEL, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX};
use super::policy::{
    CompiledPolicy, Direction, Enforcement, NamespaceScope, Peer, PolicyKind, PolicyRef, Rule,
    RuleRef, Subject,
};
use crate::error::{Error, ErrorCode};
use crate::model::{Ctx, NetPolObject};
use crate::ports::{check_port_name, parse_cidr, IpBlock, PortMatch, PortSpec, Protocol};
use crate::selector::{FieldProblem, Selector};

/// How the dataplane reads a NetworkPolicy's selectors.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Translation<'a> {
    /// Over the pods' labels as written (Kubernetes, Calico).
    Labels,
    /// Over Cilium identity labels, with this local cluster name.
    Cilium { cluster: &'a str },
}

fn selector(ctx: &Ctx, ls: &LabelSelector, path: &str) -> Result<Selector, Error> {
    Selector::compile(ls, path).map_err(|p| ctx.error(ErrorCode::InvalidPolicy, &p.path, p.message))
}

fn ip_block(
    ctx: &Ctx,
    b: &k8s_openapi::api::networking::v1::IPBlock,
    path: &str,
) -> Result<IpBlock, Error> {
    let cidr = parse_cidr(&b.cidr)
        .map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.cidr"), m))?;
    let mut except = Vec::new();
    for (i, e) in b.except.iter().flatten().enumerate() {
        let at = format!("{path}.except[{i}]");
        let net = parse_cidr(e).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &at, m))?;
        // ValidateIPBlock: "must be a strict subset of `cidr`".
        if !cidr.contains(&net.network()) || net.prefix_len() <= cidr.prefix_len() {
            return Err(ctx.error(
                ErrorCode::InvalidPolicy,
                &at,
                format!("{e:?} must be a strict subset of `cidr` {}", b.cidr),
            ));
        }
        except.push(net);
    }
    Ok(IpBlock { cidr, except })
}

fn port(ctx: &Ctx, p: &NetworkPolicyPort, path: &str) -> Result<PortMatch, Error> {
    let protocol = match p.protocol.as_deref() {
        None => Protocol::Tcp,
        Some(s) => Protocol::parse(s).ok_or_else(|| {
            ctx.error(
                ErrorCode::InvalidPolicy,
                &format!("{path}.protocol"),
                format!("unsupported value {s:?}: supported values: \"SCTP\", \"TCP\", \"UDP\""),
            )
        })?,
    };
    let valid_num = |n: i32, field: &str| -> Result<u16, Error> {
        u16::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| {
            ctx.error(
                ErrorCode::InvalidPolicy,
                &format!("{path}.{field}"),
                format!("{n} must be between 1 and 65535, inclusive"),
            )
        })
    };
    let spec = match (&p.port, p.end_port) {
        (None, Some(_)) => {
            return Err(ctx.error(
                ErrorCode::InvalidPolicy,
                &format!("{path}.port"),
                "must be specified when `endPort` is specified",
            ))
        }
        (None, None) => PortSpec::Any,
        (Some(IntOrString::Int(n)), end) => {
            let from = valid_num(*n, "port")?;
            let to = match end {
                None => from,
                Some(e) => {
                    let to = valid_num(e, "endPort")?;
                    if to < from {
                        return Err(ctx.error(
                            ErrorCode::InvalidPolicy,
                            &format!("{path}.endPort"),
                            format!("{e} must be greater than or equal to `port` ({from})"),
                        ));
                    }
                    to
                }
            };
            PortSpec::Range { from, to }
        }
        (Some(IntOrString::String(s)), end) => {
            check_port_name(s)
                .map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.port"), m))?;
            if end.is_some() {
                return Err(ctx.error(
                    ErrorCode::InvalidPolicy,
                    &format!("{path}.endPort"),
                    "may not be specified when `port` is non-numeric",
                ));
            }
            PortSpec::Named { name: s.clone() }
        }
    };
    Ok(PortMatch {
        protocol: Some(protocol),
        port: spec,
    })
}

fn peer(
    ctx: &Ctx,
    p: &NetworkPolicyPeer,
    path: &str,
    namespace: &str,
    t: Translation,
) -> Result<Peer, Error> {
    let has_selectors = p.pod_selector.is_some() || p.namespace_selector.is_some();
    match (&p.ip_block, has_selectors) {
        (Some(_), true) => Err(ctx.error(ErrorCode::InvalidPolicy, path, "may not specify more than 1 peer: ipBlock cannot be combined with podSelector or namespaceSelector")),
        (None, false) => Err(ctx.error(ErrorCode::InvalidPolicy, path, "must specify a peer (podSelector, namespaceSelector or ipBlock)")),
        (Some(b), false) => Ok(Peer::Block { block: ip_block(ctx, b, &format!("{path}.ipBlock"))? }),
        (None, true) => {
            let pods = match &p.pod_selector {
                Some(ls) => selector(ctx, ls, &format!("{path}.podSelector"))?,
                None => Selector::everything(),
            };
            let namespaces = match &p.namespace_selector {
                Some(ls) => NamespaceScope::Matching { selector: selector(ctx, ls, &format!("{path}.namespaceSelector"))? },
                None => NamespaceScope::Own { namespace: namespace.to_string() },
            };
            match t {
                Translation::Labels => Ok(Peer::Pods { namespaces, pods }),
                Translation::Cilium { cluster } => Ok(Peer::Identity {
                    selector: cilium_peer(p, namespace, cluster).map_err(|e| ctx.error(ErrorCode::InvalidPolicy, path, e.message))?,
                }),
            }
        }
    }
}

/// `k8s:`-sourced requirements from a (validated) Kubernetes label selector, with
/// `rename` applied to each key and `set` overriding `matchLabels` entries.
fn cilium_requirements(
    ls: &LabelSelector,
    rename: impl Fn(&str) -> String,
    set: &[(&str, &str)],
) -> Result<Selector, FieldProblem> {
    let mut match_labels = ls.match_labels.clone().unwrap_or_default();
    for (k, v) in set {
        match_labels.insert((*k).to_string(), (*v).to_string());
    }
    let translated = LabelSelector {
        match_labels: Some(
            match_labels
                .into_iter()
                .map(|(k, v)| (rename(&k), v))
                .collect(),
        ),
        match_expressions: Some(
            ls.match_expressions
                .iter()
                .flatten()
                .map(|e| LabelSelectorRequirement {
                    key: rename(&e.key),
                    operator: e.operator.clone(),
                    values: e.values.clone(),
                })
                .collect(),
        ),
    };
    // The keys were validated in their Kubernetes form; Cilium does not re-validate
    // the renamed ones.
    Selector::compile_keys(&translated, "", |k| Ok(format!("k8s:{k}")))
}

fn selects_cluster(ls: Option<&LabelSelector>) -> bool {
    ls.is_some_and(|ls| {
        ls.match_labels
            .as_ref()
            .is_some_and(|m| m.get(CLUSTER_LABEL).is_some_and(|v| !v.is_empty()))
            || ls
                .match_expressions
                .iter()
                .flatten()
                .any(|e| e.key == CLUSTER_LABEL)
    })
}

/// A NetworkPolicy peer as Cilium's `parseNetworkPolicyPeer` translates it.
fn cilium_peer(
    p: &NetworkPolicyPeer,
    namespace: &str,
    cluster: &str,
) -> Result<Selector, FieldProblem> {
    let pod_ls = p.pod_selector.clone().unwrap_or_default();
    // An empty cluster is Cilium's PolicyAnyCluster (policy-default-local-cluster off):
    // no cluster is added.
    let cluster_set: Vec<(&str, &str)> =
        if cluster.is_empty() || selects_cluster(p.pod_selector.as_ref()) {
            Vec::new()
        } else {
            vec![(CLUSTER_LABEL, cluster)]
        };
    match &p.namespace_selector {
        Some(ns_ls) => {
            let mut sel =
                cilium_requirements(ns_ls, |k| format!("{NAMESPACE_LABELS_PREFIX}{k}"), &[])?;
            if sel.is_empty() {
                sel.requirements.push(crate::selector::Requirement::Exists {
                    key: format!("k8s:{NAMESPACE_LABEL}"),
                });
            }
            sel.requirements
                .extend(cilium_requirements(&pod_ls, str::to_string, &cluster_set)?.requirements);
            Ok(sel)
        }
        None => {
            let mut set = cluster_set;
            set.push((NAMESPACE_LABEL, namespace));
            cilium_requirements(&pod_ls, str::to_string, &set)
        }
    }
}

/// The policy types in force: `policyTypes` when given; otherwise Ingress always, and
/// Egress when the `egress` list is non-empty (SetDefaults_NetworkPolicy tests
/// `len(spec.Egress) != 0`; the API reference's "policies that contain an egress
/// section" means the same once `egress: []` has been decoded).
pub fn policy_types(np: &NetworkPolicy) -> (bool, bool) {
    let spec = np.spec.clone().unwrap_or_default();
    match spec.policy_types.as_ref().filter(|t| !t.is_empty()) {
        Some(types) => (
            types.iter().any(|t| t == "Ingress"),
            types.iter().any(|t| t == "Egress"),
        ),
        None => (true, spec.egress.as_ref().is_some_and(|e| !e.is_empty())),
    }
}

fn compile_with(
    ctx: &Ctx,
    np: &NetworkPolicy,
    namespace: &str,
    t: Translation,
) -> Result<(Subject, Vec<Rule>, PolicyRef), Error> {
    let spec = np.spec.clone().unwrap_or_default();
    let policy = PolicyRef {
        kind: PolicyKind::NetworkPolicy,
        namespace: Some(namespace.into()),
        name: ctx.name.as_str().into(),
    };
    let subject_sel = match &spec.pod_selector {
        Some(ls) => selector(ctx, ls, "spec.podSelector")?,
        None => Selector::everything(),
    };
    let subject = match t {
        Translation::Labels => Subject::Pods {
            namespace: namespace.to_string(),
            selector: subject_sel,
        },
        // parsePodSelector: the policy's namespace overrides any user `matchLabels` entry.
        Translation::Cilium { .. } => Subject::Identity {
            selector: cilium_requirements(
                &spec.pod_selector.clone().unwrap_or_default(),
                str::to_string,
                &[(NAMESPACE_LABEL, namespace)],
            )
            .map_err(|e| ctx.error(ErrorCode::InvalidPolicy, "spec.podSelector", e.message))?,
        },
    };
    let types = spec.policy_types.clone().unwrap_or_default();
    if types.len() > 2 {
        return Err(ctx.error(
            ErrorCode::InvalidPolicy,
            "spec.policyTypes",
            "may not specify more than two policyTypes",
        ));
    }
    for (i, t) in types.iter().enumerate() {
        if t != "Ingress" && t != "Egress" {
            return Err(ctx.error(
                ErrorCode::InvalidPolicy,
                &format!("spec.policyTypes[{i}]"),
                format!("unsupported value {t:?}: supported values: \"Ingress\", \"Egress\""),
            ));
        }
    }
    let mut rules = Vec::new();
    for (i, r) in spec.ingress.iter().flatten().enumerate() {
        let path = format!("spec.ingress[{i}]");
        let peers = match r.from.as_ref().filter(|f| !f.is_empty()) {
            None => vec![Peer::Any],
            Some(from) => from
                .iter()
                .enumerate()
                .map(|(j, p)| peer(ctx, p, &format!("{path}.from[{j}]"), namespace, t))
                .collect::<Result<_, _>>()?,
        };
        let ports = r
            .ports
            .iter()
            .flatten()
            .enumerate()
            .map(|(j, p)| port(ctx, p, &format!("{path}.ports[{j}]")))
            .collect::<Result<_, _>>()?;
        rules.push(Rule {
            rule: RuleRef {
                policy: policy.clone(),
                direction: Direction::Ingress,
                index: i,
                path: path.into(),
                deny: false,
            },
            peers,
            ports,
            l7: Vec::new(),
            icmp_only: false,
            peer_sets: Vec::new(),
        });
    }
    for (i, r) in spec.egress.iter().flatten().enumerate() {
        let path = format!("spec.egress[{i}]");
        let peers = match r.to.as_ref().filter(|f| !f.is_empty()) {
            None => vec![Peer::Any],
            Some(to) => to
                .iter()
                .enumerate()
                .map(|(j, p)| peer(ctx, p, &format!("{path}.to[{j}]"), namespace, t))
                .collect::<Result<_, _>>()?,
        };
        let ports = r
            .ports
            .iter()
            .flatten()
            .enumerate()
            .map(|(j, p)| port(ctx, p, &format!("{path}.ports[{j}]")))
            .collect::<Result<_, _>>()?;
        rules.push(Rule {
            rule: RuleRef {
                policy: policy.clone(),
                direction: Direction::Egress,
                index: i,
                path: path.into(),
                deny: false,
            },
            peers,
            ports,
            l7: Vec::new(),
            icmp_only: false,
            peer_sets: Vec::new(),
        });
    }
    Ok((subject, rules, policy))
}

/// The directions Cilium's agent enforces for a NetworkPolicy. `ParseNetworkPolicy`
/// (pkg/k8s/network_policy.go, 1.18-1.20) turns every rule of `spec.ingress` and
/// `spec.egress` into an entry whatever `policyTypes` says, and adds an empty
/// default-deny entry for a direction without rules when the policy types ask for it
/// (Ingress listed, or Egress not listed; Egress listed). Every entry is default-deny,
/// so a direction is enforced once it has an entry: rules written for a direction the
/// policy types leave out are enforced too (cilium/cilium#48703, open as of 1.20).
fn cilium_directions(np: &NetworkPolicy, types: (bool, bool)) -> (bool, bool) {
    let spec = np.spec.clone().unwrap_or_default();
    let has_ingress = spec.ingress.as_ref().is_some_and(|r| !r.is_empty());
    let has_egress = spec.egress.as_ref().is_some_and(|r| !r.is_empty());
    let (ingress_type, egress_type) = types;
    (
        has_ingress || ingress_type || !egress_type,
        has_egress || egress_type,
    )
}

/// Checks what `ValidateNetworkPolicy` checks (the first problem is the error) and
/// compiles the policy. Rules of a direction the policy does not enforce are dropped:
/// Kubernetes (and Calico) never read them (policyTypes: [Egress] with ingress rules);
/// Cilium does, see [`cilium_directions`].
pub(crate) fn compile(
    ctx: &Ctx,
    obj: &NetPolObject,
    t: Translation,
) -> Result<CompiledPolicy, Error> {
    let (subject, rules, policy) = compile_with(ctx, &obj.policy, &obj.namespace, t)?;
    let (ingress, egress) = match t {
        Translation::Labels => policy_types(&obj.policy),
        Translation::Cilium { .. } => cilium_directions(&obj.policy, policy_types(&obj.policy)),
    };
    let rules = rules
        .into_iter()
        .filter(|r| match r.rule.direction {
            Direction::Ingress => ingress,
            Direction::Egress => egress,
        })
        .collect();
    Ok(CompiledPolicy {
        policy,
        subject,
        ingress: Enforcement {
            enforced: ingress,
            default_deny: ingress,
        },
        egress: Enforcement {
            enforced: egress,
            default_deny: egress,
        },
        rules,
        origin: obj.origin.clone(),
        subject_path: "spec.podSelector".into(),
        requires: Vec::new(),
        subject_set: 0,
        requires_sets: Vec::new(),
    })
}
