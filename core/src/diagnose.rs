//! Diagnostics: what in a policy set breaks the mesh, the DNS, or itself.

use std::collections::{BTreeMap, BTreeSet};


use crate::cluster::Cluster;

use crate::mesh::{FlowEnd, NeededFlow, Severity};
use crate::model::Endpoint;
use crate::policy::{Direction, NamespaceScope, Party, Peer, PolicyKind, PolicyRef, Subject};
use crate::ports::Protocol;
use crate::verdict::{Judge, Layer};

pub use crate::findings::{Diagnostic, DiagnosticCode, FlowRef};

/// At most this many (source, destination, port) checks for the pairwise analyses;
/// beyond it the analysis says it stopped. Identities are deduplicated first.
const PAIR_BUDGET: usize = 200_000;

fn party_of<'c>(cluster: &'c Cluster, end: &FlowEnd) -> Party<'c> {
    match end {
        FlowEnd::Endpoint(i) => cluster.model.endpoints.get(*i).map(Party::Pod).unwrap_or(Party::External { ip: None, dns: None }),
        FlowEnd::ApiServer => {
            let ip = cluster.model.api_server.first().copied();
            match ip.and_then(|ip| cluster.model.nodes.values().find(|n| n.addresses.contains(&ip))) {
                Some(n) => Party::Node(n),
                None => Party::External { ip, dns: None },
            }
        }
    }
}

fn describe_end(cluster: &Cluster, end: &FlowEnd) -> String {
    match end {
        FlowEnd::Endpoint(i) => cluster.model.endpoints.get(*i).map(Endpoint::reference).unwrap_or_default(),
        FlowEnd::ApiServer => match cluster.model.api_server.first() {
            Some(ip) => format!("the API server (ip:{ip})"),
            None => "the API server (address not given)".into(),
        },
    }
}

/// The network layers of a flow as the packets cross them, without the mesh rewriting:
/// the flows a mesh needs for itself are dialled directly by proxies, the API server
/// or Prometheus on their real ports.
fn network(cluster: &Cluster, src: &Party, dst: &Party, port: u16, protocol: Protocol) -> (Layer, Layer) {
    let judge = Judge { cluster, detail: true };
    (judge.layer(Direction::Egress, src, dst, port, protocol), judge.layer(Direction::Ingress, dst, src, port, protocol))
}

fn failing(egress: &Layer, ingress: &Layer) -> Option<(String, Vec<PolicyRef>)> {
    if !egress.allowed {
        return Some((format!("egress: {}", egress.reason), egress.isolated_by.clone()));
    }
    if !ingress.allowed {
        return Some((format!("ingress: {}", ingress.reason), ingress.isolated_by.clone()));
    }
    None
}

struct Blocked<'a> {
    flow: &'a NeededFlow,
    why: String,
    policies: Vec<PolicyRef>,
}

fn blocked_flows<'a>(cluster: &Cluster, flows: &'a [NeededFlow]) -> Vec<Blocked<'a>> {
    let mut out = Vec::new();
    for f in flows {
        let Some(dst) = cluster.model.endpoints.get(f.to) else { continue };
        let src = party_of(cluster, &f.from);
        let (e, i) = network(cluster, &src, &Party::Pod(dst), f.port, f.protocol);
        if let Some((why, policies)) = failing(&e, &i) {
            out.push(Blocked { flow: f, why, policies });
        }
    }
    out
}

fn list(names: &BTreeSet<String>) -> String {
    let v: Vec<&String> = names.iter().collect();
    match v.len() {
        0..=4 => v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        n => format!("{} (+{} more)", v.iter().take(3).map(|s| s.as_str()).collect::<Vec<_>>().join(", "), n - 3),
    }
}

