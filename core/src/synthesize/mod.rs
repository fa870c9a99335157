//! Synthesis and repair: policies written from what should talk to what, and the
//! smallest additive fix for a set that breaks the mesh, each proven by the engine before
//! it is printed.
//!
//! [`synthesize`] takes intents ([`Intents`], or flows reduced by [`flows`]) and writes,
//! per workload concerned (or per namespace), a least-privilege policy that admits every
//! intent and what the mesh and the platform need (DNS, the proxies' control plane, the
//! wire port the mesh really uses, Prometheus and tap, the API server's webhook calls),
//! each rule commented with what it serves. Where the mesh carries every port on one
//! inbound port, Linkerd `Server`s and authorizations hold the port granularity. The set
//! is then loaded beside the existing one and judged: every intent allowed, everything
//! else it opens listed, no mesh diagnostic left ([`Proof`]). A set that fails its own
//! proof is an internal error, never returned as good.
//!
//! [`repair`] adds, for each blocked flow the mesh needs, an allow on the side that drops
//! it; [`repair_links`] gives the fix of each diagnostic for `help:`.
//!
//! This stage reads compile, evaluate and diagnose; nothing earlier reads it.

mod build;
pub mod flows;
mod hints;
pub mod intents;
mod plan;
mod render;
mod repair;
mod resolve;
mod servers;
mod units;
mod verify;
mod yaml;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use build::NeedView;
pub use flows::{from_hubble, from_linkerd_edges, Reduction};
pub use hints::{hints, Hint};
pub use intents::{End, Intent, Intents};
pub use render::{Object, MANAGED_BY, RULES_ANNOTATION};
pub use repair::{repair, repair_links, Opened, Repair, RepairOptions};
pub use verify::{Proof, Residue};

use crate::cluster::{Cluster, Dataplane};
use crate::error::{Error, ErrorCode, Result};
use build::{Builder, Key};
use resolve::Side;
use units::Units;

/// The kind of objects to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Dialect {
    /// Kubernetes NetworkPolicy (plus Linkerd objects where the mesh needs them).
    #[default]
    #[serde(rename = "networkpolicy")]
    NetworkPolicy,
    /// CiliumNetworkPolicy (plus Linkerd objects where the mesh needs them).
    #[serde(rename = "cilium")]
    Cilium,
    /// Linkerd Server and authorizations only.
    #[serde(rename = "linkerd")]
    Linkerd,
}

impl Dialect {
    pub fn parse(s: &str) -> Result<Dialect> {
        match s {
            "networkpolicy" => Ok(Dialect::NetworkPolicy),
            "cilium" => Ok(Dialect::Cilium),
            "linkerd" => Ok(Dialect::Linkerd),
            _ => Err(Error::request(format!(
                "unknown dialect {s:?} (networkpolicy, cilium, linkerd)"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::NetworkPolicy => "networkpolicy",
            Dialect::Cilium => "cilium",
            Dialect::Linkerd => "linkerd",
        }
    }
}

/// What one policy selects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "PolicyGranularity")
)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// One policy per workload concerned.
    #[default]
    Workload,
    /// One policy per namespace concerned, with namespaces as peers.
    Namespace,
}

/// How to synthesize.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct SynthOptions {
    pub dialect: Dialect,
    pub granularity: Granularity,
    /// Narrow each intent to what the cluster allows today.
    pub from_current: bool,
    /// Also isolate every workload of these namespaces (they get the mesh's and the
    /// platform's needs only, beside the intents).
    pub isolate_namespaces: Vec<String>,
    /// Isolate every workload of the input.
    pub isolate_all: bool,
}

/// An intent the dialect or the cluster cannot meet, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Unmet {
    /// 1-based intent number.
    pub intent: usize,
    pub summary: String,
    pub reasons: Vec<String>,
}

/// The synthesized set and its proof.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Synthesis {
    pub dialect: Dialect,
    pub granularity: Granularity,
    /// The dataplane the proof judged on.
    pub dataplane: Dataplane,
    pub intents: Vec<Intent>,
    /// The workloads whose policies are written (`namespace/name`).
    pub concerned: Vec<String>,
    /// With `fromCurrent`: what each intent was narrowed to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub narrowed: Vec<String>,
    pub objects: Vec<Object>,
    /// The objects as one YAML stream, with a comment per rule.
    pub yaml: String,
    /// The flows the mesh and the platform need, made explicit.
    pub needs: Vec<NeedView>,
    pub unmet: Vec<Unmet>,
    pub proof: Proof,
    pub notes: Vec<String>,
}

