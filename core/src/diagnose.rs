//! Diagnostics: what in a policy set breaks the mesh, the DNS or itself. Complete, not
//! sampled: every check runs per identity class (every member of a class gets the same
//! answer) and, where it is pairwise, as set algebra over all classes at once
//! ([`crate::evaluate::kernel`]). Every diagnostic carries a location: the policy at
//! fault, or the manifest of the workload concerned.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::cluster::Cluster;
use crate::compile::bitset::Bitset;
use crate::compile::mesh::linkerd::INBOUND_PORT;
use crate::compile::mesh::Mesh;
use crate::compile::party::Party;
use crate::compile::policy::{CompiledPolicy, Direction, Peer, PolicyKind, PolicyRef, Subject};
use crate::error::Location;
use crate::evaluate::kernel::Kernel;
use crate::evaluate::needs::{failing, network, End};
use crate::evaluate::Evaluator;
use crate::findings::{Diagnostic, DiagnosticCode, FlowRef, Severity};
use crate::model::{Endpoint, Model, TargetPort};
use crate::ports::Protocol;
use crate::selector::Selector;

/// Names, at most a few of them, and how many more.
fn list(names: &BTreeSet<String>) -> String {
    list_of(names, names.len())
}

/// The first names of `total`, and how many more.
fn list_of(names: &BTreeSet<String>, total: usize) -> String {
    let v: Vec<&String> = names.iter().collect();
    match total.max(v.len()) {
        0..=4 if total <= v.len() => v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        n => format!(
            "{} (+{} more)",
            v.iter()
                .take(3)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            n - v.len().min(3)
        ),
    }
}

/// Below this many members, a group's names are all listed, sorted; above it, the
/// first of them in class order (findings between large groups name a sample).
const NAMED_MEMBERS: usize = 200;

/// What `diagnose_with` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiagnoseOptions {
    /// At most this many flows per diagnostic (`None`: every flow). A finding between
    /// two groups of pods concerns the product of their sizes: at 150,000 pods that is
    /// millions of flows for one diagnostic; the rest are counted in `flows_total`.
    pub max_flows: Option<usize>,
}

/// The number of flows a diagnostic lists by default.
pub const DEFAULT_MAX_FLOWS: usize = 100;

impl Default for DiagnoseOptions {
    fn default() -> Self {
        DiagnoseOptions {
            max_flows: Some(DEFAULT_MAX_FLOWS),
        }
    }
}

impl DiagnoseOptions {
    /// Every flow of every diagnostic (what `repair` works from).
    pub fn complete() -> Self {
        DiagnoseOptions { max_flows: None }
    }
}

struct Ctx<'c> {
    cluster: &'c Cluster,
    max_flows: Option<usize>,
    model: &'c Model,
    origins: HashMap<&'c PolicyRef, &'c CompiledPolicy>,
}

impl<'c> Ctx<'c> {
    fn new(cluster: &'c Cluster, options: &DiagnoseOptions) -> Ctx<'c> {
        let origins = cluster.policies().iter().map(|p| (&p.policy, p)).collect();
        Ctx {
            cluster,
            max_flows: options.max_flows,
            model: cluster.model(),
            origins,
        }
    }

    fn endpoint(&self, i: usize) -> Option<&'c Endpoint> {
        self.model.endpoints.get(i)
    }

    /// The members of a set of classes, by name, and how many there are: every name
    /// when listing flows completely or when they are few, else a sample.
    fn names_of(&self, set: &Bitset) -> (BTreeSet<String>, usize) {
        let classes = &self.cluster.compiled().classes;
        let total: usize = set
            .ones()
            .map(|c| classes.members.get(c).map_or(0, Vec::len))
            .sum();
        let cap = match self.max_flows {
            Some(m) => m.max(NAMED_MEMBERS),
            None => usize::MAX,
        };
        let mut names = BTreeSet::new();
        for c in set.ones() {
            if names.len() >= cap {
                break;
            }
            names.extend(self.members(c));
        }
        (names, total)
    }

    /// The references of a class's members.
    fn members(&self, class: usize) -> Vec<String> {
        let classes = &self.cluster.compiled().classes;
        classes
            .members
            .get(class)
            .into_iter()
            .flatten()
            .filter_map(|i| self.endpoint(*i))
            .map(Endpoint::reference)
            .collect()
    }

