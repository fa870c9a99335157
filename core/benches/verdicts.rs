//! compile + verdicts on a generated cluster of 5,000 pods and 500 policies
//! (NetworkPolicy, and a Cilium variant). Figures go in the README as ratios.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use meshverdict::synthetic::{cluster_yaml, queries, Shape};
use meshverdict::{Cluster, Dataplane, Input, Options};

fn load(yaml: &str, dataplane: Dataplane) -> Option<Cluster> {
    Cluster::load(&[Input { name: "bench.yaml", text: yaml }], Options { dataplane: Some(dataplane), ..Options::default() }).ok()
}

fn bench(c: &mut Criterion) {
    for (label, cilium, dataplane) in [("netpol", false, Dataplane::Generic), ("cilium", true, Dataplane::Cilium)] {
        let shape = Shape { cilium, ..Shape::default() };
        let yaml = cluster_yaml(shape);
        let qs = queries(shape, 1_000_000);
        let mut g = c.benchmark_group(format!("{label}-5000pods-500policies"));
        g.sample_size(10).measurement_time(Duration::from_secs(20));
        g.bench_function("compile", |b| b.iter(|| black_box(load(&yaml, dataplane))));
        let Some(cluster) = load(&yaml, dataplane) else { continue };
        g.bench_function("1000000-verdicts", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    for q in &qs {
                        let _ = black_box(cluster.verdict(q).map(|v| v.allowed));
                    }
                }
                start.elapsed()
            })
        });
        g.bench_function("1000000-decisions", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    for q in &qs {
                        let _ = black_box(cluster.allowed(q));
                    }
                }
                start.elapsed()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
