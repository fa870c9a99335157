//! `meshverdict` (and `kubectl meshverdict`): the engine on the command line.
//! Files are read here; everything else is the core library.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use meshverdict::explain::{diagnostic_text, trace_text, verdict_text};
use meshverdict::{diagnose, Answer, Cluster, Dataplane, Error, ErrorCode, Input, Options, PortRef, Protocol, Query, Severity};

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly instead of
/// panicking as `println!` would.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(name = "meshverdict", version, about = "Network verdicts that know the service mesh: may A reach B on port P, and why?")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Output {
    Text,
    Json,
    Sarif,
    /// `check` only: in the manner of `cilium policy trace`.
    Trace,
}

#[derive(Subcommand)]
enum Command {
    /// Judge one flow. Exit status: 0 allowed, 1 denied, 2 error.
    Check {
        /// Manifests: files, folders (recursively, *.yaml *.yml *.json) or - for stdin.
        #[arg(short = 'f', long = "filename", required = true, num_args = 1..)]
        files: Vec<String>,
        /// NAMESPACE/NAME (Pod or workload), ip:ADDRESS or node:NAME.
        #[arg(long)]
        from: String,
        /// NAMESPACE/NAME, ip:ADDRESS, node:NAME, svc:NAMESPACE/NAME or dns:NAME.
        #[arg(long)]
        to: String,
        /// Destination port: a number, or a named port of the destination.
        #[arg(long)]
        port: String,
        #[arg(long, default_value = "TCP")]
        protocol: String,
        #[arg(long, default_value = "auto")]
        dataplane: String,
        #[arg(short = 'o', long, value_enum, default_value = "text")]
        output: Output,
    },
    /// Find what breaks the mesh, the DNS or the policies themselves.
    /// Exit status: 1 when an error-severity diagnostic is found.
    Diagnose {
        #[arg(short = 'f', long = "filename", required = true, num_args = 1..)]
        files: Vec<String>,
        #[arg(long, default_value = "auto")]
        dataplane: String,
        #[arg(short = 'o', long, value_enum, default_value = "text")]
        output: Output,
    },
    /// Write a generated cluster (cluster.yaml) and questions (queries.json) for benchmarks.
    #[command(hide = true)]
    Generate {
        #[arg(long, default_value_t = 5000)]
        pods: usize,
        #[arg(long, default_value_t = 500)]
        policies: usize,
        #[arg(long)]
        cilium: bool,
        #[arg(long, default_value_t = 100_000)]
        queries: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Run conformance case files (shared/conformance/FORMAT.md); folders recursively.
    Conformance {
        #[arg(required = true, num_args = 1..)]
        paths: Vec<PathBuf>,
        #[arg(short = 'o', long, value_enum, default_value = "text")]
        output: Output,
    },
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            collect(&p, out)?;
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    } else {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("{}: no such file or folder", path.display())));
    }
    Ok(())
}

fn read_inputs(files: &[String]) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for f in files {
        if f == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Error::request(format!("reading stdin: {e}")))?;
            out.push(("-".to_string(), text));
            continue;
        }
        let root = Path::new(f);
        let mut paths = Vec::new();
        collect(root, &mut paths).map_err(|e| Error::request(e.to_string()))?;
        for p in paths {
            let is_manifest = p.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
            if root.is_dir() && !is_manifest {
                continue;
            }
            let text = std::fs::read_to_string(&p).map_err(|e| Error::request(format!("{}: {e}", p.display())))?;
            out.push((p.display().to_string(), text));
        }
    }
    Ok(out)
}

fn load(files: &[String], dataplane: &str) -> Result<Cluster, Error> {
    let dataplane = Dataplane::parse_setting(dataplane)?;
    let texts = read_inputs(files)?;
    let inputs: Vec<Input> = texts.iter().map(|(n, t)| Input { name: n, text: t }).collect();
    Cluster::load(&inputs, Options { dataplane, ..Options::default() })
}

fn print_error(e: &Error) {
    eprintln!("error[{}]: {}", e.code, e.message);
    if let Some(loc) = &e.location {
        eprintln!("  at {loc}");
    }
    if let Some(h) = &e.help {
        eprintln!("  help: {h}");
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"type\":\"failure\",\"error\":{{\"code\":\"internal\",\"message\":\"{e}\"}}}}"))
}

fn check(files: &[String], from: &str, to: &str, port: &str, protocol: &str, dataplane: &str, output: Output) -> ExitCode {
    let mut trace = String::new();
    let mut run = || -> Result<(meshverdict::Verdict, Vec<meshverdict::model::Warning>), Error> {
        let protocol = Protocol::parse(&protocol.to_ascii_uppercase()).ok_or_else(|| Error::request(format!("unknown protocol {protocol:?} (TCP, UDP, SCTP)")))?;
        let port = match port.parse::<u16>() {
            Ok(n) => PortRef::Number(n),
            Err(_) => PortRef::Name(port.to_string()),
        };
        let cluster = load(files, dataplane)?;
        let q = Query { from: from.to_string(), to: to.to_string(), port, protocol };
        let v = cluster.verdict(&q)?;
        if output == Output::Trace {
            trace = trace_text(&cluster, &v);
        }
        Ok((v, cluster.warnings().to_vec()))
    };
    let result = run();
    let code = match &result {
        Ok((v, _)) if v.allowed => ExitCode::from(0),
        Ok(_) => ExitCode::from(1),
        Err(_) => ExitCode::from(2),
    };
    match output {
        Output::Json | Output::Sarif => {
            let answer = match result {
                Ok((v, w)) => Answer::Success { result: v, warnings: w },
                Err(e) => Answer::Failure { error: e, warnings: Vec::new() },
            };
            outln!("{}", json(&answer));
        }
        Output::Text | Output::Trace => match result {
            Ok((v, warnings)) => {
                for w in &warnings {
                    eprintln!("warning[{}]: {}", w.code, w.message);
                }
                if output == Output::Trace {
                    out!("{trace}");
                } else {
                    out!("{}", verdict_text(&v));
                }
            }
            Err(e) => print_error(&e),
        },
    }
    code
}