    fn policy_location(&self, p: &PolicyRef) -> Option<Location> {
        self.origins
            .get(p)
            .map(|c| self.model.locate(&c.origin, &c.subject_path))
    }

    /// An endpoint's manifest, at its name (its first line is often the `---` before it).
    fn endpoint_location(&self, e: &Endpoint) -> Location {
        self.model.locate(&e.origin, "metadata.name")
    }

    /// Where to point a diagnostic: the first policy at fault, else the endpoint.
    fn locate(&self, policies: &[PolicyRef], fallback: Option<&Endpoint>) -> Option<Location> {
        policies
            .iter()
            .find_map(|p| self.policy_location(p))
            .or_else(|| fallback.map(|e| self.endpoint_location(e)))
    }

    fn describe(&self, end: End) -> Vec<String> {
        match end {
            End::Endpoint(i) => self
                .endpoint(i)
                .map(Endpoint::reference)
                .into_iter()
                .collect(),
            End::Class(c) => self.members(c),
            End::ApiServer => vec![match self.model.api_server.first() {
                Some(ip) => format!("the API server (ip:{ip})"),
                None => "the API server (address not given)".into(),
            }],
        }
    }

    fn first_endpoint(&self, end: End) -> Option<&'c Endpoint> {
        match end {
            End::Endpoint(i) => self.endpoint(i),
            End::Class(c) => self
                .cluster
                .compiled()
                .classes
                .rep(c)
                .and_then(|i| self.endpoint(i)),
            End::ApiServer => None,
        }
    }
}

fn sorted(mut p: Vec<PolicyRef>) -> Vec<PolicyRef> {
    p.sort();
    p.dedup();
    p
}

/// Blocked mesh flows, one diagnostic per purpose, port and pair of namespaces, so that
/// "every proxy of a namespace is cut off" reads as one finding.
fn mesh_diagnostics(cx: &Ctx) -> Vec<Diagnostic> {
    let needs = cx.cluster.needs();
    let ns_of = |end: End| {
        cx.first_endpoint(end)
            .map(|e| e.namespace.clone())
            .unwrap_or_default()
    };
    let mut groups: BTreeMap<(&str, u16, String, String), Vec<&crate::evaluate::needs::Blocked>> =
        BTreeMap::new();
    for b in &needs.blocked {
        let Some(f) = needs.flows.get(b.need) else {
            continue;
        };
        groups
            .entry((f.purpose, f.port, ns_of(b.from), ns_of(b.to)))
            .or_default()
            .push(b);
    }
    let mut out = Vec::new();
    for ((purpose, port, _, _), items) in groups {
        let sources: BTreeSet<String> = items.iter().flat_map(|b| cx.describe(b.from)).collect();
        let targets: BTreeSet<String> = items.iter().flat_map(|b| cx.describe(b.to)).collect();
        let severity = items
            .iter()
            .filter_map(|b| needs.flows.get(b.need))
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Warning);
        let why = items.first().map(|b| b.why.clone()).unwrap_or_default();
        let policies = sorted(
            items
                .iter()
                .flat_map(|b| b.policies.iter().cloned())
                .collect(),
        );
        let from_api = items.iter().any(|b| b.from == End::ApiServer);
        let mut d = Diagnostic::new(
            DiagnosticCode::MeshFlowBlocked,
            severity,
            format!(
                "{} cannot reach {} on {port}/TCP, which Linkerd needs for {purpose}: {why}",
                list(&sources),
                list(&targets)
            ),
        );
        let ends: Vec<(Vec<String>, Vec<String>)> = items
            .iter()
            .map(|b| (cx.describe(b.from), cx.describe(b.to)))
            .collect();
        let total = ends.iter().map(|(f, t)| f.len() * t.len()).sum();
        let flows = ends.iter().flat_map(|(f, t)| {
            f.iter().flat_map(move |from| {
                t.iter().map(move |to| FlowRef {
                    from: from.clone(),
                    to: to.clone(),
                    port,
                    protocol: Protocol::Tcp,
                })
            })
        });
        d.set_flows(flows, total, cx.max_flows);
        let names: Vec<String> = policies.iter().map(ToString::to_string).collect();
        d.help = Some(format!(
            "admit {port}/TCP from {} to {} in {}",
            if from_api {
                "the API server's address".to_string()
            } else {
                list(&sources)
            },
            list(&targets),
            if names.is_empty() {
                "the isolating policies".to_string()
            } else {
                names.join(", ")
            }
        ));
        if from_api {
            if let Some(trap) = items.iter().find_map(|b| {
                cx.first_endpoint(b.to)
                    .and_then(|dst| webhook_trap(cx, dst, port))
            }) {
                d.help = Some(trap);
            }
        }
        let dst = items.first().and_then(|b| cx.first_endpoint(b.to));
        d.location = cx.locate(&policies, dst);
        d.policies = policies;
        out.push(d);
    }
    out
}

