//! `diff`: the flows a change opens and closes, each with the policies responsible.

use clap::{Args, ValueEnum};
use meshverdict::evaluate::diff::{Diff, FlowChange};
use meshverdict::evaluate::matrix::is_every_port;
use meshverdict_bindings::jobs;
use serde_json::{json, Value};

use super::load::{load, Failed};
use super::Context;
use crate::args::{DataplaneArg, InputArgs};
use crate::envelope;
use crate::exit::Exit;
use crate::progress::{self, Phase};
use crate::report::{print_error, print_warnings, Verbosity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The opened flows, then the closed ones.
    Text,
    /// The change in the JSON envelope.
    Json,
    /// SARIF 2.1.0: each opened or closed flow at the policy responsible, for pull requests.
    Sarif,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The tree before the change: files, folders or - for stdin.
    #[arg(long, value_name = "PATH", required = true, num_args = 1..)]
    pub before: Vec<String>,
    /// The tree after the change.
    #[arg(long, value_name = "PATH", required = true, num_args = 1..)]
    pub after: Vec<String>,
    /// Leave out paths below a folder (as with -f).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The dataplane that enforces the policies (auto: the one each tree shows).
    #[arg(long, value_enum, default_value_t = DataplaneArg::Auto)]
    pub dataplane: DataplaneArg,
    /// What a row names.
    #[arg(long, value_enum, default_value_t = super::matrix::By::Workload)]
    pub by: super::matrix::By,
    /// Exit 1 when the change opens any flow.
    #[arg(long)]
    pub fail_on_open: bool,
    /// An Expectations document whose `deny` flows must stay denied: exit 1 when one opens.
    #[arg(long, value_name = "FILE")]
    pub forbid: Option<String>,
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", default_value_t = DiffFormat::Text)]
    pub output: DiffFormat,
}

fn input(files: &[String], args: &DiffArgs) -> InputArgs {
    let limits = meshverdict::source::Limits::default();
    InputArgs {
        files: files.to_vec(),
        exclude: args.exclude.clone(),
        stdin_name: "stdin.yaml".into(),
        dataplane: args.dataplane,
        max_objects: limits.max_objects,
        max_depth: limits.max_depth,
        max_alias_nodes: limits.max_alias_nodes,
    }
}

fn ports(c: &FlowChange) -> String {
    if is_every_port(&c.ports) {
        "all ports".into()
    } else {
        c.ports
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn line(c: &FlowChange) -> String {
    let mut s = format!("{} => {} : {} {}", c.from, c.to, c.protocol, ports(c));
    if !c.policies.is_empty() {
        let p: Vec<String> = c.policies.iter().map(ToString::to_string).collect();
        s.push_str(&format!("  ({})", p.join(", ")));
    }
    s
}

fn sarif(d: &Diff) -> Value {
    let base = crate::uri::Base::current();
    let result = |c: &FlowChange, opened: bool| {
        let mut r = json!({
            "ruleId": if opened { "flow-opened" } else { "flow-closed" },
            "level": if opened { "warning" } else { "note" },
            "message": {"text": format!("{} {}: {}", if opened { "opens" } else { "closes" }, line(c), c.reason)},
        });
        if let (Some(loc), Some(obj)) = (&c.location, r.as_object_mut()) {
            let art = base.artifact(&loc.source);
            let artifact = if art.relative {
                json!({"uri": art.uri, "uriBaseId": crate::uri::SRCROOT})
            } else {
                json!({"uri": art.uri})
            };
            obj.insert("locations".into(), json!([{"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": loc.line.unwrap_or(1)}}}]));
        }
        r
    };
    let results: Vec<Value> = d
        .opened
        .iter()
        .map(|c| result(c, true))
        .chain(d.closed.iter().map(|c| result(c, false)))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshverdict",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/meshverdict/meshverdict",
                "rules": [
                    {"id": "flow-opened", "shortDescription": {"text": "The change opens a flow"}, "fullDescription": {"text": "A flow that the tree before the change denies is allowed after it."}, "helpUri": "https://github.com/meshverdict/meshverdict/blob/main/docs/cli.md#diff", "defaultConfiguration": {"level": "warning"}},
                    {"id": "flow-closed", "shortDescription": {"text": "The change closes a flow"}, "fullDescription": {"text": "A flow that the tree before the change allows is denied after it."}, "helpUri": "https://github.com/meshverdict/meshverdict/blob/main/docs/cli.md#diff", "defaultConfiguration": {"level": "note"}}
                ],
            }},
            "originalUriBaseIds": {crate::uri::SRCROOT: {"uri": base.root_uri()}},
            "results": results,
        }]
    })
}

pub fn run(args: &DiffArgs, ctx: &Context) -> Exit {
    let progress = progress::to_stderr(ctx.verbosity == Verbosity::Quiet);
    let fail = |error: meshverdict::Error, output: DiffFormat| {
        match output {
            DiffFormat::Text | DiffFormat::Sarif => print_error(&error),
            DiffFormat::Json => outln!("{}", envelope::pretty(&envelope::failure(error, &[], &[]))),
        }
        Exit::Error
    };
    let before = match load(&input(&args.before, args), progress.as_ref()) {
        Ok(l) => l,
        Err(Failed { error, .. }) => return fail(error, args.output),
    };
    let after = match load(&input(&args.after, args), progress.as_ref()) {
        Ok(l) => l,
        Err(Failed { error, .. }) => return fail(error, args.output),
    };
    progress.phase(Phase::Matrix);
    let by = match args.by {
        super::matrix::By::Workload => jobs::By::Workload,
        super::matrix::By::Pod => jobs::By::Pod,
        super::matrix::By::Class => jobs::By::Class,
    };
    let forbid = match &args.forbid {
        Some(path) => match std::fs::read(path)
            .map_err(|e| meshverdict::Error::request(format!("{path}: {e}")))
            .and_then(|b| meshverdict::source::decode_utf8(path, b))
        {
            Ok(text) => Some((path.as_str(), text)),
            Err(e) => {
                progress.finish();
                return fail(e, args.output);
            }
        },
        None => None,
    };
    // The bindings' function and type: every host's `diff()` answers with the same bytes.
    let (b, a) = (&before.cluster, &after.cluster);
    let result = jobs::diff(b, a, by, forbid.as_ref().map(|(p, t)| (*p, t.as_str())));
    progress.finish();
    let out = match result {
        Ok(o) => o,
        Err(e) => return fail(e, args.output),
    };
    let (d, forbidden) = (&out.diff, &out.forbidden_opened);
    match args.output {
        DiffFormat::Json => outln!(
            "{}",
            envelope::pretty(&envelope::success(
                &out,
                a.warnings(),
                &after.inputs.skipped
            ))
        ),
        DiffFormat::Sarif => outln!("{}", envelope::pretty(&sarif(d))),
        DiffFormat::Text => {
            print_warnings(&after.inputs.skipped, a.warnings(), ctx.verbosity);
            for c in &d.opened {
                outln!("+ {}", line(c));
            }
            for c in &d.closed {
                outln!("- {}", line(c));
            }
            for f in forbidden {
                outln!("! forbidden flow opened: {f}");
            }
            outln!("{} opened, {} closed", d.opened.len(), d.closed.len());
        }
    }
    if !forbidden.is_empty() || (args.fail_on_open && !d.opened.is_empty()) {
        Exit::Found
    } else {
        Exit::Ok
    }
}
