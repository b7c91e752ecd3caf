//! `gavel run`: the contract other tools rely on.

use crate::support::{expect, file, redact};
use serde_json::json;

#[test]
fn run_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let program = file(dir.path(), "hello.py", "print('hello')\n");
    let mut value = expect(0, &["run", &program, "--json"]).json();
    let fuel = value["fuel"].as_u64().unwrap();
    assert!(fuel > 100_000, "{fuel}");
    value["fuel"] = "[fuel]".into();
    value["peak_memory_bytes"] = "[bytes]".into();
    redact(&mut value);
    assert_eq!(
        value,
        json!({
            "status": "ok",
            "limit": null,
            "exit_code": 0,
            "error": null,
            "stdout": "hello\n",
            "stderr": "",
            "return": null,
            "fuel": "[fuel]",
            "wall_ms": "[ms]",
            "peak_memory_bytes": "[bytes]",
            "limits": {"fuel": 10_000_000_000u64, "wall_time": 10000, "memory_bytes": 268435456, "output_bytes": 1048576},
            "source_sha256": "03e693d9f2f687e0f40e36a8df7fcb4d1c22974012b7c2a55c000eb30f305824",
            "image": {"name": "python-3.14", "python_version": "3.14.0", "sha256": "[sha256]"},
        })
    );
}

#[test]
fn run_reports_each_limit_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("loop.py", "while True: pass\n", "time_limit", Some("fuel")),
        (
            "sleep.py",
            "import time\ntime.sleep(30)\n",
            "time_limit",
            Some("wall_time"),
        ),
        ("bomb.py", "x = 'a' * 10**9\n", "memory_limit", None),
        (
            "flood.py",
            "while True: print('x' * 1000)\n",
            "output_limit",
            None,
        ),
        ("raise.py", "raise KeyError('k')\n", "runtime_error", None),
        ("syntax.py", "def f(:\n", "compile_error", None),
    ];
    for (name, source, status, limit) in cases {
        let program = file(dir.path(), name, source);
        let value = expect(
            1,
            &[
                "run",
                &program,
                "--json",
                "--fuel",
                "300000000",
                "--wall-time",
                "1",
                "--memory",
                "64",
                "--output",
                "16",
            ],
        )
        .json();
        assert_eq!(value["status"], status, "{name}: {value}");
        assert_eq!(value["limit"], json!(limit), "{name}");
    }
}

#[test]
fn run_feeds_stdin_and_calls_functions() {
    let dir = tempfile::tempdir().unwrap();
    let program = file(dir.path(), "echo.py", "print(input().upper())\n");
    let input = file(dir.path(), "in.txt", "shout\n");
    let run = expect(0, &["run", &program, "--stdin", &input]);
    assert_eq!(run.stdout, "SHOUT\n");
    assert!(run.stderr.contains("ok"), "{}", run.stderr);
    let program = file(dir.path(), "add.py", "def add(a, b):\n    return a + b\n");
    let value = expect(
        0,
        &[
            "run", &program, "--call", "add", "--args", "[2, 40]", "--json",
        ],
    )
    .json();
    assert_eq!(value["return"], 42);
}

#[test]
fn usage_and_missing_files_exit_2_with_a_clear_message() {
    let run = expect(2, &["run", "/nonexistent/prog.py"]);
    assert!(
        run.stderr
            .contains("cannot read the program `/nonexistent/prog.py`"),
        "{}",
        run.stderr
    );
    expect(2, &["run"]);
    expect(2, &["frobnicate"]);
}

#[test]
fn output_of_a_program_is_escaped_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let program = file(dir.path(), "ansi.py", "print('\\x1b[31mred')\n");
    let run = expect(0, &["run", &program]);
    assert_eq!(run.stdout, "\\u{1b}[31mred\n");
}

/// Time is virtual: clocks start at a documented instant and move only with
/// the program's reads and waits, so a program that reads the clock gets the
/// same output and fuel on every run and at any `--jobs`; sleeping costs no
/// real time, and sleeping past the limit is a time limit at once.
#[test]
fn time_is_virtual_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let clock = crate::support::file(
        dir.path(),
        "clock.py",
        "import time, random, datetime\nprint(time.time()); print(time.monotonic())\nt = time.perf_counter(); time.sleep(0.2); print(round(time.perf_counter() - t, 2))\nrandom.seed(time.time_ns()); print(random.random())\nprint(datetime.datetime.now(datetime.timezone.utc).isoformat()[:19], time.localtime()[:3])\n",
    );
    let mut seen = std::collections::BTreeSet::new();
    for jobs in ["1", "16", "1", "16", "1", "16", "1", "16", "1", "16"] {
        let run = crate::support::expect(0, &["--jobs", jobs, "run", &clock, "--json"]).json();
        seen.insert((run["stdout"].to_string(), run["fuel"].to_string()));
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    let (stdout, _) = seen.into_iter().next().unwrap();
    assert!(
        stdout.contains("2025-01-01T00:00:00 (2025, 1, 1)"),
        "{stdout}"
    );
    assert!(stdout.starts_with("\"1735689600.0"), "{stdout}");
    assert!(stdout.contains("\\n0.2\\n"), "{stdout}");

    let started = std::time::Instant::now();
    let sleeper = crate::support::file(dir.path(), "sleep.py", "import time\ntime.sleep(60)\n");
    let run = crate::support::expect(1, &["run", &sleeper, "--json"]).json();
    assert_eq!(
        (&run["status"], &run["limit"]),
        (&"time_limit".into(), &"wall_time".into()),
        "{run}"
    );
    let napper = crate::support::file(
        dir.path(),
        "nap.py",
        "import time\nfor _ in range(10):\n    time.sleep(0.5)\nprint('rested')\n",
    );
    let run = crate::support::expect(0, &["run", &napper, "--json"]).json();
    assert_eq!(run["stdout"], "rested\n");
    // 65 s of sleeping took no real waiting (generous for a loaded machine).
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}
