//! The whole-cluster and synthesis entry points (`matrix`, `exposure`, `diff`,
//! `synthesize`, `repair`, `endpoints`): for each, a valid request answers what the
//! engine computes when asked directly, the JSON path answers the same bytes as the typed
//! path, and bad requests are `invalid-request` failures that name the field.
//! (`cli/tests/bindings.rs` checks the CLI's `-o json` against these answers, byte for byte.)
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use meshverdict::evaluate::diff::{diff, Tree};
use meshverdict::evaluate::exposure::exposure;
use meshverdict::evaluate::matrix::{Granularity, MatrixOptions};
use meshverdict::synthesize::{repair, synthesize, Dialect, Intents, RepairOptions, SynthOptions};
use meshverdict::{Answer, Cluster, Input, Options, Protocol};
use meshverdict_bindings::entry::{self, Entry, ENTRIES};
use meshverdict_bindings::{to_text, ClusterHandle, LoadOptions, Manifests};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of a folder (or one file) of the repository, named as the CLI names them
/// when run at the repository root (`examples/x/a.yaml`).
fn files(rel: &str) -> Vec<(String, String)> {
    let path = repo().join(rel);
    if path.is_file() {
        return vec![(rel.to_string(), std::fs::read_to_string(&path).unwrap())];
    }
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".yaml"))
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

fn handle(rel: &str) -> ClusterHandle {
    let f = files(rel)
        .into_iter()
        .map(|(n, t)| (n, Manifests::Text(t)))
        .collect();
    ClusterHandle::load_files(f, LoadOptions::default()).unwrap()
}

/// The same files loaded by the engine directly.
fn core(rel: &str) -> Cluster {
    let f = files(rel);
    let inputs: Vec<Input> = f.iter().map(|(name, text)| Input { name, text }).collect();
    Cluster::load(&inputs, Options::default()).unwrap()
}

fn call(h: &ClusterHandle, name: &str, request: Value) -> Value {
    serde_json::from_str(&h.call_json(name, &request.to_string())).unwrap()
}

fn result(h: &ClusterHandle, name: &str, request: Value) -> Value {
    let v = call(h, name, request.clone());
    assert_eq!(v["type"], "success", "{name} {request}: {v}");
    v["result"].clone()
}

/// The failure's message, after checking it is an `invalid-request` failure of a
/// request: an argument error, `problem` saying whether of a wrong type or a wrong value.
fn refused(h: &ClusterHandle, name: &str, request: Value) -> String {
    refused_as(h, name, request, None)
}

fn refused_as(h: &ClusterHandle, name: &str, request: Value, problem: Option<&str>) -> String {
    let v = call(h, name, request.clone());
    assert!(
        v["problem"] == "type" || v["problem"] == "value",
        "{name} {request}: {v}"
    );
    if let Some(p) = problem {
        assert_eq!(v["problem"], p, "{name} {request}: {v}");
    }
    assert_eq!(v["type"], "failure", "{name} {request}: {v}");
    assert_eq!(
        v["error"]["code"], "invalid-request",
        "{name} {request}: {v}"
    );
    let m = v["error"]["message"].as_str().unwrap().to_string();
    assert!(m.starts_with(&format!("{name}: ")), "{m}");
    for internal in ["Request", "struct ", "line 1", "column"] {
        assert!(
            !m.contains(internal),
            "{name} {request}: the message shows an internal ({internal}): {m}"
        );
    }
    m
}

const BROKEN: &str = "examples/linkerd-netpol-broken";
const FIXED: &str = "examples/linkerd-netpol-fixed";
const SHOP: &str = "tests/synthesis/shop-2.18.yaml";

#[test]
fn every_entry_is_listed_and_dispatched() {
    for name in [
        "diagnostics",
        "errors",
        "matrix",
        "exposure",
        "diff",
        "synthesize",
        "repair",
        "endpoints",
    ] {
        assert!(ENTRIES.contains(&name), "{name}");
    }
    let v = call(&handle(BROKEN), "nope", Value::Null);
    assert_eq!(
        (v["error"]["code"].as_str(), v.get("problem")),
        (Some("invalid-request"), None)
    );
    let m = v["error"]["message"].as_str().unwrap();
    assert!(m.contains("matrix") && m.contains("endpoints"), "{m}");
}

