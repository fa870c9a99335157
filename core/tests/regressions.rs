#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests: a failure is a panic with its reason
//! Replays every finding of the fuzzers and of the limits work (tests/regressions/, one
//! file each) against the same invariants the fuzz targets check (fuzz/src/invariants.rs,
//! included by path). Each file's first line says how:
//!
//! `# regression: target=load|verdicts|diagnose|case|matrix|diff|synthesize status=fixed|open [expect=CODE|ok]
//!  [stack=1MiB] [seconds=N] [limits=default] [dataplane=NAME] [options=DIALECT[,namespace][,from-current][,isolate-all]]`
//!
//! A `fixed` finding must pass. An `open` one (its fix described in the file, for the
//! engine's owner) must still fail: once it passes, this test says to mark it fixed, so
//! the list of open findings only shrinks. `seconds` (default 30) bounds the replay's CPU
//! time in this unoptimised build; a replay over it counts as failing.

#[path = "../../fuzz/src/invariants.rs"]
#[allow(dead_code)] // the fuzz targets use all of it; the replay, most
mod invariants;

mod common;

use std::sync::mpsc;
use std::time::Duration;

use invariants::{Rng, Sources, Violation};
use meshverdict::{Cluster, Input, Options};

struct Header {
    target: String,
    open: bool,
    expect: Option<String>,
    stack: usize,
    seconds: u64,
    default_limits: bool,
    /// `dataplane=generic|calico|cilium`: instead of the one drawn from the bytes.
    dataplane: Option<meshverdict::Dataplane>,
    /// `options=networkpolicy|cilium|linkerd[,namespace][,from-current][,isolate-all]`
    /// (target=synthesize): instead of the options drawn from the bytes.
    options: Option<meshverdict::synthesize::SynthOptions>,
}

fn header(text: &str) -> Result<Header, String> {
    let first = text.lines().next().unwrap_or_default();
    let rest = first
        .strip_prefix("# regression:")
        .ok_or("first line must be `# regression: target=… status=…`")?;
    let field = |k: &str| {
        rest.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{k}=")))
            .map(str::to_string)
    };
    Ok(Header {
        target: field("target").ok_or("no target=")?,
        open: match field("status").as_deref() {
            Some("open") => true,
            Some("fixed") => false,
            other => return Err(format!("status must be open or fixed, not {other:?}")),
        },
        expect: field("expect"),
        stack: if field("stack").as_deref() == Some("1MiB") {
            1 << 20
        } else {
            16 << 20
        },
        seconds: field("seconds").and_then(|s| s.parse().ok()).unwrap_or(30),
        default_limits: field("limits").as_deref() == Some("default"),
        dataplane: match field("dataplane") {
            Some(d) => Some(meshverdict::Dataplane::parse(&d).map_err(|e| e.to_string())?),
            None => None,
        },
        options: match field("options") {
            Some(o) => {
                use meshverdict::synthesize::{Dialect, Granularity, SynthOptions};
                let mut parts = o.split(',');
                let dialect =
                    Dialect::parse(parts.next().unwrap_or_default()).map_err(|e| e.to_string())?;
                let mut options = SynthOptions {
                    dialect,
                    ..SynthOptions::default()
                };
                for p in parts {
                    match p {
                        "namespace" => options.granularity = Granularity::Namespace,
                        "from-current" => options.from_current = true,
                        "isolate-all" => options.isolate_all = true,
                        other => return Err(format!("unknown synthesize option {other:?}")),
                    }
                }
                Some(options)
            }
            None => None,
        },
    })
}

