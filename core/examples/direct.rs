//! The "Rust direct" line of the host benchmark: the same cluster and questions the
//! hosts get, answered by the core without any boundary. `columns_ns` asks them by
//! index ([`Cluster::roster`]), as the hosts' `allowed_columns` do: the references are
//! gathered and resolved inside the timing, the index columns built before it, as a
//! host's caller builds them.
//! `cargo run --release --example direct -- CLUSTER.yaml QUERIES.json`

use std::time::Instant;

/// The allocator of the CLI and of the Python and Node hosts: the ratios then compare
/// the boundaries, not the allocators (the system allocator is slower on every line).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashMap;

use meshverdict::{Cluster, Input, Options, PortRef, Protocol, Query};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(yaml), Some(qs)) = (args.get(1), args.get(2)) else {
        return Err("usage: direct CLUSTER.yaml QUERIES.json".into());
    };
    let yaml = std::fs::read_to_string(yaml)?;
    let queries: Vec<Query> = serde_json::from_str(&std::fs::read_to_string(qs)?)?;
    let t = Instant::now();
    let cluster = Cluster::load(
        &[Input {
            name: "bench.yaml",
            text: &yaml,
        }],
        Options::default(),
    )?;
    let load_ns = t.elapsed().as_nanos();
    // Best of three runs of every question: full verdicts (with reasons), then decisions only.
    let mut best_verdict = u128::MAX;
    let mut best_allowed = u128::MAX;
    let mut allowed = 0usize;
    for _ in 0..3 {
        let t = Instant::now();
        allowed = 0;
        for q in &queries {
            if cluster.verdict(q)?.allowed {
                allowed += 1;
            }
        }
        best_verdict = best_verdict.min(t.elapsed().as_nanos());
        let t = Instant::now();
        let mut same = 0usize;
        for q in &queries {
            if cluster.allowed(q)? {
                same += 1;
            }
        }
        best_allowed = best_allowed.min(t.elapsed().as_nanos());
        if same != allowed {
            return Err("allowed() and verdict() disagree".into());
        }
    }
    // The columns: the distinct references in first-seen order, each question two
    // indices and a port (the generated questions are numbered ports).
    let mut endpoints: Vec<&str> = Vec::new();
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut columns: Vec<(u32, u32, PortRef, Protocol)> = Vec::with_capacity(queries.len());
    for q in &queries {
        let mut ends = [0u32; 2];
        for (end, r) in ends.iter_mut().zip([q.from.as_str(), q.to.as_str()]) {
            *end = *index.entry(r).or_insert_with(|| {
                endpoints.push(r);
                endpoints.len() as u32 - 1
            });
        }
        columns.push((ends[0], ends[1], q.port.clone(), q.protocol));
    }
    let mut best_columns = u128::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let roster = cluster.roster(&endpoints);
        let mut same = 0usize;
        for (from, to, port, protocol) in &columns {
            if roster.allowed(*from as usize, *to as usize, port, *protocol)? {
                same += 1;
            }
        }
        best_columns = best_columns.min(t.elapsed().as_nanos());
        if same != allowed {
            return Err("roster and verdict() disagree".into());
        }
    }
    let n = queries.len().max(1) as u128;
    println!(
        "{{\"host\":\"rust\",\"single_ns\":{},\"batch_ns\":{},\"batch_brief_ns\":{},\"columns_ns\":{},\"load_ms\":{},\"allowed\":{allowed},\"queries\":{n}}}",
        best_verdict / n,
        best_allowed / n,
        best_verdict / n,
        best_columns / n,
        load_ns / 1_000_000
    );
    Ok(())
}