#[test]
fn matrix_is_the_engines_matrix() {
    let (h, c) = (handle(BROKEN), core(BROKEN));
    // Every option, as the CLI's flags.
    let got = result(
        &h,
        "matrix",
        json!({"by": "pod", "noExternals": true, "protocol": ["tcp"], "port": [8080, "4190-4191"], "namespace": "emojivoto"}),
    );
    let options = MatrixOptions {
        by: Granularity::Pod,
        protocols: vec![Protocol::Tcp],
        externals: false,
        namespace: Some("emojivoto".into()),
        ports: vec![(8080, 8080), (4190, 4191)],
        ..MatrixOptions::default()
    };
    let m = c.matrix(&options).unwrap();
    let mut want =
        json!({"by": m.by, "dataplane": m.dataplane, "groups": m.groups, "cells": m.cells()});
    if !m.warnings.is_empty() {
        want["notes"] = json!(m.warnings);
    }
    assert_eq!(got, want);
    assert!(
        got["cells"].as_array().is_some_and(|c| !c.is_empty()),
        "{got}"
    );
    // Defaults: by workload, every protocol, with externals.
    let m = c
        .matrix(&MatrixOptions {
            externals: true,
            ..MatrixOptions::default()
        })
        .unwrap();
    let got = result(&h, "matrix", Value::Null);
    assert_eq!(got["cells"], json!(m.cells()));
    assert_eq!(got["groups"], json!(m.groups));
    // The compact form.
    let got = result(&h, "matrix", json!({"by": "class", "format": "compact"}));
    let m = c
        .matrix(&MatrixOptions {
            by: Granularity::Class,
            externals: true,
            ..MatrixOptions::default()
        })
        .unwrap();
    assert_eq!(got, json!(m.compact()));
    // From, to.
    let got = result(
        &h,
        "matrix",
        json!({"from": "emojivoto/web", "to": "emojivoto/*"}),
    );
    let m = c
        .matrix(&MatrixOptions {
            from: Some("emojivoto/web".into()),
            to: Some("emojivoto/*".into()),
            externals: true,
            ..MatrixOptions::default()
        })
        .unwrap();
    assert_eq!(got["cells"], json!(m.cells()));
}

#[test]
fn json_and_typed_paths_answer_the_same_bytes() {
    let h = handle(BROKEN);
    let request = json!({"by": "class", "port": "1-9000"});
    let typed = entry::Matrix::run(&h, serde_json::from_value(request.clone()).unwrap());
    assert_eq!(h.call_json("matrix", &request.to_string()), to_text(&typed));
    let typed = entry::Repair::run(&h, None);
    assert_eq!(h.call_json("repair", "null"), to_text(&typed));
    let typed = entry::Endpoints::run(&h, None);
    assert_eq!(h.call_json("endpoints", "{}"), to_text(&typed));
}

#[test]
fn matrix_bad_requests_name_the_field() {
    let h = handle(BROKEN);
    let m = refused_as(&h, "matrix", json!({"bogus": 1}), Some("type"));
    assert!(
        m.contains("unknown field `bogus`") && m.contains("noExternals"),
        "{m}"
    );
    let m = refused_as(&h, "matrix", json!({"port": 70000}), Some("value"));
    assert!(m.starts_with("matrix: port: 70000 is not a port"), "{m}");
    let m = refused(&h, "matrix", json!({"port": [80, "90-85"]}));
    assert!(
        m.starts_with("matrix: port[1]: \"90-85\": the range ends before it starts"),
        "{m}"
    );
    let m = refused(&h, "matrix", json!({"port": 80.5}));
    assert!(m.starts_with("matrix: port: 80.5 is not a port"), "{m}");
    let m = refused_as(&h, "matrix", json!({"by": "namespace"}), Some("value"));
    assert!(
        m.starts_with("matrix: by: unknown variant `namespace`"),
        "{m}"
    );
    let m = refused(&h, "matrix", json!({"protocol": "icmp"}));
    assert!(
        m.starts_with("matrix: protocol: 'icmp' is not a protocol"),
        "{m}"
    );
    let m = refused_as(&h, "matrix", json!({"noExternals": "yes"}), Some("type"));
    assert!(m.starts_with("matrix: noExternals: invalid type"), "{m}");
    let m = refused(&h, "matrix", json!({"format": "json"}));
    assert!(m.contains("format") && m.contains("compact"), "{m}");
    let m = refused(&h, "matrix", json!("workload"));
    assert!(m.contains("an object with the options of matrix"), "{m}");
}

