//! The proof: the synthesized set, loaded beside the existing one, judged by the engine.
//! Every intent must be allowed; every other flow the new objects open, among the
//! workloads and parties they name, is listed with why (or the set is wrong); no mesh
//! diagnostic may be left on the workloads concerned.
//!
//! The residue is computed from point decisions (`Cluster::allowed`) over each pair the
//! new rules relate and each port interval that can decide differently (the boundaries of
//! every rule that applies to the pair, the destination's declared ports, the mesh's own
//! ports). [`residue`] is the one place to switch to the engine's whole-cluster matrix
//! once it exists.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::build::{Claims, Key};
use super::plan::{PortItem, PortSet};
use super::resolve::{is_placeholder, Resolved, Side};
use super::units::Units;
use crate::cluster::Cluster;
use crate::compile::mesh::linkerd::{ADMIN_PORT, CONTROL_PORT};
use crate::compile::policy::{Direction, Entity, Peer as CPeer};
use crate::diagnose::{diagnose_with, DiagnoseOptions};
use crate::evaluate::{Evaluator, PortRef, Query};
use crate::findings::{Diagnostic, DiagnosticCode};
use crate::model::{Endpoint, Model};
use crate::ports::{PortSpec, Protocol};

/// Something else the synthesized set allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Residue {
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    /// Port ranges, e.g. `1-8079, 8081-65535`.
    pub ports: String,
    /// `existing`: the policies already in the cluster allowed it (added NetworkPolicies
    /// cannot take an allow back); `opened`: the new objects allow it.
    pub cause: String,
    pub why: String,
}

/// The proof of a synthesized set.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    /// Every intent allowed, no objects rejected, no mesh diagnostic left.
    pub verified: bool,
    /// Intents checked, questions asked for them, and how many were allowed.
    pub intents: usize,
    pub checks: usize,
    pub allowed: usize,
    /// Intent questions the set denies: a bug of synthesis when not explained.
    pub failures: Vec<String>,
    /// Pairs of the residue search and the questions it asked.
    pub pairs: usize,
    pub questions: usize,
    pub residue: Vec<Residue>,
    /// Pairs of workloads concerned (`from`, `to`) that the existing policies alone admit
    /// on both sides (on some ports): no added policy can take that back. At most
    /// [`EXISTING_SHOWN`] of them; `existingPairs` counts them all.
    pub existing: Vec<(String, String)>,
    pub existing_pairs: usize,
    /// Mesh and DNS diagnostics left on the workloads concerned.
    pub diagnostics: Vec<Diagnostic>,
    /// Mesh diagnostics elsewhere in the cluster (not about the workloads concerned).
    pub elsewhere: usize,
    /// Flows the mesh or the platform needs that a deny rule drops: no added allow can
    /// give them back.
    pub blocked: Vec<String>,
    /// Synthesized objects the engine refuses (the API server would).
    pub invalid: Vec<String>,
    pub notes: Vec<String>,
}

/// How many existing relations a proof lists.
pub const EXISTING_SHOWN: usize = 1000;

/// The reference a query names a key by; `None` when no reference names it alone.
pub(crate) fn reference(model: &Model, key: &Key) -> Option<String> {
    match key {
        Key::Pod(i) => {
            let e = model.endpoints.get(*i)?;
            // A Pod of the same name as a workload template wins: the template cannot be named.
            (model.find_endpoint(&e.namespace, &e.name).map(|x| x.index) == Some(*i))
                .then(|| e.reference())
        }
        Key::Other(r) => Some(r.clone()),
    }
}

/// The key of a side of an intent.
fn side_key(s: &Side) -> Key {
    match s {
        Side::Pod(i) => Key::Pod(*i),
        Side::Node(n) => Key::Other(format!("node:{n}")),
        Side::External(net) => Key::Other(format!("ip:{}", net.addr())),
        Side::Dns(n) => Key::Other(format!("dns:{n}")),
    }
}

