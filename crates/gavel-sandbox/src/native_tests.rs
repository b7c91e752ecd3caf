//! Native programs (WASI preview 1 commands) in the sandbox: exit codes,
//! captured output, the run's limits, no timers, files read-only and out of
//! reach beyond the run's own, the scratch directory bounded by the output
//! limit. Written in the WebAssembly text format, so that these tests need no
//! C compiler; gavel-judge's tests compile real C and C++.

use crate::image::{self, PYTHON_3_14};
use crate::{Cache, Entry, Job, Limits, NativeArgs, Outcome, RunResult, Sandbox, TimeLimit};
use bytes::Bytes;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let cache = Cache::from_env().unwrap();
        let image = image::ensure(&cache, &PYTHON_3_14, &mut |_| {}).unwrap();
        Sandbox::new(&cache, image, 2).unwrap()
    })
}

/// A command whose `_start` runs `body`, with WASI's functions imported, a
/// memory of one page (growable), and `data` at address 1024.
fn command(body: &str, data: &str) -> Bytes {
    let wat = format!(
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "{data}")
  ;; writes `len` bytes at `ptr` to `fd`; the iovec lives at 0, the count at 8
  (func $put (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "_start") {body}))"#
    );
    // wasmtime reads the text format as well as the binary one.
    Bytes::from(wat)
}

fn native(module: Bytes, args: &[&str], scratch: bool) -> Job {
    Job {
        entry: Entry::Native(NativeArgs {
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            scratch,
        }),
        limits: Limits {
            fuel: 100_000_000,
            wall_time: Duration::from_secs(5),
            memory_bytes: 16 << 20,
            output_bytes: 4 << 10,
        },
        ..Job::script(module)
    }
}

async fn run(job: Job) -> RunResult {
    sandbox().run(&job).await.unwrap()
}

#[tokio::test]
async fn an_exit_code_and_stderr_come_back() {
    let report = run(native(
        command(
            "(drop (call $put (i32.const 2) (i32.const 1024) (i32.const 9))) (call $exit (i32.const 7))",
            "points 3\\n",
        ),
        &["checker"],
        false,
    ))
    .await;
    assert_eq!(report.exit_code, Some(7), "{report:?}");
    assert_eq!(report.stderr, b"points 3\n");
    let ended = run(native(command("", ""), &["checker"], false)).await;
    assert_eq!((ended.outcome, ended.exit_code), (Outcome::Ok, Some(0)));
}

#[tokio::test]
async fn limits_end_a_native_program_as_any_other() {
    let endless = run(native(
        command("(loop $l (br $l))", ""),
        &["checker"],
        false,
    ))
    .await;
    assert_eq!(
        endless.outcome,
        Outcome::TimeLimit {
            limit: TimeLimit::Fuel
        }
    );
    let growing = run(native(
        command(
            "(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable",
            "",
        ),
        &["checker"],
        false,
    ))
    .await;
    assert_eq!(growing.outcome, Outcome::MemoryLimit, "{growing:?}");
    let flood = run(native(
        command(
            "(loop $l (drop (call $put (i32.const 1) (i32.const 1024) (i32.const 4))) (br $l))",
            "spam",
        ),
        &["checker"],
        false,
    ))
    .await;
    assert_eq!(flood.outcome, Outcome::OutputLimit);
}

