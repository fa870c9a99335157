//! Deterministic synthetic clusters, for benchmarks and load tests (no randomness
//! source: the same sizes always give the same text).
//!
//! Two shapes. The *bare* one (the default, and what `scripts/test.sh` and the host
//! benchmark use): Pods `ns-N/pod-N` and policies mixing every selector form. The
//! *live* one ([`Shape::workloads`] or [`Shape::meshed`] set): what `kubectl get -A -o
//! yaml` shows of a running cluster: Deployments owning ReplicaSets owning Pods (and a
//! few StatefulSets), `ownerReferences` and `pod-template-hash`, Services, Nodes,
//! kube-dns, the API server's EndpointSlice, Linkerd's control plane with injected
//! proxies in the meshed namespaces, and NetworkPolicies (and with [`Shape::cilium`],
//! Cilium policies) of every shape. Objects are written one flow mapping per line, so
//! that 150,000 pods and 10,000 policies stay near 200 MB.

use std::fmt::Write;

/// Sizes of a generated cluster.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub pods: usize,
    pub policies: usize,
    /// Pods per namespace.
    pub per_namespace: usize,
    /// Emit Cilium policies (CiliumNetworkPolicies, some cluster-wide) instead of half
    /// of the NetworkPolicies.
    pub cilium: bool,
    /// Workloads owning the pods (about ten pods each): the live shape. 0 with
    /// `meshed` 0: bare Pods.
    pub workloads: usize,
    /// Share of the application namespaces meshed by Linkerd (0.0 to 1.0); with any,
    /// Linkerd's control plane and linkerd-viz's Prometheus. Implies the live shape.
    pub meshed: f64,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            pods: 5000,
            policies: 500,
            per_namespace: 100,
            cilium: false,
            workloads: 0,
            meshed: 0.0,
        }
    }
}

impl Shape {
    /// The live shape's number of workloads (`None`: the bare shape).
    fn live_workloads(&self) -> Option<usize> {
        if self.workloads == 0 && self.meshed <= 0.0 {
            return None;
        }
        let w = if self.workloads == 0 {
            self.pods.div_ceil(10)
        } else {
            self.workloads
        };
        Some(w.clamp(1, self.pods.max(1)))
    }

    fn namespaces(&self) -> usize {
        self.pods.div_ceil(self.per_namespace.max(1)).max(1)
    }
}

/// A small linear congruential sequence: deterministic spread without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let n = n.max(1) as u64;
        ((self.0 >> 33) % n) as usize
    }
}

/// A multi-document YAML stream: the bare shape (namespaces, pods with addresses and
/// ports, policies mixing selectors, namespace selectors, ipBlocks, ports and named
/// ports), or the live shape when [`Shape::workloads`] or [`Shape::meshed`] is set.
pub fn cluster_yaml(shape: Shape) -> String {
    match shape.live_workloads() {
        Some(workloads) => Live::plan(shape, workloads).yaml(),
        None => bare_yaml(shape),
    }
}

/// The bare shape: namespaces, pods (with addresses and ports) and policies mixing
/// selectors, namespace selectors, ipBlocks, ports and named ports.
fn bare_yaml(shape: Shape) -> String {
    let mut out = String::with_capacity(shape.pods * 400 + shape.policies * 600);
    let namespaces = shape.namespaces();
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

/// Kubernetes' `SafeEncodeString` alphabet: pod-template-hash and pod name suffixes.
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

const APPS: [&str; 50] = [
    "web",
    "api",
    "checkout",
    "cart",
    "catalog",
    "search",
    "auth",
    "payments",
    "orders",
    "inventory",
    "shipping",
    "email",
    "recommend",
    "ads",
    "frontend",
    "gateway",
    "worker",
    "scheduler",
    "reports",
    "billing",
    "profile",
    "session",
    "media",
    "upload",
    "thumbs",
    "notify",
    "chat",
    "feed",
    "ledger",
    "fraud",
    "pricing",
    "quotes",
    "tax",
    "currency",
    "geo",
    "maps",
    "routing",
    "tracking",
    "returns",
    "reviews",
    "ratings",
    "loyalty",
    "coupons",
    "wishlist",
    "export",
    "import",
    "audit",
    "metrics-agg",
    "tenant",
    "admin",
];

const TIERS: [&str; 5] = ["frontend", "backend", "db", "cache", "batch"];

const LINKERD_VERSION: &str = "edge-25.5.1";

fn pick<'a>(list: &[&'a str], i: usize) -> &'a str {
    list.get(i % list.len().max(1)).copied().unwrap_or("x")
}

/// splitmix64: a well-spread hash of a counter, for names and uids.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn safe_char(n: u64) -> char {
    char::from(
        SAFE.get((n % SAFE.len() as u64) as usize)
            .copied()
            .unwrap_or(b'x'),
    )
}

/// `len` characters of the safe alphabet from a seed.
fn token(seed: u64, len: usize) -> String {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = mix(x);
            safe_char(x)
        })
        .collect()
}

/// A pod name suffix, unique among the pods of one workload (`k`), as random-looking as
/// the ReplicaSet controller's.
fn pod_suffix(seed: u64, k: usize) -> String {
    let base = SAFE.len();
    let mut tail = String::new();
    let mut rest = k;
    for _ in 0..2 {
        tail.insert(0, safe_char((rest % base) as u64));
        rest /= base;
    }
    while rest > 0 {
        tail.insert(0, safe_char((rest % base) as u64));
        rest /= base;
    }
    format!(
        "{}{tail}",
        token(seed ^ (k as u64).wrapping_mul(0x2545_F491_4F6C_DD1D), 3)
    )
}

