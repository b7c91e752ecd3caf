//! Checkers, interactors and group rules through the real `gavel`: the
//! catalog exercises that need them, and variants of them broken on purpose.

use crate::catalog::copy_dir;
use crate::support::{catalog, exercise, expect, file};
use serde_json::Value;

/// A catalog of one exercise: a copy of the catalog's exercise `id` with
/// `files` written over it.
fn variant(id: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&catalog().join(id), &dir.path().join(id));
    for (name, text) in files {
        file(&dir.path().join(id), name, text);
    }
    let path = dir.path().display().to_string();
    (dir, path)
}

/// `gavel test` of the catalog's own reference solution of `id`, against the
/// catalog at `path` (a variant), requiring exit code `code`: its JSON result.
#[track_caller]
fn test_reference(path: &str, id: &str, code: i32) -> Value {
    let solution = catalog().join(id).join("solution.py");
    expect(
        code,
        &[
            "--catalog",
            path,
            "test",
            id,
            solution.to_str().unwrap(),
            "--json",
        ],
    )
    .json()
}

#[track_caller]
fn test<'a>(result: &'a Value, name: &str) -> &'a Value {
    result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no test `{name}` in {result:#}"))
}

fn verdicts(result: &Value) -> Vec<(String, String)> {
    result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn message(test: &Value) -> &str {
    test["message"].as_str().unwrap_or_default()
}

#[test]
fn a_checker_accepts_any_valid_pair_and_says_why_a_wrong_one_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    // Scans from the right: on `[1, 5, 5, 1]` it finds [2, 3], not the
    // expected [0, 1]; a plain comparison would reject it.
    let from_the_right = file(
        dir.path(),
        "right.py",
        "def two_sum(nums, target):\n    seen = {}\n    for j in range(len(nums) - 1, -1, -1):\n        \
         if target - nums[j] in seen:\n            return [j, seen[target - nums[j]]]\n        \
         seen[nums[j]] = j\n",
    );
    let result = expect(
        0,
        &["submit", "two-sum-any-pair", &from_the_right, "--json"],
    )
    .json();
    assert_eq!(result["verdict"], "AC", "{result:#}");

    let first_two = catalog().join("two-sum-any-pair/submissions/wrong_answer/first_two.py");
    let result = expect(
        1,
        &[
            "test",
            "two-sum-any-pair",
            first_two.to_str().unwrap(),
            "--json",
        ],
    )
    .json();
    let wrong = test(&result, "02-two-pairs");
    assert_eq!(wrong["verdict"], "AC", "[0, 1] is a right pair: {wrong:#}");
    let wrong = test(&result, "03-negatives");
    assert_eq!(wrong["verdict"], "WA");
    assert!(message(wrong).contains("nums[0] + nums[1] is"), "{wrong:#}");
}

#[test]
fn a_checker_that_accepts_a_wrong_pair_is_caught_by_the_known_bad_solutions() {
    let (_dir, path) = variant(
        "two-sum-any-pair",
        &[(
            "checker.py",
            "from gavel_checker import accept\n\ndef check(args, expected, got):\n    accept()\n",
        )],
    );
    let run = expect(1, &["check", &format!("{path}/two-sum-any-pair"), "--json"]);
    let report = run.json();
    let text = report.to_string();
    assert!(text.contains("first_two.py"), "{report:#}");
    assert!(text.contains("same_index_twice.py"), "{report:#}");
}

#[test]
fn a_checker_sees_the_input_the_expected_answer_and_the_output_and_nothing_else() {
    // A stdio exercise: the three texts.
    let (_dir, path) = variant(
        "shortest-path-any",
        &[(
            "checker.py",
            "import os\nfrom gavel_checker import wrong\n\n\
             def listing(path):\n    try:\n        return sorted(os.listdir(path))\n    \
             except OSError as e:\n        return str(e)\n\n\
             def check(input, expected, output):\n    \
             wrong(repr((input, expected, output, listing('/'), listing('.'), dict(os.environ))))\n",
        )],
    );
    let result = test_reference(&path, "shortest-path-any", 1);
    // No file system (not even `/`) and no environment.
    assert_eq!(
        message(test(&result, "01-example")),
        r#"('4 4\n1 2\n2 4\n1 3\n3 4\n', '3\n1 2 4\n', '3\n1 2 4\n', "[Errno 44] No such file or directory: '/'", "[Errno 44] No such file or directory: '.'", {})"#
    );

    // A function exercise: the arguments, the expected value and the returned
    // value, as Python values.
    let (_dir, path) = variant(
        "two-sum-any-pair",
        &[(
            "checker.py",
            "from gavel_checker import wrong\n\n\
             def check(args, expected, got):\n    wrong(repr((args, expected, got)))\n",
        )],
    );
    let result = test_reference(&path, "two-sum-any-pair", 1);
    assert_eq!(
        message(test(&result, "02-two-pairs")),
        "([[1, 5, 5, 1], 6], [0, 1], [0, 1])"
    );
}

