#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests: a failure is a panic with its reason
//! A diagnostic between two large groups of pods concerns the product of their sizes;
//! `diagnose` lists a bounded sample and counts the rest. The sample must be a true
//! part of the complete list, and the count its length.

use std::collections::BTreeSet;

use meshverdict::synthetic::{cluster_yaml, Shape};
use meshverdict::{diagnose_with, Cluster, DiagnoseOptions, Input, Options};

fn key(d: &meshverdict::Diagnostic) -> (String, String) {
    (d.code.as_str().to_string(), d.message.clone())
}

#[test]
fn a_sample_of_flows_is_part_of_the_complete_list_and_counts_it() {
    let text = cluster_yaml(Shape {
        pods: 600,
        policies: 120,
        meshed: 0.5,
        workloads: 60,
        ..Shape::default()
    });
    let cluster = Cluster::load(
        &[Input {
            name: "generated.yaml",
            text: &text,
        }],
        Options::default(),
    )
    .unwrap();
    let complete = diagnose_with(&cluster, &DiagnoseOptions::complete());
    let sampled = diagnose_with(&cluster, &DiagnoseOptions { max_flows: Some(7) });
    assert_eq!(complete.len(), sampled.len());
    let mut truncated = 0;
    for (c, s) in complete.iter().zip(&sampled) {
        assert_eq!(key(c), key(s), "the same findings in the same order");
        assert!(
            c.flows_total.is_none(),
            "a complete list counts nothing more: {}",
            c.message
        );
        assert!(s.flows.len() <= 7);
        match s.flows_total {
            Some(total) => {
                truncated += 1;
                assert_eq!(total, c.flows.len(), "{}", s.message);
                assert!(total > 7);
                let all: BTreeSet<_> = c
                    .flows
                    .iter()
                    .map(|f| (&f.from, &f.to, f.port, f.protocol))
                    .collect();
                for f in &s.flows {
                    assert!(
                        all.contains(&(&f.from, &f.to, f.port, f.protocol)),
                        "{f:?} is not a flow of {}",
                        s.message
                    );
                }
            }
            None => assert_eq!(c.flows, s.flows),
        }
    }
    assert!(
        truncated > 0,
        "the generated cluster has findings over 7 flows"
    );
}

#[test]
fn the_default_lists_at_most_the_default_number_and_serializes_the_count() {
    let text = cluster_yaml(Shape {
        pods: 2000,
        policies: 300,
        meshed: 0.5,
        workloads: 200,
        ..Shape::default()
    });
    let cluster = Cluster::load(
        &[Input {
            name: "generated.yaml",
            text: &text,
        }],
        Options::default(),
    )
    .unwrap();
    let diags = meshverdict::diagnose(&cluster);
    assert!(diags
        .iter()
        .all(|d| d.flows.len() <= meshverdict::DEFAULT_MAX_FLOWS));
    let big = diags
        .iter()
        .find(|d| d.flows_total.is_some())
        .expect("a finding over the default");
    let json = serde_json::to_value(big).unwrap();
    assert_eq!(
        json["flowsTotal"].as_u64(),
        big.flows_total.map(|n| n as u64)
    );
    assert!(
        json["message"].as_str().unwrap().contains("more)"),
        "the message says the names are a sample: {}",
        big.message
    );
}