/// Ports to ask about for a port item: its ends, or, for every port, a spread of them and
/// the destination's declared ones.
fn samples(item: &PortItem, dest: Option<&Endpoint>) -> Vec<(Protocol, u16)> {
    let protocols: Vec<Protocol> = match item.protocol {
        Some(p) => vec![p],
        None => vec![Protocol::Tcp, Protocol::Udp, Protocol::Sctp],
    };
    let mut out = Vec::new();
    for p in protocols {
        match item.range {
            Some((a, b)) => {
                out.push((p, a));
                if b != a {
                    out.push((p, b));
                }
            }
            None => {
                out.extend([1, 80, 443, 8080, 65535].map(|n| (p, n)));
                out.extend(
                    dest.into_iter()
                        .flat_map(|e| e.ports.iter())
                        .filter(|d| d.protocol == p)
                        .map(|d| (p, d.port)),
                );
            }
        }
    }
    out
}

/// Every boundary at which a verdict between `a` and `b` can change: the rules that
/// apply to the pair, the destination's declared ports, and the mesh's own ports.
fn boundaries(
    cluster: &Cluster,
    a: Option<&Endpoint>,
    b: Option<&Endpoint>,
    extra: &PortSet,
) -> (BTreeSet<u32>, BTreeSet<Protocol>) {
    let eval = Evaluator::new(cluster.model(), cluster.compiled(), false);
    let mut cuts: BTreeSet<u32> = BTreeSet::from([1]);
    // Every protocol: a side no policy isolates admits them all.
    let mut protocols = BTreeSet::from([Protocol::Tcp, Protocol::Udp, Protocol::Sctp]);
    let cut = |x: u16, y: u16, cuts: &mut BTreeSet<u32>| {
        cuts.insert(u32::from(x));
        cuts.insert(u32::from(y) + 1);
    };
    let dest_ports = b.map(|e| e.ports.as_slice()).unwrap_or_default();
    let mut policies = Vec::new();
    if let Some(a) = a {
        policies.extend(eval.selecting(a, Direction::Egress));
    }
    if let Some(b) = b {
        policies.extend(eval.selecting(b, Direction::Ingress));
    }
    for p in policies {
        for r in &p.rules {
            if r.ports.is_empty() {
                protocols.extend([Protocol::Udp, Protocol::Sctp]);
            }
            for m in &r.ports {
                match m.protocol {
                    Some(pr) => {
                        protocols.insert(pr);
                    }
                    None => protocols.extend([Protocol::Udp, Protocol::Sctp]),
                }
                match &m.port {
                    PortSpec::Any => {}
                    PortSpec::Range { from, to } => cut(*from, *to, &mut cuts),
                    PortSpec::Named { name } => {
                        for d in dest_ports
                            .iter()
                            .filter(|d| d.name.as_deref() == Some(name.as_str()))
                        {
                            cut(d.port, d.port, &mut cuts);
                        }
                    }
                }
            }
        }
    }
    for d in dest_ports {
        cut(d.port, d.port, &mut cuts);
        protocols.insert(d.protocol);
    }
    for i in &extra.0 {
        if let Some((x, y)) = i.range {
            cut(x, y, &mut cuts);
        }
        match i.protocol {
            Some(p) => {
                protocols.insert(p);
            }
            None => protocols.extend([Protocol::Udp, Protocol::Sctp]),
        }
    }
    if let (Some(b), Some(l)) = (b, cluster.compiled().linkerd.as_ref()) {
        if let Some(info) = l.info.get(b.index).filter(|i| i.meshed) {
            for p in [info.inbound_port, ADMIN_PORT, CONTROL_PORT] {
                cut(p, p, &mut cuts);
            }
            for (x, y) in info
                .opaque
                .iter()
                .chain(info.skip_inbound.iter())
                .chain(info.require_identity.iter())
            {
                cut(*x, *y, &mut cuts);
            }
            for s in &cluster.model().linkerd.servers {
                if s.namespace == b.namespace
                    && s.spec
                        .selector
                        .as_ref()
                        .is_some_and(|sel| sel.matches(&b.labels))
                {
                    match &s.spec.port {
                        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n)) => {
                            if let Ok(p) = u16::try_from(*n) {
                                cut(p, p, &mut cuts);
                            }
                        }
                        Some(
                            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(name),
                        ) => {
                            for d in dest_ports
                                .iter()
                                .filter(|d| d.name.as_deref() == Some(name.as_str()))
                            {
                                cut(d.port, d.port, &mut cuts);
                            }
                        }
                        None => {}
                    }
                }
            }
        }
    }
    if let (Some(a), Some(l)) = (a, cluster.compiled().linkerd.as_ref()) {
        if let Some(info) = l.info.get(a.index) {
            for (x, y) in &info.skip_outbound {
                cut(*x, *y, &mut cuts);
            }
        }
    }
    cuts.retain(|c| *c <= 65535);
    (cuts, protocols)
}

