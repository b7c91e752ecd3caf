//! Nothing a homework folder, a submission or an exercise contains breaks a
//! batch, escapes the catalog or exhausts the host, and verdicts are right
//! whatever the input or the load.

use crate::support::{catalog, exercise, expect, file, finish, gavel, run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn reference(id: &str) -> String {
    std::fs::read_to_string(catalog().join(id).join("solution.py")).unwrap()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    #[allow(unsafe_code)]
    unsafe {
        libc::geteuid() == 0
    }
}

/// `gavel` for whom a `chmod 000` file is unreadable: as root, the same binary
/// without the capabilities that bypass file permissions.
fn gavel_without_dac_override() -> Command {
    if !is_root() {
        return gavel();
    }
    let mut command = Command::new("setpriv");
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GAVEL_CATALOG")
        .env_remove("GAVEL_IMAGE")
        .args([
            "--bounding-set=-dac_override,-dac_read_search",
            env!("CARGO_BIN_EXE_gavel"),
        ]);
    command
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn results(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap()
}

fn candidate<'a>(results: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    results["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no candidate {name} in {results}"))
}

fn problems(candidate: &serde_json::Value) -> Vec<String> {
    candidate["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}: {}",
                p["file"].as_str().unwrap(),
                p["reason"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn an_unreadable_file_or_folder_is_a_problem_of_its_candidate_not_of_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    file(&hw, "alice/two-sum.py", &reference("two-sum"));
    file(&hw, "bob/two-sum.py", &reference("two-sum"));
    file(&hw, "carol/two-sum.py", &reference("two-sum"));
    chmod(&hw.join("bob/two-sum.py"), 0o000);
    chmod(&hw.join("carol"), 0o000);
    let out = dir.path().join("out");
    let args = [
        "grade",
        hw.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let run = finish(
        &args,
        gavel_without_dac_override().args(args).output().unwrap(),
    );
    chmod(&hw.join("carol"), 0o755);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results = results(&out);
    assert_eq!(
        candidate(&results, "alice")["results"]["two-sum"]["result"]["verdict"],
        "AC"
    );
    let bob = candidate(&results, "bob");
    assert_eq!(bob["results"]["two-sum"]["status"], "missing");
    assert!(
        problems(bob)
            .iter()
            .any(|p| p.starts_with("bob/two-sum.py: cannot be read: Permission denied")),
        "{bob}"
    );
    let carol = candidate(&results, "carol");
    assert!(
        problems(carol)
            .iter()
            .any(|p| p.starts_with("carol: the folder cannot be read: Permission denied")),
        "{carol}"
    );
    assert!(
        run.stdout.contains("bob/two-sum.py: cannot be read"),
        "{}",
        run.stdout
    );
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo only creates a file at a valid, NUL-terminated path.
    #[allow(unsafe_code)]
    let made = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(made, 0);
}

#[test]
fn special_entries_are_problems_never_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    file(&hw, "alice/two-sum.py", &reference("two-sum"));
    std::fs::create_dir_all(hw.join("bob")).unwrap();
    std::fs::create_dir_all(hw.join("carol")).unwrap();
    mkfifo(&hw.join("bob/two-sum.py"));
    std::os::unix::fs::symlink("loop.py", hw.join("carol/loop.py")).unwrap();
    std::os::unix::fs::symlink("/etc", hw.join("carol/two-sum.py")).unwrap();
    std::os::unix::fs::symlink("/etc", hw.join("dave")).unwrap();
    mkfifo(&hw.join("pipe"));
    let out = dir.path().join("out");
    let started = Instant::now();
    let run = run(&[
        "grade",
        hw.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results = results(&out);
    assert!(
        problems(candidate(&results, "bob"))
            .contains(&"bob/two-sum.py: not a file (a FIFO, socket or device)".to_owned())
    );
    let carol = problems(candidate(&results, "carol"));
    assert!(
        carol.contains(&"carol/loop.py: a symbolic link, not followed".to_owned()),
        "{carol:?}"
    );
    assert!(
        carol.contains(&"carol/two-sum.py: a symbolic link, not followed".to_owned()),
        "{carol:?}"
    );
    let folder: Vec<&str> = results["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["file"].as_str().unwrap())
        .collect();
    assert_eq!(folder, ["dave", "pipe"]);
}

#[test]
fn candidates_differing_in_invalid_bytes_stay_distinct_and_names_cannot_drive_the_terminal() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    let name = |bytes: &[u8]| hw.join(std::ffi::OsStr::from_bytes(bytes));
    for (folder, source) in [
        (name(b"Jos\xe9"), reference("two-sum")),
        (
            name(b"Jos\xe8"),
            "def two_sum(nums, target):\n    return [0, 0]\n".to_owned(),
        ),
        (
            name(b"\x1b]0;pwned\x07\x1b[2J\x1b[1;1H"),
            reference("two-sum"),
        ),
    ] {
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("two-sum.py"), source).unwrap();
    }
    let out = dir.path().join("out");
    let args = [
        "grade",
        hw.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let first = expect(1, &args);
    for output in [&first.stdout, &first.stderr] {
        assert!(
            !output.contains('\u{1b}') && !output.contains('\u{7}'),
            "{output:?}"
        );
    }
    let report = results(&out);
    assert_eq!(
        candidate(&report, "Jos\\xe9")["results"]["two-sum"]["result"]["verdict"],
        "AC"
    );
    assert_eq!(
        candidate(&report, "Jos\\xe8")["results"]["two-sum"]["result"]["verdict"],
        "WA"
    );
    // A second run reuses both results: neither overwrote the other.
    let second = expect(1, &args);
    assert!(
        second
            .stderr
            .contains("3 result(s) already in the report folder, 0 to grade"),
        "{}",
        second.stderr
    );
    let again = results(&out);
    assert_eq!(
        candidate(&again, "Jos\\xe9")["results"],
        candidate(&report, "Jos\\xe9")["results"]
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains('\u{1b}'));
}

#[test]
fn missing_work_counts_zero_and_ungraded_files_are_named_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    file(&hw, "alice/two-sum.py", &reference("two-sum"));
    file(&hw, "alice/two_sum.py", "a near miss");
    file(&hw, "alice/README.txt", "hello");
    file(&hw, "alice/merge-sort.py.txt", "not python");
    file(&hw, "bob/Fibonacci-Series.py", "print(0)");
    file(&hw, "homework.zip", "PK");
    let out = dir.path().join("out");
    let run = expect(
        1,
        &[
            "grade",
            hw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--exercises",
            "two-sum,merge-sort,fibonacci-series,reverse-string",
        ],
    );
    let report = results(&out);
    let alice = candidate(&report, "alice");
    assert_eq!(alice["results"]["merge-sort"]["status"], "missing");
    let assigned: u64 = alice["results"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["max_points"].as_u64().unwrap())
        .sum();
    assert_eq!(alice["max_points"], assigned, "{alice}");
    assert!(assigned > 16);
    assert_eq!(alice["points"], 16);
    let bob = candidate(&report, "bob");
    assert_eq!(bob["points"], 0);
    assert_eq!(bob["results"].as_object().unwrap().len(), 4);
    let expected = [
        ("alice/two_sum.py", "two-sum.py"),
        ("alice/merge-sort.py.txt", "merge-sort.py"),
        ("bob/Fibonacci-Series.py", "fibonacci-series.py"),
    ];
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    // minijinja writes `/` as `&#x2f;` in text.
    let html = std::fs::read_to_string(out.join("report.html"))
        .unwrap()
        .replace("&#x2f;", "/");
    for (file, suggestion) in expected {
        for (place, text) in [
            ("summary", &run.stdout),
            ("CSV", &csv),
            ("JUnit", &junit),
            ("HTML", &html),
        ] {
            assert!(
                text.contains(file),
                "{file} not named in the {place}:\n{text}"
            );
            assert!(
                text.contains(suggestion),
                "no suggestion `{suggestion}` in the {place}"
            );
        }
    }
    assert!(
        run.stdout.contains("homework.zip: an archive"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("missing: fibonacci-series, merge-sort, reverse-string"),
        "{}",
        run.stdout
    );
    assert!(junit.contains("not submitted: 0 points"), "{junit}");
}

#[test]
fn the_report_folder_is_checked_first_locked_and_follows_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    file(&hw, "alice/two-sum.py", &reference("two-sum"));
    // A file as --out is refused before anything is graded.
    let not_a_dir = dir.path().join("report.txt");
    std::fs::write(&not_a_dir, "").unwrap();
    let run = expect(
        2,
        &[
            "grade",
            hw.to_str().unwrap(),
            "--out",
            not_a_dir.to_str().unwrap(),
        ],
    );
    assert!(run.stderr.contains("is not a directory"), "{}", run.stderr);
    // Reports are for sharing: their mode follows the umask.
    let out = dir.path().join("out");
    let script = format!(
        "umask 027; exec '{}' grade '{}' --out '{}'",
        env!("CARGO_BIN_EXE_gavel"),
        hw.display(),
        out.display()
    );
    let status = Command::new("sh").arg("-c").arg(&script).status().unwrap();
    assert_eq!(status.code(), Some(0));
    use std::os::unix::fs::PermissionsExt;
    for report in ["results.json", "results.csv", "junit.xml", "report.html"] {
        let mode = std::fs::metadata(out.join(report))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o640, "{report}: {mode:o}");
    }
    // While one grade writes to a folder, another is refused.
    let lock = gavel_core::fs::FileLock::try_exclusive(&out.join(".gavel-grade.lock"))
        .unwrap()
        .expect("free after the run");
    let run = expect(
        2,
        &[
            "grade",
            hw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        run.stderr.contains("another `gavel grade` is writing to"),
        "{}",
        run.stderr
    );
    drop(lock);
}

/// Peak resident memory of a finished child, in MiB.
// The child is reaped with wait4, which reports its resource usage.
#[allow(clippy::zombie_processes)]
fn peak_rss_mib(mut command: Command) -> (i32, u64, String) {
    let child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    let mut stderr = child.stderr.unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
        text
    });
    let mut status = 0;
    // SAFETY: wait4 on our own child's pid with valid out-pointers.
    #[allow(unsafe_code)]
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::wait4(pid, &mut status, 0, &mut usage), pid);
        usage
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss as u64 / 1024, reader.join().unwrap())
}

