//! `gavel import kattis`: small packages written from the public format
//! specification (tests/kattis/), imported and then judged by `gavel check`,
//! which runs each package's reference and known-bad solutions.

use crate::support::expect;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn package(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/kattis")
        .join(name)
        .display()
        .to_string()
}

/// Imports the package `name` into a fresh catalog; returns the import's JSON
/// and the catalog.
fn import(name: &str) -> (Value, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    let imported = expect(
        0,
        &[
            "import",
            "kattis",
            &package(name),
            out.to_str().unwrap(),
            "--json",
        ],
    )
    .json();
    (imported, dir, out)
}

fn notes(imported: &Value) -> Vec<String> {
    imported["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n["path"].as_str().unwrap(),
                n["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[track_caller]
fn noted(imported: &Value, path: &str, words: &str) {
    let notes = notes(imported);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with(&format!("{path}: ")) && n.contains(words)),
        "no note on `{path}` saying `{words}` in {notes:#?}"
    );
}

#[test]
fn a_package_with_the_default_validator_imports_and_its_submissions_keep_their_verdicts() {
    let (imported, _dir, out) = import("average");
    assert_eq!(
        (
            &imported["public_tests"],
            &imported["hidden_tests"],
            &imported["reference_from"],
            &imported["known_bad"]
        ),
        (
            &Value::from(1),
            &Value::from(3),
            &Value::from("submissions/accepted/average.py"),
            &Value::from(3)
        )
    );
    // float_tolerance: both tolerances, every number, and words ignore case
    // (no case_sensitive flag).
    assert_eq!(
        imported["comparison"],
        serde_json::json!({"mode": "float", "abs": 1e-6, "rel": 1e-6, "integers": true, "ignore_case": true, "blank_lines": "ignore"})
    );
    for (path, words) in [
        (
            "submissions/accepted/average.cpp",
            "a C++ program: not converted",
        ),
        ("problem_statement/illustration.png", "not copied"),
        ("problem_statement/problem.en.tex", "LaTeX"),
        ("data/secret", "1 `.desc` files"),
        ("input_validators", "gavel does not validate test inputs"),
        ("data/secret/1", "named `secret-1`"),
    ] {
        noted(&imported, path, words);
    }
    let manifest = std::fs::read_to_string(out.join("exercise.toml")).unwrap();
    assert!(
        manifest.contains("fuel_margin = 4.0") && manifest.contains("memory = 512"),
        "{manifest}"
    );
    let statement = std::fs::read_to_string(out.join("statement.md")).unwrap();
    assert!(
        statement.starts_with("# Average\n") && statement.contains("- license: cc by-sa"),
        "{statement}"
    );
    // WA (floor division), TLE (fuel) and RE (one number) as declared.
    let report = expect(0, &["check", out.to_str().unwrap(), "--json"]).json();
    assert_eq!(report["ok"], true, "{report:#}");
}

#[test]
fn a_python_output_validator_becomes_a_checker_that_runs_it_unchanged() {
    let (imported, dir, out) = import("divisor");
    assert_eq!(imported["checker_from"], "output_validators/divides.py");
    // Both accepted solutions print different divisors; the known-bad one
    // prints n itself.
    expect(0, &["check", out.to_str().unwrap()]);
    let itself = package("divisor") + "/submissions/wrong_answer/itself.py";
    let catalog = dir.path().to_str().unwrap();
    let result = expect(
        1,
        &["--catalog", catalog, "test", "divisor", &itself, "--json"],
    )
    .json();
    let test = &result["tests"][0];
    // The validator's judgemessage.txt is the message.
    assert_eq!(
        (&test["verdict"], &test["message"]),
        (
            &Value::from("WA"),
            &Value::from("12 is not a proper divisor of 12")
        )
    );
}

#[test]
fn an_interactive_validator_becomes_an_interactor_with_the_answer_files() {
    let (imported, dir, out) = import("guess");
    assert_eq!(imported["interactor_from"], "output_validators/interactor");
    noted(&imported, "data/sample", "`.interaction` files");
    expect(0, &["check", out.to_str().unwrap()]);
    let linear = package("guess") + "/submissions/wrong_answer/one_by_one.py";
    let catalog = dir.path().to_str().unwrap();
    let result = expect(
        1,
        &["--catalog", catalog, "submit", "guess", &linear, "--json"],
    )
    .json();
    assert_eq!(result["verdict"], "WA", "{result:#}");
    // The sample's secret is 7: found on the seventh guess.
    let sample = &result["tests"][0];
    assert_eq!(
        (&sample["verdict"], &sample["message"]),
        (&Value::from("AC"), &Value::from("found with 7 guesses"))
    );
}

#[test]
fn scoring_groups_become_groups_worth_their_points_that_stop_at_a_failure() {
    let (imported, dir, out) = import("zeropairs");
    assert_eq!(imported["groups"], serde_json::json!(["group1", "group2"]));
    expect(0, &["check", out.to_str().unwrap()]);
    let every_pair = package("zeropairs") + "/submissions/time_limit_exceeded/every_pair.py";
    let catalog = dir.path().to_str().unwrap();
    let result = expect(
        1,
        &[
            "--catalog",
            catalog,
            "submit",
            "zeropairs",
            &every_pair,
            "--json",
        ],
    )
    .json();
    let verdicts: Vec<(&str, &str)> = result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("1", "AC"),
            ("group1-1-tiny", "AC"),
            ("group1-2-small", "AC"),
            ("group2-1-large", "TLE"),
            ("group2-2-large-zeros", "SK"),
        ]
    );
    // The sample is worth nothing (ignore_sample), group 1 its 30 points.
    assert_eq!(
        (&result["points"], &result["max_points"]),
        (&Value::from(30), &Value::from(100))
    );
}