/// The port intervals of `a → b` that `cluster` allows, by protocol.
pub(crate) fn allowed_intervals(
    cluster: &Cluster,
    from: &str,
    to: &str,
    a: Option<&Endpoint>,
    b: Option<&Endpoint>,
    extra: &PortSet,
    asked: &mut usize,
) -> Vec<(Protocol, u16, u16)> {
    let (cuts, protocols) = boundaries(cluster, a, b, extra);
    let cuts: Vec<u32> = cuts.into_iter().collect();
    let mut out = Vec::new();
    for proto in protocols {
        for (i, start) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).map(|n| n - 1).unwrap_or(65535);
            let (Ok(s), Ok(e)) = (u16::try_from(*start), u16::try_from(end)) else {
                continue;
            };
            *asked += 1;
            let q = Query {
                from: from.to_string(),
                to: to.to_string(),
                port: PortRef::Number(s),
                protocol: proto,
            };
            if cluster.allowed(&q).unwrap_or(false) {
                out.push((proto, s, e));
            }
        }
    }
    out
}

/// Ports of `set` (of the pair `from → to`) that `cluster` allows today: what
/// `--from-current` keeps of an intent.
pub(crate) fn narrow(
    cluster: &Cluster,
    from: &str,
    to: &str,
    a: Option<&Endpoint>,
    b: Option<&Endpoint>,
    set: &PortSet,
) -> PortSet {
    let mut asked = 0;
    let mut out = PortSet::default();
    for (proto, s, e) in allowed_intervals(cluster, from, to, a, b, set, &mut asked) {
        for item in &set.0 {
            if item.protocol.is_some_and(|p| p != proto) {
                continue;
            }
            let (x, y) = item.range.unwrap_or((1, 65535));
            let (lo, hi) = (x.max(s), y.min(e));
            if lo <= hi {
                out.insert(PortItem {
                    protocol: Some(proto),
                    range: Some((lo, hi)),
                });
            }
        }
    }
    out.normalized()
}

/// The pod classes the rules of a class's enforced policies admit in a direction, ports
/// aside (`None`: the direction is not isolated: everything).
fn reach(
    after: &Cluster,
    class: usize,
    direction: Direction,
) -> Option<crate::compile::bitset::Bitset> {
    let compiled = after.compiled();
    let n = compiled.classes.len();
    let mut out = crate::compile::bitset::Bitset::empty(n);
    let mut isolated = false;
    for p in compiled
        .selecting
        .get(class)
        .into_iter()
        .flatten()
        .filter_map(|i| compiled.policies.get(*i))
    {
        if !p.enforcement(direction).enforced {
            continue;
        }
        isolated = true;
        for r in p
            .rules
            .iter()
            .filter(|r| r.rule.direction == direction && !r.rule.deny)
        {
            for (i, peer) in r.peers.iter().enumerate() {
                match peer {
                    CPeer::Pods { .. } | CPeer::Identity { .. } => {
                        if let Some(s) = compiled.set(r.peer_sets.get(i).copied().unwrap_or(0)) {
                            out.union_with(s);
                        }
                    }
                    // Peers that may match any pod count as everyone (a superset of
                    // pairs to search is harmless; a subset would miss some).
                    CPeer::Any
                    | CPeer::Entity {
                        entity: Entity::All | Entity::Cluster | Entity::ClusterMesh,
                    } => return None,
                    CPeer::Block { .. } if compiled.settings.cidr_matches_pods => return None,
                    _ => {}
                }
            }
        }
    }
    isolated.then_some(out)
}

