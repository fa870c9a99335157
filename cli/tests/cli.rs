#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers outside #[test] fns
//! The CLI as a user runs it: exit statuses, inputs (files, folders, stdin), the README's
//! example output, JSON and SARIF.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn mv(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshverdict"))
        .current_dir(repo())
        .args(args)
        .output()
        .expect("run meshverdict")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md")
}

#[test]
fn check_exit_status_is_like_kubectl_auth_can_i() {
    let base = [
        "check",
        "-f",
        "examples/linkerd-netpol-broken",
        "--dataplane",
        "calico",
    ];
    let denied = mv(&[
        &base[..],
        &[
            "--from",
            "emojivoto/web",
            "--to",
            "linkerd/linkerd-controller",
            "--port",
            "8086",
        ],
    ]
    .concat());
    assert_eq!(denied.status.code(), Some(1));
    let allowed = mv(&[
        &base[..],
        &[
            "--from",
            "linkerd/curl",
            "--to",
            "linkerd/linkerd-controller",
            "--port",
            "8085",
        ],
    ]
    .concat());
    assert_eq!(allowed.status.code(), Some(0));
    let unknown = mv(&[
        &base[..],
        &[
            "--from",
            "emojivoto/nope",
            "--to",
            "linkerd/linkerd-controller",
            "--port",
            "8085",
        ],
    ]
    .concat());
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown-endpoint"));
}

#[test]
fn readme_example_output_is_what_the_cli_prints() {
    let out = mv(&[
        "diagnose",
        "-f",
        "examples/linkerd-netpol-broken",
        "--dataplane",
        "calico",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an error-severity diagnostic exits 1"
    );
    let text = stdout(&out);
    let readme = readme();
    for line in text.lines().filter(|l| {
        l.starts_with("error[") || l.starts_with("  at ") || l.contains("diagnostics (")
    }) {
        assert!(
            readme.contains(line),
            "README lacks the line the CLI prints: {line}"
        );
    }
    let out = mv(&[
        "check",
        "-f",
        "examples/linkerd-netpol-broken",
        "--dataplane",
        "calico",
        "--from",
        "emojivoto/web",
        "--to",
        "linkerd/linkerd-controller",
        "--port",
        "8086",
    ]);
    for line in stdout(&out).lines().filter(|l| !l.starts_with("  !")) {
        assert!(
            readme.contains(line),
            "README lacks the line the CLI prints: {line}"
        );
    }
}

#[test]
fn readme_error_example_is_what_the_cli_prints() {
    let dir = std::env::temp_dir().join(format!("mv-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n    - ipBlock:\n        cidr: 10.0.0.0/33\n";
    std::fs::write(dir.join("bad.yaml"), yaml).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_meshverdict"))
        .current_dir(&dir)
        .args([
            "check", "-f", "bad.yaml", "--from", "x/a", "--to", "x/a", "--port", "80",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let readme = readme();
    for line in err.lines() {
        assert!(
            readme.contains(line),
            "README lacks the error line the CLI prints: {line}"
        );
    }
}

#[test]
fn stdin_and_json_output() {
    let yaml = std::fs::read_to_string(repo().join("examples/cilium-linkerd/cluster.yaml"))
        .expect("example");
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshverdict"))
        .args([
            "check",
            "-f",
            "-",
            "--dataplane",
            "cilium",
            "--from",
            "other/client",
            "--to",
            "cilium-linkerd/podinfo",
            "--port",
            "9898",
            "-o",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(yaml.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["type"], "success");
    assert_eq!(v["result"]["allowed"], false);
    assert_eq!(
        v["result"]["ingress"]["isolatedBy"][0]["name"],
        "ingress-policy"
    );
}

#[test]
fn sarif_names_rules_and_locations() {
    let out = mv(&[
        "diagnose",
        "-f",
        "examples/linkerd-netpol-broken",
        "--dataplane",
        "calico",
        "-o",
        "sarif",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif json");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "mesh-flow-blocked" && r["level"] == "error"));
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "selector-matches-nothing"
            && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 22));
}

#[test]
fn conformance_ends_with_the_plain_line() {
    let out = mv(&["conformance", "tests/cases/netpol"]);
    let text = stdout(&out);
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.ends_with(" failed") && last.contains(" passed, "),
        "{last}"
    );
    assert_eq!(
        mv(&["conformance", "no/such/folder"]).status.code(),
        Some(2)
    );
}

#[test]
fn trace_shows_identities_and_the_namespace_confinement() {
    let out = mv(&[
        "check",
        "-f",
        "examples/cilium-linkerd",
        "--dataplane",
        "cilium",
        "--from",
        "other/client",
        "--to",
        "cilium-linkerd/podinfo",
        "--port",
        "9898",
        "-o",
        "trace",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("[k8s:app=client, "), "{text}");
    assert!(
        text.contains(
            "only for endpoints any:app=client,k8s:io.kubernetes.pod.namespace=cilium-linkerd"
        ),
        "{text}"
    );
    assert!(text.trim_end().ends_with("Final verdict: DENIED"), "{text}");
}