#[test]
fn host_memory_stays_bounded_whatever_the_homework_holds() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    // Four 50 MB sources, and twenty submissions raising exceptions whose class
    // names are 2 MB long.
    let big = format!("x = 1\n{}", "# padding\n".repeat(5_000_000));
    for i in 0..4 {
        file(&hw, &format!("big{i}/two-sum.py"), &big);
    }
    let huge_name =
        "def two_sum(nums, target):\n    raise type('E' * 2_000_000, (Exception,), {})()\n";
    for i in 0..20 {
        file(&hw, &format!("loud{i}/two-sum.py"), huge_name);
    }
    let out = dir.path().join("out");
    let mut command = gavel();
    command.args([
        "--jobs",
        "2",
        "grade",
        hw.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (code, peak, stderr) = peak_rss_mib(command);
    assert_eq!(code, 1, "{stderr}");
    // jobs × (memory limit + output limit) plus a fixed overhead.
    eprintln!("peak RSS of the batch: {peak} MiB");
    assert!(peak < 2 * (256 + 1) + 200, "peak RSS {peak} MiB");
    let report = results(&out);
    let big0 = candidate(&report, "big0")["results"]["two-sum"]["result"].clone();
    assert_eq!(big0["verdict"], "CE");
    assert!(
        big0["compile_error"]["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 1024 KiB"),
        "{big0}"
    );
    let size = std::fs::metadata(out.join("results.json")).unwrap().len();
    assert!(size < 4 << 20, "results.json is {size} bytes");
}

/// A function exercise `id` calling `f`, with the given tests and solution.
fn function_exercise(root: &Path, id: &str, solution: &str, tests: &[(&str, &str)]) -> PathBuf {
    let tests: Vec<(String, &str)> = tests
        .iter()
        .map(|(n, t)| (format!("{n}.json"), *t))
        .collect();
    let tests: Vec<(&str, &str)> = tests.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    exercise(
        root,
        id,
        "kind = \"function\"\n\n[function]\nname = \"f\"\n",
        solution,
        &tests,
    )
}

#[test]
fn verdicts_are_right_for_ordered_dicts_big_integers_and_odd_return_values() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    function_exercise(
        &root,
        "keys",
        "def f(d):\n    return list(d)\n",
        &[(
            "01",
            r#"{"args": [{"p": 1, "A": 2, "B": 3}], "expected": ["p", "A", "B"]}"#,
        )],
    );
    function_exercise(
        &root,
        "power",
        "def f(n):\n    return 2 ** n\n",
        &[(
            "01",
            r#"{"args": [100], "expected": 1267650600228229401496703205376}"#,
        )],
    );
    let catalog = root.to_str().unwrap();
    let verdict = |id: &str, source: &str| {
        let program = file(dir.path(), &format!("{id}-{}.py", sha(source)), source);
        let run = run(&["--catalog", catalog, "test", id, &program, "--json"]);
        assert!(
            run.code < 2,
            "the judge failed on {source:?}: {}",
            run.stdout
        );
        let value = run.json();
        (
            value["verdict"].as_str().unwrap().to_owned(),
            value["tests"][0]["message"].clone(),
        )
    };
    assert_eq!(verdict("keys", "def f(d):\n    return list(d)\n").0, "AC");
    assert_eq!(verdict("power", "def f(n):\n    return 2 ** n\n").0, "AC");
    assert_eq!(
        verdict("power", "def f(n):\n    return 2 ** n + 12345\n").0,
        "WA"
    );
    // A value nested 200 deep is ordinary Python: a wrong answer, not the judge's failure.
    let deep = "def f(n):\n    v = []\n    for _ in range(200):\n        v = [v]\n    return v\n";
    assert_eq!(verdict("power", deep).0, "WA");
    let (code, message) = verdict("power", "def f(n):\n    return '\\ud800'\n");
    assert_eq!(code, "RE");
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("return value cannot be compared"),
        "{message}"
    );
    let rebinds =
        "import json\njson.dumps = lambda *a, **k: 'garbage'\ndef f(n):\n    return 2 ** n\n";
    assert_eq!(verdict("power", rebinds).0, "AC");
    let tampers = "import sys\nsys.modules['gavel_runner']._dumps = lambda *a, **k: 'garbage'\ndef f(n):\n    return 2 ** n\n";
    assert_eq!(verdict("power", tampers).0, "RE");
}