/// The source name synthesized objects are loaded under for their proof.
pub const SYNTHESIZED: &str = "meshverdict:synthesized";

fn load_after(before: &Cluster, yaml: &str, dataplane: Dataplane) -> Result<Cluster> {
    repair::with(before, SYNTHESIZED, yaml, dataplane)
}

/// Reloads the cluster on another dataplane (the Cilium dialect is judged on Cilium).
fn on(cluster: &Cluster, dataplane: Dataplane) -> Result<Option<Cluster>> {
    if cluster.dataplane == dataplane {
        return Ok(None);
    }
    let inputs: Vec<crate::model::Input> = cluster
        .model()
        .texts
        .iter()
        .map(|(n, t)| crate::model::Input { name: n, text: t })
        .collect();
    Cluster::load(
        &inputs,
        crate::cluster::Options {
            dataplane: Some(dataplane),
            ..crate::cluster::Options::default()
        },
    )
    .map(Some)
}

/// Narrows each flow to the ports the cluster allows today; flows allowed on no port are
/// dropped and their intents reported unmet.
fn narrow(cluster: &Cluster, resolved: &mut resolve::Resolved) -> (Vec<String>, Vec<Unmet>) {
    let model = cluster.model();
    let mut lines = Vec::new();
    let mut kept = Vec::new();
    let mut empty: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for f in std::mem::take(&mut resolved.flows) {
        let key = |s: &Side| match s {
            Side::Pod(i) => verify::reference(model, &Key::Pod(*i)),
            Side::Node(n) => Some(format!("node:{n}")),
            Side::External(net) => Some(format!("ip:{}", net.addr())),
            Side::Dns(n) if n.is_empty() => None,
            Side::Dns(n) => Some(format!("dns:{n}")),
        };
        let (Some(from), Some(to)) = (key(&f.from), key(&f.to)) else {
            kept.push(f);
            continue;
        };
        let ep = |s: &Side| match s {
            Side::Pod(i) => model.endpoints.get(*i),
            _ => None,
        };
        let narrowed = verify::narrow(cluster, &from, &to, ep(&f.from), ep(&f.to), &f.ports);
        lines.push(format!(
            "#{} {from} → {to}: {} → {}",
            f.intent,
            f.ports.text(),
            if narrowed.0.is_empty() {
                "nothing (denied today)".to_string()
            } else {
                narrowed.text()
            }
        ));
        if narrowed.0.is_empty() {
            *empty.entry(f.intent).or_default() += 1;
            continue;
        }
        kept.push(resolve::Flow {
            ports: narrowed,
            ..f
        });
    }
    let unmet = empty
        .into_iter()
        .filter(|(n, _)| !kept.iter().any(|f| f.intent == *n))
        .map(|(n, _)| Unmet {
            intent: n,
            summary: resolved.summaries.get(n - 1).cloned().unwrap_or_default(),
            reasons: vec!["--from-current: the cluster allows it on no port today".into()],
        })
        .collect();
    resolved.flows = kept;
    (lines, unmet)
}

struct Drafted {
    objects: Vec<Object>,
    plan: build::Plan,
}

fn draft(
    cluster: &Cluster,
    units: &Units,
    resolved: &resolve::Resolved,
    options: &SynthOptions,
) -> Drafted {
    let mut b = Builder::new(cluster, units, options);
    b.concern(resolved);
    b.intents(resolved);
    b.needs();
    b.servers(resolved);
    let plan = b.plan;
    let mut objects: Vec<Object> = plan
        .policies
        .iter()
        .map(|p| match options.dialect {
            Dialect::Cilium => render::cilium::render(p),
            _ => render::netpol::render(p, cluster.model()),
        })
        .collect();
    if let Some(l) = cluster.compiled().linkerd.as_ref() {
        let (td, _) = build::trust_domain(cluster.model());
        let cp = l
            .control_plane_ns
            .clone()
            .unwrap_or_else(|| "linkerd".into());
        let identity = |sa: &str, ns: &str| format!("{sa}.{ns}.serviceaccount.identity.{cp}.{td}");
        for s in &plan.servers {
            objects.extend(render::linkerd::render(s, &l.version, &identity));
        }
    }
    Drafted { objects, plan }
}