/// A rule that admits a Service port whose target is this container port: the API
/// server dials the pod's port after the Service is translated, so the rule misses.
fn webhook_trap(cx: &Ctx, dst: &Endpoint, container_port: u16) -> Option<String> {
    let svc_ports: Vec<u16> = cx
        .model
        .services
        .iter()
        .filter(|s| {
            s.namespace == dst.namespace
                && s.selector
                    .as_ref()
                    .is_some_and(|sel| sel.iter().all(|(k, v)| dst.labels.get(k) == Some(v)))
        })
        .flat_map(|s| s.ports.iter())
        .filter(|p| match &p.target {
            TargetPort::Number(n) => *n == container_port,
            TargetPort::Name(n) => dst
                .ports
                .iter()
                .any(|c| c.name.as_deref() == Some(n.as_str()) && c.port == container_port),
        })
        .map(|p| p.port)
        .filter(|p| *p != container_port)
        .collect();
    let eval = Evaluator::new(cx.model, cx.cluster.compiled(), false);
    for p in eval.selecting(dst, Direction::Ingress) {
        for rule in p
            .rules
            .iter()
            .filter(|r| r.rule.direction == Direction::Ingress && !r.rule.deny)
        {
            for sp in &svc_ports {
                if rule.ports.iter().any(|m| m.admits(*sp, Protocol::Tcp, &[])) {
                    return Some(format!(
                        "{} admits port {sp}, the Service port; the API server calls the pod's container port {container_port} (Services are translated before policy applies): allow {container_port}/TCP instead",
                        rule.rule
                    ));
                }
            }
        }
    }
    None
}

/// The cluster DNS: the pods behind `kube-system/kube-dns`, else those labelled
/// `k8s-app: kube-dns` in kube-system.
fn dns_endpoints(m: &Model) -> Vec<&Endpoint> {
    if let Some(svc) = m
        .services
        .iter()
        .find(|s| s.namespace == "kube-system" && s.name == "kube-dns")
    {
        if let Some(sel) = &svc.selector {
            let v: Vec<&Endpoint> = m
                .endpoints
                .iter()
                .filter(|e| {
                    e.namespace == "kube-system"
                        && sel.iter().all(|(k, v)| e.labels.get(k) == Some(v))
                })
                .collect();
            if !v.is_empty() {
                return v;
            }
        }
    }
    m.endpoints
        .iter()
        .filter(|e| {
            e.namespace == "kube-system"
                && e.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
        })
        .collect()
}

/// Who cannot reach the DNS in one namespace: names, policies at fault, why, flows, and
/// an endpoint to point at.
type DnsGroup<'c> = (
    BTreeSet<String>,
    Vec<PolicyRef>,
    String,
    Vec<FlowRef>,
    Option<&'c Endpoint>,
);

