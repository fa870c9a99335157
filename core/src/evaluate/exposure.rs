//! Exposure: for each workload, who beyond its own namespace may reach it — pods of
//! other namespaces, addresses outside the cluster — on which ports, and whether it is
//! open to everything. Read off the matrix (a row holds when it holds for every pod).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::matrix::{is_every_port, Matrix, PortRange};
use crate::ports::Protocol;

/// Sources of one kind reaching a workload on some ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Reach {
    pub protocol: Protocol,
    pub ports: Vec<PortRange>,
    /// Namespaces (`*` for every other namespace) or address ranges and entities.
    pub from: Vec<String>,
}

/// One workload's exposure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    pub workload: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Pods of other namespaces that may reach it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_namespaces: Vec<Reach>,
    /// Addresses outside the cluster (and the API server, DNS names) that may reach it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outside: Vec<Reach>,
    /// Every pod of every namespace, and every outside address, on every port.
    pub open_to_everything: bool,
}

impl Exposure {
    pub fn is_exposed(&self) -> bool {
        !self.other_namespaces.is_empty() || !self.outside.is_empty()
    }
}

/// The exposure of every pod group of a matrix (computed with externals, by workload).
pub fn exposure(m: &Matrix) -> Vec<Exposure> {
    let cells = m.cells();
    let namespaces: BTreeSet<&str> = m
        .groups
        .iter()
        .filter_map(|g| g.namespace.as_deref())
        .collect();
    let external_groups = m.groups.iter().filter(|g| g.namespace.is_none()).count();
    // (destination, protocol, ports) → the namespaces / outside parties.
    let mut other: BTreeMap<(usize, Protocol, Vec<PortRange>), BTreeSet<String>> = BTreeMap::new();
    let mut outside: BTreeMap<(usize, Protocol, Vec<PortRange>), BTreeSet<String>> =
        BTreeMap::new();
    let mut every: BTreeMap<usize, BTreeMap<Protocol, BTreeSet<usize>>> = BTreeMap::new();
    for c in &cells {
        let (Some(src), Some(dst)) = (m.groups.get(c.from), m.groups.get(c.to)) else {
            continue;
        };
        let Some(dns) = dst.namespace.as_deref() else {
            continue;
        };
        if is_every_port(&c.ports) {
            every
                .entry(c.to)
                .or_default()
                .entry(c.protocol)
                .or_default()
                .insert(c.from);
        }
        match src.namespace.as_deref() {
            Some(sns) if sns != dns => {
                other
                    .entry((c.to, c.protocol, c.ports.clone()))
                    .or_default()
                    .insert(sns.to_string());
            }
            Some(_) => {}
            None => {
                outside
                    .entry((c.to, c.protocol, c.ports.clone()))
                    .or_default()
                    .insert(src.reference.clone());
            }
        }
    }
    let pods = m.groups.iter().filter(|g| g.namespace.is_some()).count();
    let mut out = Vec::new();
    for (i, g) in m.groups.iter().enumerate() {
        let Some(ns) = g.namespace.as_deref() else {
            continue;
        };
        let others: usize = namespaces.iter().filter(|n| **n != ns).count();
        let reach = |map: &BTreeMap<(usize, Protocol, Vec<PortRange>), BTreeSet<String>>,
                     star: bool|
         -> Vec<Reach> {
            map.range((i, Protocol::Tcp, Vec::new())..)
                .take_while(|((to, _, _), _)| *to == i)
                .map(|((_, protocol, ports), from)| {
                    let from = if star && others > 0 && from.len() == others {
                        vec!["*".to_string()]
                    } else {
                        from.iter().cloned().collect()
                    };
                    Reach {
                        protocol: *protocol,
                        ports: ports.clone(),
                        from,
                    }
                })
                .collect()
        };
        let open = every.get(&i).is_some_and(|by| {
            [Protocol::Tcp, Protocol::Udp, Protocol::Sctp]
                .iter()
                .all(|p| {
                    by.get(p).is_some_and(|srcs| {
                        srcs.len() + usize::from(g.members.len() < 2) >= pods + external_groups
                    })
                })
        });
        out.push(Exposure {
            workload: g.reference.clone(),
            kind: g.kind.clone(),
            namespace: Some(ns.to_string()),
            other_namespaces: reach(&other, true),
            outside: reach(&outside, false),
            open_to_everything: open,
        });
    }
    out
}
