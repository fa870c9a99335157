//! A small YAML writer for the objects synthesis prints: block style, keys in the order
//! given, a comment above any entry, and scalars quoted wherever a YAML 1.1 reader
//! (kubectl, the API server's go-yaml) could read them as something else.

use serde_json::{Map, Value};

/// A YAML node with comments.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Str(String),
    Int(i64),
    Bool(bool),
    Map(Vec<Entry>),
    Seq(Vec<Item>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Node,
    pub comment: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub value: Node,
    pub comment: Vec<String>,
}

impl Node {
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    pub fn map() -> Node {
        Node::Map(Vec::new())
    }

    /// Adds an entry to a map (no-op on other nodes), builder style.
    pub fn with(mut self, key: &str, value: Node) -> Node {
        self.push(key, value, Vec::new());
        self
    }

    pub fn push(&mut self, key: &str, value: Node, comment: Vec<String>) {
        if let Node::Map(entries) = self {
            entries.push(Entry {
                key: key.to_string(),
                value,
                comment,
            });
        }
    }

    pub fn seq(items: Vec<Node>) -> Node {
        Node::Seq(
            items
                .into_iter()
                .map(|value| Item {
                    value,
                    comment: Vec::new(),
                })
                .collect(),
        )
    }

    pub fn to_json(&self) -> Value {
        match self {
            Node::Str(s) => Value::String(s.clone()),
            Node::Int(n) => Value::from(*n),
            Node::Bool(b) => Value::Bool(*b),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect::<Map<String, Value>>(),
            ),
            Node::Seq(items) => Value::Array(items.iter().map(|i| i.value.to_json()).collect()),
        }
    }
}

/// Whether a plain scalar would be read back as this same string.
fn plain_ok(s: &str) -> bool {
    if s.is_empty() || s != s.trim() || s.contains('\n') || s.contains('\t') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    // YAML 1.1 booleans and nulls (go-yaml reads `on`, `yes`, `y` as booleans).
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    ) {
        return false;
    }
    // Anything that could be a number: digits, signs, dots, exponents, 0x/0o, `.inf`, `:` sexagesimals.
    let numberish = s.chars().all(|c| {
        c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | '_' | 'e' | 'E' | 'x' | 'o' | ':')
    }) && s.chars().any(|c| c.is_ascii_digit());
    if numberish
        || lower.starts_with(".inf")
        || lower.starts_with("-.inf")
        || lower == ".nan"
        || lower.starts_with("0x")
    {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    !(s.contains(": ") || s.contains(" #") || s.ends_with(':'))
}

fn scalar(s: &str) -> String {
    if plain_ok(s) {
        s.to_string()
    } else {
        // A JSON string is a valid YAML double-quoted scalar.
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }
}

fn comments(out: &mut String, pad: &str, lines: &[String]) {
    for c in lines {
        for l in c.lines() {
            out.push_str(pad);
            out.push_str("# ");
            out.push_str(l);
            out.push('\n');
        }
    }
}

fn inline(n: &Node) -> Option<String> {
    match n {
        Node::Str(s) if !s.contains('\n') => Some(scalar(s)),
        Node::Int(i) => Some(i.to_string()),
        Node::Bool(b) => Some(b.to_string()),
        Node::Map(e) if e.is_empty() => Some("{}".into()),
        Node::Seq(i) if i.is_empty() => Some("[]".into()),
        _ => None,
    }
}

fn block_string(out: &mut String, s: &str, indent: usize) {
    out.push_str("|-\n");
    let pad = " ".repeat(indent);
    for l in s.lines() {
        if !l.is_empty() {
            out.push_str(&pad);
            out.push_str(l);
        }
        out.push('\n');
    }
}

