//! Beyond one machine (issue 21): a batch graded as shards in separate
//! processes and merged gives the reports one `grade` gives; a merge refuses
//! shards that are not one batch graded alike, and writes nothing then.

use crate::support::{expect, file, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A homework folder of seven candidates, right and wrong, two exercises.
fn homework(root: &Path) -> PathBuf {
    let dir = root.join("homework");
    let catalog = crate::support::catalog();
    let right = std::fs::read_to_string(catalog.join("two-sum/solution.py")).unwrap();
    let palindrome = std::fs::read_to_string(catalog.join("palindrome-check/solution.py")).unwrap();
    for (i, name) in ["ada", "bob", "cyd", "dee", "eve", "fay", "gus"]
        .iter()
        .enumerate()
    {
        let two_sum = if i % 3 == 1 {
            "def two_sum(nums, target):\n    return [0, 1]\n".to_owned()
        } else {
            format!("# {name}\n{right}")
        };
        file(&dir, &format!("{name}/two-sum.py"), &two_sum);
        if i % 2 == 0 {
            file(&dir, &format!("{name}/palindrome-check.py"), &palindrome);
        }
    }
    file(&dir, "notes.txt", "not a candidate\n");
    dir
}

/// Grades shard `k` of `n` of `homework` into `out` (a process of its own).
fn grade_shard(homework: &Path, out: &Path, k: u32, n: u32, extra: &[&str]) -> Value {
    let mut args = vec![
        "grade",
        homework.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ];
    let shard = format!("{k}/{n}");
    args.extend(["--shard", &shard]);
    args.extend(extra);
    let result = run(&args);
    assert!(result.code == 0 || result.code == 1, "{}", result.stderr);
    serde_json::from_str(&std::fs::read_to_string(out.join("shard.json")).unwrap()).unwrap()
}

/// Report text with what differs between any two runs left out: when it was
/// written and how long runs took.
fn comparable(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    // Timestamps (RFC 3339) and durations (`"wall_ms": 1.8`, `time="0.006"`).
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+')))
            .unwrap_or(tail.len());
        let token = &tail[..len];
        let before = out.trim_end_matches([' ', '"', '=']).to_owned();
        // report.html's "wall ms" cell follows the fuel cell (`… / 100.0M`).
        let wall_cell = before
            .strip_suffix("</td><td>")
            .is_some_and(|cell| cell.ends_with(['k', 'M', 'G']));
        let timing = before.ends_with("wall_ms\":")
            || before.ends_with("time")
            || before.ends_with("timestamp")
            || wall_cell
            || (token.len() >= 20 && token.contains('T') && token.starts_with("20"));
        out.push_str(if timing { "<t>" } else { token });
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

fn reports(dir: &Path) -> Vec<(String, String)> {
    let mut files = vec![
        "results.json".to_owned(),
        "results.csv".to_owned(),
        "junit.xml".to_owned(),
        "report.html".to_owned(),
    ];
    let mut feedback: Vec<String> = std::fs::read_dir(dir.join("feedback"))
        .unwrap()
        .map(|e| format!("feedback/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    feedback.sort();
    files.extend(feedback);
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(&f)).unwrap();
            let text = text.replace(dir.to_str().unwrap(), "<out>");
            (f, comparable(&text))
        })
        .collect()
}

#[test]
fn three_shards_merged_in_any_order_give_the_reports_of_one_grade() {
    let dir = tempfile::tempdir().unwrap();
    let homework = homework(dir.path());
    let whole = dir.path().join("whole");
    let graded = run(&[
        "grade",
        homework.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ]);
    assert_eq!(graded.code, 1, "{}", graded.stderr);
    let shards: Vec<PathBuf> = (1..=3)
        .map(|k| dir.path().join(format!("shard-{k}")))
        .collect();
    let mut covered = Vec::new();
    for (k, out) in (1..=3).zip(&shards) {
        let record = grade_shard(&homework, out, k, 3, &[]);
        assert_eq!(record["shard"], serde_json::json!({"k": k, "n": 3}));
        assert_eq!(record["homework_candidates"], 7);
        for c in record["candidates"].as_array().unwrap() {
            covered.push(c["summary"]["candidate"].as_str().unwrap().to_owned());
        }
    }
    covered.sort();
    assert_eq!(covered, ["ada", "bob", "cyd", "dee", "eve", "fay", "gus"]);
    // Run again, a shard resumes: everything is reused.
    let again = run(&[
        "grade",
        homework.to_str().unwrap(),
        "--out",
        shards[1].to_str().unwrap(),
        "--shard",
        "2/3",
    ]);
    assert!(
        again
            .stderr
            .contains("already in the report folder, 0 to grade"),
        "{}",
        again.stderr
    );
    let merged = dir.path().join("merged");
    let summary = run(&[
        "merge",
        shards[2].to_str().unwrap(),
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(summary.code, 1, "{}", summary.stderr);
    let (expected, actual) = (reports(&whole), reports(&merged));
    assert_eq!(
        expected.iter().map(|(f, _)| f).collect::<Vec<_>>(),
        actual.iter().map(|(f, _)| f).collect::<Vec<_>>()
    );
    for ((name, want), (_, got)) in expected.iter().zip(&actual) {
        assert!(
            want == got,
            "{name} differs:\n--- one grade\n{want}\n--- merged\n{got}"
        );
    }
    let json = summary.json();
    assert_eq!(json["candidates"].as_array().unwrap().len(), 7);
    assert_eq!(json["problems"].as_array().unwrap().len(), 1, "{json}");
}

/// Rewrites a shard's record with `edit`.
fn tamper(shard: &Path, edit: impl FnOnce(&mut Value)) {
    let path = shard.join("shard.json");
    let mut record: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut record);
    std::fs::write(&path, serde_json::to_string(&record).unwrap()).unwrap();
}

#[track_caller]
fn refused(shards: &[&Path], out: &Path, words: &str) {
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|s| s.to_str().unwrap()));
    args.extend(["--out", out.to_str().unwrap()]);
    let result = expect(2, &args);
    assert!(
        result.stderr.contains(words),
        "`{words}` not in:\n{}",
        result.stderr
    );
    assert!(
        !out.join("results.json").exists(),
        "a partial report was written"
    );
}

