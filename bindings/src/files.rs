//! Which files of a folder a host reads, by the CLI's rules (`meshverdict::gitops`), for
//! the hosts that walk folders themselves (Python's `from_path`, Node's `fromPath`).
//!
//! The host lists the files below the folder (sorted, hidden entries left out, each
//! folder once), asks [`FolderPlan::by_name`] which to open, reads those, and asks
//! [`FolderPlan::classify`] with the text which to load. What is skipped is reported,
//! never silently dropped: a chart's templates or a kustomization stand for objects that
//! only their tool can produce.

use meshverdict::gitops::{classify, Folder};
use meshverdict::{Error, ErrorCode};
use serde::Serialize;

pub use meshverdict::gitops::{is_manifest_path, FileKind};

/// A walk's files, classified as the CLI classifies them.
pub struct FolderPlan {
    folder: Folder,
}

impl FolderPlan {
    /// From the paths of every file of the walk, relative to the folder (`/`-separated).
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> FolderPlan {
        FolderPlan {
            folder: Folder::new(paths),
        }
    }

    /// By name alone: `Other` is not opened, `Manifests` is read and then classified,
    /// anything else is skipped unread.
    pub fn by_name(&self, path: &str) -> FileKind {
        classify(path, "")
    }

    /// A file read: `Manifests` is loaded, `Other` ignored, anything else skipped.
    pub fn classify(&self, path: &str, text: &str) -> FileKind {
        self.folder.classify(path, text)
    }
}

/// Every kind, for hosts that get one back by its name.
pub const KINDS: [FileKind; 6] = [
    FileKind::Manifests,
    FileKind::HelmTemplate,
    FileKind::HelmChart,
    FileKind::HelmValues,
    FileKind::Kustomization,
    FileKind::Other,
];

/// A kind by its name (`helm-template`).
pub fn kind(name: &str) -> Option<FileKind> {
    KINDS.iter().copied().find(|k| k.as_str() == name)
}

/// Entries a walk leaves out (`.git`, `.github`): no manifests of the cluster.
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// A file of a folder that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SkippedFile {
    pub path: String,
    pub kind: FileKind,
    pub reason: &'static str,
}

impl SkippedFile {
    pub fn new(path: impl Into<String>, kind: FileKind) -> SkippedFile {
        SkippedFile {
            path: path.into(),
            kind,
            reason: kind.reason(),
        }
    }
}

/// A folder with nothing to load is an error, as in the CLI: a wrong path must not look
/// like a cluster without findings.
pub fn nothing_to_load(folder: &str, skipped: &[SkippedFile]) -> Error {
    let help = if skipped.is_empty() {
        "give a folder holding *.yaml, *.yml or *.json manifests".to_string()
    } else {
        let some: Vec<&str> = skipped.iter().map(|s| s.path.as_str()).take(3).collect();
        format!("every file was skipped ({}); render Helm charts with `helm template` and kustomizations with `kustomize build`, and load the output", some.join(", "))
    };
    Error::new(
        ErrorCode::InvalidRequest,
        format!("{folder}: no Kubernetes manifests in the folder"),
    )
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_and_kustomizations_are_skipped() {
        let paths = [
            "app/deploy.yaml",
            "chart/Chart.yaml",
            "chart/templates/svc.yaml",
            "chart/values.yaml",
            "kustomization.yaml",
            "README.md",
        ];
        let plan = FolderPlan::new(paths);
        assert_eq!(plan.by_name("README.md"), FileKind::Other);
        assert_eq!(plan.by_name("kustomization.yaml"), FileKind::Kustomization);
        assert_eq!(plan.by_name("app/deploy.yaml"), FileKind::Manifests);
        assert_eq!(
            plan.classify("app/deploy.yaml", "kind: Pod\n"),
            FileKind::Manifests
        );
        assert_eq!(
            plan.classify("chart/templates/svc.yaml", "kind: Service\n"),
            FileKind::HelmTemplate
        );
        assert!(is_hidden(".git") && !is_hidden("git"));
        let e = nothing_to_load(
            "x",
            &[SkippedFile::new(
                "kustomization.yaml",
                FileKind::Kustomization,
            )],
        );
        assert!(e.help.is_some_and(|h| h.contains("kustomization.yaml")));
    }
}