fn write_map(out: &mut String, entries: &[Entry], indent: usize, first_inline: bool) {
    let pad = " ".repeat(indent);
    for (i, e) in entries.iter().enumerate() {
        let lead = !(first_inline && i == 0);
        if lead {
            comments(out, &pad, &e.comment);
            out.push_str(&pad);
        }
        out.push_str(&scalar(&e.key));
        out.push(':');
        match (&e.value, inline(&e.value)) {
            (_, Some(s)) => {
                out.push(' ');
                out.push_str(&s);
                out.push('\n');
            }
            (Node::Str(s), None) => {
                out.push(' ');
                block_string(out, s, indent + 2);
            }
            (Node::Map(m), None) => {
                out.push('\n');
                write_map(out, m, indent + 2, false);
            }
            (Node::Seq(items), None) => {
                out.push('\n');
                write_seq(out, items, indent + 2);
            }
            _ => out.push('\n'),
        }
    }
}

fn write_seq(out: &mut String, items: &[Item], indent: usize) {
    let pad = " ".repeat(indent);
    for it in items {
        comments(out, &pad, &it.comment);
        // The first entry of a map item is written on the dash's line: its comment goes above.
        if let Node::Map(m) = &it.value {
            if let Some(first) = m.first() {
                comments(out, &pad, &first.comment);
            }
        }
        out.push_str(&pad);
        out.push_str("- ");
        match (&it.value, inline(&it.value)) {
            (_, Some(s)) => {
                out.push_str(&s);
                out.push('\n');
            }
            (Node::Map(m), None) => write_map(out, m, indent + 2, true),
            (Node::Seq(inner), None) => {
                out.push('\n');
                write_seq(out, inner, indent + 2);
            }
            (Node::Str(s), None) => block_string(out, s, indent + 2),
            _ => out.push('\n'),
        }
    }
}

/// One document: the comment lines, then the node.
pub fn document(comment: &[String], node: &Node) -> String {
    let mut out = String::new();
    comments(&mut out, "", comment);
    match node {
        Node::Map(entries) => write_map(&mut out, entries, 0, false),
        Node::Seq(items) => write_seq(&mut out, items, 0),
        other => {
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
    out
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
    use crate::source::{parse_stream, Limits};

    #[test]
    fn what_is_written_reads_back_the_same() {
        let mut rule = Node::map();
        rule.push(
            "from",
            Node::seq(vec![Node::map().with(
                "podSelector",
                Node::map().with("matchLabels", Node::map().with("app", Node::str("yes"))),
            )]),
            vec!["intent #1: a → b".into()],
        );
        rule.push(
            "ports",
            Node::seq(vec![Node::map()
                .with("port", Node::Int(8080))
                .with("protocol", Node::str("TCP"))]),
            Vec::new(),
        );
        let mut root = Node::map()
            .with("apiVersion", Node::str("networking.k8s.io/v1"))
            .with("kind", Node::str("NetworkPolicy"));
        let mut meta = Node::map()
            .with("name", Node::str("x"))
            .with("namespace", Node::str("on"));
        meta.push(
            "annotations",
            Node::map().with("meshverdict.io/rules", Node::str("a: b\nc # d")),
            Vec::new(),
        );
        root.push("metadata", meta, Vec::new());
        let mut spec = Node::map();
        spec.push("podSelector", Node::map(), Vec::new());
        spec.push(
            "ingress",
            Node::Seq(vec![Item {
                value: rule,
                comment: vec!["rule comment".into()],
            }]),
            Vec::new(),
        );
        spec.push(
            "weird",
            Node::seq(vec![
                Node::str("8080"),
                Node::str("- x"),
                Node::str("a: b"),
                Node::str(""),
                Node::str("0x1F"),
                Node::str("1e3"),
            ]),
            Vec::new(),
        );
        root.push("spec", spec, Vec::new());
        let text = document(&["top".into()], &root);
        let docs = parse_stream("t.yaml", &text, Limits::default()).unwrap();
        assert_eq!(docs[0].value, root.to_json(), "{text}");
        assert!(text.contains("# intent #1: a → b\n"), "{text}");
    }
}
