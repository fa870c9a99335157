//! Which files of a GitOps folder are Kubernetes manifests.
//!
//! Repositories mix rendered manifests with the sources of other tools: Helm charts
//! (templates, `Chart.yaml`, values) and kustomizations. Only rendered manifests say
//! what the cluster will hold; the others would load as nonsense (a template's `{{ }}`
//! actions, a values file without `kind`) or silently stand for objects that only the
//! tool produces. The CLI and the hosts' `from_path` ask these functions which files to
//! read and which to skip with a warning. Pure: names and text in, no file system.

use std::collections::BTreeSet;

use serde::Serialize;

/// What a file in a GitOps folder is, for a reader of manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// Kubernetes objects, as `kubectl apply -f` reads them.
    Manifests,
    /// A Helm template: under a chart's `templates/` folder, or text with `{{ … }}` actions.
    HelmTemplate,
    /// A chart's `Chart.yaml` or `Chart.lock`.
    HelmChart,
    /// Helm values: `values.yaml`, or `values*.yaml` beside a `Chart.yaml`.
    HelmValues,
    /// A kustomize `kustomization.yaml`, `kustomization.yml` or `Kustomization`.
    Kustomization,
    /// Not a manifest by its name (not `*.yaml`, `*.yml` or `*.json`): never read from a folder.
    Other,
}

impl FileKind {
    /// The kind as JSON and warnings name it.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Manifests => "manifests",
            FileKind::HelmTemplate => "helm-template",
            FileKind::HelmChart => "helm-chart",
            FileKind::HelmValues => "helm-values",
            FileKind::Kustomization => "kustomization",
            FileKind::Other => "other",
        }
    }

    /// Why a file of this kind is (or is not) read, and what to do instead.
    pub fn reason(self) -> &'static str {
        match self {
            FileKind::Manifests => "Kubernetes manifests: read",
            FileKind::HelmTemplate => "an unrendered Helm template: its objects exist only once rendered (render it with `helm template` first)",
            FileKind::HelmChart => "Helm chart metadata, not a Kubernetes object (render the chart with `helm template` first)",
            FileKind::HelmValues => "Helm values, not a Kubernetes object (render the chart with `helm template` first)",
            FileKind::Kustomization => {
                "a kustomization: the objects it builds (patches, generators, name prefixes) exist only once built (build it with `kustomize build` first)"
            }
            FileKind::Other => "not a manifest file (*.yaml, *.yml, *.json)",
        }
    }

    /// Whether files of this kind are read as Kubernetes objects.
    pub fn is_read(self) -> bool {
        self == FileKind::Manifests
    }
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The extensions `kubectl apply -f DIR` reads (case-sensitive, as kubectl compares them).
pub fn is_manifest_path(path: &str) -> bool {
    let name = file_name(path);
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// What one file is, from its path and text alone. Without the folder around it, a chart's
/// `templates/` and `values-*.yaml` files are only recognised by their `{{ }}` actions and
/// names; [`Folder::classify`] also knows where the charts are.
pub fn classify(path: &str, text: &str) -> FileKind {
    let name = file_name(path);
    match name {
        "Chart.yaml" | "Chart.lock" => return FileKind::HelmChart,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization" => {
            return FileKind::Kustomization
        }
        _ => {}
    }
    if !is_manifest_path(path) {
        return FileKind::Other;
    }
    if name == "values.yaml" || name == "values.yml" {
        return FileKind::HelmValues;
    }
    if has_template_action(text) {
        return FileKind::HelmTemplate;
    }
    FileKind::Manifests
}

/// The files of one folder walk: knows which folders are Helm charts (hold `Chart.yaml`),
/// so that a chart's `templates/` and `values*.yaml` are recognised even without `{{ }}`.
#[derive(Debug, Clone, Default)]
pub struct Folder {
    /// Folders that hold a `Chart.yaml`, as `/`-separated paths ("" for the root).
    charts: BTreeSet<String>,
}

impl Folder {
    /// From every path of the walk (files of any kind; `/` or `\` separated).
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Folder {
        let charts = paths
            .into_iter()
            .map(normalize)
            .filter(|p| file_name(p) == "Chart.yaml")
            .map(|p| parent(&p).to_string())
            .collect();
        Folder { charts }
    }

