//! Every conformance case as its own test: the project's `tests/cases` and the shared
//! corpus. Known failures are listed, with their issue, in `tests/expected-failures.txt`;
//! a listed item that passes fails its test, so the list only shrinks.

mod common;

use std::collections::BTreeMap;

use libtest_mimic::{Arguments, Failed, Trial};

fn expected_failures() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(
        common::workspace()
            .join("tests")
            .join("expected-failures.txt"),
    )
    .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some((
                parts.next()?.to_string(),
                parts.next().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

fn run(path: std::path::PathBuf, expected: BTreeMap<String, String>) -> Result<(), Failed> {
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(report) = meshverdict::conformance::run_case(&path.display().to_string(), &text)
        .map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    let mut problems = Vec::new();
    for r in &report.results {
        match (r.passed, expected.get(&r.id)) {
            (false, None) => problems.push(format!("FAIL {}: {}", r.id, r.detail)),
            (true, Some(issue)) => problems.push(format!(
                "{} passes now: remove it from tests/expected-failures.txt ({issue})",
                r.id
            )),
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let expected = expected_failures();
    let mut trials = Vec::new();
    let own = common::workspace().join("tests").join("cases");
    let shared = common::shared_cases();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !shared.is_dir() {
        let msg = format!(
            "shared conformance cases not found at {} (set MESHVERDICT_SHARED_CASES)",
            shared.display()
        );
        if ci {
            trials.push(Trial::test("shared-corpus-present", move || {
                Err(msg.clone().into())
            }));
        } else {
            eprintln!("note: {msg}; running the project's own cases only");
        }
    }
    for (label, dir) in [("cases", own), ("shared", shared)] {
        for path in common::yaml_files(&dir) {
            let rel = path
                .strip_prefix(&dir)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let expected = expected.clone();
            trials.push(Trial::test(format!("{label}::{rel}"), move || {
                run(path, expected)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