fn dns_diagnostics(cx: &Ctx, kernel: &Kernel) -> Vec<Diagnostic> {
    let compiled = cx.cluster.compiled();
    let classes = &compiled.classes;
    let dns = dns_endpoints(cx.model);
    if dns.is_empty() {
        return Vec::new();
    }
    let dns_classes: BTreeSet<usize> = dns.iter().map(|e| classes.of(e)).collect();
    let mut reached = Bitset::empty(classes.len());
    for d in &dns_classes {
        for proto in [Protocol::Udp, Protocol::Tcp] {
            reached.union_with(&kernel.network_sources(*d, 53, proto));
        }
    }
    let detailed = Evaluator::new(cx.model, compiled, true);
    let mut by_ns: BTreeMap<String, DnsGroup> = BTreeMap::new();
    for c in 0..classes.len() {
        if dns_classes.contains(&c) || reached.contains(c) || !kernel.isolated(c, Direction::Egress)
        {
            continue;
        }
        let Some(e) = classes.rep(c).and_then(|i| cx.endpoint(i)) else {
            continue;
        };
        let to = dns.first().map(|d| d.reference()).unwrap_or_default();
        let (why, policies) = dns
            .first()
            .and_then(|d| {
                let (eg, ing) =
                    network(&detailed, &Party::Pod(e), &Party::Pod(d), 53, Protocol::Udp);
                failing(&eg, &ing)
            })
            .unwrap_or_default();
        let g = by_ns
            .entry(e.namespace.clone())
            .or_insert_with(|| (BTreeSet::new(), Vec::new(), why, Vec::new(), Some(e)));
        for m in cx.members(c) {
            g.3.push(FlowRef {
                from: m.clone(),
                to: to.clone(),
                port: 53,
                protocol: Protocol::Udp,
            });
            g.0.insert(m);
        }
        g.1.extend(policies);
    }
    let dns_names: BTreeSet<String> = dns.iter().map(|d| d.reference()).collect();
    by_ns
        .into_values()
        .map(|(who, policies, why, flows, e)| {
            let mut d = Diagnostic::new(
                DiagnosticCode::EgressWithoutDns,
                Severity::Error,
                format!("{} cannot reach the cluster DNS ({}) on 53/UDP or 53/TCP: {why}", list(&who), list(&dns_names)),
            );
            d.help = Some("add an egress rule to the kube-dns pods (namespaceSelector kubernetes.io/metadata.name: kube-system, podSelector k8s-app: kube-dns) on 53/UDP and 53/TCP".into());
            let policies = sorted(policies);
            d.location = cx.locate(&policies, e);
            d.policies = policies;
            let total = flows.len();
            d.set_flows(flows.into_iter(), total, cx.max_flows);
            d
        })
        .collect()
}

