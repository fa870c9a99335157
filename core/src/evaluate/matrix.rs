//! The whole cluster at once: every allowed source → destination, with its ports.
//!
//! Computed per identity class and per port class, never per pod pair: the port space
//! is cut at every port a rule, a container or the mesh names (within one cut nothing
//! can tell two ports apart), and for each destination class the allowed sources are a
//! class set — its ingress row (evaluate/kernel.rs) intersected with the column of
//! every source's egress row (one bit-matrix transpose per port class). Meshed pairs
//! are judged on the port the mesh puts on the wire and by the mesh's authorization,
//! as a point verdict is. Groups (workloads, pods, classes) are read off the class
//! rows at output time, so the output grows with what is allowed, and the compact
//! form ([`Matrix::compact`]) with classes, not pods².

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::kernel::Kernel;
use super::needs::api_server_party;
use super::verdict::Evaluator;
use crate::compile::bitset::{BitMatrix, Bitset, BitsetMap, FastMap};
use crate::compile::dataplane::DataplaneChoice;
use crate::compile::mesh::Mesh;
use crate::compile::party::Party;
use crate::compile::policy::{Direction, Peer};
use crate::compile::Compiled;
use crate::error::{Error, Result};
use crate::model::{Endpoint, EndpointKind, Model};
use crate::ports::PortSpec;
use crate::ports::Protocol;
use crate::selector::Selector;

/// What a row of the matrix names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "MatrixGranularity")
)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// Identity classes: output grows with classes, not pods².
    Class,
    /// Workloads (a Deployment and its pods are one row); a row holds when it holds
    /// for every pod of both workloads.
    #[default]
    Workload,
    /// Pods (and pod templates).
    Pod,
}

impl Granularity {
    pub fn parse(s: &str) -> Result<Granularity> {
        match s {
            "class" => Ok(Granularity::Class),
            "workload" => Ok(Granularity::Workload),
            "pod" => Ok(Granularity::Pod),
            other => Err(Error::request(format!("unknown granularity {other:?}"))
                .with_help("use workload, pod or class")),
        }
    }
}

/// What to compute and show.
#[derive(Debug, Clone, Default)]
pub struct MatrixOptions {
    pub by: Granularity,
    /// Empty: TCP, UDP and SCTP.
    pub protocols: Vec<Protocol>,
    /// Address ranges, the API server and DNS names as endpoints too.
    pub externals: bool,
    /// Only rows with a side in this namespace.
    pub namespace: Option<String>,
    /// Only these sources / destinations: `NS/NAME`, `NS/*`, `ip:…`, `entity:…`,
    /// `dns:…`, or a kubectl-style label selector (`app=web,tier in (a,b)`).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only these ports (inclusive ranges); empty: every port.
    pub ports: Vec<(u16, u16)>,
}

/// An inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// Whether a list of ranges is every port.
pub fn is_every_port(ranges: &[PortRange]) -> bool {
    matches!(ranges, [PortRange { from: 1, to: 65535 }])
}

/// One side of the matrix: a workload, a pod, a class, or something outside the pods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// `NS/NAME`, `class:N`, `ip:FIRST-LAST` (or `ip:CIDR`), `entity:kube-apiserver`, `dns:NAME`.
    pub reference: String,
    /// Deployment, Pod, …; `Class`; `Addresses`, `Entity`, `DNS`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The identity classes of its pods.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<usize>,
    /// Its pods (or templates).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub meshed: bool,
}

/// For a meshed pair: application ports the mesh carries on another port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct WireNote {
    pub ports: Vec<PortRange>,
    pub wire: u16,
}

/// The mesh's part in a cell.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MeshCell {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wire: Vec<WireNote>,
    /// The servers (or default policies) whose authorization admitted the flow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authorized_by: Vec<String>,
}

/// One allowed (source, destination, protocol) with its ports (application ports, as
/// the client dials them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    pub from: usize,
    pub to: usize,
    pub protocol: Protocol,
    pub ports: Vec<PortRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mesh: Option<MeshCell>,
}

/// A stretch of ports over which a destination admits the same sources.
#[derive(Debug, Clone)]
struct Piece {
    ports: Vec<PortRange>,
    from: Rc<Bitset>,
    /// Meshed sources reaching it on another port, and that port.
    wire: Option<(u16, Rc<Bitset>)>,
    /// The mesh authorization that applied, when one did.
    authorized_by: Option<Rc<str>>,
}

/// The externals admitted over one stretch of ports.
type ExternalStretch = (Vec<PortRange>, Rc<Bitset>);

/// Something outside the pods, as a matrix side.
#[derive(Debug, Clone)]
struct External {
    reference: String,
    kind: &'static str,
    ip: Option<IpAddr>,
    dns: Option<String>,
    api: bool,
}

/// The matrix: groups, and per protocol the class rows behind the cells.
pub struct Matrix<'a> {
    model: &'a Model,
    compiled: &'a Compiled,
    pub by: Granularity,
    pub dataplane: DataplaneChoice,
    pub groups: Vec<Group>,
    /// Groups that are pods or workloads (index into `groups`), and the externals.
    pod_groups: Vec<usize>,
    ext_groups: Vec<usize>,
    /// Per protocol, per destination class: pieces (sources are classes).
    rows: Vec<(Protocol, Vec<Vec<Piece>>)>,
    /// Per protocol, per destination class: externals allowed in, per stretch of ports.
    ext_in: Vec<(Protocol, Vec<Vec<ExternalStretch>>)>,
    /// Per protocol, per source class: externals it may reach, per stretch of ports.
    ext_out: Vec<(Protocol, Vec<Vec<ExternalStretch>>)>,
    externals: Vec<External>,
    from_filter: Option<Bitset>,
    to_filter: Option<Bitset>,
    /// Groups in the namespace asked for: a row is kept when either side is one.
    ns_filter: Option<Bitset>,
    pub warnings: Vec<String>,
}

