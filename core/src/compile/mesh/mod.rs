//! The service mesh layer: what a mesh does to the packets the network sees, what it
//! authorizes on its own, and which flows it needs to live.
//!
//! Linkerd is the first implementation of [`Mesh`]; Istio (sidecar ports kept, ambient's
//! 15008 rewrite, istiod 15012/15017) is meant to be a second one of the same trait.

pub mod linkerd;

use serde::Serialize;

use crate::compile::party::Party;
use crate::model::{Endpoint, Model};
use crate::ports::Protocol;

/// The port a connection really uses on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct WirePort {
    pub port: u16,
    /// Why it differs from the application's port (absent when it does not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The mesh's own decision on a connection to a meshed endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MeshDecision {
    pub mesh: String,
    pub allowed: bool,
    /// The server (or default policy) that decided.
    pub server: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

pub use crate::findings::Severity;

/// Who takes part in a flow the mesh needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowEnd {
    Endpoint(usize),
    /// Every meshed endpoint (its proxy): one end for all of them, so that a cluster
    /// of 100,000 meshed pods has a handful of needs, judged per identity class.
    Meshed,
    /// The Kubernetes API server (its address, when the input gives one).
    ApiServer,
}

/// A flow the mesh needs for itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeededFlow {
    pub from: FlowEnd,
    pub to: FlowEnd,
    pub port: u16,
    pub protocol: Protocol,
    /// What breaks without it, e.g. "identity (certificates)".
    pub purpose: &'static str,
    pub severity: Severity,
}

/// A service mesh as the engine sees it.
pub trait Mesh {
    fn name(&self) -> &'static str;
    /// Whether the endpoint runs the mesh's proxy (or will, once injected).
    fn is_meshed(&self, index: usize) -> bool;
    /// The port the network sees when `src` connects to `dst` on the application's port.
    fn wire_port(
        &self,
        model: &Model,
        src: &Party,
        dst: &Party,
        port: u16,
        protocol: Protocol,
    ) -> WirePort;
    /// The mesh's authorization of a connection to a meshed endpoint (None: not judged).
    fn authorize(
        &self,
        model: &Model,
        src: &Party,
        dst: &Endpoint,
        port: u16,
        protocol: Protocol,
    ) -> Option<MeshDecision>;
    /// The flows the mesh needs, from its components and version in the input.
    fn needed_flows(&self, model: &Model) -> Vec<NeededFlow>;
    /// What the engine assumed (version, defaults), as `(code, message)`.
    fn assumptions(&self) -> Vec<(crate::findings::DiagnosticCode, String)>;
    /// The inbound port a meshed server receives meshed traffic on.
    fn inbound_port(&self, model: &Model, dst: usize) -> u16;
}
