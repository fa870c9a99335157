//! Text renderings of verdicts and diagnostics, shared by the CLI and every host.

use crate::diagnose::Diagnostic;
use crate::mesh::Severity;
use crate::verdict::{Layer, Verdict};

fn layer(out: &mut String, name: &str, l: &Layer) {
    let mark = if l.allowed { "✓" } else { "✗" };
    out.push_str(&format!("  {mark} {name}: {}\n", l.reason));
    for n in &l.near_misses {
        out.push_str(&format!("      near miss: {}\n", n.message));
    }
    for l7 in &l.l7 {
        out.push_str(&format!("      then L7 ({}): only {} is allowed; requests are not evaluated here\n", l7.protocol, l7.summary));
    }
    for n in &l.notes {
        out.push_str(&format!("      note: {n}\n"));
    }
}

/// A few lines: the answer, then each layer with its reason.
pub fn verdict_text(v: &Verdict) -> String {
    let mut out = String::new();
    let word = if v.allowed { "ALLOWED" } else { "DENIED" };
    out.push_str(&format!("{word}: {} → {} on {}/{} (dataplane {})\n", v.from.reference, v.to.reference, v.port, v.protocol, v.dataplane.as_str()));
    if let Some(w) = &v.wire_port {
        out.push_str(&format!("  ⇄ on the wire: port {} ({})\n", w.port, w.reason.clone().unwrap_or_default()));
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
    layer(&mut out, &format!("egress of {}", v.from.reference), &v.egress);
    layer(&mut out, &format!("ingress of {}", v.to.reference), &v.ingress);
    if let Some(m) = &v.mesh {
        let mark = if m.allowed { "✓" } else { "✗" };
        out.push_str(&format!("  {mark} {} authorization ({}): {}\n", m.mesh, m.server, m.reason));
        for n in &m.notes {
            out.push_str(&format!("      note: {n}\n"));
        }
    }
    for w in &v.warnings {
        out.push_str(&format!("  ! {}: {}\n", w.code, w.message));
    }
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