    pub fn classify(&self, path: &str, text: &str) -> FileKind {
        let own = classify(path, text);
        if own != FileKind::Manifests {
            return own;
        }
        let path = normalize(path);
        let dir = parent(&path);
        let name = file_name(&path);
        if self.charts.contains(dir) && name.starts_with("values") {
            return FileKind::HelmValues;
        }
        // Any depth below `templates/` of a chart: Helm renders subfolders too.
        let mut folder = dir;
        while !folder.is_empty() {
            let up = parent(folder);
            if file_name(folder) == "templates" && self.charts.contains(up) {
                return FileKind::HelmTemplate;
            }
            folder = up;
        }
        FileKind::Manifests
    }
}

fn normalize(path: &str) -> String {
    path.replace('\\', "/")
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn parent(path: &str) -> &str {
    path.rsplit_once(['/', '\\']).map_or("", |(dir, _)| dir)
}

/// Whether the text holds a Go template action `{{` in its YAML structure: outside
/// comments, quoted scalars and block scalars. Rendered manifests carry `{{ }}` inside
/// strings (Prometheus alert texts, Alertmanager and Grafana templates in ConfigMaps),
/// where they are data; a template puts them where YAML expects structure or values.
fn has_template_action(text: &str) -> bool {
    let mut quote: Option<char> = None;
    // The indentation of the line that opened a block scalar (`key: |`).
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let blank = line.trim().is_empty();
        if let Some(open) = block {
            if blank || indent > open {
                continue;
            }
            block = None;
        }
        let scan = scan_line(line, quote);
        if scan.action {
            return true;
        }
        quote = scan.quote;
        if scan.opens_block {
            block = Some(indent);
        }
    }
    false
}

struct LineScan {
    /// A `{{` outside quotes and comments.
    action: bool,
    /// The quote still open at the end of the line (quoted scalars may span lines).
    quote: Option<char>,
    /// The line ends with a block scalar indicator (`|`, `>-`, `|2+`, …).
    opens_block: bool,
}

fn scan_line(line: &str, mut quote: Option<char>) -> LineScan {
    let chars: Vec<char> = line.chars().collect();
    let mut prev_structural = true; // at line start, a scalar may begin
    let mut end = chars.len();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match quote {
            Some('"') => {
                if c == '\\' {
                    i += 1;
                } else if c == '"' {
                    quote = None;
                }
            }
            Some(q) => {
                if c == q {
                    // `''` is an escaped quote inside a single-quoted scalar.
                    if chars.get(i + 1) == Some(&q) {
                        i += 1;
                    } else {
                        quote = None;
                    }
                }
            }
            None => {
                if c == '#' && (i == 0 || chars.get(i - 1).is_some_and(|p| p.is_whitespace())) {
                    end = i;
                    break;
                }
                if c == '{' && chars.get(i + 1) == Some(&'{') {
                    return LineScan {
                        action: true,
                        quote: None,
                        opens_block: false,
                    };
                }
                if (c == '"' || c == '\'') && prev_structural {
                    quote = Some(c);
                }
                if !c.is_whitespace() {
                    prev_structural = matches!(c, ':' | '-' | '[' | '{' | ',' | '?');
                }
            }
        }
        i += 1;
    }
    let code: String = chars.get(..end).unwrap_or_default().iter().collect();
    let tail = code.trim_end();
    let opens_block = quote.is_none() && block_indicator(tail);
    LineScan {
        action: false,
        quote,
        opens_block,
    }
}

