//! Every allowed (source, destination, protocol, ports) between the Pods of a cluster, as
//! CSV: the differential tests compare it with netpol-analyzer, and the peer benchmark
//! times it. A stop-gap until the CLI has `meshverdict matrix --pods -o csv`, whose format
//! it already prints, so the comparator will not change when that command lands.
//!
//! `cargo run --release -p meshverdict --example allpairs -- DIR [--ips FILE] [--threads N] [-o OUT.csv]`
//!
//! DIR: every `*.yaml`/`*.yml` file in it (recursively), loaded with `Options::default()`
//! (the generic dataplane). `--ips FILE`: one IPv4/IPv6 address per line, each added as an
//! `ip:ADDR` endpoint in both directions against every Pod (never address to address, as
//! netpol-analyzer lists none).
//!
//! Output: `from,to,protocol,ports`, one row per pair and protocol with at least one
//! allowed port; `ports` is `8080;9000-9100`, or `*` for every port of that protocol.
//! A pod to itself is left out: netpol-analyzer never lists a workload to itself
//! (`includePairOfWorkloads`, pkg/netpol/connlist/connlist.go, v1.4.4).
//!
//! The full port set is exact, not sampled: for one pair, a decision can only change where
//! a port range of a rule that can apply starts or ends (egress rules of the policies that
//! select the source, ingress rules of those that select the destination), or at one of
//! the destination's container ports (the only numbers a named port can resolve to, since
//! named ports resolve on the destination: NetworkPolicyPort, k8s.io/api networking/v1
//! types.go). So one question per interval between those boundaries decides the interval.
//! Which policies select an endpoint is over-approximated (every policy whose subject is
//! not a plain pod selector counts), which can only add boundaries, never lose one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use meshverdict::compile::policy::{Direction, Subject};
use meshverdict::model::{Endpoint, EndpointKind};
use meshverdict::ports::PortSpec;
use meshverdict::{Cluster, Input, Options, PortRef, Protocol, Query};

const PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

struct Args {
    dir: PathBuf,
    ips: Option<PathBuf>,
    threads: usize,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: allpairs DIR [--ips FILE] [--threads N] [-o OUT.csv]";
    let mut it = std::env::args().skip(1);
    let mut dir = None;
    let mut ips = None;
    let mut out = None;
    let mut threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--ips" => ips = Some(PathBuf::from(it.next().ok_or(usage)?)),
            "-o" => out = Some(PathBuf::from(it.next().ok_or(usage)?)),
            "--threads" => {
                threads = it
                    .next()
                    .ok_or(usage)?
                    .parse()
                    .map_err(|_| format!("--threads: not a number; {usage}"))?
            }
            "-h" | "--help" => return Err(usage.into()),
            _ if dir.is_none() && !a.starts_with('-') => dir = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a:?}; {usage}")),
        }
    }
    Ok(Args {
        dir: dir.ok_or(usage)?,
        ips,
        threads: threads.max(1),
        out,
    })
}

fn yaml_files(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            yaml_files(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            found.push(path);
        }
    }
    Ok(())
}

/// One side of a pair: its reference in questions and rows, and per protocol the first
/// port of every interval its egress rules (as source) and its ingress rules and container
/// ports (as destination) keep constant.
struct Party {
    reference: String,
    is_pod: bool,
    as_source: [Vec<u32>; 3],
    as_destination: [Vec<u32>; 3],
}

fn protocol_index(p: Protocol) -> usize {
    PROTOCOLS.iter().position(|q| *q == p).unwrap_or(0)
}

/// Boundaries of the port entries of `direction` rules of the policies that may select `e`.
fn rule_boundaries(
    cluster: &Cluster,
    e: Option<&Endpoint>,
    direction: Direction,
) -> [BTreeSet<u32>; 3] {
    let mut b: [BTreeSet<u32>; 3] = [
        BTreeSet::from([1]),
        BTreeSet::from([1]),
        BTreeSet::from([1]),
    ];
    let Some(e) = e else { return b };
    for policy in cluster.policies() {
        let may_select = match &policy.subject {
            Subject::Pods {
                namespace,
                selector,
            } => *namespace == e.namespace && selector.matches(&e.labels),
            _ => true,
        };
        if !may_select {
            continue;
        }
        for rule in policy
            .rules
            .iter()
            .filter(|r| r.rule.direction == direction)
        {
            for pm in &rule.ports {
                if let PortSpec::Range { from, to } = pm.port {
                    for (i, p) in PROTOCOLS.iter().enumerate() {
                        if pm.protocol.is_none_or(|q| q == *p) {
                            if let Some(set) = b.get_mut(i) {
                                set.insert(u32::from(from));
                                set.insert(u32::from(to) + 1);
                            }
                        }
                    }
                }
            }
        }
    }
    b
}

fn party(cluster: &Cluster, reference: String, e: Option<&Endpoint>) -> Party {
    let out = rule_boundaries(cluster, e, Direction::Egress);
    let mut inb = rule_boundaries(cluster, e, Direction::Ingress);
    for p in e.map(|e| e.ports.as_slice()).unwrap_or_default() {
        if let Some(set) = inb.get_mut(protocol_index(p.protocol)) {
            set.insert(u32::from(p.port));
            set.insert(u32::from(p.port) + 1);
        }
    }
    let finish = |sets: [BTreeSet<u32>; 3]| {
        sets.map(|s| s.into_iter().filter(|n| *n <= 65535).collect::<Vec<u32>>())
    };
    Party {
        reference,
        is_pod: e.is_some(),
        as_source: finish(out),
        as_destination: finish(inb),
    }
}