/// Between meshed pods, on each port a destination declares: where the mesh's port
/// rewrite breaks a flow the policies admit on its application port, and where it
/// widens a port rule (the policies deny the application port but admit the one the
/// mesh carries it on).
fn rewrite_diagnostics(cx: &Ctx, kernel: &Kernel) -> Vec<Diagnostic> {
    let compiled = cx.cluster.compiled();
    let Some(linkerd) = compiled.linkerd.as_ref() else {
        return Vec::new();
    };
    let classes = &compiled.classes;
    let rep = |c: usize| classes.rep(c).and_then(|i| cx.endpoint(i));
    let meshed: Vec<usize> = (0..classes.len())
        .filter(|c| classes.rep(*c).is_some_and(|i| linkerd.is_meshed(i)))
        .collect();
    if meshed.is_empty() {
        return Vec::new();
    }
    let mut meshed_set = Bitset::empty(classes.len());
    for c in &meshed {
        meshed_set.insert(*c);
    }
    let detailed = Evaluator::new(cx.model, compiled, true);
    // Per port: the meshed classes whose proxies do not skip it outbound.
    let mut sends: HashMap<u16, Bitset> = HashMap::new();
    let sending = |sends: &mut HashMap<u16, Bitset>, port: u16| -> Bitset {
        sends
            .entry(port)
            .or_insert_with(|| {
                let mut s = Bitset::empty(classes.len());
                for &a in &meshed {
                    if classes
                        .rep(a)
                        .is_some_and(|i| !linkerd.skips_outbound(i, port))
                    {
                        s.insert(a);
                    }
                }
                s
            })
            .clone()
    };
    let mut blocked: Vec<Diagnostic> = Vec::new();
    let mut widened: Vec<Diagnostic> = Vec::new();
    for &b in &meshed {
        let Some(dst) = rep(b) else { continue };
        let targets: BTreeSet<String> = cx.members(b).into_iter().collect();
        let ports: BTreeSet<u16> = dst
            .containers
            .iter()
            .filter(|c| c.name != "linkerd-proxy")
            .flat_map(|c| c.ports.iter())
            .filter(|p| p.protocol == Protocol::Tcp)
            .map(|p| p.port)
            .collect();
        for port in ports {
            // The sources the mesh rewrites this port for: meshed, and the wire port
            // differs (skip ports, admin ports and control-plane ports keep theirs). The
            // wire port is the destination's; a source only decides whether its proxy
            // leaves the port alone.
            let Some(w) = linkerd
                .rewrite(cx.model, dst, port)
                .filter(|w| w.port != port)
            else {
                continue;
            };
            let mut rewritten = sending(&mut sends, port);
            let wire = w.port;
            if rewritten.is_empty() {
                continue;
            }
            // A class talking to itself is its members talking to each other: only
            // when it has two or more.
            if classes.members.get(b).is_some_and(|m| m.len() < 2) {
                rewritten.remove(b);
            }
            let app_ok = kernel.network_sources(b, port, Protocol::Tcp);
            let wire_ok = kernel.network_sources(b, wire, Protocol::Tcp);
            let mut broken = rewritten.clone();
            broken.intersect_with(&app_ok);
            broken.difference_with(&wire_ok);
            if let Some(first) = broken.first().and_then(rep) {
                let (we, wi) = network(
                    &detailed,
                    &Party::Pod(first),
                    &Party::Pod(dst),
                    wire,
                    Protocol::Tcp,
                );
                let (why, policies) = failing(&we, &wi).unwrap_or_default();
                let (who, count) = cx.names_of(&broken);
                let overlap = if broken.contains(b) { targets.len() } else { 0 };
                let mut d = Diagnostic::new(
                    DiagnosticCode::MeshPortRewriteBlocked,
                    Severity::Error,
                    format!(
                        "the policies admit {} → {} on {port}/TCP, but Linkerd carries that connection on port {wire}, which they do not admit: {why} ({})",
                        list_of(&who, count),
                        list(&targets),
                        w.reason.clone().unwrap_or_default()
                    ),
                );
                d.help = Some(format!("also allow TCP {wire} between these meshed pods, in the source's egress and the destination's ingress"));
                d.set_flows(
                    pairs(&who, &targets, port),
                    count * targets.len() - overlap,
                    cx.max_flows,
                );
                let policies = sorted(policies);
                d.location = cx.locate(&policies, Some(dst));
                d.policies = policies;
                blocked.push(d);
            }
            let mut wide = rewritten.clone();
            wide.difference_with(&app_ok);
            wide.intersect_with(&wire_ok);
            if wide.is_empty() {
                continue;
            }
            // Only where Linkerd's own authorization lets them in is the port rule void.
            if linkerd.judges(dst, port, Protocol::Tcp) {
                if let Some(authz) = linkerd.authorizations(cx.model, dst, port) {
                    wide.intersect_with(&kernel.authorized(&authz, port));
                }
            }
            if let Some(first) = wide.first().and_then(rep) {
                let (ae, ai) = network(
                    &detailed,
                    &Party::Pod(first),
                    &Party::Pod(dst),
                    port,
                    Protocol::Tcp,
                );
                let policies = sorted(
                    ai.isolated_by
                        .iter()
                        .chain(ae.isolated_by.iter())
                        .cloned()
                        .collect(),
                );
                let (who, count) = cx.names_of(&wide);
                let overlap = if wide.contains(b) { targets.len() } else { 0 };
                let mut d = Diagnostic::new(
                    DiagnosticCode::MeshWidensPortRule,
                    Severity::Warning,
                    format!(
                        "the policies do not admit {} → {} on {port}/TCP, but the mesh carries it on port {wire}, which they admit: the port restriction does not hold",
                        list_of(&who, count),
                        list(&targets)
                    ),
                );
                d.help = Some("restrict ports in the mesh instead: a Linkerd Server per port with an AuthorizationPolicy for the allowed clients".into());
                d.set_flows(
                    pairs(&who, &targets, port),
                    count * targets.len() - overlap,
                    cx.max_flows,
                );
                d.location = cx.locate(&policies, Some(dst));
                d.policies = policies;
                widened.push(d);
            }
        }
    }
    blocked.extend(widened);
    blocked
}

