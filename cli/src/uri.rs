//! File names as SARIF artifact URIs: relative to the working directory (the repository
//! root in CI) under the base id `%SRCROOT%`, so that code scanning finds the file in the
//! repository; a file outside it keeps an absolute `file://` URI.

use std::path::{Component, Path, PathBuf};

/// The SARIF base id of the working directory.
pub const SRCROOT: &str = "%SRCROOT%";

pub struct Base {
    cwd: PathBuf,
}

/// Where an artifact is: a URI, relative to [`SRCROOT`] or absolute.
#[derive(Debug, PartialEq, Eq)]
pub struct Artifact {
    pub uri: String,
    pub relative: bool,
}

impl Base {
    pub fn current() -> Base {
        Base::at(std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")))
    }

    pub fn at(cwd: PathBuf) -> Base {
        Base { cwd: lexical(&cwd) }
    }

    /// `file:///…/` for `originalUriBaseIds` (absolute, ending in `/`, as SARIF requires).
    pub fn root_uri(&self) -> String {
        let mut uri = file_uri(&self.cwd);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    pub fn artifact(&self, source: &str) -> Artifact {
        let path = lexical(&self.cwd.join(source));
        match path.strip_prefix(&self.cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| encode(&c.as_os_str().to_string_lossy()))
                    .collect();
                Artifact {
                    uri: parts.join("/"),
                    relative: true,
                }
            }
            _ => Artifact {
                uri: file_uri(&path),
                relative: false,
            },
        }
    }
}

/// `.` and `..` resolved without the file system (the file may not exist: stdin's name).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn file_uri(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(encode(&s.to_string_lossy())),
            _ => None,
        })
        .collect();
    format!("file:///{}", parts.join("/"))
}

/// Percent-encodes one path segment (RFC 3986 `pchar`, less `:` so that a relative URI's
/// first segment cannot read as a scheme).
fn encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_below_the_working_directory_are_relative() {
        let base = Base::at(PathBuf::from("/repo/work"));
        assert_eq!(base.root_uri(), "file:///repo/work/");
        assert_eq!(
            base.artifact("examples/a.yaml"),
            Artifact {
                uri: "examples/a.yaml".into(),
                relative: true
            }
        );
        assert_eq!(
            base.artifact("./x/../b.yaml"),
            Artifact {
                uri: "b.yaml".into(),
                relative: true
            }
        );
        assert_eq!(
            base.artifact("/repo/work/c d.yaml"),
            Artifact {
                uri: "c%20d.yaml".into(),
                relative: true
            }
        );
        assert_eq!(base.artifact("stdin.yaml").uri, "stdin.yaml");
    }

    #[test]
    fn paths_elsewhere_are_absolute_file_uris() {
        let base = Base::at(PathBuf::from("/repo/work"));
        assert_eq!(
            base.artifact("../other/a.yaml"),
            Artifact {
                uri: "file:///repo/other/a.yaml".into(),
                relative: false
            }
        );
        assert_eq!(
            base.artifact("/tmp/x:y#1.yaml"),
            Artifact {
                uri: "file:///tmp/x%3Ay%231.yaml".into(),
                relative: false
            }
        );
    }
}
