//! Plans as CiliumNetworkPolicies (cilium.io/v2). Where a CIDR would not match, an
//! entity does: Cilium's CIDR selectors never match cluster endpoints, nor nodes by
//! default (policy-cidr-match-mode), so the API server is `kube-apiserver` and nodes are
//! `remote-node` (the pod's own node, `host`, is admitted by default: allow-localhost).

use super::{selector_node, Object};
use crate::synthesize::plan::{Dir, NsSel, Peer, PolicyPlan, PortSet, Rule, Sel, Subject};
use crate::synthesize::yaml::{Item, Node};

const NAMESPACE_KEY: &str = "k8s:io.kubernetes.pod.namespace";

/// The L3 field a peer goes in; Cilium refuses a rule that mixes two of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Endpoints,
    Entities,
    Cidr,
    Fqdns,
}

fn endpoint_selector(namespace: &NsSel, pods: Option<&Sel>) -> Node {
    let mut sel = pods.cloned().unwrap_or_default();
    match namespace {
        NsSel::Named(ns) => {
            sel.labels.insert(NAMESPACE_KEY.into(), ns.clone());
        }
        // Peer selectors without a namespace are confined to the policy's namespace;
        // requiring the key to exist lifts that (cilium.md §2.4).
        NsSel::All => sel
            .exprs
            .push((NAMESPACE_KEY.into(), "Exists".into(), Vec::new())),
    }
    selector_node(&sel)
}

fn peer_item(peer: &Peer) -> (Kind, Node) {
    match peer {
        Peer::Pods { namespace, pods } => {
            (Kind::Endpoints, endpoint_selector(namespace, pods.as_ref()))
        }
        Peer::Cidr(net) => (Kind::Cidr, Node::str(net.to_string())),
        Peer::ApiServer => (Kind::Entities, Node::str("kube-apiserver")),
        Peer::Nodes => (Kind::Entities, Node::str("remote-node")),
        Peer::Fqdn(name) => (
            Kind::Fqdns,
            Node::map().with("matchName", Node::str(name.clone())),
        ),
    }
}

fn to_ports(ports: &PortSet, dns_rules: bool) -> Option<Node> {
    if ports.is_any() {
        return None;
    }
    let items = ports
        .0
        .iter()
        .map(|i| {
            let (port, end) = match i.range {
                Some((a, b)) => (a.to_string(), (b > a).then_some(b)),
                None => ("0".to_string(), None),
            };
            let mut n = Node::map().with("port", Node::str(port));
            if let Some(e) = end {
                n.push("endPort", Node::Int(i64::from(e)), Vec::new());
            }
            n.push(
                "protocol",
                Node::str(i.protocol.map(|p| p.as_str()).unwrap_or("ANY")),
                Vec::new(),
            );
            n
        })
        .collect();
    let mut rule = Node::map().with("ports", Node::seq(items));
    if dns_rules {
        // toFQDNs learns addresses from the DNS answers Cilium's DNS proxy sees, which
        // only a DNS rule sends through it (policy/language "DNS based").
        rule.push(
            "rules",
            Node::map().with(
                "dns",
                Node::seq(vec![Node::map().with("matchPattern", Node::str("*"))]),
            ),
            vec![
                "let Cilium's DNS proxy see lookups, so that toFQDNs rules learn their addresses"
                    .into(),
            ],
        );
    }
    Some(Node::seq(vec![rule]))
}

/// The rule's parts, one per L3 field, each with what it serves.
fn rule_nodes(rule: &Rule, dir: Dir, dns_proxy: bool) -> Vec<(Node, Vec<String>)> {
    let ingress = dir == Dir::Ingress;
    let mut by_kind: std::collections::BTreeMap<
        Kind,
        (
            Vec<Node>,
            std::collections::BTreeSet<&crate::synthesize::plan::Reason>,
        ),
    > = std::collections::BTreeMap::new();
    for (i, p) in rule.peers.iter().enumerate() {
        let (k, n) = peer_item(p);
        let entry = by_kind.entry(k).or_default();
        if !entry.0.contains(&n) {
            entry.0.push(n);
        }
        entry
            .1
            .extend(rule.peer_reasons.get(i).into_iter().flatten());
    }
    // DNS egress carries the DNS rule when some rule of the policy names a DNS name.
    let is_dns = !ingress && dns_proxy && rule.reasons.iter().any(|r| r.text.starts_with("DNS:"));
    by_kind
        .into_iter()
        .map(|(k, (peers, reasons))| {
            let field = match (k, ingress) {
                (Kind::Endpoints, true) => "fromEndpoints",
                (Kind::Endpoints, false) => "toEndpoints",
                (Kind::Entities, true) => "fromEntities",
                (Kind::Entities, false) => "toEntities",
                (Kind::Cidr, true) => "fromCIDR",
                (Kind::Cidr, false) => "toCIDR",
                (Kind::Fqdns, _) => "toFQDNs",
            };
            let mut n = Node::map().with(field, Node::seq(peers));
            if let Some(p) = to_ports(&rule.ports, is_dns && k == Kind::Endpoints) {
                n.push("toPorts", p, Vec::new());
            }
            (n, reasons.into_iter().map(|r| r.text.clone()).collect())
        })
        .collect()
}

pub(crate) fn render(plan: &PolicyPlan) -> Object {
    let mut spec = Node::map();
    let subject = match &plan.subject {
        Subject::Pods(sel) if !sel.is_empty() => selector_node(sel),
        _ => Node::map(),
    };
    spec.push("endpointSelector", subject, Vec::new());
    let dns_proxy = plan
        .wants
        .keys()
        .any(|(d, p)| *d == Dir::Egress && matches!(p, Peer::Fqdn(_)));
    let mut serves = Vec::new();
    for (dir, key, on) in [
        (Dir::Ingress, "ingress", plan.ingress),
        (Dir::Egress, "egress", plan.egress),
    ] {
        if !on {
            continue;
        }
        let mut items = Vec::new();
        for rule in plan.rules(dir) {
            for (node, why) in rule_nodes(&rule, dir, dns_proxy) {
                serves.push(format!("spec.{key}[{}]: {}", items.len(), why.join("; ")));
                items.push(Item {
                    value: node,
                    comment: why,
                });
            }
        }
        if items.is_empty() {
            // An empty rule enforces the direction and admits nothing (default deny).
            items.push(Item {
                value: Node::map(),
                comment: vec![format!("no {key} is intended: default deny")],
            });
        }
        spec.push(key, Node::Seq(items), Vec::new());
    }
    let mut comment = vec![format!(
        "{}: only what the intents and the mesh need, in and out",
        plan.about
    )];
    comment.extend(plan.notes.iter().cloned());
    Object::new(
        "cilium.io/v2",
        "CiliumNetworkPolicy",
        &plan.namespace,
        &plan.name,
        spec,
        serves,
        comment,
    )
}