/// Groups blocked mesh flows into diagnostics: one per purpose, port and pair of
/// namespaces, so that "every proxy of a namespace is cut off" reads as one finding.
fn mesh_diagnostics(cluster: &Cluster, blocked: &[Blocked]) -> Vec<Diagnostic> {
    let ns_of = |end: &FlowEnd| match end {
        FlowEnd::Endpoint(i) => cluster.model.endpoints.get(*i).map(|e| e.namespace.clone()).unwrap_or_default(),
        FlowEnd::ApiServer => String::new(),
    };
    let mut groups: BTreeMap<(String, u16, String, String), Vec<&Blocked>> = BTreeMap::new();
    for b in blocked {
        let dst_ns = cluster.model.endpoints.get(b.flow.to).map(|e| e.namespace.clone()).unwrap_or_default();
        groups.entry((b.flow.purpose.clone(), b.flow.port, ns_of(&b.flow.from), dst_ns)).or_default().push(b);
    }
    let mut out = Vec::new();
    for ((purpose, port, _, _), items) in groups {
        let sources: BTreeSet<String> = items.iter().map(|b| describe_end(cluster, &b.flow.from)).collect();
        let targets: BTreeSet<String> =
            items.iter().filter_map(|b| cluster.model.endpoints.get(b.flow.to)).map(Endpoint::reference).collect();
        let severity = items.iter().map(|b| b.flow.severity).max().unwrap_or(Severity::Warning);
        let why = items.first().map(|b| b.why.clone()).unwrap_or_default();
        let mut policies: Vec<PolicyRef> = items.iter().flat_map(|b| b.policies.iter().cloned()).collect();
        policies.sort();
        policies.dedup();
        let from_api = items.iter().any(|b| b.flow.from == FlowEnd::ApiServer);
        let mut d = Diagnostic::new(
            DiagnosticCode::MeshFlowBlocked,
            severity,
            format!("{} cannot reach {} on {port}/TCP, which Linkerd needs for {purpose}: {why}", list(&sources), list(&targets)),
        );
        d.flows = items
            .iter()
            .filter_map(|b| {
                let to = cluster.model.endpoints.get(b.flow.to)?.reference();
                Some(FlowRef { from: describe_end(cluster, &b.flow.from), to, port, protocol: b.flow.protocol })
            })
            .collect();
        let names: Vec<String> = policies.iter().map(ToString::to_string).collect();
        d.help = Some(format!(
            "admit {port}/TCP from {} to {} in {}",
            if from_api { "the API server's address".to_string() } else { list(&sources) },
            list(&targets),
            if names.is_empty() { "the isolating policies".to_string() } else { names.join(", ") }
        ));
        if from_api {
            if let Some(trap) = items.iter().find_map(|b| cluster.model.endpoints.get(b.flow.to).and_then(|dst| webhook_trap(cluster, dst, port))) {
                d.help = Some(trap);
            }
        }
        d.policies = policies;
        out.push(d);
    }
    out
}