/// The synthesized set without its allows: the same subjects isolated, the same Servers
/// closed. What the cluster allows with it is what the existing policies allow and no
/// added policy can take back.
fn skeleton(cluster: &Cluster, plan: &build::Plan, options: &SynthOptions) -> String {
    let mut objects: Vec<Object> = plan
        .policies
        .iter()
        .map(|p| {
            let mut bare = p.clone();
            bare.wants.clear();
            match options.dialect {
                Dialect::Cilium => render::cilium::render(&bare),
                _ => render::netpol::render(&bare, cluster.model()),
            }
        })
        .collect();
    if let Some(l) = cluster.compiled().linkerd.as_ref() {
        for s in &plan.servers {
            let mut bare = s.clone();
            bare.identities.clear();
            bare.networks.clear();
            objects.extend(render::linkerd::render(&bare, &l.version, &|_, _| {
                String::new()
            }));
        }
    }
    render::stream(&objects, &[])
}

fn header(options: &SynthOptions, intents: usize) -> Vec<String> {
    vec![format!(
        "meshverdict synthesize --dialect {} --granularity {}: {intents} intents; each rule says what it serves",
        options.dialect.as_str(),
        match options.granularity {
            Granularity::Workload => "workload",
            Granularity::Namespace => "namespace",
        }
    )]
}

/// The mesh and DNS diagnostics of a drafted set on the workloads concerned, before the
/// rest of the proof: the far side of a needed flow may need an allow too.
struct Left {
    diagnostics: Vec<crate::findings::Diagnostic>,
    proof: Proof,
}

fn left(after: &Cluster, plan: &build::Plan, dialect: Dialect) -> Left {
    let mut proof = Proof::default();
    // The pods the new policies select beside the workloads concerned are isolated by
    // them too: a need of theirs the set drops is the set's doing, not `elsewhere`.
    let selected: BTreeSet<usize> = plan.concerned.union(&plan.also).copied().collect();
    let diagnostics = verify::diagnostics(
        after,
        &selected,
        &plan.claims,
        dialect != Dialect::Linkerd,
        &mut proof,
    );
    Left { diagnostics, proof }
}

#[allow(clippy::too_many_arguments)]
fn prove(
    isolated: &Cluster,
    after: &Cluster,
    plan: &build::Plan,
    resolved: &resolve::Resolved,
    units: &Units,
    dialect: Dialect,
    left: Left,
    unmet: &mut Vec<Unmet>,
) -> Proof {
    let Left {
        diagnostics,
        mut proof,
    } = left;
    proof.diagnostics = diagnostics;
    proof.invalid = after
        .invalid_objects()
        .filter(|i| {
            i.error
                .location
                .as_ref()
                .is_some_and(|l| l.source == SYNTHESIZED)
        })
        .map(|i| i.error.message.clone())
        .collect();
    let unmet_set: BTreeSet<usize> = unmet.iter().map(|u| u.intent).collect();
    for (n, why) in verify::intents(
        after,
        resolved,
        &unmet_set,
        dialect != Dialect::Linkerd,
        &mut proof,
    ) {
        match unmet.iter_mut().find(|u| u.intent == n) {
            Some(u) => u.reasons.push(why),
            None => unmet.push(Unmet {
                intent: n,
                summary: resolved.summaries.get(n - 1).cloned().unwrap_or_default(),
                reasons: vec![why],
            }),
        }
    }
    let mut externals: BTreeSet<String> = resolved.externals.clone();
    for f in &resolved.flows {
        for s in [&f.from, &f.to] {
            match s {
                Side::External(net) => {
                    externals.insert(format!("ip:{}", net.addr()));
                }
                Side::Dns(n) if !n.is_empty() => {
                    externals.insert(format!("dns:{n}"));
                }
                _ => {}
            }
        }
    }
    verify::residue(
        isolated,
        after,
        &plan.claims,
        units,
        SYNTHESIZED,
        &externals,
        &plan.concerned,
        &mut proof,
    );
    let existing = verify::existing_relations(isolated, &plan.concerned, units);
    proof.existing_pairs = existing.len();
    proof.existing = existing.into_iter().take(verify::EXISTING_SHOWN).collect();
    proof
}

