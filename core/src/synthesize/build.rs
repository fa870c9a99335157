//! Intents and the needs of the mesh and the platform, made into policy plans: one
//! policy per workload concerned (or per namespace), each rule tagged with what it is for,
//! and the claims the proof checks the result against.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::plan::{Dir, NsSel, Peer, PolicyPlan, PortItem, PortSet, Reason, Sel, Subject};
use super::resolve::{is_placeholder, Flow, Resolved, Side};
use super::units::{Unit, Units};
use super::{Dialect, Granularity, SynthOptions, Unmet};
use crate::cluster::Cluster;
use crate::compile::mesh::FlowEnd;
use crate::compile::party::Party;
use crate::model::{Endpoint, Model, TargetPort};
use crate::ports::Protocol;
use crate::selector::Labels;

/// Who a claim is about: a pod, or a party that is no pod (by its query reference).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    Pod(usize),
    Other(String),
}

/// What the synthesized set is meant to allow, pair by pair (intents, the mesh's and the
/// platform's needs): the proof lists whatever else it allows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Claims {
    pub map: HashMap<(Key, Key), PortSet>,
}

impl Claims {
    pub fn add(&mut self, from: Key, to: Key, ports: &PortSet) {
        self.map.entry((from, to)).or_default().extend(ports);
    }

    pub fn covers(&self, from: &Key, to: &Key, protocol: Protocol, port: u16) -> bool {
        self.map
            .get(&(from.clone(), to.clone()))
            .is_some_and(|p| p.covers(protocol, port))
    }
}

/// A flow the mesh or the platform needs, made explicit in the output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "Need")
)]
#[serde(rename_all = "camelCase")]
pub struct NeedView {
    pub from: String,
    pub to: String,
    pub port: String,
    /// What it is for, and where that is written down.
    pub purpose: String,
}

/// A Linkerd Server to emit (or an existing one to authorize on).
#[derive(Debug, Clone)]
pub(crate) struct ServerPlan {
    pub namespace: String,
    pub name: String,
    pub selector: Sel,
    pub port: u16,
    pub opaque: bool,
    /// An existing Server of that port: authorize on it instead of writing one.
    pub existing: Option<String>,
    /// (service account, namespace) of meshed clients.
    pub identities: BTreeSet<(String, String)>,
    /// Networks of clients without an identity (unmeshed pods, outside addresses).
    pub networks: BTreeSet<ipnet::IpNet>,
    pub reasons: BTreeSet<String>,
    pub about: String,
}

/// Everything synthesis decided before rendering.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub policies: Vec<PolicyPlan>,
    pub servers: Vec<ServerPlan>,
    pub claims: Claims,
    /// Endpoints whose policies are synthesized.
    pub concerned: BTreeSet<usize>,
    /// Other endpoints the synthesized policies select: those no label tells apart from a
    /// workload concerned (units.rs, `also`). They are isolated with it and get what it
    /// gets, the mesh's needs included; the proof checks the mesh's diagnostics on them.
    pub also: BTreeSet<usize>,
    pub needs: BTreeSet<NeedView>,
    pub unmet: Vec<Unmet>,
    pub notes: Vec<String>,
}

/// The chart's identity trust domain, as the injector wrote it into each proxy
/// (`_l5d_trustdomain`, charts/partials `_proxy.tpl`); `cluster.local` is the chart default.
pub(crate) fn trust_domain(model: &Model) -> (String, bool) {
    for e in &model.endpoints {
        for c in e.containers.iter().filter(|c| c.name == "linkerd-proxy") {
            if let Some((_, v)) = c.env.iter().find(|(k, _)| k == "_l5d_trustdomain") {
                if !v.is_empty() && !v.contains('$') {
                    return (v.clone(), true);
                }
            }
        }
    }
    ("cluster.local".into(), false)
}

/// The cluster DNS pods (the Service `kube-system/kube-dns`, or OpenShift's
/// `openshift-dns/dns-default`, else pods labelled `k8s-app: kube-dns` in kube-system)
/// and the ports they serve DNS on: the target ports of the Service's port 53.
pub(crate) fn dns_pods(model: &Model) -> (Vec<usize>, BTreeSet<(Protocol, u16)>) {
    let mut ports = BTreeSet::new();
    for (ns, name) in [
        ("kube-system", "kube-dns"),
        ("openshift-dns", "dns-default"),
    ] {
        let Some(svc) = model
            .services
            .iter()
            .find(|s| s.namespace == ns && s.name == name)
        else {
            continue;
        };
        let Some(sel) = svc.selector.as_ref().filter(|s| !s.is_empty()) else {
            continue;
        };
        let pods: Vec<&Endpoint> = model
            .endpoints
            .iter()
            .filter(|e| e.namespace == ns && sel.iter().all(|(k, v)| e.labels.get(k) == Some(v)))
            .collect();
        if pods.is_empty() {
            continue;
        }
        for sp in svc
            .ports
            .iter()
            .filter(|p| p.port == 53 || p.name.as_deref().is_some_and(|n| n.starts_with("dns")))
        {
            for e in &pods {
                let n = match &sp.target {
                    TargetPort::Number(n) => Some(*n),
                    TargetPort::Name(t) => e
                        .ports
                        .iter()
                        .find(|d| {
                            d.name.as_deref() == Some(t.as_str()) && d.protocol == sp.protocol
                        })
                        .map(|d| d.port),
                };
                if let Some(n) = n {
                    ports.insert((sp.protocol, n));
                }
            }
        }
        if ports.is_empty() {
            ports.extend([(Protocol::Udp, 53), (Protocol::Tcp, 53)]);
        }
        return (pods.iter().map(|e| e.index).collect(), ports);
    }
    let pods: Vec<usize> = model
        .endpoints
        .iter()
        .filter(|e| {
            e.namespace == "kube-system"
                && e.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
        })
        .map(|e| e.index)
        .collect();
    (
        pods,
        BTreeSet::from([(Protocol::Udp, 53), (Protocol::Tcp, 53)]),
    )
}