/// Every source to every other target, on one port.
fn pairs<'a>(
    who: &'a BTreeSet<String>,
    targets: &'a BTreeSet<String>,
    port: u16,
) -> impl Iterator<Item = FlowRef> + 'a {
    who.iter().flat_map(move |w| {
        targets
            .iter()
            .filter(move |t| *t != w)
            .map(move |t| FlowRef {
                from: w.clone(),
                to: t.clone(),
                port,
                protocol: Protocol::Tcp,
            })
    })
}

fn l7_diagnostics(cx: &Ctx) -> Vec<Diagnostic> {
    let compiled = cx.cluster.compiled();
    let Some(linkerd) = compiled.linkerd.as_ref() else {
        return Vec::new();
    };
    let classes = &compiled.classes;
    let meshed = |c: usize| classes.rep(c).is_some_and(|i| linkerd.is_meshed(i));
    let mut out = Vec::new();
    for p in &compiled.policies {
        if !compiled.settings.enforces(p.policy.kind) {
            continue;
        }
        let subjects: Vec<usize> = compiled
            .set(p.subject_set)
            .map(|s| s.ones().collect())
            .unwrap_or_default();
        for rule in p.rules.iter().filter(|r| !r.l7.is_empty() && !r.rule.deny) {
            let hit: Vec<usize> = match rule.rule.direction {
                Direction::Ingress => subjects.iter().copied().filter(|c| meshed(*c)).collect(),
                Direction::Egress => {
                    if subjects.iter().any(|c| meshed(*c)) {
                        let mut peers = Bitset::empty(classes.len());
                        for s in &rule.peer_sets {
                            if let Some(b) = compiled.set(*s) {
                                peers.union_with(b);
                            }
                        }
                        peers.ones().filter(|c| meshed(*c)).collect()
                    } else {
                        Vec::new()
                    }
                }
            };
            if hit.is_empty() {
                continue;
            }
            let names: BTreeSet<String> = hit.iter().flat_map(|c| cx.members(*c)).collect();
            let l7: Vec<String> = rule
                .l7
                .iter()
                .map(|l| format!("{} {}", l.protocol, l.summary))
                .collect();
            let mut d = Diagnostic::new(
                DiagnosticCode::L7RuleOnMeshedEndpoint,
                Severity::Warning,
                format!(
                    "{} has L7 rules ({}) for traffic of meshed {}: Linkerd encrypts that traffic (mTLS, and on 2.18+ on port {INBOUND_PORT}), so Cilium's proxy cannot read it and the rule cannot work as written",
                    rule.rule,
                    l7.join("; "),
                    list(&names)
                ),
            );
            d.help = Some("keep L3/L4 rules in Cilium and express L7 rules with Linkerd (HTTPRoute + AuthorizationPolicy)".into());
            d.policies = vec![p.policy.clone()];
            d.location = Some(cx.model.locate(&p.origin, &rule.rule.path));
            out.push(d);
        }
    }
    out
}

/// A selector that says more than "my namespace" or "my cluster".
fn nontrivial(sel: &Selector) -> bool {
    sel.requirements.iter().any(|r| {
        !r.key().ends_with("io.kubernetes.pod.namespace")
            && !r.key().ends_with("io.cilium.k8s.policy.cluster")
    })
}

