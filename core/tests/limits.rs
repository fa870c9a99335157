#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests: a failure is a panic with its reason
//! Every limit of the engine (docs/reliability.md, "Limits"), with the limit LOWERED here:
//! an input just over it is refused with a located `limit-exceeded` in bounded time and
//! memory, and one just under it is answered. Then the defaults: they admit what the API
//! server admits, and a deep but legal document overflows no stack, even a 1 MiB one.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use meshverdict::source::Limits;
use meshverdict::{Cluster, Dataplane, Error, ErrorCode, Input, Options, PortRef, Protocol, Query};

/// One test at a time: peak memory is per process, so a measurement must have it alone.
static SERIAL: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `f`, asserting that it took at most `seconds` and that the process's peak
/// resident memory grew by at most 64 MiB + 64 × the input's size (Linux: the peak is
/// reset through /proc/self/clear_refs; elsewhere only time is checked). Debug builds
/// are slow, so the time bound is generous: it catches hangs and quadratic blow-ups,
/// not speed (benchmarks measure that).
fn bounded<T>(what: &str, input_len: usize, seconds: u64, f: impl FnOnce() -> T) -> T {
    bounded_by(what, input_len, seconds, 64 << 20, f)
}

/// As [`bounded`], with `fixed` bytes of memory besides 64 per input byte.
fn bounded_by<T>(
    what: &str,
    input_len: usize,
    seconds: u64,
    fixed: u64,
    f: impl FnOnce() -> T,
) -> T {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let base = status_kib("VmRSS:");
    let start = Instant::now();
    let out = f();
    let elapsed = start.elapsed();
    assert!(
        elapsed < Duration::from_secs(seconds),
        "{what}: {elapsed:?} (bound {seconds} s)"
    );
    if let (true, Some(base), Some(peak)) = (reset, base, status_kib("VmHWM:")) {
        let grew = peak.saturating_sub(base) * 1024;
        let bound = fixed + 64 * input_len as u64;
        assert!(grew <= bound, "{what}: peak memory grew by {grew} bytes (bound {bound}) for {input_len} bytes of input");
    }
    out
}

fn limits(f: impl FnOnce(&mut Limits)) -> Options {
    let mut l = Limits::default();
    f(&mut l);
    Options {
        dataplane: Some(Dataplane::Generic),
        limits: l,
    }
}

fn load(name: &str, text: &str, options: Options) -> Result<Cluster, Error> {
    bounded(name, text.len(), 30, || {
        Cluster::load(&[Input { name, text }], options)
    })
}

/// A refusal that names the limit and points at the input and line.
fn refused(result: Result<Cluster, Error>, source: &str, limit: &str, line: Option<usize>) {
    let err = result
        .err()
        .unwrap_or_else(|| panic!("{source}: expected limit-exceeded ({limit}), it loaded"));
    assert_eq!(err.code, ErrorCode::LimitExceeded, "{err}");
    assert!(
        err.message.contains(limit),
        "the message names the limit {limit}: {err}"
    );
    let loc = err
        .location
        .as_deref()
        .unwrap_or_else(|| panic!("unlocated: {err}"));
    assert_eq!(loc.source, source, "{err}");
    assert!(loc.line.is_some_and(|l| l >= 1), "no line: {err}");
    if let Some(line) = line {
        assert_eq!(loc.line, Some(line), "{err}");
    }
}

/// Loaded, and a question about it answered.
fn answered(result: Result<Cluster, Error>, what: &str) -> Cluster {
    let cluster = result.unwrap_or_else(|e| panic!("{what}: refused under the limit: {e}"));
    let q = Query {
        from: "x/a".into(),
        to: "x/a".into(),
        port: PortRef::Number(80),
        protocol: Protocol::Tcp,
    };
    cluster
        .verdict(&q)
        .unwrap_or_else(|e| panic!("{what}: no verdict: {e}"));
    cluster
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\nstatus: {podIP: 10.0.0.1}\n";

/// The pod, then `n - 1` ConfigMaps: `n` documents.
fn documents(n: usize) -> String {
    let mut text = String::from(POD);
    for i in 1..n {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: x}}\n"
        ));
    }
    text
}