/// The meshed pods of each peer, and the wire ports between the pods of two peers on a
/// flow's ports (application port, why, an example pair), kept while the intents are
/// planned: many flows share them.
#[derive(Default)]
struct WireMemo {
    /// (source, destination, wire port) of every pair an intent names itself: its own
    /// rules admit that port on both sides.
    owned: BTreeSet<(usize, usize, u16)>,
    meshed: HashMap<Peer, Vec<usize>>,
    wire: HashMap<(Dir, Peer, Peer, PortSet), BTreeMap<u16, Carried>>,
}

/// A pair the mesh carries on a wire port: (application port, why, source, destination).
type Carried = (u16, String, usize, usize);

pub(crate) struct Builder<'c> {
    pub cluster: &'c Cluster,
    pub units: &'c Units,
    pub options: &'c SynthOptions,
    pub plan: Plan,
    /// Unit index → its policy (index into plan.policies).
    policy_of: BTreeMap<usize, usize>,
    /// Namespace → its policy (namespace granularity).
    ns_policy: BTreeMap<String, usize>,
}

fn unit_about(model: &Model, u: &Unit) -> String {
    let kind = u
        .endpoints
        .first()
        .and_then(|i| model.endpoints.get(*i))
        .map(|e| e.kind.as_str())
        .unwrap_or("Pod");
    if u.endpoints.len() > 1 {
        format!("{} ({} pods)", u.reference(), u.endpoints.len())
    } else {
        format!("{} ({kind})", u.reference())
    }
}

impl<'c> Builder<'c> {
    pub fn new(cluster: &'c Cluster, units: &'c Units, options: &'c SynthOptions) -> Builder<'c> {
        Builder {
            cluster,
            units,
            options,
            plan: Plan::default(),
            policy_of: BTreeMap::new(),
            ns_policy: BTreeMap::new(),
        }
    }

    pub(crate) fn model(&self) -> &'c Model {
        self.cluster.model()
    }

    pub(crate) fn meshed(&self, e: usize) -> bool {
        self.cluster.mesh().is_some_and(|m| m.is_meshed(e))
    }

    pub(crate) fn unit_of(&self, e: usize) -> Option<usize> {
        self.units.of.get(e).copied().filter(|u| *u != usize::MAX)
    }

    /// The policy that holds a unit's rules, when the unit is concerned.
    fn policy(&self, unit: usize) -> Option<usize> {
        match self.options.granularity {
            Granularity::Workload => self.policy_of.get(&unit).copied(),
            Granularity::Namespace => self
                .units
                .list
                .get(unit)
                .and_then(|u| self.ns_policy.get(&u.namespace).copied()),
        }
    }

    fn want(&mut self, unit: usize, dir: Dir, peer: Peer, ports: &PortSet, reason: Reason) {
        if let Some(p) = self
            .policy(unit)
            .and_then(|i| self.plan.policies.get_mut(i))
        {
            p.want(dir, peer, ports, reason);
        }
    }

    /// The peer that names a unit: its namespace and labels (or the whole namespace).
    pub fn unit_peer(&self, unit: usize) -> Option<Peer> {
        let u = self.units.list.get(unit)?;
        Some(match self.options.granularity {
            Granularity::Namespace => Peer::Pods {
                namespace: NsSel::Named(u.namespace.clone()),
                pods: None,
            },
            Granularity::Workload => Peer::Pods {
                namespace: NsSel::Named(u.namespace.clone()),
                pods: Some(u.selector.clone()),
            },
        })
    }

