//! Grading benchmark (issue: judge engine). Prints, side by side in one run,
//! the time to grade a set of submissions with `gavel grade` (whole process,
//! sandboxed, every test a fresh interpreter) and with a native loop that runs
//! `python3 -I -S` once per test and compares the output the same way; both
//! with two workers.
//!
//! The submissions are the catalog's references and its wrong-answer and
//! runtime-error known-bad solutions (the too-slow ones would only measure the
//! native loop's timeout). Left out are exercises the native loop cannot judge
//! as gavel does: arguments that are linked lists or trees (it has no
//! converter), a checker or an interactor, and group rules (which skip the
//! tests after a failure, where the loop would run a naive solution on every
//! large input to the end).
//!
//! Set `GAVEL_BENCH_BASELINE=/path/to/an/older/gavel` to time that binary's
//! `grade` on the same submissions in the same run (before/after figures).
//!
//! Run with `just bench-grade` (or `cargo build && cargo run --example bench-grade`).

#![allow(clippy::print_stdout, missing_docs)]

#[path = "support/files.rs"]
mod files;
#[path = "support/workers.rs"]
mod workers;

use gavel_exercise::compare::{self, Compared};
use gavel_exercise::{Comparison, TestData, Verdict};
use gavel_judge::{Judge, Selection};
use gavel_sandbox::{Cache, Sandbox, image};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use workers::for_each_in_parallel;

const WORKERS: usize = 2;

/// Calls a function exercise's function natively, as the sandbox's runner does.
const HARNESS: &str = r#"
import json, sys
path, name = sys.argv[1], sys.argv[2]
args = json.loads(sys.stdin.read())
namespace = {"__name__": "solution"}
exec(compile(open(path, "rb").read(), path, "exec"), namespace)
print(json.dumps(namespace[name](*args)))
"#;

struct Work {
    function: Option<String>,
    source: PathBuf,
    data: TestData,
    comparison: Comparison,
}

fn native(python: &str, harness: &Path, work: &Work, scratch: &Path) -> bool {
    let dir = tempfile::tempdir_in(scratch).unwrap();
    let input: Vec<u8> = match &work.data {
        TestData::Stdio { stdin, files, .. } => {
            for (name, bytes) in files.iter() {
                std::fs::write(dir.path().join(name), bytes).unwrap();
            }
            stdin.to_vec()
        }
        TestData::Function { args, .. } => args.as_bytes().to_vec(),
    };
    let mut command = Command::new(python);
    command.args(["-I", "-S"]);
    match &work.function {
        Some(name) => command.arg(harness).arg(&work.source).arg(name),
        None => command.arg(&work.source),
    };
    let mut child = command
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    if !output.status.success() {
        return false;
    }
    let actual = String::from_utf8_lossy(&output.stdout);
    let verdict = match &work.data {
        TestData::Stdio { expected, .. } => {
            compare::compare_text(&work.comparison, expected, &actual)
        }
        TestData::Function { expected, .. } => match serde_json::from_str(actual.trim()) {
            Ok(a) => compare::compare_json(&work.comparison, expected, &a),
            Err(_) => return false,
        },
    };
    verdict == Compared::Match
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gavel = root.join("target/debug/gavel");
    assert!(gavel.exists(), "build gavel first (`cargo build`)");
    let python = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    let python = String::from_utf8(python.stdout).unwrap().trim().to_owned();

    let catalog = gavel_exercise::load_catalog(&root.join("exercises"));
    assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
    let exercises = catalog.exercises;
    let baseline = std::env::var_os("GAVEL_BENCH_BASELINE").map(PathBuf::from);
    let cache = Cache::from_env().unwrap();
    let image = image::ensure(&cache, &image::PYTHON_3_14, &mut |_| {}).unwrap();
    let sandbox = Arc::new(Sandbox::new(&cache, image, WORKERS).unwrap());
    let judge = Judge::new(sandbox, &cache);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap();

    let scratch = tempfile::tempdir().unwrap();
    let harness = scratch.path().join("harness.py");
    std::fs::write(&harness, HARNESS).unwrap();
    println!("native interpreter: {python}; {WORKERS} workers on both sides");
    println!(
        "                                             gavel grade   native loop   gavel/native{}",
        if baseline.is_some() {
            "   baseline grade   gavel/baseline"
        } else {
            ""
        }
    );
    for (label, with_generated) in [
        ("stored tests (small inputs)", false),
        ("all tests (with large generated)", true),
    ] {
        let set = scratch
            .path()
            .join(if with_generated { "all" } else { "small" });
        let (submissions, work) = build(&runtime, &judge, &exercises, &set, with_generated);
        let (sandboxed, unsandboxed, passed) = measure(&gavel, &python, &harness, &set, &work);
        let before = baseline
            .as_ref()
            .map(|old| {
                let seconds = time_grade(old, &set, "out-baseline");
                format!("   {seconds:>8.2} s        {:>6.2}x", sandboxed / seconds)
            })
            .unwrap_or_default();
        println!(
            "  {label:<33} {:>8.2} s    {:>8.2} s    {:>6.2}x{before}   ({submissions} submissions, {} test runs; {passed} passed natively)",
            sandboxed,
            unsandboxed,
            sandboxed / unsandboxed,
            work.len(),
        );
    }
    println!("  goal: gavel/native <= 1.0x");
}

