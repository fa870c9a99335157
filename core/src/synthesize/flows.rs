//! Observed flows reduced to intents: Hubble's flow JSON (`hubble observe -o json`, one
//! flow a line) and Linkerd's edges (`linkerd viz edges -o json`). A reduction keeps
//! what a flow says about who opened a connection to whom on which port, and names the
//! workloads as the manifests do; everything it leaves out is counted and said.
//!
//! Formats, from their sources:
//! - Hubble: one JSON object a line, either the flow itself or `{"flow": {...}}` (the
//!   `json` and `jsonpb` writers of cilium/hubble `pkg/printer`); fields `verdict`,
//!   `IP.{source,destination}`, `l4.{TCP,UDP,SCTP}.destination_port`, `source`/
//!   `destination` endpoints with `namespace`, `pod_name`, `labels`, `workloads[{name,kind}]`,
//!   `destination_names`, `is_reply` (cilium api/v1/flow/flow.proto).
//! - Linkerd: one JSON array of `{src, src_namespace, dst, dst_namespace, client_id,
//!   server_id, no_tls_reason}` (linkerd2 viz/cmd/edges.go `edgesJSONStats`); edges carry
//!   no ports.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::intents::{End, Intent, Intents};
use crate::error::{Error, ErrorCode, Location, Result};
use crate::evaluate::PortRef;
use crate::model::Model;
use crate::ports::Protocol;

/// Intents reduced from observed flows, with what the reduction did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Reduction {
    pub intents: Intents,
    /// How many records were read.
    pub records: usize,
    /// Records left out, grouped by why: `(why, count)`.
    pub left_out: Vec<(String, usize)>,
}

impl Reduction {
    /// The reduction as people read it: one line an intent, then what was left out.
    pub fn text(&self) -> String {
        let mut s = format!(
            "reduced {} records to {} intents:\n",
            self.records,
            self.intents.items.len()
        );
        for (i, it) in self.intents.items.iter().enumerate() {
            s.push_str(&format!("  #{} {}", i + 1, it.summary()));
            if let Some(o) = &it.origin {
                s.push_str(&format!("  ({o})"));
            }
            s.push('\n');
        }
        for (why, n) in &self.left_out {
            s.push_str(&format!("  left out {n}: {why}\n"));
        }
        s
    }
}

/// The reference the manifests know a pod by: its workload when the input holds it, else
/// the pod itself; `None` when neither is in the input.
fn reference(model: &Model, ns: &str, pod: &str, workloads: &[String]) -> Option<String> {
    let known = |name: &str| {
        model.find_endpoint(ns, name).is_some()
            || model
                .workload_pods
                .contains_key(&(ns.to_string(), name.to_string()))
    };
    workloads
        .iter()
        .map(String::as_str)
        .chain([pod])
        .find(|n| !n.is_empty() && known(n))
        .map(|n| format!("{ns}/{n}"))
        .or_else(|| {
            // A pod name is its workload's name plus generated suffixes (ReplicaSet hash, pod id).
            let mut name = pod;
            while let Some((head, _)) = name.rsplit_once('-') {
                if known(head) {
                    return Some(format!("{ns}/{head}"));
                }
                name = head;
            }
            None
        })
}

/// One reduced intent: who, to whom, over what.
type FlowKey = (String, String, Option<Protocol>);

#[derive(Default)]
struct Groups {
    /// Per intent: the ports and the lines they were seen on.
    flows: BTreeMap<FlowKey, (BTreeSet<u16>, Vec<usize>)>,
    left_out: BTreeMap<String, usize>,
    records: usize,
}

impl Groups {
    fn skip(&mut self, why: impl Into<String>) {
        *self.left_out.entry(why.into()).or_default() += 1;
    }