#[test]
fn a_merge_refuses_shards_that_are_not_one_batch_graded_alike() {
    let dir = tempfile::tempdir().unwrap();
    let homework = homework(dir.path());
    let shard = |name: &str, k: u32, n: u32, extra: &[&str]| {
        let out = dir.path().join(name);
        grade_shard(&homework, &out, k, n, extra);
        out
    };
    let (s1, s2) = (shard("s1", 1, 2, &[]), shard("s2", 2, 2, &[]));
    let out = dir.path().join("merged");
    refused(&[&s1], &out, "shard(s) 2 of 2 are missing");
    refused(&[&s1, &s2, &s1], &out, "shard 1/2 is given twice");
    let third = shard("third", 1, 3, &[]);
    refused(&[&third, &s2], &out, "split the batch differently");
    // Another assignment: graded for real with more exercises.
    let other = shard(
        "other",
        2,
        2,
        &["--exercises", "two-sum,palindrome-check,binary-search"],
    );
    refused(&[&s1, &other], &out, "different assignments");
    // Another catalog: the same exercises with one changed.
    let catalog = dir.path().join("catalog");
    crate::catalog::copy_dir(&crate::support::catalog(), &catalog);
    file(&catalog, "two-sum/statement.md", "# Two sum, reworded\n");
    let changed = dir.path().join("changed");
    let mut args = vec!["--catalog", catalog.to_str().unwrap()];
    args.extend([
        "grade",
        homework.to_str().unwrap(),
        "--out",
        changed.to_str().unwrap(),
        "--shard",
        "2/2",
    ]);
    let graded = run(&args);
    assert!(graded.code <= 1, "{}", graded.stderr);
    refused(&[&s1, &changed], &out, "different catalogs");
    // Another runner image or judging rules (recorded by another machine).
    let copy = |name: &str| {
        let to = dir.path().join(name);
        crate::catalog::copy_dir(&s2, &to);
        to
    };
    let image = copy("image");
    tamper(&image, |r| r["image_sha256"] = Value::from("ff".repeat(32)));
    refused(&[&s1, &image], &out, "different runner images");
    let rules = copy("rules");
    tamper(&rules, |r| r["judging_rules"] = Value::from(1));
    refused(&[&s1, &rules], &out, "different judging rules");
    // A candidate in two shards.
    let overlap = copy("overlap");
    let first: Value =
        serde_json::from_str(&std::fs::read_to_string(s1.join("shard.json")).unwrap()).unwrap();
    let stolen = first["candidates"][0].clone();
    let name = stolen["summary"]["candidate"].as_str().unwrap().to_owned();
    tamper(&overlap, |r| {
        r["candidates"].as_array_mut().unwrap().push(stolen)
    });
    refused(
        &[&s1, &overlap],
        &out,
        &format!("candidate `{name}` is in shards 1/2 and 2/2"),
    );
    // A candidate moved to the other shard, or left out.
    let moved = copy("moved");
    let mut taken = None;
    tamper(&moved, |r| {
        taken = r["candidates"].as_array_mut().unwrap().pop()
    });
    let taken = taken.expect("shard 2 has a candidate");
    let moved_name = taken["summary"]["candidate"].as_str().unwrap().to_owned();
    let s1_moved = dir.path().join("s1-moved");
    crate::catalog::copy_dir(&s1, &s1_moved);
    tamper(&s1_moved, |r| {
        r["candidates"].as_array_mut().unwrap().push(taken)
    });
    refused(
        &[&s1_moved, &moved],
        &out,
        &format!("candidate `{moved_name}` is in shard 1/2, but their name puts them in shard 2/2"),
    );
    refused(
        &[&s1, &moved],
        &out,
        "the shards cover 6 candidate(s), but the homework folder they were graded from holds 7",
    );
    // Not a shard at all.
    refused(
        &[&s1, &dir.path().join("homework")],
        &out,
        "is not a shard of a graded batch",
    );
    // And with the right shards, it merges.
    let merged = run(&[
        "merge",
        s2.to_str().unwrap(),
        s1.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(merged.code, 1, "{}", merged.stderr);
    assert!(out.join("results.json").is_file());
}

/// The image moves to another machine checked by its hash: a file whose hash
/// is not the one given is refused before anything is installed; the right
/// one is installed and judges as the original does.
#[test]
fn an_image_is_imported_only_with_the_hash_it_was_exported_with() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runner.wasm");
    let exported = expect(0, &["image", "export", file.to_str().unwrap(), "--json"]).json();
    let sha256 = exported["sha256"].as_str().unwrap().to_owned();
    // Another machine: a cache of its own, seeded with this machine's
    // compiled code only so that the test does not compile CPython again
    // (the record beside it is checked against the image as ever).
    let other = dir.path().join("other-cache");
    let compiled = Path::new(exported["path"].as_str().unwrap())
        .ancestors()
        .nth(3)
        .unwrap()
        .join("compiled");
    crate::catalog::copy_dir(&compiled, &other.join("compiled"));
    let import = |hash: &str| {
        let output = crate::support::gavel()
            .env("GAVEL_CACHE_DIR", &other)
            .args(["image", "import", file.to_str().unwrap(), "--sha256", hash])
            .output()
            .unwrap();
        crate::support::finish(&["image", "import"], output)
    };
    let wrong = import(&"ab".repeat(32));
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains(&format!("has sha256 {sha256}"))
            && wrong.stderr.contains("nothing was imported"),
        "{}",
        wrong.stderr
    );
    assert!(!other.join("images").exists(), "something was installed");
    let right = import(&sha256.to_uppercase());
    assert_eq!(right.code, 0, "{}", right.stderr);
    let output = crate::support::gavel()
        .env("GAVEL_CACHE_DIR", &other)
        .args(["image", "path", "--json"])
        .output()
        .unwrap();
    let installed = crate::support::finish(&["image", "path"], output).json();
    assert_eq!(installed["sha256"], sha256.as_str());
    assert_eq!(installed["origin"]["kind"], "imported", "{installed}");
}
