//! What loading takes: the text (or bytes), a name for locations, the dataplane and the
//! limits, in a typed form for the hosts and a JSON form for everything else.

use meshverdict::source::{decode_utf8, Limits};
use meshverdict::{Dataplane, Error};
use serde::Deserialize;

use crate::args::{self, ArgumentError, Bad, Expected, Host, JsPart, JsType};

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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
        Ok(LoadOptions {
            name: self.name.clone(),
            dataplane,
            limits: self.limits.unwrap_or_default().resolve(),
        })
    }
}

/// The options of `Cluster.fromYaml` / `fromPath` in JavaScript.
pub const LOAD_OPTIONS_JS: [&str; 3] = ["dataplane", "name", "limits"];

/// JavaScript load options from the properties a host read: `(key, value)` for each own
/// property of the options object, and `("limits.KEY", value)` for each property of its
/// `limits` object (whose own entry is then `("limits", Other(Object))`).
pub fn js_load_options(entries: Vec<(String, JsPart)>) -> Result<LoadOptions, ArgumentError> {
    let host = Host::JavaScript;
    let mut out = LoadOptions::default();
    let mut limits = LimitsRequest::default();
    for (key, part) in entries {
        let unset = matches!(part, JsPart::Other(JsType::Undefined));
        match key.as_str() {
            _ if unset => {}
            "dataplane" => {
                out.dataplane = match part {
                    JsPart::Text(s) => args::dataplane(&s),
                    JsPart::Number(_) => Err(Bad::wrong_type(Expected::Dataplane, "number")),
                    JsPart::Other(t) => Err(Bad::wrong_type(Expected::Dataplane, t.name())),
                }
                .map_err(|b| b.named(host, "options.dataplane"))?;
            }
            "name" => {
                out.name =
                    Some(match part {
                        JsPart::Text(s) => s,
                        JsPart::Number(_) => {
                            return Err(Bad::wrong_type(Expected::Name, "number")
                                .named(host, "options.name"))
                        }
                        JsPart::Other(t) => {
                            return Err(Bad::wrong_type(Expected::Name, t.name())
                                .named(host, "options.name"))
                        }
                    });
            }
            "limits" => {
                match part {
                    JsPart::Other(JsType::Object | JsType::Null) => {}
                    JsPart::Number(_) => {
                        return Err(Bad::wrong_type(Expected::Limits, "number")
                            .named(host, "options.limits"))
                    }
                    JsPart::Text(_) => {
                        return Err(Bad::wrong_type(Expected::Limits, "string")
                            .named(host, "options.limits"))
                    }
                    JsPart::Other(t) => {
                        return Err(Bad::wrong_type(Expected::Limits, t.name())
                            .named(host, "options.limits"))
                    }
                }
            }
            k => match k.strip_prefix("limits.") {
                Some(limit) => {
                    let Some(index) = LIMIT_NAMES_JS.iter().position(|n| *n == limit) else {
                        return Err(ArgumentError::unknown_key(
                            "options.limits",
                            "property",
                            limit,
                            &LIMIT_NAMES_JS,
                        ));
                    };
                    let n = match part {
                        JsPart::Number(n) => args::limit_number(n),
                        JsPart::Text(_) => Err(Bad::wrong_type(Expected::Limit, "string")),
                        JsPart::Other(t) => Err(Bad::wrong_type(Expected::Limit, t.name())),
                    };
                    limits.set(
                        index,
                        n.map_err(|b| b.named(host, &format!("options.limits.{limit}")))?,
                    );
                }
                None => {
                    return Err(ArgumentError::unknown_key(
                        "options",
                        "property",
                        k,
                        &LOAD_OPTIONS_JS,
                    ))
                }
            },
        }
    }
    out.limits = limits.resolve();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_options() {
        let o = js_load_options(vec![
            ("dataplane".into(), JsPart::Text("cilium".into())),
            ("limits".into(), JsPart::Other(JsType::Object)),
            ("limits.maxObjects".into(), JsPart::Number(7.0)),
        ]);
        assert_eq!(
            o.as_ref().map(|o| (o.dataplane, o.limits.max_objects)),
            Ok((Some(Dataplane::Cilium), 7))
        );
        let e = js_load_options(vec![("dataPlane".into(), JsPart::Text("cilium".into()))])
            .err()
            .map(|e| e.message);
        assert_eq!(e.as_deref(), Some("options has no property 'dataPlane' (did you mean dataplane?); it takes dataplane, name, limits"));
        let e = js_load_options(vec![("limits.max_objects".into(), JsPart::Number(1.0))])
            .err()
            .map(|e| e.message);
        assert!(e.is_some_and(|m| m.contains("did you mean maxObjects?")));
        let e = js_load_options(vec![("limits.maxDepth".into(), JsPart::Number(0.5))]).err();
        assert_eq!(
            e.map(|e| e.message),
            Some("options.limits.maxDepth must be an integer of at least 1, not 0.5".to_string())
        );
        assert!(js_load_options(vec![("name".into(), JsPart::Other(JsType::Undefined))]).is_ok());
    }

    #[test]
    fn limits_default_where_not_given() {
        let l = LimitsRequest {
            max_objects: Some(3),
            ..LimitsRequest::default()
        }
        .resolve();
        assert_eq!(l.max_objects, 3);
        assert_eq!(l.max_depth, Limits::default().max_depth);
    }

    #[test]
    fn bad_utf8_is_located() {
        let e = Manifests::Bytes(b"kind: Pod\nname: \xff\n".to_vec())
            .into_text("bad.yaml")
            .err();
        let loc = e
            .and_then(|e| e.location)
            .map(|l| (l.source.clone(), l.line, l.offset));
        assert_eq!(loc, Some(("bad.yaml".to_string(), Some(2), Some(16))));
    }
}
