//! `generate` (hidden): a synthetic cluster and questions for the benchmarks.

use meshverdict::synthetic::{cluster_yaml, queries, Shape};

use crate::args::GenerateArgs;
use crate::exit::Exit;

pub fn run(args: &GenerateArgs) -> Exit {
    let shape = Shape { pods: args.pods, policies: args.policies, cilium: args.cilium, ..Shape::default() };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&args.out)?;
        std::fs::write(args.out.join("cluster.yaml"), cluster_yaml(shape))?;
        let qs = serde_json::to_string_pretty(&queries(shape, args.queries)).map_err(std::io::Error::other)?;
        std::fs::write(args.out.join("queries.json"), qs)?;
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
