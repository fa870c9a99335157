//! Identity classes: endpoints that no selector, port name, address or mesh setting of
//! the input can tell apart. Cilium evaluates policy per security identity for the same
//! reason (a label set, not a pod, is what a rule selects); here the class key is the
//! namespace, the labels each view's selectors mention (a value no selector names is
//! one "other" value: `In` cannot match it, `NotIn` and `Exists` always do), the
//! declared container ports, which policy and mesh CIDRs the addresses fall in, the
//! mesh settings and the service account.
//!
//! Every selector then compiles once to the set of classes it matches, and every
//! verdict, matrix row and diagnostic is set algebra over those sets. Two members of a
//! class get the same answer from every function of the compiled data; only where a
//! rule is relative to a node (traffic from a pod's own node) does the member matter.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use super::bitset::Bitset;
use super::dataplane::Settings;
use super::labels::{
    split_source, CLUSTER_LABEL, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX, SERVICE_ACCOUNT_LABEL,
};
use super::mesh::linkerd::{Linkerd, ProxyInfo, CLUSTER_NETWORKS};
use super::policy::{CompiledPolicy, Entity, NamespaceScope, Peer, SetId, Subject};
use crate::model::{Endpoint, Model};
use crate::ports::{parse_cidr, IpBlock};
use crate::selector::{Labels, Requirement, Selector};

/// Which labels a selector reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// The pod's labels as written (NetworkPolicy on Kubernetes and Calico; Linkerd).
    Raw,
    /// Cilium's identity labels (see compile/labels.rs); keys carry a source prefix.
    Identity,
}

/// The classes of a model's endpoints.
#[derive(Debug, Clone, Default)]
pub struct Classes {
    /// Per endpoint (model index), its class.
    pub of_endpoint: Vec<usize>,
    /// Per class, its endpoints (ascending); the first is its representative.
    pub members: Vec<Vec<usize>>,
    /// Per class, its namespace's id; classes are numbered namespace by namespace.
    pub namespace: Vec<usize>,
    /// Namespace names by id (sorted), and each one's class range.
    pub namespaces: Vec<String>,
    pub ns_ranges: Vec<(usize, usize)>,
}

impl Classes {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn of(&self, e: &Endpoint) -> usize {
        self.of_endpoint.get(e.index).copied().unwrap_or(usize::MAX)
    }

    /// The representative endpoint of a class.
    pub fn rep(&self, class: usize) -> Option<usize> {
        self.members.get(class).and_then(|m| m.first().copied())
    }

    pub fn namespace_id(&self, name: &str) -> Option<usize> {
        self.namespaces
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
    }

    pub fn ns_set(&self, ns: usize) -> Bitset {
        let mut b = Bitset::empty(self.len());
        if let Some((a, z)) = self.ns_ranges.get(ns) {
            b.insert_range(*a, *z);
        }
        b
    }
}

/// Disjoint address ranges cut at every CIDR boundary the input names: two addresses of
/// one atom fall in exactly the same CIDRs.
#[derive(Debug, Clone, Default)]
struct Atoms {
    v4: Vec<u32>,
    v6: Vec<u128>,
}

impl Atoms {
    fn new(blocks: &[ipnet::IpNet]) -> Atoms {
        let mut a = Atoms::default();
        for b in blocks {
            match b {
                ipnet::IpNet::V4(n) => {
                    a.v4.push(u32::from(n.network()));
                    if let Some(end) = u32::from(n.broadcast()).checked_add(1) {
                        a.v4.push(end);
                    }
                }
                ipnet::IpNet::V6(n) => {
                    a.v6.push(u128::from(n.network()));
                    if let Some(end) = u128::from(n.broadcast()).checked_add(1) {
                        a.v6.push(end);
                    }
                }
            }
        }
        a.v4.sort_unstable();
        a.v4.dedup();
        a.v6.sort_unstable();
        a.v6.dedup();
        a
    }

