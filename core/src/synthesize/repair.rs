//! Repair: the smallest additive change that gives the mesh back the flows it needs.
//! For each flow of a `mesh-flow-blocked` or `mesh-port-rewrite-blocked` diagnostic, the
//! side that drops it (the source's egress, the destination's ingress) gets an allow for
//! exactly that flow on the port the wire carries, in a new policy that selects only the
//! pods concerned, and only for the direction they are already isolated in: an added
//! NetworkPolicy can only add allows there, so every flow allowed before stays allowed.
//! A flow a deny rule drops cannot be repaired by adding; it is reported.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::build::Builder;
use super::hints::{hints, Hint};
use super::plan::{Dir, Peer, PolicyPlan, PortItem, PortSet, Reason, Sel, Subject};
use super::render::{self, Object};
use super::units::Units;
use super::{Dialect, SynthOptions};
use crate::cluster::{Cluster, Dataplane};
use crate::compile::mesh::linkerd::{ADMIN_PORT, CONTROL_PORT};
use crate::compile::party::Party;
use crate::compile::policy::Direction;
use crate::diagnose::{diagnose_with, DiagnoseOptions};
use crate::error::{Error, ErrorCode, Result};
use crate::evaluate::needs::{api_server_party, network};
use crate::evaluate::Evaluator;
use crate::findings::{Diagnostic, DiagnosticCode, FlowRef};
use crate::model::Model;
use crate::selector::Labels;

/// How to repair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct RepairOptions {
    /// `networkpolicy` (default) or `cilium`; Linkerd objects repair no network flow.
    pub dialect: Dialect,
}

/// A flow the repair opens.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    pub policy: String,
    pub from: String,
    pub to: String,
    pub ports: String,
    pub why: String,
}

/// The repair of a cluster.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Repair {
    pub objects: Vec<Object>,
    /// The objects as one YAML stream (empty: nothing to repair).
    pub yaml: String,
    pub opens: Vec<Opened>,
    /// Likely typos in the selectors of the existing policies (not edited).
    pub hints: Vec<Hint>,
    /// Flows no added allow can restore (a deny rule drops them).
    pub unrepairable: Vec<String>,
    /// Diagnostics before, and how many the repair removes.
    pub before: usize,
    pub fixed: usize,
    /// Mesh diagnostics left once the repair is applied (only the unrepairable ones).
    pub left: Vec<Diagnostic>,
    pub notes: Vec<String>,
}