#[test]
fn max_objects_counts_documents() {
    let _alone = alone();
    let opts = || limits(|l| l.max_objects = 50);
    answered(load("fifty.yaml", &documents(50), opts()), "50 documents");
    // The 51st document starts on line 6 + 50 × 4 - 3 (each ConfigMap is 4 lines with its `---`).
    refused(
        load("fifty-one.yaml", &documents(51), opts()),
        "fifty-one.yaml",
        "max_objects",
        None,
    );
}

#[test]
fn max_objects_counts_list_items_and_every_input() {
    let _alone = alone();
    let opts = || limits(|l| l.max_objects = 50);
    let list = |n: usize| {
        let mut items = vec![format!("- {}", POD.trim_end().replace('\n', "\n  "))];
        items.extend((1..n).map(|i| {
            format!("- {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c{i}, namespace: x}}}}")
        }));
        format!("apiVersion: v1\nkind: List\nitems:\n{}\n", items.join("\n"))
    };
    answered(load("list-50.yaml", &list(50), opts()), "a List of 50");
    let text = list(51);
    // The 51st item is the last line of the List.
    let last = text.lines().count();
    refused(
        load("list-51.yaml", &text, opts()),
        "list-51.yaml",
        "max_objects",
        Some(last),
    );
    // Over two inputs: 25 + 25 is under, 25 + 26 over, and the error names the second.
    let (first, under, over) = (
        documents(25),
        documents(25).replace("name: a,", "name: b,"),
        documents(26).replace("name: a,", "name: b,"),
    );
    let two = |second: &str| {
        bounded("two inputs", first.len() + second.len(), 30, || {
            Cluster::load(
                &[
                    Input {
                        name: "one.yaml",
                        text: &first,
                    },
                    Input {
                        name: "two.yaml",
                        text: second,
                    },
                ],
                opts(),
            )
        })
    };
    answered(two(&under), "25 + 25 documents");
    refused(two(&over), "two.yaml", "max_objects", None);
}

/// A Pod nesting `depth` collections: its mapping, then block sequences on one line
/// (`- - - x`) as an unknown field: compact, so even 10,000 levels are 20 KB.
fn deep_pod(depth: usize) -> String {
    format!("{POD}x-deep:\n{}x\n", "- ".repeat(depth - 1))
}

#[test]
fn max_depth_counts_nesting() {
    let _alone = alone();
    // `deep_pod(n)` nests n collections: the document's mapping and n - 1 sequences.
    let opts = || limits(|l| l.max_depth = 20);
    answered(load("depth-20.yaml", &deep_pod(20), opts()), "20 levels");
    refused(
        load("depth-21.yaml", &deep_pod(21), opts()),
        "depth-21.yaml",
        "max_depth",
        Some(7),
    );
}

#[test]
fn max_depth_default_is_the_api_servers() {
    let _alone = alone();
    // k8s.io/apimachinery/pkg/util/json: maxDepth = 10000. A Pod with an unknown field
    // that deep is accepted (unknown fields are pruned), so it must load here.
    let text = deep_pod(9_990);
    answered(
        load("deep-9990.yaml", &text, Options::default()),
        "9,990 levels",
    );
    refused(
        load("deep-10001.yaml", &deep_pod(10_001), Options::default()),
        "deep-10001.yaml",
        "max_depth",
        Some(7),
    );
}

#[test]
fn json_flow_nesting_stops_at_the_parsers_255_levels() {
    let _alone = alone();
    // yaml-rust2 counts flow levels in a u8: flow style (JSON) deeper than 255 is refused
    // whatever max_depth says; block style is not affected (above).
    let json = |depth: usize| {
        format!("{{\"kind\": \"ConfigMap\", \"apiVersion\": \"v1\", \"metadata\": {{\"name\": \"c\", \"namespace\": \"x\"}}, \"x\": {}1{}}}", "[".repeat(depth), "]".repeat(depth))
    };
    let with_pod = |depth: usize| format!("{POD}---\n{}\n", json(depth));
    answered(
        load("flow-254.json", &with_pod(254), Options::default()),
        "254 flow levels inside the document's",
    );
    refused(
        load("flow-255.json", &with_pod(255), Options::default()),
        "flow-255.json",
        "max_depth",
        Some(7),
    );
}