    fn finish(self, what: &str, any_port: bool) -> Reduction {
        let mut intents = Intents::default();
        for ((from, to, protocol), (ports, lines)) in self.flows {
            let ports = if any_port {
                None
            } else {
                Some(ports.into_iter().map(PortRef::Number).collect())
            };
            let mut it = Intent::new(End::Ref(from), End::Ref(to), ports, protocol);
            let shown: Vec<String> = lines.iter().take(5).map(ToString::to_string).collect();
            let more = if lines.len() > 5 {
                format!(", +{} more", lines.len() - 5)
            } else {
                String::new()
            };
            it.origin = Some(format!(
                "{} {what} record{}, line{} {}{more}",
                lines.len(),
                plural(lines.len()),
                plural(lines.len()),
                shown.join(", ")
            ));
            intents.items.push(it);
        }
        Reduction {
            intents,
            records: self.records,
            left_out: self.left_out.into_iter().collect(),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn text_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Reduces Hubble flows (JSON Lines) to intents: one per (source, destination,
/// protocol), with the destination ports seen.
pub fn from_hubble(source: &str, text: &str, model: &Model) -> Result<Reduction> {
    let mut g = Groups::default();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| {
            Error::new(
                ErrorCode::ParseError,
                format!("{source}:{line_no}: not a Hubble flow (JSON): {e}"),
            )
            .at(Location {
                source: source.to_string(),
                line: Some(line_no),
                ..Location::default()
            })
            .with_help("give `hubble observe -o json` output: one JSON flow a line")
        })?;
        let flow = v.get("flow").unwrap_or(&v);
        if !flow.is_object() || (flow.get("IP").is_none() && flow.get("l4").is_none()) {
            g.skip("not a flow (agent or debug events)");
            continue;
        }
        g.records += 1;
        match flow.get("verdict").and_then(Value::as_str) {
            Some("FORWARDED" | "AUDIT" | "REDIRECTED" | "TRACED" | "TRANSLATED") | None => {}
            Some(other) => {
                g.skip(format!("verdict {other} (traffic that was not let through is no evidence that it is wanted)"));
                continue;
            }
        }
        if flow.get("is_reply").and_then(Value::as_bool) == Some(true) {
            g.skip("replies (is_reply: the connection was opened the other way)");
            continue;
        }
        let l4 = flow.get("l4");
        let found = [
            ("TCP", Protocol::Tcp),
            ("UDP", Protocol::Udp),
            ("SCTP", Protocol::Sctp),
        ]
        .iter()
        .find_map(|(k, p)| l4.and_then(|l| l.get(*k)).map(|x| (*p, x)));
        let Some((protocol, l4p)) = found else {
            g.skip("no TCP, UDP or SCTP port (ICMP, or no layer 4)");
            continue;
        };
        if protocol == Protocol::Tcp {
            let flags = l4p.get("flags");
            let flag =
                |f: &str| flags.and_then(|x| x.get(f)).and_then(Value::as_bool) == Some(true);
            if flag("SYN") && flag("ACK") {
                g.skip("TCP SYN-ACK (the server's answer)");
                continue;
            }
        }
        let Some(port) = l4p
            .get("destination_port")
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
        else {
            g.skip("no destination port");
            continue;
        };
        let side = |key: &str, ip_key: &str| -> std::result::Result<String, String> {
            let ep = flow.get(key);
            let ns = ep
                .and_then(|e| e.get("namespace"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let pod = ep
                .and_then(|e| e.get("pod_name"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let labels = text_list(ep.and_then(|e| e.get("labels")));
            if !ns.is_empty() && !pod.is_empty() {
                let workloads: Vec<String> = ep
                    .and_then(|e| e.get("workloads"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|w| w.get("name").and_then(Value::as_str))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                return reference(model, ns, pod, &workloads)
                    .ok_or_else(|| format!("pods that are not in the input ({ns}/{pod}, …)"));
            }
            if labels.iter().any(|l| l == "reserved:host") {
                return Err("flows of the node's own host (kubelet probes: NetworkPolicy always admits the pod's own node)".into());
            }
            if key == "destination" {
                if let Some(name) = text_list(flow.get("destination_names")).first() {
                    return Ok(format!("dns:{}", name.trim_end_matches('.')));
                }
            }
            match flow
                .get("IP")
                .and_then(|i| i.get(ip_key))
                .and_then(Value::as_str)
            {
                Some(ip) if ip.parse::<std::net::IpAddr>().is_ok() => Ok(format!("ip:{ip}")),
                _ => Err("an endpoint without pod or address".into()),
            }
        };
        let (from, to) = match (side("source", "source"), side("destination", "destination")) {
            (Ok(f), Ok(t)) => (f, t),
            (Err(why), _) | (_, Err(why)) => {
                g.skip(why);
                continue;
            }
        };
        let entry = g.flows.entry((from, to, Some(protocol))).or_default();
        entry.0.insert(port);
        entry.1.push(line_no);
    }
    Ok(g.finish("Hubble", false))
}

/// Reduces `linkerd viz edges -o json` to intents: one per edge, every TCP port (edges
/// carry no ports).
pub fn from_linkerd_edges(source: &str, text: &str, model: &Model) -> Result<Reduction> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Error::new(
            ErrorCode::ParseError,
            format!("{source}: not `linkerd viz edges -o json` output: {e}"),
        )
        .at(Location {
            source: source.to_string(),
            line: Some(e.line()),
            ..Location::default()
        })
        .with_help("give the JSON array `linkerd viz edges deploy --all-namespaces -o json` prints")
    })?;
    let Some(edges) = v.as_array() else {
        return Err(Error::new(
            ErrorCode::InvalidField,
            format!("{source}: expected a JSON array of edges"),
        )
        .at(Location {
            source: source.to_string(),
            ..Location::default()
        }));
    };
    let mut g = Groups::default();
    for (i, e) in edges.iter().enumerate() {
        g.records += 1;
        let get = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default();
        let (src, sns, dst, dns) = (
            get("src"),
            get("src_namespace"),
            get("dst"),
            get("dst_namespace"),
        );
        if src.is_empty() || dst.is_empty() || sns.is_empty() || dns.is_empty() {
            g.skip("edges without both ends");
            continue;
        }
        match (
            reference(model, sns, src, &[]),
            reference(model, dns, dst, &[]),
        ) {
            (Some(f), Some(t)) => {
                let entry = g.flows.entry((f, t, Some(Protocol::Tcp))).or_default();
                entry.1.push(i + 1);
            }
            _ => g.skip(format!(
                "workloads that are not in the input ({sns}/{src} → {dns}/{dst}, …)"
            )),
        }
    }
    let mut r = g.finish("edge", true);
    for it in &mut r.intents.items {
        // Record numbers of an array are its items; say so instead of "line".
        it.origin = it.origin.take().map(|o| o.replace("line", "item"));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;
    use crate::model::Input;
    use crate::source::Limits;

    const CLUSTER: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, ports: [{containerPort: 8080}]}]}\n";

    fn model() -> Model {
        Model::load(
            &[Input {
                name: "c.yaml",
                text: CLUSTER,
            }],
            Limits::default(),
        )
        .unwrap()
    }

    #[test]
    fn hubble_flows_become_one_intent_per_pair() {
        let text = r#"{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"source_port":40000,"destination_port":8080,"flags":{"SYN":true}}},"source":{"namespace":"shop","pod_name":"web-5d8f7-abcde"},"destination":{"namespace":"shop","pod_name":"api-6c9-xyz","workloads":[{"name":"api","kind":"Deployment"}]}}}
{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.2","destination":"10.0.0.1"},"l4":{"TCP":{"source_port":8080,"destination_port":40000,"flags":{"SYN":true,"ACK":true}}},"is_reply":true,"source":{"namespace":"shop","pod_name":"api-6c9-xyz"},"destination":{"namespace":"shop","pod_name":"web-5d8f7-abcde"}}}
{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"destination_port":9090}},"source":{"namespace":"shop","pod_name":"web-1"},"destination":{"namespace":"shop","pod_name":"api-2"}}
{"flow":{"verdict":"DROPPED","IP":{"source":"10.0.0.1","destination":"203.0.113.9"},"l4":{"TCP":{"destination_port":443}},"source":{"namespace":"shop","pod_name":"web-1"},"destination":{}}}
{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"203.0.113.9"},"l4":{"UDP":{"destination_port":53}},"source":{"namespace":"shop","pod_name":"web-1"},"destination":{},"destination_names":["example.com."]}}
"#;
        let r = from_hubble("f.json", text, &model()).unwrap();
        let s: Vec<String> = r.intents.items.iter().map(Intent::summary).collect();
        assert_eq!(
            s,
            vec![
                "shop/web → dns:example.com 53/UDP",
                "shop/web → shop/api 8080/TCP, 9090/TCP"
            ]
        );
        assert_eq!(r.records, 5);
        assert_eq!(r.left_out.iter().map(|x| x.1).sum::<usize>(), 2);
        let e = from_hubble("f.json", "{not json\n", &model()).unwrap_err();
        assert_eq!(e.location.and_then(|l| l.line), Some(1));
    }

    #[test]
    fn linkerd_edges_carry_no_ports() {
        let text = r#"[{"src":"web","src_namespace":"shop","dst":"api","dst_namespace":"shop","client_id":"web.shop","server_id":"api.shop","no_tls_reason":""},{"src":"x","src_namespace":"other","dst":"api","dst_namespace":"shop","client_id":"","server_id":"","no_tls_reason":"not meshed"}]"#;
        let r = from_linkerd_edges("e.json", text, &model()).unwrap();
        assert_eq!(r.intents.items.len(), 1);
        assert_eq!(
            r.intents.items[0].summary(),
            "shop/web → shop/api every TCP port"
        );
        assert_eq!(r.left_out.len(), 1);
    }
}