#[tokio::test]
async fn timers_are_refused_rather_than_slept_on_the_hosts_clock() {
    // `poll_oneoff` with a 60 s timer: ENOSYS (52) at once, as exit code.
    let body = "(i64.store (i32.const 32) (i64.const 0))
        (i32.store8 (i32.const 40) (i32.const 0))
        (i32.store (i32.const 48) (i32.const 1))
        (i64.store (i32.const 56) (i64.const 60000000000))
        (call $exit (call $poll (i32.const 32) (i32.const 128) (i32.const 1) (i32.const 8)))";
    let started = std::time::Instant::now();
    let report = run(native(command(body, ""), &["checker"], false)).await;
    assert_eq!(report.exit_code, Some(52), "{report:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// Opens `path` (at 1024, `len` bytes) under the preopened directory `dir`
/// with `oflags` and `rights`, exiting with the errno when that fails, and
/// leaves the descriptor at address 16.
fn open(dir: i32, len: usize, oflags: i32, rights: i64) -> String {
    format!(
        "(local.set 0 (call $open (i32.const {dir}) (i32.const 0) (i32.const 1024) (i32.const {len}) (i32.const {oflags}) (i64.const {rights}) (i64.const {rights}) (i32.const 0) (i32.const 16)))
         (if (local.get 0) (then (call $exit (local.get 0))))"
    )
}

fn with_local(body: &str) -> String {
    format!("(local i32) {body}")
}

#[tokio::test]
async fn the_runs_files_are_readable_and_nothing_else_is() {
    // Reads `input.txt` from the run's files (fd 3) and echoes it.
    let echo = with_local(&format!(
        "{}
         (i32.store (i32.const 0) (i32.const 2048)) (i32.store (i32.const 4) (i32.const 64))
         (drop (call $read (i32.load (i32.const 16)) (i32.const 0) (i32.const 1) (i32.const 8)))
         (drop (call $put (i32.const 1) (i32.const 2048) (i32.load (i32.const 8))))",
        open(3, 9, 0, 2)
    ));
    let mut job = native(command(&echo, "input.txt"), &["checker"], false);
    job.files = Arc::new([("input.txt".to_owned(), Bytes::from_static(b"42\n"))]);
    let report = run(job.clone()).await;
    assert_eq!(
        (report.exit_code, &report.stdout[..]),
        (Some(0), &b"42\n"[..])
    );
    // Outside the run's directory: refused (ENOTCAPABLE 76 or EPERM 63).
    for path in ["../../../../../../etc/passwd", "/etc/passwd"] {
        let body = with_local(&open(3, path.len(), 0, 2));
        let mut outside = native(command(&body, path), &["checker"], false);
        outside.files = job.files.clone();
        let report = run(outside).await;
        assert!(
            matches!(report.exit_code, Some(code) if code != 0),
            "{path}: {report:?}"
        );
    }
    // Writing to the run's files: refused.
    let create = with_local(&open(3, 9, 1 | 8, 64));
    let mut write = native(command(&create, "input.txt"), &["checker"], false);
    write.files = job.files.clone();
    let report = run(write).await;
    assert_ne!(report.exit_code, Some(0), "{report:?}");
}

#[tokio::test]
async fn the_scratch_directory_comes_back_and_is_bounded() {
    // Creates `scratch/judgemessage.txt` (the scratch directory is fd 3
    // without files) and writes `count` times 4 bytes into it.
    let writer = |count: u32| {
        with_local(&format!(
            "{}
             (local.set 0 (i32.const {count}))
             (loop $l
               (drop (call $put (i32.load (i32.const 16)) (i32.const 1040) (i32.const 4)))
               (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
               (br_if $l (local.get 0)))",
            open(3, 16, 1 | 8, 64 | 2)
        ))
    };
    let data = "judgemessage.txt";
    let report = run(native(
        command(&writer(2), &format!("{data}fine")),
        &["v"],
        true,
    ))
    .await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(
        report.written,
        [(
            "judgemessage.txt".to_owned(),
            Bytes::from_static(b"finefine")
        )]
    );
    // Past the output limit (4 KiB): an output limit, and nothing comes back.
    let mut flood = native(
        command(&writer(1_000_000), &format!("{data}fine")),
        &["v"],
        true,
    );
    flood.limits.fuel = 10_000_000_000;
    let report = run(flood).await;
    assert_eq!(report.outcome, Outcome::OutputLimit, "{report:?}");
    assert!(report.written.is_empty());
}

#[tokio::test]
async fn a_native_interactor_that_floods_the_program_hits_its_own_output_limit() {
    // The program reads forever; the interactor writes 4 bytes at a time
    // past its 4 KiB limit. The flood is the interactor's, not the program's.
    let program = Job {
        limits: Limits {
            fuel: 1_000_000_000,
            wall_time: Duration::from_secs(5),
            memory_bytes: 64 << 20,
            output_bytes: 4 << 10,
        },
        ..Job::script("import sys\nfor line in sys.stdin:\n    pass\n")
    };
    let flood = command(
        "(loop $l (drop (call $put (i32.const 1) (i32.const 1024) (i32.const 4))) (br $l))",
        "spam",
    );
    let interaction = sandbox()
        .interact(&program, &native(flood, &["interactor"], true))
        .await
        .unwrap();
    assert_eq!(
        interaction.interactor.outcome,
        Outcome::OutputLimit,
        "{interaction:?}"
    );
    assert_ne!(interaction.program.outcome, Outcome::OutputLimit);
}
