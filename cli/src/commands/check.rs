//! `check`: one flow, or a batch of them (`--queries`, JSON Lines in and out).
//! Exit status: 0 allowed, 1 denied, 2 error, 3 allowed but `--fail-on` matched.

use std::io::Read;

use clap::CommandFactory;
use meshverdict::explain::{trace_text, verdict_text};
use meshverdict::findings::{Diagnostic, Severity};
use meshverdict::{Cluster, Error, Location, Query, Verdict};

use super::load::{load, Failed};
use super::Context;
use crate::args::{CheckArgs, CheckFormat, Cli, FailOn};
use crate::envelope;
use crate::exit::Exit;
use crate::progress::{self, Phase};
use crate::query::parse_line;
use crate::refs::qualify;
use crate::report::{print_error, print_warnings, Verbosity};

pub fn run(args: &CheckArgs, ctx: &Context) -> Exit {
    match &args.queries {
        Some(file) => batch(args, file, ctx),
        None => single(args, ctx),
    }
}

/// The question of the flags, with `-n` applied.
fn question(args: &CheckArgs) -> Result<Query, Error> {
    let ns = args.namespace.as_deref();
    let missing = |flag: &str| Error::request(format!("{flag} is required"));
    let from = qualify(
        args.from.as_deref().ok_or_else(|| missing("--from"))?,
        ns,
        "--from",
    )?;
    let to = qualify(
        args.to.as_deref().ok_or_else(|| missing("--to"))?,
        ns,
        "--to",
    )?;
    let port = args.port.clone().ok_or_else(|| missing("--port"))?;
    Ok(Query {
        from,
        to,
        port,
        protocol: args.protocol,
    })
}

/// Every diagnostic the verdict carries, its members' and backends' included.
fn diagnostics(v: &Verdict) -> Vec<&Diagnostic> {
    let mut out: Vec<&Diagnostic> = v.warnings.iter().collect();
    for inner in v.members.iter().chain(v.backends.iter()) {
        out.extend(diagnostics(inner));
    }
    out
}