#[test]
fn a_checker_that_fails_is_the_judges_failure_and_names_the_checker() {
    let cases = [
        (
            "def check(args, expected, got):\n    return 1 / 0\n",
            "checker.py failed at line 2: ZeroDivisionError",
        ),
        (
            "def check(args, expected, got):\n    while True:\n        pass\n",
            "checker.py failed: time limit (fuel)",
        ),
        (
            "def check(args, expected, got):\n    return True\n",
            "returned without calling accept(), wrong() or partial()",
        ),
        (
            "def verify(args, expected, got):\n    pass\n",
            "does not define a function named 'check'",
        ),
    ];
    for (checker, said) in cases {
        let (_dir, path) = variant("two-sum-any-pair", &[("checker.py", checker)]);
        let result = test_reference(&path, "two-sum-any-pair", 2);
        assert_eq!(result["verdict"], "IE", "{result:#}");
        let first = test(&result, "01-example");
        assert_eq!(first["verdict"], "IE");
        assert!(message(first).contains(said), "{checker}: {first:#}");
        let run = expect(1, &["check", &format!("{path}/two-sum-any-pair")]);
        assert!(run.stdout.contains("checker.py"), "{}", run.stdout);
    }
}

#[test]
fn a_checker_can_give_part_of_a_tests_points() {
    let (_dir, path) = variant(
        "two-sum-any-pair",
        &[(
            "checker.py",
            "from gavel_checker import partial\n\n\
             def check(args, expected, got):\n    partial(0.25, 'a quarter')\n",
        )],
    );
    let result = test_reference(&path, "two-sum-any-pair", 1);
    assert_eq!(result["points"], 0.75, "{result:#}");
    let first = test(&result, "01-example");
    assert_eq!(
        (&first["verdict"], &first["points"], message(first)),
        (&Value::from("WA"), &Value::from(0.25), "a quarter")
    );
}

fn guess(file: &str) -> String {
    catalog()
        .join("guess-the-number/submissions")
        .join(file)
        .display()
        .to_string()
}

#[test]
fn a_deadlock_is_reported_as_such() {
    let result = expect(
        1,
        &[
            "test",
            "guess-the-number",
            &guess("time_limit/waits_for_the_judge.py"),
            "--json",
        ],
    )
    .json();
    for test in result["tests"].as_array().unwrap() {
        // `idle` comes only from the deadlock detector; the wall clock says `wall_time`.
        assert_eq!(
            (&test["verdict"], &test["limit"]),
            (&Value::from("TLE"), &Value::from("idle")),
            "{test:#}"
        );
        assert!(message(test).contains("deadlock"), "{test:#}");
    }
}

