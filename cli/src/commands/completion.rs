//! `completion SHELL`: a completion script for bash, zsh, fish (and elvish, PowerShell).

use clap::CommandFactory;

use super::Context;
use crate::args::{Cli, CompletionArgs};
use crate::exit::Exit;

pub fn run(args: &CompletionArgs, ctx: &Context) -> Exit {
    let mut cmd = Cli::command();
    // A script completes one command name: the program's own (kubectl-meshverdict when
    // run under that name; kubectl itself does not load clap's scripts for plugins).
    let name = ctx.bin_name.replace(' ', "-");
    clap_complete::generate(args.shell, &mut cmd, name, &mut std::io::stdout());
    Exit::Ok
}