#[test]
fn a_package_gavel_cannot_judge_the_same_way_is_refused_with_every_reason_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("native");
    let run = expect(
        2,
        &[
            "import",
            "kattis",
            &package("native"),
            out.to_str().unwrap(),
        ],
    );
    for reason in [
        "problem.yaml: languages `cpp java` excludes Python",
        "data/secret/g1/testdata.yaml: a custom grader cannot run in gavel",
        "submissions/accepted: no accepted Python submission and no limits.time_limit",
    ] {
        assert!(
            run.stderr.contains(reason),
            "`{reason}` missing:\n{}",
            run.stderr
        );
    }
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no staging left"
    );

    // Nor over an existing directory.
    let run = expect(
        2,
        &[
            "import",
            "kattis",
            &package("average"),
            dir.path().to_str().unwrap(),
        ],
    );
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
}

#[test]
fn a_2023_07_package_without_a_validation_key_or_validator_uses_default_validation() {
    // Issue 19: the format has no `validation` key; without an output
    // validator a package gets default validation (it was refused).
    let (imported, _dir, out) = import("hello");
    assert_eq!(imported["checker_from"], Value::Null);
    assert_eq!(imported["reference_from"], "submissions/accepted/hello.py");
    let check = expect(0, &["check", out.to_str().unwrap(), "--json"]).json();
    assert_eq!(check["ok"], true, "{check:#}");
}

#[test]
fn a_cpp_interactive_validator_one_directory_down_becomes_a_native_interactor() {
    // problemtools' `guess`, rebuilt in this project's words: a C++
    // interactive validator in `output_validator/guess_validator/` (issue 19
    // found it called "an empty directory"), accepted solutions in C++ only.
    let (imported, dir, out) = import("guessmodern");
    assert_eq!(imported["interactor_from"], "output_validator");
    assert!(out.join("interactor.cpp").is_file());
    noted(
        &imported,
        "output_validator",
        "compiled to WebAssembly as interactor.cpp",
    );
    // No Python reference: the package's 2 s at the documented rate.
    noted(
        &imported,
        "submissions/accepted",
        "fixed budget of 30.0G fuel",
    );
    noted(&imported, "submissions/accepted/guess.cpp", "a C++ program");
    let manifest = std::fs::read_to_string(out.join("exercise.toml")).unwrap();
    assert!(manifest.contains("fuel = 30000000000"), "{manifest}");
    assert!(manifest.contains("convention = \"kattis\""), "{manifest}");
    // Both known-bad solutions get their verdicts, judged by the validator.
    let checked = expect(0, &["check", out.to_str().unwrap(), "--json"]).json();
    let exercise = &checked["exercises"][0];
    assert_eq!(
        exercise["known_bad"].as_array().unwrap().len(),
        2,
        "{checked:#}"
    );
    let catalog = dir.path().to_str().unwrap();
    let bisect = tempfile::tempdir().unwrap();
    let bisect = crate::support::file(
        bisect.path(),
        "bisect.py",
        "low, high = 1, 1000\nwhile True:\n    guess = (low + high) // 2\n    print(guess, flush=True)\n    said = input()\n    if said == \"correct\":\n        break\n    if said == \"lower\":\n        high = guess - 1\n    else:\n        low = guess + 1\n",
    );
    let result = expect(
        0,
        &[
            "--catalog",
            catalog,
            "submit",
            "guessmodern",
            &bisect,
            "--json",
        ],
    )
    .json();
    // The validator's judgemessage.txt is the message; its module's hash is
    // recorded beside the image's.
    assert_eq!(
        result["tests"][0]["message"], "found in 9 guesses",
        "{result:#}"
    );
    assert_eq!(result["native_sha256"].as_str().unwrap().len(), 64);
    let linear = package("guessmodern") + "/submissions/wrong_answer/one_by_one.py";
    let result = expect(
        1,
        &[
            "--catalog",
            catalog,
            "test",
            "guessmodern",
            &linear,
            "--json",
        ],
    )
    .json();
    assert_eq!(
        (
            &result["tests"][0]["verdict"],
            &result["tests"][0]["message"]
        ),
        (&Value::from("WA"), &Value::from("not found in 10 guesses"))
    );
}

#[test]
fn a_cpp_output_validator_becomes_a_native_checker_with_the_packages_flags() {
    // problemtools' `different`, rebuilt in this project's words: a C++
    // output validator comparing big integers line by line.
    let (imported, dir, out) = import("different");
    assert_eq!(
        imported["checker_from"],
        "output_validators/different_validator"
    );
    assert!(out.join("checker.cpp").is_file());
    expect(0, &["check", out.to_str().unwrap()]);
    let signed = package("different") + "/submissions/wrong_answer/signed.py";
    let catalog = dir.path().to_str().unwrap();
    let result = expect(
        1,
        &["--catalog", catalog, "test", "different", &signed, "--json"],
    )
    .json();
    assert_eq!(
        (
            &result["tests"][0]["verdict"],
            &result["tests"][0]["message"]
        ),
        (
            &Value::from("WA"),
            &Value::from("line 1: expected 2, found -2")
        )
    );
}