/// Pairs to search: those the new objects' rules relate (pods, and the parties the
/// intents name: addresses, names, nodes, the API server), and every pair of workloads
/// concerned that the rules of both sides (new or existing) relate.
fn candidates(
    after: &Cluster,
    ours: &str,
    externals: &BTreeSet<String>,
    concerned: &BTreeSet<usize>,
) -> BTreeSet<(Key, Key)> {
    let compiled = after.compiled();
    let model = after.model();
    let classes = &compiled.classes;
    let members = |set: usize| -> Vec<Key> {
        compiled
            .set(set)
            .map(|b| {
                b.ones()
                    .flat_map(|c| classes.members.get(c).cloned().unwrap_or_default())
                    .map(Key::Pod)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut others: BTreeSet<String> = externals.clone();
    others.extend(model.api_server.iter().map(|ip| format!("ip:{ip}")));
    others.extend(model.nodes.keys().map(|n| format!("node:{n}")));
    let mut out = BTreeSet::new();
    for p in compiled.policies.iter().filter(|p| p.origin.source == ours) {
        let subjects = members(p.subject_set);
        for r in &p.rules {
            let mut peers: Vec<Key> = Vec::new();
            for (i, peer) in r.peers.iter().enumerate() {
                match peer {
                    CPeer::Pods { .. } | CPeer::Identity { .. } => {
                        peers.extend(members(r.peer_sets.get(i).copied().unwrap_or(0)))
                    }
                    CPeer::Block { block } => {
                        peers.extend(
                            others
                                .iter()
                                .filter(|o| {
                                    o.strip_prefix("ip:")
                                        .and_then(|ip| ip.parse().ok())
                                        .is_some_and(|ip| block.contains(&ip))
                                })
                                .cloned()
                                .map(Key::Other),
                        );
                        for n in model
                            .nodes
                            .values()
                            .filter(|n| n.addresses.iter().any(|ip| block.contains(ip)))
                        {
                            peers.push(Key::Other(format!("node:{}", n.name)));
                        }
                        if compiled.settings.cidr_matches_pods {
                            peers.extend(
                                model
                                    .endpoints
                                    .iter()
                                    .filter(|e| e.ips.iter().any(|ip| block.contains(ip)))
                                    .map(|e| Key::Pod(e.index)),
                            );
                        }
                    }
                    CPeer::Entity { entity } => match entity {
                        Entity::KubeApiserver => peers.extend(
                            model
                                .api_server
                                .iter()
                                .map(|ip| Key::Other(format!("ip:{ip}"))),
                        ),
                        Entity::Host | Entity::RemoteNode => peers
                            .extend(model.nodes.keys().map(|n| Key::Other(format!("node:{n}")))),
                        _ => peers.extend(others.iter().cloned().map(Key::Other)),
                    },
                    CPeer::Fqdn { fqdn } => peers.extend(
                        others
                            .iter()
                            .filter(|o| o.strip_prefix("dns:").is_some_and(|n| fqdn.matches(n)))
                            .cloned()
                            .map(Key::Other),
                    ),
                    _ => peers.extend(others.iter().cloned().map(Key::Other)),
                }
            }
            for s in &subjects {
                for q in &peers {
                    if s == q {
                        continue;
                    }
                    match r.rule.direction {
                        Direction::Ingress => out.insert((q.clone(), s.clone())),
                        Direction::Egress => out.insert((s.clone(), q.clone())),
                    };
                }
            }
        }
    }
    // The parties the intents name, both ways, with every workload concerned: an
    // existing rule may relate them where no new one does.
    for e in concerned {
        for x in externals {
            out.insert((Key::Pod(*e), Key::Other(x.clone())));
            if x.starts_with("ip:") {
                out.insert((Key::Other(x.clone()), Key::Pod(*e)));
            }
        }
    }
    out
}

/// Pairs of workloads concerned (by unit) that the existing policies alone relate on
/// both sides: allowed before and after, whatever the new objects say. Counted by class
/// set algebra, ports aside.
pub(crate) fn existing_relations(
    isolated: &Cluster,
    concerned: &BTreeSet<usize>,
    units: &Units,
) -> BTreeSet<(String, String)> {
    let classes = &isolated.compiled().classes;
    let mut by_class: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for e in concerned {
        if let (Some(c), Some(u)) = (classes.of_endpoint.get(*e), units.of_endpoint(*e)) {
            by_class.entry(*c).or_default().insert(u.reference());
        }
    }
    let ingress: BTreeMap<usize, Option<crate::compile::bitset::Bitset>> = by_class
        .keys()
        .map(|c| (*c, reach(isolated, *c, Direction::Ingress)))
        .collect();
    let mut out = BTreeSet::new();
    for (ca, ua) in &by_class {
        let egress = reach(isolated, *ca, Direction::Egress);
        for (cb, ub) in &by_class {
            let e_ok = egress.as_ref().is_none_or(|s| s.contains(*cb));
            let i_ok = ingress
                .get(cb)
                .and_then(|x| x.as_ref())
                .is_none_or(|s| s.contains(*ca));
            if e_ok && i_ok {
                for a in ua {
                    for b in ub {
                        if a != b || classes.members.get(*ca).is_some_and(|m| m.len() > 1) {
                            out.insert((a.clone(), b.clone()));
                        }
                    }
                }
            }
        }
    }
    out
}

fn ranges_text(r: &[(u16, u16)]) -> String {
    r.iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything the new objects open among the pairs they relate, beyond the claims.
#[allow(clippy::too_many_arguments)]
pub(crate) fn residue(
    isolated: &Cluster,
    after: &Cluster,
    claims: &Claims,
    units: &Units,
    ours: &str,
    externals: &BTreeSet<String>,
    concerned: &BTreeSet<usize>,
    proof: &mut Proof,
) {
    let model = after.model();
    let pairs = candidates(after, ours, externals, concerned);
    proof.pairs = pairs.len();
    // (from unit or party, to unit or party, protocol, cause) → ranges and a why.
    type Found = (BTreeSet<(u16, u16)>, String);
    let mut found: BTreeMap<(String, String, Protocol, String), Found> = BTreeMap::new();
    let group = |k: &Key| -> String {
        match k {
            Key::Pod(i) => units
                .of_endpoint(*i)
                .map(|u| {
                    if u.endpoints.len() > 1 {
                        format!("{} ({} pods)", u.reference(), u.endpoints.len())
                    } else {
                        u.reference()
                    }
                })
                .unwrap_or_default(),
            Key::Other(s) => s.clone(),
        }
    };
    let mut seen_groups: BTreeSet<(String, String)> = BTreeSet::new();
    for (a, b) in &pairs {
        // Pods of one unit decide alike; one pair a group of pairs is enough.
        if !seen_groups.insert((group(a), group(b))) {
            continue;
        }
        let (Some(from), Some(to)) = (reference(model, a), reference(model, b)) else {
            continue;
        };
        let ea = match a {
            Key::Pod(i) => model.endpoints.get(*i),
            Key::Other(_) => None,
        };
        let eb = match b {
            Key::Pod(i) => model.endpoints.get(*i),
            Key::Other(_) => None,
        };
        if to.starts_with("ip:") && eb.is_none() && from.starts_with("ip:") {
            continue;
        }
        let extra = claims
            .map
            .get(&(a.clone(), b.clone()))
            .cloned()
            .unwrap_or_default();
        for (proto, s, e) in
            allowed_intervals(after, &from, &to, ea, eb, &extra, &mut proof.questions)
        {
            if claims.covers(a, b, proto, s) {
                continue;
            }
            let q = Query {
                from: from.clone(),
                to: to.clone(),
                port: PortRef::Number(s),
                protocol: proto,
            };
            // Allowed with the new subjects isolated but none of the new allows: the
            // existing policies admit it, and no added policy can take that back.
            let existing = isolated.allowed(&q).unwrap_or(false);
            let cause = if existing { "existing" } else { "opened" };
            let key = (group(a), group(b), proto, cause.to_string());
            let entry = found
                .entry(key)
                .or_insert_with(|| (BTreeSet::new(), why(after, &q, existing)));
            entry.0.insert((s, e));
        }
    }
    for ((from, to, protocol, cause), (ranges, why)) in found {
        let mut merged: Vec<(u16, u16)> = Vec::new();
        for (a, b) in ranges {
            match merged.last_mut() {
                Some((_, end)) if u32::from(a) <= u32::from(*end) + 1 => *end = (*end).max(b),
                _ => merged.push((a, b)),
            }
        }
        proof.residue.push(Residue {
            from,
            to,
            protocol,
            ports: ranges_text(&merged),
            cause,
            why,
        });
    }
}

/// Why a residue flow is allowed, in one line.
fn why(after: &Cluster, q: &Query, existing: bool) -> String {
    let Ok(v) = after.verdict(q) else {
        return String::new();
    };
    if existing {
        return format!(
            "the existing policies allow it ({}); added policies cannot take an allow back",
            v.summary
        );
    }
    match (&v.wire_port, &v.mesh) {
        (Some(w), Some(m)) => {
            let declared = match &q.port {
                PortRef::Number(p) => after
                    .model()
                    .endpoints
                    .iter()
                    .any(|e| e.reference() == q.to && e.ports.iter().any(|d| d.port == *p)),
                PortRef::Name(_) => true,
            };
            let held = if declared {
                String::new()
            } else {
                format!("; {} declares no such port, so no Server can name it (a Server's port must be a container port)", q.to)
            };
            format!(
                "the mesh carries it on port {} ({}), which the new rules admit for the intents{held}; {}",
                w.port,
                w.reason.clone().unwrap_or_default(),
                m.reason
            )
        }
        _ => v.summary,
    }
}

/// Checks every intent of the resolved flows against `after`.
pub(crate) fn intents(
    after: &Cluster,
    resolved: &Resolved,
    unmet: &BTreeSet<usize>,
    network_ours: bool,
    proof: &mut Proof,
) -> Vec<(usize, String)> {
    let model = after.model();
    let mut explained = Vec::new();
    let mut checked: BTreeSet<usize> = BTreeSet::new();
    for f in &resolved.flows {
        if unmet.contains(&f.intent) || is_placeholder(&f.from) {
            continue;
        }
        checked.insert(f.intent);
        let (Some(from), Some(to)) = (
            reference(model, &side_key(&f.from)),
            reference(model, &side_key(&f.to)),
        ) else {
            proof.notes.push(format!("intent #{}: one side cannot be named alone (a Pod and a workload share its name); not checked", f.intent));
            continue;
        };
        let dest = match &f.to {
            Side::Pod(i) => model.endpoints.get(*i),
            _ => None,
        };
        let mut asked: BTreeSet<(Protocol, u16)> = BTreeSet::new();
        for item in &f.ports.0 {
            asked.extend(samples(item, dest));
        }
        for (proto, port) in asked {
            proof.checks += 1;
            let q = Query {
                from: from.clone(),
                to: to.clone(),
                port: PortRef::Number(port),
                protocol: proto,
            };
            // The decision first; the full verdict, with its reasons, only to explain a denial.
            if after.allowed(&q).unwrap_or(false) {
                proof.allowed += 1;
                continue;
            }
            match after.verdict(&q) {
                Ok(v) if v.allowed => proof.allowed += 1,
                Ok(v) => {
                    let denied_by: Vec<String> = v
                        .egress
                        .denied_by
                        .iter()
                        .chain(v.ingress.denied_by.iter())
                        .map(ToString::to_string)
                        .collect();
                    if !denied_by.is_empty() {
                        explained.push((f.intent, format!("{from} → {to} {port}/{proto} is denied by {}: deny rules win over every allow, so no added policy can admit it", denied_by.join(", "))));
                    } else if !(network_ours || v.egress.allowed && v.ingress.allowed) {
                        let layer = if v.egress.allowed {
                            &v.ingress
                        } else {
                            &v.egress
                        };
                        explained.push((f.intent, format!("{from} → {to} {port}/{proto}: the network drops it ({}), and the Linkerd dialect writes no network policy", layer.reason)));
                    } else if let Some(why) = not_ours(
                        after,
                        &v,
                        platform_pod(after, &f.from),
                        platform_pod(after, &f.to),
                    ) {
                        explained.push((f.intent, format!("{from} → {to} {port}/{proto}: {why}")));
                    } else {
                        proof.failures.push(format!(
                            "intent #{}: {from} → {to} {port}/{proto} is denied: {}",
                            f.intent, v.summary
                        ));
                    }
                }
                // An object of the input that the API server would reject decides the flow:
                // the verdict is refused, and so is the intent, with that object's error.
                Err(e)
                    if e.location
                        .as_ref()
                        .is_some_and(|l| l.source != super::SYNTHESIZED) =>
                {
                    explained.push((f.intent, format!("{from} → {to} {port}/{proto}: no verdict until the input is fixed: {e}")));
                }
                Err(e) => proof.failures.push(format!(
                    "intent #{}: {from} → {to} {port}/{proto}: {e}",
                    f.intent
                )),
            }
        }
    }
    proof.intents = checked.len();
    explained
}

/// Whether a side is a pod of the platform (Linkerd's control plane): synthesis writes its
/// rules on the other side only, and no Server for it.
fn platform_pod(after: &Cluster, side: &Side) -> bool {
    let Side::Pod(i) = side else { return false };
    after
        .compiled()
        .linkerd
        .as_ref()
        .and_then(|l| l.info.get(*i))
        .is_some_and(|info| info.component.is_some())
}

/// Why a denied intent is none of the synthesized set's doing: every layer that drops it
/// belongs to an endpoint that no synthesized policy selects (a platform pod, whose rules
/// go on the other side only), isolated by the input's own policies. `None` when a
/// synthesized policy isolates a layer that drops it: then the set is wrong. (Found by the
/// `synthesize` fuzz target: such intents failed the proof as `internal` errors.)
///
/// A layer of a platform pod (`platform_source` for egress, `platform_destination` for
/// ingress) that the input's own policies isolate is not ours either, even when a
/// synthesized policy (a repair of the mesh's needs) selects it too: the set only adds
/// allows, so the input's isolation decides. The mesh's authorization counts as not ours
/// when it decides for a platform pod by a Server or default policy the input holds.
fn not_ours(
    after: &Cluster,
    v: &crate::evaluate::Verdict,
    platform_source: bool,
    platform_destination: bool,
) -> Option<String> {
    let ours = |p: &crate::refs::PolicyRef| {
        after
            .compiled()
            .policies
            .iter()
            .any(|c| &c.policy == p && c.origin.source == super::SYNTHESIZED)
    };
    let mut why = Vec::new();
    for (layer, platform) in [
        (&v.egress, platform_source),
        (&v.ingress, platform_destination),
    ] {
        if layer.allowed {
            continue;
        }
        let input_isolates = layer.isolated_by.iter().any(|p| !ours(p));
        let ours_isolates = layer.isolated_by.iter().any(ours);
        if !input_isolates || (ours_isolates && !platform) {
            return None;
        }
        why.push(layer.reason.clone());
    }
    if let Some(m) = v.mesh.as_ref().filter(|m| !m.allowed) {
        if !platform_destination {
            return None;
        }
        why.push(format!("{}: {}", m.mesh, m.reason));
    }
    if why.is_empty() {
        return None;
    }
    Some(format!(
        "{}; the synthesized set writes no policy for that side (the platform's pods get their rules on the other side only: isolate their namespace to admit it there)",
        why.join("; ")
    ))
}

/// Why a mesh diagnostic's first flow cannot be given back by adding allows: a deny rule
/// drops it (deny rules win over every allow).
fn denied(after: &Cluster, d: &Diagnostic) -> Option<String> {
    let model = after.model();
    let f = d.flows.first()?;
    let party = |r: &str| -> Option<crate::compile::party::Party> {
        if r.starts_with("the API server") {
            return Some(crate::evaluate::needs::api_server_party(model));
        }
        let (ns, name) = r.split_once('/')?;
        model
            .find_endpoint(ns, name)
            .map(crate::compile::party::Party::Pod)
    };
    let (src, dst) = (party(&f.from)?, party(&f.to)?);
    let wire = match (d.code, after.mesh()) {
        (DiagnosticCode::MeshPortRewriteBlocked, Some(m)) => {
            m.wire_port(model, &src, &dst, f.port, f.protocol).port
        }
        _ => f.port,
    };
    let eval = Evaluator::new(model, after.compiled(), true);
    let (eg, ing) = crate::evaluate::needs::network(&eval, &src, &dst, wire, f.protocol);
    let rules: Vec<String> = eg
        .denied_by
        .iter()
        .chain(ing.denied_by.iter())
        .map(ToString::to_string)
        .collect();
    (!rules.is_empty()).then(|| format!("{}: {} → {} on {wire}/{} is denied by {} (deny rules win over every allow, so no added policy can give it back)", d.code, f.from, f.to, f.protocol, rules.join(", ")))
}

/// The mesh and DNS diagnostics of `after` about the workloads concerned, and how many
/// are elsewhere.
pub(crate) fn diagnostics(
    after: &Cluster,
    concerned: &BTreeSet<usize>,
    claims: &Claims,
    network_ours: bool,
    proof: &mut Proof,
) -> Vec<Diagnostic> {
    let model = after.model();
    let names: BTreeSet<String> = concerned
        .iter()
        .filter_map(|i| model.endpoints.get(*i))
        .map(Endpoint::reference)
        .collect();
    let mut left = Vec::new();
    for d in diagnose_with(after, &DiagnoseOptions::complete()) {
        let relevant = matches!(
            d.code,
            DiagnosticCode::MeshFlowBlocked
                | DiagnosticCode::MeshPortRewriteBlocked
                | DiagnosticCode::EgressWithoutDns
        );
        if !relevant {
            if d.code == DiagnosticCode::MeshWidensPortRule
                && d.flows
                    .iter()
                    .any(|f| names.contains(&f.from) || names.contains(&f.to))
            {
                let unclaimed = d.flows.iter().any(|f| {
                    let k = |r: &str| {
                        model
                            .find_endpoint(
                                r.split_once('/').map(|x| x.0).unwrap_or(""),
                                r.split_once('/').map(|x| x.1).unwrap_or(""),
                            )
                            .map(|e| Key::Pod(e.index))
                    };
                    match (k(&f.from), k(&f.to)) {
                        (Some(a), Some(b)) => !claims.covers(&a, &b, f.protocol, f.port),
                        _ => false,
                    }
                });
                if unclaimed {
                    proof.notes.push(format!("{}: {}", d.code, d.message));
                }
            }
            continue;
        }
        let unknown_api = model.api_server.is_empty()
            && !d.flows.is_empty()
            && d.flows.iter().all(|f| f.from.starts_with("the API server"));
        if unknown_api {
            // The engine cannot place an API server without an address; the rule written
            // for it admits every address (NetworkPolicy) or the kube-apiserver entity.
            proof.notes.push(format!(
                "not verifiable without the API server's address (give the default/kubernetes Endpoints): {}",
                d.flows.iter().map(|f| format!("{} on {}/{}", f.to, f.port, f.protocol)).collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>().join(", ")
            ));
            continue;
        }
        if d.flows
            .iter()
            .any(|f| names.contains(&f.from) || names.contains(&f.to))
        {
            if let Some(why) = denied(after, &d) {
                proof.blocked.push(why);
                continue;
            }
            if !network_ours {
                proof.blocked.push(format!("{}: {} (the Linkerd dialect writes no network policy: meshverdict repair gives the flow back)", d.code, d.message));
                continue;
            }
            left.push(d);
        } else {
            proof.elsewhere += 1;
        }
    }
    left
}
