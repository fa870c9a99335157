#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests: a failure is a panic with its reason
//! Properties of the dataplanes, checked on generated clusters (`generators/`): each is
//! a fact the documentation states, cited beside it with the file and version it is read
//! from. Case counts are small by default so that the file runs in seconds under
//! `cargo test`; `PROPTEST_CASES=N` raises them.
//!
//! Sources, as cited below:
//! - [K8S-API]: the Kubernetes API reference, NetworkPolicySpec (networking.k8s.io/v1),
//!   Kubernetes v1.37: k8s.io/api networking/v1 types.go, as k8s-openapi 0.29 carries it
//!   (src/v1_37/api/networking/v1/network_policy_spec.rs).
//! - [K8S-CONCEPTS]: kubernetes/website content/en/docs/concepts/services-networking/
//!   network-policies.md ("The two sorts of pod isolation"), for v1.37.
//! - [K8S-API-CONCEPTS]: content/en/docs/reference/using-api/api-concepts.md ("Collections").
//! - [CILIUM-DENY]: cilium/cilium Documentation/security/policy/deny.rst (and language.rst,
//!   "Deny Policies"), Cilium v1.18.
//! - [CILIUM-INTRO]: cilium/cilium Documentation/security/policy/intro.rst ("Policy
//!   Enforcement Modes", default mode), Cilium v1.18.
//!
//! docs/reliability.md lists, per property, a mutation of the engine it catches.

mod generators;

use generators::{
    cnp, netpol, open_world, rule, world, CPeer, CRule, CnpG, Dir, Labels, PortG, Proto, Sel,
    World, NAMESPACES,
};
use meshverdict::{
    Cluster, Dataplane, ErrorCode, Input, Options, PortRef, Protocol, Query, Verdict,
};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// `PROPTEST_CASES` when set, else `default`; no failure files are written (the
/// shrunk case is printed, and a finding becomes a case under tests/).
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn dataplane() -> impl Strategy<Value = Dataplane> {
    prop_oneof![
        Just(Dataplane::Generic),
        Just(Dataplane::Calico),
        Just(Dataplane::Cilium)
    ]
}

fn load_inputs(inputs: &[(String, String)], dataplane: Dataplane) -> Cluster {
    let inputs: Vec<Input> = inputs
        .iter()
        .map(|(name, text)| Input { name, text })
        .collect();
    match Cluster::load(
        &inputs,
        Options {
            dataplane: Some(dataplane),
            ..Options::default()
        },
    ) {
        Ok(c) => c,
        Err(e) => panic!(
            "a generated cluster failed to load: {e}\n{}",
            inputs.first().map(|i| i.text).unwrap_or_default()
        ),
    }
}

fn load(w: &World, dataplane: Dataplane) -> Cluster {
    let c = load_inputs(&[("gen.yaml".into(), w.text())], dataplane);
    let invalid: Vec<String> = c
        .model()
        .invalid
        .iter()
        .chain(&c.compiled().invalid)
        .chain(&c.compiled().refused)
        .map(|i| i.error.to_string())
        .collect();
    assert!(
        invalid.is_empty(),
        "the generator made an object the API server (or Cilium's agent) rejects: {invalid:?}\n{}",
        w.text()
    );
    c
}

/// What a verdict decides, layer by layer; errors by code.
type Decision = Result<(bool, bool, bool, bool), ErrorCode>;

fn decision(r: Result<Verdict, meshverdict::Error>) -> Decision {
    r.map(|v| {
        (
            v.allowed,
            v.egress.allowed,
            v.ingress.allowed,
            v.mesh.as_ref().is_none_or(|m| m.allowed),
        )
    })
    .map_err(|e| e.code)
}

fn describe(q: &Query) -> String {
    format!("{} → {} {}/{}", q.from, q.to, q.port, q.protocol)
}

/// Pod-to-pod and pod-to-outside questions: a Service's verdict is a summary of its
/// backends, which the properties check through the pod questions.
fn direct(w: &World) -> Vec<Query> {
    w.questions()
        .into_iter()
        .filter(|q| !q.to.starts_with("svc:"))
        .collect()
}

