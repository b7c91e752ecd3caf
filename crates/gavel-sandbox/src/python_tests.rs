//! The sandbox against real CPython: every kind of hostile or broken program
//! a judge meets (endless loops, memory and output bombs, deep recursion,
//! escapes through files, processes and sockets, exits of every kind), each
//! ending in the right outcome.
//! The runner image is built on first use, like for any user.

use crate::image::{self, PYTHON_3_14};
use crate::{
    Cache, Call, Entry, Job, Limits, Outcome, PyError, RunResult, Sandbox, Shape, TimeLimit,
};
use bytes::Bytes;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let cache = Cache::from_env().unwrap();
        let image = image::ensure(&cache, &PYTHON_3_14, &mut |_| {}).unwrap();
        Sandbox::new(&cache, image, 4).unwrap()
    })
}

fn limits() -> Limits {
    Limits {
        fuel: 2_000_000_000,
        wall_time: Duration::from_secs(5),
        memory_bytes: 128 << 20,
        output_bytes: 64 << 10,
    }
}

async fn run_job(mut job: Job) -> RunResult {
    if job.limits == Limits::default() {
        job.limits = limits();
    }
    sandbox().run(&job).await.unwrap()
}

async fn run(source: &str) -> RunResult {
    run_job(Job::script(source)).await
}

#[track_caller]
fn stdout(report: &RunResult) -> &str {
    std::str::from_utf8(&report.stdout).unwrap()
}