#[test]
fn exposure_is_the_engines_exposure() {
    let (h, c) = (handle(BROKEN), core(BROKEN));
    let all = exposure(
        &c.matrix(&MatrixOptions {
            externals: true,
            ..MatrixOptions::default()
        })
        .unwrap(),
    );
    assert_eq!(result(&h, "exposure", Value::Null), json!(all));
    let mut linkerd = all.clone();
    linkerd.retain(|e| e.namespace.as_deref() == Some("linkerd"));
    assert!(!linkerd.is_empty() && linkerd.len() < all.len());
    assert_eq!(
        result(&h, "exposure", json!({"namespace": "linkerd"})),
        json!(linkerd)
    );
    let m = refused(&h, "exposure", json!({"namespace": 3}));
    assert!(
        m.starts_with("exposure: namespace: invalid type: integer `3`"),
        "{m}"
    );
    let m = refused(&h, "exposure", json!({"all": true}));
    assert!(m.contains("unknown field `all`"), "{m}");
}

fn side(rel: &str) -> Value {
    json!({"files": files(rel).into_iter().map(|(name, yaml)| json!({"name": name, "yaml": yaml})).collect::<Vec<_>>()})
}

#[test]
fn diff_is_the_engines_diff_either_way() {
    let (before, after) = (core(BROKEN), core(FIXED));
    let d = diff(
        &Tree {
            model: before.model(),
            compiled: before.compiled(),
        },
        &Tree {
            model: after.model(),
            compiled: after.compiled(),
        },
        &MatrixOptions {
            externals: true,
            ..MatrixOptions::default()
        },
    )
    .unwrap();
    assert!(!d.opened.is_empty());
    let want = json!({"diff": d, "forbiddenOpened": []});
    // This cluster is before; the request gives after (or the other way round).
    assert_eq!(
        result(&handle(BROKEN), "diff", json!({"after": side(FIXED)})),
        want
    );
    assert_eq!(
        result(&handle(FIXED), "diff", json!({"before": side(BROKEN)})),
        want
    );
    // The warnings are the tree after's.
    let v = call(&handle(BROKEN), "diff", json!({"after": side(FIXED)}));
    assert_eq!(v["warnings"], json!(after.warnings()));
    // forbid: a deny flow the change opens is listed.
    let flow = &d.opened[0];
    let forbid = format!(
        "apiVersion: meshverdict/v1\nkind: Expectations\nmetadata: {{name: f}}\nspec:\n  flows:\n  - {{from: {}, to: {}, port: {}, expect: deny}}\n",
        flow.from.trim_start_matches("ip:"),
        flow.to,
        flow.ports[0].from
    );
    if !flow.from.contains(':') && !flow.to.contains(':') {
        let got = result(
            &handle(BROKEN),
            "diff",
            json!({"after": side(FIXED), "forbid": {"yaml": forbid, "name": "forbid.yaml"}}),
        );
        assert_eq!(
            got["forbiddenOpened"].as_array().map(Vec::len),
            Some(1),
            "{got}"
        );
    }
    // By pod, one text.
    let fixed: String = files(FIXED)
        .into_iter()
        .map(|(_, t)| format!("{t}\n---\n"))
        .collect();
    let got = result(
        &handle(BROKEN),
        "diff",
        json!({"after": {"yaml": fixed, "name": "fixed.yaml"}, "by": "pod"}),
    );
    assert_eq!(got["diff"]["by"], "pod");
}

#[test]
fn diff_bad_requests_name_the_field() {
    let h = handle(BROKEN);
    let m = refused_as(&h, "diff", Value::Null, Some("type"));
    assert!(m.contains("give `after`"), "{m}");
    let m = refused(
        &h,
        "diff",
        json!({"after": {"yaml": ""}, "before": {"yaml": ""}}),
    );
    assert!(m.contains("not both"), "{m}");
    let m = refused(&h, "diff", json!({"after": {"yml": "a: 1"}}));
    assert!(
        m.starts_with(
            "diff: after.yml: unknown field `yml`, expected one of `yaml`, `name`, `files`"
        ),
        "{m}"
    );
    let m = refused(&h, "diff", json!({"after": {"yaml": "a: 1", "files": []}}));
    assert!(
        m.starts_with("diff: after: give `yaml` or `files`, not both"),
        "{m}"
    );
    let m = refused(
        &h,
        "diff",
        json!({"after": {"files": [{"name": "a.yaml"}]}}),
    );
    assert!(
        m.starts_with("diff: after.files[0]: missing field `yaml`"),
        "{m}"
    );
    let m = refused_as(&h, "diff", json!({"after": {"files": []}}), Some("value"));
    assert!(m.contains("after.files: no file given"), "{m}");
    let m = refused(&h, "diff", json!({"after": "kind: Pod"}));
    assert!(
        m.starts_with("diff: after: invalid type") && m.contains("{ yaml, name? }"),
        "{m}"
    );
    let m = refused(
        &h,
        "diff",
        json!({"after": {"yaml": ""}, "by": "namespace"}),
    );
    assert!(m.starts_with("diff: by: unknown variant"), "{m}");
    // The other tree is loaded like this one: its errors are the engine's, located.
    let v = call(
        &h,
        "diff",
        json!({"after": {"yaml": "kind: [", "name": "after.yaml"}}),
    );
    assert_eq!(
        (
            v["error"]["code"].as_str(),
            v["error"]["location"]["source"].as_str()
        ),
        (Some("parse-error"), Some("after.yaml"))
    );
}

