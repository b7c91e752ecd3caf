//! The candidate's workflow: `test` and `submit`.

use crate::support::{catalog, expect, file};

fn path(relative: &str) -> String {
    catalog().join(relative).display().to_string()
}

#[test]
fn test_runs_only_public_tests_and_accepts_the_reference() {
    let value = expect(
        0,
        &[
            "test",
            "merge-sort",
            &path("merge-sort/solution.py"),
            "--json",
        ],
    )
    .json();
    assert_eq!(value["verdict"], "AC");
    let tests = value["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3);
    assert!(tests.iter().all(|t| t["visibility"] == "public"));
    assert_eq!(value["source_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(value["image_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_wrong_answer_shows_a_testlib_message_and_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = file(
        dir.path(),
        "fib.py",
        "n = int(input())\nprint('\\n'.join(str(i) for i in range(n)))\n",
    );
    let run = expect(1, &["test", "fibonacci-series", &wrong]);
    assert!(
        run.stdout
            .contains("line 3, token 1: expected `1`, found `2`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("- 1") && run.stdout.contains("+ 4"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("verdict: WA"), "{}", run.stdout);
}

#[test]
fn submit_hides_hidden_tests_but_shows_their_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let leaky = file(
        dir.path(),
        "leak.py",
        "def two_sum(nums, target):\n    print('INPUT', nums, target)\n    raise ValueError(f'saw {nums}')\n",
    );
    let value = expect(1, &["submit", "two-sum", &leaky, "--json"]).json();
    assert_eq!(value["verdict"], "RE");
    for test in value["tests"].as_array().unwrap() {
        if test["visibility"] == "hidden" {
            // Only its name, verdict and points: nothing the submission controls.
            let keys: Vec<&String> = test.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                ["name", "visibility", "verdict", "points", "max_points"],
                "{test}"
            );
            assert_eq!(test["verdict"], "RE");
        } else {
            assert!(
                test["stdout"].as_str().unwrap().starts_with("INPUT"),
                "{test}"
            );
        }
    }
}

#[test]
fn a_compile_error_is_reported_once_and_no_test_runs() {
    let dir = tempfile::tempdir().unwrap();
    let broken = file(
        dir.path(),
        "broken.py",
        "def two_sum(nums, target)\n    return []\n",
    );
    let value = expect(1, &["submit", "two-sum", &broken, "--json"]).json();
    assert_eq!(value["verdict"], "CE");
    assert_eq!(value["compile_error"]["kind"], "SyntaxError");
    assert!(
        value["tests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["verdict"] == "CE" && t.get("fuel").is_none()),
        "no test ran: {value}"
    );
    // On a terminal the compile error is shown once, not once per test.
    let run = expect(1, &["submit", "two-sum", &broken]);
    let ce_lines = run.stdout.lines().filter(|l| l.starts_with("  CE")).count();
    assert_eq!(ce_lines, 1, "{}", run.stdout);
    assert!(!run.stdout.contains("01-example"), "{}", run.stdout);
}

#[test]
fn stop_on_first_failure_skips_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = file(
        dir.path(),
        "wrong.py",
        "def two_sum(nums, target):\n    return [0, 0]\n",
    );
    let value = expect(
        1,
        &[
            "submit",
            "two-sum",
            &wrong,
            "--json",
            "--stop-on-first-failure",
        ],
    )
    .json();
    let verdicts: Vec<&str> = value["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts[0], "WA");
    assert!(verdicts[1..].iter().all(|v| *v == "SK"), "{verdicts:?}");
    assert_eq!(value["verdict"], "WA");
}

#[test]
fn function_exercises_with_linked_lists_and_trees_judge_idiomatic_code() {
    let value = expect(
        0,
        &[
            "submit",
            "merge-sorted-lists",
            &path("merge-sorted-lists/solution.py"),
            "--json",
        ],
    )
    .json();
    assert_eq!(value["verdict"], "AC");
    let value = expect(
        1,
        &[
            "submit",
            "merge-sorted-lists",
            &path("merge-sorted-lists/submissions/runtime_error/recursive.py"),
            "--json",
        ],
    )
    .json();
    assert_eq!(value["verdict"], "RE");
    let value = expect(
        0,
        &[
            "test",
            "bst-height",
            &path("bst-height/solution.py"),
            "--json",
        ],
    )
    .json();
    assert_eq!(value["verdict"], "AC");
}
