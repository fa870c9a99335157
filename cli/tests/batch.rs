#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `check --queries`: JSON Lines in, one envelope a question out, in order.

mod common;
use common::*;

fn batch(queries: &str, extra: &[&str]) -> std::process::Output {
    // A folder a call: tests run in parallel, and some ask the same questions.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = scratch(&format!(
        "batch-{}",
        CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    write(&dir, "q.jsonl", queries);
    let cluster = repo().join("examples/linkerd-netpol-broken");
    let args = [
        &[
            "check",
            "-f",
            cluster.to_str().unwrap(),
            "--dataplane",
            "calico",
            "--queries",
            "q.jsonl",
        ][..],
        extra,
    ]
    .concat();
    run_in(&dir, &args, None)
}

fn lines(o: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

#[test]
fn answers_come_in_order_one_envelope_a_line() {
    let q = r#"{"from":"emojivoto/web","to":"emojivoto/emoji","port":8080}
# comments and blank lines ask nothing

{"from":"emojivoto/web","to":"linkerd/linkerd-controller","port":8086,"protocol":"tcp"}
"#;
    let out = batch(q, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a denied flow: exit 1\n{}",
        stderr(&out)
    );
    let answers = lines(&out);
    assert_eq!(answers.len(), 2);
    assert_eq!(
        (
            answers[0]["type"].as_str(),
            answers[0]["result"]["allowed"].as_bool()
        ),
        (Some("success"), Some(true))
    );
    assert_eq!(answers[1]["result"]["allowed"], false);
    assert_eq!(
        answers[1]["result"]["to"]["reference"],
        "linkerd/linkerd-controller"
    );
    let all_allowed = batch(
        r#"{"from":"emojivoto/web","to":"emojivoto/emoji","port":8080}"#,
        &[],
    );
    assert_eq!(all_allowed.status.code(), Some(0));
    assert_eq!(
        batch(
            r#"{"from":"emojivoto/web","to":"emojivoto/emoji","port":8080}"#,
            &["--fail-on", "error"]
        )
        .status
        .code(),
        Some(3)
    );
}

#[test]
fn a_bad_line_is_a_failure_for_that_line_and_the_rest_is_answered() {
    let q = r#"{"from":"emojivoto/web","to":"emojivoto/emoji","port":70000}
not json
{"from":"web","to":"emoji","port":"http"}
{"from":"emojivoto/nope","to":"emojivoto/emoji","port":8080}
{"from":"emojivoto/web","to":"emojivoto/emoji","port":8080,"protocol":"icmp"}
{"from":"emojivoto/web","to":"linkerd/linkerd-controller","port":8086}
"#;
    let out = batch(q, &[]);
    assert_eq!(out.status.code(), Some(2), "an error in any line: exit 2");
    let answers = lines(&out);
    assert_eq!(answers.len(), 6);
    for (i, a) in answers.iter().take(5).enumerate() {
        assert_eq!(a["type"], "failure", "line {}: {a}", i + 1);
        assert_eq!(a["error"]["location"]["line"], i + 1, "{a}");
        assert_eq!(a["error"]["location"]["source"], "q.jsonl", "{a}");
    }
    assert!(answers[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1-65535"));
    assert!(answers[2]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("names no namespace"));
    assert_eq!(answers[3]["error"]["code"], "unknown-endpoint");
    assert_eq!(answers[5]["result"]["allowed"], false);
}

#[test]
fn the_namespace_flag_applies_to_every_line() {
    let out = batch(
        r#"{"from":"web","to":"emoji","port":8080}"#,
        &["-n", "emojivoto", "-o", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        lines(&out)[0]["result"]["from"]["reference"],
        "emojivoto/web"
    );
}

#[test]
fn batch_output_is_json_lines_only() {
    let out = batch(
        r#"{"from":"emojivoto/web","to":"emojivoto/emoji","port":8080}"#,
        &["-o", "text"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--queries writes JSON Lines"),
        "{}",
        stderr(&out)
    );
    let with_flags = batch("", &["--from", "emojivoto/web"]);
    assert_eq!(with_flags.status.code(), Some(2));
    assert!(
        stderr(&with_flags).contains("cannot be used with"),
        "{}",
        stderr(&with_flags)
    );
}

#[test]
fn queries_from_stdin() {
    let q = b"{\"from\":\"emojivoto/web\",\"to\":\"emojivoto/emoji\",\"port\":8080}\n";
    let out = run_in(
        &repo(),
        &[
            "check",
            "-f",
            "examples/linkerd-netpol-broken",
            "--queries",
            "-",
        ],
        Some(q),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 1);
}
