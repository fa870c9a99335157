//! The command line as clap reads it. Each command names the output formats it can write;
//! arguments are checked here (ports, protocols, dataplanes), so that a wrong one is a
//! usage error naming the flag, not a confusing answer further on.

use clap::{Args, Parser, Subcommand, ValueEnum};
use meshverdict::source::Limits;
use meshverdict::{PortRef, Protocol};

use crate::query;

const ABOUT: &str =
    "Network verdicts that know the service mesh: may A reach B on port P, and why?";

const AFTER_HELP: &str = "\
Manual: docs/cli.md. Diagnostic codes: docs/diagnostics.md. Folders: docs/gitops.md.";

#[derive(Parser)]
#[command(name = "meshverdict", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Print no warnings and no progress (errors and results only).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// List every warning, instead of one summary line per kind of warning.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Judge one flow (or a batch with --queries).
    /// Exit status: 0 allowed, 1 denied, 2 error, 3 allowed but --fail-on matched.
    Check(CheckArgs),
    /// Find what breaks the mesh, the DNS or the policies themselves.
    /// Exit status: 0 none of error severity, 1 an error-severity diagnostic, 2 error.
    Diagnose(DiagnoseArgs),
    /// Run conformance case files (the case format: docs/case-format.md); folders recursively.
    /// Exit status: 0 all passed, 1 something failed, 2 error.
    Conformance(ConformanceArgs),
    /// Every allowed source → destination with its ports, by workload, pod or identity class.
    Matrix(crate::commands::matrix::MatrixArgs),
    /// For each workload: who beyond its namespace may reach it, and on which ports.
    Exposure(crate::commands::exposure::ExposureArgs),
    /// The flows a change opens and closes, each with the policies responsible.
    /// Exit status: 0, or 1 with --fail-on-open (a flow opened) or --forbid (a denied flow opened), 2 error.
    Diff(crate::commands::diff::DiffArgs),
    /// Write least-privilege policies for intents, proven before they are printed (docs/synthesis.md).
    /// Exit status: 0 printed and verified, 1 an intent cannot be met, 2 error.
    Synthesize(crate::commands::synthesize::SynthesizeArgs),
    /// Write the smallest additive fix for the flows the mesh needs (docs/synthesis.md).
    /// Exit status: 0 repaired or nothing to repair, 1 a flow cannot be repaired by adding, 2 error.
    Repair(crate::commands::repair::RepairArgs),
    /// Print a shell completion script: `meshverdict completion bash > /etc/bash_completion.d/meshverdict`.
    Completion(CompletionArgs),
    /// Write a generated cluster (cluster.yaml) and questions (queries.json) for benchmarks.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// Which dataplane enforces the policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DataplaneArg {
    /// The one the input shows (Cilium or Calico objects, their agents), else generic.
    Auto,
    /// The Kubernetes API reference.
    Generic,
    Calico,
    Cilium,
}

impl DataplaneArg {
    pub fn as_str(self) -> &'static str {
        match self {
            DataplaneArg::Auto => "auto",
            DataplaneArg::Generic => "generic",
            DataplaneArg::Calico => "calico",
            DataplaneArg::Cilium => "cilium",
        }
    }
}

/// Where the manifests come from, and how to load them. Shared by every command that
/// reads a cluster.
#[derive(Args)]
pub struct InputArgs {
    /// Manifests: files, folders (recursively; see docs/gitops.md) or - for stdin.
    #[arg(short = 'f', long = "filename", value_name = "PATH", required = true, num_args = 1..)]
    pub files: Vec<String>,
    /// Leave out paths below a folder: `*` and `?` within a name, `**` across folders.
    /// A pattern without `/` matches any file or folder name. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The name stdin (-f -) has in messages, JSON and SARIF: the path of the file it
    /// stands for, relative to the working directory.
    #[arg(long, value_name = "NAME", default_value = "stdin.yaml")]
    pub stdin_name: String,
    /// The dataplane that enforces the policies.
    #[arg(long, value_enum, default_value_t = DataplaneArg::Auto)]
    pub dataplane: DataplaneArg,
    /// Refuse inputs with more objects (documents and List items) than this.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_objects)]
    pub max_objects: usize,
    /// Refuse inputs nested deeper (mappings and sequences) than this.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    pub max_depth: usize,
    /// Refuse inputs whose YAML anchors and aliases copy more nodes than this, beyond those the text writes.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_alias_nodes)]
    pub max_alias_nodes: usize,
}

