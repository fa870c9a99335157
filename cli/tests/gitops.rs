#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Messy GitOps folders: rendered manifests are read; Helm and kustomize sources are
//! skipped with one warning a kind; warnings of one code are one line; empty is an error.

mod common;
use common::*;

use std::path::{Path, PathBuf};

const TEMPLATE: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n";

/// A repository with rendered manifests beside a chart and a kustomization.
fn repo_like(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(&dir, "apps/pod.yaml", POD);
    write(&dir, "apps/kustomization.yaml", "resources: [pod.yaml]\n");
    write(
        &dir,
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(&dir, "charts/web/values.yaml", "replicas: 2\n");
    write(&dir, "charts/web/values-prod.yaml", "replicas: 3\n");
    for t in ["a", "b", "c"] {
        write(&dir, &format!("charts/web/templates/{t}.yaml"), TEMPLATE);
    }
    // Plain YAML in a chart's templates folder is still a template of that chart.
    write(&dir, "charts/web/templates/static.yaml", POD);
    write(&dir, "README.md", "# not a manifest\n");
    write(&dir, ".github/workflows/ci.yml", "on: push\n");
    dir
}

fn lines_with<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn a_folder_reads_manifests_and_skips_helm_and_kustomize_sources_with_one_warning_a_kind() {
    let dir = repo_like("gitops-walk");
    let out = run_in(&dir, &["diagnose", "-f", "."], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let templates = lines_with(&err, "warning[helm-template]: ");
    assert_eq!(
        templates,
        ["warning[helm-template]: skipped 4 unrendered Helm templates (render them with helm template first): ./charts/web/templates/a.yaml, ./charts/web/templates/b.yaml, ./charts/web/templates/c.yaml, ./charts/web/templates/static.yaml"],
        "{err}"
    );
    assert_eq!(lines_with(&err, "warning[helm-values]: ").len(), 1, "{err}");
    assert!(
        err.contains("skipped 2 Helm values files")
            && err.contains("./charts/web/values-prod.yaml"),
        "{err}"
    );
    assert!(
        err.contains("warning[helm-chart]: skipped 1 Helm chart file")
            && err.contains("./charts/web/Chart.yaml"),
        "{err}"
    );
    assert!(
        err.contains(
            "warning[kustomization]: skipped 1 kustomization (build it with kustomize build first"
        ),
        "{err}"
    );
    // Not YAML by name, or hidden: not read, not reported.
    assert!(!err.contains("README") && !err.contains(".github"), "{err}");
    assert!(!err.contains("error"), "{err}");
    // The rendered Pod was read: it is an endpoint.
    let check = run_in(
        &dir,
        &[
            "check", "-f", ".", "--from", "x/a", "--to", "x/a", "--port", "80",
        ],
        None,
    );
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn json_lists_the_skipped_files_as_warnings() {
    let dir = repo_like("gitops-json");
    let v = json(&run_in(&dir, &["diagnose", "-f", ".", "-o", "json"], None));
    let warnings = v["warnings"].as_array().unwrap();
    let template = warnings
        .iter()
        .find(|w| w["code"] == "helm-template")
        .expect("a helm-template warning");
    assert!(
        template["message"]
            .as_str()
            .unwrap()
            .ends_with("./charts/web/templates/static.yaml"),
        "{template}"
    );
    assert!(warnings.iter().any(|w| w["code"] == "kustomization"));
}

#[test]
fn a_file_named_with_f_is_always_read() {
    let dir = repo_like("gitops-explicit");
    // A template named explicitly is read (and fails as the text it is), not skipped.
    let out = run_in(
        &dir,
        &["diagnose", "-f", "charts/web/templates/static.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("skipped"), "{}", stderr(&out));
    let out = run_in(
        &dir,
        &[
            "check",
            "-f",
            "charts/web/templates/static.yaml",
            "--from",
            "x/a",
            "--to",
            "x/a",
            "--port",
            "80",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_parse_error_in_a_manifest_of_a_folder_fails_the_run_with_its_location() {
    let dir = repo_like("gitops-parse-error");
    write(
        &dir,
        "apps/broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b\n",
    );
    let out = run_in(&dir, &["diagnose", "-f", "."], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("error[parse-error]"), "{err}");
    assert!(err.contains("  at ./apps/broken.yaml:"), "{err}");
}

#[test]
fn exclude_removes_paths_by_glob() {
    let dir = repo_like("gitops-exclude");
    write(
        &dir,
        "apps/broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b\n",
    );
    let out = run_in(
        &dir,
        &[
            "diagnose",
            "-f",
            ".",
            "--exclude",
            "charts/**",
            "--exclude",
            "broken.yaml",
            "--exclude",
            "kustomization.y?ml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning["), "{}", stderr(&out));
    // `*` stays within one folder.
    let out = run_in(
        &dir,
        &[
            "diagnose",
            "-f",
            ".",
            "--exclude",
            "charts/*.yaml",
            "--exclude",
            "**/broken.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning[helm-template]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn warnings_of_one_code_are_one_line_and_v_lists_them() {
    let dir = scratch("gitops-configmaps");
    let mut cms = String::new();
    for i in 0..300 {
        cms.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: x}}\n"
        ));
    }
    write(&dir, "cm.yaml", cms);
    write(&dir, "pod.yaml", POD);
    let out = run_in(&dir, &["diagnose", "-f", "cm.yaml", "-f", "pod.yaml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).lines().collect::<Vec<_>>(),
        ["warning[unknown-kind]: skipped 300 objects of kinds meshverdict does not read: ConfigMap ×300 (first at cm.yaml:1)"]
    );
    let verbose = run_in(
        &dir,
        &["diagnose", "-v", "-f", "cm.yaml", "-f", "pod.yaml"],
        None,
    );
    assert_eq!(
        lines_with(&stderr(&verbose), "warning[unknown-kind]: ").len(),
        300
    );
    let quiet = run_in(
        &dir,
        &["diagnose", "-q", "-f", "cm.yaml", "-f", "pod.yaml"],
        None,
    );
    assert_eq!(stderr(&quiet), "");
    assert_eq!(stdout(&quiet), stdout(&out), "-q changes no result");
}

#[test]
fn an_empty_folder_or_stdin_is_an_error_not_zero_diagnostics() {
    let dir = scratch("gitops-empty");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    write(&dir, "comments/only.yaml", "# nothing yet\n---\n");
    write(&dir, "chart/Chart.yaml", "apiVersion: v2\nname: c\n");
    write(&dir, "chart/templates/a.yaml", TEMPLATE);
    type Case<'a> = (&'a [&'a str], Option<&'a [u8]>, &'a str);
    let cases: [Case; 4] = [
        (&["diagnose", "-f", "empty"], None, "give files or folders"),
        (
            &["diagnose", "-f", "comments"],
            None,
            "give files or folders",
        ),
        (&["diagnose", "-f", "-"], Some(b""), "stdin was empty"),
        (&["diagnose", "-f", "chart"], None, "every file was skipped"),
    ];
    for (args, stdin, help) in cases {
        let out = run_in(&dir, args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("error[invalid-request]: no Kubernetes objects in the input"),
            "{args:?}: {err}"
        );
        assert!(err.contains(help), "{args:?}: {err}");
        assert!(
            !stdout(&out).contains("diagnostics"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn invalid_utf8_is_located() {
    let dir = scratch("gitops-utf8");
    write(
        &dir,
        "apps/latin1.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xe9}\n",
    );
    let out = run_in(&dir, &["diagnose", "-f", "apps"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("error[parse-error]: invalid UTF-8: byte 0xe9 at byte offset 45 (line 3)"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "  at {}:3",
            Path::new("apps").join("latin1.yaml").display()
        )),
        "{err}"
    );
    let v = json(&run_in(
        &dir,
        &["diagnose", "-f", "apps", "-o", "json"],
        None,
    ));
    assert_eq!(v["error"]["location"]["offset"], 45);
}
