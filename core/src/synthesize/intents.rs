//! The Intents document: what should talk to what.
//!
//! ```yaml
//! apiVersion: meshverdict/v1
//! kind: Intents
//! metadata: {name: shop}
//! spec:
//!   intents:
//!   - {from: shop/web, to: shop/api, ports: [8080]}
//!   - {from: {namespace: monitoring, selector: {matchLabels: {app: prometheus}}}, to: svc:shop/api}
//! ```
//!
//! Every field is checked where it is read, and an error names the document, the field
//! path and the YAML line, as the manifests' errors do (docs/intents.md).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorCode, Location, Result};
use crate::evaluate::PortRef;
use crate::model::{Model, Origin};
use crate::ports::{check_port_name, parse_cidr, Protocol};
use crate::selector::{check_dns_label, check_dns_subdomain, Selector};
use crate::source::{locate, parse_path, parse_stream, Limits};

/// One side of an intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum End {
    /// `NS/NAME`, `ip:ADDR`, `ip:CIDR`, `node:NAME`, and as destination `svc:NS/NAME`, `dns:NAME`.
    Ref(String),
    /// Pods a label selector picks, in one namespace or (`namespace` absent) in every one.
    #[serde(rename_all = "camelCase")]
    Pods {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
        selector: LabelSelector,
    },
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Ref(r) => f.write_str(r),
            End::Pods {
                namespace,
                selector,
            } => {
                let sel = Selector::compile(selector, "")
                    .map(|s| describe_selector(&s))
                    .unwrap_or_else(|_| "?".into());
                match namespace {
                    Some(ns) => write!(f, "pods {sel} in {ns}"),
                    None => write!(f, "pods {sel} in every namespace"),
                }
            }
        }
    }
}

