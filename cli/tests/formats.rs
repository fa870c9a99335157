#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Each command writes only its own formats; every JSON output is the one envelope.

mod common;
use common::*;

const CHECK: &[&str] = &[
    "check",
    "-f",
    "examples/linkerd-netpol-broken",
    "--from",
    "emojivoto/web",
    "--to",
    "emojivoto/emoji",
    "--port",
    "8080",
];

#[test]
fn a_format_a_command_cannot_write_is_a_usage_error_naming_the_accepted_ones() {
    let cases: &[(&[&str], &str, &str)] = &[
        (CHECK, "sarif", "[possible values: text, json, trace]"),
        (
            &["diagnose", "-f", "examples/linkerd-netpol-broken"],
            "trace",
            "[possible values: text, json, sarif]",
        ),
        (
            &["conformance", "tests/cases/netpol"],
            "sarif",
            "[possible values: text, json]",
        ),
    ];
    for (args, format, accepted) in cases {
        let out = mv(&[args, &["-o", format][..]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?} -o {format}");
        assert!(
            out.stdout.is_empty(),
            "{args:?} -o {format} printed: {}",
            stdout(&out)
        );
        let err = stderr(&out);
        assert!(
            err.contains(&format!("invalid value '{format}'")) && err.contains(accepted),
            "{err}"
        );
    }
}

#[test]
fn each_accepted_format_is_what_it_says() {
    let text = mv(&[CHECK, &["-o", "text"][..]].concat());
    assert!(
        stdout(&text).starts_with("ALLOWED: emojivoto/web → emojivoto/emoji"),
        "{}",
        stdout(&text)
    );
    let trace = mv(&[CHECK, &["-o", "trace"][..]].concat());
    assert!(
        stdout(&trace)
            .trim_end()
            .ends_with("Final verdict: ALLOWED"),
        "{}",
        stdout(&trace)
    );
    let v = json(&mv(&[CHECK, &["-o", "json"][..]].concat()));
    assert_eq!(
        (v["type"].as_str(), v["result"]["allowed"].as_bool()),
        (Some("success"), Some(true))
    );
    let d = json(&mv(&[
        "diagnose",
        "-f",
        "examples/linkerd-netpol-broken",
        "-o",
        "json",
    ]));
    assert!(d["result"].as_array().is_some_and(|a| !a.is_empty()), "{d}");
    let s = json(&mv(&[
        "diagnose",
        "-f",
        "examples/linkerd-netpol-broken",
        "-o",
        "sarif",
    ]));
    assert_eq!(s["version"], "2.1.0");
}

#[test]
fn the_envelope_puts_its_type_first() {
    let out = mv(&[CHECK, &["-o", "json"][..]].concat());
    assert!(
        stdout(&out)
            .trim_start()
            .starts_with("{\n  \"type\": \"success\",\n  \"result\": {"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn conformance_json_is_the_envelope_with_every_report() {
    let out = mv(&[
        "conformance",
        "-o",
        "json",
        "tests/cases/netpol",
        "tests/cases/linkerd",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["type"], "success");
    let reports = v["result"]["reports"].as_array().expect("result.reports");
    let files = |dir: &str| std::fs::read_dir(repo().join(dir)).unwrap().count();
    assert!(
        reports.len() >= files("tests/cases/netpol") + files("tests/cases/linkerd") - 2,
        "{} reports",
        reports.len()
    );
    let passed: u64 = reports.iter().map(|r| r["passed"].as_u64().unwrap()).sum();
    assert_eq!(v["result"]["passed"].as_u64(), Some(passed));
    assert_eq!(v["result"]["failed"], 0);
    assert!(v["warnings"].is_array());
    // The plain closing line stays, on stderr, so stdout is one JSON document.
    assert!(
        stderr(&out)
            .trim_end()
            .ends_with(&format!("{passed} passed, 0 failed")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_failed_conformance_load_is_a_failure_envelope() {
    let out = mv(&["conformance", "-o", "json", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["type"], "failure");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no/such/folder"));
}

#[test]
fn conformance_reports_a_broken_case_in_the_envelope() {
    let dir = scratch("broken-case");
    write(
        &dir,
        "case.yaml",
        b"apiVersion: meshverdict/v1\nkind: Expectations # \xff\n",
    );
    write(&dir, "plain.yaml", POD);
    let out = run_in(&dir, &["conformance", "-o", "json", "."], None);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["result"]["failed"], 1);
    assert_eq!(v["result"]["errors"][0]["source"], "./case.yaml");
    assert_eq!(v["result"]["errors"][0]["error"]["code"], "parse-error");
    assert_eq!(v["result"]["errors"][0]["error"]["location"]["line"], 2);
    assert_eq!(v["warnings"][0]["code"], "no-expectations");
    assert_eq!(v["warnings"][0]["location"]["source"], "./plain.yaml");
}
