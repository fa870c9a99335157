//! The one JSON envelope of every JSON output: `{"type": "success", "result", "warnings"}`
//! or `{"type": "failure", "error", "warnings"}`, the shape of the engine's `Answer`. Files
//! skipped while reading a folder are warnings too, with the file kind as their code
//! (`helm-template`, `kustomization`, …), so a JSON reader learns what was left out.

use meshverdict::findings::Warning;
use meshverdict::{Error, Location};
use serde::Serialize;

use crate::inputs::Skipped;
use crate::report::{skip_groups, skip_message};

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Envelope<'a, T: Serialize> {
    Success {
        result: T,
        warnings: Vec<Note<'a>>,
    },
    Failure {
        error: Error,
        warnings: Vec<Note<'a>>,
    },
}

/// A warning of the engine, or one of the command line's own.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Note<'a> {
    Engine(&'a Warning),
    Cli {
        code: String,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<Location>,
    },
}

pub fn notes<'a>(warnings: &'a [Warning], skipped: &[Skipped]) -> Vec<Note<'a>> {
    let mut out: Vec<Note> = warnings.iter().map(Note::Engine).collect();
    for g in skip_groups(skipped) {
        out.push(Note::Cli {
            code: g.kind.as_str().to_string(),
            message: skip_message(&g, true),
            location: None,
        });
    }
    out
}

pub fn success<'a, T: Serialize>(
    result: T,
    warnings: &'a [Warning],
    skipped: &[Skipped],
) -> Envelope<'a, T> {
    Envelope::Success {
        result,
        warnings: notes(warnings, skipped),
    }
}

pub fn failure<'a>(error: Error, warnings: &'a [Warning], skipped: &[Skipped]) -> Envelope<'a, ()> {
    Envelope::Failure {
        error,
        warnings: notes(warnings, skipped),
    }
}

fn internal(e: serde_json::Error) -> String {
    format!("{{\"type\":\"failure\",\"error\":{{\"code\":\"internal\",\"message\":{:?}}},\"warnings\":[]}}", e.to_string())
}

/// Pretty JSON for one document on stdout.
pub fn pretty<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(internal)
}

/// One line of JSON Lines.
pub fn line<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(internal)
}
