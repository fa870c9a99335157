//! Plans as NetworkPolicies (networking.k8s.io/v1).

use super::{selector_node, Object};
use crate::model::Model;
use crate::synthesize::plan::{Dir, NsSel, Peer, PolicyPlan, PortSet, Rule, Subject};
use crate::synthesize::yaml::{Item, Node};

/// `ipBlock` peers for the API server: its addresses, or every address when the input
/// does not give them (the proof says so).
fn api_blocks(model: &Model) -> Vec<String> {
    if model.api_server.is_empty() {
        return vec!["0.0.0.0/0".into(), "::/0".into()];
    }
    model
        .api_server
        .iter()
        .map(|ip| ipnet::IpNet::from(*ip).to_string())
        .collect()
}

fn ip_block(cidr: String) -> Node {
    Node::map().with("ipBlock", Node::map().with("cidr", Node::str(cidr)))
}

pub(crate) fn peer_nodes(peer: &Peer, namespace: &str, model: &Model) -> Vec<Node> {
    match peer {
        Peer::Pods {
            namespace: NsSel::Named(ns),
            pods,
        } if ns == namespace => {
            vec![Node::map().with(
                "podSelector",
                pods.as_ref().map(selector_node).unwrap_or_else(Node::map),
            )]
        }
        Peer::Pods {
            namespace: ns,
            pods,
        } => {
            let ns_sel = match ns {
                NsSel::Named(n) => Node::map().with(
                    "matchLabels",
                    Node::map().with("kubernetes.io/metadata.name", Node::str(n.clone())),
                ),
                NsSel::All => Node::map(),
            };
            let mut p = Node::map().with("namespaceSelector", ns_sel);
            if let Some(s) = pods {
                p.push("podSelector", selector_node(s), Vec::new());
            }
            vec![p]
        }
        Peer::Cidr(net) => vec![ip_block(net.to_string())],
        Peer::ApiServer => api_blocks(model).into_iter().map(ip_block).collect(),
        Peer::Nodes => {
            let mut addrs: Vec<String> = model
                .nodes
                .values()
                .flat_map(|n| n.addresses.iter())
                .map(|ip| ipnet::IpNet::from(*ip).to_string())
                .collect();
            addrs.sort();
            addrs.dedup();
            addrs.into_iter().map(ip_block).collect()
        }
        // NetworkPolicy names no DNS name: such intents are unmet before rendering.
        Peer::Fqdn(_) => Vec::new(),
    }
}

pub(crate) fn ports_nodes(ports: &PortSet) -> Option<Node> {
    if ports.is_any() {
        return None;
    }
    let items = ports
        .0
        .iter()
        .map(|i| {
            let mut n = Node::map();
            // No `port`: every port of the protocol.
            if let Some((a, b)) = i.range {
                n.push("port", Node::Int(i64::from(a)), Vec::new());
                if b > a {
                    n.push("endPort", Node::Int(i64::from(b)), Vec::new());
                }
            }
            if let Some(p) = i.protocol {
                n.push("protocol", Node::str(p.as_str()), Vec::new());
            }
            n
        })
        .collect();
    Some(Node::seq(items))
}

fn rule_node(rule: &Rule, dir: Dir, namespace: &str, model: &Model) -> Option<Node> {
    let peers: Vec<Node> = rule
        .peers
        .iter()
        .flat_map(|p| peer_nodes(p, namespace, model))
        .collect();
    // A rule without peers would admit everyone: never written.
    if peers.is_empty() {
        return None;
    }
    let key = if dir == Dir::Ingress { "from" } else { "to" };
    let mut n = Node::map().with(key, Node::seq(peers));
    if let Some(p) = ports_nodes(&rule.ports) {
        n.push("ports", p, Vec::new());
    }
    Some(n)
}

/// A rule's comment: what it serves.
pub(crate) fn reasons(rule: &Rule) -> Vec<String> {
    rule.reasons.iter().map(|r| r.text.clone()).collect()
}

pub(crate) fn render(plan: &PolicyPlan, model: &Model) -> Object {
    let mut spec = Node::map();
    let subject = match &plan.subject {
        Subject::Pods(sel) if !sel.is_empty() => selector_node(sel),
        _ => Node::map(),
    };
    spec.push("podSelector", subject, Vec::new());
    let types: Vec<Node> = [(plan.ingress, "Ingress"), (plan.egress, "Egress")]
        .iter()
        .filter(|t| t.0)
        .map(|t| Node::str(t.1))
        .collect();
    spec.push("policyTypes", Node::seq(types), Vec::new());
    let mut serves = Vec::new();
    for (dir, key) in [(Dir::Ingress, "ingress"), (Dir::Egress, "egress")] {
        let mut items = Vec::new();
        for rule in plan.rules(dir) {
            let Some(node) = rule_node(&rule, dir, &plan.namespace, model) else {
                continue;
            };
            let why = reasons(&rule);
            serves.push(format!("spec.{key}[{}]: {}", items.len(), why.join("; ")));
            items.push(Item {
                value: node,
                comment: why,
            });
        }
        if !items.is_empty() {
            spec.push(key, Node::Seq(items), Vec::new());
        }
    }
    let mut comment = vec![format!(
        "{}: only what the intents and the mesh need, in and out",
        plan.about
    )];
    comment.extend(plan.notes.iter().cloned());
    Object::new(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        &plan.namespace,
        &plan.name,
        spec,
        serves,
        comment,
    )
}
