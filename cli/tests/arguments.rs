#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Arguments say what is wrong with them; kubectl's conventions hold in both binaries.

mod common;
use common::*;

const BROKEN: &[&str] = &["-f", "examples/linkerd-netpol-broken"];

fn check(extra: &[&str]) -> std::process::Output {
    mv(&[&["check"][..], BROKEN, extra].concat())
}

#[test]
fn a_port_out_of_range_names_the_flag_and_the_rule() {
    for port in ["65536", "0", "-1"] {
        let out = check(&[
            "--from",
            "emojivoto/web",
            "--to",
            "emojivoto/emoji",
            "--port",
            port,
        ]);
        assert_eq!(out.status.code(), Some(2), "--port {port}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("invalid value '{port}' for '--port <PORT>'")),
            "{err}"
        );
        assert!(
            err.contains("a port is 1-65535 or an IANA port name"),
            "{err}"
        );
        assert!(!err.contains("declares no"), "{err}");
    }
}

#[test]
fn port_names_follow_the_iana_rules() {
    for name in ["HTTP", "http_alt", "a--b", "-web", "much-too-long-name"] {
        let out = check(&[
            "--from",
            "emojivoto/web",
            "--to",
            "emojivoto/emoji",
            "--port",
            name,
        ]);
        assert_eq!(out.status.code(), Some(2), "--port {name}");
        assert!(
            stderr(&out).contains("is not a valid port name"),
            "{}",
            stderr(&out)
        );
    }
    // A valid name reaches the engine, which resolves it against the destination.
    let out = check(&[
        "--from",
        "emojivoto/web",
        "--to",
        "emojivoto/emoji",
        "--port",
        "http",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["result"]["port"], 8080);
}

#[test]
fn protocols_in_any_case() {
    let lower = check(&[
        "--from",
        "emojivoto/web",
        "--to",
        "emojivoto/emoji",
        "--port",
        "8080",
        "--protocol",
        "tcp",
        "-o",
        "json",
    ]);
    assert_eq!(json(&lower)["result"]["protocol"], "TCP");
    let udp = check(&[
        "--from",
        "emojivoto/web",
        "--to",
        "emojivoto/emoji",
        "--port",
        "53",
        "--protocol",
        "Udp",
        "-o",
        "json",
    ]);
    assert_eq!(json(&udp)["result"]["protocol"], "UDP");
    let bad = check(&[
        "--from",
        "emojivoto/web",
        "--to",
        "emojivoto/emoji",
        "--port",
        "8080",
        "--protocol",
        "icmp",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("use TCP, UDP or SCTP"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn the_namespace_flag_works_in_both_binaries() {
    let args = [
        BROKEN,
        &[
            "check",
            "-n",
            "emojivoto",
            "--from",
            "web",
            "--to",
            "emoji",
            "--port",
            "8080",
            "-o",
            "json",
        ][..],
    ]
    .concat();
    // `kubectl meshverdict check -n emojivoto …` runs kubectl-meshverdict with the same arguments.
    let args: Vec<&str> = [&args[2..3], &args[..2], &args[3..]].concat();
    for bin in [
        env!("CARGO_BIN_EXE_meshverdict"),
        env!("CARGO_BIN_EXE_kubectl-meshverdict"),
    ] {
        let out = run_bin(bin, &repo(), &args, None);
        assert_eq!(out.status.code(), Some(0), "{bin}: {}", stderr(&out));
        let v = json(&out);
        assert_eq!(v["result"]["from"]["reference"], "emojivoto/web", "{bin}");
        assert_eq!(v["result"]["to"]["reference"], "emojivoto/emoji", "{bin}");
    }
    // svc:NAME takes the namespace too; NAMESPACE/NAME keeps its own.
    let out = check(&[
        "-n",
        "emojivoto",
        "--from",
        "web",
        "--to",
        "linkerd/linkerd-controller",
        "--port",
        "8086",
        "--dataplane",
        "calico",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let dir = scratch("namespace-svc");
    write(&dir, "a.yaml", format!("{POD}---\napiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: x}}\nspec: {{selector: {{app: a}}, ports: [{{port: 8080, targetPort: http}}]}}\n"));
    let svc = run_in(
        &dir,
        &[
            "check", "-f", "a.yaml", "-n", "x", "--from", "a", "--to", "svc:web", "--port", "8080",
            "-o", "json",
        ],
        None,
    );
    let v = json(&svc);
    assert_eq!(v["type"], "success", "{v}");
    assert_eq!(v["result"]["to"]["namespace"], "x", "{v}");
    assert_eq!(v["result"]["to"]["kind"], "Service", "{v}");
}

#[test]
fn a_bare_name_without_a_namespace_says_so() {
    let out = check(&["--from", "web", "--to", "emojivoto/emoji", "--port", "8080"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("--from \"web\" names no namespace"), "{err}");
    assert!(err.contains("-n NAMESPACE"), "{err}");
}

#[test]
fn the_kubectl_plugin_shows_what_the_user_types() {
    let out = run_bin(
        env!("CARGO_BIN_EXE_kubectl-meshverdict"),
        &repo(),
        &["check", "--help"],
        None,
    );
    assert!(
        stdout(&out).contains("Usage: kubectl meshverdict check"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn dataplane_defaults_to_auto_and_is_checked() {
    let v = json(&check(&[
        "--from",
        "emojivoto/web",
        "--to",
        "emojivoto/emoji",
        "--port",
        "8080",
        "-o",
        "json",
    ]));
    assert!(
        v["result"]["dataplane"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("auto: "),
        "{v}"
    );
    let bad = check(&[
        "--from",
        "emojivoto/web",
        "--to",
        "emojivoto/emoji",
        "--port",
        "8080",
        "--dataplane",
        "weave",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("[possible values: auto, generic, calico, cilium]"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn limits_reach_the_loader() {
    let few = mv(&[
        "diagnose",
        "-f",
        "examples/linkerd-netpol-broken",
        "--max-objects",
        "3",
    ]);
    assert_eq!(few.status.code(), Some(2));
    assert!(
        stderr(&few).contains("error[limit-exceeded]: more than 3 "),
        "{}",
        stderr(&few)
    );
    let shallow = mv(&[
        "diagnose",
        "-f",
        "examples/linkerd-netpol-broken",
        "--max-depth",
        "2",
    ]);
    assert_eq!(shallow.status.code(), Some(2));
    assert!(
        stderr(&shallow).contains("error[limit-exceeded]"),
        "{}",
        stderr(&shallow)
    );
    let dir = scratch("aliases");
    write(&dir, "a.yaml", format!("{POD}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: x}}\ndata: {{a: '1'}}\nx1: &a [x, x, x, x]\nx2: &b [*a, *a, *a, *a]\nx3: &c [*b, *b, *b, *b]\nx4: [*c, *c, *c, *c]\n"));
    let aliases = run_in(
        &dir,
        &["diagnose", "-f", "a.yaml", "--max-alias-nodes", "5"],
        None,
    );
    assert_eq!(aliases.status.code(), Some(2), "{}", stderr(&aliases));
    assert!(
        stderr(&aliases).contains("error[limit-exceeded]"),
        "{}",
        stderr(&aliases)
    );
    let enough = run_in(
        &dir,
        &[
            "diagnose",
            "-q",
            "-f",
            "a.yaml",
            "--max-alias-nodes",
            "1000",
        ],
        None,
    );
    assert_eq!(enough.status.code(), Some(0), "{}", stderr(&enough));
}

#[test]
fn fail_on_exits_3_for_an_allowed_flow_with_a_diagnostic() {
    // web → emoji is allowed, but web's proxy is cut off from the control plane (an error).
    let base = [
        "--from",
        "emojivoto/web",
        "--to",
        "emojivoto/emoji",
        "--port",
        "8080",
        "--dataplane",
        "calico",
    ];
    assert_eq!(check(&base).status.code(), Some(0));
    let on_error = check(&[&base[..], &["--fail-on", "error"]].concat());
    assert_eq!(on_error.status.code(), Some(3), "{}", stderr(&on_error));
    assert!(
        stderr(&on_error).contains("--fail-on"),
        "{}",
        stderr(&on_error)
    );
    assert_eq!(
        check(&[&base[..], &["--fail-on", "warning"]].concat())
            .status
            .code(),
        Some(3)
    );
    // A denied flow stays 1; a flow without diagnostics stays 0.
    let denied = check(&[
        "--from",
        "emojivoto/web",
        "--to",
        "linkerd/linkerd-controller",
        "--port",
        "8086",
        "--dataplane",
        "calico",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(denied.status.code(), Some(1));
    let fixed = mv(&[
        "check",
        "-f",
        "examples/linkerd-netpol-fixed",
        "--from",
        "emojivoto/web",
        "--to",
        "emojivoto/emoji",
        "--port",
        "8080",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}{}",
        stdout(&fixed),
        stderr(&fixed)
    );
}

#[test]
fn help_texts_stay_inside_the_repository() {
    for args in [
        &["--help"][..],
        &["check", "--help"],
        &["diagnose", "--help"],
        &["conformance", "--help"],
        &["completion", "--help"],
    ] {
        let out = mv(args);
        let text = stdout(&out);
        assert!(
            !text.contains("../") && !text.contains("shared/"),
            "{args:?} mentions a path outside the repository:\n{text}"
        );
    }
    assert!(stdout(&mv(&["conformance", "--help"])).contains("docs/case-format.md"));
}

#[test]
fn progress_stays_off_stderr_when_it_is_no_terminal() {
    let out = mv(&[
        "diagnose",
        "-f",
        "examples/linkerd-netpol-broken",
        "--dataplane",
        "calico",
    ]);
    let err = stderr(&out);
    assert!(
        !err.contains("loading") && !err.contains("reading files") && !err.contains('\r'),
        "{err}"
    );
}
