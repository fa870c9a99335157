//! `generate` (hidden): a synthetic cluster and questions for the benchmarks
//! (`scripts/bench-scale.sh`, `scripts/bench-hosts.sh`, the 50 MB check of
//! `scripts/test.sh`).

use std::time::Instant;

use meshverdict::model::Model;
use meshverdict::synthetic::{cluster_yaml, queries, Shape};
use meshverdict::{Cluster, Input};

use crate::args::GenerateArgs;
use crate::exit::Exit;

pub fn run(args: &GenerateArgs) -> Exit {
    let shape = Shape {
        pods: args.pods,
        policies: args.policies,
        per_namespace: args.per_namespace,
        cilium: args.cilium,
        workloads: args.workloads,
        meshed: args.meshed_namespaces,
    };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&args.out)?;
        let yaml = cluster_yaml(shape);
        std::fs::write(args.out.join("cluster.yaml"), &yaml)?;
        let qs = serde_json::to_string_pretty(&queries(shape, args.queries))
            .map_err(std::io::Error::other)?;
        std::fs::write(args.out.join("queries.json"), qs)?;
        if args.stats {
            println!("{}", stats(&yaml, shape.cilium));
        }
        Ok(())
    };
    match write() {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Error
        }
    }
}

/// Loads the generated text as `check` would and reports its sizes and the time of
/// each stage: where a load's time goes, and how many identity classes the input has.
fn stats(yaml: &str, cilium: bool) -> serde_json::Value {
    let inputs = [Input {
        name: "cluster.yaml",
        text: yaml,
    }];
    // The text → documents stage alone (Model::load does it again, then reads them).
    let t = Instant::now();
    let parsed = meshverdict::source::parse_stream("cluster.yaml", yaml, Default::default())
        .map(|d| d.len());
    let parse_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let model = match Model::load(&inputs, Default::default()) {
        Ok(m) => m,
        Err(e) => return serde_json::json!({ "error": e.message }),
    };
    let model_ms = t.elapsed().as_secs_f64() * 1e3;
    let dataplane = cilium.then_some(meshverdict::Dataplane::Cilium);
    let t = Instant::now();
    let cluster = Cluster::from_model(model, dataplane);
    let compile_ms = t.elapsed().as_secs_f64() * 1e3;
    let compiled = cluster.compiled();
    let model = cluster.model();
    serde_json::json!({
        "bytes": yaml.len(),
        "endpoints": model.endpoints.len(),
        "namespaces": model.namespaces.len(),
        "policies": compiled.policies.len(),
        "invalid": cluster.invalid_objects().count(),
        "classes": compiled.classes.len(),
        "sets": compiled.sets.len(),
        "meshed": cluster.mesh().is_some(),
        "dataplane": cluster.dataplane.as_str(),
        "documents": parsed.unwrap_or_default(),
        "parse_ms": parse_ms.round(),
        "model_ms": model_ms.round(),
        "compile_ms": compile_ms.round(),
    })
}
