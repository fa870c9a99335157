//! Protocols, port matchers and address blocks.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

impl Protocol {
    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which ports of a rule: a number range, a named port, or every port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum PortSpec {
    Any,
    Range { from: u16, to: u16 },
    Named { name: String },
}

/// One port entry of a rule. `protocol: None` matches TCP, UDP and SCTP (Cilium `ANY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortMatch {
    pub protocol: Option<Protocol>,
    pub port: PortSpec,
}

impl PortMatch {
    pub fn any() -> Self {
        PortMatch {
            protocol: None,
            port: PortSpec::Any,
        }
    }

    /// Whether this entry admits `port`/`protocol` on a destination whose container
    /// ports are `dest_ports`. Named ports resolve against the destination: the name and
    /// the protocol must both match a declared container port with that number.
    pub fn admits(&self, port: u16, protocol: Protocol, dest_ports: &[NamedPort]) -> bool {
        if self.protocol.is_some_and(|p| p != protocol) {
            return false;
        }
        match &self.port {
            PortSpec::Any => true,
            PortSpec::Range { from, to } => (*from..=*to).contains(&port),
            PortSpec::Named { name } => dest_ports.iter().any(|p| {
                p.name.as_deref() == Some(name) && p.protocol == protocol && p.port == port
            }),
        }
    }
}

impl std::fmt::Display for PortMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let proto = self.protocol.map(|p| p.as_str()).unwrap_or("ANY");
        match &self.port {
            PortSpec::Any => write!(f, "all {proto} ports"),
            PortSpec::Range { from, to } if from == to => write!(f, "{from}/{proto}"),
            PortSpec::Range { from, to } => write!(f, "{from}-{to}/{proto}"),
            PortSpec::Named { name } => write!(f, "{name}/{proto} (named)"),
        }
    }
}

/// A container port as declared in a pod spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct NamedPort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

/// An IANA service name, as Kubernetes requires for named ports (`IsValidPortName`):
/// at most 15 characters, lowercase alphanumerics and `-`, at least one letter,
/// no leading, trailing or doubled `-`.
pub fn check_port_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 15
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.chars().any(|c| c.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a valid port name (an IANA service name: at most 15 lowercase alphanumeric characters or '-', with at least one letter)"
        ))
    }
}

/// A CIDR with exceptions, as in NetworkPolicy `ipBlock` and Cilium `CIDRRule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct IpBlock {
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub cidr: IpNet,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<String>"))]
    pub except: Vec<IpNet>,
}

impl IpBlock {
    pub fn contains(&self, ip: &IpAddr) -> bool {
        self.cidr.contains(ip) && !self.except.iter().any(|e| e.contains(ip))
    }

    /// Covers its whole address family, with no exception.
    pub fn is_whole_family(&self) -> bool {
        self.cidr.prefix_len() == 0 && self.except.is_empty()
    }
}

impl std::fmt::Display for IpBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.cidr)?;
        if !self.except.is_empty() {
            let ex: Vec<String> = self.except.iter().map(|e| e.to_string()).collect();
            write!(f, " except {}", ex.join(", "))?;
        }
        Ok(())
    }
}

/// Parses a CIDR strictly: an address, `/`, and a prefix length within the family.
/// Host bits are allowed and cleared, as Kubernetes' `ParseCIDRSloppy` does.
pub fn parse_cidr(s: &str) -> Result<IpNet, String> {
    let Some((addr, len)) = s.split_once('/') else {
        return Err(format!(
            "{s:?} is not a CIDR (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8)"
        ));
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("{s:?} is not a CIDR: {addr:?} is not an IP address"))?;
    let len: u8 = len
        .parse()
        .map_err(|_| format!("{s:?} is not a CIDR: bad prefix length {len:?}"))?;
    IpNet::new(ip, len).map(|n| n.trunc()).map_err(|_| {
        format!(
            "{s:?} is not a CIDR: prefix length {len} is too long for {}",
            family(&ip)
        )
    })
}

fn family(ip: &IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "IPv4 (at most /32)"
    } else {
        "IPv6 (at most /128)"
    }
}

/// Parses Linkerd-style port lists: `25,587,4000-4100`.
pub fn parse_port_list(s: &str) -> Vec<(u16, u16)> {
    s.split(',')
        .filter_map(|part| {
            let part = part.trim();
            match part.split_once('-') {
                Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
                None => {
                    let p = part.parse().ok()?;
                    Some((p, p))
                }
            }
        })
        .collect()
}

pub fn in_port_list(list: &[(u16, u16)], port: u16) -> bool {
    list.iter().any(|(a, b)| (*a..=*b).contains(&port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parsing() {
        assert!(parse_cidr("10.0.0.0/8").is_ok());
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("fd00::/8").is_ok());
        assert!(parse_cidr("fd00::/129").is_err());
        assert!(parse_cidr("10.0.0.1").is_err());
        assert_eq!(
            parse_cidr("10.1.2.3/16").map(|n| n.to_string()),
            Ok("10.1.0.0/16".to_string())
        );
    }

    #[test]
    fn ip_block_except() {
        let b = IpBlock {
            cidr: parse_cidr("10.0.0.0/16").unwrap_or_else(|_| IpNet::default()),
            except: vec![parse_cidr("10.0.1.0/24").unwrap_or_else(|_| IpNet::default())],
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert!(b.contains(&ip("10.0.0.5")));
        assert!(!b.contains(&ip("10.0.1.5")));
        assert!(!b.contains(&ip("10.1.0.5")));
        assert!(!b.contains(&ip("::1")));
    }

    #[test]
    fn named_ports_need_name_and_protocol() {
        let dest = vec![
            NamedPort {
                name: Some("http".into()),
                port: 8080,
                protocol: Protocol::Tcp,
            },
            NamedPort {
                name: Some("dns".into()),
                port: 53,
                protocol: Protocol::Udp,
            },
        ];
        let http = PortMatch {
            protocol: Some(Protocol::Tcp),
            port: PortSpec::Named {
                name: "http".into(),
            },
        };
        assert!(http.admits(8080, Protocol::Tcp, &dest));
        assert!(!http.admits(8081, Protocol::Tcp, &dest));
        let dns_tcp = PortMatch {
            protocol: Some(Protocol::Tcp),
            port: PortSpec::Named { name: "dns".into() },
        };
        assert!(!dns_tcp.admits(53, Protocol::Tcp, &dest));
        let range = PortMatch {
            protocol: Some(Protocol::Tcp),
            port: PortSpec::Range { from: 80, to: 90 },
        };
        assert!(range.admits(80, Protocol::Tcp, &[]) && range.admits(90, Protocol::Tcp, &[]));
        assert!(!range.admits(91, Protocol::Tcp, &[]) && !range.admits(85, Protocol::Udp, &[]));
    }

    #[test]
    fn port_names() {
        assert!(check_port_name("http").is_ok());
        assert!(check_port_name("serve-80-tcp").is_ok());
        assert!(check_port_name("8080").is_err());
        assert!(check_port_name("a--b").is_err());
        assert!(check_port_name("this-name-is-too-long").is_err());
    }

    #[test]
    fn port_lists() {
        let l = parse_port_list("25, 587,4000-4100");
        assert!(in_port_list(&l, 25) && in_port_list(&l, 4050) && !in_port_list(&l, 26));
    }
}
