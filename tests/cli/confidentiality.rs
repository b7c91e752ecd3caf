//! Hidden tests stay hidden (docs/confidentiality.md): one attack program per
//! channel a submission controls, each through `submit --json`, `submit` and
//! `grade`. A hidden test's entry must hold its name, verdict and points and
//! nothing else, and no trace of a hidden input may reach any output or file.

use crate::support::{catalog, expect, file, run};
use gavel_core::hash::sha256_hex;
use std::path::Path;

/// What a submission computes from its input to smuggle it out: a marker
/// derived from the arguments, which the test derives the same way.
const MARK: &str = "import hashlib, json, sys, time\n\
def mark(nums, target):\n    \
return 'LEAK_' + hashlib.sha256(json.dumps([nums, target], separators=(',', ':')).encode()).hexdigest()[:16]\n\
def size(nums, target):\n    \
return sum(abs(x) for x in nums) + abs(target)\n";

/// The correct answer, so that channels not tied to a failure can be tried on
/// accepted tests too.
const SOLVE: &str = "def solve(nums, target):\n    \
seen = {}\n    \
for i, x in enumerate(nums):\n        \
if target - x in seen:\n            \
return [seen[target - x], i]\n        \
seen[x] = i\n";

/// One attack per channel: (name, body of `two_sum`).
const ATTACKS: [(&str, &str); 8] = [
    (
        "exception-type-name",
        "raise type(mark(nums, target), (Exception,), {})()",
    ),
    ("exception-message", "raise ValueError(mark(nums, target))"),
    ("exit-code", "sys.exit(size(nums, target) % 200 + 1)"),
    (
        "stdout-and-stderr",
        "print(mark(nums, target))\n    print(mark(nums, target), file=sys.stderr)\n    return [0, 0]",
    ),
    (
        "fuel",
        "for _ in range((size(nums, target) % 97) * 20000): pass\n    return solve(nums, target)",
    ),
    (
        "memory",
        "keep = bytearray((size(nums, target) % 50) * 1_000_000)\n    return solve(nums, target)",
    ),
    (
        "wall-time",
        "time.sleep((size(nums, target) % 9) * 0.5)\n    return solve(nums, target)",
    ),
    (
        "output-size",
        "print('x' * (size(nums, target) % 5000))\n    return solve(nums, target)",
    ),
];

fn source(body: &str) -> String {
    format!("{MARK}{SOLVE}def two_sum(nums, target):\n    {body}\n")
}

/// The marker of every hidden test of two-sum.
fn hidden_marks() -> Vec<String> {
    let dir = catalog().join("two-sum/tests/hidden");
    let mut marks = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let test: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let compact = test["args"].to_string();
        marks.push(format!("LEAK_{}", &sha256_hex(compact.as_bytes())[..16]));
    }
    assert!(marks.len() >= 10);
    marks
}

/// A hidden test's entry: exactly its name, visibility, verdict and points.
#[track_caller]
fn assert_only_name_and_verdict(result: &serde_json::Value, attack: &str) {
    let hidden: Vec<&serde_json::Value> = result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["visibility"] == "hidden")
        .collect();
    assert!(hidden.len() >= 10, "{attack}: {result}");
    for test in &hidden {
        let keys: Vec<&str> = test
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["name", "visibility", "verdict", "points", "max_points"],
            "{attack}: {test}"
        );
    }
    // Points follow from the verdict (no test of two-sum gives partial credit).
    for test in &hidden {
        let expected = if test["verdict"] == "AC" {
            test["max_points"].clone()
        } else {
            0.into()
        };
        assert_eq!(test["points"], expected, "{attack}: {test}");
    }
    // So two hidden tests with the same verdict are the same entry but for what
    // the author fixed: the name and the points.
    let strip = |t: &serde_json::Value| {
        let mut t = t.clone();
        for key in ["name", "points", "max_points"] {
            t.as_object_mut().unwrap().remove(key);
        }
        t
    };
    for pair in hidden.windows(2) {
        if pair[0]["verdict"] == pair[1]["verdict"] {
            assert_eq!(strip(pair[0]), strip(pair[1]), "{attack}");
        }
    }
    let summary = &result["hidden"];
    for share in ["fuel_percent", "memory_percent"] {
        let value = summary[share].as_u64().unwrap();
        assert!(
            value.is_multiple_of(10) && value <= 100,
            "{attack}: {summary}"
        );
    }
}

#[track_caller]
fn assert_no_trace(text: &str, marks: &[String], place: &str) {
    for mark in marks {
        assert!(
            !text.contains(mark.as_str()),
            "a hidden input reached {place}: {mark}"
        );
    }
}

fn all_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all_files(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[test]
fn no_channel_reveals_a_hidden_input_through_submit() {
    let dir = tempfile::tempdir().unwrap();
    let marks = hidden_marks();
    for (attack, body) in ATTACKS {
        let program = file(dir.path(), &format!("{attack}.py"), &source(body));
        let json = run(&["submit", "two-sum", &program, "--json"]);
        assert!(
            json.code == 0 || json.code == 1,
            "{attack}: {}",
            json.stderr
        );
        assert_no_trace(&json.stdout, &marks, &format!("submit --json ({attack})"));
        assert_no_trace(
            &json.stderr,
            &marks,
            &format!("submit --json stderr ({attack})"),
        );
        assert_only_name_and_verdict(&json.json(), attack);
        let human = run(&["submit", "two-sum", &program]);
        assert_no_trace(&human.stdout, &marks, &format!("submit ({attack})"));
        assert_no_trace(&human.stderr, &marks, &format!("submit stderr ({attack})"));
        for line in human.stdout.lines().filter(|l| l.contains("(hidden)")) {
            // `  RE  04-negative (hidden)`: a verdict, a name, nothing else.
            assert_eq!(line.split_whitespace().count(), 3, "{attack}: {line}");
        }
    }
    // The attacks do reach public tests, so the search above would find a leak.
    let program = file(dir.path(), "probe.py", &source(ATTACKS[1].1));
    let public = expect(1, &["test", "two-sum", &program, "--json"]);
    assert!(public.stdout.contains("LEAK_"), "{}", public.stdout);
}

#[test]
fn no_channel_reveals_a_hidden_input_through_grade_reports() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    for (attack, body) in ATTACKS {
        file(&hw, &format!("{attack}/two-sum.py"), &source(body));
    }
    let out = dir.path().join("out");
    let run = run(&[
        "grade",
        hw.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let marks = hidden_marks();
    assert_no_trace(&run.stdout, &marks, "grade's summary");
    let mut files = Vec::new();
    all_files(&out, &mut files);
    assert!(files.len() >= 4 + ATTACKS.len(), "{files:?}");
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        assert_no_trace(&text, &marks, &path.display().to_string());
    }
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["reveals_hidden"], false);
    for candidate in results["candidates"].as_array().unwrap() {
        let result = &candidate["results"]["two-sum"]["result"];
        assert_only_name_and_verdict(result, candidate["name"].as_str().unwrap());
    }
    // The team's own, unshareable report shows everything, and says so.
    let full = dir.path().join("full");
    expect(
        1,
        &[
            "grade",
            hw.to_str().unwrap(),
            "--out",
            full.to_str().unwrap(),
            "--reveal-hidden",
        ],
    );
    let html = std::fs::read_to_string(full.join("report.html")).unwrap();
    assert!(html.contains("do not share it with candidates"));
    let results = std::fs::read_to_string(full.join("results.json")).unwrap();
    assert!(
        marks.iter().any(|m| results.contains(m.as_str())),
        "--reveal-hidden shows the inputs' traces"
    );
}