/// An anchored scalar and `aliases` aliases of it, after the pod.
fn aliases(aliases: usize, scalar: &str) -> String {
    format!("{POD}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: x}}\nx: &a {scalar}\ny: [{}]\n", vec!["*a"; aliases].join(", "))
}

#[test]
fn max_alias_nodes_counts_copies_beyond_the_text() {
    let _alone = alone();
    // Units: each alias of a one-word scalar copies 1; the budget is the limit plus the
    // units the text writes itself (a few dozen here). Find the largest count answered.
    let opts = || limits(|l| l.max_alias_nodes = 1000);
    let ok = |n: usize| {
        Cluster::load(
            &[Input {
                name: "a.yaml",
                text: &aliases(n, "x"),
            }],
            opts(),
        )
        .is_ok()
    };
    let (mut lo, mut hi) = (0usize, 4000usize);
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if ok(mid) {
            lo = mid
        } else {
            hi = mid
        }
    }
    // Never refused under the limit; the text's own units allow a little more.
    assert!(
        (1000..1100).contains(&lo),
        "largest accepted alias count {lo}"
    );
    answered(load("under.yaml", &aliases(lo, "x"), opts()), "just under");
    refused(
        load("over.yaml", &aliases(lo + 1, "x"), opts()),
        "over.yaml",
        "max_alias_nodes",
        Some(11),
    );
}

#[test]
fn max_alias_nodes_weighs_long_strings() {
    let _alone = alone();
    // One alias of a 6,400-byte string copies 101 units: 100 of them break a budget of
    // 1,000 units (plus the text's own ~230) that 100 one-word aliases fit in easily.
    let opts = || limits(|l| l.max_alias_nodes = 1000);
    let long = "b".repeat(6400);
    answered(
        load("short.yaml", &aliases(100, "x"), opts()),
        "100 short aliases",
    );
    answered(
        load("long-5.yaml", &aliases(5, &long), opts()),
        "5 long aliases",
    );
    refused(
        load("long-100.yaml", &aliases(100, &long), opts()),
        "long-100.yaml",
        "max_alias_nodes",
        Some(11),
    );
}

#[test]
fn the_default_alias_budget_stops_a_billion_laughs_in_bounded_time_and_memory() {
    let _alone = alone();
    // Nine levels of ten: 10^9 nodes if expanded.
    let mut text = String::from(POD);
    text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 10].join(", ")
        ));
    }
    // The default budget's own price: about 2 million units of copies, at most 160 bytes
    // each in this build, before the refusal.
    let fixed = 64 * (1 << 20) + 160 * Limits::default().max_alias_nodes as u64;
    let result = bounded_by("laughs.yaml", text.len(), 60, fixed, || {
        Cluster::load(
            &[Input {
                name: "laughs.yaml",
                text: &text,
            }],
            Options::default(),
        )
    });
    refused(result, "laughs.yaml", "max_alias_nodes", None);
}

#[test]
fn the_default_limits_admit_what_kubernetes_admits() {
    let _alone = alone();
    let d = Limits::default();
    // 150,000 pods with their Services, EndpointSlices, workloads and policies are about
    // a million objects (Kubernetes scalability thresholds): twice that is admitted.
    assert!(d.max_objects >= 1_000_000, "max_objects {}", d.max_objects);
    assert!(d.max_depth >= 10_000, "max_depth {}", d.max_depth);
    assert!(
        d.max_alias_nodes >= 1_000_000,
        "max_alias_nodes {}",
        d.max_alias_nodes
    );
    // 5,000 documents load well within the defaults (the million-object figure is
    // measured in release builds: docs/reliability.md).
    answered(
        load("many.yaml", &documents(5_000), Options::default()),
        "5,000 documents",
    );
}

