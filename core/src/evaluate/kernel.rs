//! The same judgement as [`super::verdict::Evaluator::layer`], for every pod class at
//! once: which classes a subject class admits in a direction on a port, and which
//! classes may send to a class. Rows of the matrix, the mesh diagnostics and exposure
//! are unions and intersections of these sets; the point verdict tests one member.
//! Both read the same compiled rules (peer sets, ports, deny flags, enforcement) and
//! combine them the same way: deny wins, then an allow, then the default.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::compile::bitset::{BitMatrix, Bitset, BitsetMap, FastMap};
use crate::compile::dataplane::EnforcementMode;
use crate::compile::party::Party;
use crate::compile::policy::{Direction, Peer, Rule};
use crate::compile::Compiled;
use crate::model::Model;
use crate::ports::{PortSpec, Protocol};

/// A policy's selection profile key: direction, policies selecting, named ports when they matter.
type ProfileKey = (Direction, Vec<usize>, Option<Vec<crate::ports::NamedPort>>);
/// (profile, direction, port, protocol).
type AdmittedKey = (usize, Direction, u16, Protocol);
/// (policy, rule, the number of the `fromRequires` sets that apply).
type PeersKey = (usize, usize, usize);
/// (profile, direction, protocol, the rules whose ports admit the port, the port itself
/// when egress named ports resolve on it).
type SignatureKey = (usize, Direction, Protocol, Signature, Option<u16>);
/// The rules (policy, rule) whose ports admit a port, in order.
pub type Signature = std::rc::Rc<[(usize, usize)]>;

/// Where a rule's ports admit a port: on every destination, on none, or (egress named
/// ports, resolved on each destination) on these destination classes.
enum PortsAdmit {
    Everywhere,
    Nowhere,
    On(Bitset),
}

/// Set computations over pod classes, with caches.
pub struct Kernel<'a> {
    pub model: &'a Model,
    pub compiled: &'a Compiled,
    /// Per (class, direction): a profile id equal for classes that the same policies
    /// select in that direction (and, for ingress with named ports, that declare the
    /// same ports): such classes admit the same sets.
    profiles: Vec<[usize; 2]>,
    /// (profile, direction, port, protocol) → admitted set, for the current port.
    admitted: RefCell<FastMap<AdmittedKey, std::rc::Rc<Bitset>>>,
    /// The same sets by the rules that admit a port, kept across ports: a profile admits
    /// the same classes on every port its rules admit alike, so most ports of a cluster
    /// cost a lookup, and equal sets are one `Rc` (the matrix compares pointers).
    by_signature: RefCell<FastMap<SignatureKey, std::rc::Rc<Bitset>>>,
    /// [`Kernel::port_signature`] per (profile, direction, port, protocol), for the
    /// current port.
    signatures: RefCell<FastMap<AdmittedKey, Signature>>,
    /// Every set handed out, by content: ports whose signatures differ but whose sets do
    /// not (egress named ports) still share one `Rc`.
    interned: RefCell<BitsetMap<std::rc::Rc<Bitset>>>,
    /// Per (policy, rule, `fromRequires` sets): the classes its peers match.
    peers: RefCell<FastMap<PeersKey, std::rc::Rc<Bitset>>>,
    /// The `fromRequires` lists met so far, numbered.
    requirements: RefCell<FastMap<Vec<usize>, usize>>,
    /// Per (port, protocol): for each class, the classes that may send to it (the
    /// transpose of the egress rows).
    senders: RefCell<HashMap<(u16, Protocol), std::rc::Rc<BitMatrix>>>,
    /// Per (authorizations key, port): the classes Linkerd's authorizations admit.
    authorized: RefCell<HashMap<(String, u16), std::rc::Rc<Bitset>>>,
    /// Transposes by the identity of their egress rows (see [`Kernel::senders`]).
    transposes: RefCell<FastMap<Vec<usize>, std::rc::Rc<BitMatrix>>>,
    /// Per (rule identity, port, protocol): the destination classes on which an egress
    /// rule's named ports resolve to the port.
    named: RefCell<HashMap<(usize, usize, u16, Protocol), Bitset>>,
    /// Per (port, protocol): for each port name, the classes that declare a container
    /// port of that name, number and protocol (a rule's named ports resolve there).
    names: RefCell<HashMap<(u16, Protocol), HashMap<String, Bitset>>>,
}

