//! meshverdict: network verdicts that know the service mesh.
//!
//! "May A reach B on port P, and why?" for Kubernetes clusters guarded by
//! NetworkPolicy, CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy and Linkerd,
//! from the manifests users already have. No IO here: callers hand in text.
//!
//! Data flows one way, and the module graph says so: [`source`] (text → documents) →
//! [`model`] (the inventory of objects) → [`compile`] (NetworkPolicy, Cilium and mesh
//! compilers; identity classes) → [`evaluate`] (verdicts over compiled data) →
//! [`explain`] / [`diagnose`]. [`cluster`] wires the stages for hosts.
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
//! // Many questions about the same endpoints: each reference resolved once, then asked
//! // by index (the hosts' `allowed_columns`).
//! let refs = ["shop/web", "shop/api"];
//! let roster = cluster.roster(&refs);
//! assert!(roster.allowed(0, 1, &PortRef::Number(8080), Protocol::Tcp)?);
//! assert!(!roster.allowed(0, 1, &PortRef::Number(9090), Protocol::Tcp)?);
//! # Ok::<(), meshverdict::Error>(())
//! ```

pub mod answer;
pub mod cluster;
pub mod compile;
pub mod conformance;
pub mod diagnose;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod findings;
pub mod gitops;
pub mod model;
pub mod ports;
pub mod refs;
pub mod selector;
pub mod source;
pub mod synthesize;
pub mod synthetic;

pub use answer::Answer;
pub use cluster::{Cluster, Dataplane, DataplaneChoice, Options};
pub use diagnose::{diagnose, diagnose_with, DiagnoseOptions, DEFAULT_MAX_FLOWS};
pub use error::{Error, ErrorCode, Location};
pub use evaluate::{PortRef, Query, Roster, Verdict};
pub use findings::{Diagnostic, Severity};
pub use model::Input;
pub use ports::Protocol;
