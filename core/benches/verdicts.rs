//! The engine's costs, one benchmark group per concern, on generated live clusters
//! (Deployments → ReplicaSets → Pods, Services, kube-dns; `synthetic`) of 1,000 pods ×
//! 200 policies and 10,000 pods × 1,000 policies, each with NetworkPolicy and with half
//! the policies Cilium's, in the same run so that ratios come from one machine state:
//!
//! - `load+compile`: text → model → compiled policies and identity classes;
//! - `verdicts`: 10,000 point verdicts with every reason (what `check` prints);
//! - `decisions`: the same 10,000 questions, decisions only (`Cluster::allowed`);
//! - `diagnose`: every diagnostic, complete (with half the namespaces meshed too);
//! - `matrix`: the whole matrix by class and by workload.
//!
//! 150,000 pods are measured by `scripts/bench-scale.sh` (wall time and peak RSS of the
//! CLI), not here. Results and how to read them: docs/performance.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use meshverdict::evaluate::matrix::{Granularity, MatrixOptions};
use meshverdict::synthetic::{cluster_yaml, queries, Shape};
use meshverdict::{Cluster, Dataplane, Input, Options};

const SIZES: [(&str, usize, usize); 2] = [("1k", 1_000, 200), ("10k", 10_000, 1_000)];
const QUESTIONS: usize = 10_000;

struct Case {
    id: String,
    shape: Shape,
    dataplane: Dataplane,
    yaml: String,
}

fn cases(meshed: bool) -> Vec<Case> {
    let mut out = Vec::new();
    for (size, pods, policies) in SIZES {
        let variants: &[(&str, bool, Dataplane)] = if meshed {
            &[
                ("netpol-meshed", false, Dataplane::Generic),
                ("cilium-meshed", true, Dataplane::Cilium),
            ]
        } else {
            &[
                ("netpol", false, Dataplane::Generic),
                ("cilium", true, Dataplane::Cilium),
            ]
        };
        for (label, cilium, dataplane) in variants {
            let shape = Shape {
                pods,
                policies,
                workloads: pods / 10,
                cilium: *cilium,
                meshed: if meshed { 0.5 } else { 0.0 },
                ..Shape::default()
            };
            out.push(Case {
                id: format!("{size}/{label}"),
                shape,
                dataplane: *dataplane,
                yaml: cluster_yaml(shape),
            });
        }
    }
    out
}

fn load(case: &Case) -> Option<Cluster> {
    Cluster::load(
        &[Input {
            name: "bench.yaml",
            text: &case.yaml,
        }],
        Options {
            dataplane: Some(case.dataplane),
            ..Options::default()
        },
    )
    .ok()
}

fn bench(c: &mut Criterion) {
    let plain = cases(false);
    let meshed = cases(true);
    let clusters: Vec<(&Case, Cluster)> = plain
        .iter()
        .chain(&meshed)
        .filter_map(|case| load(case).map(|cl| (case, cl)))
        .collect();

    let mut g = c.benchmark_group("load+compile");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    for case in &plain {
        g.bench_with_input(BenchmarkId::from_parameter(&case.id), case, |b, case| {
            b.iter(|| black_box(load(case)))
        });
    }
    g.finish();

    for (name, full) in [("verdicts", true), ("decisions", false)] {
        let mut g = c.benchmark_group(format!("{QUESTIONS}-{name}"));
        g.sample_size(10).measurement_time(Duration::from_secs(10));
        for (case, cluster) in clusters.iter().filter(|(case, _)| case.shape.meshed == 0.0) {
            let qs = queries(case.shape, QUESTIONS);
            g.bench_function(BenchmarkId::from_parameter(&case.id), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        for q in &qs {
                            if full {
                                let _ = black_box(cluster.verdict(q).map(|v| v.allowed));
                            } else {
                                let _ = black_box(cluster.allowed(q));
                            }
                        }
                    }
                    start.elapsed()
                })
            });
        }
        g.finish();
    }

    // Each diagnose builds its caches anew (Cluster caches the judged mesh needs), so
    // every sample loads the cluster again outside the timing.
    let mut g = c.benchmark_group("diagnose");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    for case in plain.iter().chain(&meshed) {
        g.bench_function(BenchmarkId::from_parameter(&case.id), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let Some(cluster) = load(case) else { continue };
                    let start = Instant::now();
                    black_box(meshverdict::diagnose(&cluster).len());
                    total += start.elapsed();
                }
                total
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("matrix");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (case, cluster) in clusters.iter().filter(|(case, _)| case.shape.meshed == 0.0) {
        for by in [Granularity::Class, Granularity::Workload] {
            let options = MatrixOptions {
                by,
                ..MatrixOptions::default()
            };
            g.bench_function(
                BenchmarkId::new(format!("{by:?}").to_lowercase(), &case.id),
                |b| b.iter(|| black_box(cluster.matrix(&options).map(|m| m.cells().len()))),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
