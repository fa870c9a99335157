#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests: a failure is a panic with its reason
//! The whole-cluster matrix is the point verdict of every cell, on generated clusters
//! (random NetworkPolicies and Cilium policies, meshed by Linkerd or not, on every
//! dataplane); and a diff of a cluster with itself is empty.

mod generators;

use generators::{
    world, CPeer, CRule, CnpG, PortG, Proto, Sel, World, ENTITIES, PORTS, RULE_PORTS,
};
use meshverdict::evaluate::diff::{diff, Tree};
use meshverdict::evaluate::matrix::{Granularity, MatrixOptions};
use meshverdict::{Cluster, Dataplane, Input, Options, PortRef, Protocol, Query};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn dataplane() -> impl Strategy<Value = Dataplane> {
    prop_oneof![
        Just(Dataplane::Generic),
        Just(Dataplane::Calico),
        Just(Dataplane::Cilium)
    ]
}

fn load(w: &World, dataplane: Dataplane) -> Cluster {
    let text = w.text();
    Cluster::load(
        &[Input {
            name: "gen.yaml",
            text: &text,
        }],
        Options {
            dataplane: Some(dataplane),
            ..Options::default()
        },
    )
    .unwrap()
}

/// Ports where a verdict can change, and one inside each stretch.
fn ports() -> Vec<u16> {
    let mut p: Vec<u16> = RULE_PORTS
        .iter()
        .chain(PORTS.iter().map(|(_, n)| n))
        .flat_map(|n| [n - 1, *n, n + 1])
        .collect();
    p.extend([1, 4190, 4191, 8000, 8100, 30000, 65535]);
    p.sort_unstable();
    p.dedup();
    p
}

/// Every cell of the matrix (by pod, between pods and to outside addresses) equals the
/// point verdict's decision for that source, destination, port and protocol.
fn cells_are_point_verdicts(w: &World, dp: Dataplane) -> Result<(), TestCaseError> {
    let c = load(w, dp);
    let m = c
        .matrix(&MatrixOptions {
            by: Granularity::Pod,
            externals: true,
            ..MatrixOptions::default()
        })
        .unwrap();
    let cells = m.cells();
    let lookup = |from: &str, to: &str, protocol: Protocol, port: u16| -> bool {
        cells.iter().any(|cell| {
            m.groups[cell.from].reference == from
                && m.groups[cell.to].reference == to
                && cell.protocol == protocol
                && cell.ports.iter().any(|r| r.from <= port && port <= r.to)
        })
    };
    let pods: Vec<String> = (0..w.pods.len()).map(|i| w.pod_name(i)).collect();
    let externals: Vec<String> = m
        .groups
        .iter()
        .filter(|g| g.kind == "Addresses")
        .map(|g| g.reference.clone())
        .collect();
    for a in &pods {
        let mut targets: Vec<&String> = pods.iter().filter(|b| *b != a).collect();
        targets.extend(externals.iter());
        for b in targets {
            for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
                for port in ports() {
                    let q = Query {
                        from: a.clone(),
                        to: b.clone(),
                        port: PortRef::Number(port),
                        protocol,
                    };
                    let point = c.allowed(&q).unwrap();
                    let cell = lookup(a, b, protocol, port);
                    prop_assert_eq!(
                        cell,
                        point,
                        "{} → {} {}/{} on {:?}: matrix {}, point {}\n{}",
                        a,
                        b,
                        port,
                        protocol,
                        dp,
                        cell,
                        point,
                        w.text()
                    );
                }
            }
        }
    }
    // From outside addresses to each pod.
    for x in &externals {
        for b in &pods {
            for port in ports() {
                let q = Query {
                    from: x.clone(),
                    to: b.clone(),
                    port: PortRef::Number(port),
                    protocol: Protocol::Tcp,
                };
                let point = c.allowed(&q).unwrap();
                prop_assert_eq!(
                    lookup(x, b, Protocol::Tcp, port),
                    point,
                    "{} → {} {}/TCP on {:?}\n{}",
                    x,
                    b,
                    port,
                    dp,
                    w.text()
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    /// Every cell of the matrix (by pod, between pods and to outside addresses) equals the
    /// point verdict's decision for that source, destination, port and protocol.
    #[test]
    fn every_matrix_cell_is_the_point_verdict(w in world(), dp in dataplane()) {
        cells_are_point_verdicts(&w, dp)?;
    }

    /// The same on the Cilium dataplane with a deny rule beside an allow-all of the same
    /// subject and direction: where the deny matches, both say denied (deny takes
    /// precedence, Cilium Documentation/security/policy/deny.rst, v1.18). Random worlds
    /// rarely put a deny where an allow would otherwise admit: a matrix that ignored deny
    /// rules went unseen in 200 cases of the property above.
    #[test]
    fn matrix_and_point_verdicts_agree_under_cilium_deny(
        w in world(),
        subject in any::<prop::sample::Index>(),
        peer in any::<prop::sample::Index>(),
        port in prop::sample::select(RULE_PORTS.to_vec()),
        on_ingress in any::<bool>(),
        every_port in any::<bool>(),
    ) {
        let (s, p) = (subject.index(w.pods.len()), peer.index(w.pods.len()));
        let deny = CRule {
            peer: CPeer::Endpoints(Sel { labels: w.pods[p].labels.clone(), exprs: Vec::new() }, Some(w.pods[p].ns)),
            ports: (!every_port).then(|| vec![PortG::Num(port, Proto::Tcp)]),
        };
        let all = ENTITIES.iter().position(|e| *e == "all").unwrap();
        let allow = CRule { peer: CPeer::Entities(all), ports: None };
        let (ingress, egress, ingress_deny, egress_deny) =
            if on_ingress { (vec![allow], Vec::new(), vec![deny], Vec::new()) } else { (Vec::new(), vec![allow], Vec::new(), vec![deny]) };
        let mut denied = w.clone();
        denied.cnps.push(CnpG { ns: w.pods[s].ns, subject: w.pods[s].labels.clone(), ingress, egress, ingress_deny, egress_deny });
        cells_are_point_verdicts(&denied, Dataplane::Cilium)?;
    }

    /// A change that changes nothing opens and closes nothing.
    #[test]
    fn a_diff_with_itself_is_empty(w in world(), dp in dataplane()) {
        let a = load(&w, dp);
        let b = load(&w, dp);
        let d = diff(
            &Tree { model: a.model(), compiled: a.compiled() },
            &Tree { model: b.model(), compiled: b.compiled() },
            &MatrixOptions { externals: true, ..MatrixOptions::default() },
        ).unwrap();
        prop_assert!(d.is_empty(), "{:?}", d);
    }
}
