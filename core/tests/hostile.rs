#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers outside #[test] fns
//! Hostile Cilium and Kubernetes input: a clear, located error or an answer, never a
//! panic or an unbounded run.

use meshverdict::{Cluster, ErrorCode, Input, Options, PortRef, Protocol, Query};

const PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {nodeName: n1, containers: [{name: c, ports: [{containerPort: 80}]}]}\nstatus: {podIP: 10.0.0.1}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\nspec: {nodeName: n1, containers: [{name: c}]}\nstatus: {podIP: 10.0.0.2}\n---\n";

fn load(yaml: &str) -> Cluster {
    let c = Cluster::load(
        &[Input {
            name: "hostile.yaml",
            text: yaml,
        }],
        Options {
            dataplane: Some(meshverdict::Dataplane::Cilium),
            ..Options::default()
        },
    );
    c.unwrap_or_else(|e| panic!("load failed: {e}"))
}

fn q(from: &str, to: &str, port: u16) -> Query {
    Query {
        from: from.into(),
        to: to.into(),
        port: PortRef::Number(port),
        protocol: Protocol::Tcp,
    }
}

#[test]
fn unknown_entity_is_a_located_error() {
    // The CRD's entity enum (pkg/policy/api/entity.go) makes the API server reject it.
    let yaml = format!("{PODS}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  endpointSelector: {{matchLabels: {{app: a}}}}\n  ingress:\n  - fromEntities: [world, everything]\n");
    let c = load(&yaml);
    let err = c.verdict(&q("x/b", "x/a", 80)).expect_err("refused");
    assert_eq!(err.code, ErrorCode::InvalidPolicy);
    assert!(
        err.message.contains("unsupported entity: everything"),
        "{}",
        err.message
    );
    let loc = err.location.expect("located");
    assert_eq!(loc.path.as_deref(), Some("spec.ingress[0].fromEntities[1]"));
    assert_eq!(loc.line, Some(19));
}

#[test]
fn huge_match_pattern_is_rejected_not_run() {
    let stars = "*".repeat(10_000);
    let yaml = format!("{PODS}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  endpointSelector: {{matchLabels: {{app: b}}}}\n  egress:\n  - toFQDNs:\n    - matchPattern: \"{stars}\"\n");
    let c = load(&yaml);
    let err = c
        .verdict(&q("x/b", "dns:example.com", 443))
        .expect_err("refused: longer than 255");
    assert_eq!(err.code, ErrorCode::InvalidPolicy);
}

#[test]
fn patterns_at_the_length_limit_answer() {
    let pattern = format!("{}.example.com", "*a".repeat(100));
    let yaml = format!("{PODS}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  endpointSelector: {{matchLabels: {{app: b}}}}\n  egress:\n  - toFQDNs:\n    - matchPattern: \"{pattern}\"\n");
    let c = load(&yaml);
    let name = format!("{}.example.com", "ba".repeat(120));
    let v = c
        .verdict(&q("x/b", &format!("dns:{name}"), 443))
        .expect("answered");
    assert!(v.allowed);
    assert!(
        !c.verdict(&q("x/b", "dns:example.com", 443))
            .expect("answered")
            .allowed
    );
}

#[test]
fn a_thousand_rules_in_specs() {
    let mut yaml = format!("{PODS}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspecs:\n");
    for i in 0..1000 {
        yaml.push_str(&format!("- endpointSelector: {{matchLabels: {{app: a}}}}\n  ingress:\n  - fromEndpoints: [{{matchLabels: {{app: b}}}}]\n    toPorts: [{{ports: [{{port: \"{}\", protocol: TCP}}]}}]\n", 1000 + i));
    }
    let c = load(&yaml);
    assert!(c.verdict(&q("x/b", "x/a", 1999)).expect("answered").allowed);
    assert!(!c.verdict(&q("x/b", "x/a", 2000)).expect("answered").allowed);
    let v = c.verdict(&q("x/b", "x/a", 1500)).expect("answered");
    assert_eq!(
        v.ingress.allowed_by.first().map(|r| &*r.path),
        Some("specs[500].ingress[0]")
    );
}

#[test]
fn sanitizer_refusal_is_not_enforced_but_reported() {
    // rule_validation.go: "combining FromEndpoints and FromCIDR is not supported yet".
    let yaml = format!("{PODS}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  endpointSelector: {{matchLabels: {{app: a}}}}\n  ingress:\n  - fromEndpoints: [{{matchLabels: {{app: c}}}}]\n    fromCIDR: [192.168.0.0/16]\n");
    let c = load(&yaml);
    assert!(
        c.verdict(&q("x/b", "x/a", 80))
            .expect("computed without it")
            .allowed
    );
    let diags = meshverdict::diagnose(&c);
    let d = diags
        .iter()
        .find(|d| d.code.as_str() == "invalid-policy")
        .expect("reported");
    assert_eq!(d.severity, meshverdict::Severity::Error);
    assert!(
        d.message.contains("combining FromEndpoints and FromCIDR"),
        "{}",
        d.message
    );
}

#[test]
fn unknown_kinds_are_skipped_with_a_warning() {
    let yaml = format!("{PODS}apiVersion: example.com/v1\nkind: Gadget\nmetadata: {{name: g}}\n");
    let c = load(&yaml);
    assert!(c
        .warnings()
        .iter()
        .any(|w| w.code.as_str() == "unknown-kind" && w.message.contains("Gadget")));
}
