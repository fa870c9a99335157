//! Point verdicts: a question (`from`, `to`, port, protocol) resolved to the parties it
//! names, then each layer judged over the compiled data (see [`super::verdict`]).

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::needs::Starved;
use super::verdict::{EndpointView, Evaluator, Layer, PortRef, Query, Verdict};
use crate::compile::dataplane::{qualified, sample};
use crate::compile::mesh::{Mesh, MeshDecision, WirePort};
use crate::compile::party::Party;
use crate::compile::policy::Direction;
use crate::compile::Compiled;
use crate::error::{Error, ErrorCode, Result};
use crate::findings::{Diagnostic, DiagnosticCode, Severity};
use crate::model::{Endpoint, Model, Service, TargetPort};
use crate::ports::Protocol;

/// Answers questions about one compiled model.
#[derive(Clone, Copy)]
pub struct Point<'a> {
    pub model: &'a Model,
    pub compiled: &'a Compiled,
    /// Per identity class, how its proxy is cut off from the control plane.
    pub starved: &'a BTreeMap<usize, Starved>,
}

/// A resolved question: each source, and the destination.
struct Flow<'c> {
    sources: Vec<Party<'c>>,
    /// The workload a source reference named, when it names several Pods.
    source_group: Option<(&'c str, usize)>,
    to: To<'c>,
}

enum To<'c> {
    /// Parties with the port each one serves.
    Parties(Vec<(Party<'c>, u16)>, Option<(&'c str, usize)>),
    Service(&'c Service),
}

