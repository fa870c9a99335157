//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
//!
//! What code scanning needs, and so what every log here has: one rule a code with a short
//! and a full description, help text and `helpUri`, and a default level; every result with
//! a physical location (file relative to `%SRCROOT%`, and a region of whole lines), since a
//! result without one is not shown. A run that could not load its input is a log too: the
//! error as a result and as a tool notification, `executionSuccessful: false`.

use meshverdict::findings::{Diagnostic, DiagnosticCode, Severity, Warning};
use meshverdict::{Cluster, Error, ErrorCode, Location};
use serde_json::{json, Value};

use crate::inputs::{Inputs, Skipped};
use crate::report::{skip_groups, skip_message};
use crate::uri::{Base, SRCROOT};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/meshverdict/meshverdict";

/// A short title and the default level of a diagnostic code. Exhaustive: a new code must
/// be given both before it can be reported.
fn diagnostic_rule(code: DiagnosticCode) -> (&'static str, Severity) {
    match code {
        DiagnosticCode::MeshFlowBlocked => ("A flow the mesh needs is denied", Severity::Error),
        DiagnosticCode::MeshPortRewriteBlocked => {
            ("The mesh's port is not admitted", Severity::Error)
        }
        DiagnosticCode::MeshWidensPortRule => ("The mesh widens a port rule", Severity::Warning),
        DiagnosticCode::SelectorMatchesNothing => ("A selector matches nothing", Severity::Warning),
        DiagnosticCode::L7RuleOnMeshedEndpoint => {
            ("An L7 rule on mesh-encrypted traffic", Severity::Warning)
        }
        DiagnosticCode::EgressWithoutDns => ("Restricted egress without DNS", Severity::Error),
        DiagnosticCode::InvalidPolicy => (
            "An object that cannot exist or is not enforced",
            Severity::Error,
        ),
        DiagnosticCode::MeshVersionAssumed => ("The mesh version is assumed", Severity::Info),
        DiagnosticCode::LinkerdAuthzIgnored => (
            "A Linkerd AuthorizationPolicy is ignored",
            Severity::Warning,
        ),
        DiagnosticCode::PolicyNotEnforced => {
            ("Policies the dataplane does not enforce", Severity::Warning)
        }
        DiagnosticCode::HostPolicyNotEnforced => {
            ("A host policy without the host firewall", Severity::Info)
        }
        DiagnosticCode::DataplaneSetting => {
            ("A dataplane setting changes verdicts", Severity::Info)
        }
    }
}

/// Errors that stop a run before any diagnostic: rules of their own, so that a failed run
/// still annotates the file at fault. `invalid-policy` is also a diagnostic code; its rule
/// is that one.
const ERROR_CODES: &[ErrorCode] = &[
    ErrorCode::ParseError,
    ErrorCode::LimitExceeded,
    ErrorCode::InvalidField,
    ErrorCode::InvalidRequest,
    ErrorCode::UnknownEndpoint,
    ErrorCode::InvalidCase,
    ErrorCode::Internal,
];