fn sarif(diags: &[meshverdict::Diagnostic]) -> serde_json::Value {
    let mut rules: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    rules.sort();
    rules.dedup();
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let mut r = serde_json::json!({
                "ruleId": d.code,
                "level": level,
                "message": {"text": match &d.help { Some(h) => format!("{} (help: {h})", d.message), None => d.message.clone() }},
            });
            if let (Some(loc), Some(obj)) = (&d.location, r.as_object_mut()) {
                obj.insert(
                    "locations".into(),
                    serde_json::json!([{"physicalLocation": {
                        "artifactLocation": {"uri": loc.source},
                        "region": {"startLine": loc.line.unwrap_or(1)}
                    }}]),
                );
            }
            r
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshverdict",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|r| serde_json::json!({"id": r})).collect::<Vec<_>>(),
            }},
            "results": results,
        }]
    })
}

fn diagnose_cmd(files: &[String], dataplane: &str, output: Output) -> ExitCode {
    let cluster = match load(files, dataplane) {
        Ok(c) => c,
        Err(e) => {
            if output == Output::Text {
                print_error(&e);
            } else {
                outln!("{}", json(&Answer::<()>::Failure { error: e, warnings: Vec::new() }));
            }
            return ExitCode::from(2);
        }
    };
    let diags = diagnose(&cluster);
    match output {
        Output::Text => {
            for w in cluster.warnings() {
                eprintln!("warning[{}]: {}", w.code, w.message);
            }
            for d in &diags {
                out!("{}", diagnostic_text(d));
            }
            let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
            outln!("{} diagnostics ({errors} errors)", diags.len());
        }
        Output::Json => outln!("{}", json(&Answer::Success { result: &diags, warnings: cluster.warnings().to_vec() })),
        Output::Sarif => outln!("{}", json(&sarif(&diags))),
        Output::Trace => outln!("{}", json(&Answer::Success { result: &diags, warnings: cluster.warnings().to_vec() })),
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::from(0)
    }
}

fn conformance(paths: &[PathBuf], output: Output) -> ExitCode {
    let mut files = Vec::new();
    for p in paths {
        if let Err(e) = collect(p, &mut files) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut reports = Vec::new();
    for f in files.iter().filter(|f| f.extension().and_then(|e| e.to_str()).is_some_and(|e| e == "yaml" || e == "yml")) {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}: {e}", f.display());
                return ExitCode::from(2);
            }
        };
        match meshverdict::conformance::run_case(&f.display().to_string(), &text) {
            Ok(Some(report)) => {
                passed += report.passed;
                failed += report.failed;
                if output == Output::Text {
                    for r in report.failures() {
                        outln!("FAIL {}: {}", r.id, r.detail);
                    }
                }
                reports.push(report);
            }
            Ok(None) => eprintln!("warning: {}: no Expectations document; skipped", f.display()),
            Err(e) => {
                print_error(&e);
                failed += 1;
            }
        }
    }
    if output != Output::Text {
        outln!("{}", json(&reports));
        // stdout stays one JSON document; the closing line goes to stderr.
        eprintln!("{passed} passed, {failed} failed");
    } else {
        outln!("{passed} passed, {failed} failed");
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::from(0)
    }
}

fn generate(pods: usize, policies: usize, cilium: bool, queries: usize, out: &Path) -> ExitCode {
    use meshverdict::synthetic::{cluster_yaml, queries as gen_queries, Shape};
    let shape = Shape { pods, policies, cilium, ..Shape::default() };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(out)?;
        std::fs::write(out.join("cluster.yaml"), cluster_yaml(shape))?;
        std::fs::write(out.join("queries.json"), json(&gen_queries(shape, queries)))?;
        Ok(())
    };
    match write() {
        Ok(()) => ExitCode::from(0),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The whole command line; `meshverdict` and `kubectl-meshverdict` both run this.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(|| match &cli.command {
        Command::Check { files, from, to, port, protocol, dataplane, output } => check(files, from, to, port, protocol, dataplane, *output),
        Command::Diagnose { files, dataplane, output } => diagnose_cmd(files, dataplane, *output),
        Command::Conformance { paths, output } => conformance(paths, *output),
        Command::Generate { pods, policies, cilium, queries, out } => generate(*pods, *policies, *cilium, *queries, out),
    });
    outcome.unwrap_or_else(|_| {
        print_error(&Error::new(ErrorCode::Internal, "meshverdict crashed; please report this with the input"));
        ExitCode::from(2)
    })
}