fn uid(kind: u64, n: usize) -> String {
    let x = mix((kind << 48) ^ n as u64);
    let y = mix(x);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        x >> 32,
        (x >> 16) & 0xffff,
        x & 0xfff,
        0x8000 | (y & 0x3fff),
        (y >> 16) & 0xffff_ffff_ffff
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Controller {
    Deployment,
    StatefulSet,
}

/// A workload and its pods, pre-rendered: the flow-mapping bodies every object of it
/// shares.
struct Workload {
    namespace: String,
    name: String,
    controller: Controller,
    /// Template labels (the body of a flow mapping), without pod-template-hash.
    labels: String,
    /// What only the Pods carry: the injector's labels and annotations.
    pod_labels: String,
    annotations: String,
    pod_annotations: String,
    /// Template containers; the Pods' (with the proxy when meshed); init containers.
    containers: String,
    pod_containers: String,
    init: String,
    service_account: String,
    /// Global index of the first pod (for node and address) and the number of pods.
    first_pod: usize,
    pods: usize,
    hash: String,
    uid_seed: usize,
    /// The application's port and app id (policies pick from them).
    port: u16,
    app: usize,
    meshed: bool,
}

impl Workload {
    fn pod_name(&self, k: usize) -> String {
        match self.controller {
            Controller::Deployment => format!(
                "{}-{}-{}",
                self.name,
                self.hash,
                pod_suffix(mix(self.uid_seed as u64) ^ 0x5eed, k)
            ),
            Controller::StatefulSet => format!("{}-{k}", self.name),
        }
    }
}

/// The live shape, planned before it is written (the queries need the pod names too).
struct Live {
    shape: Shape,
    namespaces: usize,
    meshed_ns: Vec<bool>,
    nodes: usize,
    /// Application workloads, namespace by namespace; then the system ones.
    workloads: Vec<Workload>,
    apps: usize,
    /// Per application namespace, its workloads' range in `workloads`.
    ns_range: Vec<(usize, usize)>,
}

fn proxy_container() -> String {
    format!(
        "{{name: linkerd-proxy, image: \"cr.l5d.io/linkerd/proxy:{LINKERD_VERSION}\", ports: [{{name: linkerd-proxy, containerPort: 4143, protocol: TCP}}, {{name: linkerd-admin, containerPort: 4191, protocol: TCP}}], env: [{{name: LINKERD2_PROXY_INBOUND_LISTEN_ADDR, value: \"[::]:4143\"}}]}}"
    )
}

const PROXY_INIT: &str = "{name: linkerd-init, image: \"cr.l5d.io/linkerd/proxy-init:v2.4.2\", args: [--incoming-proxy-port, \"4143\", --outgoing-proxy-port, \"4140\", --proxy-uid, \"2102\", --inbound-ports-to-ignore, \"4190,4191\"]}";

/// The injector's labels on a pod of `controller` `name` in `ns`.
fn injector_labels(ns: &str, name: &str, controller: Controller) -> String {
    let kind = match controller {
        Controller::Deployment => "deployment",
        Controller::StatefulSet => "statefulset",
    };
    format!("linkerd.io/control-plane-ns: linkerd, linkerd.io/proxy-{kind}: {name}, linkerd.io/workload-ns: {ns}")
}

fn injector_annotations() -> String {
    format!("linkerd.io/created-by: \"linkerd/proxy-injector {LINKERD_VERSION}\", linkerd.io/proxy-version: {LINKERD_VERSION}, linkerd.io/inject: enabled")
}

impl Live {
    fn plan(shape: Shape, workloads: usize) -> Live {
        let namespaces = shape.namespaces();
        let meshed = shape.meshed.clamp(0.0, 1.0);
        // Spread evenly: namespace n is meshed when the running share crosses an integer.
        let meshed_ns: Vec<bool> = (0..namespaces)
            .map(|n| ((n + 1) as f64 * meshed).floor() > (n as f64 * meshed).floor())
            .collect();
        let nodes = shape.pods.div_ceil(30).max(1);
        let mut live = Live {
            shape,
            namespaces,
            meshed_ns,
            nodes,
            workloads: Vec::with_capacity(workloads + 8),
            apps: 0,
            ns_range: Vec::with_capacity(namespaces),
        };
        let (base, extra) = (shape.pods / workloads, shape.pods % workloads);
        let mut first_pod = 0;
        let mut w = 0;
        for ns in 0..namespaces {
            let start = live.workloads.len();
            let end_w = ((ns + 1) * workloads) / namespaces;
            let mut k = 0;
            while w < end_w {
                let pods = base + usize::from(w < extra);
                let app = (ns * 7 + k) % APPS.len();
                let wl = live.app_workload(ns, k, w, app, first_pod, pods);
                live.workloads.push(wl);
                first_pod += pods;
                w += 1;
                k += 1;
            }
            live.ns_range.push((start, live.workloads.len()));
        }
        live.apps = live.workloads.len();
        live.system_workloads(first_pod);
        live
    }

    fn app_workload(
        &self,
        ns: usize,
        k: usize,
        w: usize,
        app: usize,
        first_pod: usize,
        pods: usize,
    ) -> Workload {
        let namespace = format!("ns-{ns}");
        let app_name = pick(&APPS, app);
        let name = if k < APPS.len() {
            app_name.to_string()
        } else {
            format!("{app_name}-{k}")
        };
        let tier = app % TIERS.len();
        let version = (w / 3) % 3 + 1;
        let port = 8000 + (app % 10) as u16;
        let controller = if tier == 2 && k % 2 == 0 {
            Controller::StatefulSet
        } else {
            Controller::Deployment
        };
        let batch = tier == 4;
        let meshed = self.meshed_ns.get(ns).copied().unwrap_or(false) && !batch;
        let labels = format!(
            "app: {app_name}, app.kubernetes.io/name: {name}, tier: {}, version: v{version}",
            pick(&TIERS, tier)
        );
        let mut ports = format!("{{name: http, containerPort: {port}, protocol: TCP}}, {{name: metrics, containerPort: 9090, protocol: TCP}}");
        match tier {
            2 => ports.push_str(", {name: postgres, containerPort: 5432, protocol: TCP}"),
            3 => ports.push_str(", {name: redis, containerPort: 6379, protocol: TCP}"),
            _ => {}
        }
        let main = format!(
            "{{name: {name}, image: \"registry.example.com/shop/{app_name}:1.{version}.0\", ports: [{ports}], resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}}}"
        );
        let in_meshed_ns = self.meshed_ns.get(ns).copied().unwrap_or(false);
        let annotations = if in_meshed_ns && batch {
            "linkerd.io/inject: disabled".to_string()
        } else {
            String::new()
        };
        Workload {
            pod_labels: if meshed {
                injector_labels(&namespace, &name, controller)
            } else {
                String::new()
            },
            pod_annotations: if meshed {
                injector_annotations()
            } else {
                String::new()
            },
            pod_containers: if meshed {
                format!("{main}, {}", proxy_container())
            } else {
                main.clone()
            },
            init: if meshed {
                PROXY_INIT.to_string()
            } else {
                String::new()
            },
            service_account: if w % 3 == 0 {
                "default".to_string()
            } else {
                name.clone()
            },
            namespace,
            hash: token(mix(w as u64 + 1), 10),
            uid_seed: w,
            name,
            controller,
            labels,
            annotations,
            containers: main,
            first_pod,
            pods,
            port,
            app,
            meshed,
        }
    }

    /// kube-dns, and with a mesh Linkerd's control plane and linkerd-viz's Prometheus.
    fn system_workloads(&mut self, mut first_pod: usize) {
        let mut add = |live: &mut Live,
                       ns: &str,
                       name: &str,
                       labels: String,
                       containers: String,
                       meshed: bool,
                       pods: usize| {
            let seed = 1_000_000_000 + live.workloads.len();
            let controller = Controller::Deployment;
            let (pod_labels, pod_annotations, pod_containers, init) = if meshed {
                (
                    injector_labels(ns, name, controller),
                    injector_annotations(),
                    format!("{containers}, {}", proxy_container()),
                    PROXY_INIT.to_string(),
                )
            } else {
                (
                    String::new(),
                    String::new(),
                    containers.clone(),
                    String::new(),
                )
            };
            live.workloads.push(Workload {
                namespace: ns.to_string(),
                name: name.to_string(),
                controller,
                labels,
                pod_labels,
                annotations: String::new(),
                pod_annotations,
                containers,
                pod_containers,
                init,
                service_account: name.to_string(),
                first_pod,
                pods,
                hash: token(mix(seed as u64), 10),
                uid_seed: seed,
                port: 0,
                app: usize::MAX,
                meshed,
            });
            first_pod += pods;
        };
        add(
            self,
            "kube-system",
            "coredns",
            "k8s-app: kube-dns".into(),
            "{name: coredns, image: \"registry.k8s.io/coredns/coredns:v1.12.0\", args: [-conf, /etc/coredns/Corefile], ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53, protocol: TCP}, {name: metrics, containerPort: 9153, protocol: TCP}]}".into(),
            false,
            2,
        );
        if !self.meshed_ns.iter().any(|m| *m) {
            return;
        }
        let cp = |component: &str| {
            format!("linkerd.io/control-plane-component: {component}, linkerd.io/control-plane-ns: linkerd")
        };
        add(
            self,
            "linkerd",
            "linkerd-identity",
            cp("identity"),
            format!("{{name: identity, image: \"cr.l5d.io/linkerd/controller:{LINKERD_VERSION}\", args: [identity, -log-level=info], ports: [{{name: ident-grpc, containerPort: 8080, protocol: TCP}}, {{name: ident-admin, containerPort: 9990, protocol: TCP}}]}}"),
            true,
            1,
        );
        add(
            self,
            "linkerd",
            "linkerd-destination",
            cp("destination"),
            format!(
                "{{name: destination, image: \"cr.l5d.io/linkerd/controller:{LINKERD_VERSION}\", args: [destination, -outbound-transport-mode=transport-header], ports: [{{name: dest-grpc, containerPort: 8086, protocol: TCP}}, {{name: dest-admin, containerPort: 9996, protocol: TCP}}]}}, {{name: sp-validator, image: \"cr.l5d.io/linkerd/controller:{LINKERD_VERSION}\", ports: [{{name: sp-validator, containerPort: 8443, protocol: TCP}}]}}, {{name: policy, image: \"cr.l5d.io/linkerd/policy-controller:{LINKERD_VERSION}\", ports: [{{name: policy-grpc, containerPort: 8090, protocol: TCP}}, {{name: policy-admin, containerPort: 9990, protocol: TCP}}, {{name: policy-https, containerPort: 9443, protocol: TCP}}]}}"
            ),
            true,
            1,
        );
        add(
            self,
            "linkerd",
            "linkerd-proxy-injector",
            cp("proxy-injector"),
            format!("{{name: proxy-injector, image: \"cr.l5d.io/linkerd/controller:{LINKERD_VERSION}\", args: [proxy-injector], ports: [{{name: proxy-injector, containerPort: 8443, protocol: TCP}}, {{name: injector-admin, containerPort: 9995, protocol: TCP}}]}}"),
            true,
            1,
        );
        add(
            self,
            "linkerd-viz",
            "prometheus",
            "linkerd.io/extension: viz, component: prometheus, namespace: linkerd-viz".into(),
            "{name: prometheus, image: \"prom/prometheus:v3.2.1\", args: [--config.file=/etc/prometheus/prometheus.yml], ports: [{name: admin-http, containerPort: 9090, protocol: TCP}]}".into(),
            true,
            1,
        );
    }

    fn meshed(&self) -> bool {
        self.meshed_ns.iter().any(|m| *m)
    }

    fn node_ip(&self, node: usize) -> String {
        let n = node + 10;
        format!("172.20.{}.{}", (n >> 8) & 255, n & 255)
    }

    /// Node and address of global pod `p`: each node owns a /24 of 10.64.0.0/10.
    fn placement(&self, p: usize) -> (usize, String) {
        let node = p % self.nodes;
        let slot = p / self.nodes;
        (
            node,
            format!(
                "10.{}.{}.{}",
                64 + (node >> 8) % 64,
                node & 255,
                2 + slot % 250
            ),
        )
    }

    fn yaml(&self) -> String {
        let mut out =
            String::with_capacity(self.shape.pods * 1100 + self.shape.policies * 900 + (1 << 20));
        self.write_namespaces(&mut out);
        self.write_nodes(&mut out);
        for w in &self.workloads {
            self.write_workload(&mut out, w);
        }
        for w in &self.workloads {
            for k in 0..w.pods {
                self.write_pod(&mut out, w, k);
            }
        }
        self.write_services(&mut out);
        self.write_policies(&mut out);
        self.write_linkerd_policies(&mut out);
        out
    }

    fn write_namespaces(&self, out: &mut String) {
        let system = ["default", "kube-system", "kube-public", "kube-node-lease"];
        for ns in system {
            let _ = writeln!(out, "---\n{{apiVersion: v1, kind: Namespace, metadata: {{name: {ns}, labels: {{kubernetes.io/metadata.name: {ns}}}}}}}");
        }
        if self.meshed() {
            let _ = writeln!(out, "---\n{{apiVersion: v1, kind: Namespace, metadata: {{name: linkerd, labels: {{kubernetes.io/metadata.name: linkerd, linkerd.io/is-control-plane: \"true\", linkerd.io/control-plane-ns: linkerd, config.linkerd.io/admission-webhooks: disabled}}, annotations: {{linkerd.io/inject: disabled}}}}}}");
            let _ = writeln!(out, "---\n{{apiVersion: v1, kind: Namespace, metadata: {{name: linkerd-viz, labels: {{kubernetes.io/metadata.name: linkerd-viz, linkerd.io/extension: viz}}, annotations: {{linkerd.io/inject: enabled}}}}}}");
        }
        for n in 0..self.namespaces {
            let env = if n % 3 == 0 { "prod" } else { "dev" };
            let meshed = if self.meshed_ns.get(n).copied().unwrap_or(false) {
                ", annotations: {linkerd.io/inject: enabled}"
            } else {
                ""
            };
            let _ = writeln!(out, "---\n{{apiVersion: v1, kind: Namespace, metadata: {{name: ns-{n}, labels: {{kubernetes.io/metadata.name: ns-{n}, team: team-{}, env: {env}}}{meshed}}}}}", n % 7);
        }
    }

    fn write_nodes(&self, out: &mut String) {
        for n in 0..self.nodes {
            let role = if n == 0 {
                ", node-role.kubernetes.io/control-plane: \"\""
            } else {
                ""
            };
            let zone = ["a", "b", "c"].get(n % 3).copied().unwrap_or("a");
            let _ = writeln!(
                out,
                "---\n{{apiVersion: v1, kind: Node, metadata: {{name: node-{n}, labels: {{kubernetes.io/hostname: node-{n}, kubernetes.io/os: linux, topology.kubernetes.io/zone: zone-{zone}{role}}}}}, spec: {{podCIDR: 10.{}.{}.0/24}}, status: {{addresses: [{{type: InternalIP, address: {}}}, {{type: Hostname, address: node-{n}}}]}}}}",
                64 + (n >> 8) % 64,
                n & 255,
                self.node_ip(n)
            );
        }
    }

    fn template(w: &Workload, labels: &str) -> String {
        let annotations = if w.annotations.is_empty() {
            String::new()
        } else {
            format!(", annotations: {{{}}}", w.annotations)
        };
        format!("{{metadata: {{labels: {{{labels}}}{annotations}}}, spec: {{serviceAccountName: {}, containers: [{}]}}}}", w.service_account, w.containers)
    }

    fn write_workload(&self, out: &mut String, w: &Workload) {
        let (ns, name) = (&w.namespace, &w.name);
        let top = format!("labels: {{app.kubernetes.io/name: {name}}}");
        match w.controller {
            Controller::Deployment => {
                let _ = writeln!(
                    out,
                    "---\n{{apiVersion: apps/v1, kind: Deployment, metadata: {{name: {name}, namespace: {ns}, uid: {}, {top}}}, spec: {{replicas: {}, selector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}, template: {}}}, status: {{replicas: {pods}, readyReplicas: {pods}}}}}",
                    uid(1, w.uid_seed),
                    w.pods,
                    Self::template(w, &w.labels),
                    pods = w.pods
                );
                let labels = format!("{}, pod-template-hash: {}", w.labels, w.hash);
                let _ = writeln!(
                    out,
                    "---\n{{apiVersion: apps/v1, kind: ReplicaSet, metadata: {{name: {name}-{}, namespace: {ns}, uid: {}, {top}, ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: {name}, uid: {}, controller: true, blockOwnerDeletion: true}}]}}, spec: {{replicas: {}, selector: {{matchLabels: {{app.kubernetes.io/name: {name}, pod-template-hash: {}}}}}, template: {}}}}}",
                    w.hash,
                    uid(2, w.uid_seed),
                    uid(1, w.uid_seed),
                    w.pods,
                    w.hash,
                    Self::template(w, &labels)
                );
            }
            Controller::StatefulSet => {
                let _ = writeln!(
                    out,
                    "---\n{{apiVersion: apps/v1, kind: StatefulSet, metadata: {{name: {name}, namespace: {ns}, uid: {}, {top}}}, spec: {{replicas: {}, serviceName: {name}, selector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}, template: {}}}}}",
                    uid(1, w.uid_seed),
                    w.pods,
                    Self::template(w, &w.labels)
                );
            }
        }
        if w.service_account != "default" {
            let _ = writeln!(out, "---\n{{apiVersion: v1, kind: ServiceAccount, metadata: {{name: {}, namespace: {ns}}}}}", w.service_account);
        }
    }

    fn write_pod(&self, out: &mut String, w: &Workload, k: usize) {
        let p = w.first_pod + k;
        let name = w.pod_name(k);
        let (node, ip) = self.placement(p);
        let (labels, owner) = match w.controller {
            Controller::Deployment => (
                format!("{}, pod-template-hash: {}", w.labels, w.hash),
                format!("{{apiVersion: apps/v1, kind: ReplicaSet, name: {}-{}, uid: {}, controller: true, blockOwnerDeletion: true}}", w.name, w.hash, uid(2, w.uid_seed)),
            ),
            Controller::StatefulSet => (
                format!("{}, controller-revision-hash: {}-{}, statefulset.kubernetes.io/pod-name: {name}, apps.kubernetes.io/pod-index: \"{k}\"", w.labels, w.name, w.hash),
                format!("{{apiVersion: apps/v1, kind: StatefulSet, name: {}, uid: {}, controller: true, blockOwnerDeletion: true}}", w.name, uid(1, w.uid_seed)),
            ),
        };
        let labels = if w.pod_labels.is_empty() {
            labels
        } else {
            format!("{labels}, {}", w.pod_labels)
        };
        let annotations = match (w.annotations.is_empty(), w.pod_annotations.is_empty()) {
            (true, true) => String::new(),
            (false, true) => format!(", annotations: {{{}}}", w.annotations),
            (true, false) => format!(", annotations: {{{}}}", w.pod_annotations),
            (false, false) => format!(
                ", annotations: {{{}, {}}}",
                w.annotations, w.pod_annotations
            ),
        };
        let init = if w.init.is_empty() {
            String::new()
        } else {
            format!(", initContainers: [{}]", w.init)
        };
        let _ = writeln!(
            out,
            "---\n{{apiVersion: v1, kind: Pod, metadata: {{name: {name}, namespace: {}, uid: {}, labels: {{{labels}}}{annotations}, ownerReferences: [{owner}]}}, spec: {{nodeName: node-{node}, serviceAccountName: {}, containers: [{}]{init}}}, status: {{phase: Running, hostIP: {}, podIP: {ip}, podIPs: [{{ip: {ip}}}]}}}}",
            w.namespace,
            uid(3, p),
            w.service_account,
            w.pod_containers,
            self.node_ip(node)
        );
    }

    fn write_services(&self, out: &mut String) {
        let api = self.node_ip(0);
        let _ = writeln!(out, "---\n{{apiVersion: v1, kind: Service, metadata: {{name: kubernetes, namespace: default, labels: {{component: apiserver, provider: kubernetes}}}}, spec: {{clusterIP: 10.96.0.1, ports: [{{name: https, port: 443, targetPort: 6443, protocol: TCP}}]}}}}");
        let _ = writeln!(out, "---\n{{apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: {{name: kubernetes, namespace: default, labels: {{kubernetes.io/service-name: kubernetes, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}}}}, addressType: IPv4, endpoints: [{{addresses: [{api}], conditions: {{ready: true}}}}], ports: [{{name: https, port: 6443, protocol: TCP}}]}}");
        for (i, w) in self.workloads.iter().enumerate() {
            let cluster_ip = format!("10.96.{}.{}", ((i + 10) >> 8) & 255, (i + 10) & 255);
            let ports = match (w.namespace.as_str(), w.name.as_str()) {
                ("kube-system", "coredns") => {
                    let _ = writeln!(out, "---\n{{apiVersion: v1, kind: Service, metadata: {{name: kube-dns, namespace: kube-system, labels: {{k8s-app: kube-dns}}}}, spec: {{clusterIP: 10.96.0.10, selector: {{k8s-app: kube-dns}}, ports: [{{name: dns, port: 53, targetPort: 53, protocol: UDP}}, {{name: dns-tcp, port: 53, targetPort: 53, protocol: TCP}}, {{name: metrics, port: 9153, targetPort: 9153, protocol: TCP}}]}}}}");
                    continue;
                }
                ("linkerd", "linkerd-identity") => "{name: grpc, port: 8080, targetPort: 8080, protocol: TCP}".to_string(),
                ("linkerd", "linkerd-destination") => "{name: grpc, port: 8086, targetPort: 8086, protocol: TCP}, {name: policy-grpc, port: 8090, targetPort: 8090, protocol: TCP}, {name: sp-validator, port: 443, targetPort: sp-validator, protocol: TCP}".to_string(),
                ("linkerd", "linkerd-proxy-injector") => "{name: proxy-injector, port: 443, targetPort: proxy-injector, protocol: TCP}".to_string(),
                ("linkerd-viz", _) => "{name: admin-http, port: 9090, targetPort: 9090, protocol: TCP}".to_string(),
                _ => "{name: http, port: 80, targetPort: http, protocol: TCP}, {name: metrics, port: 9090, targetPort: metrics, protocol: TCP}".to_string(),
            };
            let _ = writeln!(
                out,
                "---\n{{apiVersion: v1, kind: Service, metadata: {{name: {0}, namespace: {1}, labels: {{app.kubernetes.io/name: {0}}}}}, spec: {{type: ClusterIP, clusterIP: {cluster_ip}, selector: {{app.kubernetes.io/name: {0}}}, ports: [{ports}]}}}}",
                w.name, w.namespace
            );
        }
        if self.shape.cilium {
            let _ = writeln!(out, "---\n{{apiVersion: v1, kind: ConfigMap, metadata: {{name: cilium-config, namespace: kube-system}}, data: {{cluster-name: default, enable-policy: default, identity-allocation-mode: crd}}}}");
            let _ = writeln!(out, "---\n{{apiVersion: apps/v1, kind: DaemonSet, metadata: {{name: cilium, namespace: kube-system, labels: {{k8s-app: cilium}}}}, spec: {{selector: {{matchLabels: {{k8s-app: cilium}}}}, template: {{metadata: {{labels: {{k8s-app: cilium}}}}, spec: {{hostNetwork: true, serviceAccountName: cilium, containers: [{{name: cilium-agent, image: \"quay.io/cilium/cilium:v1.18.1\"}}]}}}}}}}}");
        }
    }

    /// The application workloads of namespace `ns`.
    fn in_ns(&self, ns: usize) -> &[Workload] {
        let (a, z) = self.ns_range.get(ns).copied().unwrap_or((0, 0));
        self.workloads.get(a..z).unwrap_or_default()
    }

    /// The app label of the `j`th workload of namespace `ns` (one that exists).
    fn app_in(&self, ns: usize, j: usize) -> &'static str {
        let ws = self.in_ns(ns);
        match ws.get(j % ws.len().max(1)) {
            Some(w) => pick(&APPS, w.app),
            None => pick(&APPS, j),
        }
    }

    /// Policies round-robin over three namespaces in four (the rest have none); with
    /// Cilium every other one of each namespace is Cilium's. Each namespace gets the
    /// shapes in its own order.
    fn write_policies(&self, out: &mut String) {
        let n = (self.namespaces * 3 / 4).max(1);
        let mut cilium_count = 0usize;
        let mut netpols_in = vec![0usize; n];
        for i in 0..self.shape.policies {
            let ns = i % n;
            let round = i / n;
            if self.shape.cilium && (round + ns) % 2 == 1 {
                self.write_cilium(out, i, cilium_count, ns, round);
                cilium_count += 1;
            } else if let Some(k) = netpols_in.get_mut(ns) {
                self.write_netpol(out, i, ns, *k);
                *k += 1;
            }
        }
    }

    fn write_netpol(&self, out: &mut String, i: usize, ns: usize, round: usize) {
        let meshed = self.meshed_ns.get(ns).copied().unwrap_or(false);
        let x = self.app_in(ns, round);
        let y = self.app_in(ns, round + 1);
        let z = self.app_in((ns + 1) % self.namespaces.max(1), round);
        let team = (ns + round) % 7;
        const DNS: &str = "{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}";
        // Half the namespaces isolate every pod for ingress, two in three for egress.
        let shape = match (round + ns) % 8 {
            0 if ns % 2 == 1 => 3,
            1 if ns % 3 == 2 => 4,
            s => s,
        };
        let (name, spec) = match shape {
            0 => ("deny-all-ingress", "podSelector: {}, policyTypes: [Ingress]".to_string()),
            1 => {
                // Every fourth namespace forgets DNS; half the meshed ones let the proxies
                // reach the control plane.
                let mut rules = vec!["{to: [{podSelector: {}}]}".to_string()];
                if ns % 4 != 3 {
                    rules.push(DNS.to_string());
                }
                if meshed && round % 2 == 0 {
                    rules.push("{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: linkerd}}}], ports: [{port: 8080}, {port: 8086}, {port: 8090}]}".into());
                }
                ("egress-lockdown", format!("podSelector: {{}}, policyTypes: [Egress], egress: [{}]", rules.join(", ")))
            }
            2 => {
                // Now and then a label nobody carries any more.
                let subject = if i % 97 == 0 { format!("{x}-old") } else { x.to_string() };
                ("allow-app", format!("podSelector: {{matchLabels: {{app: {subject}}}}}, ingress: [{{from: [{{podSelector: {{matchExpressions: [{{key: app, operator: In, values: [{y}, {z}]}}]}}}}], ports: [{{port: http}}, {{port: 9090, protocol: TCP}}]}}]"))
            }
            3 => (
                "allow-team",
                format!("podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [frontend, backend]}}]}}, policyTypes: [Ingress], ingress: [{{from: [{{namespaceSelector: {{matchLabels: {{team: team-{team}}}}}, podSelector: {{matchLabels: {{tier: frontend}}}}}}], ports: [{{port: 8000, endPort: 8009}}]}}]"),
            ),
            4 => (
                "allow-non-prod",
                format!("podSelector: {{matchLabels: {{app: {x}}}}}, ingress: [{{from: [{{namespaceSelector: {{matchExpressions: [{{key: env, operator: NotIn, values: [prod]}}]}}}}, {{ipBlock: {{cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}}}], ports: [{{port: metrics}}]}}]"),
            ),
            5 => (
                "egress-versioned",
                format!("podSelector: {{matchExpressions: [{{key: version, operator: Exists}}, {{key: tier, operator: NotIn, values: [batch]}}]}}, policyTypes: [Egress], egress: [{{to: [{{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: {z}}}}}}}], ports: [{{port: http}}]}}, {{to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}}}}], ports: [{{port: 443}}]}}, {DNS}]"),
            ),
            6 if meshed => (
                "allow-linkerd",
                "podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {}, podSelector: {matchExpressions: [{key: linkerd.io/proxy-deployment, operator: Exists}]}}], ports: [{port: 4143}]}, {from: [{namespaceSelector: {matchLabels: {linkerd.io/extension: viz}}}], ports: [{port: 4191}]}]".to_string(),
            ),
            6 => (
                "allow-monitoring",
                format!("podSelector: {{matchExpressions: [{{key: canary, operator: DoesNotExist}}]}}, ingress: [{{from: [{{namespaceSelector: {{matchLabels: {{team: team-{team}}}}}, podSelector: {{matchLabels: {{tier: backend}}}}}}], ports: [{{port: metrics}}]}}]"),
            ),
            _ => (
                "allow-stores",
                "podSelector: {matchExpressions: [{key: tier, operator: In, values: [db, cache]}]}, ingress: [{from: [{podSelector: {matchLabels: {tier: backend}}}], ports: [{port: 6379}, {port: 5432}, {port: 5353, protocol: UDP}, {port: 9999, protocol: SCTP}]}]".to_string(),
            ),
        };
        let _ = writeln!(out, "---\n{{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {{name: {name}-{i}, namespace: ns-{ns}}}, spec: {{{spec}}}}}");
    }

    fn write_cilium(&self, out: &mut String, i: usize, j: usize, ns: usize, round: usize) {
        let meshed = self.meshed_ns.get(ns).copied().unwrap_or(false);
        let x = self.app_in(ns, round);
        let y = self.app_in(ns, round + 2);
        let other = (ns + 1 + round) % self.namespaces.max(1);
        let team = (ns + round) % 7;
        let tier = pick(&TIERS, j);
        if j % 100 == 49 {
            let _ = writeln!(out, "---\n{{apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy, metadata: {{name: host-fw-{i}}}, spec: {{nodeSelector: {{matchLabels: {{kubernetes.io/os: linux}}}}, ingress: [{{fromEntities: [cluster]}}, {{toPorts: [{{ports: [{{port: \"22\", protocol: TCP}}, {{port: \"6443\", protocol: TCP}}]}}]}}]}}}}");
            return;
        }
        if j % 10 == 9 {
            let spec = if j % 20 == 19 {
                format!("endpointSelector: {{matchLabels: {{\"k8s:io.kubernetes.pod.namespace\": ns-{ns}}}}}, egress: [{{toEndpoints: [{{matchLabels: {{\"k8s:io.kubernetes.pod.namespace\": kube-system, \"k8s:k8s-app\": kube-dns}}}}], toPorts: [{{ports: [{{port: \"53\", protocol: ANY}}]}}]}}, {{toEntities: [cluster]}}]")
            } else {
                format!("endpointSelector: {{matchLabels: {{tier: {tier}}}}}, ingress: [{{fromEntities: [cluster]}}], ingressDeny: [{{fromEntities: [world]}}, {{fromCIDRSet: [{{cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}]}}]")
            };
            let _ = writeln!(out, "---\n{{apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy, metadata: {{name: cluster-{tier}-{i}}}, spec: {{{spec}}}}}");
            return;
        }
        let (name, spec) = match j % 3 {
            0 => {
                let l7 = if j % 8 == 0 {
                    ", rules: {http: [{method: GET, path: \"/api/.*\"}]}"
                } else {
                    ""
                };
                (
                    "cnp-ingress",
                    format!("endpointSelector: {{matchLabels: {{app: {x}}}}}, ingress: [{{fromEndpoints: [{{matchLabels: {{app: {y}}}}}, {{matchLabels: {{\"k8s:io.cilium.k8s.namespace.labels.team\": team-{team}}}}}], toPorts: [{{ports: [{{port: http, protocol: TCP}}]{l7}}}]}}, {{fromEntities: [host, remote-node]}}], ingressDeny: [{{fromEndpoints: [{{matchLabels: {{tier: {tier}}}}}], toPorts: [{{ports: [{{port: \"9090\", protocol: TCP}}]}}]}}]"),
                )
            }
            1 => {
                let mut rules = vec![
                    "{toEndpoints: [{}]}".to_string(),
                    "{toEntities: [kube-apiserver]}".to_string(),
                ];
                if j % 4 != 1 {
                    rules.push("{toEndpoints: [{matchLabels: {\"k8s:io.kubernetes.pod.namespace\": kube-system, \"k8s:k8s-app\": kube-dns}}], toPorts: [{ports: [{port: \"53\", protocol: ANY}], rules: {dns: [{matchPattern: \"*\"}]}}]}".to_string());
                }
                rules.push("{toCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12]}], toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]}".to_string());
                rules.push("{toFQDNs: [{matchName: api.example.com}], toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]}".to_string());
                if meshed {
                    rules.push("{toEndpoints: [{matchLabels: {\"k8s:io.kubernetes.pod.namespace\": linkerd}}]}".to_string());
                }
                (
                    "cnp-egress",
                    format!("endpointSelector: {{}}, egress: [{}]", rules.join(", ")),
                )
            }
            _ => {
                let target = self
                    .in_ns(other)
                    .get(round % self.in_ns(other).len().max(1))
                    .map_or_else(|| "web".to_string(), |w| w.name.clone());
                (
                    "cnp-services",
                    format!("endpointSelector: {{matchExpressions: [{{key: tier, operator: In, values: [frontend, backend]}}]}}, egress: [{{toServices: [{{k8sService: {{serviceName: {target}, namespace: ns-{other}}}}}]}}, {{toEndpoints: [{{matchExpressions: [{{key: app, operator: NotIn, values: [{y}]}}]}}], toPorts: [{{ports: [{{port: \"8000\", endPort: 8009, protocol: TCP}}]}}]}}], egressDeny: [{{toCIDR: [169.254.169.254/32]}}]"),
                )
            }
        };
        // A few use the list form (`specs`).
        let body = if j % 6 == 5 {
            format!("specs: [{{{spec}}}]")
        } else {
            format!("spec: {{{spec}}}")
        };
        let _ = writeln!(out, "---\n{{apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: {{name: {name}-{i}, namespace: ns-{ns}}}, {body}}}");
    }

    /// Linkerd's own policy in every tenth meshed namespace: a Server on the first
    /// workload's http port, authorized for meshed clients of the namespace.
    fn write_linkerd_policies(&self, out: &mut String) {
        for ns in (0..self.namespaces).filter(|n| self.meshed_ns.get(*n).copied().unwrap_or(false))
        {
            if ns % 10 != 0 {
                continue;
            }
            let Some(w) = self.in_ns(ns).iter().find(|w| w.meshed) else {
                continue;
            };
            let app = pick(&APPS, w.app);
            let _ = writeln!(out, "---\n{{apiVersion: policy.linkerd.io/v1beta3, kind: Server, metadata: {{name: {app}-http, namespace: ns-{ns}}}, spec: {{podSelector: {{matchLabels: {{app: {app}}}}}, port: http, proxyProtocol: HTTP/1}}}}");
            let _ = writeln!(out, "---\n{{apiVersion: policy.linkerd.io/v1alpha1, kind: MeshTLSAuthentication, metadata: {{name: same-namespace, namespace: ns-{ns}}}, spec: {{identities: [\"*.ns-{ns}.serviceaccount.identity.linkerd.cluster.local\"]}}}}");
            let _ = writeln!(out, "---\n{{apiVersion: policy.linkerd.io/v1alpha1, kind: AuthorizationPolicy, metadata: {{name: {app}-http, namespace: ns-{ns}}}, spec: {{targetRef: {{group: policy.linkerd.io, kind: Server, name: {app}-http}}, requiredAuthenticationRefs: [{{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: same-namespace}}]}}}}");
        }
    }

    /// The reference of application pod `p` (global index).
    fn pod_ref(&self, p: usize) -> String {
        let apps = self.workloads.get(..self.apps).unwrap_or_default();
        let i = apps.partition_point(|w| w.first_pod + w.pods <= p);
        match apps.get(i) {
            Some(w) => format!("{}/{}", w.namespace, w.pod_name(p - w.first_pod)),
            None => String::new(),
        }
    }

    fn pod_port(&self, p: usize) -> u16 {
        let apps = self.workloads.get(..self.apps).unwrap_or_default();
        let i = apps.partition_point(|w| w.first_pod + w.pods <= p);
        apps.get(i).map_or(8000, |w| w.port)
    }
}