fn sha(text: &str) -> String {
    gavel_core::hash::sha256_hex(text.as_bytes())[..8].to_owned()
}

#[test]
fn verdicts_do_not_depend_on_jobs_or_on_a_busy_host() {
    let dir = tempfile::tempdir().unwrap();
    let solution = "n = int(input())\nfor _ in range(n): pass\nprint(n)\n";
    let program = file(dir.path(), "spin.py", solution);
    let input = file(dir.path(), "in.txt", "1500000\n");
    let used = expect(0, &["run", &program, "--stdin", &input, "--json"]).json()["fuel"]
        .as_u64()
        .unwrap();
    // A budget the solution uses 92% of, and a wall-time limit far below the
    // real time sixteen runs take on this machine.
    let fuel = (used as f64 / 0.92) as u64;
    let root = dir.path().join("catalog");
    exercise(
        &root,
        "spin",
        &format!("kind = \"stdio\"\n\n[limits]\nfuel = {fuel}\nwall_time = 0.05\n"),
        solution,
        &[("01.in", "1500000\n"), ("01.out", "1500000\n")],
    );
    let hw = dir.path().join("hw");
    for i in 0..16 {
        file(&hw, &format!("c{i:02}/spin.py"), solution);
    }
    let out = dir.path().join("out");
    let summary = expect(
        0,
        &[
            "--jobs",
            "16",
            "--catalog",
            root.to_str().unwrap(),
            "grade",
            hw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    )
    .json();
    let verdicts: Vec<&serde_json::Value> = summary["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["verdicts"]["spin"])
        .collect();
    assert_eq!(verdicts.len(), 16);
    assert!(verdicts.iter().all(|v| *v == "AC"), "{verdicts:?}");
}