fn selector_diagnostics(cx: &Ctx) -> Vec<Diagnostic> {
    let compiled = cx.cluster.compiled();
    let empty = |id: usize| compiled.set(id).is_none_or(Bitset::is_empty);
    let mut out = Vec::new();
    let mut push = |policy: &PolicyRef, origin: &crate::model::Origin, path: &str, what: String| {
        let mut d = Diagnostic::new(
            DiagnosticCode::SelectorMatchesNothing,
            Severity::Warning,
            format!("{policy} {path}: {what}"),
        );
        d.policies = vec![policy.clone()];
        d.location = Some(cx.model.locate(origin, path));
        d.help = Some("check the labels: a selector that matches nothing is usually a typo or a label no object carries".into());
        out.push(d);
    };
    for p in &compiled.policies {
        match &p.subject {
            Subject::Pods {
                namespace,
                selector,
            } if !selector.is_empty() && empty(p.subject_set) => {
                push(
                    &p.policy,
                    &p.origin,
                    &p.subject_path,
                    format!("selects no pod in namespace {namespace} ({selector})"),
                );
            }
            Subject::Identity { selector } if nontrivial(selector) && empty(p.subject_set) => {
                push(
                    &p.policy,
                    &p.origin,
                    &p.subject_path,
                    format!("selects no endpoint ({selector})"),
                );
            }
            _ => {}
        }
        for rule in &p.rules {
            for (i, peer) in rule.peers.iter().enumerate() {
                let set = rule.peer_sets.get(i).copied().unwrap_or(0);
                let reported = match peer {
                    Peer::Pods { namespaces, pods } => {
                        let ns_sel_nonempty = matches!(namespaces, crate::compile::policy::NamespaceScope::Matching { selector } if !selector.is_empty());
                        (ns_sel_nonempty || !pods.is_empty()) && empty(set)
                    }
                    Peer::Identity { selector } => {
                        let reserved = selector
                            .requirements
                            .iter()
                            .any(|r| r.key().starts_with("reserved:"));
                        !reserved && nontrivial(selector) && empty(set)
                    }
                    _ => false,
                };
                if reported {
                    let field = match (p.policy.kind, rule.rule.direction) {
                        (PolicyKind::NetworkPolicy, Direction::Ingress) => "from",
                        (PolicyKind::NetworkPolicy, Direction::Egress) => "to",
                        (_, Direction::Ingress) => "fromEndpoints",
                        (_, Direction::Egress) => "toEndpoints",
                    };
                    push(
                        &p.policy,
                        &p.origin,
                        &format!("{}.{field}[{i}]", rule.rule.path),
                        format!("{peer} matches no endpoint in the input"),
                    );
                }
            }
        }
    }
    for s in &cx.model.linkerd.servers {
        if let Some(sel) = &s.spec.selector {
            if !sel.is_empty()
                && !cx
                    .model
                    .endpoints
                    .iter()
                    .any(|e| e.namespace == s.namespace && sel.matches(&e.labels))
            {
                let mut d = Diagnostic::new(
                    DiagnosticCode::SelectorMatchesNothing,
                    Severity::Warning,
                    format!(
                        "Server {}/{} spec.podSelector: selects no pod ({sel})",
                        s.namespace, s.name
                    ),
                );
                d.location = Some(cx.model.locate(&s.origin, "spec.podSelector"));
                out.push(d);
            }
        }
    }
    out
}

fn linkerd_policy_diagnostics(m: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ap in &m.linkerd.authorization_policies {
        for r in ap.spec.required_authentication_refs.iter().flatten() {
            let ns = r.namespace.clone().unwrap_or_else(|| ap.namespace.clone());
            let name = r.name.clone().unwrap_or_default();
            let missing = match r.kind.as_deref() {
                Some("MeshTLSAuthentication") => !m
                    .linkerd
                    .mesh_tls
                    .iter()
                    .any(|x| x.namespace == ns && x.name == name),
                Some("NetworkAuthentication") => !m
                    .linkerd
                    .network_auth
                    .iter()
                    .any(|x| x.namespace == ns && x.name == name),
                _ => false,
            };
            if missing {
                let mut d = Diagnostic::new(
                    DiagnosticCode::LinkerdAuthzIgnored,
                    Severity::Warning,
                    format!(
                        "AuthorizationPolicy {}/{} references {} {ns}/{name}, which does not exist: Linkerd ignores the whole policy, so it authorizes nobody",
                        ap.namespace,
                        ap.name,
                        r.kind.clone().unwrap_or_default()
                    ),
                );
                d.location = Some(m.locate(&ap.origin, "spec.requiredAuthenticationRefs"));
                out.push(d);
            }
        }
    }
    out
}

