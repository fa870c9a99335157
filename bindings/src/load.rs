//! What loading takes: the text (or bytes), a name for locations, the dataplane and the
//! limits, in a typed form for the hosts and a JSON form for everything else.

use meshverdict::source::{decode_utf8, Limits};
use meshverdict::{Dataplane, Error};
use serde::Deserialize;

/// How to load, typed: what a host builds from its caller's arguments.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// What error locations call the text; `input` when not given.
    pub name: Option<String>,
    /// `None`: the dataplane the input shows (`auto`).
    pub dataplane: Option<Dataplane>,
    pub limits: Limits,
}

impl LoadOptions {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("input")
    }
}

/// The text to load: already text, or bytes that must be UTF-8.
#[derive(Debug, Clone)]
pub enum Manifests {
    Text(String),
    Bytes(Vec<u8>),
}

impl Manifests {
    /// The text; bytes that are not UTF-8 are a `parse-error` located at the first bad byte.
    pub fn into_text(self, source: &str) -> Result<String, Error> {
        match self {
            Manifests::Text(t) => Ok(t),
            Manifests::Bytes(b) => decode_utf8(source, b),
        }
    }
}

/// The limits a caller may set, each optional (the engine's default otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitsRequest {
    #[serde(default)]
    pub max_objects: Option<usize>,
    #[serde(default)]
    pub max_depth: Option<usize>,
    #[serde(default)]
    pub max_alias_nodes: Option<usize>,
}

/// The limit names as JavaScript writes them, then as Python writes them.
pub const LIMIT_NAMES_JS: [&str; 3] = ["maxObjects", "maxDepth", "maxAliasNodes"];
pub const LIMIT_NAMES_PY: [&str; 3] = ["max_objects", "max_depth", "max_alias_nodes"];

impl LimitsRequest {
    /// Sets one limit by its index in [`LIMIT_NAMES_JS`] / [`LIMIT_NAMES_PY`].
    pub fn set(&mut self, index: usize, value: usize) {
        match index {
            0 => self.max_objects = Some(value),
            1 => self.max_depth = Some(value),
            _ => self.max_alias_nodes = Some(value),
        }
    }

    pub fn resolve(self) -> Limits {
        let d = Limits::default();
        Limits {
            max_objects: self.max_objects.unwrap_or(d.max_objects),
            max_depth: self.max_depth.unwrap_or(d.max_depth),
            max_alias_nodes: self.max_alias_nodes.unwrap_or(d.max_alias_nodes),
        }
    }
}

/// Load manifests into a cluster: the JSON form (`{"yaml", "name"?, "dataplane"?, "limits"?}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadRequest {
    /// Multi-document YAML or JSON (what `kubectl get -o yaml` prints).
    pub yaml: String,
    /// A name for error locations (a file name); `input` by default.
    #[serde(default)]
    pub name: Option<String>,
    /// `auto` (the default), `generic`, `calico` or `cilium`.
    #[serde(default)]
    pub dataplane: Option<String>,
    #[serde(default)]
    pub limits: Option<LimitsRequest>,
}

impl LoadRequest {
    pub fn options(&self) -> Result<LoadOptions, Error> {
        let dataplane = match self.dataplane.as_deref() {
            None => None,
            Some(d) => Dataplane::parse_setting(d)?,
        };
        Ok(LoadOptions { name: self.name.clone(), dataplane, limits: self.limits.unwrap_or_default().resolve() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_where_not_given() {
        let l = LimitsRequest { max_objects: Some(3), ..LimitsRequest::default() }.resolve();
        assert_eq!(l.max_objects, 3);
        assert_eq!(l.max_depth, Limits::default().max_depth);
    }

    #[test]
    fn bad_utf8_is_located() {
        let e = Manifests::Bytes(b"kind: Pod\nname: \xff\n".to_vec()).into_text("bad.yaml").err();
        let loc = e.and_then(|e| e.location).map(|l| (l.source.clone(), l.line, l.offset));
        assert_eq!(loc, Some(("bad.yaml".to_string(), Some(2), Some(16))));
    }
}
