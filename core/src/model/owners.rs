//! Who runs what: owner chains (a running pod counts once) and the dataplane agents.

use std::collections::HashMap;

use super::{EndpointKind, Model, OwnerRef};

impl Model {
    /// Cilium's agent (`quay.io/cilium/cilium`) and operator, and `calico/node`, by the
    /// images of workloads and Pods: what Helm charts and operators deploy. The agents
    /// run in the host network, so most are no endpoint: `read` notes those as it skips
    /// them (see [`Model::note_agent`]).
    pub(super) fn find_agents(&mut self) {
        let found: Vec<(EndpointKind, String, String, Vec<String>)> = self
            .endpoints
            .iter()
            .map(|e| {
                (
                    e.kind,
                    e.namespace.clone(),
                    e.name.clone(),
                    e.containers
                        .iter()
                        .filter_map(|c| c.image.clone())
                        .collect(),
                )
            })
            .collect();
        for (kind, ns, name, images) in found {
            self.note_agent(kind, &ns, &name, &images);
        }
    }

    /// Records a workload or Pod that runs Cilium's agent or operator, or calico-node.
    pub(super) fn note_agent(
        &mut self,
        kind: EndpointKind,
        namespace: &str,
        name: &str,
        images: &[String],
    ) {
        fn runs(images: &[String], repo: &str) -> bool {
            images.iter().any(|image| {
                // `registry/cilium/cilium:v1.18.1@sha256:…`: the repository path, without
                // tag or digest, ends with the image name.
                let path = image.split('@').next().unwrap_or(image);
                let path = match path.rsplit_once(':') {
                    Some((p, tag)) if !tag.contains('/') => p,
                    _ => path,
                };
                path == repo || path.ends_with(&format!("/{repo}"))
            })
        }
        let what = format!("{} {namespace}/{name}", kind.as_str());
        if runs(images, "cilium/cilium")
            || runs(images, "cilium/operator-generic")
            || runs(images, "cilium/operator")
        {
            self.signs.cilium_agents.push(what);
        } else if runs(images, "calico/node")
            || (kind == EndpointKind::DaemonSet && name == "calico-node")
        {
            self.signs.calico_nodes.push(what);
        }
    }

    /// A live dump (`kubectl get -o yaml`) holds a Deployment, the ReplicaSets it owns
    /// and their Pods, chained by `ownerReferences`: a running pod must count once.
    /// A workload owned by another workload of the input is no endpoint; a workload's
    /// template is an endpoint only when no Pod it owns (directly or through that
    /// chain) is in the input; a reference to such a workload names its Pods.
    /// Owners match by kind and name in the object's namespace (owners are always in
    /// the same namespace, API reference ObjectMeta.ownerReferences), and by uid when
    /// both sides give one (a recreated workload has a new uid).
    pub(super) fn resolve_owners(&mut self) {
        let mut workloads: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for (i, e) in self.endpoints.iter().enumerate() {
            if e.kind != EndpointKind::Pod {
                workloads.insert((e.namespace.as_str(), e.kind.as_str(), e.name.as_str()), i);
            }
        }
        if workloads.is_empty() {
            return;
        }
        let parent: Vec<Option<usize>> = self
            .endpoints
            .iter()
            .map(|e| {
                let mut owners: Vec<&OwnerRef> = e.owners.iter().collect();
                // The managing controller first: it is the owner that created the object.
                owners.sort_by_key(|o| !o.controller);
                owners.iter().find_map(|o| {
                    let i = *workloads.get(&(
                        e.namespace.as_str(),
                        o.kind.as_str(),
                        o.name.as_str(),
                    ))?;
                    let w = self.endpoints.get(i)?;
                    let uid_ok = match (&o.uid, &w.uid) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    };
                    uid_ok.then_some(i)
                })
            })
            .collect();
        let n = self.endpoints.len();
        let mut named_pods: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut has_parent = vec![false; n];
        for (i, p) in parent.iter().enumerate() {
            if p.is_some() {
                if let Some(slot) = has_parent.get_mut(i) {
                    *slot = true;
                }
            }
        }
        let mut roots: Vec<(usize, EndpointKind, String)> = Vec::new();
        for (i, e) in self.endpoints.iter().enumerate() {
            if e.kind != EndpointKind::Pod {
                continue;
            }
            // Walk up the chain; a cycle (malformed input) cannot loop: at most n steps.
            let mut at = parent.get(i).copied().flatten();
            let mut steps = 0;
            let mut top = None;
            while let Some(w) = at {
                if steps > n {
                    break;
                }
                steps += 1;
                if let Some(list) = named_pods.get_mut(w) {
                    list.push(i);
                }
                top = Some(w);
                at = parent.get(w).copied().flatten();
            }
            if let Some(w) = top.and_then(|w| self.endpoints.get(w)) {
                roots.push((i, w.kind, w.name.clone()));
            }
        }
        // The workload a pod belongs to: the top of its owner chain.
        for (i, kind, name) in roots {
            if let Some(e) = self.endpoints.get_mut(i) {
                e.workload = Some((kind, name));
            }
        }
        let keep: Vec<bool> = self
            .endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| {
                e.kind == EndpointKind::Pod
                    || (!has_parent.get(i).copied().unwrap_or(false)
                        && named_pods.get(i).is_none_or(Vec::is_empty))
            })
            .collect();
        if keep.iter().all(|k| *k) {
            return;
        }
        // Renumber: the kept endpoints keep their order.
        let mut new_index = vec![None; n];
        let mut next = 0;
        for (i, k) in keep.iter().enumerate() {
            if *k {
                if let Some(slot) = new_index.get_mut(i) {
                    *slot = Some(next);
                }
                next += 1;
            }
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            if keep.get(i).copied().unwrap_or(true) {
                continue;
            }
            let pods: Vec<usize> = named_pods
                .get(i)
                .into_iter()
                .flatten()
                .filter_map(|p| new_index.get(*p).copied().flatten())
                .collect();
            self.workload_pods
                .insert((e.namespace.clone(), e.name.clone()), pods);
        }
        let mut i = 0;
        self.endpoints.retain(|_| {
            let k = keep.get(i).copied().unwrap_or(true);
            i += 1;
            k
        });
        self.endpoint_index.clear();
    }
}
