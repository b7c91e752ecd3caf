//! The shape of the code itself (issue 20): inside each crate, files import
//! only files below them — no file-level circle — and no function outside
//! tests is over 100 lines. Read from the sources, so a change that breaks
//! either fails here, naming the files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The `src/` directories of the workspace's crates and of the binary.
fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path().join("src"))
        .collect();
    dirs.sort();
    dirs.push(root.join("src"));
    dirs
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path inside its crate (`host/run.rs` → `host::run`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .strip_prefix(src)
        .unwrap()
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("lib" | "main" | "mod")
    ) {
        parts.pop();
    }
    parts
}

/// A file's code before its tests, without comments.
fn code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    code.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Module paths named after `crate::` or `super::` in `code`.
fn references(module: &[String], is_mod_file: bool, code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", {
            let mut base = module.to_vec();
            if !is_mod_file || !base.is_empty() {
                base.pop();
            }
            base
        }),
    ] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            let path: Vec<String> = after
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
            let mut full = base.clone();
            full.extend(path);
            found.push(full);
            rest = after;
        }
    }
    found
}

/// The circles of `edges` (strongly connected components of two or more).
fn circles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    // Reachability is enough at this size: a and b are in one circle when
    // each reaches the other.
    let reach = |from: &Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(node) = todo.pop() {
            for next in edges.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> =
        edges.keys().map(|k| (k, reach(k))).collect();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for (node, reached) in &reachable {
        let mut circle: Vec<String> = reached
            .iter()
            .filter(|other| reachable.get(other).is_some_and(|r| r.contains(*node)))
            .map(|m| m.join("::"))
            .collect();
        if circle.len() > 1 {
            circle.sort();
            found.insert(circle);
        }
    }
    found.into_iter().collect()
}

#[test]
fn no_crate_has_a_file_level_import_circle() {
    let mut problems = Vec::new();
    for src in sources() {
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let modules: BTreeMap<Vec<String>, PathBuf> = files
            .iter()
            .map(|f| (module_of(&src, f), f.clone()))
            .collect();
        let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for (module, file) in &modules {
            let is_mod_file = file.file_name().is_some_and(|n| n == "mod.rs");
            let targets = edges.entry(module.clone()).or_default();
            for path in references(module, is_mod_file, &code(file)) {
                // The longest prefix that is a file's module.
                let target = (0..=path.len())
                    .rev()
                    .map(|n| path[..n].to_vec())
                    .find(|p| modules.contains_key(p));
                if let Some(target) = target
                    && !target.is_empty()
                    && &target != module
                {
                    targets.insert(target);
                }
            }
        }
        for circle in circles(&edges) {
            problems.push(format!("{}: {}", src.display(), circle.join(" ↔ ")));
        }
    }
    assert!(
        problems.is_empty(),
        "import circles:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_function_outside_tests_is_over_100_lines() {
    let mut long = Vec::new();
    for src in sources() {
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for file in files {
            if file.to_string_lossy().ends_with("_tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let end = lines
                .iter()
                .position(|l| l.trim() == "#[cfg(test)]")
                .unwrap_or(lines.len());
            let mut i = 0;
            while i < end {
                let line = lines[i];
                let indent = line.len() - line.trim_start().len();
                let is_fn = line.split_whitespace().any(|w| w == "fn")
                    && !line.trim_start().starts_with("//");
                // A function's body ends at the first `}` at its indentation.
                let opens = (i..end).find(|&j| {
                    let l = lines[j].trim_end();
                    l.ends_with('{') || l.ends_with(';') || l.ends_with("{}")
                });
                if is_fn && let Some(open) = opens.filter(|&j| lines[j].trim_end().ends_with('{')) {
                    let close = (open + 1..lines.len())
                        .find(|&k| {
                            lines[k].len() - lines[k].trim_start().len() == indent
                                && lines[k].trim() == "}"
                        })
                        .unwrap_or(open);
                    if close - i + 1 > 100 {
                        long.push(format!(
                            "{}:{} ({} lines)",
                            file.display(),
                            i + 1,
                            close - i + 1
                        ));
                    }
                    i = close;
                }
                i += 1;
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 100 lines:\n{}",
        long.join("\n")
    );
}