/// The sorted union of two sorted lists, into `out`.
fn merge(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    out.clear();
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    out.sort_unstable();
    out.dedup();
}

/// Inclusive port intervals, formatted as the CSV's `ports` cell.
fn format_ports(ranges: &[(u32, u32)]) -> String {
    if let [(1, 65535)] = ranges {
        return "*".into();
    }
    ranges
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The allowed port intervals from `src` to `dst` over `protocol`, one question per interval.
fn allowed_ports(
    cluster: &Cluster,
    src: &Party,
    dst: &Party,
    protocol: Protocol,
    starts: &[u32],
    asked: &mut u64,
) -> Result<Vec<(u32, u32)>, meshverdict::Error> {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for (i, start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map(|n| n - 1).unwrap_or(65535);
        let port = u16::try_from(*start)
            .map_err(|_| meshverdict::Error::request(format!("port {start} out of range")))?;
        let q = Query {
            from: src.reference.clone(),
            to: dst.reference.clone(),
            port: PortRef::Number(port),
            protocol,
        };
        *asked += 1;
        if cluster.allowed(&q)? {
            match ranges.last_mut() {
                Some(last) if last.1 + 1 == *start => last.1 = end,
                _ => ranges.push((*start, end)),
            }
        }
    }
    Ok(ranges)
}

struct Row {
    from: usize,
    to: usize,
    protocol: Protocol,
    ports: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let mut files = Vec::new();
    yaml_files(&args.dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no *.yaml or *.yml file", args.dir.display()).into());
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| Ok((f.display().to_string(), std::fs::read_to_string(f)?)))
        .collect::<std::io::Result<_>>()?;
    let inputs: Vec<Input> = texts
        .iter()
        .map(|(name, text)| Input { name, text })
        .collect();

    let t = Instant::now();
    let cluster = Cluster::load(&inputs, Options::default())?;
    let load = t.elapsed();
    if cluster.mesh().is_some() {
        // The mesh moves flows to other wire ports (4143, skip ports, opaque ports) that
        // the boundaries below do not collect, so the port sets could be wrong.
        return Err(
            "allpairs: the input holds a service mesh; it only computes policy-only clusters"
                .into(),
        );
    }

    let mut pods: Vec<&Endpoint> = cluster
        .model()
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Pod)
        .collect();
    pods.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let mut parties: Vec<Party> = pods
        .iter()
        .map(|e| party(&cluster, e.reference(), Some(e)))
        .collect();
    if let Some(path) = &args.ips {
        for line in std::fs::read_to_string(path)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let ip: std::net::IpAddr = line
                .parse()
                .map_err(|_| format!("{}: {line:?} is not an IP address", path.display()))?;
            parties.push(party(&cluster, format!("ip:{ip}"), None));
        }
    }

    let t = Instant::now();
    let threads = args.threads.min(parties.len().max(1));
    let results: Vec<Result<(Vec<Row>, u64), String>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|w| {
                let (cluster, parties) = (&cluster, &parties);
                s.spawn(move || -> Result<(Vec<Row>, u64), String> {
                    let mut rows = Vec::new();
                    let mut asked = 0u64;
                    let mut starts = Vec::new();
                    for (di, dst) in parties.iter().enumerate().skip(w).step_by(threads) {
                        for (pi, protocol) in PROTOCOLS.iter().enumerate() {
                            for (si, src) in parties.iter().enumerate() {
                                if si == di || !(src.is_pod || dst.is_pod) {
                                    continue;
                                }
                                let (Some(a), Some(b)) =
                                    (src.as_source.get(pi), dst.as_destination.get(pi))
                                else {
                                    continue;
                                };
                                merge(a, b, &mut starts);
                                let ranges = allowed_ports(
                                    cluster, src, dst, *protocol, &starts, &mut asked,
                                )
                                .map_err(|e| e.to_string())?;
                                if !ranges.is_empty() {
                                    rows.push(Row {
                                        from: si,
                                        to: di,
                                        protocol: *protocol,
                                        ports: format_ports(&ranges),
                                    });
                                }
                            }
                        }
                    }
                    Ok((rows, asked))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a worker panicked".into())))
            .collect()
    });
    let mut rows = Vec::new();
    let mut asked = 0u64;
    for r in results {
        let (mut part, n) = r?;
        rows.append(&mut part);
        asked += n;
    }
    let compute = t.elapsed();
    rows.sort_by_key(|r| (r.from, r.to, r.protocol));

    let mut csv = String::with_capacity(rows.len() * 48 + 32);
    csv.push_str("from,to,protocol,ports\n");
    for r in &rows {
        let (Some(f), Some(t)) = (parties.get(r.from), parties.get(r.to)) else {
            continue;
        };
        csv.push_str(&format!(
            "{},{},{},{}\n",
            f.reference, t.reference, r.protocol, r.ports
        ));
    }
    match &args.out {
        Some(path) => std::fs::write(path, csv)?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(csv.as_bytes())?;
        }
    }
    eprintln!(
        "allpairs: {} files, {} pods, {} addresses, {} policies; load {:.3} s; {} questions in {:.3} s on {} threads ({:.2} µs each); {} rows",
        files.len(),
        parties.iter().filter(|p| p.is_pod).count(),
        parties.iter().filter(|p| !p.is_pod).count(),
        cluster.policies().len(),
        load.as_secs_f64(),
        asked,
        compute.as_secs_f64(),
        threads,
        compute.as_secs_f64() * 1e6 * threads as f64 / asked.max(1) as f64,
        rows.len()
    );
    Ok(())
}
