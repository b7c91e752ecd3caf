//! The catalog as test data: `list`, `show`, `check`, `export`.

use crate::support::{catalog, expect};
use std::path::Path;

#[test]
fn list_json_has_every_exercise_with_the_documented_fields() {
    let items = expect(0, &["list", "--json"]).json();
    let items = items.as_array().unwrap();
    assert!(items.len() >= 20, "{}", items.len());
    for item in items {
        for field in [
            "id",
            "title",
            "kind",
            "difficulty",
            "tags",
            "public_tests",
            "hidden_tests",
        ] {
            assert!(item.get(field).is_some(), "{field} missing in {item}");
        }
        // A test-writing exercise's tests are its implementations: the
        // correct one and at least 4 public and 6 hidden chaffs (its
        // mutants are made when it is prepared).
        let (public, hidden) = if item["kind"] == "tests" {
            (5, 6)
        } else {
            (3, 10)
        };
        assert!(item["public_tests"].as_u64().unwrap() >= public, "{item}");
        assert!(item["hidden_tests"].as_u64().unwrap() >= hidden, "{item}");
    }
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"stdio") && kinds.contains(&"function"));
    assert_eq!(kinds.iter().filter(|k| **k == "tests").count(), 3);
}

#[test]
fn show_prints_statement_starter_and_public_examples_but_nothing_hidden() {
    let run = expect(0, &["show", "two-sum"]);
    assert!(run.stdout.contains("# Two sum"), "{}", run.stdout);
    assert!(run.stdout.contains("def two_sum"), "{}", run.stdout);
    assert!(
        run.stdout.contains("two_sum([2,7,11,15], 9) == [0,1]"),
        "{}",
        run.stdout
    );
    // `show` prints a call's arguments as `two_sum(ARG, ARG)`: look for each
    // test's arguments in exactly that form. The public examples are found
    // (so the search would find a hidden one), the hidden tests are not.
    let printed = |file: std::path::PathBuf| {
        let test: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let args: Vec<String> = test["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.to_string())
            .collect();
        format!("two_sum({})", args.join(", "))
    };
    for visibility in ["public", "hidden"] {
        let dir = catalog().join("two-sum/tests").join(visibility);
        for file in std::fs::read_dir(dir).unwrap() {
            let form = printed(file.unwrap().path());
            assert_eq!(
                run.stdout.contains(&form),
                visibility == "public",
                "{visibility} test `{form}` in:\n{}",
                run.stdout
            );
        }
    }
    let value = expect(0, &["show", "reverse-file-lines", "--json"]).json();
    assert_eq!(value["examples"].as_array().unwrap().len(), 3);
    assert!(value.get("hidden").is_none());
    let run = expect(2, &["show", "no-such-exercise"]);
    assert!(
        run.stderr.contains("no exercise `no-such-exercise`"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_whole_catalog_passes_check() {
    let value = expect(0, &["check", "--json"]).json();
    assert_eq!(value["ok"], true);
    let exercises = value["exercises"].as_array().unwrap();
    assert!(exercises.len() >= 20);
    let mut with_complexity = 0;
    for exercise in exercises {
        assert_eq!(exercise["reference"]["verdict"], "AC", "{}", exercise["id"]);
        let known_bad = exercise["known_bad"].as_array().unwrap();
        assert!(!known_bad.is_empty(), "{}", exercise["id"]);
        for bad in known_bad {
            assert_eq!(bad["expected"], bad["got"], "{bad}");
            assert!(bad["file"].as_str().unwrap().starts_with("submissions/"));
        }
        if exercise["complexity"].is_object() {
            with_complexity += 1;
            complexity_is_told_apart(exercise);
        }
    }
    assert!(
        with_complexity >= 8,
        "{with_complexity} exercises with [complexity]"
    );
}

/// The reference follows its declared class, and every known-bad solution
/// declared too slow measures worse (or at least worse, having hit its
/// limit) — but one, whose curve no single class fits.
fn complexity_is_told_apart(exercise: &serde_json::Value) {
    let id = exercise["id"].as_str().unwrap();
    assert_eq!(exercise["complexity"]["status"], "as_expected", "{id}");
    for bad in exercise["known_bad"].as_array().unwrap() {
        if bad["expected"] != "TLE" {
            continue;
        }
        let status = bad["complexity"]["status"].as_str().unwrap();
        let file = bad["file"].as_str().unwrap();
        // `out += c` after `c not in out`: a linear term as large as the
        // quadratic one up to n = 4,096, so a + b·f(n) fits no class well;
        // it reads "inconclusive" beside 43× the reference's fuel.
        if (id, file)
            == (
                "remove-recurring-characters",
                "submissions/time_limit/search_result.py",
            )
        {
            assert_eq!(status, "inconclusive", "{bad}");
            continue;
        }
        assert!(matches!(status, "worse" | "at_least"), "{id}: {bad}");
    }
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn check_fails_a_known_bad_solution_with_the_wrong_declared_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let exercise = dir.path().join("two-sum");
    copy_dir(&catalog().join("two-sum"), &exercise);
    // The all-pairs solution is too slow, not wrong: declaring it WA must fail.
    std::fs::create_dir_all(exercise.join("submissions/wrong_answer")).unwrap();
    std::fs::rename(
        exercise.join("submissions/time_limit/all_pairs.py"),
        exercise.join("submissions/wrong_answer/all_pairs.py"),
    )
    .unwrap();
    let junit = dir.path().join("check.xml");
    let path = exercise.display().to_string();
    let value = expect(
        1,
        &["check", &path, "--json", "--junit", junit.to_str().unwrap()],
    )
    .json();
    let bad = &value["exercises"][0]["known_bad"];
    let entry = bad
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["file"] == "submissions/wrong_answer/all_pairs.py")
        .unwrap();
    assert_eq!(
        (entry["expected"].as_str(), entry["got"].as_str()),
        (Some("WA"), Some("TLE"))
    );
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(xml.contains("failures=\"1\""), "{xml}");
}

#[test]
fn check_reports_a_drifted_generated_test() {
    let dir = tempfile::tempdir().unwrap();
    let exercise = dir.path().join("merge-sort");
    copy_dir(&catalog().join("merge-sort"), &exercise);
    let generator = exercise.join("generator.py");
    let text = std::fs::read_to_string(&generator).unwrap();
    std::fs::write(
        &generator,
        text.replace(
            "rng.randint(-10**9, 10**9)",
            "rng.randint(-10**9, 10**9) // 2",
        ),
    )
    .unwrap();
    let run = expect(1, &["check", exercise.to_str().unwrap()]);
    assert!(run.stdout.contains("drifted"), "{}", run.stdout);
}

#[test]
fn check_bless_makes_the_references_answers_the_expected_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (fibonacci, two_sum) = (
        dir.path().join("fibonacci-series"),
        dir.path().join("two-sum"),
    );
    copy_dir(&catalog().join("fibonacci-series"), &fibonacci);
    copy_dir(&catalog().join("two-sum"), &two_sum);
    let out = fibonacci.join("tests/public/01-five.out");
    let json = two_sum.join("tests/public/01-example.json");
    let manifest = fibonacci.join("exercise.toml");
    let originals: Vec<String> = [&out, &json, &manifest]
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    // Wrong expectations: the reference now disagrees with each.
    std::fs::write(&out, originals[0].replace("3\n", "4\n")).unwrap();
    std::fs::write(&json, originals[1].replace("[0, 1]", "[1, 0]")).unwrap();
    let recorded = originals[2]
        .lines()
        .find(|l| l.starts_with("sha256 = "))
        .unwrap()
        .to_owned();
    std::fs::write(
        &manifest,
        originals[2].replace(&recorded, "sha256 = \"0000\""),
    )
    .unwrap();
    let (fibonacci, two_sum) = (fibonacci.to_str().unwrap(), two_sum.to_str().unwrap());
    expect(1, &["check", fibonacci, two_sum]);

    let value = expect(0, &["check", "--bless", "--json", fibonacci, two_sum]).json();
    assert_eq!(value["check"]["ok"], true);
    let changes: Vec<(String, String, String, String)> = value["blessed"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| {
            b["changes"].as_array().unwrap().iter().map(|c| {
                let text = |k: &str| c[k].as_str().unwrap_or("").to_owned();
                (text("test"), text("kind"), text("file"), text("old"))
            })
        })
        .collect();
    let line = |test: &str, kind: &str, file: &str, old: &str| {
        (
            test.to_owned(),
            kind.to_owned(),
            file.to_owned(),
            old.to_owned(),
        )
    };
    assert_eq!(
        changes,
        [
            line(
                "01-five",
                "expected",
                "tests/public/01-five.out",
                "0\n1\n1\n2\n4\n"
            ),
            line("90-large", "sha256", "exercise.toml", "0000"),
            line(
                "01-example",
                "expected",
                "tests/public/01-example.json",
                "[1, 0]\n"
            ),
        ]
    );
    // What was written is what the catalog had, byte for byte: the test
    // file's style and the manifest's comments and layout are kept.
    for (path, original) in [&out, &json, &manifest].iter().zip(&originals) {
        assert_eq!(
            &std::fs::read_to_string(path).unwrap(),
            original,
            "{}",
            path.display()
        );
    }
    // Nothing left to bless.
    let run = expect(0, &["check", "--bless", fibonacci, two_sum]);
    assert!(run.stderr.contains("0 changes blessed"), "{}", run.stderr);

    // A crash is not an expectation.
    let reference = dir.path().join("two-sum/solution.py");
    std::fs::write(
        &reference,
        "def two_sum(nums, target):\n    raise ValueError\n",
    )
    .unwrap();
    let value = expect(1, &["check", "--bless", "--json", two_sum]).json();
    let errors = value["blessed"][0]["errors"].to_string();
    assert!(
        errors.contains("the reference solution fails on test"),
        "{errors}"
    );

    // The built-in catalog is part of gavel, not the author's to rewrite.
    let elsewhere = tempfile::tempdir().unwrap();
    let output = crate::support::gavel()
        .current_dir(elsewhere.path())
        .args(["check", "--bless", "two-sum"])
        .output()
        .unwrap();
    let run = crate::support::finish(&["check", "--bless", "two-sum"], output);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("built-in catalog"), "{}", run.stderr);
}

#[test]
fn a_broken_exercise_is_reported_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let exercise = dir.path().join("two-sum");
    copy_dir(&catalog().join("two-sum"), &exercise);
    std::fs::remove_file(exercise.join("statement.md")).unwrap();
    let run = expect(2, &["--catalog", dir.path().to_str().unwrap(), "list"]);
    assert!(
        run.stderr.contains("two-sum/statement.md"),
        "{}",
        run.stderr
    );
    let run = expect(1, &["check", exercise.to_str().unwrap()]);
    assert!(run.stdout.contains("statement.md"), "{}", run.stdout);
}