#[track_caller]
fn error(report: &RunResult) -> &PyError {
    match &report.outcome {
        Outcome::RuntimeError { error: Some(e) } | Outcome::CompileError { error: e } => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn time_limit(limit: TimeLimit) -> Outcome {
    Outcome::TimeLimit { limit }
}

#[tokio::test]
async fn hello_world_is_ok_with_output_and_resources_recorded() {
    let report = run("print('hello')").await;
    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(report.exit_code, Some(0));
    assert_eq!(stdout(&report), "hello\n");
    assert!(report.fuel > 0);
    assert!(report.peak_memory_bytes > 0);
}

#[tokio::test]
async fn an_endless_loop_runs_out_of_fuel() {
    let report = run("while True: pass").await;
    assert_eq!(report.outcome, time_limit(TimeLimit::Fuel));
    assert_eq!(report.fuel, limits().fuel);
}

#[tokio::test]
async fn correct_output_followed_by_a_loop_is_still_a_time_limit() {
    let report = run("print(42)\nwhile True: pass").await;
    assert_eq!(report.outcome, time_limit(TimeLimit::Fuel));
    assert_eq!(stdout(&report), "42\n");
}

#[tokio::test]
async fn sleeping_past_the_wall_time_limit_is_stopped_without_waiting() {
    let mut job = Job::script("import time\ntime.sleep(30)");
    job.limits = Limits {
        wall_time: Duration::from_millis(500),
        ..limits()
    };
    let report = run_job(job).await;
    assert_eq!(report.outcome, time_limit(TimeLimit::WallTime));
    // Waits are virtual: the judge does not sit through them.
    assert!(report.wall_ms < 2_000.0, "{}", report.wall_ms);
}

#[tokio::test]
async fn sleeps_are_virtual_and_move_the_guests_clocks() {
    let program = "import time\nt, w = time.monotonic(), time.time()\ntime.sleep(3)\ntime.sleep(1.5)\n\
                   print(round(time.monotonic() - t, 1), round(time.time() - w, 1))";
    let report = run(program).await;
    assert_eq!(report.outcome, Outcome::Ok, "{:?}", report);
    assert_eq!(stdout(&report), "4.5 4.5\n");
    assert!(report.wall_ms < 2_000.0, "{}", report.wall_ms);
}

#[tokio::test]
async fn a_busy_host_never_turns_computing_into_a_wall_time_limit() {
    // Twelve runs share this test's single thread, so each takes about twelve
    // times its own computing time in real time, far past its wall-time limit;
    // only waiting counts against that limit, and these runs never wait.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let mut job = Job::script("print(sum(i * i for i in range(300_000)))");
        job.limits = Limits {
            wall_time: Duration::from_millis(10),
            ..limits()
        };
        tasks.spawn(async move { sandbox().run(&job).await.unwrap() });
    }
    let mut fuel = Vec::new();
    while let Some(report) = tasks.join_next().await {
        let report = report.unwrap();
        assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
        fuel.push(report.fuel);
    }
    assert!(fuel.windows(2).all(|w| w[0] == w[1]), "{fuel:?}");
}

#[tokio::test]
async fn busy_waiting_on_the_clock_ends_by_a_limit() {
    let report = run("import time\nt = time.time()\nwhile time.time() - t < 60: pass").await;
    assert_eq!(report.outcome.name(), "time_limit");
}

#[tokio::test]
async fn a_growing_list_hits_the_memory_limit() {
    let report = run("x = []\nwhile True: x.append(bytearray(10**6))").await;
    assert_eq!(report.outcome, Outcome::MemoryLimit);
    assert!(report.peak_memory_bytes <= limits().memory_bytes);
}

#[tokio::test]
async fn one_huge_allocation_hits_the_memory_limit() {
    let report = run("x = 'a' * 10**9").await;
    assert_eq!(report.outcome, Outcome::MemoryLimit);
}

#[tokio::test]
async fn an_output_flood_hits_the_output_limit_with_bounded_capture() {
    let report = run("while True: print('spam' * 100)").await;
    assert_eq!(report.outcome, Outcome::OutputLimit);
    assert_eq!(report.stdout.len() as u64, limits().output_bytes);
}

#[tokio::test]
async fn one_giant_line_hits_the_output_limit() {
    let report = run("import sys\nsys.stdout.write('x' * 10**7)").await;
    assert_eq!(report.outcome, Outcome::OutputLimit);
}

#[tokio::test]
async fn stderr_counts_towards_the_output_limit() {
    let report = run("import sys\nwhile True: sys.stderr.write('e' * 1000)").await;
    assert_eq!(report.outcome, Outcome::OutputLimit);
}

#[tokio::test]
async fn plain_recursion_to_depth_10000_works() {
    let report = run("def f(n): return 0 if n == 0 else 1 + f(n - 1)\nprint(f(10000))").await;
    assert_eq!(stdout(&report), "10000\n", "{report:?}");
}

#[tokio::test]
async fn lru_cache_recursion_to_depth_1000_works() {
    let source = "from functools import lru_cache\n@lru_cache(None)\ndef f(n): return 0 if n == 0 else 1 + f(n - 1)\nprint(f(1000))";
    let report = run(source).await;
    assert_eq!(stdout(&report), "1000\n", "{report:?}");
}

#[tokio::test]
async fn deeper_recursion_is_a_clean_recursion_error() {
    let report = run("def f(n): return 0 if n == 0 else 1 + f(n - 1)\nf(10**6)").await;
    assert_eq!(error(&report).kind, "RecursionError");
    assert_eq!(error(&report).line, Some(1));
    let lru = "import sys\nsys.setrecursionlimit(10**9)\nfrom functools import lru_cache\n@lru_cache(None)\ndef f(n): return 0 if n == 0 else 1 + f(n - 1)\nf(10**6)";
    let report = run(lru).await;
    assert_eq!(error(&report).kind, "RecursionError", "{report:?}");
}

#[tokio::test]
async fn exits_are_ok_only_with_code_zero() {
    let report = run("print('bye')\nimport sys\nsys.exit(0)").await;
    assert_eq!(
        (report.outcome.clone(), report.exit_code),
        (Outcome::Ok, Some(0))
    );
    assert_eq!(stdout(&report), "bye\n");
    let report = run("import sys\nsys.exit(3)").await;
    assert_eq!(report.exit_code, Some(3));
    assert_eq!(error(&report).kind, "SystemExit");
    let report = run("import sys\nsys.exit('boom')").await;
    assert_eq!(report.exit_code, Some(1));
    assert_eq!(report.stderr, b"boom\n");
    // WASI 0.2 carries only success or failure out of `os._exit`.
    let report = run("import os\nos._exit(5)").await;
    assert_eq!(report.outcome.name(), "runtime_error");
    assert_eq!(report.exit_code, Some(1));
}

#[tokio::test]
async fn an_exception_reports_its_type_message_and_line() {
    let report = run("x = 1\n\ndef f():\n    return 1 / 0\nf()").await;
    let e = error(&report);
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("ZeroDivisionError", "division by zero")
    );
    assert_eq!(e.line, Some(4));
    assert!(e.traceback.contains("return 1 / 0"), "{}", e.traceback);
    assert!(!e.traceback.contains("gavel_runner"), "{}", e.traceback);
    assert_eq!(report.exit_code, Some(1));
}