    fn atom(&self, ip: &IpAddr) -> usize {
        match ip {
            IpAddr::V4(v) => self.v4.partition_point(|b| *b <= u32::from(*v)),
            IpAddr::V6(v) => self.v4.len() + 1 + self.v6.partition_point(|b| *b <= u128::from(*v)),
        }
    }
}

/// Interns values to small ids.
#[derive(Default)]
struct Interner<T: std::hash::Hash + Eq> {
    ids: HashMap<T, usize>,
}

impl<T: std::hash::Hash + Eq> Interner<T> {
    fn id(&mut self, v: T) -> usize {
        let n = self.ids.len();
        *self.ids.entry(v).or_insert(n)
    }
}

/// A value of a mentioned key as the class key records it.
const OTHER: usize = usize::MAX;

/// What tells classes apart: namespace, projected raw and identity labels, ports,
/// address atoms, mesh settings, service account (all interned).
type ClassKey = (
    usize,
    Vec<(usize, usize)>,
    Vec<(usize, usize)>,
    usize,
    usize,
    usize,
    usize,
);

/// The label keys and values a view's selectors mention.
#[derive(Debug, Default)]
struct Mentioned {
    /// key → the values some `In`/`NotIn` names.
    keys: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl Mentioned {
    fn add(&mut self, sel: &Selector, view: View) {
        for r in &sel.requirements {
            let Some(key) = view_key(r.key(), view) else {
                continue;
            };
            let values = self.keys.entry(key.to_string()).or_default();
            match r {
                Requirement::In { values: v, .. } | Requirement::NotIn { values: v, .. } => {
                    values.extend(v.iter().cloned())
                }
                Requirement::Exists { .. } | Requirement::DoesNotExist { .. } => {}
            }
        }
    }
}

/// The label key a requirement reads in a view: identity keys lose their source
/// (`k8s:` and `any:` both read the pod's k8s labels; other sources never label a pod).
fn view_key(key: &str, view: View) -> Option<&str> {
    match view {
        View::Raw => Some(key),
        View::Identity => match split_source(key) {
            ("k8s" | "any", k) => Some(k),
            _ => None,
        },
    }
}

/// Reads one label of an endpoint in a view.
pub(crate) struct LabelReader<'m> {
    model: &'m Model,
    settings: &'m Settings,
    kept: std::cell::RefCell<HashMap<String, bool>>,
}