#[test]
fn an_exported_pack_has_no_hidden_tests_or_references_and_still_judges() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    expect(0, &["export", "--public", pack.to_str().unwrap()]);
    let mut files = Vec::new();
    fn walk(dir: &Path, files: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path.display().to_string());
            }
        }
    }
    walk(&pack, &mut files);
    for file in &files {
        for secret in ["/hidden/", "solution.py", "submissions", "generator.py"] {
            assert!(!file.contains(secret), "{file} leaked into the pack");
        }
    }
    let pack_arg = pack.to_str().unwrap();
    let items = expect(0, &["--catalog", pack_arg, "list", "--json"]).json();
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["hidden_tests"] == 0)
    );
    let solution = catalog().join("two-sum/solution.py");
    let result = expect(
        0,
        &[
            "--catalog",
            pack_arg,
            "test",
            "two-sum",
            solution.to_str().unwrap(),
            "--json",
        ],
    )
    .json();
    assert_eq!(result["verdict"], "AC");
    // `submit` says what its verdict does not cover.
    let submitted = expect(
        0,
        &[
            "--catalog",
            pack_arg,
            "submit",
            "two-sum",
            solution.to_str().unwrap(),
        ],
    );
    assert!(
        submitted
            .stderr
            .contains("also judged on hidden tests, by the hiring team"),
        "{}",
        submitted.stderr
    );
    let shown = expect(0, &["--catalog", pack_arg, "show", "two-sum"]);
    assert!(
        shown
            .stdout
            .contains("hidden tests kept by the hiring team"),
        "{}",
        shown.stdout
    );
}
