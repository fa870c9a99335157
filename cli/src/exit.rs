//! Exit statuses, one meaning each across commands (like `kubectl auth can-i` for `check`).

use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Allowed; no error-severity diagnostic; every case passed.
    Ok = 0,
    /// Denied; an error-severity diagnostic; a case failed.
    Found = 1,
    /// The question or the input could not be answered (also usage errors, from clap).
    Error = 2,
    /// `check --fail-on`: allowed, but a diagnostic of that severity concerns the flow.
    FailOn = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