proptest! {
    #![proptest_config(config(40))]

    /// NetworkPolicy is additive: "Traffic is allowed to a pod if there are no
    /// NetworkPolicies selecting the pod …, OR if the traffic matches at least one ingress
    /// rule across all of the NetworkPolicy objects whose podSelector matches the pod"
    /// (NetworkPolicySpec.ingress; .egress alike) [K8S-API]; "Network policies do not
    /// conflict; they are additive" [K8S-CONCEPTS]. A rule added to a direction the policy
    /// already isolates (its policyTypes, or their default: NetworkPolicySpec.policyTypes
    /// [K8S-API]) only widens the union.
    #[test]
    fn adding_a_rule_to_an_isolated_direction_removes_no_flow(
        w in world().prop_filter("needs a NetworkPolicy", |w| !w.netpols.is_empty()),
        pick in any::<prop::sample::Index>(),
        ingress in any::<bool>(),
        extra in rule(),
        dp in dataplane(),
    ) {
        let i = pick.index(w.netpols.len());
        let preferred = if ingress { Dir::Ingress } else { Dir::Egress };
        let dir = if w.netpols[i].isolates(preferred) { preferred } else if preferred == Dir::Ingress { Dir::Egress } else { Dir::Ingress };
        prop_assume!(w.netpols[i].isolates(dir));
        let mut wider = w.clone();
        match dir {
            Dir::Ingress => wider.netpols[i].ingress.push(extra),
            Dir::Egress => wider.netpols[i].egress.push(extra),
        }
        let (before, after) = (load(&w, dp), load(&wider, dp));
        for q in w.questions() {
            let (b, a) = (decision(before.verdict(&q)), decision(after.verdict(&q)));
            match (&b, &a) {
                (Ok(b), Ok(a)) => prop_assert!(!b.0 || a.0, "np-{i} {dir:?}: a new rule removed {} ({dp:?})\n{}", describe(&q), wider.text()),
                _ => prop_assert_eq!(b.err(), a.err(), "{}", describe(&q)),
            }
        }
    }

    /// Adding a policy removes flows only where it newly isolates, in that direction: "By
    /// default, a pod is non-isolated for egress/ingress … A pod is isolated for ingress if
    /// there is any NetworkPolicy that both selects the pod and has Ingress in its
    /// policyTypes" [K8S-CONCEPTS]; an endpoint already isolated keeps the union ("the
    /// ingress rules for each are combined additively", NetworkPolicySpec.podSelector
    /// [K8S-API]), which a new policy only widens. Cilium adds NetworkPolicies to its own
    /// policies the same way (allows of CNPs, CCNPs and NetworkPolicies add up
    /// [CILIUM-DENY], "Similarly to allow policies, Pods will enter default-deny mode as
    /// soon a single policy selects it").
    ///
    /// Half the time the new policy selects what an existing one selects (same namespace
    /// and pod selector), so that it meets endpoints already isolated: without that, a
    /// union computed over the last selecting policy only went unseen in 300 cases.
    #[test]
    fn adding_a_policy_removes_flows_only_from_endpoints_it_newly_isolates(
        w in world(),
        mut extra in netpol(),
        same_subject in any::<bool>(),
        pick in any::<prop::sample::Index>(),
        dp in dataplane(),
    ) {
        if same_subject && !w.netpols.is_empty() {
            let like = &w.netpols[pick.index(w.netpols.len())];
            extra.ns = like.ns;
            extra.subject = like.subject.clone();
        }
        let name = format!("np-{}", w.netpols.len());
        let mut more = w.clone();
        more.netpols.push(extra);
        let (before, after) = (load(&w, dp), load(&more, dp));
        for q in direct(&w) {
            match (before.verdict(&q), after.verdict(&q)) {
                (Ok(b), Ok(a)) => {
                    if b.allowed && !a.allowed {
                        let newly = [(&b.egress, &a.egress), (&b.ingress, &a.ingress)].iter().any(|(lb, la)| {
                            !lb.isolated && !la.allowed && la.isolated_by.iter().any(|p| *p.name == *name)
                        });
                        prop_assert!(newly, "{name} removed {} without newly isolating its source or destination ({dp:?})\n{}", describe(&q), more.text());
                    }
                }
                (b, a) => prop_assert_eq!(b.err().map(|e| e.code), a.err().map(|e| e.code), "{}", describe(&q)),
            }
        }
    }

    /// With no NetworkPolicy or Cilium policy, "By default, a pod is non-isolated for
    /// egress; all outbound connections are allowed … non-isolated for ingress; all
    /// inbound connections are allowed" [K8S-CONCEPTS]; "Outgoing traffic is allowed if
    /// there are no NetworkPolicies selecting the pod" (NetworkPolicySpec.egress [K8S-API]);
    /// Cilium's default enforcement mode allows every endpoint's traffic until a policy
    /// selects it [CILIUM-INTRO]. Only the mesh's own authorization could still refuse, so
    /// both network layers admit.
    #[test]
    fn without_policies_the_network_admits_every_flow(w in open_world(), dp in dataplane()) {
        let c = load(&w, dp);
        for q in w.questions() {
            match c.verdict(&q) {
                Ok(v) => {
                    for v in std::iter::once(&v).chain(v.backends.iter()) {
                        prop_assert!(v.egress.allowed && v.ingress.allowed, "{} ({dp:?}): egress {} / ingress {}", describe(&q), v.egress.reason, v.ingress.reason);
                    }
                }
                // A Service that selects no pod serving its port is a question error.
                Err(e) => prop_assert!(q.to.starts_with("svc:") && e.code == ErrorCode::InvalidRequest, "{}: {e}", describe(&q)),
            }
        }
    }

    /// Cilium deny policies never add a flow: "Deny policies take precedence over allow
    /// policies, regardless of whether they are a Cilium Network Policy, a Clusterwide
    /// Cilium Network Policy or even a Kubernetes Network Policy" [CILIUM-DENY]; an
    /// `ingressDeny`/`egressDeny` rule is "denied regardless of the allowed … rules"
    /// (api.Rule.IngressDeny/EgressDeny, pkg/policy/api/rule.go, v1.18).
    #[test]
    fn a_cilium_deny_never_adds_a_flow(w in world(), deny in cnp(), onto_existing in any::<bool>()) {
        let mut denied = w.clone();
        let deny = CnpG { ingress: Vec::new(), egress: Vec::new(), ..deny };
        prop_assume!(!deny.ingress_deny.is_empty() || !deny.egress_deny.is_empty());
        match denied.cnps.first_mut() {
            Some(existing) if onto_existing => {
                existing.ingress_deny.extend(deny.ingress_deny);
                existing.egress_deny.extend(deny.egress_deny);
            }
            _ => denied.cnps.push(deny),
        }
        let (before, after) = (load(&w, Dataplane::Cilium), load(&denied, Dataplane::Cilium));
        for q in w.questions() {
            match (decision(before.verdict(&q)), decision(after.verdict(&q))) {
                (Ok(b), Ok(a)) => prop_assert!(b.0 || !a.0, "a deny rule added {}\n{}", describe(&q), denied.text()),
                (b, a) => prop_assert_eq!(b.err(), a.err(), "{}", describe(&q)),
            }
        }
    }

    /// A deny that matches a flow denies it, whatever else allows it ([CILIUM-DENY]: deny
    /// takes precedence; its table: "Curl to port 80 is denied because there is a deny
    /// policy on that port", beside an allow on 80). It is written for the packets as they
    /// cross the wire: where the mesh carries the flow on another port, on that port.
    #[test]
    fn a_matching_cilium_deny_denies(
        w in world(),
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
        port in prop::sample::select(generators::RULE_PORTS.to_vec()),
        on_ingress in any::<bool>(),
        every_port in any::<bool>(),
        also_allowed in any::<bool>(),
    ) {
        let (a, b) = (a.index(w.pods.len()), b.index(w.pods.len()));
        prop_assume!(a != b);
        let q = Query { from: w.pod_name(a), to: w.pod_name(b), port: PortRef::Number(port), protocol: Protocol::Tcp };
        let before = load(&w, Dataplane::Cilium).verdict(&q).unwrap();
        let wire = before.wire_port.as_ref().map_or(port, |p| p.port);
        let (subject, peer) = if on_ingress { (b, a) } else { (a, b) };
        let rule = CRule {
            peer: CPeer::Endpoints(Sel { labels: w.pods[peer].labels.clone(), exprs: Vec::new() }, Some(w.pods[peer].ns)),
            ports: (!every_port).then(|| vec![PortG::Num(wire, Proto::Tcp)]),
        };
        // "Whatever else allows it": half the time an allow rule for the very same peer
        // on every port sits beside the deny, in the same direction of the same subject.
        let allow = CRule { peer: rule.peer.clone(), ports: None };
        let allows = if also_allowed { vec![allow] } else { Vec::new() };
        let (ingress, egress, ingress_deny, egress_deny) =
            if on_ingress { (allows, Vec::new(), vec![rule], Vec::new()) } else { (Vec::new(), allows, Vec::new(), vec![rule]) };
        let mut denied = w.clone();
        denied.cnps.push(CnpG { ns: w.pods[subject].ns, subject: w.pods[subject].labels.clone(), ingress, egress, ingress_deny, egress_deny });
        let after = load(&denied, Dataplane::Cilium).verdict(&q).unwrap();
        prop_assert!(!after.allowed, "{} stays allowed under a matching deny: {}\n{}", describe(&q), after.summary, denied.text());
    }

    /// Order and file layout do not matter: a stream is a set of objects ("kubectl apply
    /// -f <directory>" applies every file; the API server stores objects, not files), and
    /// a `kind: List` is only a client-side envelope for its items [K8S-API-CONCEPTS],
    /// "Collections"). No rule of NetworkPolicySpec [K8S-API] or [CILIUM-DENY] depends on
    /// the order policies were created in. Shuffled documents, several inputs, or one
    /// List: same verdicts.
    #[test]
    fn order_and_layout_do_not_matter(w in world(), keys in prop::collection::vec(any::<u32>(), 64), parts in 1usize..4, dp in dataplane()) {
        let docs = w.documents();
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|i| (keys[i % keys.len()], *i));
        let shuffled: Vec<String> = order.iter().map(|i| docs[*i].clone()).collect();
        let split: Vec<(String, String)> = (0..parts)
            .map(|p| (format!("part-{p}.yaml"), shuffled.iter().skip(p).step_by(parts).cloned().collect::<Vec<_>>().join("---\n")))
            .collect();
        let list = format!(
            "apiVersion: v1\nkind: List\nitems:\n{}",
            shuffled.iter().map(|d| format!("- {}", d.trim_end().replace('\n', "\n  "))).collect::<Vec<_>>().join("\n")
        );
        let layouts = [
            vec![("shuffled.yaml".to_string(), shuffled.join("---\n"))],
            split,
            vec![("list.yaml".to_string(), list)],
        ];
        let base = load(&w, dp);
        let variants: Vec<Cluster> = layouts.iter().map(|l| load_inputs(l, dp)).collect();
        for q in w.questions() {
            let want = decision(base.verdict(&q));
            for (layout, c) in ["shuffled", "split", "list"].iter().zip(&variants) {
                prop_assert_eq!(&decision(c.verdict(&q)), &want, "{} differs when {} ({:?})", describe(&q), layout, dp);
            }
        }
    }

    /// `Cluster::allowed` is the decision of `Cluster::verdict` without its reasons
    /// (its documentation: "the same judgement, cheaper"), for every kind of question.
    #[test]
    fn allowed_equals_the_verdicts_decision(w in world(), dp in dataplane()) {
        let c = load(&w, dp);
        for q in w.questions() {
            match (c.allowed(&q), c.verdict(&q)) {
                (Ok(a), Ok(v)) => prop_assert_eq!(a, v.allowed, "{}: {}", describe(&q), v.summary),
                (Err(a), Err(v)) => prop_assert_eq!(a.code, v.code, "{}", describe(&q)),
                (a, v) => prop_assert!(false, "{}: allowed() {:?} but verdict() {:?}", describe(&q), a, v.map(|v| v.summary)),
            }
        }
    }
}

#[test]
fn generated_worlds_are_valid_and_varied() {
    // The generators must reach both answers, every namespace and the mesh, or the
    // properties above would hold vacuously.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut allowed, mut denied, mut meshed) = (0, 0, 0);
    for _ in 0..30 {
        let w = world().new_tree(&mut runner).unwrap().current();
        let c = load(&w, Dataplane::Cilium);
        meshed += usize::from(w.linkerd && w.pods.iter().any(|p| p.meshed));
        for q in direct(&w) {
            match c.verdict(&q) {
                Ok(v) if v.allowed => allowed += 1,
                Ok(_) => denied += 1,
                Err(_) => {}
            }
        }
    }
    assert!(
        allowed > 100 && denied > 100 && meshed > 3,
        "allowed {allowed}, denied {denied}, meshed worlds {meshed}"
    );
    let names: Vec<&str> = NAMESPACES.to_vec();
    assert_eq!(names.len(), 3);
    let _ = Labels::default();
}
