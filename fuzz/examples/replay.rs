//! Replays inputs through the fuzz targets on stable Rust, without libFuzzer, and prints
//! what each cost: `replay [--target NAME] [--quiet] PATH...` (files or folders). The
//! target defaults to the name of the corpus folder a file is in (corpus/NAME/…), else
//! every target. Exit status 1 when any input breaks an invariant or a budget.
//! `replay --render FILE`: prints the world the `structured` target builds from FILE, as
//! the engine reads it (each input after a `# input NAME` line), to cut a finding down.

use std::path::{Path, PathBuf};

use meshverdict_fuzz::targets::{self, TARGETS};

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            files(&e, out);
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let mut only: Option<String> = None;
    let mut quiet = false;
    let mut render = false;
    let mut paths = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--target" => only = args.next(),
            "--quiet" => quiet = true,
            "--render" => render = true,
            _ => files(Path::new(&a), &mut paths),
        }
    }
    if render {
        for path in &paths {
            let Ok(data) = std::fs::read(path) else { continue };
            let mut u = arbitrary::Unstructured::new(&data);
            match u.arbitrary::<meshverdict_fuzz::structured::World>() {
                Ok(world) => {
                    for (name, text) in world.render() {
                        println!("# input {name} (dataplane index {})\n{text}", world.dataplane);
                    }
                }
                Err(e) => eprintln!("{}: no world: {e}", path.display()),
            }
        }
        return;
    }
    let (mut runs, mut findings) = (0usize, 0usize);
    let (mut worst_ratio, mut worst_time) = (0f64, 0f64);
    for path in &paths {
        let Ok(data) = std::fs::read(path) else { continue };
        let folder = path.parent().and_then(Path::file_name).and_then(|f| f.to_str()).unwrap_or_default();
        let names: Vec<&str> = match &only {
            Some(t) => vec![t.as_str()],
            None if TARGETS.iter().any(|(n, _, _)| *n == folder) => vec![folder],
            None => TARGETS.iter().map(|(n, _, _)| *n).collect(),
        };
        for name in names {
            runs += 1;
            match targets::run(name, &data) {
                Ok(cost) => {
                    let ratio = cost.peak as f64 / cost.size.max(1) as f64;
                    worst_ratio = worst_ratio.max(ratio);
                    worst_time = worst_time.max(cost.elapsed.as_secs_f64());
                    if !quiet {
                        println!("ok {name} {} size={} peak={} ratio={ratio:.1} time={:.3}s", path.display(), cost.size, cost.peak, cost.elapsed.as_secs_f64());
                    }
                }
                Err(v) => {
                    findings += 1;
                    println!("FINDING {name} {}: {v}", path.display());
                }
            }
        }
    }
    println!("replayed {runs} runs over {} files: worst peak/size {worst_ratio:.1}, slowest {worst_time:.3}s", paths.len());
    println!("{} passed, {findings} failed", runs - findings);
    std::process::exit(i32::from(findings > 0));
}
