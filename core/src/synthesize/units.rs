//! Workload units: what one synthesized policy selects. A Pod that a workload of the
//! input owns (through ReplicaSets or Jobs) belongs to that workload's unit; any other
//! endpoint is a unit of its own. Each unit gets the smallest set of its own labels
//! that picks exactly its pods in its namespace, preferring the keys people select on.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::plan::Sel;
use crate::cluster::Cluster;
use crate::model::Endpoint;
use crate::selector::Labels;

/// Labels that controllers add per revision or per pod: a selector on them breaks at the
/// next rollout, and Cilium leaves most of them out of identities (pkg/labelsfilter).
const VOLATILE: [&str; 9] = [
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
    "pod-template-generation",
];

/// Keys people select workloads by, tried first.
const PREFERRED: [&str; 8] = [
    "app.kubernetes.io/name",
    "app",
    "k8s-app",
    "name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "component",
    "linkerd.io/control-plane-component",
];

/// A workload: the pods one policy selects.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub namespace: String,
    /// The workload's name (or the pod's, for a pod of its own).
    pub name: String,
    pub endpoints: Vec<usize>,
    /// The selector that picks the unit: its labels, and where others carry all of them,
    /// `DoesNotExist` for a key only the others carry.
    pub selector: Sel,
    /// Other endpoints of the namespace the selector also picks (they carry the same labels).
    pub also: Vec<usize>,
}

impl Unit {
    pub fn reference(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Every endpoint's unit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Units {
    pub list: Vec<Unit>,
    /// Per endpoint (model index), its unit.
    pub of: Vec<usize>,
}

impl Units {
    /// `keeps`: whether a label key may be selected on (Cilium's identity label filter).
    pub fn build(cluster: &Cluster, keeps: &dyn Fn(&str) -> bool) -> Units {
        let model = cluster.model();
        // A pod's unit is the largest workload that names it: the Deployment over its ReplicaSet.
        let mut owner: HashMap<usize, (&str, usize)> = HashMap::new();
        for ((_, name), pods) in &model.workload_pods {
            for p in pods {
                let better = owner.get(p).is_none_or(|(n, size)| {
                    pods.len() > *size || (pods.len() == *size && name.as_str() < *n)
                });
                if better {
                    owner.insert(*p, (name.as_str(), pods.len()));
                }
            }
        }
        let mut keyed: BTreeMap<(String, String, u8), Vec<usize>> = BTreeMap::new();
        for e in &model.endpoints {
            let key = match owner.get(&e.index) {
                Some((name, _)) => (e.namespace.clone(), (*name).to_string(), 0),
                None => (e.namespace.clone(), e.name.clone(), 1 + e.kind as u8),
            };
            keyed.entry(key).or_default().push(e.index);
        }
        let mut list: Vec<Unit> = Vec::with_capacity(keyed.len());
        let mut of = vec![usize::MAX; model.endpoints.len()];
        let mut taken: BTreeSet<(String, String)> = BTreeSet::new();
        for ((ns, name, kind), endpoints) in keyed {
            // Two endpoints of one name (a Pod beside a template it does not belong to)
            // are two units; the second is told apart by its kind.
            let mut uname = name.clone();
            if !taken.insert((ns.clone(), uname.clone())) {
                let k = endpoints
                    .first()
                    .and_then(|i| model.endpoints.get(*i))
                    .map(|e| e.kind.as_str().to_ascii_lowercase())
                    .unwrap_or_default();
                uname = format!("{name}-{k}{kind}");
                taken.insert((ns.clone(), uname.clone()));
            }
            for i in &endpoints {
                if let Some(slot) = of.get_mut(*i) {
                    *slot = list.len();
                }
            }
            list.push(Unit {
                namespace: ns,
                name: uname,
                endpoints,
                selector: Sel::default(),
                also: Vec::new(),
            });
        }
        let mut by_ns: HashMap<&str, Vec<usize>> = HashMap::new();
        for e in &model.endpoints {
            by_ns.entry(e.namespace.as_str()).or_default().push(e.index);
        }
        for u in &mut list {
            let mine: BTreeSet<usize> = u.endpoints.iter().copied().collect();
            let others: Vec<&Endpoint> = by_ns
                .get(u.namespace.as_str())
                .into_iter()
                .flatten()
                .filter(|i| !mine.contains(i))
                .filter_map(|i| model.endpoints.get(*i))
                .collect();
            let members: Vec<&Endpoint> = u
                .endpoints
                .iter()
                .filter_map(|i| model.endpoints.get(*i))
                .collect();
            let (selector, also) = distinguish(&members, &others, keeps);
            u.selector = selector;
            u.also = also;
        }
        Units { list, of }
    }

    pub fn of_endpoint(&self, e: usize) -> Option<&Unit> {
        self.of.get(e).and_then(|u| self.list.get(*u))
    }
}

/// The labels every member carries (but volatile ones), fewest first, that leave out as
/// many of `others` as they can, then `DoesNotExist` for keys that only others carry;
/// and the others it still picks (they carry every label the members do, and no other).
fn distinguish(
    members: &[&Endpoint],
    others: &[&Endpoint],
    keeps: &dyn Fn(&str) -> bool,
) -> (Sel, Vec<usize>) {
    let Some(first) = members.first() else {
        return (Sel::default(), Vec::new());
    };
    let common: Labels = first
        .labels
        .iter()
        .filter(|(k, v)| {
            !VOLATILE.contains(&k.as_str())
                && keeps(k)
                && members.iter().all(|m| m.labels.get(*k) == Some(*v))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut order: Vec<&String> = PREFERRED
        .iter()
        .filter_map(|p| common.get_key_value(*p).map(|(k, _)| k))
        .collect();
    order.extend(common.keys().filter(|k| !PREFERRED.contains(&k.as_str())));
    let mut chosen = Labels::new();
    let mut left: Vec<&&Endpoint> = others.iter().collect();
    for k in order {
        let Some(v) = common.get(k) else { continue };
        let remaining: Vec<&&Endpoint> = left
            .iter()
            .copied()
            .filter(|o| o.labels.get(k) == Some(v))
            .collect();
        // A key earns its place when it leaves someone out, or when it is the first one
        // (a selector on nothing would pick the whole namespace).
        if remaining.len() < left.len() || chosen.is_empty() {
            chosen.insert(k.clone(), v.clone());
            left = remaining;
        }
        if left.is_empty() {
            break;
        }
    }
    let mut sel = Sel::labels(chosen);
    // Every pod still picked, in turn: one that carries exactly the members' labels
    // cannot be left out, but the ones after it may be.
    let mut i = 0;
    while let Some(o) = left.get(i) {
        // A key the other pod carries and no member does: requiring its absence leaves
        // it out (LabelSelectorRequirement DoesNotExist), and every other pod with it.
        let key = o.labels.keys().find(|k| {
            !VOLATILE.contains(&k.as_str())
                && keeps(k)
                && members.iter().all(|m| !m.labels.contains_key(*k))
        });
        match key {
            Some(k) => {
                sel.exprs
                    .push((k.clone(), "DoesNotExist".into(), Vec::new()));
                left.retain(|x| !x.labels.contains_key(k));
            }
            None => i += 1,
        }
    }
    let also: Vec<usize> = left.iter().map(|o| o.index).collect();
    (sel, also)
}
