//! Errors and warnings for people, on stderr. Warnings of one kind are summed up in one
//! line (300 skipped ConfigMaps are one fact, not 300); `-v` lists them all, `-q` none.

use meshverdict::findings::{Warning, WarningCode};
use meshverdict::gitops::FileKind;
use meshverdict::{Error, Location};

use crate::inputs::Skipped;

/// How much of the warnings to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Files named in a summary line before "and N more".
const SHOWN: usize = 5;

pub fn print_error(e: &Error) {
    eprintln!("error[{}]: {}", e.code, e.message);
    if let Some(loc) = &e.location {
        eprintln!("  at {loc}");
    }
    if let Some(h) = &e.help {
        eprintln!("  help: {h}");
    }
}

/// The files skipped for one reason.
pub struct SkipGroup<'a> {
    pub kind: FileKind,
    pub paths: Vec<&'a str>,
}

/// One group a kind of skipped file, in the order the kinds are first met.
pub fn skip_groups(skipped: &[Skipped]) -> Vec<SkipGroup<'_>> {
    let mut groups: Vec<SkipGroup> = Vec::new();
    for s in skipped {
        match groups.iter_mut().find(|g| g.kind == s.kind) {
            Some(g) => g.paths.push(&s.path),
            None => groups.push(SkipGroup {
                kind: s.kind,
                paths: vec![&s.path],
            }),
        }
    }
    groups
}

/// The one line that reports a kind of skipped file; `all`: name every file.
pub fn skip_message(g: &SkipGroup, all: bool) -> String {
    let n = g.paths.len();
    let (s, them) = if n == 1 { ("", "it") } else { ("s", "them") };
    let what = match g.kind {
        FileKind::HelmTemplate => format!("unrendered Helm template{s} (render {them} with helm template first)"),
        FileKind::HelmChart => format!("Helm chart file{s} (Chart.yaml, Chart.lock: no Kubernetes objects; render the chart with helm template first)"),
        FileKind::HelmValues => format!("Helm values file{s} (no Kubernetes objects; render the chart with helm template first)"),
        FileKind::Kustomization => {
            format!("kustomization{s} (build {them} with kustomize build first; the manifests beside {them} were read as they are)")
        }
        FileKind::Manifests | FileKind::Other => format!("file{s} ({})", g.kind.reason()),
    };
    let mut files = g
        .paths
        .iter()
        .take(if all { n } else { SHOWN })
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if !all && n > SHOWN {
        files.push_str(&format!(", and {} more (-v lists them all)", n - SHOWN));
    }
    format!("skipped {n} {what}: {files}")
}

/// `source:line`, the short form summary lines use.
pub fn short_location(l: &Location) -> String {
    match l.line {
        Some(line) => format!("{}:{line}", l.source),
        None => l.source.clone(),
    }
}

/// The kind an `unknown-kind` warning names.
fn skipped_kind(w: &Warning) -> String {
    if let Some((kind, _)) = w
        .message
        .strip_prefix("skipped kind ")
        .and_then(|r| r.split_once(" ("))
    {
        return kind.to_string();
    }
    if w.message.contains("without `kind`") {
        return "(no kind)".to_string();
    }
    w.message.clone()
}

