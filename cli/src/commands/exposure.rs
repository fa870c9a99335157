//! `exposure`: for each workload, who beyond its namespace may reach it, and on which ports.

use clap::{Args, ValueEnum};
use meshverdict::evaluate::exposure::Exposure;
use meshverdict::evaluate::matrix::is_every_port;

use super::load::load;
use super::Context;
use crate::args::InputArgs;
use crate::envelope;
use crate::exit::Exit;
use crate::progress::{self, Phase};
use crate::report::{print_error, print_warnings, Verbosity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExposureFormat {
    /// One block per exposed workload.
    Text,
    /// Every workload's exposure in the JSON envelope.
    Json,
}

#[derive(Args)]
pub struct ExposureArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Only workloads of this namespace.
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// List workloads that nothing outside their namespace reaches too.
    #[arg(long)]
    pub all: bool,
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", default_value_t = ExposureFormat::Text)]
    pub output: ExposureFormat,
}

fn ports(p: &[meshverdict::evaluate::matrix::PortRange]) -> String {
    if is_every_port(p) {
        "all ports".into()
    } else {
        p.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn text(e: &Exposure) -> String {
    let mut out = format!(
        "{}{}\n",
        e.workload,
        if e.open_to_everything {
            " — OPEN TO EVERYTHING (every pod, every outside address, every port)"
        } else {
            ""
        }
    );
    for r in &e.other_namespaces {
        let from = if r.from == ["*"] {
            "every other namespace".to_string()
        } else {
            format!("namespaces {}", r.from.join(", "))
        };
        out.push_str(&format!(
            "  from {from}: {} {}\n",
            r.protocol,
            ports(&r.ports)
        ));
    }
    for r in &e.outside {
        out.push_str(&format!(
            "  from outside the cluster ({}): {} {}\n",
            r.from.join(", "),
            r.protocol,
            ports(&r.ports)
        ));
    }
    if !e.is_exposed() {
        out.push_str("  only from its own namespace\n");
    }
    out
}

pub fn run(args: &ExposureArgs, ctx: &Context) -> Exit {
    let progress = progress::to_stderr(ctx.verbosity == Verbosity::Quiet);
    let loaded = match load(&args.input, progress.as_ref()) {
        Ok(l) => l,
        Err(failed) => {
            progress.finish();
            return failed.report(args.output == ExposureFormat::Json, ctx.verbosity);
        }
    };
    progress.phase(Phase::Matrix);
    let (cluster, skipped) = (&loaded.cluster, &loaded.inputs.skipped);
    // The bindings' function: every host's `exposure()` answers with the same bytes.
    let result = meshverdict_bindings::jobs::exposure(cluster, args.namespace.as_deref());
    progress.finish();
    let list = match result {
        Ok(l) => l,
        Err(error) => {
            match args.output {
                ExposureFormat::Json => outln!(
                    "{}",
                    envelope::pretty(&envelope::failure(error, cluster.warnings(), skipped))
                ),
                ExposureFormat::Text => print_error(&error),
            }
            return Exit::Error;
        }
    };
    match args.output {
        ExposureFormat::Json => outln!(
            "{}",
            envelope::pretty(&envelope::success(&list, cluster.warnings(), skipped))
        ),
        ExposureFormat::Text => {
            print_warnings(skipped, cluster.warnings(), ctx.verbosity);
            let shown: Vec<&Exposure> =
                list.iter().filter(|e| args.all || e.is_exposed()).collect();
            for e in &shown {
                out!("{}", text(e));
            }
            let open = list.iter().filter(|e| e.open_to_everything).count();
            let exposed = list.iter().filter(|e| e.is_exposed()).count();
            outln!("{exposed} of {} workloads reachable from beyond their namespace ({open} open to everything)", list.len());
        }
    }
    Exit::Ok
}
