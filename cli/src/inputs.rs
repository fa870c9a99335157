//! The manifests of `-f`: files, folders and stdin, read as bytes and decoded with a
//! located error for invalid UTF-8. Folders are walked the way a GitOps repository needs
//! (docs/gitops.md): rendered manifests are read; Helm charts, values and kustomizations
//! are skipped and reported, since only their tools know the objects they stand for.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use meshverdict::gitops::{FileKind, Folder};
use meshverdict::source::decode_utf8;
use meshverdict::{Error, Input};

use crate::args::InputArgs;
use crate::exclude::Excludes;
use crate::progress::Progress;

/// One text to load, under the name messages give it.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// A file of a folder that was not read, and why.
pub struct Skipped {
    pub kind: FileKind,
    pub path: String,
}

#[derive(Default)]
pub struct Inputs {
    pub sources: Vec<Source>,
    pub skipped: Vec<Skipped>,
}

impl Inputs {
    pub fn as_core(&self) -> Vec<Input<'_>> {
        self.sources
            .iter()
            .map(|s| Input {
                name: &s.name,
                text: &s.text,
            })
            .collect()
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.text.as_str())
    }
}

/// Reads every `-f` argument. An input with no object at all is an error: a wrong path
/// or an empty pipe must not look like a cluster without findings.
pub fn read(args: &InputArgs, progress: &dyn Progress) -> Result<Inputs, Error> {
    let excludes = Excludes::new(&args.exclude);
    let mut inputs = Inputs::default();
    let mut stdin_read = false;
    for f in &args.files {
        if f == "-" {
            if stdin_read {
                return Err(Error::request(
                    "-f - is given twice: stdin can be read once",
                ));
            }
            stdin_read = true;
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Error::request(format!("reading stdin: {e}")))?;
            progress.read(bytes.len() as u64);
            let text = decode_utf8(&args.stdin_name, bytes)?;
            inputs.sources.push(Source {
                name: args.stdin_name.clone(),
                text,
            });
            continue;
        }
        let root = Path::new(f);
        if root.is_dir() {
            read_folder(root, &excludes, progress, &mut inputs)?;
        } else if root.is_file() {
            // Named explicitly: read whatever it is; the user asked for this file.
            inputs.sources.push(read_file(root, progress)?);
        } else {
            return Err(Error::request(format!("{f}: no such file or folder")));
        }
    }
    if inputs.sources.iter().all(|s| is_blank(&s.text)) {
        let help = if !inputs.skipped.is_empty() {
            format!(
                "every file was skipped ({}); render Helm charts with `helm template` and kustomizations with `kustomize build`, and pipe the output to -f -",
                inputs.skipped.iter().map(|s| s.path.as_str()).take(3).collect::<Vec<_>>().join(", ")
            )
        } else if stdin_read && inputs.sources.len() == 1 {
            "stdin was empty".to_string()
        } else {
            "give files or folders holding *.yaml, *.yml or *.json manifests".to_string()
        };
        return Err(Error::request("no Kubernetes objects in the input").with_help(help));
    }
    Ok(inputs)
}

fn read_file(path: &Path, progress: &dyn Progress) -> Result<Source, Error> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::request(format!("{name}: {e}")))?;
    progress.read(bytes.len() as u64);
    let text = decode_utf8(&name, bytes)?;
    Ok(Source { name, text })
}

fn read_folder(
    root: &Path,
    excludes: &Excludes,
    progress: &dyn Progress,
    inputs: &mut Inputs,
) -> Result<(), Error> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    walk(root, root, excludes, &mut files, &mut seen)
        .map_err(|e| Error::request(format!("{}: {e}", root.display())))?;
    let folder = Folder::new(files.iter().map(|(_, rel)| rel.as_str()));
    for (path, rel) in files {
        // By name first: what is no manifest is not even opened.
        let by_name = meshverdict::gitops::classify(&rel, "");
        if by_name == FileKind::Other {
            continue;
        }
        if by_name != FileKind::Manifests {
            inputs.skipped.push(Skipped {
                kind: by_name,
                path: path.display().to_string(),
            });
            continue;
        }
        let source = read_file(&path, progress)?;
        match folder.classify(&rel, &source.text) {
            FileKind::Manifests => inputs.sources.push(source),
            FileKind::Other => {}
            kind => inputs.skipped.push(Skipped {
                kind,
                path: source.name,
            }),
        }
    }
    Ok(())
}

/// Every file below `dir`, sorted, with its path relative to `root` (`/`-separated).
/// Hidden entries (`.git`, `.github`) are no manifests of the cluster; symbolic links to
/// folders are followed once.
fn walk(
    root: &Path,
    dir: &Path,
    excludes: &Excludes,
    out: &mut Vec<(PathBuf, String)>,
    seen: &mut HashSet<PathBuf>,
) -> std::io::Result<()> {
    if !seen.insert(dir.canonicalize()?) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        let rel = relative(root, &path);
        if excludes.excludes(&rel, &path.display().to_string()) {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, excludes, out, seen)?;
        } else if path.is_file() {
            out.push((path, rel));
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Nothing but comments, blank lines and document markers.
fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim();
        let rest = l
            .strip_prefix("---")
            .or_else(|| l.strip_prefix("..."))
            .unwrap_or(l)
            .trim_start();
        rest.is_empty() || rest.starts_with('#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_streams_hold_no_object() {
        assert!(is_blank(""));
        assert!(is_blank("# only a comment\n---\n--- # another\n...\n\n"));
        assert!(!is_blank("kind: Pod\n"));
        assert!(!is_blank("--- {kind: Pod}\n"));
    }
}