impl Repair {
    /// What the repair opens, and why, for stderr.
    pub fn text(&self) -> String {
        let mut s = String::new();
        if self.objects.is_empty() && self.unrepairable.is_empty() {
            s.push_str(
                "nothing to repair: no mesh-flow-blocked or mesh-port-rewrite-blocked diagnostic\n",
            );
        } else {
            s.push_str(&format!(
                "repair: {} objects fix {} of {} mesh diagnostics; they open:\n",
                self.objects.len(),
                self.fixed,
                self.before
            ));
            for o in &self.opens {
                s.push_str(&format!(
                    "  {} → {} on {} ({}): {}\n",
                    o.from, o.to, o.ports, o.policy, o.why
                ));
            }
        }
        for u in &self.unrepairable {
            s.push_str(&format!("  cannot repair by adding: {u}\n"));
        }
        for h in &self.hints {
            s.push_str(&format!("hint: {}\n", h.message));
            if let Some(l) = &h.location {
                s.push_str(&format!("  at {l}\n"));
            }
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        s
    }
}

/// The codes a repair removes.
pub(crate) fn repairs(code: DiagnosticCode) -> bool {
    matches!(
        code,
        DiagnosticCode::MeshFlowBlocked | DiagnosticCode::MeshPortRewriteBlocked
    )
}

/// What a repair plan wants: per (unit, direction), peers with ports, reasons and the
/// diagnostics they answer.
/// A flow a repair answers: a diagnostic (its index) and the port on the wire.
type Answer = (usize, u16);

/// What one answer is about: its sources, destinations, the port the application dials,
/// and why the mesh needs it.
#[derive(Default)]
struct About {
    froms: BTreeSet<String>,
    tos: BTreeSet<String>,
    port: u16,
    why: String,
}

/// The peers a unit wants in one direction: ports, and what each answers.
type Peers = BTreeMap<Peer, (PortSet, BTreeSet<Answer>)>;

/// One want of a unit: a direction, a peer, ports, and what it answers.
type Want = (Dir, Peer, PortSet, BTreeSet<Answer>);

#[derive(Default)]
pub(crate) struct Wants {
    /// (unit, direction) → peer → ports and what it answers.
    map: BTreeMap<(usize, Dir), Peers>,
    about: BTreeMap<Answer, About>,
    pub unrepairable: BTreeSet<String>,
}

/// Names, at most a few of them, and how many more.
fn few(names: &BTreeSet<String>) -> String {
    let v: Vec<&str> = names.iter().map(String::as_str).collect();
    if v.len() <= 4 {
        return v.join(", ");
    }
    format!(
        "{} (+{} more)",
        v.iter().take(3).copied().collect::<Vec<_>>().join(", "),
        v.len() - 3
    )
}

impl Wants {
    fn reason(&self, key: &(usize, u16), diags: &BTreeMap<usize, DiagnosticCode>) -> Reason {
        let code = diags
            .get(&key.0)
            .map(|c| c.as_str())
            .unwrap_or("mesh-flow-blocked");
        match self.about.get(key) {
            Some(a) if a.port != key.1 => Reason::need(format!(
                "{code}: {} → {} on {}/TCP, carried on {}: {}",
                few(&a.froms),
                few(&a.tos),
                a.port,
                key.1,
                a.why
            )),
            Some(a) => Reason::need(format!(
                "{code}: {} → {} on {}/TCP: {}",
                few(&a.froms),
                few(&a.tos),
                key.1,
                a.why
            )),
            None => Reason::need(code.to_string()),
        }
    }
}

fn party<'m>(model: &'m Model, r: &str) -> Option<Party<'m>> {
    if r.starts_with("the API server") {
        return Some(api_server_party(model));
    }
    if let Some(n) = r.strip_prefix("node:") {
        return model.nodes.get(n).map(Party::Node);
    }
    let (ns, name) = r.split_once('/')?;
    model.find_endpoint(ns, name).map(Party::Pod)
}

/// The purpose a mesh diagnostic names ("… which Linkerd needs for PURPOSE: …").
fn purpose(d: &Diagnostic) -> String {
    d.message
        .split_once("which Linkerd needs for ")
        .and_then(|(_, rest)| rest.split_once(": ").map(|(p, _)| p.to_string()))
        .unwrap_or_else(|| "the port the mesh carries the connection on".into())
}

