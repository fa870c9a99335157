//! `meshverdict`.

fn main() -> std::process::ExitCode {
    meshverdict_cli::main()
}
