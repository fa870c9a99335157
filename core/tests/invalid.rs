//! Hostile and wrong inputs: each file of `tests/invalid` names, on its first line, the
//! error it must produce (`# expect-error: code=… doc=… path=… line=…`), located.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use meshverdict::{Cluster, Error, Input, Options};

fn field<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    header
        .split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .filter(|v| *v != "-")
}

fn check(path: std::path::PathBuf) -> Result<(), Failed> {
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let header = text.lines().next().unwrap_or_default();
    let header = header
        .strip_prefix("# expect-error:")
        .ok_or("first line must be `# expect-error: …`")?;
    let code = field(header, "code").ok_or("no code=")?;
    let name = path.display().to_string();
    let errors: Vec<Error> = match Cluster::load(
        &[Input {
            name: &name,
            text: &text,
        }],
        Options::default(),
    ) {
        Err(e) => vec![e],
        Ok(c) => c.errors(),
    };
    let want_doc = field(header, "doc").and_then(|d| d.parse::<usize>().ok());
    let want_path = field(header, "path");
    let want_line = field(header, "line").and_then(|d| d.parse::<usize>().ok());
    let hit = errors.iter().find(|e| {
        let loc = e.location.clone().unwrap_or_default();
        e.code.as_str() == code
            && want_doc.is_none_or(|d| loc.document == Some(d))
            && want_path.is_none_or(|p| loc.path.as_deref() == Some(p))
            && want_line.is_none_or(|l| loc.line == Some(l))
    });
    match hit {
        Some(e) => {
            // The error names the file, so a person can find it.
            if e.location.as_ref().is_none_or(|l| l.source != name) {
                return Err(format!("error does not name the file: {e}").into());
            }
            Ok(())
        }
        None => Err(format!(
            "expected {code} doc={want_doc:?} path={want_path:?} line={want_line:?}; got:\n{}",
            errors
                .iter()
                .map(|e| format!("  {} {:?}", e.code, e.location))
                .collect::<Vec<_>>()
                .join("\n")
        )
        .into()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let dir = common::workspace().join("tests").join("invalid");
    let trials = common::yaml_files(&dir)
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            Trial::test(name, move || check(p))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