    fn side_peer(&self, s: &Side) -> Option<Peer> {
        match s {
            Side::Pod(i) => self.unit_of(*i).and_then(|u| self.unit_peer(u)),
            Side::Node(_) => Some(Peer::Nodes),
            Side::External(net) => {
                let api = net.prefix_len() == net.max_prefix_len()
                    && self.model().api_server.contains(&net.addr());
                Some(if api {
                    Peer::ApiServer
                } else {
                    Peer::Cidr(*net)
                })
            }
            Side::Dns(n) if n.is_empty() => None,
            Side::Dns(n) => Some(Peer::Fqdn(n.clone())),
        }
    }

    /// The claim keys a side stands for: every pod of its unit.
    fn keys(&self, s: &Side) -> Vec<Key> {
        match s {
            // What a coarser granularity widens this to is residue, listed by the proof.
            Side::Pod(i) => match self.unit_of(*i).and_then(|u| self.units.list.get(u)) {
                Some(u) => u.endpoints.iter().map(|e| Key::Pod(*e)).collect(),
                None => vec![Key::Pod(*i)],
            },
            Side::Node(n) => vec![Key::Other(format!("node:{n}"))],
            Side::External(net) => vec![Key::Other(format!("ip:{}", net.addr()))],
            Side::Dns(n) => vec![Key::Other(format!("dns:{n}"))],
        }
    }

