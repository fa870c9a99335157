//! Likely typos: a selector that matches nothing because it names a label key no pod
//! carries, when a key that pods do carry is close to it. Reported beside a repair, never
//! applied: the user's object is theirs to edit.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cluster::Cluster;
use crate::compile::policy::{Direction, NamespaceScope, Peer, PolicyKind};
use crate::error::Location;
use crate::selector::{Requirement, Selector};

/// A label key that no pod carries, and the key the author probably meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Hint {
    pub policy: String,
    /// The field of the selector, e.g. `spec.ingress[0].from[0]`.
    pub path: String,
    pub key: String,
    pub suggestion: String,
    /// How many pods carry the suggested key.
    pub carried_by: usize,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Edit distance between two keys (Levenshtein, by characters).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// The carried key closest to `key`: one edit or two for short slips, or the same
/// prefix up to the last `-` (`linkerd.io/proxy-component` → `linkerd.io/proxy-deployment`).
fn nearest<'a>(key: &str, carried: &'a BTreeMap<String, usize>) -> Option<(&'a String, usize)> {
    let stem = |k: &str| k.rsplit_once('-').map(|(s, _)| s.to_string());
    let mut best: Option<(usize, usize, &String)> = None;
    for (k, n) in carried {
        if k == key {
            return None;
        }
        let d = distance(key, k);
        let same_stem = stem(key).is_some_and(|s| stem(k).as_deref() == Some(s.as_str()));
        if d <= 2 || same_stem {
            let rank = if d <= 2 { d } else { 3 + d };
            if best.is_none_or(|(r, c, _)| rank < r || (rank == r && *n > c)) {
                best = Some((rank, *n, k));
            }
        }
    }
    best.map(|(_, n, k)| (k, n))
}

/// What Linkerd's injector really labels meshed pods with (pkg/k8s/labels.go).
fn linkerd_note(key: &str) -> &'static str {
    if key.starts_with("linkerd.io/proxy-") {
        " (Linkerd's injector labels each meshed pod linkerd.io/proxy-<kind> for its owner kind, and linkerd.io/control-plane-ns; it never set linkerd.io/proxy-component)"
    } else {
        ""
    }
}

fn keys_of(sel: &Selector) -> Vec<&str> {
    sel.requirements
        .iter()
        .filter(|r| matches!(r, Requirement::In { .. } | Requirement::Exists { .. }))
        .map(Requirement::key)
        .collect()
}

/// Every likely typo in the selectors of the cluster's policies that match nothing.
pub fn hints(cluster: &Cluster) -> Vec<Hint> {
    let model = cluster.model();
    let compiled = cluster.compiled();
    let mut carried: BTreeMap<String, usize> = BTreeMap::new();
    for e in &model.endpoints {
        for k in e.labels.keys() {
            *carried.entry(k.clone()).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for p in &compiled.policies {
        for rule in &p.rules {
            for (i, peer) in rule.peers.iter().enumerate() {
                let set = rule.peer_sets.get(i).copied().unwrap_or(0);
                if !compiled.set(set).is_none_or(|s| s.is_empty()) {
                    continue;
                }
                let (keys, ns_keys): (Vec<&str>, Vec<&str>) = match peer {
                    Peer::Pods { namespaces, pods } => (
                        keys_of(pods),
                        match namespaces {
                            NamespaceScope::Matching { selector } => keys_of(selector),
                            NamespaceScope::Own { .. } => Vec::new(),
                        },
                    ),
                    _ => continue,
                };
                let field = match (p.policy.kind, rule.rule.direction) {
                    (PolicyKind::NetworkPolicy, Direction::Ingress) => "from",
                    (PolicyKind::NetworkPolicy, Direction::Egress) => "to",
                    (_, Direction::Ingress) => "fromEndpoints",
                    (_, Direction::Egress) => "toEndpoints",
                };
                let path = format!("{}.{field}[{i}]", rule.rule.path);
                let _ = ns_keys;
                for key in keys.into_iter().filter(|k| !carried.contains_key(*k)) {
                    let Some((suggestion, n)) = nearest(key, &carried) else {
                        continue;
                    };
                    let message = format!(
                        "{} {path} selects pods by {key}, which no pod carries; did you mean {suggestion} (carried by {n} pod{})?{}",
                        p.policy,
                        if n == 1 { "" } else { "s" },
                        linkerd_note(key)
                    );
                    out.push(Hint {
                        policy: p.policy.to_string(),
                        path: path.clone(),
                        key: key.to_string(),
                        suggestion: suggestion.clone(),
                        carried_by: n,
                        message,
                        location: Some(model.locate(&p.origin, &path)),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_keys() {
        let carried: BTreeMap<String, usize> = [
            ("linkerd.io/proxy-deployment".to_string(), 4),
            ("app".to_string(), 9),
            ("linkerd.io/control-plane-ns".to_string(), 5),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            nearest("linkerd.io/proxy-component", &carried).map(|x| x.0.as_str()),
            Some("linkerd.io/proxy-deployment")
        );
        assert_eq!(nearest("ap", &carried).map(|x| x.0.as_str()), Some("app"));
        assert_eq!(nearest("tier", &carried), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
