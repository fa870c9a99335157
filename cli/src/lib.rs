//! `meshverdict` (and `kubectl meshverdict`): the engine on the command line.
//! Files are read here; everything else is the core library.
//!
//! A command is a module of [`commands`]; each declares its own output formats, so that
//! clap refuses a format the command cannot write instead of the command guessing.

/// Loading a large cluster allocates document trees on the parser threads and frees them
/// on the reading thread, which glibc's allocator pays dearly for: at 150,000 pods,
/// mimalloc cuts the load's CPU time by a quarter and its peak memory by a fifth. Both
/// binaries (`meshverdict`, `kubectl-meshverdict`) link this crate.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

mod args;
mod commands;
mod envelope;
mod exclude;
mod exit;
mod inputs;
mod progress;
mod query;
mod refs;
mod report;
mod sarif;
mod uri;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use meshverdict::{Error, ErrorCode};

pub use args::Cli;

/// How the program was called: `kubectl meshverdict` when run as the kubectl plugin, so
/// that usage lines and completions show what the user types.
fn bin_name() -> &'static str {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let stem = std::path::Path::new(&argv0)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    if stem == "kubectl-meshverdict" {
        "kubectl meshverdict"
    } else {
        "meshverdict"
    }
}

/// The whole command line; `meshverdict` and `kubectl-meshverdict` both run this.
pub fn main() -> ExitCode {
    let name = bin_name();
    let matches = Cli::command().bin_name(name).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let outcome = std::panic::catch_unwind(|| commands::run(cli, name));
    outcome.unwrap_or_else(|_| {
        report::print_error(&Error::new(
            ErrorCode::Internal,
            "meshverdict crashed; please report this with the input",
        ));
        exit::Exit::Error.into()
    })
}