/// `count` questions over the generated cluster, spread over pods and ports.
pub fn queries(shape: Shape, count: usize) -> Vec<crate::Query> {
    let mut rng = Lcg(7);
    let namespaces = shape.namespaces();
    let live = shape.live_workloads().map(|w| Live::plan(shape, w));
    (0..count)
        .map(|_| {
            let a = rng.next(shape.pods);
            let b = rng.next(shape.pods);
            let port = match rng.next(4) {
                0 => 9090,
                1 => 8000 + rng.next(10) as u16,
                2 => live
                    .as_ref()
                    .map_or(8000 + (b % 10) as u16, |l| l.pod_port(b)),
                _ => 443,
            };
            let (from, to) = match &live {
                Some(l) => (l.pod_ref(a), l.pod_ref(b)),
                None => (
                    format!("ns-{}/pod-{a}", a % namespaces),
                    format!("ns-{}/pod-{b}", b % namespaces),
                ),
            };
            crate::Query {
                from,
                to,
                port: crate::PortRef::Number(port),
                protocol: crate::Protocol::Tcp,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cluster, Dataplane, Input, Options};

    fn load(yaml: &str, dataplane: Option<Dataplane>) -> Cluster {
        let cluster = Cluster::load(
            &[Input {
                name: "gen",
                text: yaml,
            }],
            Options {
                dataplane,
                ..Options::default()
            },
        );
        match cluster {
            Ok(c) => c,
            Err(e) => unreachable!("generated cluster does not load: {e:?}"),
        }
    }

    #[test]
    fn generated_clusters_load_and_answer() {
        for cilium in [false, true] {
            let shape = Shape {
                pods: 200,
                policies: 40,
                per_namespace: 20,
                cilium,
                ..Shape::default()
            };
            let yaml = cluster_yaml(shape);
            let cluster = load(&yaml, None);
            assert!(cluster.invalid_objects().next().is_none());
            assert_eq!(cluster.model().endpoints.len(), 200);
            let answers: Vec<bool> = queries(shape, 200)
                .iter()
                .filter_map(|q| cluster.verdict(q).ok())
                .map(|v| v.allowed)
                .collect();
            assert_eq!(answers.len(), 200);
            // A mix, not a constant answer.
            assert!(answers.iter().any(|a| *a) && answers.iter().any(|a| !*a));
        }
    }

    #[test]
    fn live_clusters_load_whole_and_answer() {
        for (cilium, meshed) in [(false, 0.0), (false, 0.5), (true, 0.5)] {
            let shape = Shape {
                pods: 400,
                policies: 120,
                per_namespace: 40,
                cilium,
                workloads: 40,
                meshed,
            };
            let yaml = cluster_yaml(shape);
            assert_eq!(yaml, cluster_yaml(shape), "deterministic");
            let dataplane = if cilium {
                Dataplane::Cilium
            } else {
                Dataplane::Generic
            };
            let cluster = load(&yaml, Some(dataplane));
            let invalid: Vec<String> = cluster
                .invalid_objects()
                .map(|i| i.error.message.clone())
                .collect();
            assert!(invalid.is_empty(), "{invalid:?}");
            let model = cluster.model();
            // Every app pod, kube-dns's two, and with a mesh its control plane and Prometheus.
            let system = if meshed > 0.0 { 6 } else { 2 };
            assert_eq!(model.endpoints.len(), 400 + system);
            assert!(model
                .endpoints
                .iter()
                .all(|e| e.kind == crate::model::EndpointKind::Pod));
            // Every workload (Deployment, its ReplicaSet, StatefulSet) owns pods of the input.
            assert!(
                model.workload_pods.len() > 40
                    && model.workload_pods.values().all(|pods| !pods.is_empty())
            );
            assert!(!model.api_server.is_empty());
            assert_eq!(cluster.mesh().is_some(), meshed > 0.0);
            if let Some(mesh) = cluster.mesh() {
                let meshed_pods = model
                    .endpoints
                    .iter()
                    .filter(|e| mesh.is_meshed(e.index))
                    .count();
                assert!(meshed_pods > 100 && meshed_pods < 300, "{meshed_pods}");
            }
            let qs = queries(shape, 300);
            let answers: Vec<bool> = qs
                .iter()
                .filter_map(|q| cluster.verdict(q).ok())
                .map(|v| v.allowed)
                .collect();
            assert_eq!(answers.len(), 300, "every question names a pod");
            assert!(answers.iter().any(|a| *a) && answers.iter().any(|a| !*a));
            let diagnostics = crate::diagnose(&cluster);
            assert!(!diagnostics.is_empty());
        }
    }
}