/// Ports cut where any rule, container or mesh setting could change a verdict: inside
/// one stretch, every port is judged alike.
fn stretches(
    model: &Model,
    compiled: &Compiled,
    protocol: Protocol,
    only: &[(u16, u16)],
) -> Vec<PortRange> {
    let mut cuts: BTreeSet<u32> = BTreeSet::from([1, 65536]);
    let mut cut = |from: u16, to: u16| {
        cuts.insert(u32::from(from));
        cuts.insert(u32::from(to) + 1);
    };
    let classes = &compiled.classes;
    let reps: Vec<&Endpoint> = (0..classes.len())
        .filter_map(|c| classes.rep(c).and_then(|i| model.endpoints.get(i)))
        .collect();
    // Where each port name resolves, indexed once: rules naming ports are thousands at
    // scale, and so are the classes declaring them.
    let mut named: HashMap<&str, BTreeSet<u16>> = HashMap::new();
    for e in &reps {
        for np in e.ports.iter().filter(|np| np.protocol == protocol) {
            if let Some(name) = np.name.as_deref() {
                named.entry(name).or_default().insert(np.port);
            }
        }
    }
    for p in &compiled.policies {
        for rule in &p.rules {
            for m in rule
                .ports
                .iter()
                .filter(|m| m.protocol.is_none_or(|x| x == protocol))
            {
                match &m.port {
                    PortSpec::Range { from, to } => cut(*from, *to),
                    PortSpec::Named { name } => {
                        for port in named.get(name.as_str()).into_iter().flatten() {
                            cut(*port, *port);
                        }
                    }
                    PortSpec::Any => {}
                }
            }
        }
    }
    for e in &reps {
        for np in e.ports.iter().filter(|np| np.protocol == protocol) {
            cut(np.port, np.port);
        }
    }
    if protocol == Protocol::Tcp {
        if let Some(l) = compiled.linkerd.as_ref() {
            let mut b = Vec::new();
            for e in &reps {
                l.boundaries(model, e, &mut b);
            }
            for (from, to) in b {
                cut(from, to);
            }
        }
    }
    for (from, to) in only {
        cut(*from, *to);
    }
    let cuts: Vec<u32> = cuts.into_iter().collect();
    cuts.windows(2)
        .filter_map(|w| match w {
            [a, b] => Some(PortRange {
                from: u16::try_from(*a).ok()?,
                to: u16::try_from(*b - 1).ok()?,
            }),
            _ => None,
        })
        .filter(|r| only.is_empty() || only.iter().any(|(f, t)| *f <= r.from && r.to <= *t))
        .collect()
}

/// Appends a stretch to a list of ranges, merging it with the last when adjacent.
fn push_range(ranges: &mut Vec<PortRange>, r: PortRange) {
    match ranges.last_mut() {
        Some(last) if u32::from(last.to) + 1 == u32::from(r.from) => last.to = r.to,
        _ => ranges.push(r),
    }
}