/// Synthesizes policies for intents, proven against the cluster before they are returned.
pub fn synthesize(
    cluster: &Cluster,
    intents: &Intents,
    options: &SynthOptions,
) -> Result<Synthesis> {
    let dataplane = if options.dialect == Dialect::Cilium {
        Dataplane::Cilium
    } else {
        cluster.dataplane
    };
    let reloaded = on(cluster, dataplane)?;
    let before = reloaded.as_ref().unwrap_or(cluster);
    let mut notes = Vec::new();
    if reloaded.is_some() {
        notes.push(format!("CiliumNetworkPolicies are enforced by Cilium: the proof judges on the cilium dataplane, not {}", cluster.dataplane.as_str()));
    }
    let mut resolved = resolve::resolve(before, intents)?;
    notes.extend(resolved.notes.iter().cloned());
    let (narrowed, mut unmet) = if options.from_current {
        narrow(before, &mut resolved)
    } else {
        (Vec::new(), Vec::new())
    };
    // On Cilium, selectors meet identity labels: the filter's, and never a pod's own label
    // under `io.cilium.k8s` (SanitizePodLabels drops it and sets the real service account;
    // compile/labels.rs). Selecting on one picked the wrong pod (found by the `synthesize`
    // fuzz target on a pod claiming another service account).
    let keeps = |k: &str| {
        dataplane != Dataplane::Cilium
            || (before.compiled().settings.label_filter.keeps(k) && !k.starts_with("io.cilium.k8s"))
    };
    let units = Units::build(before, &keeps);
    let Drafted {
        mut objects,
        mut plan,
    } = draft(before, &units, &resolved, options);
    unmet.append(&mut plan.unmet);
    let head = header(options, intents.items.len());
    let mut yaml = render::stream(&objects, &head);
    let mut after = load_after(before, &yaml, dataplane)?;
    let mut first = left(&after, &plan, options.dialect);
    if !first.diagnostics.is_empty() && options.dialect != Dialect::Linkerd {
        // The far side of a needed flow (the control plane's ingress, the DNS pods') may
        // be isolated by the existing policies: add the allow there, as a repair does.
        let diags: Vec<(usize, &crate::findings::Diagnostic)> =
            first.diagnostics.iter().enumerate().collect();
        let (extra, _, _, _) = repair::objects(&after, &diags, options.dialect);
        let extra: Vec<Object> = extra
            .into_iter()
            .filter(|o| {
                !objects
                    .iter()
                    .any(|x| x.namespace == o.namespace && x.name == o.name)
            })
            .collect();
        if !extra.is_empty() {
            notes.push(format!(
                "the existing policies drop flows the mesh needs for these workloads on the other side: {} added there",
                extra.iter().map(|o| format!("{}/{}", o.namespace, o.name)).collect::<Vec<_>>().join(", ")
            ));
            objects.extend(extra);
            yaml = render::stream(&objects, &head);
            after = load_after(before, &yaml, dataplane)?;
            first = left(&after, &plan, options.dialect);
        }
    }
    let isolated = repair::with(
        before,
        "meshverdict:isolated",
        &skeleton(before, &plan, options),
        dataplane,
    )?;
    let mut proof = prove(
        &isolated,
        &after,
        &plan,
        &resolved,
        &units,
        options.dialect,
        first,
        &mut unmet,
    );
    unmet.sort_by_key(|u| u.intent);
    unmet.dedup_by_key(|u| u.intent);
    if proof.elsewhere > 0 {
        notes.push(format!("{} mesh diagnostics concern other workloads of the cluster (meshverdict repair fixes them)", proof.elsewhere));
    }
    notes.extend(plan.notes.iter().cloned());
    let bad =
        !proof.failures.is_empty() || !proof.invalid.is_empty() || !proof.diagnostics.is_empty();
    if bad {
        let mut what: Vec<String> = proof.failures.iter().take(5).cloned().collect();
        what.extend(
            proof
                .invalid
                .iter()
                .take(5)
                .map(|m| format!("rejected object: {m}")),
        );
        what.extend(
            proof
                .diagnostics
                .iter()
                .take(5)
                .map(|d| format!("{}: {}", d.code, d.message)),
        );
        return Err(Error::new(
            ErrorCode::Internal,
            format!(
                "the synthesized set fails its own proof: {}",
                what.join("; ")
            ),
        )
        .with_help("this is a bug in meshverdict; please report it with the input"));
    }
    proof.verified = true;
    Ok(Synthesis {
        dialect: options.dialect,
        granularity: options.granularity,
        dataplane,
        intents: intents.items.clone(),
        concerned: plan
            .concerned
            .iter()
            .filter_map(|e| units.of_endpoint(*e))
            .map(units::Unit::reference)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        narrowed,
        objects,
        yaml,
        needs: plan.needs.iter().cloned().collect(),
        unmet,
        proof,
        notes,
    })
}