/// A rule that admits a Service port whose target is this container port: the API
/// server dials the pod's port after the Service is translated, so the rule misses.
fn webhook_trap(cluster: &Cluster, dst: &Endpoint, container_port: u16) -> Option<String> {
    let svc_ports: Vec<u16> = cluster
        .model
        .services
        .iter()
        .filter(|s| s.namespace == dst.namespace && s.selector.as_ref().is_some_and(|sel| sel.iter().all(|(k, v)| dst.labels.get(k) == Some(v))))
        .flat_map(|s| s.ports.iter())
        .filter(|p| match &p.target {
            crate::model::TargetPort::Number(n) => *n == container_port,
            crate::model::TargetPort::Name(n) => dst.ports.iter().any(|c| c.name.as_deref() == Some(n.as_str()) && c.port == container_port),
        })
        .map(|p| p.port)
        .filter(|p| *p != container_port)
        .collect();
    for p in cluster.selecting_cached(dst) {
        for rule in p.rules.iter().filter(|r| r.rule.direction == Direction::Ingress && !r.rule.deny) {
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

/// Meshed endpoints whose proxy cannot reach its control plane (identity, destination,
/// policy): the warning each of their verdicts carries.
pub(crate) fn starved_proxies(cluster: &Cluster) -> BTreeMap<usize, Diagnostic> {
    let Some(mesh) = cluster.mesh() else { return BTreeMap::new() };
    let flows: Vec<NeededFlow> =
        mesh.needed_flows(&cluster.model).into_iter().filter(|f| f.severity == Severity::Error && matches!(f.from, FlowEnd::Endpoint(_))).collect();
    let mut out = BTreeMap::new();
    for b in blocked_flows(cluster, &flows) {
        let FlowEnd::Endpoint(src) = b.flow.from else { continue };
        if out.contains_key(&src) {
            continue;
        }
        let (Some(s), Some(d)) = (cluster.model.endpoints.get(src), cluster.model.endpoints.get(b.flow.to)) else { continue };
        let mut diag = Diagnostic::new(
            DiagnosticCode::MeshFlowBlocked,
            Severity::Error,
            format!("the Linkerd proxy of {} cannot reach {} on {}/TCP ({}): {}", s.reference(), d.reference(), b.flow.port, b.flow.purpose, b.why),
        );
        diag.flows = vec![FlowRef { from: s.reference(), to: d.reference(), port: b.flow.port, protocol: b.flow.protocol }];
        diag.policies = b.policies.clone();
        diag.help = Some("the verdict is what the policies say; in a real cluster this proxy never becomes ready, so its traffic fails anyway".into());
        out.insert(src, diag);
    }
    out
}

fn dns_endpoints(cluster: &Cluster) -> Vec<&Endpoint> {
    let m = &cluster.model;
    if let Some(svc) = m.services.iter().find(|s| s.namespace == "kube-system" && s.name == "kube-dns") {
        if let Some(sel) = &svc.selector {
            let v: Vec<&Endpoint> =
                m.endpoints.iter().filter(|e| e.namespace == "kube-system" && sel.iter().all(|(k, v)| e.labels.get(k) == Some(v))).collect();
            if !v.is_empty() {
                return v;
            }
        }
    }
    m.endpoints.iter().filter(|e| e.namespace == "kube-system" && e.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")).collect()
}

/// Findings gathered under one key before they become one diagnostic.
#[derive(Default)]
struct Group {
    who: BTreeSet<String>,
    policies: Vec<PolicyRef>,
    why: String,
    flows: Vec<FlowRef>,
}

impl Group {
    fn add(&mut self, who: String, policies: impl IntoIterator<Item = PolicyRef>, why: impl FnOnce() -> String, flow: FlowRef) {
        self.who.insert(who);
        self.policies.extend(policies);
        if self.why.is_empty() {
            self.why = why();
        }
        self.flows.push(flow);
    }

    fn policies(&self) -> Vec<PolicyRef> {
        let mut p = self.policies.clone();
        p.sort();
        p.dedup();
        p
    }
}

fn dns_diagnostics(cluster: &Cluster) -> Vec<Diagnostic> {
    let dns = dns_endpoints(cluster);
    if dns.is_empty() {
        return Vec::new();
    }
    let mut by_ns: BTreeMap<String, Group> = BTreeMap::new();
    for e in &cluster.model.endpoints {
        if dns.iter().any(|d| std::ptr::eq(*d, e)) {
            continue;
        }
        let restricted = cluster.selecting_cached(e).iter().any(|p| p.egress.enforced);
        if !restricted {
            continue;
        }
        let src = Party::Pod(e);
        let mut first_failure = None;
        let mut reached = false;
        'outer: for d in &dns {
            for proto in [Protocol::Udp, Protocol::Tcp] {
                let (eg, ing) = network(cluster, &src, &Party::Pod(d), 53, proto);
                match failing(&eg, &ing) {
                    None => {
                        reached = true;
                        break 'outer;
                    }
                    Some(f) => {
                        first_failure.get_or_insert(f);
                    }
                }
            }
        }
        if !reached {
            let (why, policies) = first_failure.unwrap_or_default();
            let to = dns.first().map(|d| d.reference()).unwrap_or_default();
            by_ns.entry(e.namespace.clone()).or_default().add(e.reference(), policies, || why, FlowRef { from: e.reference(), to, port: 53, protocol: Protocol::Udp });
        }
    }
    let dns_names: BTreeSet<String> = dns.iter().map(|d| d.reference()).collect();
    by_ns
        .into_values()
        .map(|g| {
            let mut d = Diagnostic::new(
                DiagnosticCode::EgressWithoutDns,
                Severity::Error,
                format!("{} cannot reach the cluster DNS ({}) on 53/UDP or 53/TCP: {}", list(&g.who), list(&dns_names), g.why),
            );
            d.help = Some("add an egress rule to the kube-dns pods (namespaceSelector kubernetes.io/metadata.name: kube-system, podSelector k8s-app: kube-dns) on 53/UDP and 53/TCP".into());
            d.policies = g.policies();
            d.flows = g.flows;
            d
        })
        .collect()
}

/// Pairwise checks between meshed endpoints on each declared port: where the mesh's
/// port rewrite breaks a flow a policy admits, and where it widens a port rule.
fn rewrite_diagnostics(cluster: &Cluster) -> Vec<Diagnostic> {
    let Some(mesh) = cluster.mesh() else { return Vec::new() };
    let m = &cluster.model;
    let meshed: Vec<&Endpoint> = m.endpoints.iter().filter(|e| mesh.is_meshed(e.index)).collect();
    // One representative per identity: namespace, labels, ports, node and addresses.
    let mut seen = BTreeSet::new();
    let reps: Vec<&Endpoint> = meshed
        .iter()
        .copied()
        .filter(|e| seen.insert(format!("{}|{:?}|{:?}|{:?}|{:?}", e.namespace, e.labels, e.ports, e.ips, e.annotations)))
        .collect();
    let mut blocked: BTreeMap<(String, u16), Group> = BTreeMap::new();
    let mut widened: BTreeMap<(String, u16), Group> = BTreeMap::new();
    let mut budget = PAIR_BUDGET;
    let mut truncated = false;
    for dst in &reps {
        let ports: BTreeSet<u16> = dst
            .containers
            .iter()
            .filter(|c| c.name != "linkerd-proxy")
            .flat_map(|c| c.ports.iter())
            .filter(|p| p.protocol == Protocol::Tcp)
            .map(|p| p.port)
            .collect();
        for src in &reps {
            if std::ptr::eq(*src, *dst) {
                continue;
            }
            for &port in &ports {
                if budget == 0 {
                    truncated = true;
                    break;
                }
                budget -= 1;
                let (s, d) = (Party::Pod(src), Party::Pod(dst));
                let wire = mesh.wire_port(m, &s, &d, port, Protocol::Tcp);
                if wire.port == port {
                    continue;
                }
                let (ae, ai) = network(cluster, &s, &d, port, Protocol::Tcp);
                let (we, wi) = network(cluster, &s, &d, wire.port, Protocol::Tcp);
                let app_ok = ae.allowed && ai.allowed;
                let wire_fail = failing(&we, &wi);
                let flow = FlowRef { from: src.reference(), to: dst.reference(), port, protocol: Protocol::Tcp };
                match (app_ok, wire_fail) {
                    (true, Some((why, policies))) => {
                        let reason = wire.reason.clone().unwrap_or_default();
                        blocked.entry((dst.reference(), port)).or_default().add(src.reference(), policies, || format!("{why} ({reason})"), flow);
                    }
                    (false, None) => {
                        let authz_ok = mesh.authorize(m, &s, dst, port, Protocol::Tcp).is_none_or(|a| a.allowed);
                        if authz_ok {
                            let policies = ai.isolated_by.iter().chain(ae.isolated_by.iter()).cloned().collect::<Vec<_>>();
                            widened.entry((dst.reference(), port)).or_default().add(src.reference(), policies, String::new, flow);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((dst, port), g) in blocked {
        let inbound = mesh_inbound(cluster, &dst);
        let mut d = Diagnostic::new(
            DiagnosticCode::MeshPortRewriteBlocked,
            Severity::Error,
            format!("the policies admit {} → {dst} on {port}/TCP, but Linkerd carries that connection on port {inbound}, which they do not admit: {}", list(&g.who), g.why),
        );
        d.help = Some(format!("also allow TCP {inbound} between these meshed pods, in the source's egress and the destination's ingress"));
        d.policies = g.policies();
        d.flows = g.flows;
        out.push(d);
    }
    for ((dst, port), g) in widened {
        let mut d = Diagnostic::new(
            DiagnosticCode::MeshWidensPortRule,
            Severity::Warning,
            format!(
                "the policies do not admit {} → {dst} on {port}/TCP, but the mesh carries it on port {}, which they admit: the port restriction does not hold",
                list(&g.who),
                mesh_inbound(cluster, &dst)
            ),
        );
        d.help = Some("restrict ports in the mesh instead: a Linkerd Server per port with an AuthorizationPolicy for the allowed clients".into());
        d.policies = g.policies();
        d.flows = g.flows;
        out.push(d);
    }
    if truncated {
        out.push(Diagnostic::new(
            DiagnosticCode::AnalysisTruncated,
            Severity::Info,
            format!("the pairwise mesh port analysis stopped after {PAIR_BUDGET} checks; some port rewrites were not examined"),
        ));
    }
    out
}

fn mesh_inbound(cluster: &Cluster, dst: &str) -> u16 {
    let idx = cluster.model.endpoints.iter().position(|e| e.reference() == dst).unwrap_or(0);
    cluster.mesh().map(|m| m.inbound_port(&cluster.model, idx)).unwrap_or(crate::mesh::linkerd::INBOUND_PORT)
}

fn l7_diagnostics(cluster: &Cluster) -> Vec<Diagnostic> {
    let Some(mesh) = cluster.mesh() else { return Vec::new() };
    let m = &cluster.model;
    let judge = Judge { cluster, detail: true };
    let mut out = Vec::new();
    for (pi, p) in m.policies.iter().enumerate() {
        if !cluster.dataplane.enforces(p.policy.kind) {
            continue;
        }
        let subjects: Vec<&Endpoint> =
            m.endpoints.iter().filter(|e| judge.selecting(e).contains(&pi)).collect();
        for rule in p.rules.iter().filter(|r| !r.l7.is_empty() && !r.rule.deny) {
            let meshed: Vec<&Endpoint> = match rule.rule.direction {
                Direction::Ingress => subjects.iter().copied().filter(|e| mesh.is_meshed(e.index)).collect(),
                Direction::Egress => {
                    if subjects.iter().any(|e| mesh.is_meshed(e.index)) {
                        m.endpoints
                            .iter()
                            .filter(|e| mesh.is_meshed(e.index))
                            .filter(|e| rule.peers.iter().any(|peer| matches!(peer, Peer::Any) || peer_could_match(cluster, peer, e)))
                            .collect()
                    } else {
                        Vec::new()
                    }
                }
            };
            if meshed.is_empty() {
                continue;
            }
            let names: BTreeSet<String> = meshed.iter().map(|e| e.reference()).collect();
            let l7: Vec<String> = rule.l7.iter().map(|l| format!("{} {}", l.protocol, l.summary)).collect();
            let mut d = Diagnostic::new(
                DiagnosticCode::L7RuleOnMeshedEndpoint,
                Severity::Warning,
                format!(
                    "{} has L7 rules ({}) for traffic of meshed {}: Linkerd encrypts that traffic (mTLS, and on 2.18+ on port 4143), so Cilium's proxy cannot read it and the rule cannot work as written",
                    rule.rule,
                    l7.join("; "),
                    list(&names)
                ),
            );
            d.help = Some("keep L3/L4 rules in Cilium and express L7 rules with Linkerd (HTTPRoute + AuthorizationPolicy)".into());
            d.policies = vec![p.policy.clone()];
            d.location = Some(m.locate(&p.origin, &rule.rule.path));
            out.push(d);
        }
    }
    out
}

fn peer_could_match(cluster: &Cluster, peer: &Peer, e: &Endpoint) -> bool {
    let m = &cluster.model;
    match peer {
        Peer::Identity { selector } => {
            let ns = m.namespace_labels(&e.namespace);
            selector.matches_with(|k| crate::policy::cilium_pod_label(e, ns, k))
        }
        Peer::Pods { namespaces, pods } => {
            let ns_ok = match namespaces {
                NamespaceScope::Own { namespace } => &e.namespace == namespace,
                NamespaceScope::Matching { selector } => m.namespace_labels(&e.namespace).is_some_and(|l| selector.matches(l)),
            };
            ns_ok && pods.matches(&e.labels)
        }
        Peer::Entity { entity } => matches!(entity, crate::policy::Entity::All | crate::policy::Entity::Cluster),
        _ => false,
    }
}

fn selector_diagnostics(cluster: &Cluster) -> Vec<Diagnostic> {
    let m = &cluster.model;
    let mut out = Vec::new();
    let mut push = |policy: &PolicyRef, origin: &crate::model::Origin, path: &str, what: String| {
        let mut d = Diagnostic::new(DiagnosticCode::SelectorMatchesNothing, Severity::Warning, format!("{policy} {path}: {what}"));
        d.policies = vec![policy.clone()];
        d.location = Some(m.locate(origin, path));
        d.help = Some("check the labels: a selector that matches nothing is usually a typo or a label no object carries".into());
        out.push(d);
    };
    for p in &m.policies {
        if !cluster.dataplane.enforces(p.policy.kind) && p.policy.kind != PolicyKind::NetworkPolicy {
            continue;
        }
        match &p.subject {
            Subject::Pods { namespace, selector }
                if !selector.is_empty() && !m.endpoints.iter().any(|e| &e.namespace == namespace && selector.matches(&e.labels)) =>
            {
                push(&p.policy, &p.origin, &p.subject_path, format!("selects no pod in namespace {namespace} ({selector})"));
            }
            Subject::Identity { selector } => {
                let nontrivial = selector.requirements.iter().any(|r| !r.key().ends_with("io.kubernetes.pod.namespace"));
                let any = m.endpoints.iter().any(|e| selector.matches_with(|k| crate::policy::cilium_pod_label(e, m.namespace_labels(&e.namespace), k)));
                if nontrivial && !any {
                    push(&p.policy, &p.origin, &p.subject_path, format!("selects no endpoint ({selector})"));
                }
            }
            _ => {}
        }
        for rule in &p.rules {
            for (i, peer) in rule.peers.iter().enumerate() {
                let empty = match peer {
                    Peer::Pods { namespaces, pods } => {
                        let ns_sel_nonempty = matches!(namespaces, NamespaceScope::Matching { selector } if !selector.is_empty());
                        (ns_sel_nonempty || !pods.is_empty()) && !m.endpoints.iter().any(|e| peer_could_match(cluster, peer, e))
                    }
                    Peer::Identity { selector } => {
                        let reserved = selector.requirements.iter().any(|r| r.key().starts_with("reserved:"));
                        let nontrivial = selector.requirements.iter().any(|r| !r.key().ends_with("io.kubernetes.pod.namespace"));
                        !reserved && nontrivial && !m.endpoints.iter().any(|e| peer_could_match(cluster, peer, e))
                    }
                    _ => false,
                };
                if empty {
                    let list = match (p.policy.kind, rule.rule.direction) {
                        (PolicyKind::NetworkPolicy, Direction::Ingress) => "from",
                        (PolicyKind::NetworkPolicy, Direction::Egress) => "to",
                        (_, Direction::Ingress) => "fromEndpoints",
                        (_, Direction::Egress) => "toEndpoints",
                    };
                    push(&p.policy, &p.origin, &format!("{}.{list}[{i}]", rule.rule.path), format!("{peer} matches no endpoint in the input"));
                }
            }
        }
    }
    for s in &m.linkerd.servers {
        if let Some(sel) = &s.spec.selector {
            if !sel.is_empty() && !m.endpoints.iter().any(|e| e.namespace == s.namespace && sel.matches(&e.labels)) {
                let mut d = Diagnostic::new(
                    DiagnosticCode::SelectorMatchesNothing,
                    Severity::Warning,
                    format!("Server {}/{} spec.podSelector: selects no pod ({sel})", s.namespace, s.name),
                );
                d.location = Some(m.locate(&s.origin, "spec.podSelector"));
                out.push(d);
            }
        }
    }
    out
}

fn linkerd_policy_diagnostics(cluster: &Cluster) -> Vec<Diagnostic> {
    let m = &cluster.model;
    let mut out = Vec::new();
    for ap in &m.linkerd.authorization_policies {
        for r in ap.spec.required_authentication_refs.iter().flatten() {
            let ns = r.namespace.clone().unwrap_or_else(|| ap.namespace.clone());
            let name = r.name.clone().unwrap_or_default();
            let missing = match r.kind.as_deref() {
                Some("MeshTLSAuthentication") => !m.linkerd.mesh_tls.iter().any(|x| x.namespace == ns && x.name == name),
                Some("NetworkAuthentication") => !m.linkerd.network_auth.iter().any(|x| x.namespace == ns && x.name == name),
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

/// Every diagnostic of the cluster, most severe first.
pub fn diagnose(cluster: &Cluster) -> Vec<Diagnostic> {
    let m = &cluster.model;
    let mut out = Vec::new();
    for inv in m.invalid.iter().chain(m.agent_refused.iter()) {
        let mut d = Diagnostic::new(DiagnosticCode::InvalidPolicy, Severity::Error, inv.error.message.clone());
        d.help = inv.error.help.clone();
        d.location = inv.error.location.as_deref().cloned();
        out.push(d);
    }
    if let Some(mesh) = cluster.mesh() {
        for (code, message) in mesh.assumptions() {
            out.push(Diagnostic::new(code, Severity::Info, message));
        }
        let flows = mesh.needed_flows(m);
        out.extend(mesh_diagnostics(cluster, &blocked_flows(cluster, &flows)));
    }
    out.extend(dns_diagnostics(cluster));
    out.extend(rewrite_diagnostics(cluster));
    out.extend(l7_diagnostics(cluster));
    out.extend(selector_diagnostics(cluster));
    out.extend(linkerd_policy_diagnostics(cluster));
    let ignored: Vec<PolicyRef> = {
        let mut v: Vec<PolicyRef> = m.policies.iter().filter(|p| !cluster.dataplane.enforces(p.policy.kind)).map(|p| p.policy.clone()).collect();
        v.dedup();
        v
    };
    if !ignored.is_empty() {
        let names: Vec<String> = ignored.iter().map(ToString::to_string).collect();
        let mut d = Diagnostic::new(
            DiagnosticCode::PolicyNotEnforced,
            Severity::Warning,
            format!(
                "the input holds Cilium policies ({}), but the dataplane is {} ({}): they are not enforced, and every verdict they would select says so",
                list(&names.into_iter().collect()),
                cluster.dataplane.as_str(),
                cluster.dataplane_choice.reason
            ),
        );
        d.help = Some("judge on the dataplane that runs the cluster: --dataplane cilium, or auto".into());
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
        d.location = m.signs.calico_objects.first().map(|o| m.locate(&o.origin, ""));
        out.push(d);
    }
    if m.policies.iter().any(|p| matches!(p.subject, Subject::Nodes { .. })) && cluster.dataplane == crate::cluster::Dataplane::Cilium {
        out.push(Diagnostic::new(
            DiagnosticCode::HostPolicyNotEnforced,
            Severity::Info,
            "CiliumClusterwideNetworkPolicies with nodeSelector apply only with the host firewall, which is off by default: they are not enforced",
        ));
    }
    out.sort_by_key(|d| std::cmp::Reverse(d.severity));
    out
}
