//! The server benchmark (issue: a submission judged by `gavel serve` costs
//! within 1.2× of local judging). Prints, side by side in one run:
//!
//! 1. `CANDIDATES` concurrent candidates, each sending `EACH` submissions of
//!    `two-sum` (14 tests) one after another to a real `gavel serve` on
//!    loopback: submissions per second, latency from upload to final result
//!    (p50, p99), and the CPU the server and its sandbox workers spent per
//!    submission;
//! 2. the same submissions judged by local `gavel submit` processes, two at a
//!    time (the server judges with `--jobs 2` too): the same figures, CPU from
//!    the kernel's accounting of each process (wait4).
//!
//! Bounded: 32 submissions each way, on 127.0.0.1 only. Quote the ratios;
//! the machine is shared. Run with `just bench-serve`.

#![allow(clippy::print_stdout, missing_docs, unsafe_code)]

#[path = "support/server.rs"]
mod server;
#[path = "support/measure.rs"]
mod support;

use gavel_api::Client;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::measure;

const CANDIDATES: usize = 8;
const EACH: usize = 4;
const JOBS: usize = 2;

/// `(pid, parent, utime + stime + cutime + cstime in ticks)` of every process.
fn processes() -> Vec<(u32, u32, u64)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // After the command (which may hold spaces and parentheses).
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // state, ppid, … ; utime, stime, cutime, cstime are fields 14–17 of
        // stat, so 11–14 here.
        let parent = fields[1].parse().unwrap_or(0);
        let ticks = (11..=14)
            .map(|i| fields[i].parse::<u64>().unwrap_or(0))
            .sum();
        all.push((pid, parent, ticks));
    }
    all
}