impl Synthesis {
    /// Whether every intent and every need of the mesh and the platform is met.
    pub fn met(&self) -> bool {
        self.unmet.is_empty() && self.proof.blocked.is_empty()
    }

    /// The proof as people read it (stderr of the CLI).
    pub fn proof_text(&self) -> String {
        let p = &self.proof;
        let mut s = String::new();
        s.push_str(&format!(
            "proof ({} dataplane): {} objects; {} intents, {} questions, {} allowed\n",
            self.dataplane.as_str(),
            self.objects.len(),
            p.intents,
            p.checks,
            p.allowed
        ));
        for u in &self.unmet {
            s.push_str(&format!(
                "  cannot meet intent #{} ({}): {}\n",
                u.intent,
                u.summary,
                u.reasons.join("; ")
            ));
        }
        if !self.narrowed.is_empty() {
            s.push_str("  narrowed to what the cluster allows today:\n");
            for n in &self.narrowed {
                s.push_str(&format!("    {n}\n"));
            }
        }
        if !self.needs.is_empty() {
            s.push_str(&format!(
                "  made explicit, for the mesh and the platform ({}):\n",
                self.needs.len()
            ));
            for n in &self.needs {
                s.push_str(&format!(
                    "    {} → {} on {}: {}\n",
                    n.from, n.to, n.port, n.purpose
                ));
            }
        }
        let opened: Vec<&Residue> = p.residue.iter().filter(|r| r.cause == "opened").collect();
        let existing: Vec<&Residue> = p.residue.iter().filter(|r| r.cause == "existing").collect();
        s.push_str(&format!("  residue: {} pairs searched with {} questions; beyond the intents and the needs above:\n", p.pairs, p.questions));
        if opened.is_empty() && existing.is_empty() {
            s.push_str("    nothing else is allowed\n");
        }
        for r in opened {
            s.push_str(&format!(
                "    opened: {} → {} on {}/{}: {}\n",
                r.from, r.to, r.ports, r.protocol, r.why
            ));
        }
        for r in existing {
            s.push_str(&format!(
                "    already allowed: {} → {} on {}/{}: {}\n",
                r.from, r.to, r.ports, r.protocol, r.why
            ));
        }
        for b in &p.blocked {
            s.push_str(&format!("  cannot meet a need: {b}\n"));
        }
        if p.existing_pairs > 0 {
            let shown: Vec<String> = p
                .existing
                .iter()
                .take(8)
                .map(|(a, b)| format!("{a} → {b}"))
                .collect();
            s.push_str(&format!(
                "  the existing policies alone admit {} pairs of these workloads (on some ports; added policies cannot take an allow back): {}{}\n",
                p.existing_pairs,
                shown.join(", "),
                if p.existing_pairs > shown.len() { ", …" } else { "" }
            ));
        }
        s.push_str(&format!(
            "  mesh diagnostics left on these workloads: {}{}\n",
            p.diagnostics.len(),
            if p.elsewhere > 0 {
                format!(" ({} elsewhere in the cluster)", p.elsewhere)
            } else {
                String::new()
            }
        ));
        for n in self.notes.iter().chain(p.notes.iter()) {
            s.push_str(&format!("  note: {n}\n"));
        }
        s.push_str(if p.verified {
            "verified: every intent is allowed; everything else allowed is listed above\n"
        } else {
            "NOT verified\n"
        });
        s
    }
}