impl<'m> LabelReader<'m> {
    pub(crate) fn new(model: &'m Model, settings: &'m Settings) -> LabelReader<'m> {
        LabelReader {
            model,
            settings,
            kept: std::cell::RefCell::new(HashMap::new()),
        }
    }

    /// The value of identity label `key` (no source) of `e`: its pod label unless Cilium
    /// owns the key, the labels Cilium adds, then the identity label filter.
    pub(crate) fn identity(&self, e: &'m Endpoint, key: &str) -> Option<&'m str> {
        // Looked up by `&str` first: this runs for every endpoint and mentioned key, and
        // `entry` would allocate the key each time.
        let cached = self.kept.borrow().get(key).copied();
        let keep = match cached {
            Some(k) => k,
            None => {
                let k = self.settings.label_filter.keeps(key);
                self.kept.borrow_mut().insert(key.to_string(), k);
                k
            }
        };
        if !keep {
            return None;
        }
        match key {
            NAMESPACE_LABEL => Some(e.namespace.as_str()),
            SERVICE_ACCOUNT_LABEL => Some(e.service_account.as_str()).filter(|s| !s.is_empty()),
            CLUSTER_LABEL => Some(self.settings.cluster_name.as_str()),
            _ => match key.strip_prefix(NAMESPACE_LABELS_PREFIX) {
                Some(ns_key) => self
                    .model
                    .namespaces
                    .get(&e.namespace)
                    .and_then(|n| n.labels.get(ns_key))
                    .map(String::as_str),
                None if key.starts_with("io.cilium.k8s") => None,
                None => e.labels.get(key).map(String::as_str),
            },
        }
    }

    pub(crate) fn get(&self, e: &'m Endpoint, key: &str, view: View) -> Option<&'m str> {
        match view {
            View::Raw => e.labels.get(key).map(String::as_str),
            View::Identity => self.identity(e, view_key(key, view)?),
        }
    }
}

/// Per view: mentioned key → value → the classes with it, and the classes with the key.
struct Index {
    values: HashMap<String, HashMap<String, Bitset>>,
    has: HashMap<String, Bitset>,
}

/// Builds the classes and compiles every selector of `policies` (and of the mesh) to
/// class sets: the `*_set` fields of each policy index into the returned sets.
pub(crate) fn build(
    model: &Model,
    settings: &Settings,
    policies: &mut [CompiledPolicy],
    linkerd: Option<&Linkerd>,
) -> (Classes, Vec<Bitset>) {
    let reader = LabelReader::new(model, settings);
    let mut raw = Mentioned::default();
    let mut ident = Mentioned::default();
    let mut cidrs: Vec<ipnet::IpNet> = Vec::new();
    let add_block = |b: &IpBlock, cidrs: &mut Vec<ipnet::IpNet>| {
        cidrs.push(b.cidr);
        cidrs.extend(b.except.iter().copied());
    };
    for p in policies.iter() {
        match &p.subject {
            Subject::Pods { selector, .. } => raw.add(selector, View::Raw),
            Subject::Identity { selector } => ident.add(selector, View::Identity),
            Subject::Nodes { .. } => {}
        }
        for (_, s) in &p.requires {
            ident.add(s, View::Identity);
        }
        for rule in &p.rules {
            for peer in &rule.peers {
                match peer {
                    Peer::Pods { pods, .. } => raw.add(pods, View::Raw),
                    Peer::Identity { selector } => ident.add(selector, View::Identity),
                    Peer::Block { block } => add_block(block, &mut cidrs),
                    _ => {}
                }
            }
        }
    }
    for s in &model.linkerd.servers {
        if let Some(sel) = &s.spec.selector {
            raw.add(sel, View::Raw);
        }
    }
    if linkerd.is_some() {
        for net in model
            .linkerd
            .network_auth
            .iter()
            .flat_map(|n| n.spec.networks.iter().flatten())
        {
            cidrs.extend(net.cidr.as_deref().and_then(|c| parse_cidr(c).ok()));
            cidrs.extend(
                net.except
                    .iter()
                    .flatten()
                    .filter_map(|c| parse_cidr(c).ok()),
            );
        }
        for saz in &model.linkerd.server_authorizations {
            for net in saz
                .spec
                .client
                .iter()
                .flat_map(|c| c.networks.iter().flatten())
            {
                cidrs.extend(net.cidr.as_deref().and_then(|c| parse_cidr(c).ok()));
                cidrs.extend(
                    net.except
                        .iter()
                        .flatten()
                        .filter_map(|c| parse_cidr(c).ok()),
                );
            }
        }
        cidrs.extend(CLUSTER_NETWORKS.iter().filter_map(|c| parse_cidr(c).ok()));
    }
    let atoms = Atoms::new(&cidrs);

    // The class key of each endpoint.
    let mut namespaces: Vec<String> = model
        .endpoints
        .iter()
        .map(|e| e.namespace.clone())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    let ns_id = |n: &str| {
        namespaces
            .binary_search_by(|x| x.as_str().cmp(n))
            .unwrap_or(0)
    };
    // Everything below is interned by reference into the model: at 150,000 endpoints
    // a copy per endpoint (its ports, its mesh settings, `key=value` strings) is most
    // of the time this takes.
    let mut port_sets: Interner<Vec<(u16, crate::ports::Protocol, Option<&str>)>> =
        Interner::default();
    let mut addr_sets: Interner<Vec<usize>> = Interner::default();
    let mut mesh_sets: Interner<Option<&ProxyInfo>> = Interner::default();
    let mut accounts: Interner<&str> = Interner::default();
    let mut keys: Interner<ClassKey> = Interner::default();
    // A mentioned key is its position in `Mentioned::keys`; a mentioned value, its
    // position in that key's values; a value no selector names, OTHER.
    let value_ids = |m: &Mentioned| -> Vec<HashMap<String, usize>> {
        m.keys
            .values()
            .map(|values| {
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.clone(), i))
                    .collect()
            })
            .collect()
    };
    let (raw_values, ident_values) = (value_ids(&raw), value_ids(&ident));
    let project = |e: &Endpoint,
                   m: &Mentioned,
                   ids: &[HashMap<String, usize>],
                   view: View|
     -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (k, (key, ids)) in m.keys.keys().zip(ids).enumerate() {
            let v = match view {
                View::Raw => e.labels.get(key).map(String::as_str),
                View::Identity => reader.identity(e, key),
            };
            if let Some(v) = v {
                out.push((k, ids.get(v).copied().unwrap_or(OTHER)));
            }
        }
        out
    };
    let mut raw_class: Vec<usize> = Vec::with_capacity(model.endpoints.len());
    for e in &model.endpoints {
        let mut ports: Vec<(u16, crate::ports::Protocol, Option<&str>)> = e
            .ports
            .iter()
            .map(|p| (p.port, p.protocol, p.name.as_deref()))
            .collect();
        ports.sort_unstable();
        ports.dedup();
        let mut addrs: Vec<usize> = e.ips.iter().map(|ip| atoms.atom(ip)).collect();
        addrs.sort_unstable();
        addrs.dedup();
        let mesh = linkerd.and_then(|l| l.info.get(e.index));
        let sa = if linkerd.is_some() {
            accounts.id(e.service_account.as_str())
        } else {
            0
        };
        let key = (
            ns_id(&e.namespace),
            project(e, &raw, &raw_values, View::Raw),
            project(e, &ident, &ident_values, View::Identity),
            port_sets.id(ports),
            addr_sets.id(addrs),
            mesh_sets.id(mesh),
            sa,
        );
        raw_class.push(keys.id(key));
    }
    // Number the classes namespace by namespace, in order of their first member.
    let mut first: Vec<(usize, usize, usize)> = Vec::new(); // (ns, first endpoint, raw id)
    let mut seen = vec![false; keys.ids.len()];
    for (i, (e, rc)) in model.endpoints.iter().zip(&raw_class).enumerate() {
        if let Some(s) = seen.get_mut(*rc) {
            if !*s {
                *s = true;
                first.push((ns_id(&e.namespace), i, *rc));
            }
        }
    }
    first.sort_unstable();
    let mut renumber = vec![0usize; keys.ids.len()];
    let mut classes = Classes {
        namespaces: namespaces.clone(),
        ns_ranges: vec![(0, 0); namespaces.len()],
        ..Classes::default()
    };
    for (new, (ns, _, rc)) in first.iter().enumerate() {
        if let Some(slot) = renumber.get_mut(*rc) {
            *slot = new;
        }
        classes.namespace.push(*ns);
        classes.members.push(Vec::new());
        if let Some(r) = classes.ns_ranges.get_mut(*ns) {
            if r.0 == r.1 {
                *r = (new, new + 1);
            } else {
                r.1 = new + 1;
            }
        }
    }
    for (i, rc) in raw_class.iter().enumerate() {
        let c = renumber.get(*rc).copied().unwrap_or(0);
        classes.of_endpoint.push(c);
        if let Some(m) = classes.members.get_mut(c) {
            m.push(i);
        }
    }

    let sets = {
        let mut compiler = SetCompiler::new(model, settings, &classes, &reader, &raw, &ident);
        for p in policies.iter_mut() {
            p.subject_set = match &p.subject {
                Subject::Pods {
                    namespace,
                    selector,
                } => compiler.pods(Some(namespace), selector, View::Raw),
                Subject::Identity { selector } => compiler.pods(None, selector, View::Identity),
                Subject::Nodes { .. } => compiler.nothing(),
            };
            p.requires_sets = p
                .requires
                .iter()
                .map(|(d, s)| (*d, compiler.pods(None, s, View::Identity)))
                .collect();
            for rule in &mut p.rules {
                rule.peer_sets = rule.peers.iter().map(|peer| compiler.peer(peer)).collect();
            }
        }
        compiler.sets
    };
    (classes, sets)
}