/// A selector as people write it: `app=web,tier in (a,b)`; `{}` for everything.
pub fn describe_selector(s: &Selector) -> String {
    use crate::selector::Requirement as R;
    if s.is_empty() {
        return "{}".into();
    }
    s.requirements
        .iter()
        .map(|r| match r {
            R::In { key, values } if values.len() == 1 => format!(
                "{key}={}",
                values.iter().next().map(String::as_str).unwrap_or_default()
            ),
            R::In { key, values } => format!(
                "{key} in ({})",
                values.iter().cloned().collect::<Vec<_>>().join(",")
            ),
            R::NotIn { key, values } => format!(
                "{key} notin ({})",
                values.iter().cloned().collect::<Vec<_>>().join(",")
            ),
            R::Exists { key } => key.clone(),
            R::DoesNotExist { key } => format!("!{key}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One intent: `from` may reach `to` on `ports`/`protocol`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    pub from: End,
    pub to: End,
    /// Numbers or named ports of the destination (of a Service: its ports); absent: every port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<PortRef>>,
    /// Absent: TCP, or with `ports` absent too, every protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where it is written; absent for intents reduced from observed flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// What it was reduced from (observed flows), for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Intent {
    pub fn new(
        from: End,
        to: End,
        ports: Option<Vec<PortRef>>,
        protocol: Option<Protocol>,
    ) -> Intent {
        Intent {
            from,
            to,
            ports,
            protocol,
            description: None,
            location: None,
            origin: None,
        }
    }

    /// `shop/web → shop/api 8080/TCP`, the form comments and the proof use.
    pub fn summary(&self) -> String {
        let what = match (&self.ports, self.protocol) {
            (None, None) => "every port".to_string(),
            (None, Some(p)) => format!("every {p} port"),
            (Some(ports), p) => {
                let p = p.unwrap_or(Protocol::Tcp);
                ports
                    .iter()
                    .map(|x| format!("{x}/{p}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        format!("{} → {} {what}", self.from, self.to)
    }
}

/// The intents of one or more documents, numbered from 1 in the order given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Intents {
    pub items: Vec<Intent>,
}

/// The document being read: where its fields are.
struct Doc<'a> {
    origin: &'a Origin,
    text: Option<&'a str>,
    name: String,
}

impl Doc<'_> {
    fn error(&self, path: &str, message: impl Into<String>) -> Error {
        let full = self.origin.path(path);
        let line = self
            .text
            .and_then(|t| locate(t, self.origin.document, &parse_path(&full)));
        Error::new(
            ErrorCode::InvalidField,
            format!("Intents {}: {path}: {}", self.name, message.into()),
        )
        .at(self.origin.location(Some(path), line))
        .with_help("see docs/intents.md for the format")
    }

    fn location(&self, path: &str) -> Location {
        let full = self.origin.path(path);
        let line = self
            .text
            .and_then(|t| locate(t, self.origin.document, &parse_path(&full)));
        self.origin.location(Some(path), line)
    }
}

impl Intents {
    /// Reads every Intents document of a text (other kinds are ignored).
    pub fn parse(source: &str, text: &str) -> Result<Intents> {
        let docs = parse_stream(source, text, Limits::default())?;
        let kept: Vec<(Origin, Value)> = docs
            .into_iter()
            .filter(|d| d.value.get("kind").and_then(Value::as_str) == Some("Intents"))
            .map(|d| {
                (
                    Origin {
                        source: source.to_string(),
                        document: d.index,
                        prefix: String::new(),
                        line: d.line,
                    },
                    d.value,
                )
            })
            .collect();
        if kept.is_empty() {
            return Err(Error::new(ErrorCode::InvalidField, format!("{source}: no `kind: Intents` document"))
                .with_help("an intents file holds `apiVersion: meshverdict/v1`, `kind: Intents` and `spec.intents` (docs/intents.md)")
                .at(Location { source: source.to_string(), ..Location::default() }));
        }
        let mut out = Intents::default();
        for (origin, v) in &kept {
            out.read(origin, v, Some(text))?;
        }
        Ok(out)
    }

    /// The Intents documents the cluster's own inputs hold (`None`: there are none).
    pub fn from_model(model: &Model) -> Result<Option<Intents>> {
        if model.intents.is_empty() {
            return Ok(None);
        }
        let mut out = Intents::default();
        for (origin, v) in &model.intents {
            out.read(origin, v, model.text(&origin.source))?;
        }
        Ok(Some(out))
    }

    fn read(&mut self, origin: &Origin, v: &Value, text: Option<&str>) -> Result<()> {
        let name = v
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed)")
            .to_string();
        let doc = Doc { origin, text, name };
        match v.get("apiVersion").and_then(Value::as_str) {
            Some("meshverdict/v1") => {}
            other => {
                return Err(doc.error(
                    "apiVersion",
                    format!("expected meshverdict/v1, got {other:?}"),
                ))
            }
        }
        let Some(spec) = v.get("spec").and_then(Value::as_object) else {
            return Err(doc.error("spec", "is required: a mapping with `intents`"));
        };
        for key in spec.keys() {
            if key != "intents" && key != "description" {
                return Err(doc.error(
                    &format!("spec.{key}"),
                    "unknown field (expected intents, description)",
                ));
            }
        }
        let Some(items) = spec.get("intents").and_then(Value::as_array) else {
            return Err(doc.error(
                "spec.intents",
                "is required: a list of {from, to, ports, protocol}",
            ));
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("spec.intents[{i}]");
            self.items.push(read_intent(&doc, &at, item)?);
        }
        Ok(())
    }
}

fn read_intent(doc: &Doc, at: &str, v: &Value) -> Result<Intent> {
    let Some(map) = v.as_object() else {
        return Err(doc.error(at, "must be a mapping {from, to, ports, protocol}"));
    };
    for key in map.keys() {
        if !matches!(
            key.as_str(),
            "from" | "to" | "ports" | "protocol" | "description"
        ) {
            return Err(doc.error(
                &format!("{at}.{key}"),
                "unknown field (expected from, to, ports, protocol, description)",
            ));
        }
    }
    let from = read_end(doc, &format!("{at}.from"), map.get("from"), false)?;
    let to = read_end(doc, &format!("{at}.to"), map.get("to"), true)?;
    let ports = match map.get("ports") {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => {
            if list.is_empty() {
                return Err(doc.error(
                    &format!("{at}.ports"),
                    "is empty: leave `ports` out for every port",
                ));
            }
            let mut out = Vec::new();
            for (j, p) in list.iter().enumerate() {
                out.push(read_port(doc, &format!("{at}.ports[{j}]"), p)?);
            }
            Some(out)
        }
        Some(_) => {
            return Err(doc.error(
                &format!("{at}.ports"),
                "must be a list of port numbers or names",
            ))
        }
    };
    let protocol = match map.get("protocol") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Protocol::parse(s).ok_or_else(|| {
            doc.error(
                &format!("{at}.protocol"),
                format!("unsupported protocol {s:?} (TCP, UDP or SCTP)"),
            )
        })?),
        Some(_) => return Err(doc.error(&format!("{at}.protocol"), "must be TCP, UDP or SCTP")),
    };
    if let (End::Ref(r), Some(ports)) = (&to, &ports) {
        if r.starts_with("dns:") || r.starts_with("ip:") {
            if let Some((j, name)) = ports.iter().enumerate().find_map(|(j, p)| match p {
                PortRef::Name(n) => Some((j, n)),
                PortRef::Number(_) => None,
            }) {
                return Err(doc.error(&format!("{at}.ports[{j}]"), format!("the named port {name:?} cannot be resolved on {r}, which is no pod: give its number")));
            }
        }
    }
    let description = map
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Intent {
        from,
        to,
        ports,
        protocol,
        description,
        location: Some(doc.location(at)),
        origin: None,
    })
}

