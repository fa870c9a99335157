//! `synthesize`: least-privilege policies for intents (an Intents file, the Intents
//! documents of the manifests, or observed flows), proven by the engine before they are
//! printed. The objects go to stdout as YAML (or everything as JSON with `-o json`); the
//! proof goes to stderr.
//! Exit status: 0 printed and verified, 1 an intent cannot be met (each explained), 2 error.

use clap::{Args, ValueEnum};
use meshverdict::synthesize::{synthesize, Dialect, Granularity, SynthOptions};
use meshverdict::{Error, Location};
use meshverdict_bindings::jobs::{intents_of, IntentsSource, SynthesisOut};

use super::load::load;
use super::Context;
use crate::args::InputArgs;
use crate::envelope;
use crate::exit::Exit;
use crate::progress::{self, Phase};
use crate::report::{print_error, print_warnings, Verbosity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// Kubernetes NetworkPolicy, with Linkerd Servers where the mesh needs them.
    Networkpolicy,
    /// CiliumNetworkPolicy (entities where a CIDR would not match), with Linkerd Servers.
    Cilium,
    /// Linkerd Server and authorizations only.
    Linkerd,
}

impl DialectArg {
    pub fn dialect(self) -> Dialect {
        match self {
            DialectArg::Networkpolicy => Dialect::NetworkPolicy,
            DialectArg::Cilium => Dialect::Cilium,
            DialectArg::Linkerd => Dialect::Linkerd,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GranularityArg {
    /// One policy per workload.
    Workload,
    /// One policy per namespace, namespaces as peers.
    Namespace,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SynthesizeFormat {
    /// The objects as YAML, a comment per rule; the proof on stderr.
    Yaml,
    /// Everything (intents, objects, needs, proof) in the JSON envelope every host returns.
    Json,
}

#[derive(Args)]
pub struct SynthesizeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// What should talk to what: a file of `kind: Intents` documents (docs/intents.md).
    /// Without it, the Intents documents among the -f inputs.
    #[arg(long, value_name = "FILE")]
    pub intents: Option<String>,
    /// Observed flows instead: `hubble observe -o json` output (one flow a line), reduced to intents.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["intents", "linkerd_edges"])]
    pub hubble: Option<String>,
    /// Observed flows instead: `linkerd viz edges -o json` output, reduced to intents (every TCP port).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["intents", "hubble"])]
    pub linkerd_edges: Option<String>,
    /// Narrow each intent to what the cluster allows today.
    #[arg(long)]
    pub from_current: bool,
    /// The kind of objects to write.
    #[arg(long, value_enum, default_value_t = DialectArg::Networkpolicy)]
    pub dialect: DialectArg,
    /// One policy per workload concerned, or per namespace.
    #[arg(long, value_enum, default_value_t = GranularityArg::Workload)]
    pub granularity: GranularityArg,
    /// Also isolate every workload of this namespace (repeatable).
    #[arg(long, value_name = "NAMESPACE")]
    pub isolate: Vec<String>,
    /// Isolate every workload of the input.
    #[arg(long)]
    pub isolate_all: bool,
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", default_value_t = SynthesizeFormat::Yaml)]
    pub output: SynthesizeFormat,
}

fn read_file(path: &str) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::request(format!("{path}: {e}")).at(Location {
            source: path.to_string(),
            ..Location::default()
        })
    })?;
    meshverdict::source::decode_utf8(path, bytes)
}

pub fn run(args: &SynthesizeArgs, ctx: &Context) -> Exit {
    let json = args.output == SynthesizeFormat::Json;
    let progress = progress::to_stderr(ctx.verbosity == Verbosity::Quiet);
    let loaded = match load(&args.input, progress.as_ref()) {
        Ok(l) => l,
        Err(failed) => {
            progress.finish();
            return failed.report(json, ctx.verbosity);
        }
    };
    progress.phase(Phase::Checking);
    let cluster = &loaded.cluster;
    // Where the intents come from, read as every host's `synthesize()` reads them.
    let source: Result<IntentsSource, Error> = (|| {
        Ok(if let Some(f) = &args.intents {
            IntentsSource::Text {
                name: f.clone(),
                text: read_file(f)?,
            }
        } else if let Some(f) = &args.hubble {
            IntentsSource::Hubble {
                name: f.clone(),
                text: read_file(f)?,
            }
        } else if let Some(f) = &args.linkerd_edges {
            IntentsSource::LinkerdEdges {
                name: f.clone(),
                text: read_file(f)?,
            }
        } else {
            IntentsSource::Manifests
        })
    })();
    let found = source.and_then(|source| intents_of(cluster, &source)).and_then(|found| {
        found.ok_or_else(|| {
            Error::request("no intents: give --intents FILE, --hubble FILE or --linkerd-edges FILE, or a `kind: Intents` document among the -f inputs")
                .with_help("docs/intents.md describes the format")
        })
    });
    let (intents, reduction) = match found {
        Ok((i, r)) => (Ok(i), r),
        Err(e) => (Err(e), None),
    };
    let options = SynthOptions {
        dialect: args.dialect.dialect(),
        granularity: match args.granularity {
            GranularityArg::Workload => Granularity::Workload,
            GranularityArg::Namespace => Granularity::Namespace,
        },
        from_current: args.from_current,
        isolate_namespaces: args.isolate.clone(),
        isolate_all: args.isolate_all,
    };
    let result = intents.and_then(|i| synthesize(cluster, &i, &options));
    progress.finish();
    let skipped = &loaded.inputs.skipped;
    let s = match result {
        Ok(s) => s,
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
    let met = s.met();
    if json {
        // The bindings' type: every host's `synthesize()` answers with the same bytes.
        let out = SynthesisOut {
            reduction,
            synthesis: s,
        };
        outln!(
            "{}",
            envelope::pretty(&envelope::success(&out, cluster.warnings(), skipped))
        );
    } else {
        print_warnings(skipped, cluster.warnings(), ctx.verbosity);
        if let Some(r) = &reduction {
            eprint!("{}", r.text());
        }
        out!("{}", s.yaml);
        if ctx.verbosity != Verbosity::Quiet || !met {
            eprint!("{}", s.proof_text());
        }
    }
    if met {
        Exit::Ok
    } else {
        Exit::Found
    }
}
