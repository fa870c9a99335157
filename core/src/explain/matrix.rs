//! The matrix as people and tools read it: text (one line per source and destination,
//! as netpol-analyzer's `list` prints it), CSV, Markdown, Graphviz dot and Mermaid.
//! Every renderer streams: a matrix of a large cluster is written, not held.

use std::collections::BTreeMap;

use crate::evaluate::matrix::{is_every_port, Cell, Matrix, PortRange};
use crate::ports::Protocol;

/// An output format of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Csv,
    Markdown,
    Dot,
    Mermaid,
}

/// `8080;9090`, `8000-8100`, `*` for every port (the CSV form).
pub fn ports_csv(ports: &[PortRange]) -> String {
    if is_every_port(ports) {
        return "*".into();
    }
    ports
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

/// `TCP 8080,9090` per protocol; `All Connections` when every port of every protocol is.
fn connections(cells: &[&Cell]) -> String {
    let every = cells.len() == 3 && cells.iter().all(|c| is_every_port(&c.ports));
    if every {
        return "All Connections".into();
    }
    cells
        .iter()
        .map(|c| {
            let ports = if is_every_port(&c.ports) {
                "all ports".to_string()
            } else {
                c.ports
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let mut s = format!("{} {ports}", c.protocol);
            if let Some(m) = &c.mesh {
                for w in &m.wire {
                    let app = w
                        .ports
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(",");
                    s.push_str(&format!(" (on the wire {} for {app})", w.wire));
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes the matrix in a format, piece by piece.
pub fn render(m: &Matrix, format: Format, out: &mut dyn FnMut(&str)) {
    let cells = m.cells();
    let name = |g: usize| m.groups.get(g).map(|g| g.reference.as_str()).unwrap_or("?");
    // Cells of one (from, to), all protocols together.
    let mut pairs: BTreeMap<(usize, usize), Vec<&Cell>> = BTreeMap::new();
    for c in &cells {
        pairs.entry((c.from, c.to)).or_default().push(c);
    }
    match format {
        Format::Text => {
            for ((from, to), cs) in &pairs {
                out(&format!(
                    "{} => {} : {}\n",
                    name(*from),
                    name(*to),
                    connections(cs)
                ));
            }
        }
        Format::Csv => {
            out("from,to,protocol,ports\n");
            for c in &cells {
                out(&format!(
                    "{},{},{},{}\n",
                    name(c.from),
                    name(c.to),
                    c.protocol,
                    ports_csv(&c.ports)
                ));
            }
        }
        Format::Markdown => {
            out("| from | to | protocol | ports |\n|---|---|---|---|\n");
            for c in &cells {
                let ports = if is_every_port(&c.ports) {
                    "all".to_string()
                } else {
                    ports_csv(&c.ports).replace(';', ", ")
                };
                out(&format!(
                    "| {} | {} | {} | {ports} |\n",
                    name(c.from),
                    name(c.to),
                    c.protocol
                ));
            }
        }
        Format::Dot => {
            out("digraph connectivity {\n  rankdir=LR;\n  node [shape=box];\n");
            for ((from, to), cs) in &pairs {
                out(&format!(
                    "  {} -> {} [label={}];\n",
                    dot_id(name(*from)),
                    dot_id(name(*to)),
                    dot_id(&connections(cs))
                ));
            }
            out("}\n");
        }
        Format::Mermaid => {
            out("flowchart LR\n");
            let mut ids: BTreeMap<usize, usize> = BTreeMap::new();
            for (from, to) in pairs.keys() {
                for g in [from, to] {
                    let n = ids.len();
                    if let std::collections::btree_map::Entry::Vacant(v) = ids.entry(*g) {
                        v.insert(n);
                        out(&format!("  n{n}[\"{}\"]\n", name(*g).replace('"', "'")));
                    }
                }
            }
            for ((from, to), cs) in &pairs {
                let (a, b) = (
                    ids.get(from).copied().unwrap_or(0),
                    ids.get(to).copied().unwrap_or(0),
                );
                out(&format!(
                    "  n{a} -->|\"{}\"| n{b}\n",
                    connections(cs).replace('"', "'")
                ));
            }
        }
    }
}

/// Whether a protocol's cells are all there (for tests).
pub fn protocols(cells: &[Cell]) -> Vec<Protocol> {
    let mut p: Vec<Protocol> = cells.iter().map(|c| c.protocol).collect();
    p.sort();
    p.dedup();
    p
}
