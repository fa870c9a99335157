//! Label selectors, with the API server's validation, compiled once and matched often.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::Serialize;

/// Labels of an object.
pub type Labels = BTreeMap<String, String>;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", tag = "op")]
pub enum Requirement {
    In {
        key: String,
        values: BTreeSet<String>,
    },
    NotIn {
        key: String,
        values: BTreeSet<String>,
    },
    Exists {
        key: String,
    },
    DoesNotExist {
        key: String,
    },
}

impl Requirement {
    pub fn key(&self) -> &str {
        match self {
            Requirement::In { key, .. }
            | Requirement::NotIn { key, .. }
            | Requirement::Exists { key }
            | Requirement::DoesNotExist { key } => key,
        }
    }

    /// Whether `value` (the label's value, if the object has the key) satisfies this.
    pub fn admits(&self, value: Option<&str>) -> bool {
        match self {
            Requirement::In { values, .. } => value.is_some_and(|v| values.contains(v)),
            // NotIn also matches objects that lack the key (LabelSelectorRequirement).
            Requirement::NotIn { values, .. } => value.is_none_or(|v| !values.contains(v)),
            Requirement::Exists { .. } => value.is_some(),
            Requirement::DoesNotExist { .. } => value.is_none(),
        }
    }
}

/// A compiled label selector: all requirements must hold; no requirement matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

/// A problem with a selector, relative to the selector's own path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub path: String,
    pub message: String,
}

impl Selector {
    pub fn everything() -> Self {
        Selector::default()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements
            .iter()
            .all(|r| r.admits(labels.get(r.key()).map(String::as_str)))
    }

    /// Matches against a label lookup function, for label sets that are not a plain map
    /// (Cilium's sourced identity labels).
    pub fn matches_with<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.requirements.iter().all(|r| r.admits(get(r.key())))
    }

    /// Compiles a Kubernetes LabelSelector, validating it as the API server does
    /// (apimachinery `ValidateLabelSelector`): label keys and values, operators, and
    /// `values` present exactly for In/NotIn.
    pub fn compile(ls: &LabelSelector, path: &str) -> Result<Selector, FieldProblem> {
        Selector::compile_keys(ls, path, |k| check_label_key(k).map(|()| k.to_string()))
    }

    /// Like [`Selector::compile`], with the key checked and rewritten by `key_fn`
    /// (Cilium keys carry a source prefix that Kubernetes label keys do not allow).
    pub fn compile_keys(
        ls: &LabelSelector,
        path: &str,
        key_fn: impl Fn(&str) -> Result<String, String>,
    ) -> Result<Selector, FieldProblem> {
        let mut requirements = Vec::new();
        if let Some(ml) = &ls.match_labels {
            for (k, v) in ml {
                let k = &key_fn(k).map_err(|m| FieldProblem {
                    path: format!("{path}.matchLabels"),
                    message: m,
                })?;
                check_label_value(v).map_err(|m| FieldProblem {
                    path: format!("{path}.matchLabels[\"{k}\"]"),
                    message: m,
                })?;
                requirements.push(Requirement::In {
                    key: k.clone(),
                    values: BTreeSet::from([v.clone()]),
                });
            }
        }
        for (i, e) in ls.match_expressions.iter().flatten().enumerate() {
            let at = format!("{path}.matchExpressions[{i}]");
            let key = key_fn(&e.key).map_err(|m| FieldProblem {
                path: format!("{at}.key"),
                message: m,
            })?;
            let values: BTreeSet<String> = e.values.iter().flatten().cloned().collect();
            let has_values = e.values.as_ref().is_some_and(|v| !v.is_empty());
            let req = match e.operator.as_str() {
                "In" | "NotIn" => {
                    if !has_values {
                        return Err(FieldProblem {
                            path: format!("{at}.values"),
                            message: format!("must be specified when `operator` is '{}'", e.operator),
                        });
                    }
                    for (j, v) in e.values.iter().flatten().enumerate() {
                        check_label_value(v)
                            .map_err(|m| FieldProblem { path: format!("{at}.values[{j}]"), message: m })?;
                    }
                    if e.operator == "In" {
                        Requirement::In { key, values }
                    } else {
                        Requirement::NotIn { key, values }
                    }
                }
                "Exists" | "DoesNotExist" => {
                    if has_values {
                        return Err(FieldProblem {
                            path: format!("{at}.values"),
                            message: format!("may not be specified when `operator` is '{}'", e.operator),
                        });
                    }
                    if e.operator == "Exists" {
                        Requirement::Exists { key }
                    } else {
                        Requirement::DoesNotExist { key }
                    }
                }
                other => {
                    return Err(FieldProblem {
                        path: format!("{at}.operator"),
                        message: format!("not a valid selector operator: {other:?} (In, NotIn, Exists, DoesNotExist)"),
                    })
                }
            };
            requirements.push(req);
        }
        Ok(Selector { requirements })
    }
}