/// Intersects two sorted lists of ranges.
fn intersect(a: &[PortRange], b: &[PortRange]) -> Vec<PortRange> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        let from = x.from.max(y.from);
        let to = x.to.min(y.to);
        if from <= to {
            out.push(PortRange { from, to });
        }
        if x.to < y.to {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Interns bitsets, so that the many identical rows (every class, no class) are kept once.
#[derive(Default)]
struct Sets {
    map: BitsetMap<Rc<Bitset>>,
}

impl Sets {
    fn get(&mut self, b: Bitset) -> Rc<Bitset> {
        if let Some(rc) = self.map.get(&b) {
            return rc.clone();
        }
        let rc = Rc::new(b.clone());
        self.map.insert(b, rc.clone());
        rc
    }
}

/// Address ranges cut at every CIDR the policies and the mesh's networks name.
/// Every CIDR (and `except`) the tree's policies and the mesh's networks name: where the
/// matrix cuts the outside into ranges.
pub(crate) fn address_cuts(model: &Model, compiled: &Compiled) -> Vec<ipnet::IpNet> {
    let mut cidrs: Vec<ipnet::IpNet> = Vec::new();
    for p in &compiled.policies {
        for rule in &p.rules {
            for peer in &rule.peers {
                if let Peer::Block { block } = peer {
                    cidrs.push(block.cidr);
                    cidrs.extend(block.except.iter().copied());
                }
            }
        }
    }
    for net in model
        .linkerd
        .network_auth
        .iter()
        .flat_map(|n| n.spec.networks.iter().flatten())
    {
        cidrs.extend(
            net.cidr
                .as_deref()
                .and_then(|c| crate::ports::parse_cidr(c).ok()),
        );
        cidrs.extend(
            net.except
                .iter()
                .flatten()
                .filter_map(|c| crate::ports::parse_cidr(c).ok()),
        );
    }
    cidrs
}

/// The outside parties: address ranges cut at the tree's CIDRs and at `extra` (a diff
/// passes the other tree's, so that both matrices name the same ranges), the API server
/// when it runs outside the nodes, and the DNS names of FQDN rules.
fn external_parties(model: &Model, compiled: &Compiled, extra: &[ipnet::IpNet]) -> Vec<External> {
    let mut cidrs: Vec<ipnet::IpNet> = address_cuts(model, compiled);
    cidrs.extend(extra.iter().copied());
    let mut names: BTreeSet<(String, String)> = BTreeSet::new();
    for p in &compiled.policies {
        for rule in &p.rules {
            for peer in &rule.peers {
                if let Peer::Fqdn { fqdn } = peer {
                    // A name that the pattern matches stands for it: `*` parts as `x`.
                    let name = fqdn.pattern.trim_start_matches("**.").replace('*', "x");
                    let name = if name.is_empty() || name == "x" {
                        "any.example".to_string()
                    } else {
                        name
                    };
                    names.insert((fqdn.pattern.clone(), name));
                }
            }
        }
    }
    let mut v4: BTreeSet<u64> = BTreeSet::from([0, 1 << 32]);
    let mut v6: BTreeSet<u128> = BTreeSet::from([0]);
    let mut any_v6 = false;
    for c in &cidrs {
        match c {
            ipnet::IpNet::V4(n) => {
                v4.insert(u64::from(u32::from(n.network())));
                v4.insert(u64::from(u32::from(n.broadcast())) + 1);
            }
            ipnet::IpNet::V6(n) => {
                any_v6 = true;
                v6.insert(u128::from(n.network()));
                if let Some(end) = u128::from(n.broadcast()).checked_add(1) {
                    v6.insert(end);
                }
            }
        }
    }
    let mut out = Vec::new();
    let v4: Vec<u64> = v4.into_iter().collect();
    for w in v4.windows(2) {
        if let [a, b] = w {
            let (Ok(first), Ok(last)) = (u32::try_from(*a), u32::try_from(*b - 1)) else {
                continue;
            };
            let (first, last) = (
                std::net::Ipv4Addr::from(first),
                std::net::Ipv4Addr::from(last),
            );
            out.push(External {
                reference: format!("ip:{first}-{last}"),
                kind: "Addresses",
                ip: Some(IpAddr::V4(first)),
                dns: None,
                api: false,
            });
        }
    }
    if any_v6 {
        let mut v6: Vec<u128> = v6.into_iter().collect();
        v6.push(u128::MAX);
        for (i, w) in v6.windows(2).enumerate() {
            if let [a, b] = w {
                let last = if i + 2 == v6.len() { *b } else { *b - 1 };
                let (first, last) = (std::net::Ipv6Addr::from(*a), std::net::Ipv6Addr::from(last));
                out.push(External {
                    reference: format!("ip:{first}-{last}"),
                    kind: "Addresses",
                    ip: Some(IpAddr::V6(first)),
                    dns: None,
                    api: false,
                });
            }
        }
    }
    // The API server as an outside party, when it runs outside the nodes (a managed
    // control plane): on a node it is that node's host network, judged relative to each
    // pod's node, which `check --from entity:kube-apiserver` does per pod.
    let on_node = model
        .api_server
        .iter()
        .any(|ip| model.nodes.values().any(|n| n.addresses.contains(ip)));
    if !model.api_server.is_empty() && !on_node {
        out.push(External {
            reference: "entity:kube-apiserver".into(),
            kind: "Entity",
            ip: model.api_server.first().copied(),
            dns: None,
            api: true,
        });
    }
    for (pattern, name) in names {
        out.push(External {
            reference: format!("dns:{pattern}"),
            kind: "DNS",
            ip: None,
            dns: Some(name),
            api: false,
        });
    }
    out
}

/// Which groups a filter names.
fn select(groups: &[Group], model: &Model, filter: &str) -> Result<Bitset> {
    let mut out = Bitset::empty(groups.len());
    if let Some(ns) = filter.strip_suffix("/*") {
        for (i, g) in groups.iter().enumerate() {
            if g.namespace.as_deref() == Some(ns) {
                out.insert(i);
            }
        }
        return Ok(out);
    }
    let is_reference = filter.contains('/')
        || ["ip:", "entity:", "dns:", "class:"]
            .iter()
            .any(|p| filter.starts_with(p));
    if is_reference {
        for (i, g) in groups.iter().enumerate() {
            if g.reference == filter || g.members.iter().any(|m| m == filter) {
                out.insert(i);
            }
        }
        if out.is_empty() {
            return Err(Error::new(
                crate::error::ErrorCode::UnknownEndpoint,
                format!("{filter}: no row of the matrix is or holds it"),
            ));
        }
        return Ok(out);
    }
    let sel = Selector::parse_kubectl(filter).map_err(|m| {
        Error::request(format!(
            "{filter:?} is not a reference or a label selector: {m}"
        ))
    })?;
    for (i, g) in groups.iter().enumerate() {
        let matches = g
            .members
            .first()
            .and_then(|m| m.split_once('/'))
            .and_then(|(ns, name)| model.find_endpoint(ns, name))
            .is_some_and(|e| sel.matches(&e.labels));
        if matches {
            out.insert(i);
        }
    }
    Ok(out)
}

impl<'a> Matrix<'a> {
    /// Computes the matrix of a compiled model.
    pub fn compute(
        model: &'a Model,
        compiled: &'a Compiled,
        options: &MatrixOptions,
    ) -> Result<Matrix<'a>> {
        Matrix::compute_cut(model, compiled, options, &[])
    }

    /// As [`Matrix::compute`], the outside also cut at `extra` (see [`external_parties`]).
    pub(crate) fn compute_cut(
        model: &'a Model,
        compiled: &'a Compiled,
        options: &MatrixOptions,
        extra: &[ipnet::IpNet],
    ) -> Result<Matrix<'a>> {
        let classes = &compiled.classes;
        let k = classes.len();
        let (groups, pod_groups, warnings) = pod_groups(model, compiled, options.by);
        let mut groups = groups;
        let externals = if options.externals {
            external_parties(model, compiled, extra)
        } else {
            Vec::new()
        };
        let mut ext_groups = Vec::new();
        for x in &externals {
            ext_groups.push(groups.len());
            groups.push(Group {
                reference: x.reference.clone(),
                kind: x.kind.into(),
                namespace: None,
                classes: Vec::new(),
                members: Vec::new(),
                meshed: false,
            });
        }
        let from_filter = options
            .from
            .as_deref()
            .map(|f| select(&groups, model, f))
            .transpose()?;
        let to_filter = options
            .to
            .as_deref()
            .map(|f| select(&groups, model, f))
            .transpose()?;
        let protocols: Vec<Protocol> = if options.protocols.is_empty() {
            vec![Protocol::Tcp, Protocol::Udp, Protocol::Sctp]
        } else {
            options.protocols.clone()
        };
        let kernel = Kernel::new(model, compiled);
        let linkerd = compiled.linkerd.as_ref();
        let rep = |c: usize| classes.rep(c).and_then(|i| model.endpoints.get(i));
        let meshed: Vec<bool> = (0..k)
            .map(|c| {
                classes
                    .rep(c)
                    .is_some_and(|i| linkerd.is_some_and(|l| l.is_meshed(i)))
            })
            .collect();
        let mut sets = Sets::default();
        let mut rows = Vec::new();
        let mut ext_in = Vec::new();
        let mut ext_out = Vec::new();
        let eval = Evaluator::new(model, compiled, false);
        let api = api_server_party(model);
        let parties: Vec<Party> = externals
            .iter()
            .map(|x| {
                if x.api {
                    api
                } else {
                    Party::External {
                        ip: x.ip,
                        dns: x.dns.as_deref(),
                    }
                }
            })
            .collect();
        let mut authz_ext: HashMap<(String, u16), Bitset> = HashMap::new();
        for &protocol in &protocols {
            let stretches = stretches(model, compiled, protocol, &options.ports);
            let mut per_dst: Vec<Vec<Piece>> = vec![Vec::new(); k];
            let mut in_dst: Vec<Vec<(Vec<PortRange>, Rc<Bitset>)>> = vec![Vec::new(); k];
            let mut out_src: Vec<Vec<(Vec<PortRange>, Rc<Bitset>)>> = vec![Vec::new(); k];
            let mut wire_senders: HashMap<u16, BitMatrix> = HashMap::new();
            // Keyed by the rules that admit the port rather than the port: outside parties
            // declare no ports, so ports admitted by the same rules judge them alike. And
            // addresses and names are matched by the rules' peers alone, whoever the
            // subject is (only a node party is host or remote-node to it): classes of
            // different profiles whose rules admit alike share their judgement then.
            type ExtKey = (
                Direction,
                usize,
                bool,
                bool,
                crate::evaluate::kernel::Signature,
            );
            let subject_free = parties.iter().all(|p| matches!(p, Party::External { .. }));
            let mut ext_cache: FastMap<ExtKey, Rc<Bitset>> = FastMap::default();
            // Equal sets are one `Rc` (`Kernel::admitted_shared`), so from one port to the
            // next only the egress rows whose pointer changed are flipped into the senders'
            // transpose, and a destination whose senders and ingress did not change extends
            // its last piece without being judged again.
            let mut senders: Option<BitMatrix> = None;
            let mut prev_egress: Vec<Rc<Bitset>> = Vec::new();
            let mut prev_in: Vec<Option<Rc<Bitset>>> = vec![None; k];
            let mesh_free = protocol != Protocol::Tcp || linkerd.is_none();
            let mut ext_memo: FastMap<(Direction, usize), Rc<Bitset>> = FastMap::default();
            for stretch in stretches {
                let port = stretch.from;
                kernel.forget();
                ext_memo.clear();
                let egress: Vec<Rc<Bitset>> = (0..k)
                    .map(|a| kernel.admitted_shared(a, Direction::Egress, port, protocol))
                    .collect();
                // Destinations whose senders differ from the previous port's.
                let mut moved_to = Bitset::full(k);
                let moved: Vec<usize> = match senders.as_ref() {
                    Some(_) if prev_egress.len() == k => (0..k).filter(|a| !matches!((egress.get(*a), prev_egress.get(*a)), (Some(x), Some(y)) if Rc::ptr_eq(x, y))).collect(),
                    _ => (0..k).collect(),
                };
                // Sources whose egress moved from one set to another change the same
                // destinations: the two sets' difference. Flipping those bits costs less than
                // a new transpose unless the differences are large.
                let mut shifts: FastMap<(usize, usize), (Bitset, Vec<usize>)> = FastMap::default();
                if senders.is_some() && moved.len() < k {
                    for &a in &moved {
                        let (Some(now), Some(before)) = (egress.get(a), prev_egress.get(a)) else {
                            continue;
                        };
                        shifts
                            .entry((Rc::as_ptr(before) as usize, Rc::as_ptr(now) as usize))
                            .or_insert_with(|| {
                                let mut flipped = (**now).clone();
                                flipped.symmetric_difference_with(before);
                                (flipped, Vec::new())
                            })
                            .1
                            .push(a);
                    }
                }
                let words = k.div_ceil(64);
                let cost: usize = shifts
                    .values()
                    .map(|(flipped, sources)| flipped.count() * sources.len().min(words))
                    .sum();
                match senders.as_mut() {
                    Some(s) if moved.len() < k && cost <= 2 * k * words => {
                        moved_to = Bitset::empty(k);
                        for (flipped, sources) in shifts.values() {
                            // Many sources: flip them as one set, a word at a time.
                            let many = (sources.len() >= words).then(|| {
                                let mut set = Bitset::empty(k);
                                sources.iter().for_each(|a| set.insert(*a));
                                set
                            });
                            for b in flipped.ones() {
                                if let Some(row) = s.rows.get_mut(b) {
                                    match &many {
                                        Some(set) => row.symmetric_difference_with(set),
                                        None => sources.iter().for_each(|a| row.toggle(*a)),
                                    }
                                }
                                moved_to.insert(b);
                            }
                        }
                    }
                    _ => senders = Some(BitMatrix::transpose_of(&egress, k)),
                }
                prev_egress = egress;
                let Some(senders) = senders.as_ref() else {
                    continue;
                };
                // Meshed clients whose proxies rewrite this port.
                let mut rewriting = Bitset::empty(k);
                if protocol == Protocol::Tcp {
                    if let Some(l) = linkerd {
                        for c in 0..k {
                            if meshed.get(c).copied().unwrap_or(false)
                                && classes.rep(c).is_some_and(|i| !l.skips_outbound(i, port))
                            {
                                rewriting.insert(c);
                            }
                        }
                    }
                }
                for b in 0..k {
                    let Some(dst) = rep(b) else { continue };
                    let ingress = kernel.admitted_shared(b, Direction::Ingress, port, protocol);
                    let unchanged = !moved_to.contains(b)
                        && mesh_free
                        && prev_in
                            .get(b)
                            .and_then(Option::as_ref)
                            .is_some_and(|p| Rc::ptr_eq(p, &ingress));
                    if let Some(slot) = prev_in.get_mut(b) {
                        *slot = Some(ingress.clone());
                    }
                    if unchanged {
                        if let Some(last) = per_dst.get_mut(b).and_then(|l| l.last_mut()) {
                            push_range(&mut last.ports, stretch);
                        }
                    } else {
                        let mut row = (*ingress).clone();
                        row.intersect_with(senders.rows.get(b).unwrap_or(&Bitset::empty(k)));
                        let mut wire = None;
                        let mut authorized_by = None;
                        if let (Protocol::Tcp, Some(l)) = (protocol, linkerd) {
                            if let Some(w) = l
                                .rewrite(model, dst, port)
                                .filter(|_| !rewriting.is_empty())
                            {
                                let s = wire_senders.entry(w.port).or_insert_with(|| {
                                    let egress: Vec<Rc<Bitset>> = (0..k)
                                        .map(|a| {
                                            kernel.admitted_shared(
                                                a,
                                                Direction::Egress,
                                                w.port,
                                                protocol,
                                            )
                                        })
                                        .collect();
                                    BitMatrix::transpose_of(&egress, k)
                                });
                                let mut on_wire = (*kernel.admitted_shared(
                                    b,
                                    Direction::Ingress,
                                    w.port,
                                    protocol,
                                ))
                                .clone();
                                on_wire.intersect_with(s.rows.get(b).unwrap_or(&Bitset::empty(k)));
                                on_wire.intersect_with(&rewriting);
                                row.difference_with(&rewriting);
                                let mut rewritten = on_wire.clone();
                                row.union_with(&on_wire);
                                rewritten.intersect_with(&row);
                                wire = Some((w.port, sets.get(rewritten)));
                            }
                            if l.judges(dst, port, protocol) {
                                if let Some(authz) = l.authorizations(model, dst, port) {
                                    row.intersect_with(&kernel.authorized(&authz, port));
                                    authorized_by = Some(Rc::from(authz.server.as_str()));
                                }
                            }
                        }
                        let from = sets.get(row);
                        let list = per_dst.get_mut(b);
                        if let Some(list) = list {
                            match list.last_mut() {
                                Some(last)
                                    if Rc::ptr_eq(&last.from, &from)
                                        && last.wire.as_ref().map(|(p, s)| (*p, Rc::as_ptr(s)))
                                            == wire.as_ref().map(|(p, s)| (*p, Rc::as_ptr(s)))
                                        && last.authorized_by == authorized_by =>
                                {
                                    push_range(&mut last.ports, stretch)
                                }
                                _ => list.push(Piece {
                                    ports: vec![stretch],
                                    from,
                                    wire,
                                    authorized_by,
                                }),
                            }
                        }
                    }
                    if !parties.is_empty() {
                        // Outside parties: no egress of their own; the destination's
                        // ingress and, for a meshed destination, the mesh's authorization.
                        // The ingress part is the same for every class of a profile, and
                        // for every port its rules admit alike.
                        let mut judged = |direction: Direction| -> Rc<Bitset> {
                            let profile = kernel.profile(b, direction);
                            ext_memo
                                .entry((direction, profile))
                                .or_insert_with(|| {
                                    let key = (
                                        direction,
                                        if subject_free { usize::MAX } else { profile },
                                        kernel.isolated(b, direction),
                                        kernel.default_deny(b, direction),
                                        kernel.signature(b, direction, port, protocol),
                                    );
                                    ext_cache
                                        .entry(key)
                                        .or_insert_with(|| {
                                            let mut admitted = Bitset::empty(parties.len());
                                            let isolated = kernel.isolated(b, direction);
                                            for (x, party) in parties.iter().enumerate() {
                                                if !isolated
                                                    || eval.admits(
                                                        direction,
                                                        &Party::Pod(dst),
                                                        party,
                                                        port,
                                                        protocol,
                                                    )
                                                {
                                                    admitted.insert(x);
                                                }
                                            }
                                            sets.get(admitted)
                                        })
                                        .clone()
                                })
                                .clone()
                        };
                        let mut admitted = judged(Direction::Ingress);
                        let reach = judged(Direction::Egress);
                        if let (Protocol::Tcp, Some(l)) = (protocol, linkerd) {
                            if l.judges(dst, port, protocol) {
                                if let Some(authz) = l.authorizations(model, dst, port) {
                                    let ok = authz_ext
                                        .entry((authz.key.clone(), port))
                                        .or_insert_with(|| {
                                            let mut s = Bitset::empty(parties.len());
                                            for (x, party) in parties.iter().enumerate() {
                                                if l.admits(model, &authz, party, port) {
                                                    s.insert(x);
                                                }
                                            }
                                            s
                                        });
                                    let mut narrowed = (*admitted).clone();
                                    narrowed.intersect_with(ok);
                                    admitted = sets.get(narrowed);
                                }
                            }
                        }
                        push_piece(in_dst.get_mut(b), stretch, admitted);
                        push_piece(out_src.get_mut(b), stretch, reach);
                    }
                }
            }
            rows.push((protocol, per_dst));
            ext_in.push((protocol, in_dst));
            ext_out.push((protocol, out_src));
        }
        let mut m = Matrix {
            model,
            compiled,
            by: options.by,
            dataplane: compiled.choice.clone(),
            groups,
            pod_groups,
            ext_groups,
            rows,
            ext_in,
            ext_out,
            externals,
            from_filter,
            to_filter,
            ns_filter: None,
            warnings,
        };
        if let Some(ns) = &options.namespace {
            let mut keep = Bitset::empty(m.groups.len());
            for (i, g) in m.groups.iter().enumerate() {
                if g.namespace.as_deref() == Some(ns.as_str()) {
                    keep.insert(i);
                }
            }
            m.ns_filter = Some(keep);
        }
        Ok(m)
    }

    fn keep(&self, from: usize, to: usize) -> bool {
        self.from_filter.as_ref().is_none_or(|f| f.contains(from))
            && self.to_filter.as_ref().is_none_or(|f| f.contains(to))
            && self
                .ns_filter
                .as_ref()
                .is_none_or(|f| f.contains(from) || f.contains(to))
    }

    /// For destination class `b` and one protocol: each source class's ports, and what
    /// the mesh did on them.
    fn sources_of(&self, pieces: &[Piece]) -> BTreeMap<usize, (Vec<PortRange>, MeshCell)> {
        let mut out: BTreeMap<usize, (Vec<PortRange>, MeshCell)> = BTreeMap::new();
        for p in pieces {
            for a in p.from.ones() {
                let entry = out.entry(a).or_default();
                for r in &p.ports {
                    push_range(&mut entry.0, *r);
                }
                if let Some((wire, set)) = &p.wire {
                    if set.contains(a) {
                        match entry.1.wire.iter_mut().find(|w| w.wire == *wire) {
                            Some(w) => p.ports.iter().for_each(|r| push_range(&mut w.ports, *r)),
                            None => entry.1.wire.push(WireNote {
                                ports: p.ports.clone(),
                                wire: *wire,
                            }),
                        }
                    }
                }
                if let Some(by) = &p.authorized_by {
                    if !entry.1.authorized_by.iter().any(|x| x.as_str() == &**by) {
                        entry.1.authorized_by.push(by.to_string());
                    }
                }
            }
        }
        out
    }

    /// Every allowed cell, sorted by source, destination and protocol.
    pub fn cells(&self) -> Vec<Cell> {
        let mut out = Vec::new();
        self.for_each_cell(|c| out.push(c));
        out.sort_by_key(|a| (a.from, a.to, a.protocol));
        out
    }

    /// Every allowed cell, destination by destination (no order promised): for outputs
    /// too large to hold.
    pub fn for_each_cell(&self, mut f: impl FnMut(Cell)) {
        let classes = &self.compiled.classes;
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes.len()];
        for &g in &self.pod_groups {
            for c in self
                .groups
                .get(g)
                .map(|g| g.classes.as_slice())
                .unwrap_or_default()
            {
                if let Some(list) = by_class.get_mut(*c) {
                    list.push(g);
                }
            }
        }
        let empty: Vec<Piece> = Vec::new();
        for (pi, (protocol, rows)) in self.rows.iter().enumerate() {
            let protocol = *protocol;
            // Pod groups to pod groups.
            for &g2 in &self.pod_groups {
                let Some(dst) = self.groups.get(g2) else {
                    continue;
                };
                let maps: Vec<BTreeMap<usize, (Vec<PortRange>, MeshCell)>> = dst
                    .classes
                    .iter()
                    .map(|b| self.sources_of(rows.get(*b).unwrap_or(&empty)))
                    .collect();
                let Some(first) = maps.first() else { continue };
                let mut seen = BTreeSet::new();
                for a in first.keys() {
                    for &g1 in by_class.get(*a).into_iter().flatten() {
                        // A pod to itself never crosses a policy (it stays in the pod); a
                        // workload or class to itself is its pods to each other, when it
                        // has two or more.
                        let itself =
                            g1 == g2 && (self.by == Granularity::Pod || dst.members.len() < 2);
                        if itself || !seen.insert(g1) || !self.keep(g1, g2) {
                            continue;
                        }
                        let Some(src) = self.groups.get(g1) else {
                            continue;
                        };
                        let mut ports: Option<Vec<PortRange>> = None;
                        let mut mesh = MeshCell::default();
                        for m in &maps {
                            for c in &src.classes {
                                let (p, mc) = m.get(c).cloned().unwrap_or_default();
                                ports = Some(match ports {
                                    None => p,
                                    Some(acc) => intersect(&acc, &p),
                                });
                                for w in mc.wire {
                                    if !mesh.wire.contains(&w) {
                                        mesh.wire.push(w);
                                    }
                                }
                                for by in mc.authorized_by {
                                    if !mesh.authorized_by.contains(&by) {
                                        mesh.authorized_by.push(by);
                                    }
                                }
                            }
                        }
                        let ports = ports.unwrap_or_default();
                        if ports.is_empty() {
                            continue;
                        }
                        let mesh = (!mesh.wire.is_empty() || !mesh.authorized_by.is_empty())
                            .then_some(mesh);
                        f(Cell {
                            from: g1,
                            to: g2,
                            protocol,
                            ports,
                            mesh,
                        });
                    }
                }
            }
            // Outside parties, both ways.
            let ext_cells = |table: &[Vec<(Vec<PortRange>, Rc<Bitset>)>],
                             group: &Group,
                             x: usize|
             -> Vec<PortRange> {
                let mut acc: Option<Vec<PortRange>> = None;
                for c in &group.classes {
                    let mut ports = Vec::new();
                    for (r, set) in table.get(*c).into_iter().flatten() {
                        if set.contains(x) {
                            r.iter().for_each(|p| push_range(&mut ports, *p));
                        }
                    }
                    acc = Some(match acc {
                        None => ports,
                        Some(a) => intersect(&a, &ports),
                    });
                }
                acc.unwrap_or_default()
            };
            let (Some((_, ins)), Some((_, outs))) = (self.ext_in.get(pi), self.ext_out.get(pi))
            else {
                continue;
            };
            for (x, &gx) in self.ext_groups.iter().enumerate() {
                for &g in &self.pod_groups {
                    let Some(group) = self.groups.get(g) else {
                        continue;
                    };
                    if self.keep(gx, g) {
                        let ports = ext_cells(ins, group, x);
                        if !ports.is_empty() {
                            f(Cell {
                                from: gx,
                                to: g,
                                protocol,
                                ports,
                                mesh: None,
                            });
                        }
                    }
                    if self.keep(g, gx) {
                        let ports = ext_cells(outs, group, x);
                        if !ports.is_empty() {
                            f(Cell {
                                from: g,
                                to: gx,
                                protocol,
                                ports,
                                mesh: None,
                            });
                        }
                    }
                }
            }
        }
    }

    /// The class-indexed, columnar form for hosts: each distinct source set once
    /// (`sets`, as runs of class indices or a bitmap), rows per destination class and
    /// stretch of ports pointing at them; so a browser draws 10,000 × 10,000 from a few
    /// hundred sets, and a 150,000-pod cluster's matrix is megabytes, not gigabytes.
    pub fn compact(&self) -> Compact {
        let classes = &self.compiled.classes;
        let mut ids: HashMap<*const Bitset, usize> = HashMap::new();
        let mut sets: Vec<CompactSet> = Vec::new();
        let mut id_of = |b: &Rc<Bitset>| -> usize {
            let n = sets.len();
            *ids.entry(Rc::as_ptr(b)).or_insert_with(|| {
                sets.push(CompactSet::of(b));
                n
            })
        };
        let mut rows = Vec::new();
        for (protocol, per_dst) in &self.rows {
            for (to, pieces) in per_dst.iter().enumerate() {
                for p in pieces.iter().filter(|p| !p.from.is_empty()) {
                    rows.push(CompactRow {
                        protocol: *protocol,
                        to,
                        ports: p.ports.clone(),
                        from: id_of(&p.from),
                        wire: p
                            .wire
                            .as_ref()
                            .filter(|(_, s)| !s.is_empty())
                            .map(|(port, s)| CompactWire {
                                port: *port,
                                from: id_of(s),
                            }),
                        authorized_by: p.authorized_by.as_ref().map(|s| s.to_string()),
                    });
                }
            }
        }
        let mut external = Vec::new();
        for ((protocol, ins), (_, outs)) in self.ext_in.iter().zip(&self.ext_out) {
            for (inbound, table) in [(true, ins), (false, outs)] {
                for (class, pieces) in table.iter().enumerate() {
                    for (ports, set) in pieces.iter().filter(|(_, s)| !s.is_empty()) {
                        external.push(CompactExternal {
                            protocol: *protocol,
                            class,
                            inbound,
                            ports: ports.clone(),
                            externals: id_of(set),
                        });
                    }
                }
            }
        }
        Compact {
            by: self.by,
            dataplane: self.dataplane.clone(),
            groups: self.groups.clone(),
            classes: (0..classes.len())
                .map(|c| CompactClass {
                    namespace: classes
                        .namespace
                        .get(c)
                        .and_then(|n| classes.namespaces.get(*n))
                        .cloned()
                        .unwrap_or_default(),
                    pods: classes.members.get(c).map(Vec::len).unwrap_or(0),
                })
                .collect(),
            externals: self.externals.iter().map(|x| x.reference.clone()).collect(),
            sets,
            rows,
            external,
            warnings: self.warnings.clone(),
        }
    }

    /// The model and compiled data the matrix was computed from.
    pub fn source(&self) -> (&'a Model, &'a Compiled) {
        (self.model, self.compiled)
    }
}

