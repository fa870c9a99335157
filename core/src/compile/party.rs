//! A side of a connection, as the compiled policies see it: a pod (or pod template), a
//! node's host network, or an address outside the cluster.

use std::net::IpAddr;

use crate::model::{Endpoint, Model, Node};

/// One side of a connection.
#[derive(Debug, Clone, Copy)]
pub enum Party<'a> {
    Pod(&'a Endpoint),
    Node(&'a Node),
    /// An address outside the cluster, or a DNS name whose address is unknown.
    External {
        ip: Option<IpAddr>,
        dns: Option<&'a str>,
    },
}

impl Party<'_> {
    pub fn ips(&self) -> Vec<IpAddr> {
        match self {
            Party::Pod(e) => e.ips.clone(),
            Party::Node(n) => n.addresses.clone(),
            Party::External { ip, .. } => ip.iter().copied().collect(),
        }
    }

    pub fn is_api_server(&self, model: &Model) -> bool {
        match self {
            Party::Pod(_) => false,
            _ => self.ips().iter().any(|ip| model.api_server.contains(ip)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Party::Pod(e) => e.reference(),
            Party::Node(n) => format!("node:{}", n.name),
            Party::External { ip: Some(ip), .. } => format!("ip:{ip}"),
            Party::External { dns: Some(d), .. } => format!("dns:{d}"),
            Party::External { .. } => "an outside address".to_string(),
        }
    }
}