#[tokio::test]
async fn a_syntax_error_is_a_compile_error_and_nothing_runs() {
    let report = run("print('ran')\ndef f(:\n  pass").await;
    let Outcome::CompileError { error } = &report.outcome else {
        panic!("{report:?}")
    };
    assert_eq!(error.kind, "SyntaxError");
    assert_eq!(error.line, Some(2));
    assert!(report.stdout.is_empty());
}

#[tokio::test]
async fn host_files_the_environment_and_writes_are_out_of_reach() {
    let source = r#"
import os
for path in ["/etc/passwd", "../../etc/passwd", "/proc/self/environ"]:
    try:
        open(path).read()
        print("READ", path)
    except OSError as e:
        print("denied", type(e).__name__)
try:
    open("out.txt", "w").write("x")
    print("WROTE")
except OSError as e:
    print("denied", type(e).__name__)
print(dict(os.environ), os.listdir("/") if os.path.exists("/") else "no root")
"#;
    let report = run(source).await;
    let out = stdout(&report);
    assert!(!out.contains("READ") && !out.contains("WROTE"), "{out}");
    assert!(out.contains("{}"), "{out}");
}

#[tokio::test]
async fn files_of_a_run_are_readable_but_not_writable() {
    let source = r#"
print(open("input.txt").read().strip())
try:
    open("input.txt", "w").write("changed")
    print("WROTE")
except OSError as e:
    print("denied", type(e).__name__)
try:
    open("../input.txt").read()
    print("ESCAPED")
except OSError as e:
    print("denied", type(e).__name__)
"#;
    let mut job = Job::script(source);
    job.files = Arc::new([("input.txt".to_owned(), Bytes::from_static(b"line one\n"))]);
    let report = run_job(job).await;
    let out = stdout(&report);
    assert!(out.starts_with("line one\n"), "{report:?}");
    assert!(!out.contains("WROTE") && !out.contains("ESCAPED"), "{out}");
}

#[tokio::test]
async fn network_processes_threads_and_ctypes_are_unavailable() {
    for (source, kind) in [
        ("import socket", "ModuleNotFoundError"),
        ("import subprocess", "ModuleNotFoundError"),
        ("import ctypes", "ModuleNotFoundError"),
        (
            "import threading\nthreading.Thread(target=print).start()",
            "RuntimeError",
        ),
    ] {
        let report = run(source).await;
        assert_eq!(error(&report).kind, kind, "{source}");
    }
}

#[tokio::test]
async fn reading_stdin_past_its_end_is_an_eof_error() {
    let mut job = Job::script("print(input())\nprint(input())");
    job.stdin = Bytes::from_static(b"only line\n");
    let report = run_job(job).await;
    assert_eq!(stdout(&report), "only line\n");
    assert_eq!(error(&report).kind, "EOFError");
}

#[tokio::test]
async fn the_same_program_gives_the_same_output_and_fuel_every_time() {
    let source = "import random, os\nprint(hash('abc'), random.random(), os.urandom(8).hex(), sorted({'b', 'a', 'c'}))";
    let first = run(source).await;
    let second = run(source).await;
    assert_eq!(first.outcome, Outcome::Ok);
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(first.fuel, second.fuel);
}

#[tokio::test]
async fn an_exception_at_import_time_is_a_runtime_error() {
    let report = run("import json\nraise ValueError('at import')").await;
    assert_eq!(error(&report).message, "at import");
}

#[tokio::test]
async fn a_utf8_bom_and_a_coding_cookie_are_honoured() {
    let report = run_job(Job::script(b"\xef\xbb\xbfprint('bom')")).await;
    assert_eq!(stdout(&report), "bom\n");
    let latin1 = b"# -*- coding: latin-1 -*-\nprint('caf\xe9')".to_vec();
    let report = run_job(Job::script(latin1)).await;
    assert_eq!(stdout(&report), "caf\u{e9}\n");
    let report = run_job(Job::script(b"print('\xff')")).await;
    assert_eq!(report.outcome.name(), "compile_error");
}

