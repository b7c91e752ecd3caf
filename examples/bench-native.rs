//! Native checker benchmark (issue 23). Prints, side by side in one run:
//! - compiling a C++ checker (topological-order's, testlib-style) to
//!   WebAssembly cold (the compiler, then Cranelift) and cached (the module
//!   from gavel's cache, its native code deserialised);
//! - the per-test cost of that checker against the same checker written in
//!   Python (`checker.py`, same logic), on every test of the exercise: wall
//!   time, CPU time and fuel of the checker's run, medians over rounds.
//!
//! Run with `cargo run --example bench-native` (the C/C++ toolchain gavel
//! finds or provisions). A shared machine: quote the ratios.

#![allow(clippy::print_stdout, missing_docs)]

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/files.rs"]
mod files;

use gavel_judge::native::{self, ToolchainStep};
use gavel_judge::{Judge, Selection};
use gavel_sandbox::{Cache, Job, Sandbox, image};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const ROUNDS: usize = 7;

/// The same checker as topological-order's checker.cpp, in Python.
const CHECKER_PY: &str = r#"from gavel_checker import Tokens, accept, wrong


def check(input, expected, output):
    data = Tokens(input, "the input")
    n, m = data.int(), data.int()
    edges = [(data.int(), data.int()) for _ in range(m)]
    Tokens(expected, "the author's order").ints(n)
    got = Tokens(output)
    position = [-1] * (n + 1)
    for k in range(n):
        task = got.int("a task")
        if task < 1 or task > n:
            wrong(f"there is no task {task}")
        if position[task] != -1:
            wrong(f"task {task} appears twice")
        position[task] = k
    got.eof()
    for a, b in edges:
        if position[a] > position[b]:
            wrong(f"task {b} comes before task {a}, which it depends on")
    accept(f"{n} tasks in order")
