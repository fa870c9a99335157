//! `matrix`: every allowed source → destination, with its ports.

use clap::{Args, ValueEnum};
use meshverdict::evaluate::matrix::{Granularity, MatrixOptions};
use meshverdict::explain::matrix::{render, Format};
use meshverdict::Protocol;
use meshverdict_bindings::jobs::{MatrixCells, Ports};

use super::load::load;
use super::Context;
use crate::args::InputArgs;
use crate::envelope;
use crate::exit::Exit;
use crate::progress::{self, Phase};
use crate::report::{print_error, print_warnings, Verbosity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    /// One line per source and destination: `ns/a => ns/b : TCP 8080,9090`.
    Text,
    /// Groups and cells in the JSON envelope.
    Json,
    /// `from,to,protocol,ports` (ports `8080;9090`, ranges `8000-8100`, `*` for every port).
    Csv,
    /// A Markdown table.
    Md,
    /// Graphviz.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// Class-indexed, columnar JSON (what hosts and the playground draw from).
    Compact,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// Workloads (a Deployment with its pods is one row).
    Workload,
    /// Pods (and pod templates).
    Pod,
    /// Identity classes: output grows with classes, not pods².
    Class,
}

#[derive(Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// What a row names.
    #[arg(long, value_enum, default_value_t = By::Workload)]
    pub by: By,
    /// Only rows with a side in this namespace.
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Only these sources: NS/NAME, NS/*, ip:…, entity:…, or a label selector (app=web,tier in (a,b)).
    #[arg(long, value_name = "REF")]
    pub from: Option<String>,
    /// Only these destinations (as --from).
    #[arg(long, value_name = "REF")]
    pub to: Option<String>,
    /// Only these ports: `8080`, `8000-8100`, comma-separated.
    #[arg(long, value_name = "PORTS", value_parser = Ports::parse)]
    pub port: Option<Ports>,
    /// Only this protocol (repeatable): TCP, UDP, SCTP.
    #[arg(long, value_name = "PROTOCOL", value_parser = crate::args::parse_protocol)]
    pub protocol: Vec<Protocol>,
    /// Leave out address ranges, the API server and DNS names.
    #[arg(long)]
    pub no_externals: bool,
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", default_value_t = MatrixFormat::Text)]
    pub output: MatrixFormat,
}

pub fn run(args: &MatrixArgs, ctx: &Context) -> Exit {
    let progress = progress::to_stderr(ctx.verbosity == Verbosity::Quiet);
    let loaded = match load(&args.input, progress.as_ref()) {
        Ok(l) => l,
        Err(failed) => {
            progress.finish();
            return failed.report(
                matches!(args.output, MatrixFormat::Json | MatrixFormat::Compact),
                ctx.verbosity,
            );
        }
    };
    progress.phase(Phase::Matrix);
    let options = MatrixOptions {
        by: match args.by {
            By::Workload => Granularity::Workload,
            By::Pod => Granularity::Pod,
            By::Class => Granularity::Class,
        },
        protocols: args.protocol.clone(),
        externals: !args.no_externals,
        namespace: args.namespace.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        ports: args.port.clone().map(|p| p.0).unwrap_or_default(),
    };
    let (cluster, skipped) = (&loaded.cluster, &loaded.inputs.skipped);
    let matrix = match cluster.matrix(&options) {
        Ok(m) => m,
        Err(error) => {
            progress.finish();
            match args.output {
                MatrixFormat::Json | MatrixFormat::Compact => outln!(
                    "{}",
                    envelope::pretty(&envelope::failure(error, cluster.warnings(), skipped))
                ),
                _ => print_error(&error),
            }
            return Exit::Error;
        }
    };
    progress.finish();
    let format = match args.output {
        MatrixFormat::Json => {
            // The bindings' type: every host's `matrix()` answers with the same bytes.
            let warnings = cluster.warnings();
            outln!(
                "{}",
                envelope::line(&envelope::success(
                    MatrixCells::new(matrix),
                    warnings,
                    skipped
                ))
            );
            return Exit::Ok;
        }
        MatrixFormat::Compact => {
            outln!(
                "{}",
                envelope::line(&envelope::success(
                    matrix.compact(),
                    cluster.warnings(),
                    skipped
                ))
            );
            return Exit::Ok;
        }
        MatrixFormat::Text => Format::Text,
        MatrixFormat::Csv => Format::Csv,
        MatrixFormat::Md => Format::Markdown,
        MatrixFormat::Dot => Format::Dot,
        MatrixFormat::Mermaid => Format::Mermaid,
    };
    print_warnings(skipped, cluster.warnings(), ctx.verbosity);
    if ctx.verbosity != Verbosity::Quiet {
        for w in &matrix.warnings {
            eprintln!("warning[matrix]: {w}");
        }
    }
    render(&matrix, format, &mut |s| out!("{s}"));
    Exit::Ok
}
