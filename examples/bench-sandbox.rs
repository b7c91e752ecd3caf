//! Sandbox benchmark (issue: sandbox). Prints, side by side in one run:
//! - per-run cost of a fresh interpreter in the sandbox vs a native
//!   `python3 -I -S` subprocess, for hello world;
//! - a whole `gavel run hello.py` process vs native `python3 -I -S hello.py`;
//! - throughput of a CPU-bound program with 1 and with 2 concurrent runs.
//!
//! Run with `just bench-sandbox` (or `cargo run --example bench-sandbox`). Medians
//! of repeated runs on a shared machine: quote the ratios, not the milliseconds.

#![allow(clippy::print_stdout, missing_docs)]

use gavel_sandbox::{Cache, Job, Limits, Sandbox, image};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const HELLO: &str = "print('hello')\n";
const WORK: &str = "print(sum(i * i for i in range(200_000)))\n";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn time_process(n: usize, mut command: impl FnMut() -> Command) -> Duration {
    let samples = (0..n)
        .map(|_| {
            let started = Instant::now();
            let status = command().output().expect("spawn");
            assert!(status.status.success(), "{status:?}");
            started.elapsed()
        })
        .collect();
    median(samples)
}

async fn throughput(sandbox: &Arc<Sandbox>, workers: usize, runs: usize) -> f64 {
    let limits = Limits::default();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(workers));
    let started = Instant::now();
    let tasks: Vec<_> = (0..runs)
        .map(|_| {
            let sandbox = sandbox.clone();
            let semaphore = semaphore.clone();
            tokio::spawn(async move {
                let _permit = semaphore.acquire().await.unwrap();
                let mut job = Job::script(WORK);
                job.limits = limits;
                let report = sandbox.run(&job).await.unwrap();
                assert!(report.outcome.is_ok());
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    runs as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let gavel = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/debug/gavel");
    assert!(
        gavel.exists(),
        "build gavel first (`cargo build`): {}",
        gavel.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let hello = dir.path().join("hello.py");
    std::fs::write(&hello, HELLO).unwrap();

    let cache = Cache::from_env().unwrap();
    let image = image::ensure(&cache, &image::PYTHON_3_14, &mut |_| {}).unwrap();
    let sandbox = Arc::new(Sandbox::new(&cache, image, 2).unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // Warm-up: page in the compiled image and the Python binary.
    runtime.block_on(sandbox.run(&Job::script(HELLO))).unwrap();
    time_process(3, || {
        let mut c = Command::new(&gavel);
        c.arg("--version");
        c
    });

    let in_process = median(
        (0..200)
            .map(|_| {
                let started = Instant::now();
                runtime.block_on(sandbox.run(&Job::script(HELLO))).unwrap();
                started.elapsed()
            })
            .collect(),
    );
    // The interpreter itself, not a launcher shim (pyenv's costs ~50 ms a start).
    let python = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    let python = String::from_utf8(python.stdout).unwrap().trim().to_owned();
    let native = time_process(50, || {
        let mut c = Command::new(&python);
        c.args(["-I", "-S"]).arg(&hello);
        c
    });
    let whole = time_process(50, || {
        let mut c = Command::new(&gavel);
        c.arg("run").arg(&hello);
        c
    });

    let one = runtime.block_on(throughput(&sandbox, 1, 40));
    let two = runtime.block_on(throughput(&sandbox, 2, 40));

    println!("native interpreter: {python}");
    println!(
        "hello world, median                          gavel      native python3 -I -S   ratio"
    );
    println!(
        "  fresh interpreter per run (in process)     {:>7.2} ms  {:>7.2} ms (subprocess)  {:.2}x",
        ms(in_process),
        ms(native),
        ms(in_process) / ms(native)
    );
    println!(
        "  whole process `gavel run hello.py`         {:>7.2} ms  {:>7.2} ms               {:.2}x  (target <= 1.5x)",
        ms(whole),
        ms(native),
        ms(whole) / ms(native)
    );
    println!("throughput, `sum(i*i for i in range(200_000))`");
    println!("  1 worker   {one:>7.1} runs/s");
    println!(
        "  2 workers  {two:>7.1} runs/s   {:.2}x of 1 worker  (target >= 1.8x)",
        two / one
    );
}