impl InputArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_depth: self.max_depth,
            max_alias_nodes: self.max_alias_nodes,
            max_objects: self.max_objects,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// The verdict and each layer's reason.
    Text,
    /// The verdict in the JSON envelope every host returns.
    Json,
    /// In the manner of `cilium policy trace`.
    Trace,
}

/// The least severity of a diagnostic on an allowed flow that makes `check` exit 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Source: NAMESPACE/NAME (a Pod or workload), NAME with -n, ip:ADDRESS or node:NAME.
    #[arg(
        long,
        value_name = "REF",
        required_unless_present = "queries",
        conflicts_with = "queries"
    )]
    pub from: Option<String>,
    /// Destination: NAMESPACE/NAME, NAME with -n, ip:ADDRESS, node:NAME, svc:[NAMESPACE/]NAME or dns:NAME.
    #[arg(
        long,
        value_name = "REF",
        required_unless_present = "queries",
        conflicts_with = "queries"
    )]
    pub to: Option<String>,
    /// Destination port: 1-65535, or a named port of the destination (an IANA service name).
    #[arg(long, value_name = "PORT", required_unless_present = "queries", conflicts_with = "queries",
          allow_hyphen_values = true, value_parser = parse_port)]
    pub port: Option<PortRef>,
    /// TCP, UDP or SCTP (any case).
    #[arg(long, value_name = "PROTOCOL", default_value = "TCP", value_parser = parse_protocol, conflicts_with = "queries")]
    pub protocol: Protocol,
    /// The namespace of references without one, as in kubectl: NAME is NAMESPACE/NAME, svc:NAME is svc:NAMESPACE/NAME.
    #[arg(short = 'n', long, value_name = "NAMESPACE", value_parser = parse_namespace)]
    pub namespace: Option<String>,
    /// Batch mode: questions as JSON Lines ({"from","to","port","protocol"} a line; - for stdin);
    /// answers as JSON Lines, one envelope a question, in order.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<String>,
    /// Exit 3 when the flow is allowed but a diagnostic of this severity or worse concerns it.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Output format [default: text; with --queries: JSON Lines].
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<CheckFormat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiagnoseFormat {
    /// One block a diagnostic, then a count.
    Text,
    /// The diagnostics in the JSON envelope every host returns.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other pull-request annotations.
    Sarif,
}

#[derive(Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", default_value_t = DiagnoseFormat::Text)]
    pub output: DiagnoseFormat,
    /// List at most N flows per diagnostic in json and sarif (0: every flow); a
    /// diagnostic that concerns more says how many in `flowsTotal`.
    #[arg(long, value_name = "N", default_value_t = meshverdict::DEFAULT_MAX_FLOWS)]
    pub max_flows: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConformanceFormat {
    /// The failures, then "N passed, N failed".
    Text,
    /// Every case's report in the JSON envelope.
    Json,
}

#[derive(Args)]
pub struct ConformanceArgs {
    /// Case files or folders of them (*.yaml, *.yml, recursively).
    #[arg(value_name = "PATH", required = true, num_args = 1..)]
    pub paths: Vec<std::path::PathBuf>,
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", default_value_t = ConformanceFormat::Text)]
    pub output: ConformanceFormat,
}

#[derive(Args)]
pub struct CompletionArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args)]
pub struct GenerateArgs {
    #[arg(long, default_value_t = 5000)]
    pub pods: usize,
    #[arg(long, default_value_t = 500)]
    pub policies: usize,
    /// Half the policies Cilium's (CiliumNetworkPolicies, some cluster-wide)
    #[arg(long)]
    pub cilium: bool,
    /// Pods owned by this many workloads (Deployments → ReplicaSets, some StatefulSets),
    /// with Services, Nodes, kube-dns: a live cluster. 0: bare Pods ns-N/pod-N
    #[arg(long, default_value_t = 0)]
    pub workloads: usize,
    /// Share of the namespaces meshed by Linkerd (0 to 1), with its control plane
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub meshed_namespaces: f64,
    #[arg(long, default_value_t = 100)]
    pub per_namespace: usize,
    #[arg(long, default_value_t = 100_000)]
    pub queries: usize,
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// Load the written cluster and print its sizes (identity classes, sets) and the
    /// time of each stage, as one JSON line
    #[arg(long, hide = true)]
    pub stats: bool,
}

fn parse_port(s: &str) -> Result<PortRef, String> {
    query::parse_port(s)
}

pub(crate) fn parse_protocol(s: &str) -> Result<Protocol, String> {
    query::parse_protocol(s)
}

fn parse_namespace(s: &str) -> Result<String, String> {
    if s.is_empty() || s.contains(['/', ':']) {
        return Err(format!("{s:?} is not a namespace name"));
    }
    Ok(s.to_string())
}
