#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Conventions users bring from other tools: shell completions, and documentation that
//! names every diagnostic code under its own anchor.

mod common;
use common::*;

#[test]
fn completion_scripts_for_bash_zsh_and_fish() {
    let bash = mv(&["completion", "bash"]);
    assert_eq!(bash.status.code(), Some(0));
    assert!(
        stdout(&bash).contains("complete -F _meshverdict"),
        "{}",
        stdout(&bash)
    );
    let zsh = stdout(&mv(&["completion", "zsh"]));
    assert!(zsh.starts_with("#compdef meshverdict"), "{zsh}");
    let fish = stdout(&mv(&["completion", "fish"]));
    assert!(
        fish.contains("complete -c meshverdict") && fish.contains("--fail-on"),
        "{fish}"
    );
    // The formats each command accepts are what completion offers.
    assert!(fish.contains("sarif") && fish.contains("trace"), "{fish}");
    let bad = mv(&["completion", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn every_diagnostic_code_has_its_section_in_docs_diagnostics_md() {
    let docs =
        std::fs::read_to_string(repo().join("docs/diagnostics.md")).expect("docs/diagnostics.md");
    let headings: Vec<&str> = docs.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    for code in meshverdict::findings::DiagnosticCode::ALL {
        assert!(
            headings.contains(&code.as_str()),
            "docs/diagnostics.md has no `## {code}` section (the anchor of its helpUri)"
        );
        assert!(code
            .help_uri()
            .ends_with(&format!("docs/diagnostics.md#{code}")));
    }
    // The load errors that SARIF reports as results link there too.
    for code in [
        "parse-error",
        "limit-exceeded",
        "invalid-field",
        "invalid-request",
        "unknown-endpoint",
        "invalid-case",
        "internal",
    ] {
        assert!(
            headings.contains(&code),
            "docs/diagnostics.md has no `## {code}` section"
        );
    }
}

#[test]
fn the_cli_manual_names_every_flag() {
    let manual = std::fs::read_to_string(repo().join("docs/cli.md")).expect("docs/cli.md");
    assert!(!manual.contains("../shared"), "docs must stand alone");
    for args in [
        &["check", "--help"][..],
        &["diagnose", "--help"],
        &["conformance", "--help"],
        &["completion", "--help"],
    ] {
        let help = stdout(&mv(args));
        for flag in help.split_whitespace().filter(|w| w.starts_with("--")) {
            let flag = flag
                .trim_end_matches([',', '.', ')', '=', ':', ';', ']'])
                .split('=')
                .next()
                .unwrap_or_default();
            let flag = flag.split('<').next().unwrap_or_default();
            if flag.len() > 2 && flag != "--help" {
                assert!(
                    manual.contains(&format!("`{flag}")),
                    "docs/cli.md does not document {flag} ({args:?})"
                );
            }
        }
    }
}