    /// Decides which workloads get policies: those the intents name, and every workload of
    /// the namespaces to isolate.
    pub fn concern(&mut self, resolved: &Resolved) {
        let model = self.model();
        let (dns, _) = dns_pods(model);
        // The mesh's control plane and the cluster DNS are the platform: an intent that
        // names them gets its rule on the other side, and they are isolated only when
        // their namespace is.
        let linkerd = self.cluster.compiled().linkerd.as_ref();
        let platform = |e: usize| {
            dns.contains(&e)
                || linkerd
                    .and_then(|l| l.info.get(e))
                    .is_some_and(|i| i.component.is_some())
        };
        let mut units: BTreeSet<usize> = BTreeSet::new();
        let mut spared: BTreeSet<String> = BTreeSet::new();
        for f in &resolved.flows {
            for s in [&f.from, &f.to] {
                if let Side::Pod(i) = s {
                    if platform(*i) {
                        spared.extend(
                            self.unit_of(*i)
                                .and_then(|u| self.units.list.get(u))
                                .map(Unit::reference),
                        );
                        continue;
                    }
                    units.extend(self.unit_of(*i));
                }
            }
        }
        if !spared.is_empty() && !self.options.isolate_all {
            self.plan.notes.push(format!(
                "{} belong to the platform (Linkerd's control plane, the cluster DNS): the intents that name them get their rules on the other side only; isolate their namespace to restrict them",
                spared.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        for (i, u) in self.units.list.iter().enumerate() {
            if self.options.isolate_all || self.options.isolate_namespaces.contains(&u.namespace) {
                units.insert(i);
            }
        }
        if self.options.granularity == Granularity::Namespace {
            let namespaces: BTreeSet<String> = units
                .iter()
                .filter_map(|u| self.units.list.get(*u))
                .map(|u| u.namespace.clone())
                .collect();
            units = self
                .units
                .list
                .iter()
                .enumerate()
                .filter(|(_, u)| namespaces.contains(&u.namespace))
                .map(|(i, _)| i)
                .collect();
        }
        for &ui in &units {
            let Some(u) = self.units.list.get(ui) else {
                continue;
            };
            // The control plane's and the DNS's own pods are the platform: only isolated
            // when asked for by namespace.
            self.plan.concerned.extend(u.endpoints.iter().copied());
            if self.options.dialect == Dialect::Linkerd {
                continue;
            }
            match self.options.granularity {
                Granularity::Workload => {
                    let mut p = PolicyPlan::new(
                        &u.namespace,
                        &policy_name(&u.name),
                        Subject::Pods(u.selector.clone()),
                        unit_about(model, u),
                    );
                    if !u.also.is_empty() {
                        let also: Vec<String> = u
                            .also
                            .iter()
                            .filter_map(|i| model.endpoints.get(*i))
                            .map(Endpoint::reference)
                            .collect();
                        p.notes.push(format!(
                            "its labels ({}) also select {}: they carry the same labels",
                            u.selector.text(),
                            also.join(", ")
                        ));
                        self.plan.notes.push(format!(
                            "{}/{} also selects {} (no label tells them apart from {}): they are isolated with it and get what it gets",
                            u.namespace,
                            policy_name(&u.name),
                            also.join(", "),
                            u.reference()
                        ));
                    }
                    self.plan.also.extend(u.also.iter().copied());
                    self.policy_of.insert(ui, self.plan.policies.len());
                    self.plan.policies.push(p);
                }
                Granularity::Namespace => {
                    if !self.ns_policy.contains_key(&u.namespace) {
                        let p = PolicyPlan::new(
                            &u.namespace,
                            "meshverdict-namespace",
                            Subject::Namespace,
                            format!("every pod of namespace {}", u.namespace),
                        );
                        self.ns_policy
                            .insert(u.namespace.clone(), self.plan.policies.len());
                        self.plan.policies.push(p);
                    }
                }
            }
        }
    }

    /// Whether the dialect can hold a flow; why not, when it cannot.
    fn unmet(&self, f: &Flow) -> Option<String> {
        let dialect = self.options.dialect;
        match (&f.to, dialect) {
            (Side::Dns(n), Dialect::NetworkPolicy) => {
                return Some(format!("NetworkPolicy cannot name dns:{n} (it has no DNS-name rules): use --dialect cilium (toFQDNs), or name the addresses with ip:"))
            }
            (Side::Node(n), Dialect::NetworkPolicy | Dialect::Cilium) => {
                return Some(format!("node:{n} is a node's host network: pod policies cannot select it (its host firewall is its own)"))
            }
            (_, Dialect::Linkerd) => {
                let meshed = matches!(&f.to, Side::Pod(i) if self.meshed(*i));
                if !meshed {
                    return Some(format!("{}: the Linkerd dialect restricts only meshed destinations (Linkerd authorizes inbound connections at the server's proxy)", self.side_text(&f.to)));
                }
                let policy = self.cluster.compiled().linkerd.as_ref().is_some_and(|l| l.version.has_policy());
                if !policy {
                    return Some("this Linkerd version has no policy resources (Server and authorizations came with 2.11)".into());
                }
            }
            _ => {}
        }
        if let (Side::Node(n), Dialect::NetworkPolicy) = (&f.from, dialect) {
            let known = self
                .model()
                .nodes
                .get(n)
                .is_some_and(|x| !x.addresses.is_empty());
            if !known {
                return Some(format!("node:{n} has no address in the input: NetworkPolicy can only admit a node by its address (ipBlock)"));
            }
            if !self.cluster.compiled().settings.cidr_matches_nodes {
                return Some(format!(
                    "node:{n}: on the {} dataplane ipBlock rules do not match node addresses: use --dialect cilium (remote-node entity)",
                    self.cluster.dataplane.as_str()
                ));
            }
        }
        None
    }

    pub(crate) fn side_text(&self, s: &Side) -> String {
        match s {
            Side::Pod(i) => self
                .model()
                .endpoints
                .get(*i)
                .map(Endpoint::reference)
                .unwrap_or_default(),
            Side::Node(n) => format!("node:{n}"),
            Side::External(n) => format!("ip:{n}"),
            Side::Dns(n) => format!("dns:{n}"),
        }
    }

    /// The wire ports the mesh carries a flow on, beside its application ports.
    pub(crate) fn wire(&self, f: &Flow) -> Vec<(u16, u16, String)> {
        let (Side::Pod(s), Side::Pod(d)) = (&f.from, &f.to) else {
            return Vec::new();
        };
        self.wire_between(*s, *d, &f.ports)
    }

    /// The wire ports the mesh carries `s → d` on, for each application port of `ports`
    /// that it carries on another: (application port, wire port, why).
    fn wire_between(&self, s: usize, d: usize, ports: &PortSet) -> Vec<(u16, u16, String)> {
        let Some(mesh) = self.cluster.mesh() else {
            return Vec::new();
        };
        let m = self.model();
        let (Some(se), Some(de)) = (m.endpoints.get(s), m.endpoints.get(d)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in &ports.0 {
            if item.protocol.is_some_and(|p| p != Protocol::Tcp) {
                continue;
            }
            let samples: Vec<u16> = match item.range {
                Some((a, b)) => vec![a, b],
                None => continue,
            };
            for p in samples {
                let w = mesh.wire_port(m, &Party::Pod(se), &Party::Pod(de), p, Protocol::Tcp);
                if w.port != p {
                    out.push((p, w.port, w.reason.unwrap_or_default()));
                }
            }
        }
        out.sort();
        out.dedup_by(|a, b| a.1 == b.1);
        out
    }

    /// The meshed pods a peer picks (pods by namespace and labels; no other kind of peer
    /// picks pods).
    fn meshed_pods(&self, peer: &Peer) -> Vec<usize> {
        let Peer::Pods { namespace, pods } = peer else {
            return Vec::new();
        };
        self.model()
            .endpoints
            .iter()
            .filter(|e| {
                self.meshed(e.index)
                    && match namespace {
                        NsSel::Named(ns) => &e.namespace == ns,
                        NsSel::All => true,
                    }
                    && pods.as_ref().is_none_or(|s| s.matches(&e.labels))
            })
            .map(|e| e.index)
            .collect()
    }

    /// The wire ports a rule of `unit`'s policy (in `dir`, with `peer`, for flow `f`)
    /// must admit, each with its reason (the intent's own pairs give theirs). The rule
    /// admits the application ports between every pod the policy selects and
    /// every pod the peer picks, not only the intent's: a selector also picks the pods
    /// no label tells apart from a workload's (units.rs, `also`), a namespace's policy
    /// every pod of it. Where both pods of such a pair are meshed, the mesh carries the
    /// connection on its wire port (Linkerd 2.18: the inbound port 4143), which the rule
    /// must admit too, or the policies break the connection they admit
    /// (`mesh-port-rewrite-blocked`, found by the `networkpolicy_synthesis_is_proven`
    /// property: an unmeshed pod's egress policy that also selected a meshed one).
    fn picked_wire(
        &self,
        unit: usize,
        dir: Dir,
        peer: &Peer,
        f: &Flow,
        memo: &mut WireMemo,
    ) -> Vec<(u16, Reason)> {
        if self.cluster.mesh().is_none() || self.policy(unit).is_none() {
            return Vec::new();
        }
        let Some(subject) = self.unit_peer(unit) else {
            return Vec::new();
        };
        let (from, to) = match dir {
            Dir::Ingress => (peer.clone(), subject),
            Dir::Egress => (subject, peer.clone()),
        };
        let key = (dir, from, to, f.ports.clone());
        if !memo.wire.contains_key(&key) {
            let mut pods = |p: &Peer| -> Vec<usize> {
                memo.meshed
                    .entry(p.clone())
                    .or_insert_with(|| self.meshed_pods(p))
                    .clone()
            };
            let (sources, destinations) = (pods(&key.1), pods(&key.2));
            // A pair an intent names gets the wire port from its own rules, where the pod
            // of this side has a policy of its own.
            let own = |s: usize, d: usize, w: u16| {
                memo.owned.contains(&(s, d, w))
                    && self
                        .unit_of(if dir == Dir::Egress { s } else { d })
                        .and_then(|u| self.policy(u))
                        .is_some()
            };
            let mut found: BTreeMap<u16, Carried> = BTreeMap::new();
            for &s in &sources {
                for &d in destinations.iter().filter(|d| **d != s) {
                    for (app, w, why) in self.wire_between(s, d, &f.ports) {
                        if !own(s, d, w) {
                            found.entry(w).or_insert((app, why, s, d));
                        }
                    }
                }
            }
            memo.wire.insert(key.clone(), found);
        }
        let m = self.model();
        let name = |i: usize| {
            m.endpoints
                .get(i)
                .map(Endpoint::reference)
                .unwrap_or_default()
        };
        memo.wire
            .get(&key)
            .into_iter()
            .flatten()
            .map(|(w, (app, why, s, d))| {
                (
                    *w,
                    Reason::need(format!(
                        "Linkerd carries {app}/TCP of {} → {} on {w} (pods this rule picks beside intent #{}): {why}",
                        name(*s),
                        name(*d),
                        f.intent
                    )),
                )
            })
            .collect()
    }

    /// Rules for the intents.
    pub fn intents(&mut self, resolved: &Resolved) {
        let mut unmet: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        let wires: Vec<Vec<(u16, u16, String)>> = resolved
            .flows
            .iter()
            .map(|f| match self.unmet(f) {
                Some(_) => Vec::new(),
                None => self.wire(f),
            })
            .collect();
        let mut memo = WireMemo::default();
        for (f, wire) in resolved.flows.iter().zip(&wires) {
            if let (Side::Pod(s), Side::Pod(d)) = (&f.from, &f.to) {
                memo.owned.extend(wire.iter().map(|(_, w, _)| (*s, *d, *w)));
            }
        }
        // (unit, direction, peer, intent, wire port): those an intent's own pairs bring,
        // and the reasons of those only other pods of the rule's selectors bring.
        let mut carried: BTreeSet<(usize, Dir, Peer, usize, u16)> = BTreeSet::new();
        let mut beside: BTreeMap<(usize, Dir, Peer, usize, u16), Reason> = BTreeMap::new();
        for (f, wire) in resolved.flows.iter().zip(wires) {
            if let Some(why) = self.unmet(f) {
                unmet.entry(f.intent).or_default().insert(why);
                continue;
            }
            let summary = resolved
                .summaries
                .get(f.intent.saturating_sub(1))
                .cloned()
                .unwrap_or_default();
            let reason = Reason::intent(f.intent, &summary);
            let mut ports = f.ports.clone();
            let mut wire_reason = None;
            for (app, w, why) in &wire {
                ports.insert(PortItem::one(Protocol::Tcp, *w));
                wire_reason = Some(Reason::need(format!(
                    "Linkerd carries {app}/TCP of intent #{} on {w}: {why}",
                    f.intent
                )));
            }
            // The rules this flow goes into: the destination's ingress, the source's egress.
            let mut rules: Vec<(usize, Dir, Peer)> = Vec::new();
            if self.options.dialect != Dialect::Linkerd {
                if let (Side::Pod(d), Some(peer)) = (
                    &f.to,
                    f.from_peer.clone().or_else(|| self.side_peer(&f.from)),
                ) {
                    if let Some(u) = self.unit_of(*d) {
                        rules.push((u, Dir::Ingress, peer));
                    }
                }
                if let (Side::Pod(s), false) = (&f.from, is_placeholder(&f.from)) {
                    if let (Some(u), Some(peer)) = (
                        self.unit_of(*s),
                        f.to_peer.clone().or_else(|| self.side_peer(&f.to)),
                    ) {
                        rules.push((u, Dir::Egress, peer));
                    }
                }
            }
            for (u, dir, peer) in rules {
                let picked = self.picked_wire(u, dir, &peer, f, &mut memo);
                let mut ports = ports.clone();
                for (w, _) in &picked {
                    ports.insert(PortItem::one(Protocol::Tcp, *w));
                }
                self.want(u, dir, peer.clone(), &ports, reason.clone());
                if let Some(r) = &wire_reason {
                    self.want(u, dir, peer.clone(), &ports, r.clone());
                }
                for (_, w, _) in &wire {
                    carried.insert((u, dir, peer.clone(), f.intent, *w));
                }
                for (w, r) in picked {
                    beside
                        .entry((u, dir, peer.clone(), f.intent, w))
                        .or_insert(r);
                }
            }
            if is_placeholder(&f.from) {
                continue;
            }
            for a in self.keys(&f.from) {
                for b in self.keys(&f.to) {
                    self.plan.claims.add(a.clone(), b.clone(), &f.ports);
                    for (_, w, _) in &wire {
                        self.plan.claims.add(
                            a.clone(),
                            b.clone(),
                            &PortSet(BTreeSet::from([PortItem::one(Protocol::Tcp, *w)])),
                        );
                    }
                }
            }
        }
        for (key, r) in beside {
            if carried.contains(&key) {
                continue;
            }
            let (u, dir, peer, _, w) = key;
            let port = PortSet(BTreeSet::from([PortItem::one(Protocol::Tcp, w)]));
            self.want(u, dir, peer, &port, r);
        }
        for (n, why) in unmet {
            let summary = resolved
                .summaries
                .get(n.saturating_sub(1))
                .cloned()
                .unwrap_or_default();
            self.plan.unmet.push(Unmet {
                intent: n,
                summary,
                reasons: why.into_iter().collect(),
            });
        }
    }

    /// Units that are concerned and whose policy selects a meshed pod: one of their own,
    /// or one no label tells apart from them (`also`), whose proxy the policy isolates too.
    fn meshed_units(&self) -> Vec<usize> {
        let mut out: BTreeSet<usize> = BTreeSet::new();
        for e in &self.plan.concerned {
            let Some(u) = self.unit_of(*e) else {
                continue;
            };
            let also_meshed = self.policy(u).is_some()
                && self
                    .units
                    .list
                    .get(u)
                    .is_some_and(|x| x.also.iter().any(|a| self.meshed(*a)));
            if self.meshed(*e) || also_meshed {
                out.insert(u);
            }
        }
        out.into_iter().collect()
    }

    /// Peers that stand for every meshed pod: the injector's `linkerd.io/control-plane-ns`
    /// label when every meshed pod carries it, else each meshed workload.
    pub fn meshed_peers(&self) -> Vec<Peer> {
        let m = self.model();
        let Some(l) = self.cluster.compiled().linkerd.as_ref() else {
            return Vec::new();
        };
        let cp = l
            .control_plane_ns
            .clone()
            .unwrap_or_else(|| "linkerd".into());
        let meshed: Vec<&Endpoint> = m
            .endpoints
            .iter()
            .filter(|e| self.meshed(e.index))
            .collect();
        let key = "linkerd.io/control-plane-ns";
        if !meshed.is_empty() && meshed.iter().all(|e| e.labels.get(key) == Some(&cp)) {
            return vec![Peer::Pods {
                namespace: NsSel::All,
                pods: Some(Sel::labels(Labels::from([(key.to_string(), cp)]))),
            }];
        }
        let units: BTreeSet<usize> = meshed
            .iter()
            .filter_map(|e| self.unit_of(e.index))
            .collect();
        units
            .into_iter()
            .filter_map(|u| self.unit_peer(u))
            .collect()
    }

    fn need(&mut self, from: String, to: String, port: &str, purpose: String) {
        self.plan.needs.insert(NeedView {
            from,
            to,
            port: port.to_string(),
            purpose,
        });
    }

    /// Rules for what the mesh and the platform need, for the concerned workloads.
    pub fn needs(&mut self) {
        if self.options.dialect == Dialect::Linkerd {
            return;
        }
        let m = self.model();
        let concerned_units: BTreeSet<usize> = self
            .plan
            .concerned
            .iter()
            .filter_map(|e| self.unit_of(*e))
            .collect();
        // DNS: every workload whose egress is restricted resolves names, the proxies'
        // control-plane names included (linkerd.md F4).
        let (dns, dns_ports) = dns_pods(m);
        let dns_units: BTreeSet<usize> = dns.iter().filter_map(|e| self.unit_of(*e)).collect();
        let dns_peers: Vec<Peer> = if dns_units.is_empty() {
            self.plan.notes.push(
                "the input holds no cluster DNS pods (no kube-system/kube-dns Service, no k8s-app=kube-dns pods): DNS egress goes to pods k8s-app=kube-dns in kube-system, the usual CoreDNS labels".into(),
            );
            vec![Peer::Pods {
                namespace: NsSel::Named("kube-system".into()),
                pods: Some(Sel::labels(Labels::from([(
                    "k8s-app".into(),
                    "kube-dns".into(),
                )]))),
            }]
        } else {
            dns_units
                .iter()
                .filter_map(|u| self.unit_peer(*u))
                .collect()
        };
        let dns_set = PortSet(
            dns_ports
                .iter()
                .map(|(p, n)| PortItem::one(*p, *n))
                .collect(),
        );
        let dns_text = dns_set.text();
        for &u in &concerned_units {
            if dns_units.contains(&u) {
                continue;
            }
            for peer in &dns_peers {
                self.want(
                    u,
                    Dir::Egress,
                    peer.clone(),
                    &dns_set,
                    Reason::need(format!(
                        "DNS: name lookups go to the cluster DNS pods on {dns_text}"
                    )),
                );
            }
            if let Some(unit) = self.units.list.get(u) {
                let to = if dns_units.is_empty() {
                    "kube-system/kube-dns (assumed)".to_string()
                } else {
                    dns_units
                        .iter()
                        .filter_map(|d| self.units.list.get(*d))
                        .map(Unit::reference)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                self.need(
                    unit.reference(),
                    to,
                    &dns_text,
                    "DNS: the cluster DNS serves every pod".into(),
                );
            }
            for e in self
                .units
                .list
                .get(u)
                .map(|x| x.endpoints.clone())
                .unwrap_or_default()
            {
                for d in &dns {
                    self.plan.claims.add(Key::Pod(e), Key::Pod(*d), &dns_set);
                }
            }
        }
        for &u in concerned_units.intersection(&dns_units) {
            self.want(
                u,
                Dir::Ingress,
                Peer::Pods {
                    namespace: NsSel::All,
                    pods: None,
                },
                &dns_set,
                Reason::need("DNS: the cluster DNS serves every pod"),
            );
            for e in self
                .units
                .list
                .get(u)
                .map(|x| x.endpoints.clone())
                .unwrap_or_default()
            {
                for a in &m.endpoints {
                    self.plan
                        .claims
                        .add(Key::Pod(a.index), Key::Pod(e), &dns_set);
                }
            }
        }
        let Some(mesh) = self.cluster.mesh() else {
            return;
        };
        let Some(linkerd) = self.cluster.compiled().linkerd.as_ref() else {
            return;
        };
        let meshed_units = self.meshed_units();
        let meshed_peers = self.meshed_peers();
        let all_meshed: Vec<usize> = m
            .endpoints
            .iter()
            .filter(|e| self.meshed(e.index))
            .map(|e| e.index)
            .collect();
        let version = linkerd.version.label.clone();
        for need in mesh.needed_flows(m) {
            let ports = PortSet(BTreeSet::from([PortItem::one(need.protocol, need.port)]));
            let port_text = format!("{}/{}", need.port, need.protocol);
            let end_text = |end: FlowEnd| match end {
                FlowEnd::Endpoint(i) => m
                    .endpoints
                    .get(i)
                    .map(Endpoint::reference)
                    .unwrap_or_default(),
                FlowEnd::Meshed => "every meshed pod".to_string(),
                FlowEnd::ApiServer => "the API server".to_string(),
            };
            let why = format!(
                "Linkerd {version} needs {} → {} on {port_text}: {}",
                end_text(need.from),
                end_text(need.to),
                need.purpose
            );
            let reason = Reason::need(why.clone());
            let mut used = false;
            // The source side's egress.
            let from_units: Vec<usize> = match need.from {
                FlowEnd::Meshed => meshed_units.clone(),
                FlowEnd::Endpoint(i) => self
                    .unit_of(i)
                    .filter(|u| concerned_units.contains(u))
                    .into_iter()
                    .collect(),
                FlowEnd::ApiServer => Vec::new(),
            };
            let to_peers: Vec<Peer> = match need.to {
                FlowEnd::Meshed => meshed_peers.clone(),
                FlowEnd::Endpoint(i) => self
                    .unit_of(i)
                    .and_then(|u| self.unit_peer(u))
                    .into_iter()
                    .collect(),
                FlowEnd::ApiServer => vec![Peer::ApiServer],
            };
            for &u in &from_units {
                for p in &to_peers {
                    self.want(u, Dir::Egress, p.clone(), &ports, reason.clone());
                    used = true;
                }
            }
            // The destination side's ingress.
            let to_units: Vec<usize> = match need.to {
                FlowEnd::Meshed => meshed_units.clone(),
                FlowEnd::Endpoint(i) => self
                    .unit_of(i)
                    .filter(|u| concerned_units.contains(u))
                    .into_iter()
                    .collect(),
                FlowEnd::ApiServer => Vec::new(),
            };
            let from_peers: Vec<Peer> = match need.from {
                FlowEnd::Meshed => meshed_peers.clone(),
                FlowEnd::Endpoint(i) => self
                    .unit_of(i)
                    .and_then(|u| self.unit_peer(u))
                    .into_iter()
                    .collect(),
                FlowEnd::ApiServer => vec![Peer::ApiServer],
            };
            for &u in &to_units {
                for p in &from_peers {
                    self.want(u, Dir::Ingress, p.clone(), &ports, reason.clone());
                    used = true;
                }
            }
            if !used {
                continue;
            }
            let from_keys: Vec<Key> = match need.from {
                FlowEnd::Meshed => all_meshed.iter().map(|e| Key::Pod(*e)).collect(),
                FlowEnd::Endpoint(i) => self
                    .unit_of(i)
                    .and_then(|u| self.units.list.get(u))
                    .map(|u| u.endpoints.iter().map(|e| Key::Pod(*e)).collect())
                    .unwrap_or_default(),
                FlowEnd::ApiServer => m
                    .api_server
                    .iter()
                    .map(|ip| Key::Other(format!("ip:{ip}")))
                    .collect(),
            };
            let to_keys: Vec<Key> = match need.to {
                FlowEnd::Meshed => all_meshed.iter().map(|e| Key::Pod(*e)).collect(),
                FlowEnd::Endpoint(i) => self
                    .unit_of(i)
                    .and_then(|u| self.units.list.get(u))
                    .map(|u| u.endpoints.iter().map(|e| Key::Pod(*e)).collect())
                    .unwrap_or_default(),
                FlowEnd::ApiServer => Vec::new(),
            };
            for a in &from_keys {
                for b in &to_keys {
                    self.plan.claims.add(a.clone(), b.clone(), &ports);
                }
            }
            self.need(
                end_text(need.from),
                end_text(need.to),
                &port_text,
                format!("{} ({})", need.purpose, source_of(need.port, need.purpose)),
            );
            if need.from == FlowEnd::ApiServer && m.api_server.is_empty() {
                self.plan.notes.push(format!(
                    "the API server's address is not in the input (the default/kubernetes Endpoints or EndpointSlice): {} admits it from every address on {port_text}; give its address to narrow this",
                    end_text(need.to)
                ));
            }
        }
        if !meshed_units.is_empty() {
            match self.options.dialect {
                Dialect::Cilium => self.plan.notes.push(
                    "kubelet probes (4191 and the app's probe ports) come from the pod's own node: Cilium admits its host identity on ingress by default (allow-localhost)".into(),
                ),
                _ => self.plan.notes.push(
                    "kubelet probes (4191 and the app's probe ports) come from the pod's own node, which NetworkPolicy always admits (NetworkPolicySpec: \"OR if the traffic source is the pod's local node\")".into(),
                ),
            }
        }
    }
}

/// Where a need of Linkerd is written down (the flow numbers of the project's notes
/// follow Linkerd's chart and proxy sources).
fn source_of(port: u16, purpose: &str) -> &'static str {
    match port {
        4191 => "proxy admin port; viz chart Prometheus scrape job linkerd-proxy",
        4190 => "proxy control port; viz tap --tap-port default",
        _ if purpose.contains("webhook") || purpose.contains("API service") => "the API server calls the pod's container port (charts: webhook and APIService objects)",
        _ => "proxy env LINKERD2_PROXY_{IDENTITY,DESTINATION,POLICY}_SVC_ADDR; ports the control-plane pods declare",
    }
}

/// The name of a workload's policy: `meshverdict-NAME`, made a valid object name (a
/// DNS-1123 subdomain of at most 253 characters) when the workload's own name would not
/// give one (an object the API server refused, kept by the engine and reported): the
/// `structured` fuzz target found a set that failed its own proof on `meshverdict-UPPER`.
/// A name changed so gets a hash of the original, so that two workloads never share one.
pub(crate) fn policy_name(workload: &str) -> String {
    valid_name(format!("meshverdict-{workload}"), workload)
}

/// `plain` when it is a valid object name (a DNS-1123 subdomain), else a valid name made
/// from it, with a hash of `workload` (the part that made it invalid). Linkerd Servers
/// (`WORKLOAD-PORT`) are named through it too.
pub(crate) fn valid_name(plain: String, workload: &str) -> String {
    if crate::selector::check_dns_subdomain(&plain).is_ok() {
        return plain;
    }
    let mapped: String = plain
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    // Labels may not be empty nor start or end with '-'.
    let labels: Vec<&str> = mapped
        .split('.')
        .map(|l| l.trim_matches('-'))
        .filter(|l| !l.is_empty())
        .collect();
    let hash = workload.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut name: String = labels.join(".").chars().take(200).collect();
    name = name.trim_end_matches(['-', '.']).to_string();
    format!("{name}-{:08x}", hash & 0xffff_ffff)
}