fn read_port(doc: &Doc, at: &str, v: &Value) -> Result<PortRef> {
    match v {
        Value::Number(n) => {
            let p = n
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p >= 1);
            p.map(PortRef::Number)
                .ok_or_else(|| doc.error(at, format!("{n} is not a port (1-65535)")))
        }
        Value::String(s) => {
            if let Ok(n) = s.parse::<u16>() {
                return if n >= 1 {
                    Ok(PortRef::Number(n))
                } else {
                    Err(doc.error(at, "0 is not a port (1-65535)"))
                };
            }
            check_port_name(s).map_err(|m| doc.error(at, m))?;
            Ok(PortRef::Name(s.clone()))
        }
        _ => Err(doc.error(at, "must be a port number or a named port")),
    }
}

fn read_end(doc: &Doc, at: &str, v: Option<&Value>, destination: bool) -> Result<End> {
    match v {
        None | Some(Value::Null) => Err(doc.error(at, "is required")),
        Some(Value::String(s)) => {
            check_reference(s, destination).map_err(|m| doc.error(at, m))?;
            Ok(End::Ref(s.clone()))
        }
        Some(Value::Object(map)) => {
            for key in map.keys() {
                if key != "namespace" && key != "selector" {
                    return Err(doc.error(
                        &format!("{at}.{key}"),
                        "unknown field (expected namespace, selector)",
                    ));
                }
            }
            let namespace = match map.get("namespace") {
                None | Some(Value::Null) => None,
                Some(Value::String(ns)) => {
                    check_dns_label(ns).map_err(|m| doc.error(&format!("{at}.namespace"), m))?;
                    Some(ns.clone())
                }
                Some(_) => {
                    return Err(doc.error(&format!("{at}.namespace"), "must be a namespace name"))
                }
            };
            let Some(sel) = map.get("selector") else {
                return Err(doc.error(&format!("{at}.selector"), "is required: a label selector (matchLabels, matchExpressions; {} for every pod)"));
            };
            let selector: LabelSelector = serde_path_to_error::deserialize(sel).map_err(|e| {
                let p = e.path().to_string();
                let path = if p == "." {
                    format!("{at}.selector")
                } else {
                    format!("{at}.selector.{p}")
                };
                doc.error(&path, e.into_inner().to_string())
            })?;
            Selector::compile(&selector, &format!("{at}.selector"))
                .map_err(|p| doc.error(&p.path, p.message))?;
            Ok(End::Pods {
                namespace,
                selector,
            })
        }
        Some(_) => Err(doc.error(
            at,
            "must be a reference (NAMESPACE/NAME, ip:, …) or {namespace, selector}",
        )),
    }
}