/// The flows each diagnostic names that a repair answers.
pub(crate) fn wants(
    cluster: &Cluster,
    units: &Units,
    b: &Builder,
    diags: &[(usize, &Diagnostic)],
) -> Wants {
    let model = cluster.model();
    let eval = Evaluator::new(model, cluster.compiled(), true);
    let mesh = cluster.mesh();
    let meshed_peers = b.meshed_peers();
    let mut out = Wants::default();
    for (i, d) in diags {
        if !repairs(d.code) {
            continue;
        }
        let why = match d.code {
            DiagnosticCode::MeshPortRewriteBlocked => {
                "Linkerd carries the connection on this port".to_string()
            }
            _ => format!("Linkerd needs it for {}", purpose(d)),
        };
        for FlowRef {
            from,
            to,
            port,
            protocol,
        } in &d.flows
        {
            let (Some(src), Some(Party::Pod(dst))) = (party(model, from), party(model, to)) else {
                continue;
            };
            let wire = match (d.code, mesh) {
                (DiagnosticCode::MeshPortRewriteBlocked, Some(m)) => {
                    m.wire_port(model, &src, &Party::Pod(dst), *port, *protocol)
                        .port
                }
                _ => *port,
            };
            let (eg, ing) = network(&eval, &src, &Party::Pod(dst), wire, *protocol);
            let ports = PortSet(BTreeSet::from([PortItem::one(*protocol, wire)]));
            let text = if wire == *port {
                format!("{from} → {to} on {wire}/{protocol}: {why}")
            } else {
                format!("{from} → {to} on {port}/{protocol}, carried on {wire}: {why}")
            };
            let key = (*i, wire);
            let about = out.about.entry(key).or_insert_with(|| About {
                port: *port,
                why: why.clone(),
                ..About::default()
            });
            about.froms.insert(from.clone());
            about.tos.insert(to.clone());
            let control = cluster
                .compiled()
                .linkerd
                .as_ref()
                .and_then(|l| l.info.get(dst.index))
                .is_some_and(|i| i.component.is_some());
            let to_meshed = d.code == DiagnosticCode::MeshFlowBlocked
                && (wire == ADMIN_PORT || wire == CONTROL_PORT);
            let from_meshed = d.code == DiagnosticCode::MeshFlowBlocked
                && control
                && matches!(src, Party::Pod(_))
                && !to_meshed;
            if !eg.allowed {
                if !eg.denied_by.is_empty() {
                    out.unrepairable.insert(format!(
                        "{text}: denied by {} (deny rules win over every allow)",
                        eg.denied_by
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                } else if let Party::Pod(s) = &src {
                    let peers: Vec<Peer> = if to_meshed {
                        meshed_peers.clone()
                    } else {
                        units
                            .of
                            .get(dst.index)
                            .and_then(|u| b.unit_peer(*u))
                            .into_iter()
                            .collect()
                    };
                    if let Some(u) = units.of.get(s.index) {
                        for p in peers {
                            let e = out
                                .map
                                .entry((*u, Dir::Egress))
                                .or_default()
                                .entry(p)
                                .or_default();
                            e.0.extend(&ports);
                            e.1.insert(key);
                        }
                    }
                }
            }
            if !ing.allowed {
                if !ing.denied_by.is_empty() {
                    out.unrepairable.insert(format!(
                        "{text}: denied by {} (deny rules win over every allow)",
                        ing.denied_by
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                } else {
                    let peers: Vec<Peer> = match &src {
                        Party::Pod(s) if from_meshed => {
                            let _ = s;
                            meshed_peers.clone()
                        }
                        Party::Pod(s) => units
                            .of
                            .get(s.index)
                            .and_then(|u| b.unit_peer(*u))
                            .into_iter()
                            .collect(),
                        _ => vec![Peer::ApiServer],
                    };
                    if let Some(u) = units.of.get(dst.index) {
                        for p in peers {
                            let e = out
                                .map
                                .entry((*u, Dir::Ingress))
                                .or_default()
                                .entry(p)
                                .or_default();
                            e.0.extend(&ports);
                            e.1.insert(key);
                        }
                    }
                }
            }
        }
    }
    out
}

/// A label every pod of `group` carries and no other pod of the namespace does, among
/// the injector's mesh label: one policy then serves the group.
fn group_label(model: &Model, units: &Units, group: &[usize], ns: &str) -> Option<Sel> {
    let pods: BTreeSet<usize> = group
        .iter()
        .filter_map(|u| units.list.get(*u))
        .flat_map(|u| u.endpoints.iter().copied())
        .collect();
    let key = "linkerd.io/control-plane-ns";
    let first = pods.first().and_then(|i| model.endpoints.get(*i))?;
    let v = first.labels.get(key)?;
    let same: BTreeSet<usize> = model
        .endpoints
        .iter()
        .filter(|e| e.namespace == ns && e.labels.get(key) == Some(v))
        .map(|e| e.index)
        .collect();
    (same == pods).then(|| Sel::labels(Labels::from([(key.to_string(), v.clone())])))
}

/// Turns wants into policies: one per unit and direction set, units of a namespace with
/// the same wants merged when one label picks exactly them.
pub(crate) fn policies(
    cluster: &Cluster,
    units: &Units,
    wants: &Wants,
    codes: &BTreeMap<usize, DiagnosticCode>,
) -> (
    Vec<PolicyPlan>,
    BTreeMap<String, BTreeSet<usize>>,
    BTreeSet<String>,
) {
    let model = cluster.model();
    let mut skipped = BTreeSet::new();
    // unit → its wants per direction.
    let mut per_unit: BTreeMap<usize, Vec<Want>> = BTreeMap::new();
    for ((u, dir), peers) in &wants.map {
        for (peer, (ports, keys)) in peers {
            per_unit.entry(*u).or_default().push((
                *dir,
                peer.clone(),
                ports.normalized(),
                keys.clone(),
            ));
        }
    }
    // Units of one namespace that want the same (ignoring what for) go together.
    type Shape = Vec<(Dir, Peer, PortSet)>;
    let mut groups: BTreeMap<(String, Shape), Vec<usize>> = BTreeMap::new();
    for (u, w) in &per_unit {
        let Some(unit) = units.list.get(*u) else {
            continue;
        };
        let shape: Vec<(Dir, Peer, PortSet)> = w
            .iter()
            .map(|(d, p, ports, _)| (*d, p.clone(), ports.clone()))
            .collect();
        groups
            .entry((unit.namespace.clone(), shape))
            .or_default()
            .push(*u);
    }
    let existing: BTreeSet<(String, String)> = model
        .netpols
        .iter()
        .map(|n| (n.namespace.clone(), n.name.clone()))
        .chain(
            model
                .cilium
                .iter()
                .filter_map(|c| c.namespace.clone().map(|ns| (ns, c.name.clone()))),
        )
        .collect();
    let mut taken = existing;
    let mut plans = Vec::new();
    let mut by_name: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for ((ns, _), members) in groups {
        let label = (members.len() > 1)
            .then(|| group_label(model, units, &members, &ns))
            .flatten();
        let split: Vec<Vec<usize>> = match &label {
            Some(_) => vec![members.clone()],
            None => members.iter().map(|u| vec![*u]).collect(),
        };
        for part in split {
            let Some(first) = part.first().and_then(|u| units.list.get(*u)) else {
                continue;
            };
            let (subject, base, about) = match &label {
                Some(l) => (
                    Subject::Pods(l.clone()),
                    "meshverdict-repair-meshed".to_string(),
                    format!(
                        "the meshed pods of {ns} ({})",
                        part.iter()
                            .filter_map(|u| units.list.get(*u))
                            .map(|u| u.name.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                None => (
                    Subject::Pods(first.selector.clone()),
                    format!("meshverdict-repair-{}", first.name),
                    first.reference(),
                ),
            };
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert((ns.clone(), name.clone())) {
                name = format!("{base}-{n}");
                n += 1;
            }
            // The subject may only pick pods already isolated in the direction: on any
            // other pod, a new policy would isolate it and take its flows away.
            let picked: Vec<&crate::model::Endpoint> = match &subject {
                Subject::Pods(sel) => model
                    .endpoints
                    .iter()
                    .filter(|e| e.namespace == ns && sel.matches(&e.labels))
                    .collect(),
                Subject::Namespace => model
                    .endpoints
                    .iter()
                    .filter(|e| e.namespace == ns)
                    .collect(),
            };
            let eval = Evaluator::new(model, cluster.compiled(), false);
            let open_in = |d: Direction| -> Vec<String> {
                picked
                    .iter()
                    .filter(|e| eval.selecting(e, d).is_empty())
                    .map(|e| e.reference())
                    .collect()
            };
            let (open_ingress, open_egress) =
                (open_in(Direction::Ingress), open_in(Direction::Egress));
            let mut plan = PolicyPlan::new(&ns, &name, subject, about);
            plan.ingress = false;
            plan.egress = false;
            let mut answered = BTreeSet::new();
            for u in &part {
                for (dir, peer, ports, keys) in per_unit.get(u).into_iter().flatten() {
                    let open = if *dir == Dir::Ingress {
                        &open_ingress
                    } else {
                        &open_egress
                    };
                    if !open.is_empty() {
                        for k in keys {
                            skipped.insert(format!(
                                "{}: no selector picks {} without {}, which {} not isolated for {}: a policy there would isolate them",
                                wants.reason(k, codes).text,
                                plan.about,
                                open.join(", "),
                                if open.len() == 1 { "is" } else { "are" },
                                if *dir == Dir::Ingress { "ingress" } else { "egress" }
                            ));
                        }
                        continue;
                    }
                    match dir {
                        Dir::Ingress => plan.ingress = true,
                        Dir::Egress => plan.egress = true,
                    }
                    for k in keys {
                        plan.want(*dir, peer.clone(), ports, wants.reason(k, codes));
                        answered.insert(k.0);
                    }
                }
            }
            plan.notes.push("added beside the existing policies: it only allows, and only in the directions these pods are already isolated in".into());
            if !plan.ingress && !plan.egress {
                continue;
            }
            by_name.insert(format!("{ns}/{name}"), answered);
            plans.push(plan);
        }
    }
    (plans, by_name, skipped)
}

pub(crate) fn render(cluster: &Cluster, plans: &[PolicyPlan], dialect: Dialect) -> Vec<Object> {
    plans
        .iter()
        .map(|p| {
            let mut o = match dialect {
                Dialect::Cilium => render::cilium::render(p),
                _ => render::netpol::render(p, cluster.model()),
            };
            if let Some(c) = o.comment.first_mut() {
                *c = format!("{}: the flows the mesh needs, added", p.about);
            }
            o
        })
        .collect()
}

/// The repair objects for some diagnostics of a cluster.
pub(crate) fn objects(
    cluster: &Cluster,
    diags: &[(usize, &Diagnostic)],
    dialect: Dialect,
) -> (
    Vec<Object>,
    Vec<Opened>,
    Wants,
    BTreeMap<String, BTreeSet<usize>>,
) {
    // As in `synthesize`: no pod label under `io.cilium.k8s` reaches a Cilium identity.
    let keeps = |k: &str| {
        cluster.dataplane != Dataplane::Cilium
            || (cluster.compiled().settings.label_filter.keeps(k)
                && !k.starts_with("io.cilium.k8s"))
    };
    let units = Units::build(cluster, &keeps);
    let options = SynthOptions {
        dialect,
        ..SynthOptions::default()
    };
    let b = Builder::new(cluster, &units, &options);
    let w = wants(cluster, &units, &b, diags);
    let codes: BTreeMap<usize, DiagnosticCode> = diags.iter().map(|(i, d)| (*i, d.code)).collect();
    let (plans, answers, skipped) = policies(cluster, &units, &w, &codes);
    let mut w = w;
    w.unrepairable.extend(skipped);
    let mut opens = BTreeSet::new();
    for p in &plans {
        for dir in [Dir::Ingress, Dir::Egress] {
            for r in p.rules(dir) {
                let peers = r
                    .peers
                    .iter()
                    .map(Peer::text)
                    .collect::<Vec<_>>()
                    .join(", ");
                let (from, to) = match dir {
                    Dir::Ingress => (peers, p.about.clone()),
                    Dir::Egress => (p.about.clone(), peers),
                };
                let mut why = r
                    .reasons
                    .iter()
                    .map(|x| x.text.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                let inbound = r.ports.0.iter().any(|i| {
                    i.range.is_some_and(|(a, _)| {
                        a == super::super::compile::mesh::linkerd::INBOUND_PORT
                    })
                });
                if inbound {
                    why.push_str("; 4143 is the proxy's inbound port: it carries every port of the destination, which the proxy's authorization (Linkerd Server) must restrict");
                }
                opens.insert(Opened {
                    policy: format!("{}/{}", p.namespace, p.name),
                    from,
                    to,
                    ports: r.ports.text(),
                    why,
                });
            }
        }
    }
    (
        render(cluster, &plans, dialect),
        opens.into_iter().collect(),
        w,
        answers,
    )
}

/// Loads the cluster with more objects beside it, on the same dataplane.
pub(crate) fn with(
    cluster: &Cluster,
    name: &str,
    yaml: &str,
    dataplane: Dataplane,
) -> Result<Cluster> {
    let mut inputs: Vec<crate::model::Input> = cluster
        .model()
        .texts
        .iter()
        .map(|(n, t)| crate::model::Input { name: n, text: t })
        .collect();
    inputs.push(crate::model::Input { name, text: yaml });
    Cluster::load(
        &inputs,
        crate::cluster::Options {
            dataplane: Some(dataplane),
            ..crate::cluster::Options::default()
        },
    )
}

/// The source name repair objects are loaded under for their proof.
const REPAIR_SOURCE: &str = "meshverdict:repair";

/// Repairs a cluster: the smallest additive change that removes every
/// `mesh-flow-blocked` and `mesh-port-rewrite-blocked` diagnostic, proven by loading it
/// beside the cluster and diagnosing again.
pub fn repair(cluster: &Cluster, options: &RepairOptions) -> Result<Repair> {
    if options.dialect == Dialect::Linkerd {
        return Err(Error::request("repair writes NetworkPolicies or CiliumNetworkPolicies: Linkerd objects cannot give back a flow the network drops")
            .with_help("use --dialect networkpolicy (default) or cilium"));
    }
    // CiliumNetworkPolicies are enforced by Cilium only: a repair written as them is
    // judged, and proven, on that dataplane (as synthesize does).
    let original_dataplane = cluster.dataplane;
    let reloaded = if options.dialect == Dialect::Cilium {
        super::on(cluster, Dataplane::Cilium)?
    } else {
        None
    };
    let cluster = reloaded.as_ref().unwrap_or(cluster);
    let diags = diagnose_with(cluster, &DiagnoseOptions::complete());
    let targets: Vec<(usize, &Diagnostic)> = diags
        .iter()
        .enumerate()
        .filter(|(_, d)| repairs(d.code))
        .collect();
    let mut out = Repair {
        hints: hints(cluster),
        before: targets.len(),
        ..Repair::default()
    };
    if reloaded.is_some() {
        out.notes.push(format!("CiliumNetworkPolicies are enforced by Cilium: the repair judges on the cilium dataplane, not {}", original_dataplane.as_str()));
    }
    if targets.is_empty() {
        return Ok(out);
    }
    let (objects, opens, wants, _) = objects(cluster, &targets, options.dialect);
    out.unrepairable = wants.unrepairable.iter().cloned().collect();
    out.yaml = render::stream(
        &objects,
        &["meshverdict repair: apply beside the existing policies (kubectl apply -f)".into()],
    );
    out.objects = objects;
    out.opens = opens;
    if out.objects.is_empty() {
        out.left = targets.iter().map(|(_, d)| (*d).clone()).collect();
        return Ok(out);
    }
    let after = with(cluster, REPAIR_SOURCE, &out.yaml, cluster.dataplane)?;
    if let Some(bad) = after.invalid_objects().find(|i| {
        i.error
            .location
            .as_ref()
            .is_some_and(|l| l.source == REPAIR_SOURCE)
    }) {
        return Err(Error::new(
            ErrorCode::Internal,
            format!("the repair fails its own validation: {}", bad.error.message),
        ));
    }
    out.left = diagnose_with(&after, &DiagnoseOptions::complete())
        .into_iter()
        .filter(|d| repairs(d.code))
        .collect();
    let left_flows: usize = out.left.iter().map(|d| d.flows.len()).sum();
    if !out.left.is_empty() && out.unrepairable.is_empty() {
        return Err(Error::new(
            ErrorCode::Internal,
            format!(
                "the repair fails its own proof: {} mesh diagnostics ({left_flows} flows) are left, e.g. {}",
                out.left.len(),
                out.left.first().map(|d| d.message.clone()).unwrap_or_default()
            ),
        ));
    }
    out.fixed = out.before.saturating_sub(out.left.len());
    Ok(out)
}

/// For each diagnostic, the YAML of the repair that removes it (`None` when it is no
/// mesh-flow diagnostic, or nothing added can fix it): for `help:` to carry a fix. Call it
/// from the facade or a host with `diagnose`'s output; diagnose itself comes before
/// synthesis and cannot call it.
pub fn repair_links(
    cluster: &Cluster,
    diags: &[Diagnostic],
    options: &RepairOptions,
) -> Vec<Option<String>> {
    diags
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if !repairs(d.code) || options.dialect == Dialect::Linkerd {
                return None;
            }
            let (objects, _, _, _) = objects(cluster, &[(i, d)], options.dialect);
            (!objects.is_empty()).then(|| render::stream(&objects, &[]))
        })
        .collect()
}
