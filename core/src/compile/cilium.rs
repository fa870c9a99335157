//! CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2): Cilium's
//! sanitizer checks, and the translation Cilium's agent applies before enforcing
//! (namespace injection, label sources, toServices expansion). The objects as read are
//! in model/cilium.rs.
//!
//! Sources: Documentation/security/policy/{language,layer3,layer4,layer7,deny}.rst,
//! pkg/policy/api/{rule,ingress,egress,rule_validation,entity,l4,fqdn}.go and
//! pkg/k8s/apis/cilium.io/utils/utils.go of cilium/cilium (1.18-1.20).

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

use super::dataplane::Settings;
use super::labels::{split_source, CLUSTER_LABEL};
use super::policy::{
    CompiledPolicy, Direction, Enforcement, Entity, FqdnPattern, Peer, PolicyKind, PolicyRef, Rule,
    RuleRef, Subject, L7,
};
use crate::error::ErrorCode;
use crate::findings::{Warning, WarningCode};
use crate::model::cilium::{CiliumObject, CiliumRule, DirRule, Fqdn, PortRule, ServiceRef};
use crate::model::{Ctx, Invalid, Model, Origin};
use crate::ports::{check_port_name, parse_cidr, IpBlock, PortMatch, PortSpec, Protocol};
use crate::selector::{check_label_key, Requirement, Selector};

/// Checks a Cilium selector key (`k8s:app`, `any:app`, `reserved:host`, `app`) and
/// returns it with its source made explicit (`app` → `any:app`, as `Sanitize` does).
fn cilium_key(key: &str) -> Result<String, String> {
    let (source, rest) = split_source(key);
    if source == "reserved" {
        return Ok(format!("reserved:{rest}"));
    }
    // Cilium accepts keys Kubernetes labels also accept; namespace-label keys embed a
    // full label key after the fixed prefix.
    let check = rest
        .strip_prefix("io.cilium.k8s.namespace.labels.")
        .unwrap_or(rest);
    check_label_key(check)?;
    Ok(format!("{source}:{rest}"))
}

fn has_key(sel: &Selector, key: &str) -> bool {
    sel.requirements.iter().any(|r| r.key() == key)
}

struct Translator<'m> {
    model: &'m Model,
    settings: &'m Settings,
    kind: PolicyKind,
    namespace: Option<String>,
    origin: Origin,
    policy: PolicyRef,
    warnings: Vec<Warning>,
}

/// A problem that makes the whole object unenforced: refused by the API server's CRD
/// schema (`schema`: enums, patterns, bounds; no cluster holds it) or by Cilium's
/// sanitizer (the object exists, status Valid=False, none of its rules apply).
struct Refused {
    path: String,
    message: String,
    schema: bool,
}

fn refuse<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, Refused> {
    Err(Refused {
        path: path.into(),
        message: message.into(),
        schema: false,
    })
}

fn reject<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, Refused> {
    Err(Refused {
        path: path.into(),
        message: message.into(),
        schema: true,
    })
}

/// A selector problem, classified as the cluster sees it: the CRD schema enumerates the
/// operators and constrains matchLabels values (pattern, at most 63 characters), so
/// those never reach a cluster; keys, the values of matchExpressions and their count
/// are only checked by the agent (EndpointSelector sanitize: ValidateLabelSelector),
/// which refuses the stored object.
fn selector_refusal(p: crate::selector::FieldProblem) -> Refused {
    let schema = p.path.ends_with(".operator") || p.path.contains(".matchLabels[\"");
    Refused {
        path: p.path,
        message: p.message,
        schema,
    }
}

const NS_KEY: &str = "io.kubernetes.pod.namespace";

