//! Runner-image benchmark (issue: the scientific image). Prints, side by side
//! in one run:
//! - the guest's fuel and this process's CPU per run of a plain function
//!   test (two-sum, compiled once) on the default and the scientific image;
//! - a numpy test (eigenvalues of a 30×30 matrix) on the scientific image
//!   with numpy in the snapshot and on a variant whose snapshot holds none of
//!   its scientific packages (each run imports numpy itself);
//! - a whole `gavel run hello.py` process on each image, and on the default
//!   image with `GAVEL_BENCH_BASELINE` (an older gavel binary) beside it;
//! - with `GAVEL_BENCH_PROVISION=1`, the scientific image's first use from
//!   an empty cache: download, snapshot, compile.
//!
//! Run with `cargo run --example bench-images` (the first run builds the
//! variant image, about two minutes, and compiles it, about two more).
//! Medians on a shared machine: quote the ratios.

#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

#[path = "support/cpu.rs"]
mod cpu;

use gavel_sandbox::image::{self, ImageSource, Recipe, SCIENTIFIC};
use gavel_sandbox::{Cache, Call, Entry, Image, Job, Limits, Sandbox, Shape};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TWO_SUM: &str = "def two_sum(nums, target):\n    seen = {}\n    for j, x in enumerate(nums):\n        i = seen.get(target - x)\n        if i is not None:\n            return [i, j]\n        seen[x] = j\n";
const EIGEN: &str = "import numpy as np\n\ndef eigenvalues(matrix):\n    return np.linalg.eigvalsh(np.array(matrix, dtype=float)).tolist()\n";
const RUNS: usize = 200;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The scientific recipe with none of its packages pre-imported.
fn without_packages() -> ImageSource {
    let Recipe::Snapshot {
        modules,
        door,
        script,
        ..
    } = SCIENTIFIC.recipe
    else {
        unreachable!()
    };
    let start = door
        .find("SCIENTIFIC = (")
        .expect("the door lists its packages");
    let end = start + door[start..].find(")\n").expect("the list ends");
    // One module the runner imports anyway, so the door's loop still runs.
    let door: &'static str =
        format!("{}SCIENTIFIC = (\"json\",{}", &door[..start], &door[end..]).leak();
    ImageSource {
        name: "scientific-bare",
        recipe: Recipe::Snapshot {
            modules,
            door,
            script,
            expected_sha256: "",
        },
        ..SCIENTIFIC
    }
}

fn call(source: &str, name: &str, args: &str) -> Job {
    Job {
        entry: Entry::Function(Call {
            name: name.into(),
            args_json: args.into(),
            params: Arc::new([]),
            returns: Shape::Json,
        }),
        ..Job::script(source)
    }
}

/// (median fuel, CPU per run) of `job` on `image`, its source compiled once.
async fn per_run(cache: &Cache, image: &Image, job: &Job) -> (u64, Duration) {
    let sandbox = Sandbox::new(cache, image.clone(), 1).expect("sandbox");
    let compiled = sandbox
        .run(&Job {
            entry: Entry::Compile,
            ..job.clone()
        })
        .await
        .expect("compile");
    let job = Job {
        code: compiled.code.unwrap_or_default(),
        ..job.clone()
    };
    let mut fuel = Vec::new();
    for _ in 0..10 {
        sandbox.run(&job).await.expect("warm-up");
    }
    let before = cpu::self_cpu();
    for _ in 0..RUNS {
        let report = sandbox.run(&job).await.expect("run");
        assert!(report.outcome.is_ok(), "{:?}", report.outcome);
        fuel.push(report.fuel);
    }
    let cpu = (cpu::self_cpu() - before) / RUNS as u32;
    fuel.sort();
    (fuel[fuel.len() / 2], cpu)
}

fn time_process(n: usize, mut command: impl FnMut() -> Command) -> Duration {
    median(
        (0..n)
            .map(|_| {
                let started = Instant::now();
                let output = command().output().expect("spawn");
                assert!(output.status.success(), "{output:?}");
                started.elapsed()
            })
            .collect(),
    )
}