#[test]
fn the_transcript_of_a_public_interaction_is_shown_and_a_hidden_one_is_not() {
    let linear = guess("wrong_answer/linear.py");
    let result = expect(1, &["submit", "guess-the-number", &linear, "--json"]).json();
    let example = test(&result, "01-example");
    assert_eq!(example["verdict"], "WA");
    assert_eq!(message(example), "not found in 7 guesses");
    let transcript = example["transcript"].as_array().unwrap();
    assert_eq!(
        transcript[..3],
        [
            serde_json::json!({"from": "interactor", "text": "100\n"}),
            serde_json::json!({"from": "program", "text": "1\n"}),
            serde_json::json!({"from": "interactor", "text": ">\n"}),
        ]
    );
    for hidden in result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["visibility"] == "hidden")
    {
        assert!(hidden.get("transcript").is_none(), "{hidden:#}");
        assert!(hidden.get("message").is_none(), "{hidden:#}");
    }
    let run = expect(1, &["test", "guess-the-number", &linear]);
    assert!(
        run.stdout.contains(
            "transcript (> yours, < the interactor's)\n      < 100\n      > 1\n      < >"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn output_after_the_interactor_has_finished_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let chatty = file(
        dir.path(),
        "chatty.py",
        &format!(
            "{}\nfor _ in range(1000):\n    print('and one more thing', flush=True)\n",
            std::fs::read_to_string(catalog().join("guess-the-number/solution.py")).unwrap()
        ),
    );
    let result = expect(0, &["submit", "guess-the-number", &chatty, "--json"]).json();
    assert_eq!(result["verdict"], "AC", "{result:#}");
}

#[test]
fn an_interactor_that_fails_is_the_judges_failure_and_names_the_interactor() {
    let (_dir, path) = variant(
        "guess-the-number",
        &[(
            "interactor.py",
            "def interact(input):\n    print(input)\n    raise KeyError('oops')\n",
        )],
    );
    let result = test_reference(&path, "guess-the-number", 2);
    let first = test(&result, "01-example");
    assert_eq!(first["verdict"], "IE");
    assert!(
        message(first).contains("interactor.py failed at line 3: KeyError"),
        "{first:#}"
    );
}

/// A stdio exercise that doubles a number, with three groups: `a` stops at
/// its first failure, `b` (worth 10 points) runs only if `a` passed, `c`
/// (worth 5) runs every test and scores all or nothing.
fn doubling(root: &std::path::Path) -> String {
    let tests: Vec<(String, String)> = [
        ("a1", 1),
        ("a2", 2),
        ("a3", 3),
        ("b1", 4),
        ("b2", 5),
        ("c1", 6),
        ("c2", 7),
        ("free", 8),
    ]
    .iter()
    .flat_map(|(name, n)| {
        [
            (format!("{name}.in"), format!("{n}\n")),
            (format!("{name}.out"), format!("{}\n", n * 2)),
        ]
    })
    .collect();
    let tests: Vec<(&str, &str)> = tests
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = exercise(
        root,
        "double",
        "kind = \"stdio\"\n\n\
         [groups.a]\non_failure = \"skip\"\n\n\
         [groups.b]\npoints = 10\ndepends_on = [\"a\"]\n\n\
         [groups.c]\npoints = 5\n\n\
         [tests.a1]\ngroup = \"a\"\n[tests.a2]\ngroup = \"a\"\n[tests.a3]\ngroup = \"a\"\n\
         [tests.b1]\ngroup = \"b\"\n[tests.b2]\ngroup = \"b\"\n\
         [tests.c1]\ngroup = \"c\"\n[tests.c2]\ngroup = \"c\"\n",
        "print(int(input()) * 2)\n",
        &tests,
    );
    dir.display().to_string()
}

#[test]
fn group_rules_skip_after_a_failure_wait_for_dependencies_and_score_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    let exercise = doubling(&root);
    expect(0, &["check", &exercise]);
    let root = root.display().to_string();
    let judge = |fails_on: u32, code: i32| {
        let source = file(
            dir.path(),
            &format!("fails_on_{fails_on}.py"),
            &format!("n = int(input())\nprint(0 if n == {fails_on} else n * 2)\n"),
        );
        expect(
            code,
            &["--catalog", &root, "test", "double", &source, "--json"],
        )
        .json()
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    };

    let fine = judge(0, 0);
    assert_eq!(
        (&fine["points"], &fine["max_points"]),
        (&Value::from(19), &Value::from(19))
    );

    // a2 fails: a3 is skipped (a stops), b is skipped (it depends on a), c runs.
    let result = judge(2, 1);
    assert_eq!(
        verdicts(&result),
        pairs(&[
            ("a1", "AC"),
            ("a2", "WA"),
            ("a3", "SK"),
            ("b1", "SK"),
            ("b2", "SK"),
            ("c1", "AC"),
            ("c2", "AC"),
            ("free", "AC")
        ])
    );
    assert_eq!(
        message(test(&result, "a3")),
        "skipped: an earlier test of group `a` failed"
    );
    assert_eq!(
        message(test(&result, "b1")),
        "skipped: group `b` depends on `a`, which did not pass"
    );
    // a1 (1) + c (5) + free (1).
    assert_eq!(result["points"], 7, "{result:#}");
    let groups = result["groups"].as_array().unwrap();
    let group = |name: &str| groups.iter().find(|g| g["name"] == name).unwrap();
    assert_eq!(
        (&group("a")["verdict"], &group("a")["points"]),
        (&Value::from("WA"), &Value::from(1))
    );
    assert_eq!(
        (&group("b")["verdict"], &group("b")["max_points"]),
        (&Value::from("SK"), &Value::from(10))
    );
    assert_eq!(
        (&group("c")["verdict"], &group("c")["points"]),
        (&Value::from("AC"), &Value::from(5))
    );

    // c1 fails: c keeps running (no rule) but scores nothing; a and b pass.
    let result = judge(6, 1);
    assert_eq!(
        verdicts(&result),
        pairs(&[
            ("a1", "AC"),
            ("a2", "AC"),
            ("a3", "AC"),
            ("b1", "AC"),
            ("b2", "AC"),
            ("c1", "WA"),
            ("c2", "AC"),
            ("free", "AC")
        ])
    );
    assert_eq!(result["points"], 14, "{result:#}");
}

#[test]
fn the_catalogs_group_exercise_skips_the_large_tests_after_a_small_failure() {
    let ties = catalog().join("count-inversions/submissions/wrong_answer/counts_ties.py");
    let result = expect(
        1,
        &[
            "submit",
            "count-inversions",
            ties.to_str().unwrap(),
            "--json",
        ],
    )
    .json();
    let large: Vec<&Value> = result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["group"] == "large")
        .collect();
    assert_eq!(large.len(), 2);
    assert!(large.iter().all(|t| t["verdict"] == "SK"), "{result:#}");
    assert_eq!(result["points"], 3, "only the three ungrouped public tests");
}
