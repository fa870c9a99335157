//! Writes generated clusters, questions and the Rust engine's answers to a JSON file, for
//! the hosts' test suites to replay ("hosts agree on generated inputs"):
//!
//! ```sh
//! cargo run -p meshverdict --example sample -- [CLUSTERS] [OUT]   # default 20, target/samples.json
//! ```
//!
//! The clusters come from the property tests' generators (tests/generators/) with a fixed
//! seed, so the file is the same on every run of the same engine. Format:
//!
//! ```json
//! {"format": "meshverdict-samples/v1", "clusters": [{
//!    "name": "sample-0", "dataplane": "generic",
//!    "inputs": [{"name": "sample-0.yaml", "text": "apiVersion: v1 …"}],
//!    "questions": [{"query": {"from": "alpha/pod-0", "to": "beta/pod-1", "port": 80, "protocol": "TCP"},
//!                   "answer": {"type": "success", "allowed": true, "egress": true, "ingress": true, "mesh": null}}
//!                  | … "answer": {"type": "failure", "code": "invalid-request"}]}]}
//! ```
//! `mesh` is the mesh's decision for a meshed destination, `null` where none applies.

#[path = "../tests/generators/mod.rs"]
mod generators;

use meshverdict::{Cluster, Dataplane, Input, Options};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(20);
    let out = args.next().unwrap_or_else(|| "target/samples.json".into());
    let mut runner = TestRunner::deterministic();
    let dataplanes = [Dataplane::Generic, Dataplane::Calico, Dataplane::Cilium];
    let mut clusters = Vec::with_capacity(count);
    let mut answers = 0usize;
    for i in 0..count {
        let world = generators::world()
            .new_tree(&mut runner)
            .map_err(|e| e.to_string())?
            .current();
        let dataplane = dataplanes
            .get(i % dataplanes.len())
            .copied()
            .unwrap_or_default();
        let name = format!("sample-{i}.yaml");
        let text = world.text();
        let cluster = Cluster::load(
            &[Input {
                name: &name,
                text: &text,
            }],
            Options {
                dataplane: Some(dataplane),
                ..Options::default()
            },
        )?;
        let questions: Vec<Value> = world
            .questions()
            .into_iter()
            .map(|q| {
                let answer = match cluster.verdict(&q) {
                    Ok(v) => json!({"type": "success", "allowed": v.allowed, "egress": v.egress.allowed, "ingress": v.ingress.allowed,
                        "mesh": v.mesh.as_ref().map(|m| m.allowed)}),
                    Err(e) => json!({"type": "failure", "code": e.code.as_str()}),
                };
                json!({"query": q, "answer": answer})
            })
            .collect();
        answers += questions.len();
        clusters.push(json!({"name": format!("sample-{i}"), "dataplane": dataplane.as_str(), "inputs": [{"name": name, "text": text}], "questions": questions}));
    }
    let doc = json!({"format": "meshverdict-samples/v1", "clusters": clusters});
    std::fs::write(&out, serde_json::to_string_pretty(&doc)?)?;
    println!("wrote {count} clusters, {answers} answers to {out}");
    Ok(())
}