"#;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Runs each job `ROUNDS` times (after one warm-up); medians of wall ms,
/// CPU ms and fuel per run.
async fn cost(sandbox: &Sandbox, jobs: &[Job]) -> (f64, f64, f64) {
    for job in jobs {
        let report = sandbox.run(job).await.unwrap();
        assert!(report.exit_code.is_some(), "{report:?}");
    }
    let (mut walls, mut cpus, mut fuels) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (started, cpu_before) = (Instant::now(), cpu::self_cpu());
        let mut fuel = 0;
        for job in jobs {
            fuel += sandbox.run(job).await.unwrap().fuel;
        }
        let n = jobs.len() as f64;
        walls.push(started.elapsed().as_secs_f64() * 1e3 / n);
        cpus.push((cpu::self_cpu() - cpu_before).as_secs_f64() * 1e3 / n);
        fuels.push(fuel as f64 / n);
    }
    (median(walls), median(cpus), median(fuels))
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cache = Cache::from_env().unwrap();
    let image = image::ensure(&cache, &image::PYTHON_3_14, &mut |_| {}).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises/topological-order");
    let exercise = gavel_exercise::load(&root).unwrap();
    let program = exercise.native.clone().expect("a native checker");

    // Compiling: the toolchain's one-time check apart, then cold and cached.
    let scratch = tempfile::tempdir().unwrap();
    let cold = Cache::at(scratch.path());
    let toolchain = native::toolchain(&cache).unwrap();
    let started = Instant::now();
    native::provision(&cold, &mut |_: ToolchainStep| {}).unwrap();
    let check = started.elapsed();
    let started = Instant::now();
    let compiled = native::compile(toolchain, &cold, &program, &mut |_| {})
        .unwrap()
        .unwrap();
    let compile_cold = started.elapsed();
    let started = Instant::now();
    native::compile(toolchain, &cold, &program, &mut |_| {})
        .unwrap()
        .unwrap();
    let compile_cached = started.elapsed();
    // Cranelift: the first run of the module compiles it (and keeps its
    // native code); a new sandbox, as in a new process, loads that.
    let probe = Job {
        entry: gavel_sandbox::Entry::Native(gavel_sandbox::NativeArgs {
            args: vec!["checker".to_owned()].into(),
            scratch: false,
        }),
        ..Job::script(compiled.wasm.clone())
    };
    let first = Sandbox::new(&cold, image.clone(), 1).unwrap();
    let run_cold = runtime.block_on(first.run(&probe)).unwrap().wall_ms;
    let second = Sandbox::new(&cold, image.clone(), 1).unwrap();
    let run_cached = runtime.block_on(second.run(&probe)).unwrap().wall_ms;
    println!(
        "compiling topological-order's C++ checker ({}, {} bytes of wasm)",
        toolchain.version,
        compiled.wasm.len()
    );
    println!(
        "  the toolchain's check (once per process before a first compile): {:>8.1} ms",
        check.as_secs_f64() * 1e3
    );
    println!(
        "  C++ to WebAssembly:        cold {:>8.1} ms   cached {:>8.3} ms",
        compile_cold.as_secs_f64() * 1e3,
        compile_cached.as_secs_f64() * 1e3
    );
    println!(
        "  first run (Cranelift):     cold {run_cold:>8.1} ms   cached {run_cached:>8.3} ms (native code from the cache)"
    );

    // Per-test cost: the same exercise with checker.py instead.
    let python = scratch.path().join("python/topological-order");
    files::copy_dir(&root, &python);
    std::fs::remove_file(python.join("checker.cpp")).unwrap();
    std::fs::remove_file(python.join("tokens.h")).unwrap();
    std::fs::write(python.join("checker.py"), CHECKER_PY).unwrap();
    let manifest = python.join("exercise.toml");
    let mut table: toml::Table = std::fs::read_to_string(&manifest).unwrap().parse().unwrap();
    table.remove("native");
    std::fs::write(&manifest, toml::to_string(&table).unwrap()).unwrap();
    let python_exercise = gavel_exercise::load(&python).unwrap();

    let sandbox = Arc::new(Sandbox::new(&cache, image, 1).unwrap());
    let judge = Judge::new(sandbox.clone(), &cache);
    let native_prepared = runtime
        .block_on(judge.prepare(Arc::new(exercise), Selection::All))
        .unwrap();
    let python_prepared = runtime
        .block_on(judge.prepare(Arc::new(python_exercise), Selection::All))
        .unwrap();
    let answer = |test: &gavel_judge::ResolvedTest| match &test.data {
        gavel_exercise::TestData::Stdio { expected, .. } => expected.to_string(),
        gavel_exercise::TestData::Function { .. } => unreachable!("a stdio exercise"),
    };
    println!("\nper checker run, medians of {ROUNDS} rounds (the answer is the reference's)");
    println!(
        "  {:<16} {:>10} {:>10} {:>14} {:>10} {:>10} {:>14} {:>10}",
        "tests", "C++ wall", "C++ CPU", "C++ fuel", "Py wall", "Py CPU", "Py fuel", "Py/C++ CPU"
    );
    let (small, large): (Vec<_>, Vec<_>) = native_prepared
        .tests
        .iter()
        .zip(&python_prepared.tests)
        .partition(|(t, _)| t.test.name != "90-large");
    let stored = format!("{} stored, small", small.len());
    for (label, tests) in [(stored.as_str(), small), ("90-large (50k)", large)] {
        let native_jobs: Vec<Job> = tests
            .iter()
            .map(|(t, _)| {
                native_prepared
                    .native_checker_job(t, answer(t).as_bytes())
                    .unwrap()
            })
            .collect();
        let python_jobs: Vec<Job> = tests
            .iter()
            .map(|(_, t)| python_prepared.checker_job(t, &answer(t)).unwrap())
            .collect();
        let (nw, nc, nf) = runtime.block_on(cost(&sandbox, &native_jobs));
        let (pw, pc, pf) = runtime.block_on(cost(&sandbox, &python_jobs));
        println!(
            "  {label:<16} {nw:>8.2}ms {nc:>8.2}ms {:>14} {pw:>8.2}ms {pc:>8.2}ms {:>14} {:>9.1}x",
            gavel_core::limits::human_fuel(nf as u64),
            gavel_core::limits::human_fuel(pf as u64),
            pc / nc
        );
    }
}
