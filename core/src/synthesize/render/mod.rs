//! The plan as Kubernetes objects of a dialect: each object a YAML node with a comment
//! per rule saying which intent or need it serves, and the same in an annotation.

pub(crate) mod cilium;
pub(crate) mod linkerd;
pub(crate) mod netpol;

use serde::Serialize;
use serde_json::Value;

use super::yaml::{self, Node};

/// The annotation that carries, per rule, what it serves.
pub const RULES_ANNOTATION: &str = "meshverdict.io/rules";
/// The label every synthesized object carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "meshverdict");

/// One synthesized object.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "SynthesizedObject")
)]
#[serde(rename_all = "camelCase")]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// What each rule serves, by field path: `spec.ingress[0]: intent #1: …`.
    pub serves: Vec<String>,
    /// The object itself.
    pub object: Value,
    #[serde(skip)]
    pub(crate) node: Node,
    #[serde(skip)]
    pub(crate) comment: Vec<String>,
}

impl Object {
    /// Builds the object from its spec: metadata with the label and the annotation.
    pub(crate) fn new(
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
        spec: Node,
        serves: Vec<String>,
        comment: Vec<String>,
    ) -> Object {
        let mut meta = Node::map()
            .with("name", Node::str(name))
            .with("namespace", Node::str(namespace));
        meta.push(
            "labels",
            Node::map().with(MANAGED_BY.0, Node::str(MANAGED_BY.1)),
            Vec::new(),
        );
        if !serves.is_empty() {
            meta.push(
                "annotations",
                Node::map().with(RULES_ANNOTATION, Node::str(serves.join("\n"))),
                Vec::new(),
            );
        }
        let node = Node::map()
            .with("apiVersion", Node::str(api_version))
            .with("kind", Node::str(kind))
            .with("metadata", meta)
            .with("spec", spec);
        Object {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
            serves,
            object: node.to_json(),
            node,
            comment,
        }
    }

    pub fn yaml(&self) -> String {
        yaml::document(&self.comment, &self.node)
    }
}

/// The objects as one YAML stream.
pub fn stream(objects: &[Object], header: &[String]) -> String {
    let mut out = String::new();
    for h in header {
        out.push_str("# ");
        out.push_str(h);
        out.push('\n');
    }
    for o in objects {
        out.push_str("---\n");
        out.push_str(&o.yaml());
    }
    out
}

/// `app=web` style text of matchLabels, `{}` when empty.
pub(crate) fn labels_node(labels: &crate::selector::Labels) -> Node {
    let mut m = Node::map();
    for (k, v) in labels {
        m.push(k, Node::str(v.clone()), Vec::new());
    }
    m
}

/// A LabelSelector node from a plan selector.
pub(crate) fn selector_node(sel: &super::plan::Sel) -> Node {
    let mut n = Node::map();
    if !sel.labels.is_empty() {
        n.push("matchLabels", labels_node(&sel.labels), Vec::new());
    }
    if !sel.exprs.is_empty() {
        let items = sel
            .exprs
            .iter()
            .map(|(k, op, values)| {
                let mut e = Node::map()
                    .with("key", Node::str(k.clone()))
                    .with("operator", Node::str(op.clone()));
                if !values.is_empty() {
                    e.push(
                        "values",
                        Node::seq(values.iter().map(|v| Node::str(v.clone())).collect()),
                        Vec::new(),
                    );
                }
                e
            })
            .collect();
        n.push("matchExpressions", Node::seq(items), Vec::new());
    }
    n
}