#[test]
fn synthesize_is_the_engines_synthesis() {
    let (h, c) = (handle(SHOP), core(SHOP));
    // The intents among the manifests, each option as the CLI's flags.
    let intents = Intents::from_model(c.model()).unwrap().unwrap();
    let s = synthesize(&c, &intents, &SynthOptions::default()).unwrap();
    assert_eq!(result(&h, "synthesize", Value::Null), json!(s));
    let options = SynthOptions {
        dialect: Dialect::Cilium,
        isolate_namespaces: vec!["shop".into()],
        ..SynthOptions::default()
    };
    let s = synthesize(&c, &intents, &options).unwrap();
    assert_eq!(
        result(
            &h,
            "synthesize",
            json!({"dialect": "cilium", "isolate": ["shop"], "granularity": "workload"})
        ),
        json!(s)
    );
    // Intents given as text, and as a parsed list: the same policies.
    let text = "apiVersion: meshverdict/v1\nkind: Intents\nmetadata: {name: one}\nspec:\n  intents:\n  - {from: shop/frontend, to: shop/orders, ports: [http]}\n";
    let s = synthesize(
        &c,
        &Intents::parse("one.yaml", text).unwrap(),
        &SynthOptions::default(),
    )
    .unwrap();
    let got = result(
        &h,
        "synthesize",
        json!({"intents": text, "intentsName": "one.yaml"}),
    );
    assert_eq!(got, json!(s));
    let parsed = result(
        &h,
        "synthesize",
        json!({"intents": [{"from": "shop/frontend", "to": "shop/orders", "ports": ["http"]}]}),
    );
    assert_eq!(
        (&parsed["yaml"], &parsed["concerned"]),
        (&got["yaml"], &got["concerned"])
    );
    let doc = result(
        &h,
        "synthesize",
        json!({"intents": {"apiVersion": "meshverdict/v1", "kind": "Intents", "metadata": {"name": "one"}, "spec": {"intents": [{"from": "shop/frontend", "to": "shop/orders", "ports": ["http"]}]}}}),
    );
    assert_eq!(doc["yaml"], got["yaml"]);
}

