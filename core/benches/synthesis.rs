//! Synthesis with its proof at scale: a generated live cluster of 1,000 workloads
//! (Deployments → ReplicaSets → Pods, half the namespaces meshed by Linkerd 2.18, with
//! its control plane, Prometheus and kube-dns; `synthetic`) and 5,000 intents between
//! them on their declared ports. One sample is load-free: the cluster is loaded once;
//! each iteration resolves the intents, writes the policies and proves them (loading
//! them beside the cluster, every intent asked, the residue searched, diagnose run).
//! Goal: under 10 s. `repair` is measured on the same cluster with its policies broken
//! for the mesh (every meshed namespace default-deny).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use meshverdict::evaluate::PortRef;
use meshverdict::synthesize::{
    repair, synthesize, End, Intent, Intents, RepairOptions, SynthOptions,
};
use meshverdict::synthetic::{cluster_yaml, Shape};
use meshverdict::{Cluster, Dataplane, Input, Options, Protocol};

const WORKLOADS: usize = 1_000;
const INTENTS: usize = 5_000;

fn shape() -> Shape {
    Shape {
        pods: 3 * WORKLOADS,
        policies: 200,
        per_namespace: 100,
        cilium: false,
        workloads: WORKLOADS,
        meshed: 0.5,
    }
}

fn load(yaml: &str) -> Cluster {
    match Cluster::load(
        &[Input {
            name: "bench.yaml",
            text: yaml,
        }],
        Options {
            dataplane: Some(Dataplane::Generic),
            ..Options::default()
        },
    ) {
        Ok(c) => c,
        Err(e) => unreachable!("the generated cluster loads: {e}"),
    }
}

/// Intents between the generated workloads: deterministic pairs, each on a port the
/// destination declares (or every port when it declares none).
fn intents(cluster: &Cluster) -> Intents {
    let m = cluster.model();
    let mut workloads: Vec<(String, Vec<u16>)> = m
        .workload_pods
        .iter()
        .filter(|((ns, _), pods)| {
            !pods.is_empty() && ns != "linkerd" && ns != "linkerd-viz" && ns != "kube-system"
        })
        .map(|((ns, name), pods)| {
            let ports = pods
                .first()
                .and_then(|i| m.endpoints.get(*i))
                .map(|e| {
                    e.ports
                        .iter()
                        .filter(|p| p.protocol == Protocol::Tcp)
                        .map(|p| p.port)
                        .collect()
                })
                .unwrap_or_default();
            (format!("{ns}/{name}"), ports)
        })
        .collect();
    // Only the top workload of an ownership chain (a Deployment, not its ReplicaSet).
    workloads.sort();
    workloads.dedup_by(|a, b| a.0.starts_with(&b.0));
    let n = workloads.len().max(1);
    let mut state: u64 = 7;
    let mut next = |k: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % k.max(1) as u64) as usize
    };
    let mut out = Intents::default();
    while out.items.len() < INTENTS {
        let (a, b) = (next(n), next(n));
        if a == b {
            continue;
        }
        let (Some((from, _)), Some((to, ports))) = (workloads.get(a), workloads.get(b)) else {
            continue;
        };
        let port = ports.get(next(ports.len().max(1))).copied();
        out.items.push(Intent::new(
            End::Ref(from.clone()),
            End::Ref(to.clone()),
            port.map(|p| vec![PortRef::Number(p)]),
            Some(Protocol::Tcp),
        ));
    }
    out
}

fn bench(c: &mut Criterion) {
    let yaml = cluster_yaml(shape());
    let cluster = load(&yaml);
    let intents = intents(&cluster);
    let start = Instant::now();
    match synthesize(&cluster, &intents, &SynthOptions::default()) {
        Ok(s) => eprintln!(
            "synthesize: {} intents, {} objects, {} intent questions, {} residue pairs, {} residue questions, in {:.2?}",
            s.intents.len(),
            s.objects.len(),
            s.proof.checks,
            s.proof.pairs,
            s.proof.questions,
            start.elapsed()
        ),
        Err(e) => eprintln!("synthesize failed: {e}"),
    }
    let mut g = c.benchmark_group("synthesis");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function("1k-workloads-5k-intents", |b| {
        b.iter(|| {
            black_box(
                synthesize(&cluster, &intents, &SynthOptions::default()).map(|s| s.objects.len()),
            )
        })
    });
    // The same cluster, every meshed namespace isolated: repair gives the mesh its flows back.
    let broken = {
        let mut text = yaml.clone();
        for ns in cluster
            .model()
            .namespaces
            .keys()
            .filter(|n| n.starts_with("ns-"))
        {
            text.push_str(&format!("\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny-all, namespace: {ns}}}\nspec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}\n"));
        }
        load(&text)
    };
    g.bench_function("repair-1k-workloads", |b| {
        b.iter(|| black_box(repair(&broken, &RepairOptions::default()).map(|r| r.objects.len())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
