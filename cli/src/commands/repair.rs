//! `repair`: the smallest additive change that gives the mesh back the flows it needs
//! (every `mesh-flow-blocked` and `mesh-port-rewrite-blocked`), proven by diagnosing the
//! cluster again with it. New objects as YAML on stdout (nothing to repair: nothing), the
//! flows they open and likely typos on stderr.
//! Exit status: 0 repaired or nothing to repair, 1 a flow no added allow can restore, 2 error.

use clap::{Args, ValueEnum};
use meshverdict_bindings::jobs::{repair, RepairDialect};

use super::load::load;
use super::Context;
use crate::args::InputArgs;
use crate::envelope;
use crate::exit::Exit;
use crate::progress::{self, Phase};
use crate::report::{print_error, print_warnings, Verbosity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RepairDialectArg {
    /// Kubernetes NetworkPolicy.
    Networkpolicy,
    /// CiliumNetworkPolicy.
    Cilium,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RepairFormat {
    /// The new objects as YAML; what they open on stderr.
    Yaml,
    /// Everything in the JSON envelope every host returns.
    Json,
}

#[derive(Args)]
pub struct RepairArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The kind of objects to write.
    #[arg(long, value_enum, default_value_t = RepairDialectArg::Networkpolicy)]
    pub dialect: RepairDialectArg,
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", default_value_t = RepairFormat::Yaml)]
    pub output: RepairFormat,
}

pub fn run(args: &RepairArgs, ctx: &Context) -> Exit {
    let json = args.output == RepairFormat::Json;
    let progress = progress::to_stderr(ctx.verbosity == Verbosity::Quiet);
    let loaded = match load(&args.input, progress.as_ref()) {
        Ok(l) => l,
        Err(failed) => {
            progress.finish();
            return failed.report(json, ctx.verbosity);
        }
    };
    progress.phase(Phase::Diagnosing);
    let dialect = match args.dialect {
        RepairDialectArg::Networkpolicy => RepairDialect::NetworkPolicy,
        RepairDialectArg::Cilium => RepairDialect::Cilium,
    };
    // The bindings' function: every host's `repair()` answers with the same bytes.
    let result = repair(&loaded.cluster, dialect);
    progress.finish();
    let (cluster, skipped) = (&loaded.cluster, &loaded.inputs.skipped);
    let r = match result {
        Ok(r) => r,
        Err(e) => {
            if json {
                outln!(
                    "{}",
                    envelope::pretty(&envelope::failure(e, cluster.warnings(), skipped))
                );
            } else {
                print_warnings(skipped, cluster.warnings(), ctx.verbosity);
                print_error(&e);
            }
            return Exit::Error;
        }
    };
    if json {
        outln!(
            "{}",
            envelope::pretty(&envelope::success(&r, cluster.warnings(), skipped))
        );
    } else {
        print_warnings(skipped, cluster.warnings(), ctx.verbosity);
        out!("{}", r.yaml);
        if ctx.verbosity != Verbosity::Quiet || !r.unrepairable.is_empty() {
            eprint!("{}", r.text());
        }
    }
    if r.unrepairable.is_empty() {
        Exit::Ok
    } else {
        Exit::Found
    }
}