/// Checks the syntax of a reference; whether it names something is the cluster's to say.
fn check_reference(s: &str, destination: bool) -> std::result::Result<(), String> {
    if let Some(addr) = s.strip_prefix("ip:") {
        if addr.contains('/') {
            return parse_cidr(addr).map(|_| ());
        }
        return addr
            .parse::<std::net::IpAddr>()
            .map(|_| ())
            .map_err(|_| format!("{addr:?} is not an IP address or CIDR"));
    }
    if let Some(name) = s.strip_prefix("node:") {
        return check_dns_subdomain(name);
    }
    if let Some(name) = s.strip_prefix("dns:") {
        if !destination {
            return Err(format!(
                "{s}: a DNS name is an outside destination; it cannot be a source"
            ));
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err(format!("{name:?} is not a DNS name"));
        }
        return Ok(());
    }
    let (rest, what) = match s.strip_prefix("svc:") {
        Some(rest) if destination => (rest, "svc:NAMESPACE/NAME"),
        Some(_) => return Err(format!("{s}: a Service can only be a destination")),
        None => (s, "NAMESPACE/NAME"),
    };
    let Some((ns, name)) = rest.split_once('/') else {
        return Err(format!(
            "{s:?}: expected {what}, ip:ADDRESS, ip:CIDR, node:NAME{}",
            if destination {
                ", svc:NAMESPACE/NAME or dns:NAME"
            } else {
                ""
            }
        ));
    };
    check_dns_label(ns)?;
    check_dns_subdomain(name)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;

    #[test]
    fn reads_every_form_and_locates_errors() {
        let text = "apiVersion: meshverdict/v1\nkind: Intents\nmetadata: {name: t}\nspec:\n  intents:\n  - {from: shop/web, to: shop/api, ports: [8080, http]}\n  - from: {namespace: mon, selector: {matchLabels: {app: prom}}}\n    to: svc:shop/api\n  - {from: ip:10.0.0.0/8, to: dns:example.com, ports: [443], protocol: TCP}\n";
        let i = Intents::parse("i.yaml", text).unwrap();
        assert_eq!(i.items.len(), 3);
        assert_eq!(
            i.items[0].ports,
            Some(vec![PortRef::Number(8080), PortRef::Name("http".into())])
        );
        assert!(matches!(&i.items[1].from, End::Pods { namespace: Some(n), .. } if n == "mon"));
        assert_eq!(i.items[1].location.as_ref().and_then(|l| l.line), Some(7));
        let bad = text.replace("ports: [443]", "ports: [70000]");
        let e = Intents::parse("i.yaml", &bad).unwrap_err();
        assert_eq!(
            e.location.as_ref().and_then(|l| l.path.clone()).as_deref(),
            Some("spec.intents[2].ports[0]")
        );
        assert_eq!(e.location.as_ref().and_then(|l| l.line), Some(9));
        let bad = text.replace("to: svc:shop/api", "to: svc:shop");
        assert!(Intents::parse("i.yaml", &bad)
            .unwrap_err()
            .message
            .contains("svc:NAMESPACE/NAME"));
        let bad = text.replace("from: shop/web", "from: dns:x.io");
        assert!(Intents::parse("i.yaml", &bad).is_err());
        let bad = text.replace(
            "matchLabels: {app: prom}",
            "matchExpressions: [{key: app, operator: In}]",
        );
        let e = Intents::parse("i.yaml", &bad).unwrap_err();
        assert!(
            e.location
                .unwrap()
                .path
                .unwrap()
                .contains("matchExpressions[0].values"),
            "{}",
            e.message
        );
    }
}