/// Compiles selectors to class sets, once per distinct selector.
struct SetCompiler<'a> {
    model: &'a Model,
    settings: &'a Settings,
    classes: &'a Classes,
    reader: &'a LabelReader<'a>,
    raw: Index,
    ident: Index,
    sets: Vec<Bitset>,
    cache: HashMap<String, SetId>,
    ns_cache: HashMap<String, Bitset>,
}

impl<'a> SetCompiler<'a> {
    fn new(
        model: &'a Model,
        settings: &'a Settings,
        classes: &'a Classes,
        reader: &'a LabelReader<'a>,
        raw: &Mentioned,
        ident: &Mentioned,
    ) -> SetCompiler<'a> {
        let index = |m: &Mentioned, view: View| {
            let mut values: HashMap<String, HashMap<String, Bitset>> = HashMap::new();
            let mut has: HashMap<String, Bitset> = HashMap::new();
            for key in m.keys.keys() {
                let mut with = Bitset::empty(classes.len());
                let mut by_value: HashMap<String, Bitset> = HashMap::new();
                for c in 0..classes.len() {
                    let Some(e) = classes.rep(c).and_then(|i| model.endpoints.get(i)) else {
                        continue;
                    };
                    let v = match view {
                        View::Raw => e.labels.get(key).map(String::as_str),
                        View::Identity => reader.identity(e, key),
                    };
                    if let Some(v) = v {
                        with.insert(c);
                        by_value
                            .entry(v.to_string())
                            .or_insert_with(|| Bitset::empty(classes.len()))
                            .insert(c);
                    }
                }
                values.insert(key.clone(), by_value);
                has.insert(key.clone(), with);
            }
            Index { values, has }
        };
        SetCompiler {
            model,
            settings,
            classes,
            reader,
            raw: index(raw, View::Raw),
            ident: index(ident, View::Identity),
            sets: vec![Bitset::empty(classes.len()), Bitset::full(classes.len())],
            cache: HashMap::new(),
            ns_cache: HashMap::new(),
        }
    }

    fn nothing(&self) -> SetId {
        0
    }

    fn all(&self) -> SetId {
        1
    }

    fn intern(&mut self, key: String, make: impl FnOnce(&mut Self) -> Bitset) -> SetId {
        if let Some(id) = self.cache.get(&key) {
            return *id;
        }
        let set = make(self);
        let id = if set.is_empty() {
            0
        } else if set.is_full() {
            1
        } else {
            self.sets.push(set);
            self.sets.len() - 1
        };
        self.cache.insert(key, id);
        id
    }

    /// The classes whose view labels satisfy one requirement.
    fn requirement(&self, r: &Requirement, view: View) -> Bitset {
        let n = self.classes.len();
        let Some(key) = view_key(r.key(), view) else {
            // A source no pod label carries (`reserved:`, `cidr:`, …): the key is absent.
            return if r.admits(None) {
                Bitset::full(n)
            } else {
                Bitset::empty(n)
            };
        };
        let index = match view {
            View::Raw => &self.raw,
            View::Identity => &self.ident,
        };
        let (Some(by_value), Some(has)) = (index.values.get(key), index.has.get(key)) else {
            // Not indexed (no selector mentioned it when the index was built): scan.
            let mut out = Bitset::empty(n);
            for c in 0..n {
                if let Some(e) = self
                    .classes
                    .rep(c)
                    .and_then(|i| self.model.endpoints.get(i))
                {
                    if r.admits(self.reader.get(e, r.key(), view)) {
                        out.insert(c);
                    }
                }
            }
            return out;
        };
        let union = |values: &std::collections::BTreeSet<String>| {
            let mut u = Bitset::empty(n);
            for v in values {
                if let Some(b) = by_value.get(v) {
                    u.union_with(b);
                }
            }
            u
        };
        match r {
            Requirement::In { values, .. } => union(values),
            // NotIn also matches classes without the key.
            Requirement::NotIn { values, .. } => union(values).complement(),
            Requirement::Exists { .. } => has.clone(),
            Requirement::DoesNotExist { .. } => has.complement(),
        }
    }

    /// The classes a label selector matches, in one namespace or all.
    fn pods(&mut self, namespace: Option<&str>, sel: &Selector, view: View) -> SetId {
        let key = format!("{view:?}|{}|{sel:?}", namespace.unwrap_or("*"));
        self.intern(key, |me| {
            let n = me.classes.len();
            let mut out = match namespace {
                Some(ns) => match me.classes.namespace_id(ns) {
                    Some(id) => me.classes.ns_set(id),
                    None => return Bitset::empty(n),
                },
                None => Bitset::full(n),
            };
            for r in &sel.requirements {
                if out.is_empty() {
                    break;
                }
                out.intersect_with(&me.requirement(r, view));
            }
            out
        })
    }

    /// The classes of the namespaces whose labels match.
    fn namespaces(&mut self, sel: &Selector) -> Bitset {
        let key = format!("{sel:?}");
        if let Some(b) = self.ns_cache.get(&key) {
            return b.clone();
        }
        let mut out = Bitset::empty(self.classes.len());
        for (id, name) in self.classes.namespaces.iter().enumerate() {
            let labels: Option<&Labels> = self.model.namespace_labels(name);
            if labels.is_some_and(|l| sel.matches(l)) {
                if let Some((a, z)) = self.classes.ns_ranges.get(id) {
                    out.insert_range(*a, *z);
                }
            }
        }
        self.ns_cache.insert(key, out.clone());
        out
    }

    fn peer(&mut self, peer: &Peer) -> SetId {
        match peer {
            Peer::Any => self.all(),
            Peer::Pods {
                namespaces: NamespaceScope::Own { namespace },
                pods,
            } => self.pods(Some(namespace), pods, View::Raw),
            Peer::Pods {
                namespaces: NamespaceScope::Matching { selector },
                pods,
            } => {
                let key = format!("pods-in|{selector:?}|{pods:?}");
                let pods_set = self.pods(None, pods, View::Raw);
                self.intern(key, |me| {
                    let mut out = me.namespaces(selector);
                    if let Some(p) = me.sets.get(pods_set) {
                        out.intersect_with(p);
                    }
                    out
                })
            }
            Peer::Identity { selector } => self.pods(None, selector, View::Identity),
            Peer::Block { block } => {
                if !self.settings.cidr_matches_pods {
                    return self.nothing();
                }
                let key = format!("block|{block}");
                self.intern(key, |me| {
                    let mut out = Bitset::empty(me.classes.len());
                    for c in 0..me.classes.len() {
                        let e = me.classes.rep(c).and_then(|i| me.model.endpoints.get(i));
                        if e.is_some_and(|e| e.ips.iter().any(|ip| block.contains(ip))) {
                            out.insert(c);
                        }
                    }
                    out
                })
            }
            Peer::Entity { entity } => match entity {
                Entity::All | Entity::Cluster | Entity::ClusterMesh => self.all(),
                _ => self.nothing(),
            },
            Peer::Fqdn { .. } | Peer::Nodes { .. } => self.nothing(),
        }
    }
}
