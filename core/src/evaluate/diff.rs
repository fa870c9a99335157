//! What a change opens and closes: the matrices of two trees, compared row by row, each
//! change with the policies that make it (read off the point verdicts before and
//! after for one port of it: the policies they cite that differ).

use std::collections::BTreeMap;

use serde::Serialize;

use super::matrix::{Granularity, Matrix, MatrixOptions, PortRange};
use super::needs::Starved;
use super::verdict::{PortRef, Query, Verdict};
use super::Point;
use crate::compile::Compiled;
use crate::error::{Location, Result};
use crate::model::Model;
use crate::ports::Protocol;
use crate::refs::PolicyRef;

/// One flow a change opens or closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FlowChange {
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    pub ports: Vec<PortRange>,
    /// The policies responsible: those the verdicts before and after cite that differ
    /// between the trees (added, removed or changed), else those that decide after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyRef>,
    /// Why, in one line: the verdict after the change (or before, for a closed flow's cause).
    pub reason: String,
    /// Where the responsible policy is: in the tree that holds it (before for a deleted one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// The flows a change opens and closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "FlowDiff")
)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    pub by: Granularity,
    pub opened: Vec<FlowChange>,
    pub closed: Vec<FlowChange>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.opened.is_empty() && self.closed.is_empty()
    }
}

/// `a` minus `b`, both sorted lists of inclusive ranges.
pub fn subtract(a: &[PortRange], b: &[PortRange]) -> Vec<PortRange> {
    let mut out = Vec::new();
    for r in a {
        let mut start = u32::from(r.from);
        let end = u32::from(r.to);
        for x in b {
            let (xf, xt) = (u32::from(x.from), u32::from(x.to));
            if xt < start || xf > end {
                continue;
            }
            if xf > start {
                out.push((start, xf - 1));
            }
            start = xt + 1;
        }
        if start <= end {
            out.push((start, end));
        }
    }
    out.into_iter()
        .filter_map(|(f, t)| {
            Some(PortRange {
                from: u16::try_from(f).ok()?,
                to: u16::try_from(t).ok()?,
            })
        })
        .collect()
}

type Rows = BTreeMap<(String, String, Protocol), Vec<PortRange>>;

fn rows(m: &Matrix) -> Rows {
    let name = |g: usize| {
        m.groups
            .get(g)
            .map(|g| g.reference.clone())
            .unwrap_or_default()
    };
    m.cells()
        .into_iter()
        .map(|c| ((name(c.from), name(c.to), c.protocol), c.ports))
        .collect()
}

/// A pod (or the reference itself) that stands for a matrix row in a point question.
fn member(m: &Matrix, reference: &str) -> String {
    m.groups
        .iter()
        .find(|g| g.reference == reference)
        .and_then(|g| g.members.first().cloned())
        .unwrap_or_else(|| reference.to_string())
}

/// Every policy a verdict cites, in every layer and pair.
fn cited(v: &Verdict) -> Vec<PolicyRef> {
    let mut out = Vec::new();
    for x in std::iter::once(v)
        .chain(v.members.iter())
        .chain(v.backends.iter())
    {
        for layer in [&x.egress, &x.ingress] {
            out.extend(layer.isolated_by.iter().cloned());
            out.extend(layer.allowed_by.iter().map(|r| r.policy.clone()));
            out.extend(layer.denied_by.iter().map(|r| r.policy.clone()));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The side of a compiled tree a diff reads.
pub struct Tree<'a> {
    pub model: &'a Model,
    pub compiled: &'a Compiled,
}

impl Tree<'_> {
    fn point(&self) -> Point<'_> {
        static EMPTY: BTreeMap<usize, Starved> = BTreeMap::new();
        Point {
            model: self.model,
            compiled: self.compiled,
            starved: &EMPTY,
        }
    }

    /// The policy's text in this tree, when it holds it (to tell a change).
    fn text_of(&self, p: &PolicyRef) -> Option<String> {
        self.compiled
            .policies
            .iter()
            .filter(|c| &c.policy == p)
            .map(|c| serde_json::to_string(c).unwrap_or_default())
            .reduce(|a, b| a + &b)
    }

    fn locate(&self, p: &PolicyRef) -> Option<Location> {
        self.compiled
            .policies
            .iter()
            .find(|c| &c.policy == p)
            .map(|c| self.model.locate(&c.origin, &c.subject_path))
    }
}

