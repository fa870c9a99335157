//! Where the case folders are, for every Rust test that reads them.

use std::path::{Path, PathBuf};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

#[allow(dead_code)] // not every test binary reads the shared corpus
/// The shared corpus: `MESHVERDICT_SHARED_CASES`, else `../shared/conformance/cases`
/// beside the workspace.
pub fn shared_cases() -> PathBuf {
    match std::env::var_os("MESHVERDICT_SHARED_CASES") {
        Some(p) => PathBuf::from(p),
        None => workspace()
            .join("..")
            .join("shared")
            .join("conformance")
            .join("cases"),
    }
}

/// Every `*.yaml`/`*.yml` below `dir`, sorted.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| x == "yaml" || x == "yml")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
