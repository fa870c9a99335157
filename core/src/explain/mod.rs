//! Text renderings of verdicts and diagnostics, shared by the CLI and every host.

pub mod matrix;

use crate::cluster::Cluster;
use crate::compile::labels::identity_labels;
use crate::evaluate::{Layer, Verdict};
use crate::findings::Diagnostic;
use crate::findings::Severity;

fn layer(out: &mut String, name: &str, l: &Layer) {
    let mark = if l.allowed { "✓" } else { "✗" };
    out.push_str(&format!("  {mark} {name}: {}\n", l.reason));
    for n in &l.near_misses {
        out.push_str(&format!("      near miss: {}\n", n.message));
    }
    for l7 in &l.l7 {
        out.push_str(&format!(
            "      then L7 ({}): only {} is allowed; requests are not evaluated here\n",
            l7.protocol, l7.summary
        ));
    }
    for n in &l.notes {
        out.push_str(&format!("      note: {n}\n"));
    }
}

/// A few lines: the answer, then each layer with its reason.
pub fn verdict_text(v: &Verdict) -> String {
    let mut out = String::new();
    let word = if v.allowed { "ALLOWED" } else { "DENIED" };
    out.push_str(&format!(
        "{word}: {} → {} on {}/{} (dataplane {})\n",
        v.from.reference,
        v.to.reference,
        v.port,
        v.protocol,
        v.dataplane.name.as_str()
    ));
    if let Some(w) = &v.wire_port {
        out.push_str(&format!(
            "  ⇄ on the wire: port {} ({})\n",
            w.port,
            w.reason.clone().unwrap_or_default()
        ));
    }
    if v.backends.len() > 1 || (v.backends.len() == 1 && v.to.kind == "Service") {
        out.push_str(&format!("  {}\n", v.summary));
        for b in &v.backends {
            for line in verdict_text(b).lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        return out;
    }
    if !v.members.is_empty() {
        out.push_str(&format!("  {}\n", v.summary));
        const SHOWN: usize = 8;
        for m in v.members.iter().take(SHOWN) {
            for line in verdict_text(m).lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        if v.members.len() > SHOWN {
            out.push_str(&format!(
                "    … and {} more pairs (-o json lists every one)\n",
                v.members.len() - SHOWN
            ));
        }
        return out;
    }
    layer(
        &mut out,
        &format!("egress of {}", v.from.reference),
        &v.egress,
    );
    layer(
        &mut out,
        &format!("ingress of {}", v.to.reference),
        &v.ingress,
    );
    if let Some(m) = &v.mesh {
        let mark = if m.allowed { "✓" } else { "✗" };
        out.push_str(&format!(
            "  {mark} {} authorization ({}): {}\n",
            m.mesh, m.server, m.reason
        ));
        for n in &m.notes {
            out.push_str(&format!("      note: {n}\n"));
        }
    }
    for w in &v.warnings {
        out.push_str(&format!("  ! {}: {}\n", w.code, w.message));
    }
    out
}

/// The identity of one side of a verdict, as Cilium labels it.
fn identity(
    cluster: &Cluster,
    view: &crate::evaluate::EndpointView,
    other: &crate::evaluate::EndpointView,
) -> Vec<String> {
    let m = cluster.model();
    match (view.kind.as_ref(), &view.namespace, &view.name) {
        ("Node", _, Some(n)) => {
            // Host or remote node, relative to the pod on the other side.
            let other_node = other
                .namespace
                .as_ref()
                .zip(other.name.as_ref())
                .and_then(|(ns, name)| cluster.find_endpoint(ns, name))
                .and_then(|e| e.node.clone());
            vec![if other_node.as_deref() == Some(n.as_str()) {
                "reserved:host".into()
            } else {
                "reserved:remote-node".into()
            }]
        }
        ("External" | "ApiServer", _, _) => {
            let mut v = vec!["reserved:world".to_string()];
            if view.kind == "ApiServer" {
                v.push("reserved:kube-apiserver".into());
            }
            v.extend(
                view.addresses
                    .iter()
                    .map(|a| format!("cidr:{a}/{}", if a.is_ipv4() { 32 } else { 128 })),
            );
            v
        }
        (_, Some(ns), Some(name)) => {
            let settings = &cluster.compiled().settings;
            cluster
                .find_endpoint(ns, name)
                .map(|e| {
                    identity_labels(
                        e,
                        m.namespaces.get(&e.namespace),
                        &settings.cluster_name,
                        &settings.label_filter,
                    )
                    .into_iter()
                    .map(|(k, v)| format!("k8s:{k}={v}"))
                    .collect()
                })
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

fn trace_layer(out: &mut String, title: &str, labels: &[String], l: &Layer) {
    out.push_str(&format!(
        "Resolving {title} policy for [{}]\n",
        labels.join(", ")
    ));
    if !l.isolated {
        out.push_str(&format!("  {}\n", l.reason));
    } else {
        let names: Vec<String> = l.isolated_by.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "  selected by {} polic{}: {}\n",
            names.len(),
            if names.len() == 1 { "y" } else { "ies" },
            names.join(", ")
        ));
        for r in &l.denied_by {
            out.push_str(&format!("  ✗ {r} denies: deny rules take precedence\n"));
        }
        for r in &l.allowed_by {
            out.push_str(&format!("  ✓ {r} allows\n"));
        }
        for n in &l.near_misses {
            out.push_str(&format!("  · {}\n", n.message));
        }
        for x in &l.l7 {
            out.push_str(&format!(
                "  → L7 {} rules then apply: {}\n",
                x.protocol, x.summary
            ));
        }
        if l.allowed_by.is_empty() && l.denied_by.is_empty() {
            out.push_str("  no rule matches\n");
        }
    }
    out.push_str(&format!(
        "{} verdict: {}\n\n",
        capitalize(title),
        if l.allowed { "allowed" } else { "denied" }
    ));
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A rendering in the manner of `cilium policy trace` (removed from Cilium in 1.14):
/// the identities on both sides, then each direction's selecting policies and rules.
pub fn trace_text(cluster: &Cluster, v: &Verdict) -> String {
    let from = identity(cluster, &v.from, &v.to);
    let to = identity(cluster, &v.to, &v.from);
    let port = v.wire_port.as_ref().map(|w| w.port).unwrap_or(v.port);
    let mut out = format!(
        "Tracing From: {} [{}]\n          To: {} [{}] Ports: [{port}/{}]\n\n",
        v.from.reference,
        from.join(", "),
        v.to.reference,
        to.join(", "),
        v.protocol
    );
    if let Some(w) = &v.wire_port {
        out.push_str(&format!(
            "(the application dials {}; {})\n\n",
            v.port,
            w.reason.clone().unwrap_or_default()
        ));
    }
    trace_layer(&mut out, "egress", &from, &v.egress);
    trace_layer(&mut out, "ingress", &to, &v.ingress);
    if let Some(m) = &v.mesh {
        out.push_str(&format!(
            "Mesh ({}) authorization: {} ({})\n\n",
            m.mesh,
            if m.allowed { "allowed" } else { "denied" },
            m.reason
        ));
    }
    out.push_str(&format!(
        "Final verdict: {}\n",
        if v.allowed { "ALLOWED" } else { "DENIED" }
    ));
    out
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

pub fn diagnostic_text(d: &Diagnostic) -> String {
    let mut out = format!("{}[{}]: {}\n", severity(d.severity), d.code, d.message);
    if let Some(loc) = &d.location {
        out.push_str(&format!("  at {loc}\n"));
    }
    if !d.policies.is_empty() {
        let p: Vec<String> = d.policies.iter().map(ToString::to_string).collect();
        out.push_str(&format!("  policies: {}\n", p.join(", ")));
    }
    if let Some(h) = &d.help {
        out.push_str(&format!("  help: {h}\n"));
    }
    out
}