/// The worst diagnostic at or above the `--fail-on` severity that concerns an allowed flow.
fn fail_on(v: &Verdict, threshold: Option<FailOn>) -> Option<Severity> {
    let least = match threshold? {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    if !v.allowed {
        return None;
    }
    diagnostics(v)
        .iter()
        .map(|d| d.severity)
        .filter(|s| *s >= least)
        .max()
}

fn exit_of(v: &Verdict, threshold: Option<FailOn>) -> Exit {
    if !v.allowed {
        Exit::Found
    } else if fail_on(v, threshold).is_some() {
        Exit::FailOn
    } else {
        Exit::Ok
    }
}

fn single(args: &CheckArgs, ctx: &Context) -> Exit {
    let format = args.output.unwrap_or(CheckFormat::Text);
    let quiet = ctx.verbosity == Verbosity::Quiet;
    let fail = |e: Error, skipped: &[crate::inputs::Skipped]| {
        match format {
            CheckFormat::Json => {
                outln!("{}", envelope::pretty(&envelope::failure(e, &[], skipped)))
            }
            CheckFormat::Text | CheckFormat::Trace => {
                print_warnings(skipped, &[], ctx.verbosity);
                print_error(&e);
            }
        }
        Exit::Error
    };
    let q = match question(args) {
        Ok(q) => q,
        Err(e) => return fail(e, &[]),
    };
    let progress = progress::to_stderr(quiet);
    let loaded = match load(&args.input, progress.as_ref()) {
        Ok(l) => l,
        Err(Failed { error, inputs }) => {
            progress.finish();
            return fail(error, &inputs.skipped);
        }
    };
    progress.phase(Phase::Checking);
    let verdict = loaded.cluster.verdict(&q);
    progress.finish();
    let (cluster, skipped) = (&loaded.cluster, &loaded.inputs.skipped);
    let v = match verdict {
        Ok(v) => v,
        Err(e) => {
            return match format {
                CheckFormat::Json => {
                    outln!(
                        "{}",
                        envelope::pretty(&envelope::failure(e, cluster.warnings(), skipped))
                    );
                    Exit::Error
                }
                _ => {
                    print_warnings(skipped, cluster.warnings(), ctx.verbosity);
                    print_error(&e);
                    Exit::Error
                }
            };
        }
    };
    match format {
        CheckFormat::Json => outln!(
            "{}",
            envelope::pretty(&envelope::success(&v, cluster.warnings(), skipped))
        ),
        CheckFormat::Text => {
            print_warnings(skipped, cluster.warnings(), ctx.verbosity);
            out!("{}", verdict_text(&v));
        }
        CheckFormat::Trace => {
            print_warnings(skipped, cluster.warnings(), ctx.verbosity);
            out!("{}", trace_text(cluster, &v));
        }
    }
    let exit = exit_of(&v, args.fail_on);
    if let (Some(worst), false) = (fail_on(&v, args.fail_on), quiet) {
        eprintln!("exit status 3: the flow is allowed, but a diagnostic of severity {worst} concerns it (--fail-on)");
    }
    exit
}

/// `--queries FILE`: JSON Lines in, one envelope a question out, in order. A line that is
/// no question is a failure envelope naming its line; the others are still answered.
fn batch(args: &CheckArgs, file: &str, ctx: &Context) -> Exit {
    if let Some(format) = args.output.filter(|f| *f != CheckFormat::Json) {
        let name = if format == CheckFormat::Text {
            "text"
        } else {
            "trace"
        };
        let message = format!("--queries writes JSON Lines: -o {name} cannot be used with it (leave -o out, or give -o json)");
        usage_error(message);
    }
    if file == "-" && args.input.files.iter().any(|f| f == "-") {
        usage_error("--queries - and -f - cannot both read stdin".into());
    }
    let line_failure = |e: Error| outln!("{}", envelope::line(&envelope::failure(e, &[], &[])));
    let text = match read_queries(file) {
        Ok(t) => t,
        Err(e) => {
            line_failure(e);
            return Exit::Error;
        }
    };
    let progress = progress::to_stderr(ctx.verbosity == Verbosity::Quiet);
    let loaded = match load(&args.input, progress.as_ref()) {
        Ok(l) => l,
        Err(Failed { error, inputs }) => {
            progress.finish();
            print_warnings(&inputs.skipped, &[], ctx.verbosity);
            line_failure(error);
            return Exit::Error;
        }
    };
    progress.finish();
    let cluster = &loaded.cluster;
    // Load warnings once, on stderr: repeating them in every answer would bury the answers.
    print_warnings(&loaded.inputs.skipped, cluster.warnings(), ctx.verbosity);
    let mut worst = Exit::Ok;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let at = Location {
            source: file_name(file),
            line: Some(i + 1),
            ..Location::default()
        };
        // Streamed, not gathered: a batch of a million questions needs no memory per answer.
        let line = match answer(cluster, trimmed, args, &at) {
            Ok(v) => {
                worst = combine(worst, exit_of(&v, args.fail_on));
                envelope::line(&envelope::success(&v, &[], &[]))
            }
            Err(e) => {
                worst = combine(worst, Exit::Error);
                envelope::line(&envelope::failure(e, &[], &[]))
            }
        };
        outln!("{line}");
    }
    worst
}

fn answer(
    cluster: &Cluster,
    line: &str,
    args: &CheckArgs,
    at: &Location,
) -> Result<Verdict, Error> {
    let located = |e: Error| {
        if e.location.is_some() {
            e
        } else {
            e.at(at.clone())
        }
    };
    let line_no = at.line.unwrap_or_default();
    let q = parse_line(line)
        .map_err(|m| Error::request(format!("line {line_no}: {m}")).at(at.clone()))?;
    let ns = args.namespace.as_deref();
    let from = qualify(&q.from, ns, "from").map_err(located)?;
    let to = qualify(&q.to, ns, "to").map_err(located)?;
    cluster.verdict(&Query { from, to, ..q }).map_err(located)
}

/// A usage error in clap's words and with its exit status (2), for what clap cannot declare.
fn usage_error(message: String) -> ! {
    let mut cli = Cli::command();
    let check = cli
        .find_subcommand_mut("check")
        .cloned()
        .unwrap_or_else(Cli::command);
    check
        .bin_name("meshverdict check")
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

/// The exit status of a batch: an error beats a deny, a deny beats `--fail-on`.
fn combine(a: Exit, b: Exit) -> Exit {
    let rank = |e: Exit| match e {
        Exit::Ok => 0,
        Exit::FailOn => 1,
        Exit::Found => 2,
        Exit::Error => 3,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn file_name(file: &str) -> String {
    if file == "-" {
        "stdin".to_string()
    } else {
        file.to_string()
    }
}

fn read_queries(file: &str) -> Result<String, Error> {
    let bytes = if file == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| Error::request(format!("reading --queries from stdin: {e}")))?;
        b
    } else {
        std::fs::read(file).map_err(|e| Error::request(format!("--queries {file}: {e}")))?
    };
    meshverdict::source::decode_utf8(&file_name(file), bytes)
}