/// CPU (user + system) of a process and its live descendants, with their
/// waited-for children.
fn tree_cpu(root: u32) -> Duration {
    // SAFETY: sysconf has no preconditions.
    let tick = 1.0 / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let all = processes();
    let mut inside = vec![root];
    let mut total = 0;
    while let Some(pid) = inside.pop() {
        for (child, parent, ticks) in &all {
            if *child == pid {
                total += ticks;
            }
            if *parent == pid {
                inside.push(*child);
            }
        }
    }
    Duration::from_secs_f64(total as f64 * tick)
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A distinct but equivalent solution per submission, so nothing could be
/// reused between them.
fn source(n: usize) -> String {
    format!(
        "# submission {n}\ndef two_sum(nums, target):\n    seen = {{}}\n    for i, x in enumerate(nums):\n        \
         if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n"
    )
}

struct Figures {
    wall: Duration,
    cpu: Duration,
    latencies: Vec<Duration>,
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gavel = root.join("target/debug/gavel");
    assert!(gavel.exists(), "build first: cargo build");
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    assert!(
        Command::new("cp")
            .arg("-r")
            .arg(root.join("exercises/two-sum"))
            .arg(&catalog)
            .status()
            .unwrap()
            .success()
    );
    let total = CANDIDATES * EACH;
    let sources: Vec<std::path::PathBuf> = (0..total)
        .map(|n| {
            let path = dir.path().join(format!("s{n}.py"));
            std::fs::write(&path, source(n)).unwrap();
            path
        })
        .collect();
    let server = serve(&gavel, &catalog, dir.path(), &sources);
    let local = local(&gavel, &catalog, &sources);
    report(&server, &local, total);
}

fn serve(gavel: &Path, catalog: &Path, dir: &Path, sources: &[std::path::PathBuf]) -> Figures {
    let state = dir.join("state");
    let tokens: Vec<String> = (0..CANDIDATES)
        .map(|i| server::invite(gavel, &state, &format!("candidate-{i}")))
        .collect();
    let (mut child, url) = server::start(
        gavel,
        JOBS,
        catalog,
        &state,
        &["--in-flight", "4", "--per-hour", "1000"],
    );
    // One submission first, so worker processes exist (local runs start
    // theirs too, inside each measured process).
    let warm = Client::new(&url, &tokens[0]);
    let id = warm.submit("two-sum", source(9999).as_bytes()).unwrap().id;
    warm.follow(id, |_| {}).unwrap();

    let cpu_before = tree_cpu(child.id());
    let started = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let client = Client::new(&url, token);
            let mine: Vec<String> = (0..EACH)
                .map(|k| std::fs::read_to_string(&sources[i * EACH + k]).unwrap())
                .collect();
            let latencies = latencies.clone();
            std::thread::spawn(move || {
                for text in mine {
                    let sent = Instant::now();
                    let id = client.submit("two-sum", text.as_bytes()).unwrap().id;
                    let result = client.follow(id, |_| {}).unwrap();
                    assert_eq!(result.verdict.code(), "AC");
                    latencies.lock().unwrap().push(sent.elapsed());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let wall = started.elapsed();
    let cpu = tree_cpu(child.id()) - cpu_before;
    let _ = child.kill();
    let _ = child.wait();
    let latencies = Arc::try_unwrap(latencies).unwrap().into_inner().unwrap();
    Figures {
        wall,
        cpu,
        latencies,
    }
}

fn local(gavel: &Path, catalog: &Path, sources: &[std::path::PathBuf]) -> Figures {
    let queue = Arc::new(Mutex::new(sources.to_vec()));
    let cpu = Arc::new(Mutex::new(Duration::ZERO));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let threads: Vec<_> = (0..JOBS)
        .map(|_| {
            let (queue, cpu, latencies) = (queue.clone(), cpu.clone(), latencies.clone());
            let (gavel, catalog) = (gavel.to_owned(), catalog.to_owned());
            std::thread::spawn(move || {
                loop {
                    let Some(path) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let (wall, used, code) = measure(
                        Command::new(&gavel)
                            .args(["--jobs", &JOBS.to_string(), "--catalog"])
                            .arg(&catalog)
                            .args(["submit", "two-sum"])
                            .arg(&path),
                    );
                    assert_eq!(code, 0, "local submit of {} failed", path.display());
                    *cpu.lock().unwrap() += used;
                    latencies.lock().unwrap().push(wall);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let wall = started.elapsed();
    let cpu = *cpu.lock().unwrap();
    let latencies = Arc::try_unwrap(latencies).unwrap().into_inner().unwrap();
    Figures {
        wall,
        cpu,
        latencies,
    }
}

fn report(server: &Figures, local: &Figures, total: usize) {
    let per = |d: Duration| ms(d) / total as f64;
    let rate = |f: &Figures| total as f64 / f.wall.as_secs_f64();
    let (mut s, mut l) = (server.latencies.clone(), local.latencies.clone());
    println!(
        "{total} submissions of two-sum (14 tests each); server: {CANDIDATES} candidates x {EACH}, \
         local: `gavel submit` two at a time; --jobs {JOBS} both"
    );
    println!("                                  server      local    server/local");
    println!(
        "  CPU per submission (ms)     {:>10.1} {:>10.1}    {:.2}x   (target <= 1.2x)",
        per(server.cpu),
        per(local.cpu),
        per(server.cpu) / per(local.cpu)
    );
    println!(
        "  wall per submission (ms)    {:>10.1} {:>10.1}    {:.2}x",
        per(server.wall),
        per(local.wall),
        per(server.wall) / per(local.wall)
    );
    println!(
        "  submissions per second      {:>10.2} {:>10.2}",
        rate(server),
        rate(local)
    );
    println!(
        "  latency p50 (ms)            {:>10.1} {:>10.1}   (server: upload to result; local: the process)",
        ms(percentile(&mut s, 0.5)),
        ms(percentile(&mut l, 0.5))
    );
    println!(
        "  latency p99 (ms)            {:>10.1} {:>10.1}",
        ms(percentile(&mut s, 0.99)),
        ms(percentile(&mut l, 0.99))
    );
}