/// `key: |`, `- >-`, `key: |2+`: the last token is a block scalar header.
fn block_indicator(line: &str) -> bool {
    let Some(last) = line.split_whitespace().last() else {
        return false;
    };
    let mut chars = last.chars();
    let first = chars.next();
    let before = line.strip_suffix(last).unwrap_or_default().trim_end();
    matches!(first, Some('|' | '>'))
        && chars.all(|c| c == '-' || c == '+' || c.is_ascii_digit())
        && (before.is_empty() || before.ends_with(':') || before.ends_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_extensions_are_kubectls() {
        assert!(is_manifest_path("a/b.yaml"));
        assert!(is_manifest_path("b.yml"));
        assert!(is_manifest_path("c\\d.json"));
        assert!(!is_manifest_path("README.md"));
        assert!(!is_manifest_path("x.YAML"));
        assert!(!is_manifest_path(".yaml"));
        assert!(!is_manifest_path("Kustomization"));
    }

    #[test]
    fn names_decide_helm_and_kustomize_files() {
        assert_eq!(
            classify("charts/web/Chart.yaml", "apiVersion: v2\nname: web\n"),
            FileKind::HelmChart
        );
        assert_eq!(classify("charts/web/Chart.lock", ""), FileKind::HelmChart);
        assert_eq!(
            classify("overlays/prod/kustomization.yaml", "resources: [a.yaml]\n"),
            FileKind::Kustomization
        );
        assert_eq!(
            classify("base/kustomization.yml", ""),
            FileKind::Kustomization
        );
        assert_eq!(classify("base/Kustomization", ""), FileKind::Kustomization);
        assert_eq!(
            classify("anywhere/values.yaml", "replicas: 2\n"),
            FileKind::HelmValues
        );
        assert_eq!(classify("docs/notes.txt", "{{ x }}"), FileKind::Other);
        assert_eq!(
            classify("apps/web.yaml", "kind: Pod\n"),
            FileKind::Manifests
        );
    }

    #[test]
    fn template_actions_outside_strings_and_comments() {
        let tpl =
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"web.fullname\" . }}\n";
        assert_eq!(classify("svc.yaml", tpl), FileKind::HelmTemplate);
        let control = "{{- if .Values.enabled }}\nkind: Pod\n{{- end }}\n";
        assert_eq!(classify("pod.yaml", control), FileKind::HelmTemplate);
        let labels = "metadata:\n  labels:\n    {{- include \"web.labels\" . | nindent 4 }}\n";
        assert_eq!(classify("x.yaml", labels), FileKind::HelmTemplate);
        // Data, not structure: comments, quoted strings, block scalars.
        let comment = "# render with {{ .Values.x }} one day\nkind: Pod # {{ not a template }}\n";
        assert_eq!(classify("x.yaml", comment), FileKind::Manifests);
        let rule = "kind: PrometheusRule\nspec:\n  groups:\n  - rules:\n    - annotations:\n        summary: \"{{ $labels.instance }} is down\"\n        note: 'it''s {{ $value }}'\n";
        assert_eq!(classify("rule.yaml", rule), FileKind::Manifests);
        let block = "kind: ConfigMap\ndata:\n  slack.tmpl: |-\n    {{ define \"slack.title\" }}\n      {{ .Status }}\n    {{ end }}\n  other: plain\n";
        assert_eq!(classify("cm.yaml", block), FileKind::Manifests);
        // After the block scalar ends, structure is read again.
        let after = "data:\n  a: |\n    {{ fine }}\nmetadata:\n  name: {{ .Release.Name }}\n";
        assert_eq!(classify("x.yaml", after), FileKind::HelmTemplate);
        // A quote inside a plain scalar opens nothing.
        let apostrophe = "metadata:\n  annotations:\n    note: it's {{ .Values.x }}\n";
        assert_eq!(classify("x.yaml", apostrophe), FileKind::HelmTemplate);
    }

    #[test]
    fn a_folder_knows_its_charts() {
        let paths = [
            "charts/web/Chart.yaml",
            "charts/web/values-prod.yaml",
            "charts/web/templates/deployment.yaml",
            "charts/web/templates/sub/config.yaml",
            "charts/web/crds/crd.yaml",
            "apps/templates/plain.yaml",
            "apps/values-prod.yaml",
        ];
        let folder = Folder::new(paths);
        let plain = "kind: Pod\n";
        assert_eq!(
            folder.classify("charts/web/values-prod.yaml", "replicas: 3\n"),
            FileKind::HelmValues
        );
        assert_eq!(
            folder.classify("charts/web/templates/deployment.yaml", plain),
            FileKind::HelmTemplate
        );
        assert_eq!(
            folder.classify("charts/web/templates/sub/config.yaml", plain),
            FileKind::HelmTemplate
        );
        assert_eq!(
            folder.classify("charts/web/crds/crd.yaml", plain),
            FileKind::Manifests
        );
        // No Chart.yaml beside them: plain manifests.
        assert_eq!(
            folder.classify("apps/templates/plain.yaml", plain),
            FileKind::Manifests
        );
        assert_eq!(
            folder.classify("apps/values-prod.yaml", plain),
            FileKind::Manifests
        );
        // Windows separators name the same folders.
        assert_eq!(
            Folder::new(["c\\Chart.yaml"]).classify("c\\templates\\a.yaml", plain),
            FileKind::HelmTemplate
        );
        // A chart at the root of the walk.
        assert_eq!(
            Folder::new(["Chart.yaml"]).classify("templates/a.yaml", plain),
            FileKind::HelmTemplate
        );
    }

    #[test]
    fn kinds_serialize_as_their_names() {
        for k in [
            FileKind::Manifests,
            FileKind::HelmTemplate,
            FileKind::HelmChart,
            FileKind::HelmValues,
            FileKind::Kustomization,
            FileKind::Other,
        ] {
            assert_eq!(
                serde_json::to_value(k).ok(),
                Some(serde_json::Value::from(k.as_str()))
            );
            assert!(!k.reason().is_empty());
        }
    }
}