/// [`Matrix::compact`]: groups point at classes (`Group::classes`); each row says which
/// source classes (a set of `sets`) a destination class admits on which ports.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "MatrixCompact")
)]
#[serde(rename_all = "camelCase")]
pub struct Compact {
    pub by: Granularity,
    pub dataplane: DataplaneChoice,
    pub groups: Vec<Group>,
    pub classes: Vec<CompactClass>,
    /// References of the outside parties, the members of `CompactExternal`'s sets.
    pub externals: Vec<String>,
    /// Every distinct set of classes (or of outside parties) the rows name.
    pub sets: Vec<CompactSet>,
    pub rows: Vec<CompactRow>,
    pub external: Vec<CompactExternal>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompactClass {
    pub namespace: String,
    pub pods: usize,
}

/// A set of indices: runs `[first, end)`, or, when that is longer, a bitmap (base64 of
/// little-endian 64-bit words, bit i = index i).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompactSet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<[usize; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<String>,
}

impl CompactSet {
    fn of(b: &Bitset) -> CompactSet {
        let runs = b.runs();
        if runs.len() * 2 <= b.words().len() + 1 {
            CompactSet {
                runs: Some(runs.into_iter().map(|(a, z)| [a, z]).collect()),
                bits: None,
            }
        } else {
            let bytes: Vec<u8> = b.words().iter().flat_map(|w| w.to_le_bytes()).collect();
            CompactSet {
                runs: None,
                bits: Some(base64(&bytes)),
            }
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(
                    A.get(((n >> shift) & 63) as usize).copied().unwrap_or(b'A'),
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompactRow {
    pub protocol: Protocol,
    pub to: usize,
    pub ports: Vec<PortRange>,
    /// Index into `sets`.
    pub from: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wire: Option<CompactWire>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorized_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompactWire {
    pub port: u16,
    /// Index into `sets`.
    pub from: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompactExternal {
    pub protocol: Protocol,
    pub class: usize,
    /// `true`: the externals may reach the class; `false`: the class may reach them.
    pub inbound: bool,
    pub ports: Vec<PortRange>,
    /// Index into `sets` (members: indices of `externals`).
    pub externals: usize,
}

fn push_piece(
    list: Option<&mut Vec<(Vec<PortRange>, Rc<Bitset>)>>,
    stretch: PortRange,
    set: Rc<Bitset>,
) {
    let Some(list) = list else { return };
    match list.last_mut() {
        Some((ports, s)) if Rc::ptr_eq(s, &set) => push_range(ports, stretch),
        _ => list.push((vec![stretch], set)),
    }
}

/// The pod-side groups for a granularity, and warnings about workloads whose pods are
/// told apart by the policies.
fn pod_groups(
    model: &Model,
    compiled: &Compiled,
    by: Granularity,
) -> (Vec<Group>, Vec<usize>, Vec<String>) {
    let classes = &compiled.classes;
    let meshed = |e: &Endpoint| {
        compiled
            .linkerd
            .as_ref()
            .is_some_and(|l| l.is_meshed(e.index))
    };
    let mut groups = Vec::new();
    let mut warnings = Vec::new();
    match by {
        Granularity::Class => {
            for c in 0..classes.len() {
                let members: Vec<&Endpoint> = classes
                    .members
                    .get(c)
                    .into_iter()
                    .flatten()
                    .filter_map(|i| model.endpoints.get(*i))
                    .collect();
                groups.push(Group {
                    reference: format!("class:{c}"),
                    kind: "Class".into(),
                    namespace: classes
                        .namespace
                        .get(c)
                        .and_then(|n| classes.namespaces.get(*n))
                        .cloned(),
                    classes: vec![c],
                    members: members.iter().map(|e| e.reference()).collect(),
                    meshed: members.first().is_some_and(|e| meshed(e)),
                });
            }
        }
        Granularity::Pod => {
            for e in &model.endpoints {
                groups.push(Group {
                    reference: e.reference(),
                    kind: e.kind.as_str().into(),
                    namespace: Some(e.namespace.clone()),
                    classes: vec![classes.of(e)],
                    members: vec![e.reference()],
                    meshed: meshed(e),
                });
            }
        }
        Granularity::Workload => {
            // Keyed by kind too: a standalone Pod and a workload of the same name are two rows.
            let mut by_key: BTreeMap<(String, String, EndpointKind), Vec<&Endpoint>> =
                BTreeMap::new();
            for e in &model.endpoints {
                let (kind, name) = match &e.workload {
                    Some((kind, name)) => (*kind, name.clone()),
                    None => (e.kind, e.name.clone()),
                };
                by_key
                    .entry((e.namespace.clone(), name, kind))
                    .or_default()
                    .push(e);
            }
            for ((ns, name, kind), members) in by_key {
                let mut cls: Vec<usize> = members.iter().map(|e| classes.of(e)).collect();
                cls.sort_unstable();
                cls.dedup();
                if cls.len() > 1 {
                    warnings.push(format!(
                        "the pods of {ns}/{name} fall in {} identity classes (their labels, ports, addresses or mesh settings differ): its rows hold only where they hold for every pod",
                        cls.len()
                    ));
                }
                groups.push(Group {
                    reference: format!("{ns}/{name}"),
                    kind: kind.as_str().into(),
                    namespace: Some(ns),
                    classes: cls,
                    members: members.iter().map(|e| e.reference()).collect(),
                    meshed: members.iter().any(|e| meshed(e)),
                });
            }
        }
    }
    // A Pod wins over a workload of the same name (as references resolve): the workload's
    // row is told apart by its kind.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for g in &groups {
        *seen.entry(g.reference.clone()).or_default() += 1;
    }
    for g in &mut groups {
        if seen.get(&g.reference).is_some_and(|n| *n > 1) && g.kind != "Pod" {
            g.reference = format!("{}[{}]", g.reference, g.kind);
        }
    }
    let ids = (0..groups.len()).collect();
    (groups, ids, warnings)
}
