//! One module a command. Each gets its parsed arguments and returns the exit status;
//! output formats are checked by clap from each command's own format enum.

mod check;
mod completion;
mod conformance;
mod diagnose;
pub(crate) mod diff;
pub(crate) mod exposure;
mod generate;
mod load;
pub(crate) mod matrix;
pub(crate) mod repair;
pub(crate) mod synthesize;

use std::process::ExitCode;

use crate::args::{Cli, Command};
use crate::report::Verbosity;

/// What every command may need besides its own arguments.
pub struct Context {
    pub verbosity: Verbosity,
    /// What the user typed to run us: `meshverdict` or `kubectl meshverdict`.
    pub bin_name: &'static str,
}

pub fn run(cli: Cli, bin_name: &'static str) -> ExitCode {
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (false, true) => Verbosity::Verbose,
        (false, false) => Verbosity::Normal,
    };
    let ctx = Context {
        verbosity,
        bin_name,
    };
    let exit = match cli.command {
        Command::Check(args) => check::run(&args, &ctx),
        Command::Diagnose(args) => diagnose::run(&args, &ctx),
        Command::Conformance(args) => conformance::run(&args, &ctx),
        Command::Completion(args) => completion::run(&args, &ctx),
        Command::Generate(args) => generate::run(&args),
        Command::Matrix(args) => matrix::run(&args, &ctx),
        Command::Exposure(args) => exposure::run(&args, &ctx),
        Command::Diff(args) => diff::run(&args, &ctx),
        Command::Synthesize(args) => synthesize::run(&args, &ctx),
        Command::Repair(args) => repair::run(&args, &ctx),
    };
    exit.into()
}
