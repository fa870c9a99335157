//! `diagnose`: what breaks the mesh, the DNS or the policies themselves.

use meshverdict::explain::diagnostic_text;
use meshverdict::findings::Severity;

use super::load::{load, Failed};
use super::Context;
use crate::args::{DiagnoseArgs, DiagnoseFormat};
use crate::envelope;
use crate::exit::Exit;
use crate::progress::{self, Phase};
use crate::report::{print_error, print_warnings, Verbosity};
use crate::sarif::Writer;

pub fn run(args: &DiagnoseArgs, ctx: &Context) -> Exit {
    let progress = progress::to_stderr(ctx.verbosity == Verbosity::Quiet);
    let loaded = load(&args.input, progress.as_ref());
    let first_input = args
        .input
        .files
        .first()
        .map(|f| {
            if f == "-" {
                args.input.stdin_name.as_str()
            } else {
                f.as_str()
            }
        })
        .unwrap_or_default();
    let loaded = match loaded {
        Ok(l) => l,
        Err(Failed { error, inputs }) => {
            progress.finish();
            match args.output {
                DiagnoseFormat::Text => {
                    print_warnings(&inputs.skipped, &[], ctx.verbosity);
                    print_error(&error);
                }
                DiagnoseFormat::Json => outln!(
                    "{}",
                    envelope::pretty(&envelope::failure(error, &[], &inputs.skipped))
                ),
                DiagnoseFormat::Sarif => outln!(
                    "{}",
                    envelope::pretty(
                        &Writer::new(Some(&inputs), first_input).error(&error, &inputs.skipped)
                    )
                ),
            }
            return Exit::Error;
        }
    };
    progress.phase(Phase::Diagnosing);
    let options = meshverdict::DiagnoseOptions {
        max_flows: (args.max_flows > 0).then_some(args.max_flows),
    };
    let diags = meshverdict::diagnose_with(&loaded.cluster, &options);
    progress.finish();
    let (cluster, skipped) = (&loaded.cluster, &loaded.inputs.skipped);
    match args.output {
        DiagnoseFormat::Text => {
            print_warnings(skipped, cluster.warnings(), ctx.verbosity);
            for d in &diags {
                out!("{}", diagnostic_text(d));
            }
            let errors = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            outln!("{} diagnostics ({errors} errors)", diags.len());
        }
        DiagnoseFormat::Json => outln!(
            "{}",
            envelope::pretty(&envelope::success(&diags, cluster.warnings(), skipped))
        ),
        DiagnoseFormat::Sarif => {
            let log = Writer::new(Some(&loaded.inputs), first_input)
                .diagnostics(cluster, &diags, skipped);
            outln!("{}", envelope::pretty(&log));
        }
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        Exit::Found
    } else {
        Exit::Ok
    }
}