/// Writes a catalog (without generated tests unless `with_generated`) and a
/// homework folder under `set`, and lists every test run the native loop does.
fn build(
    runtime: &tokio::runtime::Runtime,
    judge: &Judge,
    exercises: &[gavel_exercise::Exercise],
    set: &Path,
    with_generated: bool,
) -> (usize, Vec<Work>) {
    let catalog = set.join("catalog");
    let homework = set.join("homework");
    let mut work = Vec::new();
    let mut submissions = 0;
    for exercise in exercises {
        let shaped = exercise.function.as_ref().is_some_and(|f| {
            !f.params.iter().all(|p| *p == Default::default()) || f.returns != Default::default()
        });
        // The native loop compares outputs itself: it has no checker, no
        // interactor and no group rules (which skip tests), and passes plain
        // JSON only.
        let rules = exercise.groups.values().any(|g| g.has_rules());
        // Nor does it run test-writing exercises or measure complexity.
        let other = exercise.kind == gavel_exercise::Kind::Tests || exercise.native.is_some();
        if shaped || rules || other || exercise.checker.is_some() || exercise.interactor.is_some() {
            continue;
        }
        let dir = catalog.join(&exercise.id);
        files::copy_dir(&exercise.dir, &dir);
        let manifest = dir.join("exercise.toml");
        let mut table: toml::Table = std::fs::read_to_string(&manifest).unwrap().parse().unwrap();
        table.remove("complexity");
        if !with_generated {
            table.remove("generated");
            let _ = std::fs::remove_file(dir.join("generator.py"));
        }
        std::fs::write(&manifest, toml::to_string(&table).unwrap()).unwrap();
        let exercise = Arc::new(gavel_exercise::load(&dir).unwrap());
        let mut sources = vec![("reference".to_owned(), exercise.dir.join("solution.py"))];
        for bad in &exercise.known_bad {
            if matches!(bad.expected, Verdict::WrongAnswer | Verdict::RuntimeError) {
                let path = exercise.dir.join(&bad.file);
                let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                sources.push((name, path));
            }
        }
        // Generated tests are materialised (and cached) here, so both sides run the same data.
        let prepared = runtime
            .block_on(judge.prepare(exercise.clone(), Selection::All))
            .unwrap();
        for (candidate, source) in sources {
            let target = homework
                .join(&candidate)
                .join(format!("{}.py", exercise.id));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&source, &target).unwrap();
            submissions += 1;
            for test in &prepared.tests {
                work.push(Work {
                    function: exercise.function.as_ref().map(|f| f.name.clone()),
                    source: target.clone(),
                    data: test.data.clone(),
                    comparison: test.test.comparison.clone(),
                });
            }
        }
    }
    (submissions, work)
}

/// Seconds for `gavel grade` of the set's homework (which holds wrong answers: exit 1).
fn time_grade(gavel: &Path, set: &Path, out: &str) -> f64 {
    let started = Instant::now();
    let status = Command::new(gavel)
        .args(["--jobs", &WORKERS.to_string(), "--catalog"])
        .arg(set.join("catalog"))
        .arg("grade")
        .arg(set.join("homework"))
        .arg("--out")
        .arg(set.join(out))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(
        status.code(),
        Some(1),
        "{} grade: {status:?}",
        gavel.display()
    );
    seconds
}

/// Seconds for `gavel grade` and for the native loop, and how many tests passed natively.
fn measure(
    gavel: &Path,
    python: &str,
    harness: &Path,
    set: &Path,
    work: &[Work],
) -> (f64, f64, usize) {
    let sandboxed = time_grade(gavel, set, "out");

    let passed = AtomicUsize::new(0);
    let started = Instant::now();
    for_each_in_parallel(work, WORKERS, |item| {
        if native(python, harness, item, set) {
            passed.fetch_add(1, Ordering::Relaxed);
        }
    });
    (
        sandboxed,
        started.elapsed().as_secs_f64(),
        passed.load(Ordering::Relaxed),
    )
}