impl Translator<'_> {
    fn selector(&self, ls: &LabelSelector, path: &str) -> Result<Selector, Refused> {
        Selector::compile_keys(ls, path, cilium_key).map_err(selector_refusal)
    }

    /// A selector over node labels (fromNodes/toNodes, nodeSelector), keyed as the
    /// Node's labels are: with enable-node-selector-labels a node's labels join its
    /// identity with the `node:` source, which a key without source (`any:`) or with
    /// `node:` matches; any other source never does.
    fn node_selector(&self, ls: &LabelSelector, path: &str) -> Result<Selector, Refused> {
        Selector::compile_keys(ls, path, |k| {
            let key = cilium_key(k)?;
            Ok(match split_source(&key) {
                ("any" | "node", rest) => rest.to_string(),
                _ => key,
            })
        })
        .map_err(selector_refusal)
    }

    /// The subject: a CNP is confined to its namespace (any user namespace match is
    /// overwritten, utils.go `ParseToCiliumRule`).
    fn subject(&self, ls: &LabelSelector, path: &str) -> Result<Selector, Refused> {
        let mut sel = self.selector(ls, path)?;
        if let Some(ns) = &self.namespace {
            sel.requirements
                .retain(|r| r.key() != format!("k8s:{NS_KEY}"));
            sel.requirements.push(Requirement::In {
                key: format!("k8s:{NS_KEY}"),
                values: BTreeSet::from([ns.clone()]),
            });
        }
        Ok(sel)
    }

    /// A peer endpoint selector, with the namespace Cilium injects (utils.go
    /// `getEndpointSelector`): none when a `reserved:` key is present; else, when no
    /// namespace key is present, the policy's namespace for a CNP (unless the selector
    /// uses namespace labels, 1.20) and "any namespace" (pods only) for a CCNP.
    fn peer_selector(&self, ls: &LabelSelector, path: &str) -> Result<Selector, Refused> {
        let mut sel = self.selector(ls, path)?;
        let reserved = sel
            .requirements
            .iter()
            .any(|r| r.key().starts_with("reserved:"));
        let has_ns =
            has_key(&sel, &format!("k8s:{NS_KEY}")) || has_key(&sel, &format!("any:{NS_KEY}"));
        let uses_ns_labels = sel.requirements.iter().any(|r| {
            r.key().starts_with("k8s:io.cilium.k8s.namespace.labels.")
                || r.key().starts_with("any:io.cilium.k8s.namespace.labels.")
        });
        if !reserved && !has_ns {
            match &self.namespace {
                Some(ns) if !uses_ns_labels => sel.requirements.push(Requirement::In {
                    key: format!("k8s:{NS_KEY}"),
                    values: BTreeSet::from([ns.clone()]),
                }),
                _ => sel.requirements.push(Requirement::Exists {
                    key: format!("k8s:{NS_KEY}"),
                }),
            }
        }
        // addClusterFilterByDefault (utils.go): with policy-default-local-cluster (on by
        // default from 1.19) a peer that names no cluster is confined to the local one.
        // Every local pod carries that label, but no reserved identity (world, host,
        // remote-node) does, so a selector matching by absence (`NotIn`,
        // `DoesNotExist`) selects pods only.
        let names_cluster = has_key(&sel, &format!("k8s:{CLUSTER_LABEL}"))
            || has_key(&sel, &format!("any:{CLUSTER_LABEL}"));
        if !reserved && !names_cluster && self.settings.policy_default_local_cluster {
            sel.requirements.push(Requirement::In {
                key: format!("k8s:{CLUSTER_LABEL}"),
                values: BTreeSet::from([self.settings.cluster_name.clone()]),
            });
        }
        Ok(sel)
    }

    fn cidr_block(&self, cidr: &str, except: &[String], path: &str) -> Result<IpBlock, Refused> {
        let net = parse_cidr(cidr).map_err(|m| Refused {
            path: path.to_string(),
            message: m,
            schema: true,
        })?;
        let mut ex = Vec::new();
        for (i, e) in except.iter().enumerate() {
            let at = format!("{path}.except[{i}]");
            let en = parse_cidr(e).map_err(|m| Refused {
                path: at.clone(),
                message: m,
                schema: true,
            })?;
            if !net.contains(&en.network()) || en.prefix_len() < net.prefix_len() {
                return refuse(
                    at,
                    format!("allow CIDR prefix {net} does not contain exclude CIDR prefix {en}"),
                );
            }
            ex.push(en);
        }
        Ok(IpBlock {
            cidr: net,
            except: ex,
        })
    }

    fn services(&mut self, refs: &[ServiceRef], path: &str) -> Result<Vec<Peer>, Refused> {
        let mut peers = Vec::new();
        for (i, s) in refs.iter().enumerate() {
            let at = format!("{path}[{i}]");
            let matching: Vec<&crate::model::Service> = if let Some(n) = &s.k8s_service {
                let name = n.service_name.clone().unwrap_or_default();
                let ns = n.namespace.clone().or_else(|| self.namespace.clone());
                self.model
                    .services
                    .iter()
                    .filter(|svc| {
                        svc.name == name && ns.as_ref().is_none_or(|ns| &svc.namespace == ns)
                    })
                    .collect()
            } else if let Some(sel) = &s.k8s_service_selector {
                let ls = sel.selector.clone().unwrap_or_default();
                let selector = Selector::compile(&ls, &format!("{at}.k8sServiceSelector.selector"))
                    .map_err(selector_refusal)?;
                let ns = sel.namespace.clone().or_else(|| self.namespace.clone());
                self.model
                    .services
                    .iter()
                    .filter(|svc| {
                        selector.matches(&svc.labels)
                            && ns.as_ref().is_none_or(|ns| &svc.namespace == ns)
                    })
                    .collect()
            } else {
                return refuse(at, "one of k8sService or k8sServiceSelector is required");
            };
            if matching.is_empty() {
                self.warnings.push(Warning {
                    code: WarningCode::ServiceNotFound,
                    message: format!(
                        "{} {at}: names no Service in the input, so it admits nothing",
                        self.policy
                    ),
                    location: Some(self.origin.location(Some(&at), None)),
                });
            }
            for svc in matching {
                match &svc.selector {
                    Some(labels) => {
                        // A Service with a selector becomes its pods (PR #34208, Cilium ≥1.17).
                        let mut reqs: Vec<Requirement> = labels
                            .iter()
                            .map(|(k, v)| Requirement::In { key: format!("k8s:{k}"), values: BTreeSet::from([v.clone()]) })
                            .collect();
                        reqs.push(Requirement::In { key: format!("k8s:{NS_KEY}"), values: BTreeSet::from([svc.namespace.clone()]) });
                        peers.push(Peer::Identity { selector: Selector { requirements: reqs } });
                    }
                    None => self.warnings.push(Warning {
                        code: WarningCode::ServiceWithoutSelector,
                        message: format!(
                            "{} {at}: Service {}/{} has no selector; Cilium admits its EndpointSlice addresses, which the input does not give",
                            self.policy, svc.namespace, svc.name
                        ),
                        location: Some(self.origin.location(Some(&at), None)),
                    }),
                }
            }
        }
        Ok(peers)
    }

    fn fqdn(&self, f: &Fqdn, path: &str) -> Result<FqdnPattern, Refused> {
        let valid = |s: &str, pattern: bool| {
            s.len() <= 255
                && s.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '-' | '_' | '.')
                        || (pattern && c == '*')
                })
        };
        match (&f.match_name, &f.match_pattern) {
            (Some(_), Some(_)) => reject(path, "only one of MatchName or MatchPattern is allowed in an FQDNSelector"),
            (Some(n), None) if valid(n, false) && !n.is_empty() => Ok(FqdnPattern { pattern: n.clone(), is_pattern: false }),
            (None, Some(p)) if valid(p, true) && !p.is_empty() => Ok(FqdnPattern { pattern: p.clone(), is_pattern: true }),
            // The CRD's oneOf(matchName, matchPattern) rejects an empty selector.
            (None, None) => reject(path, "one of matchName or matchPattern is required"),
            _ => reject(path, "invalid characters in a DNS name or pattern (allowed: a-z, 0-9, '-', '_', '.', and '*' in patterns; at most 255)"),
        }
    }

    fn ports(
        &self,
        rules: &[PortRule],
        path: &str,
        deny: bool,
        direction: Direction,
        host: bool,
    ) -> Result<(Vec<PortMatch>, Vec<L7>), Refused> {
        let mut out = Vec::new();
        let mut l7s = Vec::new();
        for (i, pr) in rules.iter().enumerate() {
            let at = format!("{path}[{i}]");
            let ports = pr.ports.clone().unwrap_or_default();
            if ports.len() > 40 {
                return reject(format!("{at}.ports"), "too many ports, the max is 40");
            }
            let l7 = pr.rules.as_ref();
            let kinds: Vec<&str> = l7
                .map(|r| {
                    let mut k = Vec::new();
                    if r.http.is_some() {
                        k.push("http");
                    }
                    if r.kafka.is_some() {
                        k.push("kafka");
                    }
                    if r.dns.is_some() {
                        k.push("dns");
                    }
                    if r.l7proto.is_some() || r.l7.is_some() {
                        k.push("l7proto");
                    }
                    k
                })
                .unwrap_or_default();
            if deny
                && (l7.is_some()
                    || pr.server_names.is_some()
                    || pr.terminating_tls.is_some()
                    || pr.originating_tls.is_some()
                    || pr.listener.is_some())
            {
                return reject(format!("{at}.rules"), "deny rules take ports only: L7 rules, TLS, serverNames and listener are not allowed in ingressDeny/egressDeny");
            }
            if kinds.len() > 1 {
                return refuse(
                    format!("{at}.rules"),
                    "multiple L7 protocol rule types specified in single rule",
                );
            }
            if direction == Direction::Ingress && pr.listener.is_some() {
                return refuse(
                    format!("{at}.listener"),
                    "Listener is not allowed on ingress",
                );
            }
            if pr.listener.is_some() && l7.is_some() {
                return refuse(
                    format!("{at}.listener"),
                    "Listener is not allowed with L7 rules",
                );
            }
            if pr.server_names.is_some() && l7.is_some() && pr.terminating_tls.is_none() {
                return refuse(
                    format!("{at}.serverNames"),
                    "ServerNames are not allowed with L7 rules without TLS termination",
                );
            }
            if pr.server_names.iter().flatten().any(String::is_empty) {
                return refuse(
                    format!("{at}.serverNames"),
                    "empty server name is not allowed",
                );
            }
            let kind = kinds.first().copied();
            if kind.is_some() && !self.settings.l7_proxy {
                return refuse(
                    format!("{at}.rules"),
                    "L7 policy is not supported since L7 proxy is not enabled",
                );
            }
            if kind == Some("dns") && direction == Direction::Ingress {
                return refuse(
                    format!("{at}.rules.dns"),
                    "DNS rules are not allowed on ingress",
                );
            }
            if kind.is_some() && host && direction == Direction::Ingress {
                return refuse(
                    format!("{at}.rules"),
                    "L7 policy is not supported on host ingress yet",
                );
            }
            if kind == Some("http") && host && direction == Direction::Egress {
                return refuse(
                    format!("{at}.rules"),
                    "L7 protocol HTTP is not supported on host egress yet",
                );
            }
            if kind == Some("dns") && ports.is_empty() {
                return refuse(
                    format!("{at}.ports"),
                    "DNS rules require a non-empty list of ports",
                );
            }
            for (j, p) in ports.iter().enumerate() {
                let pat = format!("{at}.ports[{j}]");
                let protocol = match p.protocol.as_deref().map(str::to_ascii_uppercase).as_deref() {
                    None | Some("") | Some("ANY") => None,
                    Some(s) => match Protocol::parse(s) {
                        Some(p) => Some(p),
                        None => return reject(format!("{pat}.protocol"), format!("unsupported protocol {s:?} for toPorts (TCP, UDP, SCTP, ANY; ICMP goes in icmps)")),
                    },
                };
                if matches!(kind, Some("http" | "kafka" | "l7proto"))
                    && protocol != Some(Protocol::Tcp)
                {
                    return refuse(
                        format!("{pat}.protocol"),
                        "L7 rules can only apply to TCP (not ANY) except for DNS rules",
                    );
                }
                let port_str = p.port.clone().unwrap_or_default();
                // PortProtocol.Validate (1.20): a port is required unless extended IP
                // protocols are enabled; before 1.20 the CRD itself required it.
                if port_str.is_empty() {
                    return refuse(format!("{pat}.port"), "port must be specified");
                }
                let spec = if port_str == "0" {
                    if kind.is_some() {
                        return refuse(
                            format!("{pat}.port"),
                            "L7 rules can not be used when a port is 0",
                        );
                    }
                    PortSpec::Any
                } else if let Ok(n) = port_str.parse::<u32>() {
                    let Ok(from) = u16::try_from(n) else {
                        // The CRD's port pattern is anchored at the start only, so
                        // `70000` passes it (it begins with four digits); the agent's
                        // ParseUint(port, 0, 16) refuses it.
                        return refuse(
                            format!("{pat}.port"),
                            format!("unable to parse port {port_str:?}: value out of range"),
                        );
                    };
                    let end = p.end_port.unwrap_or(0);
                    if !(0..=65535).contains(&end) {
                        return reject(
                            format!("{pat}.endPort"),
                            format!("endPort {end} out of range"),
                        );
                    }
                    if end > i32::from(from) && kind == Some("dns") {
                        return refuse(
                            format!("{pat}.endPort"),
                            "DNS rules do not support port ranges",
                        );
                    }
                    // endPort at or below port is ignored (PortProtocol docs).
                    let to = u16::try_from(end)
                        .ok()
                        .filter(|e| *e > from)
                        .unwrap_or(from);
                    PortSpec::Range { from, to }
                } else {
                    let name = port_str.to_ascii_lowercase();
                    check_port_name(&name).map_err(|m| Refused {
                        path: format!("{pat}.port"),
                        message: m,
                        schema: true,
                    })?;
                    PortSpec::Named { name }
                };
                out.push(PortMatch {
                    protocol,
                    port: spec,
                });
            }
            if let (Some(kind), Some(r)) = (kind, l7) {
                let summary = match kind {
                    "http" => r
                        .http
                        .iter()
                        .flatten()
                        .map(|h| {
                            let m = h.get("method").and_then(Value::as_str).unwrap_or("*");
                            let p = h.get("path").and_then(Value::as_str).unwrap_or("*");
                            format!("{m} {p}")
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    "dns" => r
                        .dns
                        .iter()
                        .flatten()
                        .map(|d| {
                            d.match_name
                                .clone()
                                .or_else(|| d.match_pattern.clone())
                                .unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                let summary = if summary.is_empty() {
                    "any request".to_string()
                } else {
                    summary
                };
                l7s.push(L7 {
                    protocol: kind.to_string(),
                    summary,
                });
            }
            // An empty `ports` with L7 rules is allowed for HTTP-less rules only; a rule
            // with no ports at all admits every port.
            if ports.is_empty() {
                out.push(PortMatch::any());
            }
        }
        Ok((out, l7s))
    }

    fn dir_rule(
        &mut self,
        r: &DirRule,
        path: &str,
        direction: Direction,
        deny: bool,
        host: bool,
    ) -> Result<(Rule, Vec<Selector>), Refused> {
        let ingress = direction == Direction::Ingress;
        // Which L3 kinds the rule uses ("combining X and Y is not supported yet").
        let mut l3: Vec<&str> = Vec::new();
        let present = |v: Option<usize>| v.is_some_and(|n| n > 0);
        let fields: Vec<(&str, Option<usize>)> = if ingress {
            vec![
                ("FromEndpoints", r.from_endpoints.as_ref().map(Vec::len)),
                ("FromCIDR", r.from_cidr.as_ref().map(Vec::len)),
                ("FromCIDRSet", r.from_cidr_set.as_ref().map(Vec::len)),
                ("FromEntities", r.from_entities.as_ref().map(Vec::len)),
                ("FromNodes", r.from_nodes.as_ref().map(Vec::len)),
                ("FromGroups", r.from_groups.as_ref().map(Vec::len)),
            ]
        } else {
            vec![
                ("ToEndpoints", r.to_endpoints.as_ref().map(Vec::len)),
                ("ToCIDR", r.to_cidr.as_ref().map(Vec::len)),
                ("ToCIDRSet", r.to_cidr_set.as_ref().map(Vec::len)),
                ("ToEntities", r.to_entities.as_ref().map(Vec::len)),
                ("ToServices", r.to_services.as_ref().map(Vec::len)),
                ("ToGroups", r.to_groups.as_ref().map(Vec::len)),
                ("ToNodes", r.to_nodes.as_ref().map(Vec::len)),
                ("ToFQDNs", r.to_fqdns.as_ref().map(Vec::len)),
            ]
        };
        for (name, n) in &fields {
            if present(*n) {
                l3.push(name);
            }
        }
        if let [a, b, ..] = l3.as_slice() {
            return refuse(path, format!("combining {a} and {b} is not supported yet"));
        }
        let wrong_dir = if ingress {
            r.to_endpoints.is_some()
                || r.to_cidr.is_some()
                || r.to_services.is_some()
                || r.to_fqdns.is_some()
                || r.to_entities.is_some()
        } else {
            r.from_endpoints.is_some() || r.from_cidr.is_some() || r.from_entities.is_some()
        };
        if wrong_dir {
            return refuse(
                path,
                format!(
                    "{} rules take {} peers only",
                    direction.as_str(),
                    if ingress { "from*" } else { "to*" }
                ),
            );
        }
        if deny && r.to_fqdns.is_some() {
            return reject(
                format!("{path}.toFQDNs"),
                "deny policies do not support toFQDNs",
            );
        }
        if r.icmps.is_some() && r.to_ports.is_some() {
            return refuse(path, "the ICMPs block may only be present without ToPorts; define a separate rule to use ToPorts");
        }
        let nodes = if ingress { &r.from_nodes } else { &r.to_nodes };
        if present(nodes.as_ref().map(Vec::len)) && !self.settings.node_selector_labels {
            return refuse(
                path,
                format!("{} rules can only be applied when the \"enable-node-selector-labels\" flag is set (off by default)", if ingress { "FromNodes" } else { "ToNodes" }),
            );
        }
        let groups = if ingress {
            &r.from_groups
        } else {
            &r.to_groups
        };
        if present(groups.as_ref().map(Vec::len)) {
            self.warnings.push(Warning {
                code: WarningCode::CiliumGroupsUnresolved,
                message: format!("{} {path}: {}Groups name cloud security groups that only the Cilium operator can resolve; they admit nothing here", self.policy, if ingress { "from" } else { "to" }),
                location: Some(self.origin.location(Some(path), None)),
            });
        }
        let (eps, eps_name, cidrs, cidr_name, sets, set_name, entities, ent_name) = if ingress {
            (
                &r.from_endpoints,
                "fromEndpoints",
                &r.from_cidr,
                "fromCIDR",
                &r.from_cidr_set,
                "fromCIDRSet",
                &r.from_entities,
                "fromEntities",
            )
        } else {
            (
                &r.to_endpoints,
                "toEndpoints",
                &r.to_cidr,
                "toCIDR",
                &r.to_cidr_set,
                "toCIDRSet",
                &r.to_entities,
                "toEntities",
            )
        };
        let mut peers = Vec::new();
        let mut any_l3 = false;
        if let Some(eps) = eps {
            any_l3 = true;
            for (i, ls) in eps.iter().enumerate() {
                peers.push(Peer::Identity {
                    selector: self.peer_selector(ls, &format!("{path}.{eps_name}[{i}]"))?,
                });
            }
        }
        if let Some(c) = cidrs {
            any_l3 = true;
            for (i, s) in c.iter().enumerate() {
                peers.push(Peer::Block {
                    block: self.cidr_block(s, &[], &format!("{path}.{cidr_name}[{i}]"))?,
                });
            }
        }
        if let Some(c) = sets {
            any_l3 = true;
            for (i, s) in c.iter().enumerate() {
                let at = format!("{path}.{set_name}[{i}]");
                let set = [
                    s.cidr.is_some(),
                    s.cidr_group_ref.is_some(),
                    s.cidr_group_selector.is_some(),
                ]
                .iter()
                .filter(|b| **b)
                .count();
                if set != 1 {
                    // The CRD's oneOf over the three fields rejects both cases first.
                    return reject(
                        at,
                        if set == 0 {
                            "one of cidr, cidrGroupRef, or cidrGroupSelector is required"
                        } else {
                            "more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set"
                        },
                    );
                }
                match &s.cidr {
                    Some(cidr) => peers.push(Peer::Block { block: self.cidr_block(cidr, s.except.as_deref().unwrap_or_default(), &format!("{at}.cidr"))? }),
                    None => self.warnings.push(Warning {
                        code: WarningCode::CiliumCidrGroupUnresolved,
                        message: format!("{} {at}: CiliumCIDRGroup references are not read; this entry admits nothing here", self.policy),
                        location: Some(self.origin.location(Some(&at), None)),
                    }),
                }
            }
        }
        if let Some(ents) = entities {
            any_l3 = true;
            for (i, e) in ents.iter().enumerate() {
                match Entity::parse(e) {
                    Some(entity) => peers.push(Peer::Entity { entity }),
                    None => {
                        return reject(
                            format!("{path}.{ent_name}[{i}]"),
                            format!("unsupported entity: {e}"),
                        )
                    }
                }
            }
        }
        if !ingress {
            if let Some(svcs) = &r.to_services {
                any_l3 = true;
                peers.extend(self.services(svcs, &format!("{path}.toServices"))?);
            }
            if let Some(f) = &r.to_fqdns {
                any_l3 = true;
                for (i, f) in f.iter().enumerate() {
                    peers.push(Peer::Fqdn {
                        fqdn: self.fqdn(f, &format!("{path}.toFQDNs[{i}]"))?,
                    });
                }
            }
        }
        if let Some(ns) = nodes {
            // Node selectors match remote nodes by their labels (the translation adds
            // `reserved:remote-node`), only with `enable-node-selector-labels`.
            for (i, ls) in ns.iter().enumerate() {
                let at = format!(
                    "{path}.{}[{i}]",
                    if ingress { "fromNodes" } else { "toNodes" }
                );
                peers.push(Peer::Nodes {
                    selector: self.node_selector(ls, &at)?,
                });
            }
        }
        if nodes.is_some() || groups.is_some() {
            any_l3 = true;
        }
        let (ports, l7) = match &r.to_ports {
            Some(tp) => self.ports(tp, &format!("{path}.toPorts"), deny, direction, host)?,
            None => (Vec::new(), Vec::new()),
        };
        let has_ports = r.to_ports.as_ref().is_some_and(|t| !t.is_empty());
        let icmp_only = r.icmps.as_ref().is_some_and(|i| !i.is_empty()) && !has_ports;
        if !any_l3 && (has_ports || icmp_only) {
            // Ports (or ICMP) without peers: an L3 wildcard.
            peers.push(Peer::Any);
        }
        // A rule with neither peers nor ports matches nothing (it still enforces).
        let requires_field = if ingress {
            &r.from_requires
        } else {
            &r.to_requires
        };
        let mut requires = Vec::new();
        for (i, ls) in requires_field.iter().flatten().enumerate() {
            let name = if ingress {
                "fromRequires"
            } else {
                "toRequires"
            };
            requires.push(self.selector(ls, &format!("{path}.{name}[{i}]"))?);
            self.warnings.push(Warning {
                code: WarningCode::CiliumRequiresRemoved,
                message: format!("{} {path}.{name}: removed in Cilium 1.19 (the 1.19+ CRD rejects it); evaluated with the ≤1.18 meaning", self.policy),
                location: Some(self.origin.location(Some(path), None)),
            });
        }
        Ok((
            Rule {
                rule: RuleRef {
                    policy: self.policy.clone(),
                    direction,
                    index: 0,
                    path: path.into(),
                    deny,
                },
                peers,
                ports,
                l7,
                icmp_only,
                peer_sets: Vec::new(),
            },
            requires,
        ))
    }

    fn rule(&mut self, r: &CiliumRule, path: &str) -> Result<Option<CompiledPolicy>, Refused> {
        // Rule.Validate counts rules, not fields (Cilium 1.17+, PR #35904): `ingress: []`
        // is no section either, and the agent refuses the object.
        let sections = [
            r.ingress.as_ref(),
            r.ingress_deny.as_ref(),
            r.egress.as_ref(),
            r.egress_deny.as_ref(),
        ];
        if sections.iter().all(|s| s.is_none_or(|v| v.is_empty())) {
            return refuse(
                path,
                "rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny",
            );
        }
        let (subject, subject_path, host) = match (&r.endpoint_selector, &r.node_selector) {
            // The CRD's oneOf(endpointSelector, nodeSelector) rejects both cases.
            (Some(_), Some(_)) => {
                return reject(
                    path,
                    "rule cannot have both EndpointSelector and NodeSelector",
                )
            }
            (None, None) => {
                return reject(
                    path,
                    "rule must have one of EndpointSelector or NodeSelector",
                )
            }
            (Some(ls), None) => (
                Subject::Identity {
                    selector: self.subject(ls, &format!("{path}.endpointSelector"))?,
                },
                "endpointSelector",
                false,
            ),
            (None, Some(ls)) => {
                if self.kind == PolicyKind::CiliumNetworkPolicy {
                    return refuse(format!("{path}.nodeSelector"), "rule cannot have NodeSelector: only a CiliumClusterwideNetworkPolicy selects nodes");
                }
                (
                    Subject::Nodes {
                        selector: self.node_selector(ls, &format!("{path}.nodeSelector"))?,
                    },
                    "nodeSelector",
                    true,
                )
            }
        };
        let mut rules = Vec::new();
        let mut requires = Vec::new();
        let lists = [
            (&r.ingress, "ingress", Direction::Ingress, false),
            (&r.ingress_deny, "ingressDeny", Direction::Ingress, true),
            (&r.egress, "egress", Direction::Egress, false),
            (&r.egress_deny, "egressDeny", Direction::Egress, true),
        ];
        for (list, name, dir, deny) in lists {
            for (i, dr) in list.iter().flatten().enumerate() {
                let (mut rule, req) =
                    self.dir_rule(dr, &format!("{path}.{name}[{i}]"), dir, deny, host)?;
                rule.rule.index = i;
                rules.push(rule);
                requires.extend(req.into_iter().map(|s| (dir, s)));
            }
        }
        let dd = r.enable_default_deny.clone().unwrap_or_default();
        let has = |a: &Option<Vec<DirRule>>, b: &Option<Vec<DirRule>>| {
            a.as_ref().is_some_and(|v| !v.is_empty()) || b.as_ref().is_some_and(|v| !v.is_empty())
        };
        let ing = has(&r.ingress, &r.ingress_deny);
        let eg = has(&r.egress, &r.egress_deny);
        Ok(Some(CompiledPolicy {
            policy: self.policy.clone(),
            subject,
            // Without `enable-non-default-deny-policies` every rule is default-deny.
            ingress: Enforcement {
                enforced: ing,
                default_deny: ing && (dd.ingress != Some(false) || !self.settings.non_default_deny),
            },
            egress: Enforcement {
                enforced: eg,
                default_deny: eg && (dd.egress != Some(false) || !self.settings.non_default_deny),
            },
            rules,
            origin: self.origin.clone(),
            subject_path: format!("{path}.{subject_path}"),
            requires,
            subject_set: 0,
            requires_sets: Vec::new(),
        }))
    }
}

/// Translates every Cilium object once the rest of the model is known. An object that
/// Cilium's agent would refuse is not enforced; it is reported as `invalid-policy`.
pub(crate) fn compile(model: &Model, settings: &Settings, out: &mut super::Compiled) {
    for obj in &model.cilium {
        compile_object(model, settings, obj, out);
    }
}

fn compile_object(
    model: &Model,
    settings: &Settings,
    obj: &CiliumObject,
    sink: &mut super::Compiled,
) {
    {
        let policy = PolicyRef {
            kind: obj.kind,
            namespace: obj.namespace.as_deref().map(Into::into),
            name: obj.name.as_str().into(),
        };
        let mut t = Translator {
            model,
            settings,
            kind: obj.kind,
            namespace: obj.namespace.clone(),
            origin: obj.origin.clone(),
            policy,
            warnings: Vec::new(),
        };
        let mut out = Vec::new();
        let mut refused = None;
        if obj.rules.is_empty() {
            // Rejected at admission since Cilium 1.20 (a CRD validation rule, PR #45145);
            // before, the agent logged "empty policy" and ignored it.
            refused = Some(Refused {
                path: "spec".into(),
                message: "a Cilium policy needs `spec` or `specs`".into(),
                schema: true,
            });
        }
        for (path, rule) in &obj.rules {
            match t.rule(rule, path) {
                Ok(Some(p)) => out.push(p),
                Ok(None) => {}
                Err(r) => {
                    refused = Some(r);
                    break;
                }
            }
        }
        sink.warnings.append(&mut t.warnings);
        match refused {
            None => sink.policies.extend(out),
            Some(r) => {
                let ctx = Ctx {
                    text: model.text(&obj.origin.source).unwrap_or_default(),
                    origin: obj.origin.clone(),
                    kind: obj.kind.short().to_string(),
                    namespace: obj.namespace.clone(),
                    name: obj.name.clone(),
                    start: model.object_start(&obj.origin),
                };
                let mut error = ctx.error(ErrorCode::InvalidPolicy, &r.path, r.message);
                let entry = |error| Invalid {
                    kind: obj.kind.short().to_string(),
                    namespace: obj.namespace.clone(),
                    name: obj.name.clone(),
                    error,
                };
                if r.schema {
                    error.help = Some("the API server rejects this object (Cilium's CRD schema), so no cluster can hold it".into());
                    sink.invalid.push(entry(error));
                } else {
                    error.help = Some("Cilium's agent refuses the whole object (status Valid=False) and enforces none of its rules; verdicts are computed without it".into());
                    sink.refused.push(entry(error));
                }
            }
        }
    }
}