impl Selector {
    /// Parses a selector as `kubectl -l` takes it: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
    /// `k notin (a,b)`, `k` (exists), `!k` (does not exist), comma-separated, ANDed.
    pub fn parse_kubectl(s: &str) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        let mut rest = s.trim();
        while !rest.is_empty() {
            // One requirement runs to the next comma outside parentheses.
            let mut depth = 0usize;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let part = rest.get(..end).unwrap_or_default().trim();
            rest = rest.get(end + 1..).unwrap_or_default().trim();
            if part.is_empty() {
                return Err(format!("empty requirement in selector {s:?}"));
            }
            let set = |list: &str| -> Result<BTreeSet<String>, String> {
                let inner = list
                    .trim()
                    .strip_prefix('(')
                    .and_then(|l| l.strip_suffix(')'))
                    .ok_or_else(|| format!("expected (v1,v2) in {part:?}"))?;
                let values: BTreeSet<String> = inner
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect();
                for v in &values {
                    check_label_value(v)?;
                }
                if values.is_empty() {
                    return Err(format!("{part:?} needs at least one value"));
                }
                Ok(values)
            };
            let key_ok = |k: &str| check_label_key(k.trim()).map(|()| k.trim().to_string());
            let words: Vec<&str> = part.split_whitespace().collect();
            let req = if let Some(k) = part.strip_prefix('!') {
                Requirement::DoesNotExist { key: key_ok(k)? }
            } else if let Some((k, v)) = part.split_once("!=") {
                check_label_value(v.trim())?;
                Requirement::NotIn {
                    key: key_ok(k)?,
                    values: BTreeSet::from([v.trim().to_string()]),
                }
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                check_label_value(v.trim())?;
                Requirement::In {
                    key: key_ok(k)?,
                    values: BTreeSet::from([v.trim().to_string()]),
                }
            } else if words.get(1) == Some(&"in") {
                let list = part.split_once(" in ").map(|(_, l)| l).unwrap_or_default();
                Requirement::In {
                    key: key_ok(words.first().copied().unwrap_or_default())?,
                    values: set(list)?,
                }
            } else if words.get(1) == Some(&"notin") {
                let list = part
                    .split_once(" notin ")
                    .map(|(_, l)| l)
                    .unwrap_or_default();
                Requirement::NotIn {
                    key: key_ok(words.first().copied().unwrap_or_default())?,
                    values: set(list)?,
                }
            } else if words.len() == 1 {
                Requirement::Exists { key: key_ok(part)? }
            } else {
                return Err(format!(
                    "cannot read {part:?}: use k=v, k!=v, k in (a,b), k notin (a,b), k or !k"
                ));
            };
            requirements.push(req);
        }
        Ok(Selector { requirements })
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.requirements.is_empty() {
            return f.write_str("{}");
        }
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match r {
                Requirement::In { key, values } if values.len() == 1 => {
                    format!(
                        "{key}={}",
                        values.iter().next().map(String::as_str).unwrap_or_default()
                    )
                }
                Requirement::In { key, values } => format!("{key} in ({})", join(values)),
                Requirement::NotIn { key, values } => format!("{key} notin ({})", join(values)),
                Requirement::Exists { key } => key.clone(),
                Requirement::DoesNotExist { key } => format!("!{key}"),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

fn join(values: &BTreeSet<String>) -> String {
    values.iter().cloned().collect::<Vec<_>>().join(",")
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// A qualified name's name part: 1-63 characters, alphanumeric at both ends,
/// `-`, `_`, `.` inside (apimachinery `IsQualifiedName`).
fn check_name_part(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 63 {
        return Err(format!("name part {name:?} must be 1-63 characters"));
    }
    let ok_ends = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok_ends || !name.chars().all(is_name_char) {
        return Err(format!(
            "name part {name:?} must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ));
    }
    Ok(())
}

/// A DNS-1123 subdomain: lowercase alphanumerics, `-` and `.`, at most 253 characters.
pub fn check_dns_subdomain(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 253 {
        return Err(format!("{s:?} must be 1-253 characters"));
    }
    for label in s.split('.') {
        let ok = !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!(
                "{s:?} is not a lowercase RFC 1123 subdomain (lowercase alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character)"
            ));
        }
    }
    Ok(())
}

/// A DNS-1123 label: a namespace name.
pub fn check_dns_label(s: &str) -> Result<(), String> {
    if s.len() > 63 || s.contains('.') {
        return Err(format!(
            "{s:?} is not a RFC 1123 label (at most 63 characters, no '.')"
        ));
    }
    check_dns_subdomain(s)
}

/// A label key: an optional DNS subdomain prefix and `/`, then a qualified name part.
pub fn check_label_key(key: &str) -> Result<(), String> {
    match key.split_once('/') {
        Some((prefix, name)) => {
            check_dns_subdomain(prefix).map_err(|m| format!("label key {key:?}: prefix {m}"))?;
            check_name_part(name).map_err(|m| format!("label key {key:?}: {m}"))
        }
        None => check_name_part(key).map_err(|m| format!("label key {key:?}: {m}")),
    }
}

/// A label value: empty, or a qualified name part.
pub fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    check_name_part(value).map_err(|m| format!("label value {value:?}: {m}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn req(key: &str, op: &str, values: Option<&[&str]>) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: values.map(|v| v.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn empty_selector_matches_everything() {
        // LabelSelector: "An empty label selector matches all objects."
        let s = Selector::compile(&LabelSelector::default(), "s").unwrap_or_default();
        assert!(s.matches(&labels(&[])));
        assert!(s.matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn operators() {
        let ls = LabelSelector {
            match_labels: Some(BTreeMap::from([("app".to_string(), "web".to_string())])),
            match_expressions: Some(vec![
                req("tier", "In", Some(&["a", "b"])),
                req("env", "NotIn", Some(&["prod"])),
                req("team", "Exists", None),
                req("legacy", "DoesNotExist", None),
            ]),
        };
        let s = Selector::compile(&ls, "s");
        let Ok(s) = s else { return assert!(s.is_ok()) };
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "a"), ("team", "x")])));
        // NotIn matches a missing key.
        assert!(s.matches(&labels(&[
            ("app", "web"),
            ("tier", "b"),
            ("team", "x"),
            ("env", "dev")
        ])));
        assert!(!s.matches(&labels(&[
            ("app", "web"),
            ("tier", "b"),
            ("team", "x"),
            ("env", "prod")
        ])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c"), ("team", "x")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "a")])));
        assert!(!s.matches(&labels(&[
            ("app", "web"),
            ("tier", "a"),
            ("team", "x"),
            ("legacy", "")
        ])));
    }

    #[test]
    fn kubectl_selectors() {
        let s = Selector::parse_kubectl("app=web, tier in (a, b),!legacy,env!=prod,team");
        let Ok(s) = s else {
            return assert!(s.is_ok(), "{s:?}");
        };
        assert_eq!(s.requirements.len(), 5);
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "b"), ("team", "x")])));
        assert!(!s.matches(&labels(&[
            ("app", "web"),
            ("tier", "b"),
            ("team", "x"),
            ("env", "prod")
        ])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c"), ("team", "x")])));
        assert!(Selector::parse_kubectl("a in b").is_err());
        assert!(Selector::parse_kubectl("a b c").is_err());
    }

    #[test]
    fn validation_like_the_api_server() {
        let bad_in = LabelSelector {
            match_expressions: Some(vec![req("a", "In", Some(&[]))]),
            ..Default::default()
        };
        let e = Selector::compile(&bad_in, "spec.podSelector").err();
        assert_eq!(
            e.map(|e| e.path),
            Some("spec.podSelector.matchExpressions[0].values".to_string())
        );
        let bad_exists = LabelSelector {
            match_expressions: Some(vec![req("a", "Exists", Some(&["x"]))]),
            ..Default::default()
        };
        assert!(Selector::compile(&bad_exists, "s").is_err());
        let bad_op = LabelSelector {
            match_expressions: Some(vec![req("a", "Equals", None)]),
            ..Default::default()
        };
        assert!(Selector::compile(&bad_op, "s").is_err());
        assert!(check_label_key("app.kubernetes.io/name").is_ok());
        assert!(check_label_key("-bad").is_err());
        assert!(check_label_key("Bad.Prefix/x").is_err());
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("a b").is_err());
        assert!(check_label_value(&"x".repeat(64)).is_err());
    }
}
