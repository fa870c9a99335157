#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `matrix`, `exposure`, `diff`, `synthesize` and `repair` with `-o json` print, byte for
//! byte, the answer of the bindings' entry point of the same name (what every host
//! returns): the same types, built by the same functions.

mod common;
use common::*;

use meshverdict_bindings::entry::{self, Entry};
use meshverdict_bindings::{ClusterHandle, EngineAnswer, LoadOptions, Manifests};
use serde::Serialize;
use serde_json::{json, Value};

/// The files of a folder (or one file) named as the CLI names them at the repository root.
fn files(rel: &str) -> Vec<(String, String)> {
    let path = repo().join(rel);
    if path.is_file() {
        return vec![(rel.to_string(), std::fs::read_to_string(&path).unwrap())];
    }
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            (
                format!("{rel}/{n}"),
                std::fs::read_to_string(path.join(&n)).unwrap(),
            )
        })
        .collect()
}

fn handle(rel: &str, dataplane: Option<meshverdict::Dataplane>) -> ClusterHandle {
    let f = files(rel)
        .into_iter()
        .map(|(n, t)| (n, Manifests::Text(t)))
        .collect();
    ClusterHandle::load_files(
        f,
        LoadOptions {
            dataplane,
            ..LoadOptions::default()
        },
    )
    .unwrap()
}

fn run<E: Entry>(h: &ClusterHandle, request: Value) -> EngineAnswer<E::Output> {
    E::run(h, serde_json::from_value(request).unwrap())
}

/// The CLI's stdout for `args`, checked to be `want` printed as the CLI prints it.
fn same<T: Serialize>(args: &[&str], want: &EngineAnswer<T>, pretty: bool) {
    let out = mv(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&out)
    );
    let text = if pretty {
        serde_json::to_string_pretty(want)
    } else {
        serde_json::to_string(want)
    }
    .unwrap();
    let got = stdout(&out);
    assert!(
        got == format!("{text}\n"),
        "{args:?}: the CLI printed\n{}\nthe bindings answer\n{}",
        &got[..got.len().min(2000)],
        &text[..text.len().min(2000)]
    );
    assert!(json(&out)["type"] == "success", "{args:?}");
}

const BROKEN: &str = "examples/linkerd-netpol-broken";
const FIXED: &str = "examples/linkerd-netpol-fixed";
const SHOP: &str = "tests/synthesis/shop-2.18.yaml";

#[test]
fn matrix_json_and_compact_are_the_bindings_answers() {
    let h = handle(BROKEN, None);
    same(
        &["matrix", "-f", BROKEN, "-o", "json"],
        &run::<entry::Matrix>(&h, Value::Null),
        false,
    );
    same(
        &["matrix", "-f", BROKEN, "-o", "compact", "--by", "class"],
        &run::<entry::Matrix>(&h, json!({"by": "class", "format": "compact"})),
        false,
    );
    same(
        &[
            "matrix",
            "-f",
            BROKEN,
            "-o",
            "json",
            "--by",
            "pod",
            "-n",
            "emojivoto",
            "--port",
            "8080,4190-4191",
            "--protocol",
            "TCP",
            "--no-externals",
        ],
        &run::<entry::Matrix>(
            &h,
            json!({"by": "pod", "namespace": "emojivoto", "port": "8080,4190-4191", "protocol": "TCP", "noExternals": true}),
        ),
        false,
    );
}

#[test]
fn exposure_json_is_the_bindings_answer() {
    let h = handle(BROKEN, None);
    same(
        &["exposure", "-f", BROKEN, "-o", "json"],
        &run::<entry::Exposure>(&h, Value::Null),
        true,
    );
    same(
        &["exposure", "-f", BROKEN, "-o", "json", "-n", "linkerd"],
        &run::<entry::Exposure>(&h, json!({"namespace": "linkerd"})),
        true,
    );
}

#[test]
fn diff_json_is_the_bindings_answer() {
    let after = json!({"files": files(FIXED).into_iter().map(|(name, yaml)| json!({"name": name, "yaml": yaml})).collect::<Vec<_>>()});
    let h = handle(BROKEN, None);
    same(
        &["diff", "--before", BROKEN, "--after", FIXED, "-o", "json"],
        &run::<entry::Diff>(&h, json!({"after": after})),
        true,
    );
}

#[test]
fn synthesize_json_is_the_bindings_answer() {
    let h = handle(SHOP, None);
    same(
        &["synthesize", "-f", SHOP, "-o", "json"],
        &run::<entry::Synthesize>(&h, Value::Null),
        true,
    );
    same(
        &[
            "synthesize",
            "-f",
            SHOP,
            "-o",
            "json",
            "--dialect",
            "cilium",
            "--granularity",
            "namespace",
        ],
        &run::<entry::Synthesize>(&h, json!({"dialect": "cilium", "granularity": "namespace"})),
        true,
    );
}

#[test]
fn repair_json_is_the_bindings_answer() {
    let h = handle(BROKEN, Some(meshverdict::Dataplane::Calico));
    same(
        &[
            "repair",
            "-f",
            BROKEN,
            "--dataplane",
            "calico",
            "-o",
            "json",
        ],
        &run::<entry::Repair>(&h, Value::Null),
        true,
    );
}