/// One replay, as the fuzz target `target` runs it.
fn replay(h: &Header, data: &[u8]) -> Result<(), Violation> {
    let (drawn, parts) = invariants::split_inputs(data);
    let dataplane = h.dataplane.unwrap_or(drawn);
    let inputs: Vec<Input> = parts
        .iter()
        .map(|(name, text)| Input { name, text })
        .collect();
    let sources = Sources::new(&inputs);
    match h.target.as_str() {
        "case" => {
            let (name, text) = parts.first().cloned().unwrap_or_default();
            return invariants::check_case(&name, &text);
        }
        "matrix" => return invariants::matrix_of(dataplane, &parts),
        "diff" => {
            return invariants::diff_of(
                dataplane,
                &invariants::without_one_document(&parts, invariants::seed(data)),
                &parts,
            )
        }
        "synthesize" => {
            return invariants::synthesize_with(
                h.dataplane.unwrap_or(dataplane),
                &parts,
                invariants::seed(data),
                h.options.clone(),
            )
        }
        _ => {}
    }
    let limits = if h.default_limits {
        meshverdict::source::Limits::default()
    } else {
        invariants::fuzz_limits()
    };
    let loaded = Cluster::load(
        &inputs,
        Options {
            dataplane: Some(dataplane),
            limits,
        },
    );
    invariants::check_load(&loaded, &sources)?;
    if let Some(code) = &h.expect {
        let got = loaded
            .as_ref()
            .err()
            .map(|e| e.code.as_str().to_string())
            .unwrap_or_else(|| "ok".into());
        if &got != code {
            return Err(Violation(format!("expected {code}, got {got}")));
        }
    }
    let Ok(cluster) = loaded else { return Ok(()) };
    match h.target.as_str() {
        "load" => Ok(()),
        "verdicts" => {
            let mut rng = Rng(invariants::seed(data));
            invariants::questions(&cluster, &mut rng, invariants::QUESTIONS)
                .iter()
                .try_for_each(|q| invariants::check_question(&cluster, q, &sources))
        }
        "diagnose" => invariants::check_diagnose(&cluster, &sources),
        other => Err(Violation(format!("unknown target {other}"))),
    }
}

/// The replay's outcome within its time bound, on a thread with the file's stack size,
/// and how long it took.
fn run(h: Header, data: Vec<u8>) -> Result<Duration, String> {
    let (tx, rx) = mpsc::channel();
    let seconds = h.seconds;
    let stack = h.stack;
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let start = invariants::thread_time();
            let out = replay(&h, &data).map_err(|v| v.0);
            let _ = tx.send((out, invariants::thread_time().saturating_sub(start)));
        })
        .map_err(|e| e.to_string())?;
    // The bound is on the replay's CPU time; a replay still running after three times
    // that in wall time is over it whatever the machine is doing.
    match rx.recv_timeout(Duration::from_secs(seconds * 3)) {
        Ok((out, elapsed)) if elapsed <= Duration::from_secs(seconds) => out.map(|()| elapsed),
        Ok((_, elapsed)) => Err(format!("took {elapsed:?} of CPU, over {seconds} s")),
        // Still running: over its bound (the thread is left to the process's exit).
        Err(_) => Err(format!("still running after {} s", seconds * 3)),
    }
}

#[test]
fn every_finding_replays() {
    let dir = common::workspace().join("tests").join("regressions");
    let files = common::yaml_files(&dir);
    assert!(
        !files.is_empty(),
        "no regression files in {}",
        dir.display()
    );
    let mut problems = Vec::new();
    // One at a time: a replay's time bound is only meaningful on a machine it has to itself.
    let replays: Vec<_> = files
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            let data = std::fs::read(&path).unwrap();
            let outcome = header(&String::from_utf8_lossy(&data)).map(|h| (h.open, run(h, data)));
            (name, outcome)
        })
        .collect();
    for (name, outcome) in replays {
        match outcome {
            Err(e) => problems.push(format!("{name}: {e}")),
            Ok((false, Ok(took))) => eprintln!("{name}: fixed, passes in {took:?}"),
            Ok((true, Err(e))) => eprintln!("{name}: open, still fails: {e}"),
            Ok((true, Ok(took))) => problems.push(format!(
                "{name}: passes now (in {took:?}): mark it `status=fixed`"
            )),
            Ok((false, Err(e))) => problems.push(format!("{name}: {e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
