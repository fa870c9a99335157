//! meshverdict: network verdicts that know the service mesh.
//!
//! "May A reach B on port P, and why?" for Kubernetes clusters guarded by
//! NetworkPolicy, CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy and Linkerd,
//! from the manifests users already have. No IO here: callers hand in text.
//!
//! Data flows one way: [`source`] (text → documents) → [`model`] (objects) →
//! [`policy`] (compiled rules, per label identity) → [`verdict`] / [`diagnose`].
//!
//! ```
//! use meshverdict::{Cluster, Input, Options, Query, PortRef, Protocol};
//! let yaml = r#"
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: web, namespace: shop, labels: {app: web}}
//! spec: {containers: [{name: web}]}
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: api, namespace: shop, labels: {app: api}}
//! spec: {containers: [{name: api, ports: [{containerPort: 8080}]}]}
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: api-allow, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}]
//! "#;
//! let cluster = Cluster::load(&[Input { name: "shop.yaml", text: yaml }], Options::default())?;
//! let q = Query { from: "shop/web".into(), to: "shop/api".into(), port: PortRef::Number(8080), protocol: Protocol::Tcp };
//! assert!(cluster.verdict(&q)?.allowed);
//! let q = Query { port: PortRef::Number(9090), ..q };
//! assert!(!cluster.verdict(&q)?.allowed);
//! # Ok::<(), meshverdict::Error>(())
//! ```

pub mod answer;
pub mod cilium;
pub mod cluster;
pub mod conformance;
pub mod diagnose;
pub mod error;
pub mod explain;
pub mod findings;
pub mod gitops;
pub mod mesh;
pub mod model;
pub mod netpol;
pub mod policy;
pub mod ports;
pub mod selector;
pub mod source;
pub mod synthetic;
pub mod verdict;

pub use answer::Answer;
pub use cluster::{Cluster, Dataplane, Options};
pub use diagnose::{diagnose, Diagnostic};
pub use error::{Error, ErrorCode, Location};
pub use mesh::Severity;
pub use model::Input;
pub use ports::Protocol;
pub use verdict::{PortRef, Query, Verdict};