#[tokio::test]
async fn non_utf8_and_escape_bytes_are_captured_as_written() {
    let report = run("import sys\nsys.stdout.buffer.write(b'\\xff\\x1b[31m')").await;
    assert_eq!(report.stdout, b"\xff\x1b[31m");
}

#[tokio::test]
async fn a_huge_source_file_is_handled() {
    let source = "x = 1\n".repeat(200_000);
    let report = run(&source).await;
    assert!(
        matches!(
            report.outcome,
            Outcome::Ok | Outcome::TimeLimit { .. } | Outcome::MemoryLimit
        ),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_function_call_returns_its_value_through_the_typed_interface() {
    let job = Job {
        entry: Entry::Function(Call {
            name: "add".into(),
            args_json: "[2, 3]".into(),
            params: Arc::new([]),
            returns: Shape::Json,
        }),
        ..Job::script("def add(a, b):\n    print('{\"fake\": true}')\n    return a + b")
    };
    let report = run_job(job).await;
    assert_eq!(report.return_json.as_deref(), Some("5"));
    assert_eq!(stdout(&report), "{\"fake\": true}\n");
}

#[tokio::test]
async fn linked_lists_and_trees_cross_as_listnode_and_treenode() {
    let reverse = "def reverse(head):\n    prev = None\n    while head:\n        head.next, prev, head = prev, head, head.next\n    return prev";
    let job = Job {
        entry: Entry::Function(Call {
            name: "reverse".into(),
            args_json: "[[1, 2, 3]]".into(),
            params: Arc::new([Shape::LinkedList]),
            returns: Shape::LinkedList,
        }),
        ..Job::script(reverse)
    };
    assert_eq!(run_job(job).await.return_json.as_deref(), Some("[3, 2, 1]"));
    let mirror = "def mirror(root):\n    if root:\n        root.left, root.right = mirror(root.right), mirror(root.left)\n    return root";
    let job = Job {
        entry: Entry::Function(Call {
            name: "mirror".into(),
            args_json: "[[1, 2, 3, null, 4]]".into(),
            params: Arc::new([Shape::BinaryTree]),
            returns: Shape::BinaryTree,
        }),
        ..Job::script(mirror)
    };
    assert_eq!(
        run_job(job).await.return_json.as_deref(),
        Some("[1, 3, 2, null, null, 4]")
    );
}

#[tokio::test]
async fn a_missing_function_and_an_exit_in_a_call_are_runtime_errors() {
    let call = |source: &str| Job {
        entry: Entry::Function(Call {
            name: "solve".into(),
            args_json: "[]".into(),
            params: Arc::new([]),
            returns: Shape::Json,
        }),
        ..Job::script(source)
    };
    let report = run_job(call("def other(): pass")).await;
    assert_eq!(error(&report).kind, "NameError");
    let report = run_job(call("import sys\ndef solve(): sys.exit(0)")).await;
    assert_eq!(report.outcome.name(), "runtime_error");
    let report = run_job(call("def solve(): return float('nan')")).await;
    assert_eq!(error(&report).kind, "ValueError");
}

#[tokio::test]
async fn runs_in_parallel_do_not_interfere() {
    let jobs = (0..8).map(|i| {
        tokio::spawn(async move {
            let report = run(&format!("print({i} * 2)")).await;
            (i, stdout(&report).to_owned())
        })
    });
    for job in jobs {
        let (i, out) = job.await.unwrap();
        assert_eq!(out, format!("{}\n", i * 2));
    }
}

#[tokio::test]
async fn the_image_lists_the_modules_a_submission_may_import() {
    let modules = sandbox().preloaded_modules().await.unwrap();
    for name in [
        "json",
        "collections",
        "heapq",
        "functools",
        "itertools",
        "math",
        "re",
    ] {
        assert!(modules.iter().any(|m| m == name), "{name} missing");
    }
}

#[tokio::test]
async fn a_large_write_under_the_cap_arrives_whole() {
    // Regression: with a 64 KiB write offer, CPython lost everything after the
    // first short write of a large `sys.stdout.write`.
    let mut job = Job::script("import sys\nsys.stdout.write('y' * 300_000)");
    job.limits = Limits {
        output_bytes: 1 << 20,
        ..limits()
    };
    let report = run_job(job).await;
    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(report.stdout.len(), 300_000);
}

#[tokio::test]
async fn a_compile_check_runs_nothing() {
    let check = |source: &str| Job {
        entry: Entry::Compile,
        ..Job::script(source)
    };
    let report = run_job(check("print('ran')")).await;
    assert_eq!(report.outcome, Outcome::Ok);
    assert!(report.stdout.is_empty());
    let report = run_job(check("def f(:\n  pass")).await;
    assert_eq!(report.outcome.name(), "compile_error");
    assert!(report.code.is_none());
}

/// A run given the code of a compile run is the run of the source, minus
/// the compiling: same output, same traceback (with its source lines), and
/// deterministic fuel.
#[tokio::test]
async fn compiled_code_runs_like_its_source() {
    let source = "def f(x):\n    return 10 // x\nprint(f(5))\nprint(f(0))\n";
    let compiled = run_job(Job {
        entry: Entry::Compile,
        ..Job::script(source)
    })
    .await;
    assert_eq!(compiled.outcome, Outcome::Ok);
    let code = compiled.code.expect("a compile run gives code");
    assert!(!code.is_empty());
    let plain = run_job(Job::script(source)).await;
    let loaded = run_job(Job {
        code: code.clone(),
        ..Job::script(source)
    })
    .await;
    assert_eq!(loaded.stdout, b"2\n");
    assert_eq!(loaded.stdout, plain.stdout);
    assert_eq!(loaded.outcome, plain.outcome);
    let Outcome::RuntimeError { error: Some(error) } = &loaded.outcome else {
        panic!("{:?}", loaded.outcome);
    };
    assert!(
        error.traceback.contains("return 10 // x"),
        "{}",
        error.traceback
    );
    assert!(
        loaded.fuel < plain.fuel,
        "{} vs {}",
        loaded.fuel,
        plain.fuel
    );
    let again = run_job(Job {
        code,
        ..Job::script(source)
    })
    .await;
    assert_eq!(again.fuel, loaded.fuel);

    // Compiling this prints a SyntaxWarning, which each run must print as
    // `python` would: no code, so each run compiles it.
    let warning = run_job(Job {
        entry: Entry::Compile,
        ..Job::script("s = '\\d'\nprint(len(s))\n")
    })
    .await;
    assert_eq!(warning.outcome, Outcome::Ok);
    assert!(warning.code.is_none());
    let run = run_job(Job::script("s = '\\d'\nprint(len(s))\n")).await;
    assert!(String::from_utf8_lossy(&run.stderr).contains("SyntaxWarning"));
}

/// Runs reuse instance slots, reset in place: whatever a run did, the next
/// one starts from the pristine snapshot. One slot, so every run reuses it.
#[tokio::test]
async fn no_state_crosses_from_one_run_to_the_next_on_a_reused_slot() {
    let cache = Cache::from_env().unwrap();
    let image = image::ensure(&cache, &PYTHON_3_14, &mut |_| {}).unwrap();
    let sandbox = Sandbox::new(&cache, image, 1).unwrap();
    let honest = Job {
        limits: limits(),
        ..Job::script(
            "import json, math, random, sys, builtins\n\
             print(json.dumps({'a': [1, 2]}), math.sqrt(2), random.random(), hash('x'))\n\
             print(len(sys.modules), hasattr(builtins, 'planted'), sorted(globals()))\n\
             data = bytearray(3_000_000)\nprint(sum(data), len(str(2 ** 10000)))",
        )
    };
    let call = Job {
        entry: Entry::Function(Call {
            name: "f".into(),
            args_json: "[[3, 1, 2]]".into(),
            params: Arc::new([]),
            returns: Shape::Json,
        }),
        limits: limits(),
        ..Job::script("import json\ndef f(xs):\n    return sorted(xs) + [json.dumps(xs)]")
    };
    // The reference: runs on a sandbox of their own (a new engine and pool,
    // as in a fresh process).
    let pristine = Sandbox::new(&cache, sandbox.image().clone(), 1).unwrap();
    let fresh = pristine.run(&honest).await.unwrap();
    let fresh_call = pristine.run(&call).await.unwrap();
    drop(pristine);
    assert_eq!(fresh.outcome, Outcome::Ok, "{fresh:?}");
    let hostile = [
        "import json\njson.dumps = lambda *a, **k: 'tampered'\nimport builtins\nbuiltins.planted = 1",
        "import sys\nsys.modules['math'] = None\nsys.modules['json'] = None",
        "import sys\nsys.modules['gavel_runner']._dumps = lambda *a, **k: 'tampered'",
        "x = []\nwhile True: x.append(bytearray(10**6))",
        "def f(): f()\nimport sys\nsys.setrecursionlimit(10**9)\nf()",
        "import random\nrandom.seed(1)\nrandom.random = lambda: 0.5",
        "while True: print('x' * 1000)",
        "import time\ntime.sleep(60)",
        "while True: pass",
    ];
    for source in hostile {
        let report = sandbox.run(&Job::script(source)).await.unwrap();
        let again = sandbox.run(&honest).await.unwrap();
        assert_eq!(
            (&again.stdout, again.fuel, &again.outcome),
            (&fresh.stdout, fresh.fuel, &fresh.outcome),
            "after {source:?} ({})",
            report.outcome
        );
        let again = sandbox.run(&call).await.unwrap();
        assert_eq!(
            (&again.return_json, again.fuel),
            (&fresh_call.return_json, fresh_call.fuel),
            "after {source:?}"
        );
    }
}

/// A worker that dies takes only its run with it: the run is the judge's
/// failure (an `Err`, so IE), and the next run starts a new worker.
#[tokio::test]
async fn a_failed_worker_is_the_judges_failure_not_the_programs() {
    let cache = Cache::from_env().unwrap();
    let image = image::ensure(&cache, &PYTHON_3_14, &mut |_| {}).unwrap();
    let broken = crate::WorkerCommand {
        program: "/bin/false".into(),
        args: Vec::new(),
    };
    let sandbox = Sandbox::in_workers(&cache, image, 1, broken, &mut |_| {}).unwrap();
    for _ in 0..2 {
        let error = sandbox.run(&Job::script("print(1)")).await.unwrap_err();
        assert!(error.to_string().contains("worker"), "{error}");
    }
}

fn check_job(
    checker: &str,
    kind: crate::DataKind,
    input: &str,
    expected: &str,
    output: &str,
) -> Job {
    Job {
        entry: Entry::Check(crate::CheckArgs {
            kind,
            input: input.into(),
            expected: expected.into(),
            output: output.into(),
        }),
        limits: limits(),
        ..Job::script(checker)
    }
}

#[tokio::test]
async fn a_checker_judges_through_the_typed_interface() {
    use crate::{DataKind, Decision};
    let pair = "from gavel_checker import accept, wrong, partial\n\
                def check(args, expected, got):\n    nums, target = args\n    \
                if len(got) != 2 or got[0] == got[1]:\n        wrong('two distinct indices are needed')\n    \
                if nums[got[0]] + nums[got[1]] != target:\n        partial(0.5, 'a pair, but not summing to the target')\n    \
                accept('fine')\n";
    let judge = |output: &'static str| {
        let job = check_job(pair, DataKind::Json, "[[1, 2, 3], 5]", "[1, 2]", output);
        async move { run_job(job).await }
    };
    assert_eq!(
        judge("[2, 1]").await.decision,
        Some(Decision::Accepted {
            feedback: "fine".to_owned()
        })
    );
    assert_eq!(
        judge("[0, 0]").await.decision,
        Some(Decision::Wrong {
            message: "two distinct indices are needed".to_owned()
        })
    );
    assert!(
        matches!(judge("[0, 1]").await.decision, Some(Decision::Partial { points, .. }) if points == 0.5)
    );
    // The token reader speaks testlib.
    let tokens = "from gavel_checker import Tokens, accept\ndef check(i, e, out):\n    t = Tokens(out)\n    t.int()\n    t.eof()\n    accept()\n";
    let report = run_job(check_job(tokens, DataKind::Text, "", "", "abc")).await;
    assert_eq!(
        report.decision,
        Some(Decision::Wrong {
            message: "the output's token 1: expected an integer, found `abc`".to_owned()
        })
    );
    // A checker that fails is a runtime error of the checker, with no decision.
    for broken in [
        "def check(i, e, o):\n    return True\n",
        "def check(i, e, o):\n    1 / 0\n",
        "def other(): pass\n",
    ] {
        let report = run_job(check_job(broken, DataKind::Text, "", "", "")).await;
        assert_eq!(report.outcome.name(), "runtime_error", "{broken}");
        assert_eq!(report.decision, None);
    }
    let slow = "def check(i, e, o):\n    while True: pass\n";
    let report = run_job(check_job(slow, DataKind::Text, "", "", "")).await;
    assert_eq!(report.outcome, time_limit(TimeLimit::Fuel));
}

const GUESSER: &str = "n = int(input())\nlo, hi = 1, n\nwhile True:\n    mid = (lo + hi) // 2\n    print(mid, flush=True)\n    answer = input()\n    if answer == '=':\n        break\n    if answer == '<':\n        hi = mid - 1\n    else:\n        lo = mid + 1\n";

const HOST: &str = "from gavel_checker import accept, wrong\n\
def interact(input):\n    n, secret = map(int, input.split())\n    print(n, flush=True)\n    \
for guess_number in range(1, 11):\n        guess = int(input_line())\n        \
if guess == secret:\n            print('=', flush=True)\n            accept(f'found in {guess_number} guesses')\n        \
print('<' if secret < guess else '>', flush=True)\n    wrong('too many guesses')\n\
def input_line():\n    import builtins\n    try:\n        return builtins.input()\n    \
except EOFError:\n        wrong('the program stopped guessing')\n";

fn interactor(input: &str) -> Job {
    Job {
        entry: Entry::Interact {
            input: input.into(),
        },
        limits: limits(),
        ..Job::script(HOST)
    }
}

#[tokio::test]
async fn a_program_and_an_interactor_talk_over_pipes() {
    use crate::{Decision, Side};
    let program = Job {
        limits: limits(),
        ..Job::script(GUESSER)
    };
    let result = sandbox()
        .interact(&program, &interactor("1000 777"))
        .await
        .unwrap();
    assert_eq!(result.program.outcome, Outcome::Ok, "{result:?}");
    assert!(
        matches!(&result.interactor.decision, Some(Decision::Accepted { feedback }) if feedback.starts_with("found in")),
        "{result:?}"
    );
    assert_eq!(result.transcript[0].from, Side::Interactor);
    assert_eq!(result.transcript[0].text, "1000\n");
    assert_eq!(result.transcript[1].text, "500\n");
    // A linear guesser runs out of guesses.
    let linear = Job {
        limits: limits(),
        ..Job::script(
            "n = int(input())\nfor g in range(1, n + 1):\n    print(g, flush=True)\n    if input() == '=':\n        break\n",
        )
    };
    let result = sandbox()
        .interact(&linear, &interactor("1000 777"))
        .await
        .unwrap();
    assert!(
        matches!(&result.interactor.decision, Some(Decision::Wrong { message }) if message == "too many guesses"),
        "{result:?}"
    );
    // Both reading at once is a deadlock, seen at once, not after the wall time.
    let silent = Job {
        limits: limits(),
        ..Job::script("input()")
    };
    let started = std::time::Instant::now();
    let result = sandbox()
        .interact(&silent, &interactor("1000 777"))
        .await
        .unwrap();
    let reader = Job {
        limits: limits(),
        ..Job::script("x = input()\ny = input()")
    };
    let result2 = sandbox()
        .interact(&reader, &interactor("1000 777"))
        .await
        .unwrap();
    assert!(!result.deadlock, "the interactor wrote first: {result:?}");
    assert!(result2.deadlock, "{result2:?}");
    assert_eq!(result2.program.outcome, time_limit(TimeLimit::Idle));
    assert!(started.elapsed() < Duration::from_secs(5));
    // A program that crashes is a runtime error, whatever the interactor says.
    let crash = Job {
        limits: limits(),
        ..Job::script("1 / 0")
    };
    let result = sandbox()
        .interact(&crash, &interactor("1000 777"))
        .await
        .unwrap();
    assert_eq!(result.program.outcome.name(), "runtime_error");
}
