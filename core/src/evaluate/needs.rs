//! The flows the mesh needs for itself, judged: which are blocked, and which meshed
//! proxies are cut off from their control plane. Judged once per identity class (every
//! member of a class gets the same answer), on the flows' real ports: proxies,
//! Prometheus, tap and the API server dial them directly, the mesh rewrites nothing.

use std::collections::BTreeMap;

use super::verdict::{Evaluator, Layer};
use crate::compile::mesh::{FlowEnd, Mesh, NeededFlow};
use crate::compile::party::Party;
use crate::compile::policy::Direction;
use crate::compile::Compiled;
use crate::findings::{Diagnostic, DiagnosticCode, FlowRef, Severity};
use crate::model::{Endpoint, Model};
use crate::ports::Protocol;
use crate::refs::PolicyRef;

/// One side of a judged need: an endpoint, a class of meshed endpoints, or the API server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum End {
    Endpoint(usize),
    Class(usize),
    ApiServer,
}

/// A needed flow that the policies block.
#[derive(Debug, Clone)]
pub struct Blocked {
    /// Index into the needs.
    pub need: usize,
    pub from: End,
    pub to: End,
    /// The failing layer's reason.
    pub why: String,
    /// The policies that isolate the failing side.
    pub policies: Vec<PolicyRef>,
}

/// How a class's proxies are cut off from the control plane: the first blocked flow.
#[derive(Debug, Clone)]
pub struct Starved {
    pub to: usize,
    pub port: u16,
    pub protocol: Protocol,
    pub purpose: &'static str,
    pub why: String,
    pub policies: Vec<PolicyRef>,
}

impl Starved {
    /// The warning a verdict about `e` (a member of the class) carries.
    pub fn diagnostic(&self, model: &Model, e: &Endpoint) -> Diagnostic {
        let to = model
            .endpoints
            .get(self.to)
            .map(Endpoint::reference)
            .unwrap_or_default();
        let mut d = Diagnostic::new(
            DiagnosticCode::MeshFlowBlocked,
            Severity::Error,
            format!(
                "the Linkerd proxy of {} cannot reach {to} on {}/TCP ({}): {}",
                e.reference(),
                self.port,
                self.purpose,
                self.why
            ),
        );
        d.flows = vec![FlowRef {
            from: e.reference(),
            to,
            port: self.port,
            protocol: self.protocol,
        }];
        d.policies = self.policies.clone();
        d.help = Some("the verdict is what the policies say; in a real cluster this proxy never becomes ready, so its traffic fails anyway".into());
        d
    }
}

/// The API server as a party: the node whose address it has, else an outside address.
pub fn api_server_party(model: &Model) -> Party<'_> {
    let ip = model.api_server.first().copied();
    match ip.and_then(|ip| model.nodes.values().find(|n| n.addresses.contains(&ip))) {
        Some(n) => Party::Node(n),
        None => Party::External { ip, dns: None },
    }
}

/// The network layers of a flow on its real port.
pub fn network(
    eval: &Evaluator,
    src: &Party,
    dst: &Party,
    port: u16,
    protocol: Protocol,
) -> (Layer, Layer) {
    (
        eval.layer(Direction::Egress, src, dst, port, protocol),
        eval.layer(Direction::Ingress, dst, src, port, protocol),
    )
}

/// Why a flow fails, and the policies at fault; None when both layers admit it.
pub fn failing(egress: &Layer, ingress: &Layer) -> Option<(String, Vec<PolicyRef>)> {
    if !egress.allowed {
        return Some((
            format!("egress: {}", egress.reason),
            egress.isolated_by.clone(),
        ));
    }
    if !ingress.allowed {
        return Some((
            format!("ingress: {}", ingress.reason),
            ingress.isolated_by.clone(),
        ));
    }
    None
}

/// The judged needs of a compiled model.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    pub flows: Vec<NeededFlow>,
    pub blocked: Vec<Blocked>,
}

impl Needs {
    /// Judges every need of the mesh (none without a mesh).
    pub fn judge(model: &Model, compiled: &Compiled) -> Needs {
        let Some(mesh) = compiled.linkerd.as_ref() else {
            return Needs::default();
        };
        let flows = mesh.needed_flows(model);
        let classes = &compiled.classes;
        let meshed: Vec<usize> = (0..classes.len())
            .filter(|c| classes.rep(*c).is_some_and(|i| mesh.is_meshed(i)))
            .collect();
        let quick = Evaluator::new(model, compiled, false);
        let detailed = Evaluator::new(model, compiled, true);
        let api = api_server_party(model);
        // The endpoints a side stands for: a class stands for any member but `not`.
        let member = |end: End, not: Option<usize>| -> Option<Party> {
            match end {
                End::Endpoint(i) => model.endpoints.get(i).map(Party::Pod),
                End::ApiServer => Some(api),
                End::Class(c) => classes
                    .members
                    .get(c)?
                    .iter()
                    .find(|m| Some(**m) != not)
                    .and_then(|i| model.endpoints.get(*i))
                    .map(Party::Pod),
            }
        };
        let expand = |end: FlowEnd| -> Vec<End> {
            match end {
                FlowEnd::Endpoint(i) => vec![End::Endpoint(i)],
                FlowEnd::ApiServer => vec![End::ApiServer],
                FlowEnd::Meshed => meshed.iter().map(|c| End::Class(*c)).collect(),
            }
        };
        let fixed = |end: End| match end {
            End::Endpoint(i) => Some(i),
            _ => None,
        };
        let mut blocked = Vec::new();
        for (n, f) in flows.iter().enumerate() {
            for from in expand(f.from) {
                for to in expand(f.to) {
                    let (Some(src), Some(dst)) = (member(from, fixed(to)), member(to, fixed(from)))
                    else {
                        continue;
                    };
                    if let (Party::Pod(a), Party::Pod(b)) = (&src, &dst) {
                        if a.index == b.index {
                            continue;
                        }
                    }
                    if quick.admits(Direction::Egress, &src, &dst, f.port, f.protocol)
                        && quick.admits(Direction::Ingress, &dst, &src, f.port, f.protocol)
                    {
                        continue;
                    }
                    let (e, i) = network(&detailed, &src, &dst, f.port, f.protocol);
                    if let Some((why, policies)) = failing(&e, &i) {
                        blocked.push(Blocked {
                            need: n,
                            from,
                            to,
                            why,
                            policies,
                        });
                    }
                }
            }
        }
        Needs { flows, blocked }
    }

    /// Per meshed class, the first control-plane flow (error severity) it cannot make.
    pub fn starved(&self) -> BTreeMap<usize, Starved> {
        let mut out = BTreeMap::new();
        for b in &self.blocked {
            let Some(f) = self.flows.get(b.need) else {
                continue;
            };
            let (End::Class(c), End::Endpoint(to)) = (b.from, b.to) else {
                continue;
            };
            if f.severity != Severity::Error || out.contains_key(&c) {
                continue;
            }
            out.insert(
                c,
                Starved {
                    to,
                    port: f.port,
                    protocol: f.protocol,
                    purpose: f.purpose,
                    why: b.why.clone(),
                    policies: b.policies.clone(),
                },
            );
        }
        out
    }
}