/// One line for several warnings of one code.
pub fn summary(code: WarningCode, ws: &[&Warning]) -> String {
    let first_at = ws
        .iter()
        .find_map(|w| w.location.as_ref())
        .map(|l| format!(" (first at {})", short_location(l)))
        .unwrap_or_default();
    if code == WarningCode::UnknownKind {
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for w in ws {
            let k = skipped_kind(w);
            match kinds.iter_mut().find(|(name, _)| *name == k) {
                Some((_, n)) => *n += 1,
                None => kinds.push((k, 1)),
            }
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        return format!(
            "skipped {} objects of kinds meshverdict does not read: {}{first_at}",
            ws.len(),
            kinds.join(", ")
        );
    }
    let first = ws.first().map(|w| w.message.as_str()).unwrap_or_default();
    format!(
        "{} warnings; the first: {first}{first_at}; -v lists them all",
        ws.len()
    )
}

/// Warnings grouped by code, in the order the codes are first met.
pub fn by_code(warnings: &[Warning]) -> Vec<(WarningCode, Vec<&Warning>)> {
    let mut groups: Vec<(WarningCode, Vec<&Warning>)> = Vec::new();
    for w in warnings {
        match groups.iter_mut().find(|(c, _)| *c == w.code) {
            Some((_, ws)) => ws.push(w),
            None => groups.push((w.code, vec![w])),
        }
    }
    groups
}

/// The warnings of a run, as text lines (without a trailing newline each).
pub fn warning_lines(
    skipped: &[Skipped],
    warnings: &[Warning],
    verbosity: Verbosity,
) -> Vec<String> {
    let mut lines = Vec::new();
    if verbosity == Verbosity::Quiet {
        return lines;
    }
    let all = verbosity == Verbosity::Verbose;
    for g in skip_groups(skipped) {
        lines.push(format!("warning[{}]: {}", g.kind, skip_message(&g, all)));
    }
    for (code, ws) in by_code(warnings) {
        if ws.len() == 1 || all {
            for w in ws {
                lines.push(format!("warning[{code}]: {}", w.message));
                if let Some(l) = &w.location {
                    lines.push(format!("  at {l}"));
                }
            }
        } else {
            lines.push(format!("warning[{code}]: {}", summary(code, &ws)));
        }
    }
    lines
}

pub fn print_warnings(skipped: &[Skipped], warnings: &[Warning], verbosity: Verbosity) {
    for line in warning_lines(skipped, warnings, verbosity) {
        eprintln!("{line}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    fn unknown(kind: &str, line: usize) -> Warning {
        Warning::new(
            WarningCode::UnknownKind,
            format!("skipped kind {kind} (v1): meshverdict does not read it"),
        )
        .at(Location {
            source: "cm.yaml".into(),
            line: Some(line),
            ..Location::default()
        })
    }

    #[test]
    fn many_skipped_objects_are_one_line() {
        let mut ws: Vec<Warning> = (1..=300).map(|i| unknown("ConfigMap", i)).collect();
        ws.push(unknown("Secret", 301));
        let lines = warning_lines(&[], &ws, Verbosity::Normal);
        assert_eq!(
            lines,
            ["warning[unknown-kind]: skipped 301 objects of kinds meshverdict does not read: ConfigMap ×300, Secret ×1 (first at cm.yaml:1)"]
        );
        assert_eq!(
            warning_lines(&[], &ws, Verbosity::Verbose)
                .iter()
                .filter(|l| l.starts_with("warning["))
                .count(),
            301
        );
        assert!(warning_lines(&[], &ws, Verbosity::Quiet).is_empty());
    }

    #[test]
    fn skipped_files_are_one_line_a_kind() {
        let skipped: Vec<Skipped> = (0..7)
            .map(|i| Skipped {
                kind: FileKind::HelmTemplate,
                path: format!("charts/web/templates/t{i}.yaml"),
            })
            .chain([Skipped {
                kind: FileKind::Kustomization,
                path: "kustomization.yaml".into(),
            }])
            .collect();
        let lines = warning_lines(&skipped, &[], Verbosity::Normal);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("warning[helm-template]: skipped 7 unrendered Helm templates (render them with helm template first): charts/web/templates/t0.yaml, "), "{}", lines[0]);
        assert!(
            lines[0].ends_with("t4.yaml, and 2 more (-v lists them all)"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("warning[kustomization]: skipped 1 kustomization ("),
            "{}",
            lines[1]
        );
        assert!(warning_lines(&skipped, &[], Verbosity::Verbose)[0].ends_with("t6.yaml"));
    }
}