#[test]
fn synthesize_bad_requests_name_the_field() {
    let h = handle(SHOP);
    let m = refused(&h, "synthesize", json!({"dialect": "calico"}));
    assert!(
        m.starts_with("synthesize: dialect: unknown variant `calico`"),
        "{m}"
    );
    let m = refused(&h, "synthesize", json!({"granularity": "pod"}));
    assert!(
        m.starts_with("synthesize: granularity: unknown variant `pod`"),
        "{m}"
    );
    let m = refused(&h, "synthesize", json!({"isolate": "shop"}));
    assert!(m.starts_with("synthesize: isolate: invalid type"), "{m}");
    let m = refused_as(&h, "synthesize", json!({"intents": 5}), Some("type"));
    assert!(m.contains("intents must be"), "{m}");
    let m = refused(&h, "synthesize", json!({"intents": "", "hubble": ""}));
    assert!(m.contains("give one of"), "{m}");
    let m = refused(&h, "synthesize", json!({"from_current": true}));
    assert!(
        m.contains("unknown field `from_current`") && m.contains("fromCurrent"),
        "{m}"
    );
    // Intents the engine refuses: its error, located (no argument error).
    let v = call(
        &h,
        "synthesize",
        json!({"intents": [{"from": "shop/frontend", "to": "shop/orders", "ports": [0]}]}),
    );
    assert_eq!(
        (v["error"]["code"].as_str(), v.get("problem")),
        (Some("invalid-field"), None),
        "{v}"
    );
    assert!(
        v["error"]["location"]["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("spec.intents[0]")),
        "{v}"
    );
    // No intents anywhere: the engine's refusal, not an argument error.
    let v = call(&handle(BROKEN), "synthesize", Value::Null);
    assert_eq!(
        (v["error"]["code"].as_str(), v.get("problem")),
        (Some("invalid-request"), None),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no intents"),
        "{v}"
    );
}

#[test]
fn repair_is_the_engines_repair() {
    let (h, c) = (handle(BROKEN), core(BROKEN));
    let r = repair(
        &c,
        &RepairOptions {
            dialect: Dialect::NetworkPolicy,
        },
    )
    .unwrap();
    assert!(!r.objects.is_empty());
    assert_eq!(result(&h, "repair", Value::Null), json!(r));
    // The Cilium dialect: the engine's answer too, whatever it is.
    let r = repair(
        &c,
        &RepairOptions {
            dialect: Dialect::Cilium,
        },
    );
    assert_eq!(
        call(&h, "repair", json!({"dialect": "cilium"})),
        json!(Answer::from_result(r, c.warnings().to_vec()))
    );
    let m = refused(&h, "repair", json!({"dialect": "linkerd"}));
    assert!(
        m.starts_with(
            "repair: dialect: unknown variant `linkerd`, expected `networkpolicy` or `cilium`"
        ),
        "{m}"
    );
    let m = refused(&h, "repair", json!({"dataplane": "calico"}));
    assert!(m.contains("unknown field `dataplane`"), "{m}");
}

#[test]
fn endpoints_are_what_questions_may_name() {
    let (h, c) = (handle(BROKEN), core(BROKEN));
    let list = result(&h, "endpoints", Value::Null);
    let list = list.as_array().unwrap();
    let refs: Vec<&str> = list
        .iter()
        .map(|e| e["reference"].as_str().unwrap())
        .collect();
    assert!(
        refs.contains(&"emojivoto/web") && refs.contains(&"linkerd/linkerd-controller"),
        "{refs:?}"
    );
    for e in c.model().endpoints.iter() {
        assert!(
            refs.contains(&e.reference().as_str()),
            "{} is missing",
            e.reference()
        );
    }
    let someone = refs[0];
    for e in list {
        let r = e["reference"].as_str().unwrap();
        let (from, to) = if e["kind"] == "Service" {
            (someone, r)
        } else {
            (r, r)
        };
        let port = e["ports"][0]["port"].as_u64().unwrap_or(1);
        let v: Value = serde_json::from_str(
            &h.verdict_json(&json!({"from": from, "to": to, "port": port}).to_string()),
        )
        .unwrap();
        assert_eq!(v["type"], "success", "{r}: {v}");
        if e["kind"] != "Service" {
            assert_eq!(
                v["result"]["from"]["meshed"].as_bool().unwrap_or(false),
                e["meshed"].as_bool().unwrap_or(false),
                "{r}"
            );
        }
    }
    assert!(list.iter().any(|e| e["meshed"] == true));
    let m = refused(&h, "endpoints", json!({"namespace": "x"}));
    assert!(m.contains("unknown field `namespace`"), "{m}");
}

#[test]
fn endpoints_list_workloads_with_their_pods() {
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: x, uid: d1}\nspec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web-1, namespace: x, labels: {app: web, pod: one}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]}\nspec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web-2, namespace: x, labels: {app: web, pod: two}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]}\nspec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: x}\nspec: {selector: {app: web}, ports: [{name: http, port: 8080, targetPort: http}]}\n";
    let h = ClusterHandle::load(Manifests::Text(yaml.into()), LoadOptions::default()).unwrap();
    let list = result(&h, "endpoints", Value::Null);
    let got: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["reference"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("x/web", "Deployment"),
            ("x/web-1", "Pod"),
            ("x/web-2", "Pod"),
            ("svc:x/web", "Service")
        ]
    );
    assert_eq!(list[0]["pods"], json!(["x/web-1", "x/web-2"]));
    assert_eq!(list[0]["labels"], json!({"app": "web"}));
    assert_eq!(
        list[0]["ports"],
        json!([{"name": "http", "port": 80, "protocol": "TCP"}])
    );
    assert_eq!(
        list[3]["ports"],
        json!([{"name": "http", "port": 8080, "protocol": "TCP"}])
    );
}