/// The flows opened and closed from `before` to `after`.
pub fn diff(before: &Tree, after: &Tree, options: &MatrixOptions) -> Result<Diff> {
    // Each tree's matrix cuts the outside at its own CIDRs: each is also cut at the
    // other's, so that both name the same address ranges, of both families when either
    // has IPv6 (found by the `diff` fuzz target: a change adding the first IPv6 block
    // "opened" the whole IPv6 space).
    let (cuts_b, cuts_a) = (
        super::matrix::address_cuts(before.model, before.compiled),
        super::matrix::address_cuts(after.model, after.compiled),
    );
    let mb = Matrix::compute_cut(before.model, before.compiled, options, &cuts_a)?;
    let ma = Matrix::compute_cut(after.model, after.compiled, options, &cuts_b)?;
    let (rb, ra) = (rows(&mb), rows(&ma));
    let explain =
        |key: &(String, String, Protocol), ports: &[PortRange], opened: bool| -> FlowChange {
            let (from, to, protocol) = key.clone();
            let port = ports.first().map(|r| r.from).unwrap_or(1);
            let ask = |m: &Matrix, t: &Tree| {
                let q = Query {
                    from: member(m, &from),
                    to: member(m, &to),
                    port: PortRef::Number(port),
                    protocol,
                };
                t.point().verdict(&q)
            };
            let (vb, va) = (ask(&mb, before), ask(&ma, after));
            // A verdict refused (an invalid policy selects a side) still gives the reason: the
            // refusal's (found by the `diff` fuzz target: the reason was empty).
            let reason = match (&va, &vb) {
                (Ok(v), _) => v.summary.clone(),
                (Err(e), Ok(v)) if !opened => format!(
                    "{} (the verdict after the change is refused: {})",
                    v.summary, e.message
                ),
                (Err(e), _) => format!("the verdict after the change is refused: {}", e.message),
            };
            let (vb, va) = (vb.ok(), va.ok());
            let cb = vb.as_ref().map(cited).unwrap_or_default();
            let ca = va.as_ref().map(cited).unwrap_or_default();
            let mut all: Vec<PolicyRef> = cb.iter().chain(ca.iter()).cloned().collect();
            all.sort();
            all.dedup();
            let changed: Vec<PolicyRef> = all
                .into_iter()
                .filter(|p| before.text_of(p) != after.text_of(p))
                .collect();
            let policies = if changed.is_empty() {
                if opened {
                    ca.clone()
                } else {
                    cb.clone()
                }
            } else {
                changed
            };
            // A policy the after tree no longer holds is located in the before tree.
            let location = policies
                .iter()
                .find_map(|p| after.locate(p).or_else(|| before.locate(p)));
            FlowChange {
                from,
                to,
                protocol,
                ports: ports.to_vec(),
                policies,
                reason,
                location,
            }
        };
    let mut opened = Vec::new();
    let mut closed = Vec::new();
    let empty = Vec::new();
    for (key, ports) in &ra {
        let added = subtract(ports, rb.get(key).unwrap_or(&empty));
        if !added.is_empty() {
            opened.push(explain(key, &added, true));
        }
    }
    for (key, ports) in &rb {
        let removed = subtract(ports, ra.get(key).unwrap_or(&empty));
        if !removed.is_empty() {
            closed.push(explain(key, &removed, false));
        }
    }
    Ok(Diff {
        by: options.by,
        opened,
        closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(from: u16, to: u16) -> PortRange {
        PortRange { from, to }
    }

    #[test]
    fn range_subtraction() {
        assert_eq!(
            subtract(&[r(1, 65535)], &[r(80, 80)]),
            vec![r(1, 79), r(81, 65535)]
        );
        assert_eq!(subtract(&[r(80, 90)], &[r(1, 65535)]), vec![]);
        assert_eq!(
            subtract(&[r(80, 90), r(100, 100)], &[r(85, 85), r(99, 101)]),
            vec![r(80, 84), r(86, 90)]
        );
        assert_eq!(subtract(&[r(65535, 65535)], &[]), vec![r(65535, 65535)]);
    }
}
