//! The scale-out benchmark (issue: beyond one machine). Prints, side by side
//! in one run:
//!
//! 1. the same load — `CANDIDATES` candidates each sending `EACH` `two-sum`
//!    submissions one after another, on loopback — against `gavel serve`
//!    judging alone (SQLite, then PostgreSQL) and against `serve --jobs 0`
//!    with one and with two `gavel worker` processes on PostgreSQL:
//!    submissions per second, upload-to-result latency (p50, p99; results
//!    are released on whole seconds, docs/confidentiality.md), and the CPU
//!    of every process involved (server, workers and their sandboxes,
//!    PostgreSQL) per submission;
//! 2. the queue's own cost per submission, without judging: submit, claim,
//!    14 test rows, commit, through the store, SQLite vs PostgreSQL;
//! 3. a homework graded in one run vs as 3 shards (separate processes)
//!    merged: total CPU of each.
//!
//! Bounded: 120 submissions per configuration, 300 for the queue, 90
//! candidates for the shards; loopback only; the PostgreSQL is the tests'
//! (a temporary cluster, stopped at the end). Quote ratios: the machine is
//! shared. Run with `just bench-scale`.

#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs, unsafe_code)]

#[path = "support/cpu.rs"]
mod cpu;
#[path = "../tests/cli/postgres.rs"]
mod postgres;
#[path = "support/measure.rs"]
mod support;

use gavel_api::Client;
use gavel_api::shapes::Quotas;
use gavel_server::store::{Database, Lease, Store};
use postgres::Postgres;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::measure;

const CANDIDATES: usize = 40;
const EACH: usize = 3;
const QUEUED: usize = 300;
const SHARD_CANDIDATES: usize = 90;

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
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let parent = fields[1].parse().unwrap_or(0);
        let ticks = (11..=14)
            .map(|i| fields[i].parse::<u64>().unwrap_or(0))
            .sum();
        all.push((pid, parent, ticks));
    }
    all
}

