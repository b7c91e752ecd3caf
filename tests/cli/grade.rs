//! The hiring team's workflow: `grade`, including a batch killed part-way.

use crate::support::{catalog, expect, finish, gavel};
use std::path::Path;
use std::time::{Duration, Instant};

fn homework(root: &Path, candidates: &[(&str, &str, &str)]) {
    for (candidate, exercise, source) in candidates {
        let dir = root.join(candidate);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{exercise}.py")), source).unwrap();
    }
}

fn reference(id: &str) -> String {
    std::fs::read_to_string(catalog().join(id).join("solution.py")).unwrap()
}

#[test]
fn grade_writes_every_report_and_survives_hostile_submissions() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    let out = dir.path().join("out");
    homework(
        &hw,
        &[
            ("alice", "two-sum", &reference("two-sum")),
            ("alice", "merge-sort", &reference("merge-sort")),
            ("bob", "two-sum", "while True: pass\n"),
            ("bob", "merge-sort", "import os\nos._exit(3)\n"),
            ("carol", "two-sum", "x = bytearray(10**9)\n"),
            (
                "=cmd|' -C calc'!A0",
                "two-sum",
                "def two_sum(a, t):\n    return [0, 1]\n",
            ),
        ],
    );
    std::fs::write(hw.join("alice/notes.txt"), "not code").unwrap();
    let run = expect(
        1,
        &[
            "grade",
            hw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(run.stdout.contains("alice"), "{}", run.stdout);
    for report in ["results.json", "results.csv", "junit.xml", "report.html"] {
        assert!(out.join(report).is_file(), "{report} missing");
    }
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let candidates = results["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 4);
    let alice = &candidates.iter().find(|c| c["name"] == "alice").unwrap();
    assert_eq!(alice["results"]["two-sum"]["result"]["verdict"], "AC");
    assert_eq!(alice["problems"][0]["file"], "alice/notes.txt");
    assert_eq!(alice["problems"][0]["reason"], "not a .py file");
    let bob = &candidates.iter().find(|c| c["name"] == "bob").unwrap();
    assert_eq!(bob["results"]["two-sum"]["result"]["verdict"], "TLE");
    assert_eq!(bob["results"]["merge-sort"]["result"]["verdict"], "RE");
    let carol = &candidates.iter().find(|c| c["name"] == "carol").unwrap();
    assert_eq!(carol["results"]["two-sum"]["result"]["verdict"], "MLE");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(
        csv.starts_with("candidate,merge-sort,merge-sort points,merge-sort efficiency,two-sum,two-sum points,two-sum efficiency,points,max_points,percent,not_graded\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\n'=cmd|' -C calc'!A0,"),
        "formula not defused:\n{csv}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        // The page's one script is its own; nothing a candidate named runs.
        html.contains("alice") && html.matches("<script").count() == 1,
        "{html}"
    );
}

/// A catalog with one exercise, two-sum, whose every test allows `fuel`, so
/// that a deliberately slow solution stays within its budget.
fn slow_catalog(root: &Path, fuel: u64) -> std::path::PathBuf {
    let catalog = root.join("catalog");
    crate::catalog::copy_dir(
        &crate::support::catalog().join("two-sum"),
        &catalog.join("two-sum"),
    );
    let manifest = catalog.join("two-sum/exercise.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}\n[limits]\nfuel = {fuel}\n")).unwrap();
    catalog
}

#[test]
fn a_killed_batch_resumes_without_losing_or_repeating_results() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    let out = dir.path().join("out");
    let catalog = slow_catalog(dir.path(), 20_000_000_000);
    // Slow but correct: each test computes for a while (sleeps would be
    // virtual and take no time), so the batch takes long enough to kill.
    let slow = format!("for _ in range(2_000_000): pass\n{}", reference("two-sum"));
    let names: Vec<String> = (0..6).map(|i| format!("cand{i}")).collect();
    let entries: Vec<(&str, &str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "two-sum", slow.as_str()))
        .collect();
    homework(&hw, &entries);
    let args = [
        "--jobs",
        "2",
        "--catalog",
        catalog.to_str().unwrap(),
        "grade",
        hw.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let mut child = gavel()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let results = out.join("results");
    let count = || {
        std::fs::read_dir(&results)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().join("two-sum.json").exists())
                    .count()
            })
            .unwrap_or(0)
    };
    let started = Instant::now();
    while count() < 2 && started.elapsed() < Duration::from_secs(180) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = count();
    assert!(
        (2..6).contains(&before),
        "killed after {before} results: kill it earlier"
    );
    let kept: Vec<(String, Vec<u8>)> = names
        .iter()
        .filter_map(|n| {
            std::fs::read(results.join(n).join("two-sum.json"))
                .ok()
                .map(|b| (n.clone(), b))
        })
        .collect();
    for (_, bytes) in &kept {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .expect("a stored result is never partial");
    }

    let run = finish(&args, gavel().args(args).output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "{before} result(s) already in the report folder, {} to grade",
            6 - before
        )),
        "{}",
        run.stderr
    );
    for (name, bytes) in &kept {
        assert_eq!(
            &std::fs::read(results.join(name).join("two-sum.json")).unwrap(),
            bytes,
            "{name} was graded again"
        );
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let candidates = report["candidates"].as_array().unwrap();
    let mut seen: Vec<&str> = candidates
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    seen.sort();
    assert_eq!(seen, names.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        candidates
            .iter()
            .all(|c| c["results"].as_object().unwrap().len() == 1)
    );
    assert!(
        candidates
            .iter()
            .all(|c| c["results"]["two-sum"]["result"]["verdict"] == "AC")
    );
    // Nothing half-written is left behind by the kill.
    let mut leftovers = Vec::new();
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), found);
            } else if entry
                .file_name()
                .to_string_lossy()
                .starts_with(".gavel-tmp-")
            {
                found.push(entry.path().display().to_string());
            }
        }
    }
    walk(&out, &mut leftovers);
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
