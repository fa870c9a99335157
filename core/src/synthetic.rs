//! Deterministic synthetic clusters, for benchmarks and load tests (no randomness
//! source: the same sizes always give the same text).

use std::fmt::Write;

/// Sizes of a generated cluster.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub pods: usize,
    pub policies: usize,
    /// Pods per namespace.
    pub per_namespace: usize,
    /// Emit CiliumNetworkPolicies instead of half of the NetworkPolicies.
    pub cilium: bool,
}

impl Default for Shape {
    fn default() -> Self {
        Shape { pods: 5000, policies: 500, per_namespace: 100, cilium: false }
    }
}

/// A small linear congruential sequence: deterministic spread without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let n = n.max(1) as u64;
        ((self.0 >> 33) % n) as usize
    }
}

/// A multi-document YAML stream: namespaces, pods (with addresses and ports) and
/// policies mixing selectors, namespace selectors, ipBlocks, ports and named ports.
pub fn cluster_yaml(shape: Shape) -> String {
    let mut out = String::with_capacity(shape.pods * 400 + shape.policies * 600);
    let namespaces = shape.pods.div_ceil(shape.per_namespace.max(1)).max(1);
    let mut rng = Lcg(42);
    for n in 0..namespaces {
        let _ = write!(out, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n  labels: {{team: team-{}, env: {}}}\n---\n", n % 7, if n % 3 == 0 { "prod" } else { "dev" });
    }
    for p in 0..shape.pods {
        let ns = p % namespaces;
        let _ = write!(
            out,
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{p}\n  namespace: ns-{ns}\n  labels: {{app: app-{}, tier: tier-{}, version: v{}}}\nspec:\n  nodeName: node-{}\n  containers:\n  - name: main\n    ports:\n    - {{name: http, containerPort: {}}}\n    - {{name: metrics, containerPort: 9090}}\n    - {{name: dns, containerPort: 53, protocol: UDP}}\nstatus:\n  podIP: 10.{}.{}.{}\n---\n",
            p % 50,
            p % 5,
            p % 3,
            p % 20,
            8000 + (p % 10),
            (p >> 16) & 255,
            (p >> 8) & 255,
            p & 255
        );
    }
    for i in 0..shape.policies {
        let ns = rng.next(namespaces);
        let app = rng.next(50);
        let peer_app = rng.next(50);
        let team = rng.next(7);
        let port = 8000 + rng.next(10);
        if shape.cilium && i % 2 == 1 {
            let _ = write!(
                out,
                "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: cnp-{i}\n  namespace: ns-{ns}\nspecs:\n- endpointSelector:\n    matchLabels: {{app: app-{app}}}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {{app: app-{peer_app}}}\n    - matchLabels: {{\"k8s:io.cilium.k8s.namespace.labels.team\": team-{team}}}\n    toPorts:\n    - ports: [{{port: \"{port}\", protocol: TCP}}]\n  - fromEntities: [host, remote-node]\n  egress:\n  - toEndpoints:\n    - matchLabels: {{\"k8s:io.kubernetes.pod.namespace\": kube-system, \"k8s:k8s-app\": kube-dns}}\n  - toCIDRSet:\n    - {{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}\n  - toEndpoints: [{{}}]\n    toPorts:\n    - ports: [{{port: http, protocol: TCP}}]\n  ingressDeny:\n  - fromEndpoints:\n    - matchLabels: {{tier: tier-{}}}\n    toPorts:\n    - ports: [{{port: \"9090\", protocol: TCP}}]\n---\n",
                rng.next(5)
            );
            continue;
        }
        let _ = write!(
            out,
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{i}\n  namespace: ns-{ns}\nspec:\n  podSelector:\n    matchLabels: {{app: app-{app}}}\n  policyTypes: [Ingress{}]\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {{key: app, operator: In, values: [app-{peer_app}, app-{}]}}\n    - namespaceSelector:\n        matchLabels: {{team: team-{team}}}\n      podSelector:\n        matchLabels: {{tier: tier-{}}}\n    - ipBlock: {{cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}\n    ports:\n    - {{port: {port}}}\n    - {{port: metrics}}\n  - from:\n    - namespaceSelector:\n        matchExpressions:\n        - {{key: env, operator: NotIn, values: [prod]}}\n    ports:\n    - {{port: 8000, endPort: 8004}}\n",
            if i % 4 == 0 { ", Egress" } else { "" },
            (peer_app + 1) % 50,
            rng.next(5)
        );
        if i % 4 == 0 {
            let _ = write!(
                out,
                "  egress:\n  - to:\n    - namespaceSelector: {{}}\n      podSelector:\n        matchLabels: {{app: app-{}}}\n  - to:\n    - ipBlock: {{cidr: 10.0.0.0/8}}\n    ports:\n    - {{port: 53, protocol: UDP}}\n",
                rng.next(50)
            );
        }
        out.push_str("---\n");
    }
    out
}

/// `count` questions over the generated cluster, spread over pods and ports.
pub fn queries(shape: Shape, count: usize) -> Vec<crate::Query> {
    let mut rng = Lcg(7);
    let namespaces = shape.pods.div_ceil(shape.per_namespace.max(1)).max(1);
    (0..count)
        .map(|_| {
            let a = rng.next(shape.pods);
            let b = rng.next(shape.pods);
            let port = match rng.next(4) {
                0 => 9090,
                1 => 8000 + rng.next(10) as u16,
                2 => 8000 + (b % 10) as u16,
                _ => 443,
            };
            crate::Query {
                from: format!("ns-{}/pod-{a}", a % namespaces),
                to: format!("ns-{}/pod-{b}", b % namespaces),
                port: crate::PortRef::Number(port),
                protocol: crate::Protocol::Tcp,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cluster, Input, Options};

    #[test]
    fn generated_clusters_load_and_answer() {
        for cilium in [false, true] {
            let shape = Shape { pods: 200, policies: 40, per_namespace: 20, cilium };
            let yaml = cluster_yaml(shape);
            let cluster = Cluster::load(&[Input { name: "gen", text: &yaml }], Options::default());
            let Ok(cluster) = cluster else { return assert!(cluster.is_ok(), "{:?}", cluster.err()) };
            assert!(cluster.invalid_objects().next().is_none());
            assert_eq!(cluster.model().endpoints.len(), 200);
            let answers: Vec<bool> = queries(shape, 200).iter().filter_map(|q| cluster.verdict(q).ok()).map(|v| v.allowed).collect();
            assert_eq!(answers.len(), 200);
            // A mix, not a constant answer.
            assert!(answers.iter().any(|a| *a) && answers.iter().any(|a| !*a));
        }
    }
}