fn error_rule(code: ErrorCode) -> (&'static str, &'static str) {
    match code {
        ErrorCode::ParseError => ("The input is not YAML or JSON", "A file is not YAML or JSON, or not UTF-8 text: nothing can be read from it."),
        ErrorCode::LimitExceeded => (
            "The input goes past a limit",
            "The input nests deeper, expands more aliases or holds more objects than the limits allow (--max-depth, --max-alias-nodes, --max-objects).",
        ),
        ErrorCode::InvalidField => ("A field has the wrong type", "A field the engine reads has the wrong type or shape."),
        ErrorCode::InvalidPolicy => ("An object that cannot exist", "An object the API server or Cilium's agent would reject."),
        ErrorCode::UnknownEndpoint => ("An unknown endpoint", "A question names an endpoint that the input does not hold."),
        ErrorCode::InvalidRequest => ("The request cannot be answered", "The command line or the input as a whole cannot be used (a missing file, an empty input)."),
        ErrorCode::InvalidCase => ("A malformed conformance case", "A conformance case file is malformed."),
        ErrorCode::Internal => ("A bug in meshverdict", "meshverdict failed on this input; please report it with the input."),
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn docs_uri(code: &str) -> String {
    format!("{INFORMATION_URI}/blob/main/docs/diagnostics.md#{code}")
}

/// Every rule, the same in every log (code scanning compares rules across runs).
fn rules() -> Vec<Value> {
    let diagnostics = DiagnosticCode::ALL.iter().map(|c| {
        let (title, default) = diagnostic_rule(*c);
        rule(
            c.as_str(),
            title,
            c.description(),
            &c.help_uri(),
            level(default),
        )
    });
    let errors = ERROR_CODES.iter().map(|c| {
        let (title, description) = error_rule(*c);
        rule(
            c.as_str(),
            title,
            description,
            &docs_uri(c.as_str()),
            "error",
        )
    });
    diagnostics.chain(errors).collect()
}

fn rule(id: &str, title: &str, description: &str, help_uri: &str, default_level: &str) -> Value {
    json!({
        "id": id,
        "name": id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        "help": {
            "text": format!("{description} Meaning, an example and how to fix it: {help_uri}"),
            "markdown": format!("{description}\n\nMeaning, an example and how to fix it: [docs/diagnostics.md#{id}]({help_uri})"),
        },
        "helpUri": help_uri,
        "defaultConfiguration": {"level": default_level},
        "properties": {"tags": ["kubernetes", "network-policy"]},
    })
}

fn rule_index(id: &str) -> Option<usize> {
    let diagnostics = DiagnosticCode::ALL.iter().map(|c| c.as_str());
    let errors = ERROR_CODES.iter().map(|c| c.as_str());
    diagnostics.chain(errors).position(|r| r == id)
}

/// Builds logs for one run: knows the working directory and the texts read.
pub struct Writer<'a> {
    base: Base,
    inputs: Option<&'a Inputs>,
    /// Where a finding with no place of its own is put: the first input.
    fallback: String,
}

impl<'a> Writer<'a> {
    /// `first_input`: the first `-f` argument (or stdin's name), the last resort of a location.
    pub fn new(inputs: Option<&'a Inputs>, first_input: &str) -> Writer<'a> {
        let fallback = inputs
            .and_then(|i| i.sources.first())
            .map(|s| s.name.clone())
            .unwrap_or_else(|| first_input.to_string());
        Writer {
            base: Base::current(),
            inputs,
            fallback,
        }
    }

    /// The diagnostics of a loaded cluster.
    pub fn diagnostics(
        &self,
        cluster: &Cluster,
        diags: &[Diagnostic],
        skipped: &[Skipped],
    ) -> Value {
        let results: Vec<Value> = diags.iter().map(|d| self.result(d, cluster)).collect();
        let notifications = self.notifications(cluster.warnings(), skipped);
        self.log(results, notifications, true)
    }

    /// A run that stopped on an error.
    pub fn error(&self, e: &Error, skipped: &[Skipped]) -> Value {
        let location = e
            .location
            .as_deref()
            .cloned()
            .unwrap_or_else(|| self.first_line());
        let text = message(&e.message, e.help.as_deref());
        let physical = self.location(&location);
        let mut result = json!({
            "ruleId": e.code.as_str(),
            "level": "error",
            "message": {"text": text},
            "locations": [physical],
        });
        if let (Some(i), Some(obj)) = (rule_index(e.code.as_str()), result.as_object_mut()) {
            obj.insert("ruleIndex".into(), json!(i));
        }
        let mut notifications = self.notifications(&[], skipped);
        notifications.push(json!({
            "level": "error",
            "message": {"text": text},
            "descriptor": {"id": e.code.as_str()},
            "locations": [self.location(&location)],
        }));
        self.log(vec![result], notifications, false)
    }

    fn log(&self, results: Vec<Value>, notifications: Vec<Value>, ok: bool) -> Value {
        json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "meshverdict",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules(),
                }},
                "invocations": [{
                    "executionSuccessful": ok,
                    "workingDirectory": {"uri": self.base.root_uri()},
                    "toolExecutionNotifications": notifications,
                }],
                "originalUriBaseIds": {SRCROOT: {
                    "uri": self.base.root_uri(),
                    "description": {"text": "The working directory meshverdict ran in: file names are relative to it."},
                }},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }]
        })
    }

    fn result(&self, d: &Diagnostic, cluster: &Cluster) -> Value {
        let location = self.place(d, cluster);
        let mut r = json!({
            "ruleId": d.code.as_str(),
            "level": level(d.severity),
            "message": {"text": message(&d.message, d.help.as_deref())},
            "locations": [self.location(&location)],
        });
        if let Some(obj) = r.as_object_mut() {
            if let Some(i) = rule_index(d.code.as_str()) {
                obj.insert("ruleIndex".into(), json!(i));
            }
            let mut props = serde_json::Map::new();
            if !d.policies.is_empty() {
                props.insert(
                    "policies".into(),
                    json!(d
                        .policies
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()),
                );
            }
            if !d.flows.is_empty() {
                props.insert("flows".into(), json!(d.flows));
            }
            if !props.is_empty() {
                obj.insert("properties".into(), Value::Object(props));
            }
        }
        r
    }

    /// Where a diagnostic is: its own location; else the manifest of the first policy it
    /// concerns; else that of the first workload of its flows; else the first input. The
    /// engine is to locate every diagnostic; this fallback keeps SARIF whole meanwhile.
    fn place(&self, d: &Diagnostic, cluster: &Cluster) -> Location {
        if let Some(l) = &d.location {
            return l.clone();
        }
        let model = cluster.model();
        let policy = d
            .policies
            .iter()
            .find_map(|r| cluster.policies().iter().find(|p| p.policy == *r));
        // The object's name line: its first line is often the `---` before it.
        if let Some(p) = policy {
            return model.locate(&p.origin, "metadata.name");
        }
        let refs = d
            .flows
            .iter()
            .flat_map(|f| [f.from.as_str(), f.to.as_str()]);
        let endpoint = refs
            .into_iter()
            .find_map(|r| model.endpoints.iter().find(|e| e.reference() == r));
        if let Some(e) = endpoint {
            return model.locate(&e.origin, "metadata.name");
        }
        self.first_line()
    }

    fn first_line(&self) -> Location {
        Location {
            source: self.fallback.clone(),
            line: Some(1),
            ..Location::default()
        }
    }

    fn notifications(&self, warnings: &[Warning], skipped: &[Skipped]) -> Vec<Value> {
        let skips = skip_groups(skipped).into_iter().map(|g| {
            json!({"level": "warning", "message": {"text": skip_message(&g, true)}, "descriptor": {"id": g.kind.as_str()}})
        });
        let warns = warnings.iter().map(|w| {
            let mut n = json!({"level": "warning", "message": {"text": w.message}, "descriptor": {"id": w.code.as_str()}});
            if let (Some(l), Some(obj)) = (&w.location, n.as_object_mut()) {
                obj.insert("locations".into(), json!([self.location(l)]));
            }
            n
        });
        skips.chain(warns).collect()
    }

    /// A SARIF `location`: the file, and the whole line (GitHub wants a full region).
    fn location(&self, l: &Location) -> Value {
        let artifact = self.base.artifact(&l.source);
        let mut artifact_location = json!({"uri": artifact.uri});
        if artifact.relative {
            if let Some(obj) = artifact_location.as_object_mut() {
                obj.insert("uriBaseId".into(), json!(SRCROOT));
            }
        }
        let line = l.line.unwrap_or(1).max(1);
        let text = self
            .inputs
            .and_then(|i| i.text(&l.source))
            .and_then(|t| t.lines().nth(line - 1));
        let region = match text {
            Some(text) => {
                let width = text.chars().count();
                let indent = text.chars().take_while(|c| c.is_whitespace()).count();
                let start = l.column.unwrap_or(indent + 1).clamp(1, width + 1);
                json!({"startLine": line, "startColumn": start, "endLine": line, "endColumn": (width + 1).max(start)})
            }
            // The text is not at hand (it could not be read or decoded): one character.
            None => {
                let start = l.column.unwrap_or(1).max(1);
                json!({"startLine": line, "startColumn": start, "endLine": line, "endColumn": start + 1})
            }
        };
        json!({"physicalLocation": {"artifactLocation": artifact_location, "region": region}})
    }
}

fn message(text: &str, help: Option<&str>) -> String {
    match help {
        Some(h) => format!("{text} (help: {h})"),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn every_code_has_one_rule_with_what_code_scanning_shows() {
        let rules = rules();
        assert_eq!(rules.len(), DiagnosticCode::ALL.len() + ERROR_CODES.len());
        for c in DiagnosticCode::ALL {
            let i = rule_index(c.as_str()).unwrap_or(usize::MAX);
            let r = rules.get(i).cloned().unwrap_or_default();
            assert_eq!(r["id"], c.as_str());
            assert_eq!(r["fullDescription"]["text"], c.description());
            assert_eq!(r["helpUri"], c.help_uri());
            assert!(r["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty() && t.len() <= 1024));
            assert!(r["help"]["text"]
                .as_str()
                .is_some_and(|t| t.contains(&c.help_uri())));
            assert!(matches!(
                r["defaultConfiguration"]["level"].as_str(),
                Some("error" | "warning" | "note")
            ));
        }
        let mut ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rules.len(), "rule ids are unique");
    }
}
