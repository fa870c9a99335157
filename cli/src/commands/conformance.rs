//! `conformance`: runs case files (docs/case-format.md). Text ends with the plain line
//! "N passed, N failed"; JSON is the one envelope, its result holding every report.

use std::path::{Path, PathBuf};

use meshverdict::conformance::{run_case, CaseReport};
use meshverdict::{Error, Location};
use serde::Serialize;

use super::Context;
use crate::args::{ConformanceArgs, ConformanceFormat};
use crate::envelope::{self, Note};
use crate::exit::Exit;
use crate::report::{print_error, Verbosity};

/// The result of a JSON run.
#[derive(Serialize)]
struct Outcome {
    reports: Vec<CaseReport>,
    passed: usize,
    failed: usize,
    /// Case files that could not be run at all (each counts as one failure).
    errors: Vec<CaseError>,
}

#[derive(Serialize)]
struct CaseError {
    source: String,
    error: Error,
}

pub fn run(args: &ConformanceArgs, ctx: &Context) -> Exit {
    let json = args.output == ConformanceFormat::Json;
    let mut files = Vec::new();
    for p in &args.paths {
        if let Err(e) = collect(p, &mut files) {
            let e = Error::request(e.to_string());
            if json {
                outln!("{}", envelope::pretty(&envelope::failure(e, &[], &[])));
            } else {
                print_error(&e);
            }
            return Exit::Error;
        }
    }
    let mut outcome = Outcome {
        reports: Vec::new(),
        passed: 0,
        failed: 0,
        errors: Vec::new(),
    };
    let mut warnings: Vec<Note> = Vec::new();
    let is_case = |f: &PathBuf| {
        f.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml")
    };
    for f in files.iter().filter(|f| is_case(f)) {
        let source = f.display().to_string();
        let result = std::fs::read(f)
            .map_err(|e| Error::request(format!("{source}: {e}")))
            .and_then(|bytes| meshverdict::source::decode_utf8(&source, bytes))
            .and_then(|text| run_case(&source, &text));
        match result {
            Ok(Some(report)) => {
                outcome.passed += report.passed;
                outcome.failed += report.failed;
                if !json {
                    for r in report.failures() {
                        outln!("FAIL {}: {}", r.id, r.detail);
                    }
                }
                outcome.reports.push(report);
            }
            Ok(None) => {
                let message = format!("{source}: no Expectations document; skipped");
                if !json && ctx.verbosity != Verbosity::Quiet {
                    eprintln!("warning[no-expectations]: {message}");
                }
                let location = Some(Location {
                    source: source.clone(),
                    ..Location::default()
                });
                warnings.push(Note::Cli {
                    code: "no-expectations".into(),
                    message,
                    location,
                });
            }
            Err(e) => {
                if !json {
                    print_error(&e);
                }
                outcome.failed += 1;
                outcome.errors.push(CaseError { source, error: e });
            }
        }
    }
    let (passed, failed) = (outcome.passed, outcome.failed);
    if json {
        let v = envelope::Envelope::Success {
            result: &outcome,
            warnings,
        };
        outln!("{}", envelope::pretty(&v));
        // stdout stays one JSON document; the closing line goes to stderr.
        eprintln!("{passed} passed, {failed} failed");
    } else {
        outln!("{passed} passed, {failed} failed");
    }
    if failed > 0 {
        Exit::Found
    } else {
        Exit::Ok
    }
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            collect(&p, out)?;
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    } else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{}: no such file or folder", path.display()),
        ));
    }
    Ok(())
}