impl<'a> Kernel<'a> {
    pub fn new(model: &'a Model, compiled: &'a Compiled) -> Kernel<'a> {
        let classes = &compiled.classes;
        let named = |p: &crate::compile::policy::CompiledPolicy| {
            p.rules.iter().any(|r| {
                r.rule.direction == Direction::Ingress
                    && r.ports
                        .iter()
                        .any(|m| matches!(m.port, PortSpec::Named { .. }))
            })
        };
        let mut ids: HashMap<ProfileKey, usize> = HashMap::new();
        let mut profiles = Vec::with_capacity(classes.len());
        for c in 0..classes.len() {
            let mut pair = [0usize; 2];
            for (slot, direction) in [(0usize, Direction::Ingress), (1, Direction::Egress)] {
                let list: Vec<usize> = compiled
                    .selecting
                    .get(c)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|i| {
                        compiled
                            .policies
                            .get(*i)
                            .is_some_and(|p| p.enforcement(direction).enforced)
                    })
                    .collect();
                // Ingress named ports resolve on the class itself: its ports are part of
                // the profile then.
                let ports = (direction == Direction::Ingress
                    && list
                        .iter()
                        .any(|i| compiled.policies.get(*i).is_some_and(named)))
                .then(|| {
                    classes
                        .rep(c)
                        .and_then(|i| model.endpoints.get(i))
                        .map(|e| e.ports.clone())
                        .unwrap_or_default()
                });
                let n = ids.len();
                let id = *ids.entry((direction, list, ports)).or_insert(n);
                if let Some(s) = pair.get_mut(slot) {
                    *s = id;
                }
            }
            profiles.push(pair);
        }
        Kernel {
            model,
            compiled,
            profiles,
            admitted: RefCell::new(FastMap::default()),
            by_signature: RefCell::new(FastMap::default()),
            interned: RefCell::new(BitsetMap::default()),
            signatures: RefCell::new(FastMap::default()),
            peers: RefCell::new(FastMap::default()),
            requirements: RefCell::new(FastMap::default()),
            senders: RefCell::new(HashMap::new()),
            transposes: RefCell::new(FastMap::default()),
            authorized: RefCell::new(HashMap::new()),
            named: RefCell::new(HashMap::new()),
            names: RefCell::new(HashMap::new()),
        }
    }

    /// As [`Kernel::admitted`], shared between the classes of one profile. The cache
    /// keeps the sets of one port at a time (`forget` between ports).
    pub fn admitted_shared(
        &self,
        class: usize,
        direction: Direction,
        port: u16,
        protocol: Protocol,
    ) -> std::rc::Rc<Bitset> {
        let slot = usize::from(direction == Direction::Egress);
        let profile = self
            .profiles
            .get(class)
            .and_then(|p| p.get(slot).copied())
            .unwrap_or(usize::MAX);
        let key = (profile, direction, port, protocol);
        if let Some(b) = self.admitted.borrow().get(&key) {
            return b.clone();
        }
        // Egress named ports resolve on the destinations' ports, which differ per port.
        let named_egress = direction == Direction::Egress
            && self.selecting(class, direction).any(|(_, p)| {
                p.rules.iter().any(|r| {
                    r.rule.direction == direction
                        && r.ports
                            .iter()
                            .any(|m| matches!(m.port, PortSpec::Named { .. }))
                })
            });
        let signature = (
            profile,
            direction,
            protocol,
            self.signature(class, direction, port, protocol),
            named_egress.then_some(port),
        );
        let found = self.by_signature.borrow().get(&signature).cloned();
        let b = match found {
            Some(b) => b,
            None => {
                let b = self.intern(self.admitted(class, direction, port, protocol));
                self.by_signature.borrow_mut().insert(signature, b.clone());
                b
            }
        };
        self.admitted.borrow_mut().insert(key, b.clone());
        b
    }

    /// The profile of a class in a direction (see [`Kernel::admitted_shared`]).
    pub fn profile(&self, class: usize, direction: Direction) -> usize {
        let slot = usize::from(direction == Direction::Egress);
        self.profiles
            .get(class)
            .and_then(|p| p.get(slot).copied())
            .unwrap_or(usize::MAX)
    }

    /// The rules of the policies selecting `class` in `direction` whose ports admit
    /// `port`/`protocol`, named ports resolved on `class` itself (ingress) and on nothing
    /// (egress: they resolve on each destination, which `admitted_shared` keys apart).
    /// Two ports with the same rules are judged alike for parties outside the cluster,
    /// which declare no ports.
    fn port_signature(
        &self,
        class: usize,
        direction: Direction,
        port: u16,
        protocol: Protocol,
    ) -> Vec<(usize, usize)> {
        let own: &[crate::ports::NamedPort] = match direction {
            Direction::Ingress => self
                .compiled
                .classes
                .rep(class)
                .and_then(|i| self.model.endpoints.get(i))
                .map(|e| e.ports.as_slice())
                .unwrap_or_default(),
            Direction::Egress => &[],
        };
        let mut out = Vec::new();
        for (pi, p) in self.selecting(class, direction) {
            for (ri, rule) in p
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.rule.direction == direction)
            {
                if !rule.icmp_only
                    && (rule.ports.is_empty()
                        || rule.ports.iter().any(|m| m.admits(port, protocol, own)))
                {
                    out.push((pi, ri));
                }
            }
        }
        out
    }

    /// [`Kernel::port_signature`], shared between the classes of a profile.
    pub fn signature(
        &self,
        class: usize,
        direction: Direction,
        port: u16,
        protocol: Protocol,
    ) -> Signature {
        let key = (self.profile(class, direction), direction, port, protocol);
        if let Some(s) = self.signatures.borrow().get(&key) {
            return s.clone();
        }
        let s: Signature = self.port_signature(class, direction, port, protocol).into();
        self.signatures.borrow_mut().insert(key, s.clone());
        s
    }

    /// Drops the index of earlier ports (their sets stay, found again by signature).
    pub fn forget(&self) {
        self.admitted.borrow_mut().clear();
        self.signatures.borrow_mut().clear();
    }

    pub fn classes(&self) -> usize {
        self.compiled.classes.len()
    }

    fn set(&self, id: usize) -> Bitset {
        self.compiled
            .set(id)
            .cloned()
            .unwrap_or_else(|| Bitset::empty(self.classes()))
    }

    /// Whether a direction of a class is judged by its policies at all (else it admits
    /// everything).
    pub fn isolated(&self, class: usize, direction: Direction) -> bool {
        let mode = self.compiled.settings.enforcement;
        match mode {
            EnforcementMode::Never => false,
            EnforcementMode::Always => true,
            EnforcementMode::Default => self.selecting(class, direction).next().is_some(),
        }
    }

    /// Whether what no rule admits is denied (rather than left open) for a class.
    pub fn default_deny(&self, class: usize, direction: Direction) -> bool {
        self.compiled.settings.enforcement == EnforcementMode::Always
            || self
                .selecting(class, direction)
                .any(|(_, p)| p.enforcement(direction).default_deny)
    }

    fn selecting(
        &self,
        class: usize,
        direction: Direction,
    ) -> impl Iterator<Item = (usize, &'a crate::compile::policy::CompiledPolicy)> + 'a {
        let compiled = self.compiled;
        compiled
            .selecting
            .get(class)
            .into_iter()
            .flatten()
            .filter_map(move |i| compiled.policies.get(*i).map(|p| (*i, p)))
            .filter(move |(_, p)| p.enforcement(direction).enforced)
    }

    /// The classes a rule's peers match (pods), with `fromRequires` applied to endpoint
    /// selectors. The same for every port: kept per rule and requirements.
    fn rule_peers(
        &self,
        key: (usize, usize),
        rule: &Rule,
        requires: &[usize],
    ) -> std::rc::Rc<Bitset> {
        // Requirement lists by number: the key is three words to hash and compare.
        let known = self.requirements.borrow().get(requires).copied();
        let id = known.unwrap_or_else(|| {
            let mut ids = self.requirements.borrow_mut();
            let id = ids.len();
            ids.insert(requires.to_vec(), id);
            id
        });
        let cache_key = (key.0, key.1, id);
        if let Some(b) = self.peers.borrow().get(&cache_key) {
            return b.clone();
        }
        let mut out = Bitset::empty(self.classes());
        for (i, peer) in rule.peers.iter().enumerate() {
            let id = rule.peer_sets.get(i).copied().unwrap_or(0);
            if matches!(peer, Peer::Identity { .. }) && !requires.is_empty() {
                let mut s = self.set(id);
                for r in requires {
                    s.intersect_with(&self.set(*r));
                }
                out.union_with(&s);
            } else if let Some(s) = self.compiled.set(id) {
                out.union_with(s);
            }
        }
        let b = self.intern(out);
        self.peers.borrow_mut().insert(cache_key, b.clone());
        b
    }

    /// The one `Rc` of a set's content.
    fn intern(&self, set: Bitset) -> std::rc::Rc<Bitset> {
        self.interned
            .borrow_mut()
            .entry(set)
            .or_insert_with_key(|s| std::rc::Rc::new(s.clone()))
            .clone()
    }

    /// The destination classes on which a rule's ports admit `port`: all or none for
    /// numeric ports; per class for named ports, which resolve on the destination.
    fn port_admits(
        &self,
        key: (usize, usize),
        rule: &Rule,
        port: u16,
        protocol: Protocol,
        dest: Option<usize>,
    ) -> PortsAdmit {
        let n = self.classes();
        if rule.icmp_only {
            return PortsAdmit::Nowhere;
        }
        if rule.ports.is_empty() {
            return PortsAdmit::Everywhere;
        }
        let named = rule
            .ports
            .iter()
            .any(|p| matches!(p.port, PortSpec::Named { .. }));
        let rep_ports = |c: usize| {
            self.compiled
                .classes
                .rep(c)
                .and_then(|i| self.model.endpoints.get(i))
                .map(|e| e.ports.as_slice())
                .unwrap_or_default()
        };
        if !named {
            return if rule.ports.iter().any(|p| p.admits(port, protocol, &[])) {
                PortsAdmit::Everywhere
            } else {
                PortsAdmit::Nowhere
            };
        }
        if let Some(d) = dest {
            let ok = rule
                .ports
                .iter()
                .any(|p| p.admits(port, protocol, rep_ports(d)));
            return if ok {
                PortsAdmit::Everywhere
            } else {
                PortsAdmit::Nowhere
            };
        }
        let cache_key = (key.0, key.1, port, protocol);
        if let Some(b) = self.named.borrow().get(&cache_key) {
            return PortsAdmit::On(b.clone());
        }
        let mut names = self.names.borrow_mut();
        let names = names.entry((port, protocol)).or_insert_with(|| {
            let mut by_name: HashMap<String, Bitset> = HashMap::new();
            for c in 0..n {
                for d in rep_ports(c)
                    .iter()
                    .filter(|d| d.port == port && d.protocol == protocol)
                {
                    if let Some(name) = &d.name {
                        by_name
                            .entry(name.clone())
                            .or_insert_with(|| Bitset::empty(n))
                            .insert(c);
                    }
                }
            }
            by_name
        });
        let mut out = Bitset::empty(n);
        for p in &rule.ports {
            match &p.port {
                PortSpec::Named { name } if p.protocol.is_none_or(|x| x == protocol) => {
                    if let Some(set) = names.get(name) {
                        out.union_with(set);
                    }
                }
                PortSpec::Named { .. } => {}
                _ if p.admits(port, protocol, &[]) => {
                    out = Bitset::full(n);
                    break;
                }
                _ => {}
            }
        }
        self.named.borrow_mut().insert(cache_key, out.clone());
        PortsAdmit::On(out)
    }

    /// The pod classes `class` admits in `direction` on `port`/`protocol`: for ingress
    /// the sources, for egress the destinations.
    pub fn admitted(
        &self,
        class: usize,
        direction: Direction,
        port: u16,
        protocol: Protocol,
    ) -> Bitset {
        let n = self.classes();
        let settings = &self.compiled.settings;
        if !self.isolated(class, direction) || settings.audit {
            return Bitset::full(n);
        }
        let mut allow = Bitset::empty(n);
        let mut deny = Bitset::empty(n);
        let mut default_deny = settings.enforcement == EnforcementMode::Always;
        let selecting: Vec<(usize, &crate::compile::policy::CompiledPolicy)> =
            self.selecting(class, direction).collect();
        let requires: Vec<usize> = selecting
            .iter()
            .flat_map(|(_, p)| {
                p.requires_sets
                    .iter()
                    .filter(|(d, _)| *d == direction)
                    .map(|(_, s)| *s)
            })
            .collect();
        for (pi, p) in &selecting {
            default_deny |= p.enforcement(direction).default_deny;
            for (ri, rule) in p
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.rule.direction == direction)
            {
                let dest = match direction {
                    Direction::Ingress => Some(class),
                    Direction::Egress => None,
                };
                let ports = self.port_admits((*pi, ri), rule, port, protocol, dest);
                if matches!(&ports, PortsAdmit::Nowhere)
                    || matches!(&ports, PortsAdmit::On(s) if s.is_empty())
                {
                    continue;
                }
                let peers = self.rule_peers((*pi, ri), rule, &requires);
                let target = if rule.rule.deny {
                    &mut deny
                } else {
                    &mut allow
                };
                match ports {
                    PortsAdmit::On(mut s) => {
                        s.intersect_with(&peers);
                        target.union_with(&s);
                    }
                    _ => target.union_with(&peers),
                }
            }
        }
        let mut out = if default_deny { allow } else { Bitset::full(n) };
        out.difference_with(&deny);
        out
    }

    /// The pod classes whose egress admits `to` on `port`/`protocol`.
    pub fn senders(&self, to: usize, port: u16, protocol: Protocol) -> Bitset {
        let n = self.classes();
        let key = (port, protocol);
        let known = self.senders.borrow().get(&key).cloned();
        let matrix = match known {
            Some(m) => m,
            None => {
                let rows: Vec<std::rc::Rc<Bitset>> = (0..n)
                    .map(|a| self.admitted_shared(a, Direction::Egress, port, protocol))
                    .collect();
                // Ports whose egress rows are the same sets (one `Rc` per content) share
                // one transpose: at scale most ports are admitted by the same rules.
                let identity: Vec<usize> = rows
                    .iter()
                    .map(|r| std::rc::Rc::as_ptr(r) as usize)
                    .collect();
                let shared = self.transposes.borrow().get(&identity).cloned();
                let m = match shared {
                    Some(m) => m,
                    None => {
                        let m = std::rc::Rc::new(BitMatrix::transpose_of(&rows, n));
                        self.transposes.borrow_mut().insert(identity, m.clone());
                        m
                    }
                };
                self.senders.borrow_mut().insert(key, m.clone());
                m
            }
        };
        matrix
            .rows
            .get(to)
            .cloned()
            .unwrap_or_else(|| Bitset::empty(n))
    }

    /// The pod classes whose members a server port's Linkerd authorizations admit, once
    /// per set of authorizations and port.
    pub fn authorized(
        &self,
        authz: &crate::compile::mesh::linkerd::Authorizations,
        port: u16,
    ) -> std::rc::Rc<Bitset> {
        let key = (authz.key.clone(), port);
        if let Some(s) = self.authorized.borrow().get(&key) {
            return s.clone();
        }
        let n = self.classes();
        let mut s = Bitset::empty(n);
        if let Some(l) = self.compiled.linkerd.as_ref() {
            for c in 0..n {
                if self
                    .compiled
                    .classes
                    .rep(c)
                    .and_then(|i| self.model.endpoints.get(i))
                    .is_some_and(|src| l.admits(self.model, authz, &Party::Pod(src), port))
                {
                    s.insert(c);
                }
            }
        }
        let s = std::rc::Rc::new(s);
        self.authorized.borrow_mut().insert(key, s.clone());
        s
    }

    /// The pod classes that may open a connection to `to` on `port`/`protocol` as far
    /// as the network policies go (the source's egress and the destination's ingress),
    /// with the port as it crosses the wire.
    pub fn network_sources(&self, to: usize, port: u16, protocol: Protocol) -> Bitset {
        let mut s = self.senders(to, port, protocol);
        s.intersect_with(&self.admitted_shared(to, Direction::Ingress, port, protocol));
        s
    }
}
