//! `kubectl-meshverdict`: the same program under the name kubectl looks for plugins by.
fn main() -> std::process::ExitCode {
    meshverdict_cli::main()
}
