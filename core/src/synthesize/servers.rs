//! Linkerd Servers that hold port granularity. Once the mesh carries a client's
//! connections on the server's inbound port (4143 from Linkerd 2.18, opaque ports
//! before), a NetworkPolicy that admits that port admits every port of the server to
//! the client (linkerd2#15246; linkerd.md §3.2). A `Server` per declared port, each
//! authorizing only the clients whose intents name it, puts the ports back.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::build::{Builder, ServerPlan};
use super::plan::Sel;
use super::resolve::{is_placeholder, Resolved, Side};
use super::Dialect;
use crate::compile::mesh::linkerd::{ADMIN_PORT, CLUSTER_NETWORKS, CONTROL_PORT};
use crate::compile::party::Party;
use crate::model::Endpoint;
use crate::ports::{in_port_list, parse_cidr, Protocol};

/// Whether a flow's ports cover every TCP port.
fn every_tcp(ports: &super::plan::PortSet) -> bool {
    ports
        .0
        .iter()
        .any(|i| i.range.is_none() && i.protocol.is_none_or(|p| p == Protocol::Tcp))
}

impl Builder<'_> {
    /// Server plans for the meshed destinations concerned.
    pub fn servers(&mut self, resolved: &Resolved) {
        let cluster = self.cluster;
        let Some(linkerd) = cluster.compiled().linkerd.as_ref() else {
            return;
        };
        let m = self.model();
        let unmet: BTreeSet<usize> = self.plan.unmet.iter().map(|u| u.intent).collect();
        // Per destination selector: its flows. Units that no label tells apart share one
        // selector, so one Server: Servers must not overlap on a pod and port (the
        // policy validator refuses it), and each authorizes every client of those pods.
        type Flows<'f> = Vec<&'f super::resolve::Flow>;
        let mut by_selector: BTreeMap<(String, Sel), (Vec<usize>, Flows)> = BTreeMap::new();
        for f in &resolved.flows {
            if unmet.contains(&f.intent) || is_placeholder(&f.from) {
                continue;
            }
            if let Side::Pod(d) = &f.to {
                if self.meshed(*d) {
                    if let Some(unit) = self.unit_of(*d).and_then(|u| self.units.list.get(u)) {
                        let e = by_selector
                            .entry((unit.namespace.clone(), unit.selector.clone()))
                            .or_default();
                        e.1.push(f);
                        if let Some(u) = self.unit_of(*d) {
                            if !e.0.contains(&u) {
                                e.0.push(u);
                            }
                        }
                    }
                }
            }
        }
        // Selectors that pick a common pod are one group: one Server per port must hold
        // all their pods, under the one selector of the group that picks them all.
        let matching = |ns: &str, sel: &Sel| -> BTreeSet<usize> {
            m.endpoints
                .iter()
                .filter(|e| e.namespace == ns && sel.matches(&e.labels))
                .map(|e| e.index)
                .collect()
        };
        // (namespace, selectors, pods, units, flows)
        type Group<'f> = (String, Vec<Sel>, BTreeSet<usize>, Vec<usize>, Flows<'f>);
        let mut groups: Vec<Group> = by_selector
            .into_iter()
            .map(|((ns, sel), (units, flows))| {
                let pods = matching(&ns, &sel);
                (ns, vec![sel], pods, units, flows)
            })
            .collect();
        let mut merged = true;
        while merged {
            merged = false;
            'outer: for i in 0..groups.len() {
                for j in (i + 1)..groups.len() {
                    let overlap = match (groups.get(i), groups.get(j)) {
                        (Some(a), Some(b)) => a.0 == b.0 && !a.2.is_disjoint(&b.2),
                        _ => false,
                    };
                    if overlap {
                        let b = groups.remove(j);
                        if let Some(a) = groups.get_mut(i) {
                            a.1.extend(b.1);
                            a.2.extend(b.2);
                            a.3.extend(b.3);
                            a.4.extend(b.4);
                        }
                        merged = true;
                        break 'outer;
                    }
                }
            }
        }
        for (ns, selectors, pod_set, units, flows) in groups {
            let Some(unit) = units.first().and_then(|u| self.units.list.get(*u)) else {
                continue;
            };
            let about = units
                .iter()
                .filter_map(|u| self.units.list.get(*u))
                .map(|u| u.reference())
                .collect::<Vec<_>>()
                .join(", ");
            let Some(selector) = selectors
                .iter()
                .find(|sel| matching(&ns, sel) == pod_set)
                .cloned()
            else {
                self.plan.notes.push(format!("no label picks exactly the pods of {about} together: no Server is written for them, so the mesh's inbound port opens all their ports to their clients"));
                continue;
            };
            let pods: Vec<&Endpoint> = pod_set.iter().filter_map(|i| m.endpoints.get(*i)).collect();
            let Some(rep) = pods.iter().copied().find(|e| self.meshed(e.index)) else {
                continue;
            };
            let info = linkerd.info.get(rep.index);
            let about = units
                .iter()
                .filter_map(|u| self.units.list.get(*u))
                .map(|u| u.reference())
                .collect::<Vec<_>>()
                .join(", ");
            let rewritten: Vec<&&super::resolve::Flow> =
                flows.iter().filter(|f| !self.wire(f).is_empty()).collect();
            let partial = rewritten.iter().any(|f| !every_tcp(&f.ports));
            if !linkerd.version.has_policy() {
                if partial {
                    self.plan.notes.push(format!(
                        "Linkerd {} has no policy resources: the inbound port it carries {}'s connections on opens every port of {about} to them",
                        linkerd.version.label,
                        rewritten.iter().map(|f| self.side_text(&f.from)).collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>().join(", "),
                    ));
                }
                continue;
            }
            if pods.iter().any(|e| {
                linkerd
                    .info
                    .get(e.index)
                    .is_some_and(|i| i.component.is_some())
            }) {
                if partial {
                    self.plan.notes.push(format!("{about} is Linkerd's own control plane: no Server is written for it (Linkerd's charts own its policy)"));
                }
                continue;
            }
            let hold = self.options.dialect == Dialect::Linkerd || partial;
            let mut declared: BTreeSet<u16> = BTreeSet::new();
            for e in &pods {
                declared.extend(self.declared(e));
            }
            // Ports the current authorization refuses an intent on.
            let mut denied: BTreeSet<u16> = BTreeSet::new();
            for f in &flows {
                let (Some(src), Side::Pod(d)) = (self.party(&f.from), &f.to) else {
                    continue;
                };
                let Some(de) = m.endpoints.get(*d) else {
                    continue;
                };
                for p in self.declared(de) {
                    if !f.ports.covers(Protocol::Tcp, p) || !linkerd.judges(de, p, Protocol::Tcp) {
                        continue;
                    }
                    if let Some(a) = linkerd.authorizations(m, de, p) {
                        if !linkerd.admits(m, &a, &src, p) {
                            denied.insert(p);
                        }
                    }
                }
            }
            let ports: BTreeSet<u16> = if hold { declared } else { denied };
            let opaque = info.map(|i| i.opaque.clone()).unwrap_or_default();
            if partial && !ports.is_empty() {
                let clients: BTreeSet<String> =
                    rewritten.iter().map(|f| self.side_text(&f.from)).collect();
                let wire: BTreeSet<u16> = rewritten
                    .iter()
                    .flat_map(|f| self.wire(f))
                    .map(|(_, w, _)| w)
                    .collect();
                self.plan.notes.push(format!(
                    "NetworkPolicy cannot hold the ports of {about}: Linkerd {} carries every port of it on {} for {}; the Linkerd Servers below hold the ports it declares ({})",
                    linkerd.version.label,
                    wire.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                    clients.into_iter().collect::<Vec<_>>().join(", "),
                    ports.iter().map(|p| super::build::valid_name(format!("{}-{p}", unit.name), &unit.name)).collect::<Vec<_>>().join(", ")
                ));
            }
            let others: Vec<String> = pods
                .iter()
                .filter(|e| {
                    !units.iter().any(|u| {
                        self.units
                            .list
                            .get(*u)
                            .is_some_and(|x| x.endpoints.contains(&e.index))
                    })
                })
                .map(|e| e.reference())
                .collect();
            if !others.is_empty() && !ports.is_empty() {
                self.plan.notes.push(format!("the Servers of {about} also select {} (same labels): they hold their ports too", others.join(", ")));
            }
            for p in ports {
                let mut s = ServerPlan {
                    namespace: ns.clone(),
                    name: super::build::valid_name(format!("{}-{p}", unit.name), &unit.name),
                    selector: selector.clone(),
                    port: p,
                    opaque: in_port_list(&opaque, p),
                    existing: linkerd.server_for(m, rep, p).map(|srv| srv.name.clone()),
                    identities: BTreeSet::new(),
                    networks: BTreeSet::new(),
                    reasons: BTreeSet::new(),
                    about: about.clone(),
                };
                let mut unmeshed_pods = false;
                for f in &flows {
                    if !f.ports.covers(Protocol::Tcp, p) {
                        continue;
                    }
                    s.reasons.insert(format!(
                        "intent #{}: {}",
                        f.intent,
                        resolved
                            .summaries
                            .get(f.intent.saturating_sub(1))
                            .cloned()
                            .unwrap_or_default()
                    ));
                    match &f.from {
                        Side::Pod(i) if self.meshed(*i) => {
                            if let Some(e) = m.endpoints.get(*i) {
                                s.identities
                                    .insert((e.service_account.clone(), e.namespace.clone()));
                            }
                        }
                        Side::Pod(i) => match m
                            .endpoints
                            .get(*i)
                            .map(|e| e.ips.clone())
                            .unwrap_or_default()
                        {
                            ips if !ips.is_empty() => {
                                s.networks.extend(ips.into_iter().map(IpNet::from))
                            }
                            _ => unmeshed_pods = true,
                        },
                        Side::External(net) => {
                            s.networks.insert(*net);
                        }
                        Side::Node(n) => s.networks.extend(
                            m.nodes
                                .get(n)
                                .into_iter()
                                .flat_map(|x| x.addresses.iter().copied().map(IpNet::from)),
                        ),
                        Side::Dns(_) => {}
                    }
                }
                if unmeshed_pods {
                    // A pod without a given address is somewhere in the cluster's networks.
                    s.networks
                        .extend(CLUSTER_NETWORKS.iter().filter_map(|c| parse_cidr(c).ok()));
                    self.plan.notes.push(format!(
                        "{}: unmeshed clients without a known address are authorized from the chart's default clusterNetworks; NetworkPolicy limits who that is",
                        s.name
                    ));
                }
                if s.existing.is_some() && s.identities.is_empty() && s.networks.is_empty() {
                    continue;
                }
                if !hold && s.identities.is_empty() && s.networks.is_empty() {
                    continue;
                }
                self.plan.servers.push(s);
            }
        }
    }

    /// The TCP ports a meshed pod serves that a Server can name: declared by its
    /// containers (not the proxy's), not skipped by the proxy, not the proxy's own.
    fn declared(&self, e: &Endpoint) -> Vec<u16> {
        let info = self
            .cluster
            .compiled()
            .linkerd
            .as_ref()
            .and_then(|l| l.info.get(e.index));
        let inbound = info.map(|i| i.inbound_port).unwrap_or(4143);
        let skip = info.map(|i| i.skip_inbound.clone()).unwrap_or_default();
        let mut out: Vec<u16> = e
            .containers
            .iter()
            .filter(|c| c.name != "linkerd-proxy")
            .flat_map(|c| c.ports.iter())
            .filter(|p| p.protocol == Protocol::Tcp)
            .map(|p| p.port)
            .filter(|p| {
                *p != ADMIN_PORT && *p != CONTROL_PORT && *p != inbound && !in_port_list(&skip, *p)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn party(&self, s: &Side) -> Option<Party<'_>> {
        let m = self.model();
        match s {
            Side::Pod(i) => m.endpoints.get(*i).map(Party::Pod),
            Side::Node(n) => m.nodes.get(n).map(Party::Node),
            Side::External(net) => Some(Party::External {
                ip: Some(net.addr()),
                dns: None,
            }),
            Side::Dns(_) => None,
        }
    }
}