/// CPU of processes `roots` and their live descendants (with their
/// waited-for children).
fn tree_cpu(roots: &[u32]) -> Duration {
    // SAFETY: sysconf has no preconditions.
    let tick = 1.0 / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let all = processes();
    let mut inside = roots.to_vec();
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
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A distinct but equivalent solution per submission.
fn source(n: usize) -> String {
    format!(
        "# submission {n}\ndef two_sum(nums, target):\n    seen = {{}}\n    for i, x in enumerate(nums):\n        \
         if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n"
    )
}

/// A `gavel` process whose stderr is drained; `ready` is the line that says
/// it started (its text after the prefix is returned).
fn spawn(command: &mut Command, ready: &str) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let found = loop {
        let line = lines.next().expect("gavel starts").unwrap();
        if let Some(at) = line.find(ready) {
            break line[at + ready.len()..].to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, found)
}

struct Setup {
    name: &'static str,
    state: Vec<String>,
    server_jobs: usize,
    workers: Vec<usize>,
    postgres: Option<u32>,
}

struct Figures {
    wall: Duration,
    cpu: Duration,
    latencies: Vec<Duration>,
}

fn load(gavel: &Path, catalog: &Path, setup: &Setup) -> Figures {
    let tokens: Vec<String> = (0..CANDIDATES)
        .map(|i| {
            let out = Command::new(gavel)
                .arg("admin")
                .args(&setup.state)
                .args(["invite", &format!("candidate-{i}"), "--json"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            value["token"].as_str().unwrap().to_owned()
        })
        .collect();
    let (mut server, url) = spawn(
        Command::new(gavel)
            .args(["--jobs", &setup.server_jobs.to_string(), "--catalog"])
            .arg(catalog)
            .arg("serve")
            .args(&setup.state)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--in-flight",
                "4",
                "--per-hour",
                "1000",
            ]),
        "gavel: listening on ",
    );
    let mut workers: Vec<Child> = setup
        .workers
        .iter()
        .map(|jobs| {
            spawn(
                Command::new(gavel)
                    .args(["--jobs", &jobs.to_string(), "--catalog"])
                    .arg(catalog)
                    .arg("worker")
                    .args(&setup.state),
                " judging ",
            )
            .0
        })
        .collect();
    // One submission per candidate first, so every sandbox worker process
    // exists and every candidate has a result (a steady state).
    for token in &tokens {
        let client = Client::new(&url, token);
        let id = client
            .submit("two-sum", source(9999).as_bytes())
            .unwrap()
            .id;
        client.follow(id, |_| {}).unwrap();
    }
    let mut roots: Vec<u32> = vec![server.id()];
    roots.extend(workers.iter().map(Child::id));
    roots.extend(setup.postgres);
    let cpu_before = tree_cpu(&roots);
    let started = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let client = Client::new(&url, token);
            let latencies = latencies.clone();
            std::thread::spawn(move || {
                for k in 0..EACH {
                    let sent = Instant::now();
                    let text = source(i * EACH + k);
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
    let cpu = tree_cpu(&roots) - cpu_before;
    for child in workers.iter_mut().chain([&mut server]) {
        let _ = child.kill();
        let _ = child.wait();
    }
    Figures {
        wall,
        cpu,
        latencies: Arc::try_unwrap(latencies).unwrap().into_inner().unwrap(),
    }
}

/// The queue's cost per submission: wall and CPU (this process, plus
/// PostgreSQL's processes for PostgreSQL).
fn queue_cost(database: Database, postgres: Option<u32>) -> (Duration, Duration) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::open(&database).await.unwrap();
        store.set_meta("setup", "bench").await.unwrap();
        let token = store.invite("bench").await.unwrap();
        let candidate = store.authenticate(&token).await.unwrap().unwrap().id;
        let quotas = Quotas {
            in_flight: 2,
            per_exercise_per_hour: 100_000,
            max_source_bytes: 1 << 20,
        };
        let lease = Lease {
            worker: "bench".into(),
            duration: Duration::from_secs(30),
        };
        let test = serde_json::json!({"name": "01", "verdict": "AC"}).to_string();
        let result = gavel_judge::SubmissionResult {
            exercise: "two-sum".into(),
            verdict: gavel_exercise::Verdict::Accepted,
            points: 1.0,
            max_points: 1,
            score: 1.0,
            compile_error: None,
            tests: Vec::new(),
            groups: Vec::new(),
            hidden: None,
            disclosure: gavel_exercise::Disclosure::Verdicts,
            source_sha256: String::new(),
            image_sha256: String::new(),
            native_sha256: None,
            complexity: None,
        };
        let roots: Vec<u32> = postgres.into_iter().collect();
        let (cpu_before, theirs_before) = (cpu::self_cpu(), tree_cpu(&roots));
        let started = Instant::now();
        for n in 0..QUEUED {
            let source = source(n);
            let submitted = store
                .submit(candidate, "two-sum", source.as_bytes(), &quotas)
                .await
                .unwrap()
                .unwrap();
            let claimed = store.claim(&lease, "bench").await.unwrap().unwrap();
            assert_eq!(claimed.id, submitted.id);
            for position in 0..14 {
                store
                    .add_test(claimed.id, "bench", position, &test)
                    .await
                    .unwrap();
            }
            // Released at once, so the candidate's next one can be claimed.
            let now = store.now() - 1;
            assert!(
                store
                    .finish(claimed.id, "bench", &result, now)
                    .await
                    .unwrap()
            );
        }
        let wall = started.elapsed();
        let cpu = cpu::self_cpu() - cpu_before + (tree_cpu(&roots) - theirs_before);
        store.close().await;
        (wall / QUEUED as u32, cpu / QUEUED as u32)
    })
}

/// A homework of `SHARD_CANDIDATES` candidates (three exercises each, some
/// wrong), for the shard comparison.
fn homework(root: &Path, dir: &Path) -> PathBuf {
    let homework = dir.join("homework");
    let read = |id: &str| {
        std::fs::read_to_string(root.join(format!("exercises/{id}/solution.py"))).unwrap()
    };
    let (two_sum, palindrome, prime) = (
        read("two-sum"),
        read("palindrome-check"),
        read("prime-check"),
    );
    for i in 0..SHARD_CANDIDATES {
        let folder = homework.join(format!("candidate-{i:02}"));
        std::fs::create_dir_all(&folder).unwrap();
        let two = if i % 5 == 0 {
            "def two_sum(nums, target):\n    return [0, 1]\n".to_owned()
        } else {
            two_sum.clone()
        };
        std::fs::write(folder.join("two-sum.py"), format!("# {i}\n{two}")).unwrap();
        std::fs::write(
            folder.join("palindrome-check.py"),
            format!("# {i}\n{palindrome}"),
        )
        .unwrap();
        std::fs::write(folder.join("prime-check.py"), format!("# {i}\n{prime}")).unwrap();
    }
    homework
}

fn grade(gavel: &Path, homework: &Path, out: &Path, shard: Option<&str>) -> Duration {
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises");
    let mut command = Command::new(gavel);
    command
        .arg("--catalog")
        .arg(catalog)
        .arg("grade")
        .arg(homework)
        .arg("--out")
        .arg(out);
    if let Some(shard) = shard {
        command.args(["--shard", shard]);
    }
    let (_, cpu, code) = measure(&mut command);
    assert!(code == 0 || code == 1, "grade {shard:?} failed");
    cpu
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
    let postgres = Postgres::start();
    let pg = Some(postgres.pid());
    let state =
        |dir: &Path, name: &str| vec!["--state".to_owned(), dir.join(name).display().to_string()];
    let database = |name: &str| vec!["--database".to_owned(), postgres.database(name)];
    let setups = [
        Setup {
            name: "serve --jobs 2, SQLite",
            state: state(dir.path(), "s1"),
            server_jobs: 2,
            workers: vec![],
            postgres: None,
        },
        Setup {
            name: "serve --jobs 2, PostgreSQL",
            state: database("s2"),
            server_jobs: 2,
            workers: vec![],
            postgres: pg,
        },
        Setup {
            name: "serve --jobs 0 + 1 worker (--jobs 2)",
            state: database("s3"),
            server_jobs: 0,
            workers: vec![2],
            postgres: pg,
        },
        Setup {
            name: "serve --jobs 0 + 2 workers (--jobs 1)",
            state: database("s4"),
            server_jobs: 0,
            workers: vec![1, 1],
            postgres: pg,
        },
    ];
    let total = CANDIDATES * EACH;
    println!(
        "1. {total} submissions of two-sum (14 tests): {CANDIDATES} candidates x {EACH}, one after another each, on loopback"
    );
    println!(
        "   {:<40} {:>8} {:>9} {:>9} {:>10}",
        "", "subs/s", "p50 ms", "p99 ms", "CPU/sub ms"
    );
    let mut first_cpu = None;
    for setup in &setups {
        let mut figures = load(&gavel, &catalog, setup);
        let cpu = ms(figures.cpu) / total as f64;
        let baseline = *first_cpu.get_or_insert(cpu);
        println!(
            "   {:<40} {:>8.2} {:>9.0} {:>9.0} {:>10.1}  ({:.2}x)",
            setup.name,
            total as f64 / figures.wall.as_secs_f64(),
            ms(percentile(&mut figures.latencies, 0.5)),
            ms(percentile(&mut figures.latencies, 0.99)),
            cpu,
            cpu / baseline
        );
    }

    let (sqlite_wall, sqlite_cpu) = queue_cost(Database::Dir(dir.path().join("queue")), None);
    let (pg_wall, pg_cpu) = queue_cost(Database::Url(postgres.database("queue")), pg);
    println!(
        "2. the queue alone, per submission (submit, claim, 14 test rows, commit), {QUEUED} submissions"
    );
    println!("   {:<40} {:>8} {:>10}", "", "wall ms", "CPU ms");
    println!(
        "   {:<40} {:>8.2} {:>10.2}",
        "SQLite (embedded)",
        ms(sqlite_wall),
        ms(sqlite_cpu)
    );
    println!(
        "   {:<40} {:>8.2} {:>10.2}  ({:.2}x CPU)",
        "PostgreSQL (loopback; its CPU included)",
        ms(pg_wall),
        ms(pg_cpu),
        ms(pg_cpu) / ms(sqlite_cpu)
    );
    drop(postgres);

    let homework = homework(root, dir.path());
    // Warm: the image, the judge's cache, the page cache.
    grade(&gavel, &homework, &dir.path().join("warm"), None);
    let one = grade(&gavel, &homework, &dir.path().join("one"), None);
    let shards: Vec<Duration> = (1..=3)
        .map(|k| {
            grade(
                &gavel,
                &homework,
                &dir.path().join(format!("shard-{k}")),
                Some(&format!("{k}/3")),
            )
        })
        .collect();
    let mut merge = Command::new(&gavel);
    merge
        .arg("--catalog")
        .arg(root.join("exercises"))
        .arg("merge");
    for k in 1..=3 {
        merge.arg(dir.path().join(format!("shard-{k}")));
    }
    merge.arg("--out").arg(dir.path().join("merged"));
    let (_, merge_cpu, code) = measure(&mut merge);
    assert!(code == 0 || code == 1, "merge failed");
    let sharded: Duration = shards.iter().sum::<Duration>() + merge_cpu;
    println!("3. a homework of {SHARD_CANDIDATES} candidates x 3 exercises, total CPU (s)");
    println!(
        "   one grade                               {:>8.2}",
        one.as_secs_f64()
    );
    println!(
        "   3 shards + merge                        {:>8.2}  ({:.3}x; shards {}, merge {:.2})",
        sharded.as_secs_f64(),
        sharded.as_secs_f64() / one.as_secs_f64(),
        shards
            .iter()
            .map(|d| format!("{:.2}", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" + "),
        merge_cpu.as_secs_f64()
    );
}