fn matrix(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let row: Vec<String> = (0..n)
                .map(|j| (((i * 7 + j * 7) % 23) as i64 - 11 + i64::from(i == j) * 3).to_string())
                .collect();
            format!("[{}]", row.join(", "))
        })
        .collect();
    format!("[[{}]]", rows.join(", "))
}

fn main() {
    let cache = Cache::from_env().expect("cache");
    let mut progress = |step| eprintln!("  {step:?}");
    if std::env::var_os("GAVEL_BENCH_PROVISION").is_some() {
        let fresh = tempfile::tempdir().expect("temporary cache");
        let cache = Cache::at(fresh.path());
        let started = Instant::now();
        let built = image::ensure(&cache, &SCIENTIFIC, &mut progress).expect("provision");
        let snapshot = started.elapsed();
        let compiled = Instant::now();
        Sandbox::new(&cache, built, 1).expect("compile");
        println!(
            "first use of the scientific image, empty cache: download + snapshot {:.1} s, compile {:.1} s",
            snapshot.as_secs_f64(),
            compiled.elapsed().as_secs_f64()
        );
    }
    let default = image::ensure(&cache, &image::PYTHON_3_14, &mut progress).expect("default");
    let scientific = image::ensure(&cache, &SCIENTIFIC, &mut progress).expect("scientific");
    let bare = image::ensure(&cache, &without_packages(), &mut progress).expect("bare");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let limits = Limits {
        fuel: 50_000_000_000,
        ..Limits::default()
    };
    let plain = Job {
        limits,
        ..call(TWO_SUM, "two_sum", "[[2, 7, 11, 15, 3, 6, 8], 14]")
    };
    let numpy = Job {
        limits,
        ..call(EIGEN, "eigenvalues", &format!("[{}]", matrix(30)))
    };
    runtime.block_on(async {
        println!("per run, {RUNS} runs, the source compiled once (fuel: the guest's; CPU: this process's)");
        let (f1, c1) = per_run(&cache, &default, &plain).await;
        let (f2, c2) = per_run(&cache, &scientific, &plain).await;
        println!(
            "  two-sum (plain function)  default image {f1:>11} fuel {:>6.2} ms CPU | scientific image {f2:>11} fuel {:>6.2} ms CPU ({:.2}x)",
            ms(c1),
            ms(c2),
            c2.as_secs_f64() / c1.as_secs_f64()
        );
        let (f3, c3) = per_run(&cache, &scientific, &numpy).await;
        let (f4, c4) = per_run(&cache, &bare, &numpy).await;
        println!(
            "  eigenvalues 30x30 (numpy) numpy in the snapshot {f3:>11} fuel {:>6.2} ms CPU | imported by the run {f4:>11} fuel {:>6.2} ms CPU ({:.1}x)",
            ms(c3),
            ms(c4),
            c4.as_secs_f64() / c3.as_secs_f64()
        );
    });
    let gavel = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/debug/gavel");
    let dir = tempfile::tempdir().unwrap();
    let hello = dir.path().join("hello.py");
    std::fs::write(&hello, "print('hello')\n").unwrap();
    let whole = |binary: &Path, image: Option<&str>| {
        time_process(21, || {
            let mut command = Command::new(binary);
            command.arg("run").arg(&hello);
            if let Some(image) = image {
                command.args(["--image", image]);
            }
            command.env_remove("GAVEL_IMAGE");
            command
        })
    };
    println!("a whole `gavel run hello.py` process (median of 21)");
    let now = whole(&gavel, None);
    match std::env::var_os("GAVEL_BENCH_BASELINE").map(PathBuf::from) {
        Some(baseline) => {
            let before = whole(&baseline, None);
            println!(
                "  default image: this build {:.1} ms | baseline {} {:.1} ms ({:.2}x)",
                ms(now),
                baseline.display(),
                ms(before),
                now.as_secs_f64() / before.as_secs_f64()
            );
        }
        None => println!(
            "  default image: this build {:.1} ms (set GAVEL_BENCH_BASELINE to compare)",
            ms(now)
        ),
    }
    let sci = whole(&gavel, Some("scientific"));
    println!(
        "  scientific image: {:.1} ms ({:.2}x the default image)",
        ms(sci),
        sci.as_secs_f64() / now.as_secs_f64()
    );
}
