//! A tiny harness: run `gavel` with arguments, check the exit code, read the
//! output; and redaction of what varies between runs (paths, durations).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn gavel() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gavel"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
        .env_remove("GAVEL_CATALOG")
        .env_remove("GAVEL_IMAGE");
    command
}

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    #[track_caller]
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub(crate) fn run(args: &[&str]) -> Run {
    let output = gavel().args(args).output().expect("gavel runs");
    finish(args, output)
}

pub(crate) fn finish(args: &[&str], output: Output) -> Run {
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    eprintln!("gavel {args:?} -> {}\n{}", run.code, run.stderr);
    run
}

/// Runs and requires exit code `code`.
#[track_caller]
pub(crate) fn expect(code: i32, args: &[&str]) -> Run {
    let run = run(args);
    assert_eq!(
        run.code, code,
        "gavel {args:?}\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    run
}

pub(crate) fn catalog() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises")
}

/// A file in a fresh temporary directory.
pub(crate) fn file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Replaces what legitimately varies between runs and machines with
/// placeholders: durations, hashes of the (not byte-reproducible) image, and
/// temporary paths.
pub(crate) fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match key.as_str() {
                    "wall_ms" => *v = "[ms]".into(),
                    "sha256" | "image_sha256" => *v = "[sha256]".into(),
                    "path" => *v = "[path]".into(),
                    _ => redact(v),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        serde_json::Value::String(s) if s.starts_with(std::env::temp_dir().to_str().unwrap()) => {
            *s = "[path]".into()
        }
        _ => {}
    }
}

/// An exercise `id` in the catalog `root`: the manifest's header with `rest`
/// after it, a statement, a starter, the solution and public tests (files
/// relative to `tests/public/`).
pub(crate) fn exercise(
    root: &Path,
    id: &str,
    rest: &str,
    solution: &str,
    tests: &[(&str, &str)],
) -> PathBuf {
    let dir = root.join(id);
    file(
        &dir,
        "exercise.toml",
        &format!("id = \"{id}\"\ntitle = \"{id}\"\ndifficulty = \"easy\"\n{rest}"),
    );
    file(&dir, "statement.md", "# A test exercise\n");
    file(&dir, "starter.py", "");
    file(&dir, "solution.py", solution);
    for (name, text) in tests {
        file(&dir, &format!("tests/public/{name}"), text);
    }
    dir
}