fn dataplane_diagnostics(cx: &Ctx) -> Vec<Diagnostic> {
    let compiled = cx.cluster.compiled();
    let m = cx.model;
    let mut out = Vec::new();
    let ignored: Vec<PolicyRef> = sorted(
        compiled
            .policies
            .iter()
            .filter(|p| !compiled.settings.enforces(p.policy.kind))
            .map(|p| p.policy.clone())
            .collect(),
    );
    if !ignored.is_empty() {
        let names: BTreeSet<String> = ignored.iter().map(ToString::to_string).collect();
        let what = if ignored.iter().all(|p| p.kind.is_cilium()) {
            "Cilium policies"
        } else {
            "policies"
        };
        let mut d = Diagnostic::new(
            DiagnosticCode::PolicyNotEnforced,
            Severity::Warning,
            format!(
                "the input holds {what} ({}) that the dataplane {} ({}) does not enforce: every verdict they would select says so",
                list(&names),
                compiled.choice.name.as_str(),
                compiled.choice.reason
            ),
        );
        d.help = Some(
            "judge on the dataplane that runs the cluster: --dataplane cilium, or auto".into(),
        );
        d.location = cx.locate(&ignored, None);
        d.policies = ignored;
        out.push(d);
    }
    let calico: BTreeSet<String> = m
        .signs
        .calico_objects
        .iter()
        .filter(|o| o.kind.contains("NetworkPolicy"))
        .map(|o| match &o.namespace {
            Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
            None => format!("{} {}", o.kind, o.name),
        })
        .collect();
    if !calico.is_empty() {
        let mut d = Diagnostic::new(
            DiagnosticCode::PolicyNotEnforced,
            Severity::Warning,
            format!("the input holds Calico policies ({}), which meshverdict does not evaluate yet: verdicts are computed without them", list(&calico)),
        );
        d.location = m
            .signs
            .calico_objects
            .iter()
            .find(|o| o.kind.contains("NetworkPolicy"))
            .map(|o| m.locate(&o.origin, ""));
        out.push(d);
    }
    let host: Vec<&CompiledPolicy> = compiled
        .policies
        .iter()
        .filter(|p| matches!(p.subject, Subject::Nodes { .. }))
        .collect();
    if !host.is_empty()
        && compiled.settings.dataplane == crate::compile::dataplane::Dataplane::Cilium
    {
        let mut d = Diagnostic::new(
            DiagnosticCode::HostPolicyNotEnforced,
            Severity::Info,
            "CiliumClusterwideNetworkPolicies with nodeSelector apply only with the host firewall, which is off by default: they are not enforced",
        );
        d.policies = sorted(host.iter().map(|p| p.policy.clone()).collect());
        d.location = host.first().map(|p| m.locate(&p.origin, &p.subject_path));
        out.push(d);
    }
    out
}

/// Every diagnostic of the cluster, most severe first, each listing at most
/// [`DEFAULT_MAX_FLOWS`] flows.
pub fn diagnose(cluster: &Cluster) -> Vec<Diagnostic> {
    diagnose_with(cluster, &DiagnoseOptions::default())
}

/// Every diagnostic of the cluster, most severe first.
pub fn diagnose_with(cluster: &Cluster, options: &DiagnoseOptions) -> Vec<Diagnostic> {
    let cx = Ctx::new(cluster, options);
    let m = cx.model;
    let kernel = Kernel::new(m, cluster.compiled());
    let mut out = Vec::new();
    for inv in cluster.invalid_objects() {
        let mut d = Diagnostic::new(
            DiagnosticCode::InvalidPolicy,
            Severity::Error,
            inv.error.message.clone(),
        );
        d.help = inv.error.help.clone();
        d.location = inv.error.location.as_deref().cloned();
        out.push(d);
    }
    if let Some(mesh) = cluster.mesh() {
        let anchor = cluster.compiled().linkerd.as_ref().and_then(|l| {
            m.endpoints.iter().find(|e| {
                l.info
                    .get(e.index)
                    .is_some_and(|i| i.component.is_some() || i.meshed)
            })
        });
        for (code, message) in mesh.assumptions() {
            let mut d = Diagnostic::new(code, Severity::Info, message);
            d.location = anchor.map(|e| cx.endpoint_location(e));
            out.push(d);
        }
        out.extend(mesh_diagnostics(&cx));
    }
    out.extend(dns_diagnostics(&cx, &kernel));
    out.extend(rewrite_diagnostics(&cx, &kernel));
    out.extend(l7_diagnostics(&cx));
    out.extend(selector_diagnostics(&cx));
    out.extend(linkerd_policy_diagnostics(m));
    out.extend(dataplane_diagnostics(&cx));
    out.sort_by_key(|d| std::cmp::Reverse(d.severity));
    out
}