/// What a question's endpoint reference names.
pub(crate) enum Target<'c> {
    Party(Party<'c>),
    /// A range of outside addresses: every address of it (one per address class of
    /// the policies' CIDRs).
    Addresses(Vec<IpAddr>),
    /// A workload whose Pods are in the input: every one of them.
    Pods(Vec<&'c Endpoint>),
    Service(&'c Service),
}

fn next_ip(ip: IpAddr) -> Option<IpAddr> {
    match ip {
        IpAddr::V4(v) => u32::from(v).checked_add(1).map(|n| IpAddr::V4(n.into())),
        IpAddr::V6(v) => u128::from(v).checked_add(1).map(|n| IpAddr::V6(n.into())),
    }
}

/// `FIRST-LAST` or `CIDR`: the first and last address (same family).
fn address_range(s: &str) -> Option<(IpAddr, IpAddr)> {
    if let Some((a, b)) = s.split_once('-') {
        let (a, b): (IpAddr, IpAddr) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        return (a.is_ipv4() == b.is_ipv4() && a <= b).then_some((a, b));
    }
    if s.contains('/') {
        let net: ipnet::IpNet = s.parse().ok()?;
        return Some((net.network(), net.broadcast()));
    }
    None
}

impl<'a> Point<'a> {
    /// One address per address class of `lo..=hi`: the range's start, and every CIDR
    /// boundary of the policies (and of the mesh's networks) inside it.
    fn range_points(&self, lo: IpAddr, hi: IpAddr) -> Vec<IpAddr> {
        let mut points = std::collections::BTreeSet::from([lo]);
        let mut add = |net: &ipnet::IpNet| {
            for b in [Some(net.network()), next_ip(net.broadcast())]
                .into_iter()
                .flatten()
            {
                if lo < b && b <= hi {
                    points.insert(b);
                }
            }
        };
        for p in &self.compiled.policies {
            for rule in &p.rules {
                for peer in &rule.peers {
                    if let crate::compile::policy::Peer::Block { block } = peer {
                        add(&block.cidr);
                        block.except.iter().for_each(&mut add);
                    }
                }
            }
        }
        points.into_iter().collect()
    }

    fn eval(&self, detail: bool) -> Evaluator<'a> {
        Evaluator {
            model: self.model,
            compiled: self.compiled,
            detail,
        }
    }

    pub fn mesh(&self) -> Option<&'a dyn Mesh> {
        self.compiled.linkerd.as_ref().map(|l| l as &dyn Mesh)
    }

    pub fn is_meshed(&self, e: &Endpoint) -> bool {
        self.mesh().is_some_and(|m| m.is_meshed(e.index))
    }

    pub(crate) fn unknown(&self, reference: &str, why: String) -> Error {
        Error::new(ErrorCode::UnknownEndpoint, format!("{reference}: {why}"))
            .with_help("endpoints are NAMESPACE/NAME (a Pod or workload), ip:ADDRESS, node:NAME, svc:NAMESPACE/NAME or dns:NAME")
    }

    pub(crate) fn resolve<'b>(&self, reference: &'b str, role: &str) -> Result<Target<'b>>
    where
        'a: 'b,
    {
        if let Some(addr) = reference.strip_prefix("ip:") {
            if let Some((lo, hi)) = address_range(addr) {
                return Ok(Target::Addresses(self.range_points(lo, hi)));
            }
            let ip: IpAddr = addr.parse().map_err(|_| {
                Error::request(format!("{role} {reference:?}: {addr:?} is not an IP address, a CIDR or a range FIRST-LAST"))
            })?;
            if let Some(e) = self.model.pod_by_ip(&ip) {
                return Ok(Target::Party(Party::Pod(e)));
            }
            if let Some(n) = self
                .model
                .nodes
                .values()
                .find(|n| n.addresses.contains(&ip))
            {
                return Ok(Target::Party(Party::Node(n)));
            }
            return Ok(Target::Party(Party::External {
                ip: Some(ip),
                dns: None,
            }));
        }
        if reference == "entity:kube-apiserver" {
            if self.model.api_server.is_empty() {
                return Err(self.unknown(reference, "the input gives no address of the API server (the default/kubernetes Endpoints or EndpointSlice)".into()));
            }
            return Ok(Target::Party(super::needs::api_server_party(self.model)));
        }
        if let Some(name) = reference.strip_prefix("node:") {
            return self
                .model
                .nodes
                .get(name)
                .map(|n| Target::Party(Party::Node(n)))
                .ok_or_else(|| {
                    self.unknown(
                        reference,
                        format!("no Node {name:?} in the input (nor a Pod on it)"),
                    )
                });
        }
        if let Some(name) = reference.strip_prefix("dns:") {
            if role != "to" {
                return Err(Error::request(format!(
                    "{reference}: dns: names an outside destination; it cannot be a source"
                )));
            }
            if name.is_empty() {
                return Err(Error::request("dns: needs a name"));
            }
            return Ok(Target::Party(Party::External {
                ip: None,
                dns: Some(name),
            }));
        }
        if let Some(rest) = reference.strip_prefix("svc:") {
            if role != "to" {
                return Err(Error::request(format!(
                    "{reference}: a Service can only be a destination"
                )));
            }
            let (ns, name) = rest.split_once('/').ok_or_else(|| {
                Error::request(format!("{reference}: expected svc:NAMESPACE/NAME"))
            })?;
            return self
                .model
                .services
                .iter()
                .find(|s| s.namespace == ns && s.name == name)
                .map(Target::Service)
                .ok_or_else(|| {
                    self.unknown(reference, format!("no Service {ns}/{name} in the input"))
                });
        }
        let Some((ns, name)) = reference.split_once('/') else {
            return Err(Error::request(format!(
                "{role} {reference:?}: expected NAMESPACE/NAME, ip:, node:, svc: or dns:"
            )));
        };
        if let Some(e) = self.model.find_endpoint(ns, name) {
            return Ok(Target::Party(Party::Pod(e)));
        }
        if let Some(pods) = self
            .model
            .workload_pods
            .get(&(ns.to_string(), name.to_string()))
        {
            if pods.is_empty() {
                return Err(self.unknown(
                    reference,
                    "the workload is in the input, but none of its Pods is (an old ReplicaSet scaled to zero?)".into(),
                ));
            }
            return Ok(Target::Pods(
                pods.iter()
                    .filter_map(|i| self.model.endpoints.get(*i))
                    .collect(),
            ));
        }
        if let Some(err) = self
            .model
            .invalid_endpoints
            .get(&(ns.to_string(), name.to_string()))
        {
            let mut e = err.clone();
            e.message = format!("{reference} cannot be judged: {}", e.message);
            return Err(e);
        }
        if let Some(node) = self
            .model
            .host_pods
            .get(&(ns.to_string(), name.to_string()))
        {
            if let Some(n) = self.model.nodes.get(node) {
                return Ok(Target::Party(Party::Node(n)));
            }
        }
        Err(self.unknown(
            reference,
            "no Pod or workload of that name in the input".into(),
        ))
    }

    /// A verdict over an object the API server would reject is refused (FORMAT.md
    /// "Invalid objects"): a namespaced policy affects its namespace's pods, a
    /// cluster-scoped object every pod.
    pub(crate) fn refusal(&self, parties: &[&Party]) -> Option<Error> {
        if self.model.invalid.is_empty() && self.compiled.invalid.is_empty() {
            return None;
        }
        let namespaces: Vec<&str> = parties
            .iter()
            .filter_map(|p| match p {
                Party::Pod(e) => Some(e.namespace.as_str()),
                _ => None,
            })
            .collect();
        self.model.invalid.iter().chain(self.compiled.invalid.iter()).find_map(|inv| {
            let policy_like = matches!(
                inv.kind.as_str(),
                "NetworkPolicy" | "CiliumNetworkPolicy" | "Server" | "AuthorizationPolicy" | "ServerAuthorization" | "MeshTLSAuthentication" | "NetworkAuthentication"
            );
            let cluster_scoped = matches!(inv.kind.as_str(), "CiliumClusterwideNetworkPolicy" | "Namespace");
            let hits = cluster_scoped || (policy_like && inv.namespace.as_deref().is_some_and(|ns| namespaces.contains(&ns)));
            hits.then(|| {
                let mut e = inv.error.clone();
                e.message = format!("verdict refused: {}", e.message);
                e.help = Some("the API server would reject this object, so no cluster can hold it; fix it first".into());
                e
            })
        })
    }

    pub(crate) fn view(&self, party: &Party) -> EndpointView {
        match party {
            Party::Pod(e) => EndpointView {
                reference: e.reference(),
                kind: e.kind.as_str().into(),
                namespace: Some(e.namespace.clone()),
                name: Some(e.name.clone()),
                addresses: e.ips.clone(),
                meshed: self.is_meshed(e),
            },
            Party::Node(n) => EndpointView {
                reference: format!("node:{}", n.name),
                kind: "Node".into(),
                namespace: None,
                name: Some(n.name.clone()),
                addresses: n.addresses.clone(),
                meshed: false,
            },
            Party::External { ip, dns } => EndpointView {
                reference: party.describe(),
                kind: if party.is_api_server(self.model) {
                    "ApiServer".into()
                } else {
                    "External".into()
                },
                namespace: None,
                name: dns.map(str::to_string),
                addresses: ip.iter().copied().collect(),
                meshed: false,
            },
        }
    }

    /// The flow between two resolved references, once [`source_and_port`] passed: two
    /// parties and the destination port, or a Service destination; refused when an
    /// object it reads is invalid. The one path of a question asked by text and by index
    /// ([`Roster`]) that names more than one pair or a Service.
    fn flow_of<'b>(
        &self,
        from: &Target<'b>,
        from_ref: &'b str,
        to: &Target<'b>,
        to_ref: &'b str,
        port: &PortRef,
        protocol: Protocol,
    ) -> Result<Flow<'b>>
    where
        'a: 'b,
    {
        let (sources, source_group) = match from {
            Target::Party(p) => (vec![*p], None),
            Target::Pods(pods) => (
                pods.iter().map(|e| Party::Pod(e)).collect(),
                Some((from_ref, pods.len())),
            ),
            Target::Addresses(ips) => {
                let n = ips.len();
                (
                    ips.iter()
                        .map(|ip| Party::External {
                            ip: Some(*ip),
                            dns: None,
                        })
                        .collect(),
                    (n > 1).then_some((from_ref, n)),
                )
            }
            Target::Service(_) => {
                return Err(Error::request("a Service can only be a destination"))
            }
        };
        let to = match to {
            Target::Party(dst) => {
                let port = self.named_port(dst, port, protocol)?;
                To::Parties(vec![(*dst, port)], None)
            }
            Target::Pods(pods) => {
                let parties = pods
                    .iter()
                    .map(|e| {
                        Ok((
                            Party::Pod(e),
                            self.named_port(&Party::Pod(e), port, protocol)?,
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?;
                To::Parties(parties, Some((to_ref, pods.len())))
            }
            Target::Addresses(ips) => {
                let n = ips.len();
                let port = match port {
                    PortRef::Number(p) => *p,
                    PortRef::Name(name) => {
                        return Err(Error::request(format!(
                            "named port {name:?} needs a pod destination"
                        )))
                    }
                };
                To::Parties(
                    ips.iter()
                        .map(|ip| {
                            (
                                Party::External {
                                    ip: Some(*ip),
                                    dns: None,
                                },
                                port,
                            )
                        })
                        .collect(),
                    (n > 1).then_some((to_ref, n)),
                )
            }
            Target::Service(svc) => To::Service(svc),
        };
        if let To::Parties(dsts, _) = &to {
            for src in &sources {
                for (dst, _) in dsts {
                    if let Some(e) = self.refusal(&[src, dst]) {
                        return Err(e);
                    }
                }
            }
        }
        Ok(Flow {
            sources,
            source_group,
            to,
        })
    }

    /// Answers one question. A reference that names several Pods (a workload whose
    /// Pods are in the input) is allowed only when it is for every one of them.
    pub fn verdict(&self, q: &Query) -> Result<Verdict> {
        let (from, to) = self.ends(q)?;
        if let Some((src, dst, port)) = self.one_pair(&from, &to, &q.port, q.protocol)? {
            return Ok(self.judge(&src, &dst, port, q.protocol));
        }
        let flow = self.flow_of(&from, &q.from, &to, &q.to, &q.port, q.protocol)?;
        self.verdict_of(&flow, &q.port, q.protocol)
    }

    /// A question's source and destination, resolved and checked in the order every
    /// question is ([`source_and_port`] between the two).
    fn ends<'b>(&self, q: &'b Query) -> Result<(Target<'b>, Target<'b>)>
    where
        'a: 'b,
    {
        let from = self.resolve(&q.from, "from")?;
        source_and_port(&from, &q.port)?;
        Ok((from, self.resolve(&q.to, "to")?))
    }

    /// Two single parties (nearly every question), with the destination port: what
    /// `flow_of` makes of them (the named port, then the refusal), without building a
    /// [`Flow`]. `None` for anything else (a workload's pods, a range, a Service).
    fn one_pair<'b>(
        &self,
        from: &Target<'b>,
        to: &Target<'b>,
        port: &PortRef,
        protocol: Protocol,
    ) -> Result<Option<(Party<'b>, Party<'b>, u16)>>
    where
        'a: 'b,
    {
        let (Target::Party(src), Target::Party(dst)) = (from, to) else {
            return Ok(None);
        };
        let port = self.named_port(dst, port, protocol)?;
        if let Some(e) = self.refusal(&[src, dst]) {
            return Err(e);
        }
        Ok(Some((*src, *dst, port)))
    }

    fn verdict_of(&self, flow: &Flow, port: &PortRef, protocol: Protocol) -> Result<Verdict> {
        let mut verdicts = Vec::new();
        for src in &flow.sources {
            match &flow.to {
                To::Parties(dsts, _) => verdicts.extend(
                    dsts.iter()
                        .map(|(dst, port)| self.judge(src, dst, *port, protocol)),
                ),
                To::Service(svc) => verdicts.push(self.service_verdict(src, svc, port, protocol)?),
            }
        }
        let group_to = match &flow.to {
            To::Parties(_, g) => *g,
            To::Service(_) => None,
        };
        combine(verdicts, flow.source_group, group_to)
    }

    fn named_port(&self, dst: &Party, port: &PortRef, protocol: Protocol) -> Result<u16> {
        let name = match port {
            PortRef::Number(n) => return Ok(*n),
            PortRef::Name(name) => name,
        };
        if let Ok(n) = name.parse::<u16>() {
            return Ok(n);
        }
        let Party::Pod(e) = dst else {
            return Err(Error::request(format!(
                "named port {name:?} needs a pod destination"
            )));
        };
        e.ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name) && p.protocol == protocol)
            .map(|p| p.port)
            .ok_or_else(|| {
                Error::request(format!(
                    "{} declares no {protocol} container port named {name:?}",
                    e.reference()
                ))
            })
    }

    fn service_verdict(
        &self,
        src: &Party,
        svc: &Service,
        port: &PortRef,
        protocol: Protocol,
    ) -> Result<Verdict> {
        let sp = svc
            .ports
            .iter()
            .find(|p| {
                p.protocol == protocol
                    && match port {
                        PortRef::Number(n) => p.port == *n,
                        PortRef::Name(s) => {
                            p.name.as_deref() == Some(s.as_str())
                                || s.parse::<u16>().is_ok_and(|n| n == p.port)
                        }
                    }
            })
            .ok_or_else(|| {
                Error::request(format!(
                    "Service {}/{} has no {} port {}",
                    svc.namespace, svc.name, protocol, port
                ))
            })?;
        let Some(selector) = &svc.selector else {
            return Err(Error::request(format!(
                "Service {}/{} has no selector: its backends are not in the input",
                svc.namespace, svc.name
            )));
        };
        let mut backends = Vec::new();
        for e in self.model.endpoints.iter().filter(|e| {
            e.namespace == svc.namespace && selector.iter().all(|(k, v)| e.labels.get(k) == Some(v))
        }) {
            let target = match &sp.target {
                TargetPort::Number(n) => Some(*n),
                TargetPort::Name(name) => e
                    .ports
                    .iter()
                    .find(|p| p.name.as_deref() == Some(name.as_str()) && p.protocol == sp.protocol)
                    .map(|p| p.port),
            };
            if let Some(port) = target {
                let dst = Party::Pod(e);
                if let Some(err) = self.refusal(&[src, &dst]) {
                    return Err(err);
                }
                backends.push(self.judge(src, &dst, port, protocol));
            }
        }
        if backends.is_empty() {
            return Err(Error::request(format!(
                "Service {}/{} selects no pod serving port {}",
                svc.namespace, svc.name, sp.port
            ))
            .with_help("a Service that selects no pod cannot carry the flow"));
        }
        let allowed = backends.iter().all(|b| b.allowed);
        let decisive = backends
            .iter()
            .find(|b| !b.allowed)
            .or(backends.first())
            .cloned();
        let Some(mut top) = decisive else {
            return Err(Error::new(ErrorCode::Internal, "no backend verdict"));
        };
        top.to = EndpointView {
            reference: format!("svc:{}/{}", svc.namespace, svc.name),
            kind: "Service".into(),
            namespace: Some(svc.namespace.clone()),
            name: Some(svc.name.clone()),
            addresses: Vec::new(),
            meshed: false,
        };
        top.summary = format!(
            "{} of {} backends of svc:{}/{} (port {} → target {}) {}: {}",
            backends.iter().filter(|b| b.allowed).count(),
            backends.len(),
            svc.namespace,
            svc.name,
            sp.port,
            top.port,
            if allowed {
                "all admit the flow"
            } else {
                "not every backend admits it"
            },
            top.summary
        );
        top.allowed = allowed;
        top.backends = backends;
        Ok(top)
    }

    /// Only the decision of [`Cluster::verdict`], without reasons: the same judgement,
    /// cheaper, for bulk questions.
    pub fn allowed(&self, q: &Query) -> Result<bool> {
        let (from, to) = self.ends(q)?;
        self.allowed_between(&from, &q.from, &to, &q.to, &q.port, q.protocol)
    }

    /// [`Point::allowed`] between two resolved references, once [`source_and_port`]
    /// passed (see [`Point::one_pair`]).
    fn allowed_between<'b>(
        &self,
        from: &Target<'b>,
        from_ref: &'b str,
        to: &Target<'b>,
        to_ref: &'b str,
        port: &PortRef,
        protocol: Protocol,
    ) -> Result<bool>
    where
        'a: 'b,
    {
        if let Some((src, dst, port)) = self.one_pair(from, to, port, protocol)? {
            return Ok(self.decides(&src, &dst, port, protocol));
        }
        let flow = self.flow_of(from, from_ref, to, to_ref, port, protocol)?;
        self.allowed_of(&flow, port, protocol)
    }

    fn allowed_of(&self, flow: &Flow, port: &PortRef, protocol: Protocol) -> Result<bool> {
        for src in &flow.sources {
            let ok = match &flow.to {
                To::Parties(dsts, _) => dsts
                    .iter()
                    .all(|(dst, port)| self.decides(src, dst, *port, protocol)),
                To::Service(svc) => self.service_verdict(src, svc, port, protocol)?.allowed,
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The decision of [`Point::decide`] alone, each layer judged by
    /// [`Evaluator::admits`] (no reasons built): what bulk questions pay.
    pub(crate) fn decides(&self, src: &Party, dst: &Party, port: u16, protocol: Protocol) -> bool {
        let judge = self.eval(false);
        let on_wire = self.mesh().map_or(port, |m| {
            m.wire_port(self.model, src, dst, port, protocol).port
        });
        judge.admits(Direction::Egress, src, dst, on_wire, protocol)
            && judge.admits(Direction::Ingress, dst, src, on_wire, protocol)
            && match dst {
                Party::Pod(e) => self
                    .mesh()
                    .and_then(|m| m.authorize(self.model, src, e, port, protocol))
                    .is_none_or(|m| m.allowed),
                _ => true,
            }
    }

    /// The layers of a flow, with their reasons: (allowed, wire port, egress, ingress, mesh
    /// decision). Decisions alone are [`Point::decides`].
    fn decide(
        &self,
        src: &Party,
        dst: &Party,
        port: u16,
        protocol: Protocol,
    ) -> (bool, Option<WirePort>, Layer, Layer, Option<MeshDecision>) {
        let judge = self.eval(true);
        let wire = self
            .mesh()
            .map(|m| m.wire_port(self.model, src, dst, port, protocol))
            .filter(|w| w.port != port);
        let on_wire = wire.as_ref().map(|w| w.port).unwrap_or(port);
        let egress = judge.layer(Direction::Egress, src, dst, on_wire, protocol);
        let ingress = judge.layer(Direction::Ingress, dst, src, on_wire, protocol);
        let mesh = match dst {
            Party::Pod(e) => self
                .mesh()
                .and_then(|m| m.authorize(self.model, src, e, port, protocol)),
            _ => None,
        };
        let allowed = egress.allowed && ingress.allowed && mesh.as_ref().is_none_or(|m| m.allowed);
        (allowed, wire, egress, ingress, mesh)
    }

    /// Judges a resolved flow: the wire port, egress, ingress, then the mesh's authorization.
    pub(crate) fn judge(&self, src: &Party, dst: &Party, port: u16, protocol: Protocol) -> Verdict {
        let (allowed, wire, egress, ingress, mesh) = self.decide(src, dst, port, protocol);
        let mut warnings = Vec::new();
        for party in [src, dst] {
            if let Party::Pod(e) = party {
                if let Some(s) = self.starved.get(&self.compiled.classes.of(e)) {
                    let d = s.diagnostic(self.model, e);
                    if !warnings.contains(&d) {
                        warnings.push(d);
                    }
                }
            }
        }
        warnings.extend(self.unenforced_warnings(src, dst));
        let summary = summarize(allowed, &egress, &ingress, mesh.as_ref(), wire.as_ref());
        Verdict {
            allowed,
            from: self.view(src),
            to: self.view(dst),
            port,
            protocol,
            wire_port: wire,
            egress,
            ingress,
            mesh,
            backends: Vec::new(),
            members: Vec::new(),
            dataplane: self.compiled.choice.clone(),
            warnings,
            summary,
        }
    }

    /// Policies of the input that would apply to this flow but that the dataplane does
    /// not enforce (FORMAT: never silently ignored): Cilium policies selecting the
    /// source for egress or the destination for ingress on a non-Cilium dataplane, and
    /// Calico's own policy kinds, which are not evaluated yet, in either namespace.
    fn unenforced_warnings(&self, src: &Party, dst: &Party) -> Vec<Diagnostic> {
        let mut named: Vec<crate::refs::PolicyRef> = Vec::new();
        for (party, direction) in [(src, Direction::Egress), (dst, Direction::Ingress)] {
            let Party::Pod(e) = party else { continue };
            for i in self
                .compiled
                .unenforced
                .get(self.compiled.classes.of(e))
                .into_iter()
                .flatten()
            {
                if let Some(p) = self
                    .compiled
                    .policies
                    .get(*i)
                    .filter(|p| p.enforcement(direction).enforced)
                {
                    if !named.contains(&p.policy) {
                        named.push(p.policy.clone());
                    }
                }
            }
        }
        let mut out = Vec::new();
        if !named.is_empty() {
            let names: Vec<String> = named.iter().map(ToString::to_string).collect();
            let mut d = Diagnostic::new(
                DiagnosticCode::PolicyNotEnforced,
                Severity::Warning,
                format!(
                    "{} would select this flow's {}, but the dataplane is {} ({}), which does not enforce Cilium policies; the verdict is computed without {}",
                    names.join(", "),
                    if named.len() == 1 { "endpoint" } else { "endpoints" },
                    self.compiled.choice.name.as_str(),
                    self.compiled.choice.reason,
                    if named.len() == 1 { "it" } else { "them" }
                ),
            );
            d.help = Some("judge on the dataplane that runs the cluster: --dataplane cilium (or auto, which picks Cilium when the input holds its policies or agent)".into());
            d.policies = named;
            out.push(d);
        }
        if self.model.signs.calico_objects.is_empty() {
            return out;
        }
        let namespaces: Vec<&str> = [src, dst]
            .iter()
            .filter_map(|p| match p {
                Party::Pod(e) => Some(e.namespace.as_str()),
                _ => None,
            })
            .collect();
        let calico: Vec<String> = self
            .model
            .signs
            .calico_objects
            .iter()
            .filter(|o| o.kind.contains("NetworkPolicy"))
            .filter(|o| {
                o.namespace
                    .as_deref()
                    .is_none_or(|ns| namespaces.contains(&ns))
            })
            .map(|o| format!("{} {}", o.kind, qualified(o.namespace.as_deref(), &o.name)))
            .collect();
        if !calico.is_empty() {
            out.push(Diagnostic::new(
                DiagnosticCode::PolicyNotEnforced,
                Severity::Warning,
                format!(
                    "{} may select this flow's endpoints, but meshverdict does not evaluate Calico's own policy kinds yet: the verdict is computed without {}",
                    sample(&calico),
                    if calico.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
        out
    }
}

/// One verdict for a question whose references named several Pods: allowed when every
/// pair is; the first denied pair (or the first pair) speaks for it, and every pair's
/// verdict is kept in `members`.
/// The checks a question passes before its destination is read, in the order a
/// question by text makes them: a Service is only a destination, port 0 is no port.
fn source_and_port(from: &Target, port: &PortRef) -> Result<()> {
    if matches!(from, Target::Service(_)) {
        return Err(Error::request("a Service can only be a destination"));
    }
    if matches!(port, PortRef::Number(0)) {
        return Err(Error::request("port 0 is no port: use 1-65535"));
    }
    Ok(())
}

/// Endpoint references resolved once, for many questions that name them by index: the
/// bulk path of every host (questions as columns) and of callers that ask about the
/// same endpoints many times. Each answer is [`Point::allowed`]'s for the question
/// `refs[from] → refs[to]`, error included: a reference is resolved here as a question
/// resolves it, and its error is returned by the questions that use it.
pub struct Roster<'r> {
    point: Point<'r>,
    refs: Vec<&'r str>,
    /// Each reference resolved as a source and as a destination (`dns:` and `svc:` are
    /// destinations only, and errors name the role).
    from: Vec<Result<Target<'r>>>,
    to: Vec<Result<Target<'r>>>,
}

impl<'r> Roster<'r> {
    pub fn new<S: AsRef<str>>(point: Point<'r>, refs: &'r [S]) -> Roster<'r> {
        let refs: Vec<&'r str> = refs.iter().map(AsRef::as_ref).collect();
        let from: Vec<Result<Target<'r>>> = refs.iter().map(|r| point.resolve(r, "from")).collect();
        // A reference that names a party resolves alike in both roles: only `dns:` and
        // `svc:` (destinations only) and the wording of errors depend on the role.
        let to = refs
            .iter()
            .zip(&from)
            .map(|(r, f)| match f {
                Ok(Target::Party(p)) if !r.starts_with("dns:") && !r.starts_with("svc:") => {
                    Ok(Target::Party(*p))
                }
                _ => point.resolve(r, "to"),
            })
            .collect();
        Roster {
            point,
            refs,
            from,
            to,
        }
    }

    /// How many references the roster holds (valid indices are `0..len`).
    pub fn len(&self) -> usize {
        self.refs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.refs.is_empty()
    }

    /// Whether `refs[from]` may reach `refs[to]` on `port`/`protocol`.
    pub fn allowed(
        &self,
        from: usize,
        to: usize,
        port: &PortRef,
        protocol: Protocol,
    ) -> Result<bool> {
        let n = self.refs.len();
        let out_of_range = |role: &str, i: usize| {
            Error::request(format!(
                "{role} index {i} is out of range: the roster holds {n} endpoints"
            ))
        };
        let (src, from_ref) = match (self.from.get(from), self.refs.get(from)) {
            (Some(t), Some(r)) => (t.as_ref().map_err(Clone::clone)?, *r),
            _ => return Err(out_of_range("from", from)),
        };
        source_and_port(src, port)?;
        let (dst, to_ref) = match (self.to.get(to), self.refs.get(to)) {
            (Some(t), Some(r)) => (t.as_ref().map_err(Clone::clone)?, *r),
            _ => return Err(out_of_range("to", to)),
        };
        self.point
            .allowed_between(src, from_ref, dst, to_ref, port, protocol)
    }
}

fn combine(
    mut verdicts: Vec<Verdict>,
    from: Option<(&str, usize)>,
    to: Option<(&str, usize)>,
) -> Result<Verdict> {
    if verdicts.len() == 1 && from.is_none() && to.is_none() {
        if let Some(v) = verdicts.pop() {
            return Ok(v);
        }
    }
    let allowed = verdicts.iter().all(|v| v.allowed);
    let n = verdicts.len();
    let admitted = verdicts.iter().filter(|v| v.allowed).count();
    let first = verdicts.iter().position(|v| !v.allowed).unwrap_or(0);
    let Some(mut top) = verdicts.get(first).cloned() else {
        return Err(Error::new(
            ErrorCode::Internal,
            "a question named no pod pair",
        ));
    };
    let group = |view: &mut EndpointView, g: Option<(&str, usize)>| {
        if let Some((reference, pods)) = g {
            view.reference = reference.to_string();
            view.kind = format!("Workload ({pods} pods)").into();
            view.addresses.clear();
        }
    };
    group(&mut top.from, from);
    group(&mut top.to, to);
    top.summary = format!(
        "{admitted} of {n} pod pairs admit the flow{}: {}",
        if allowed { "" } else { ", so it is denied" },
        top.summary
    );
    top.allowed = allowed;
    top.members = verdicts;
    Ok(top)
}

fn summarize(
    allowed: bool,
    egress: &Layer,
    ingress: &Layer,
    mesh: Option<&MeshDecision>,
    wire: Option<&WirePort>,
) -> String {
    use std::fmt::Write;
    // Written into one string: a verdict's text is most of what it costs.
    let mut out = String::with_capacity(egress.reason.len() + ingress.reason.len() + 48);
    if allowed {
        let _ = write!(
            out,
            "allowed: egress {}; ingress {}",
            egress.reason, ingress.reason
        );
        if let Some(m) = mesh {
            let _ = write!(out, "; {}: {}", m.mesh, m.reason);
        }
        return out;
    }
    out.push_str("denied: ");
    let mut first = true;
    let mut part = |text: std::fmt::Arguments<'_>| {
        if !first {
            out.push_str("; ");
        }
        first = false;
        let _ = out.write_fmt(text);
    };
    if let Some(w) = wire {
        part(format_args!("on the wire port {}", w.port));
    }
    if !egress.allowed {
        part(format_args!("egress: {}", egress.reason));
    }
    if !ingress.allowed {
        part(format_args!("ingress: {}", ingress.reason));
    }
    if let Some(m) = mesh.filter(|m| !m.allowed) {
        part(format_args!("{}: {}", m.mesh, m.reason));
    }
    out
}
