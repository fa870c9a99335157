//! The matrix is the point verdict of every cell: for every case of the corpus (ours and
//! the shared one), each matrix cell between pods agrees with `Cluster::allowed` on
//! every port where a rule, a container or the mesh cuts the port space (and one port
//! inside each stretch), and each case's expected pod-to-pod flows agree with the
//! matrix.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use meshverdict::evaluate::matrix::{Granularity, MatrixOptions};
use meshverdict::{Cluster, Input, Options, PortRef, Protocol, Query};

fn case_files() -> Vec<std::path::PathBuf> {
    let mut out = common::yaml_files(&common::workspace().join("tests/cases"));
    out.extend(common::yaml_files(&common::shared_cases()));
    out
}

/// The dataplane a case names (none: the one its input shows).
fn case_dataplane(text: &str) -> Option<meshverdict::Dataplane> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("dataplane:"))
        .and_then(|d| meshverdict::Dataplane::parse(d.trim()).ok())
}

#[test]
fn every_cell_is_the_point_verdict() {
    let mut checked = 0usize;
    for path in case_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let Ok(cluster) = Cluster::load(
            &[Input {
                name: &name,
                text: &text,
            }],
            Options {
                dataplane: case_dataplane(&text),
                ..Options::default()
            },
        ) else {
            continue;
        };
        if cluster.invalid_objects().next().is_some() {
            continue;
        }
        let m = cluster
            .matrix(&MatrixOptions {
                by: Granularity::Pod,
                ..MatrixOptions::default()
            })
            .unwrap();
        let mut allowed: BTreeMap<(String, String, Protocol), Vec<(u16, u16)>> = BTreeMap::new();
        for c in m.cells() {
            let ranges = c.ports.iter().map(|r| (r.from, r.to)).collect();
            allowed.insert(
                (
                    m.groups[c.from].reference.clone(),
                    m.groups[c.to].reference.clone(),
                    c.protocol,
                ),
                ranges,
            );
        }
        // Ports worth asking: every declared container port and rule port, ±1, and a few others.
        let mut ports: BTreeSet<u16> =
            BTreeSet::from([1, 53, 80, 443, 4143, 4190, 4191, 8080, 65535]);
        for e in &cluster.model().endpoints {
            for p in &e.ports {
                ports.extend([
                    p.port.saturating_sub(1).max(1),
                    p.port,
                    p.port.saturating_add(1),
                ]);
            }
        }
        for p in cluster.policies() {
            for r in &p.rules {
                for m in &r.ports {
                    if let meshverdict::ports::PortSpec::Range { from, to } = m.port {
                        ports.extend([
                            from,
                            to,
                            to.saturating_add(1),
                            from.saturating_sub(1).max(1),
                        ]);
                    }
                }
            }
        }
        let pods: Vec<String> = cluster
            .model()
            .endpoints
            .iter()
            .map(|e| e.reference())
            .collect();
        for from in &pods {
            for to in &pods {
                if from == to {
                    continue;
                }
                for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
                    let ranges = allowed
                        .get(&(from.clone(), to.clone(), protocol))
                        .cloned()
                        .unwrap_or_default();
                    for &port in &ports {
                        let q = Query {
                            from: from.clone(),
                            to: to.clone(),
                            port: PortRef::Number(port),
                            protocol,
                        };
                        let Ok(point) = cluster.allowed(&q) else {
                            continue;
                        };
                        let cell = ranges.iter().any(|(a, z)| *a <= port && port <= *z);
                        assert_eq!(cell, point, "{name}: {from} → {to} {port}/{protocol}: matrix says {cell}, the point verdict {point}");
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} cells checked");
}

/// Each case's expected flows between pods or workloads, read off the matrix by
/// workload (a workload row holds when it holds for every pod of both).
#[test]
fn the_matrix_agrees_with_every_case() {
    let mut checked = 0usize;
    for path in case_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let Ok(docs) =
            meshverdict::source::parse_stream(&name, &text, meshverdict::source::Limits::default())
        else {
            continue;
        };
        let Some(exp) = docs
            .iter()
            .find(|d| d.value.get("kind").and_then(|k| k.as_str()) == Some("Expectations"))
        else {
            continue;
        };
        let Ok(cluster) = Cluster::load(
            &[Input {
                name: &name,
                text: &text,
            }],
            Options {
                dataplane: case_dataplane(&text),
                ..Options::default()
            },
        ) else {
            continue;
        };
        if cluster.invalid_objects().next().is_some() {
            continue;
        }
        let m = cluster
            .matrix(&MatrixOptions {
                by: Granularity::Workload,
                ..MatrixOptions::default()
            })
            .unwrap();
        let index: BTreeMap<&str, usize> = m
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.reference.as_str(), i))
            .collect();
        let cells: BTreeMap<(usize, usize, Protocol), Vec<(u16, u16)>> = m
            .cells()
            .into_iter()
            .map(|c| {
                (
                    (c.from, c.to, c.protocol),
                    c.ports.iter().map(|r| (r.from, r.to)).collect(),
                )
            })
            .collect();
        for flow in exp
            .value
            .pointer("/spec/flows")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
        {
            let (Some(from), Some(to)) = (
                flow.get("from").and_then(|v| v.as_str()),
                flow.get("to").and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            let (Some(&g1), Some(&g2)) = (index.get(from), index.get(to)) else {
                continue;
            };
            if g1 == g2 {
                continue;
            }
            let protocol = match flow.get("protocol").and_then(|p| p.as_str()) {
                Some("UDP") => Protocol::Udp,
                Some("SCTP") => Protocol::Sctp,
                _ => Protocol::Tcp,
            };
            // Named ports resolve on the destination, as a point verdict does.
            let port = match flow.get("port") {
                Some(serde_json::Value::Number(n)) => {
                    n.as_u64().and_then(|n| u16::try_from(n).ok())
                }
                Some(serde_json::Value::String(s)) => {
                    let (ns, n) = to.split_once('/').unwrap();
                    let pods = &m.groups[g2].members;
                    let first = pods
                        .first()
                        .and_then(|p| p.split_once('/'))
                        .and_then(|(ns, n)| cluster.find_endpoint(ns, n));
                    let _ = (ns, n);
                    first.and_then(|e| {
                        e.ports
                            .iter()
                            .find(|p| {
                                p.name.as_deref() == Some(s.as_str()) && p.protocol == protocol
                            })
                            .map(|p| p.port)
                    })
                }
                _ => None,
            };
            let Some(port) = port else { continue };
            let expect = flow.get("expect").and_then(|e| e.as_str()) == Some("allow");
            let got = cells
                .get(&(g1, g2, protocol))
                .is_some_and(|r| r.iter().any(|(a, z)| *a <= port && port <= *z));
            assert_eq!(
                got, expect,
                "{name}: {from} → {to} {port}/{protocol}: expected {expect}, the matrix says {got}"
            );
            checked += 1;
        }
    }
    assert!(checked > 1_000, "only {checked} flows checked");
}
