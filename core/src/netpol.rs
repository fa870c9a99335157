//! Kubernetes NetworkPolicy (networking.k8s.io/v1): validation as the API server does
//! it, and compilation into the shared policy shape.
//!
//! The rules below follow the API reference (NetworkPolicySpec, NetworkPolicyPeer,
//! NetworkPolicyPort, IPBlock) and kubernetes/kubernetes
//! pkg/apis/networking/validation/validation.go; tests in tests/cases/netpol cite them.

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::error::{Error, ErrorCode};
use crate::model::{Ctx, NetPolObject};
use crate::policy::{CompiledPolicy, Direction, Enforcement, NamespaceScope, Peer, PolicyKind, PolicyRef, Rule, RuleRef, Subject};
use crate::ports::{check_port_name, parse_cidr, IpBlock, PortMatch, PortSpec, Protocol};
use crate::selector::Selector;

fn selector(ctx: &Ctx, ls: &LabelSelector, path: &str) -> Result<Selector, Error> {
    Selector::compile(ls, path).map_err(|p| ctx.error(ErrorCode::InvalidPolicy, &p.path, p.message))
}

fn ip_block(ctx: &Ctx, b: &k8s_openapi::api::networking::v1::IPBlock, path: &str) -> Result<IpBlock, Error> {
    let cidr = parse_cidr(&b.cidr).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.cidr"), m))?;
    let mut except = Vec::new();
    for (i, e) in b.except.iter().flatten().enumerate() {
        let at = format!("{path}.except[{i}]");
        let net = parse_cidr(e).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &at, m))?;
        // ValidateIPBlock: "must be a strict subset of `cidr`".
        if !cidr.contains(&net.network()) || net.prefix_len() <= cidr.prefix_len() {
            return Err(ctx.error(ErrorCode::InvalidPolicy, &at, format!("{e:?} must be a strict subset of `cidr` {}", b.cidr)));
        }
        except.push(net);
    }
    Ok(IpBlock { cidr, except })
}

fn port(ctx: &Ctx, p: &NetworkPolicyPort, path: &str) -> Result<PortMatch, Error> {
    let protocol = match p.protocol.as_deref() {
        None => Protocol::Tcp,
        Some(s) => Protocol::parse(s).ok_or_else(|| {
            ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.protocol"), format!("unsupported value {s:?}: supported values: \"SCTP\", \"TCP\", \"UDP\""))
        })?,
    };
    let valid_num = |n: i32, field: &str| -> Result<u16, Error> {
        u16::try_from(n)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.{field}"), format!("{n} must be between 1 and 65535, inclusive")))
    };
    let spec = match (&p.port, p.end_port) {
        (None, Some(_)) => {
            return Err(ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.port"), "must be specified when `endPort` is specified"))
        }
        (None, None) => PortSpec::Any,
        (Some(IntOrString::Int(n)), end) => {
            let from = valid_num(*n, "port")?;
            let to = match end {
                None => from,
                Some(e) => {
                    let to = valid_num(e, "endPort")?;
                    if to < from {
                        return Err(ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.endPort"), format!("{e} must be greater than or equal to `port` ({from})")));
                    }
                    to
                }
            };
            PortSpec::Range { from, to }
        }
        (Some(IntOrString::String(s)), end) => {
            check_port_name(s).map_err(|m| ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.port"), m))?;
            if end.is_some() {
                return Err(ctx.error(ErrorCode::InvalidPolicy, &format!("{path}.endPort"), "may not be specified when `port` is non-numeric"));
            }
            PortSpec::Named { name: s.clone() }
        }
    };
    Ok(PortMatch { protocol: Some(protocol), port: spec })
}

fn peer(ctx: &Ctx, p: &NetworkPolicyPeer, path: &str, namespace: &str) -> Result<Peer, Error> {
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
            Ok(Peer::Pods { namespaces, pods })
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
        Some(types) => (types.iter().any(|t| t == "Ingress"), types.iter().any(|t| t == "Egress")),
        None => (true, spec.egress.as_ref().is_some_and(|e| !e.is_empty())),
    }
}

fn compile_with(ctx: &Ctx, np: &NetworkPolicy, namespace: &str) -> Result<(Subject, Vec<Rule>, PolicyRef), Error> {
    let spec = np.spec.clone().unwrap_or_default();
    let policy = PolicyRef { kind: PolicyKind::NetworkPolicy, namespace: Some(namespace.to_string()), name: ctx.name.clone() };
    let subject_sel = match &spec.pod_selector {
        Some(ls) => selector(ctx, ls, "spec.podSelector")?,
        None => Selector::everything(),
    };
    let types = spec.policy_types.clone().unwrap_or_default();
    if types.len() > 2 {
        return Err(ctx.error(ErrorCode::InvalidPolicy, "spec.policyTypes", "may not specify more than two policyTypes"));
    }
    for (i, t) in types.iter().enumerate() {
        if t != "Ingress" && t != "Egress" {
            return Err(ctx.error(ErrorCode::InvalidPolicy, &format!("spec.policyTypes[{i}]"), format!("unsupported value {t:?}: supported values: \"Ingress\", \"Egress\"")));
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
                .map(|(j, p)| peer(ctx, p, &format!("{path}.from[{j}]"), namespace))
                .collect::<Result<_, _>>()?,
        };
        let ports = r.ports.iter().flatten().enumerate().map(|(j, p)| port(ctx, p, &format!("{path}.ports[{j}]"))).collect::<Result<_, _>>()?;
        rules.push(Rule {
            rule: RuleRef { policy: policy.clone(), direction: Direction::Ingress, index: i, path, deny: false },
            peers,
            ports,
            l7: Vec::new(),
            icmp_only: false,
        });
    }
    for (i, r) in spec.egress.iter().flatten().enumerate() {
        let path = format!("spec.egress[{i}]");
        let peers = match r.to.as_ref().filter(|f| !f.is_empty()) {
            None => vec![Peer::Any],
            Some(to) => to
                .iter()
                .enumerate()
                .map(|(j, p)| peer(ctx, p, &format!("{path}.to[{j}]"), namespace))
                .collect::<Result<_, _>>()?,
        };
        let ports = r.ports.iter().flatten().enumerate().map(|(j, p)| port(ctx, p, &format!("{path}.ports[{j}]"))).collect::<Result<_, _>>()?;
        rules.push(Rule {
            rule: RuleRef { policy: policy.clone(), direction: Direction::Egress, index: i, path, deny: false },
            peers,
            ports,
            l7: Vec::new(),
            icmp_only: false,
        });
    }
    Ok((Subject::Pods { namespace: namespace.to_string(), selector: subject_sel }, rules, policy))
}

/// Checks what `ValidateNetworkPolicy` checks (the first problem is the error) and
/// compiles the policy. Rules of a direction the policy does not
/// enforce are dropped: the dataplane never reads them (policyTypes: [Egress] with
/// ingress rules).
pub(crate) fn compile(ctx: &Ctx, obj: &NetPolObject) -> Result<CompiledPolicy, Error> {
    let (subject, rules, policy) = compile_with(ctx, &obj.policy, &obj.namespace)?;
    let (ingress, egress) = policy_types(&obj.policy);
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
        ingress: Enforcement { enforced: ingress, default_deny: ingress },
        egress: Enforcement { enforced: egress, default_deny: egress },
        rules,
        origin: obj.origin.clone(),
        subject_path: "spec.podSelector".into(),
        requires: Vec::new(),
    })
}