/// Deep but legal documents, each loaded, judged, diagnosed and dropped on a thread with
/// a 1 MiB stack (the WASM host's): in a field the engine reads as free-form values
/// (container `args`), as an unknown field of a Pod and of a Cilium policy, inside an
/// object of a kind the engine skips, and through an alias that copies a deep value.
#[test]
fn deep_legal_documents_overflow_no_stack_on_1_mib() {
    let _alone = alone();
    let depth = 9_000;
    let nest = "- ".repeat(depth);
    let inputs = vec![
        format!("{POD}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: b, namespace: x}}\nspec:\n  containers:\n  - name: c\n    args:\n    {nest}x\n"),
        format!("{POD}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: b, namespace: x, labels: {{app: b}}}}\nspec:\n  containers: [{{name: c}}]\n  unknown:\n  {nest}x\n"),
        format!("{POD}---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  endpointSelector: {{matchLabels: {{app: a}}}}\n  ingress: [{{fromEntities: [world]}}]\n  deep:\n  {nest}x\n"),
        format!("{POD}---\napiVersion: example.com/v1\nkind: Composition\nmetadata: {{name: w}}\nspec:\n  {nest}x\n"),
        format!("{POD}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: x}}\nanchor: &deep\n  {}x\ncopies:\n  - - - - *deep\n  - *deep\n", "- ".repeat(60)),
        format!("{POD}---\napiVersion: meshverdict/v1\nkind: Expectations\nmetadata: {{name: deep}}\nspec:\n  flows: [{{from: x/a, to: x/a, port: 80, expect: allow}}]\n  deep:\n  {nest}x\n"),
    ];
    for (i, text) in inputs.into_iter().enumerate() {
        let run = move || {
            let name = format!("deep-{i}.yaml");
            for dataplane in [Dataplane::Generic, Dataplane::Cilium] {
                let cluster = Cluster::load(
                    &[Input {
                        name: &name,
                        text: &text,
                    }],
                    Options {
                        dataplane: Some(dataplane),
                        ..Options::default()
                    },
                )
                .unwrap_or_else(|e| panic!("{name}: {e}"));
                let q = Query {
                    from: "x/a".into(),
                    to: "x/a".into(),
                    port: PortRef::Number(80),
                    protocol: Protocol::Tcp,
                };
                let _ = cluster.verdict(&q);
                let _ = cluster.allowed(&q);
                let _ = meshverdict::diagnose(&cluster);
                drop(cluster);
            }
            let _ = meshverdict::conformance::run_case(&name, &text);
        };
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(run)
            .expect("thread");
        assert!(
            handle.join().is_ok(),
            "deep document {i} failed on a 1 MiB stack"
        );
    }
}

#[test]
fn cilium_schema_limits_just_under_and_over() {
    let _alone = alone();
    // Cilium's CRD schema (pkg/policy/api): FQDNSelector.matchPattern maxLength 255 and
    // PortRule.ports maxItems 40. Over either, the API server refuses the policy, so a
    // verdict over it is refused with a located invalid-policy error.
    let cnp = |egress: &str| {
        format!("{POD}---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  endpointSelector: {{matchLabels: {{app: a}}}}\n  egress:\n  - {egress}\n")
    };
    let pattern = |n: usize| {
        cnp(&format!(
            "toFQDNs: [{{matchPattern: \"{}.example.com\"}}]",
            "a".repeat(n - 12)
        ))
    };
    let ports = |n: usize| {
        cnp(&format!(
            "toPorts: [{{ports: [{}]}}]",
            (0..n)
                .map(|i| format!("{{port: \"{}\"}}", 1000 + i))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    let options = Options {
        dataplane: Some(Dataplane::Cilium),
        ..Options::default()
    };
    let q = Query {
        from: "x/a".into(),
        to: "dns:a.example.com".into(),
        port: PortRef::Number(443),
        protocol: Protocol::Tcp,
    };
    for (what, under, over, path) in [
        (
            "matchPattern",
            pattern(255),
            pattern(256),
            "spec.egress[0].toFQDNs[0]",
        ),
        (
            "ports",
            ports(40),
            ports(41),
            "spec.egress[0].toPorts[0].ports",
        ),
    ] {
        let c = load("under.yaml", &under, options).unwrap();
        assert!(c.verdict(&q).is_ok(), "{what}: refused at the limit");
        let c = load("over.yaml", &over, options).unwrap();
        let err = c.verdict(&q).expect_err(what);
        assert_eq!(err.code, ErrorCode::InvalidPolicy, "{err}");
        let loc = err.location.as_deref().expect("located");
        assert!(
            loc.path.as_deref().is_some_and(|p| p.starts_with(path)),
            "{what}: {err}"
        );
        assert!(loc.line.is_some(), "{what}: {err}");
    }
}
