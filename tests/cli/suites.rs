//! Test-writing exercises through the real binary: a suite is graded by the
//! bugs it catches, must pass on the correct implementation, scores the same
//! at any parallelism, and no hidden bug reaches any output.

use crate::support::{catalog, expect};
use std::path::Path;

const EXERCISES: [&str; 3] = [
    "palindrome-tests",
    "binary-search-tests",
    "merge-lists-tests",
];

fn file(id: &str, path: &str) -> String {
    catalog().join(id).join(path).to_string_lossy().into_owned()
}

#[test]
fn the_authors_suite_catches_every_bug_and_a_weak_one_few() {
    for id in EXERCISES {
        let value = expect(0, &["submit", id, &file(id, "solution.py"), "--json"]).json();
        assert_eq!(value["verdict"], "AC", "{id}");
        assert_eq!(value["score"], 1.0, "{id}");
    }
    // Checks that only something comes back: the correct implementation
    // passes, and few bugs are caught.
    let weak = file(
        "palindrome-tests",
        "submissions/wrong_answer/asserts_almost_nothing.py",
    );
    let value = expect(1, &["submit", "palindrome-tests", &weak, "--json"]).json();
    assert_eq!(value["verdict"], "WA");
    assert_eq!(value["tests"][0]["name"], "00-correct");
    assert_eq!(value["tests"][0]["verdict"], "AC");
    let score = value["score"].as_f64().unwrap();
    assert!(
        score < 0.2,
        "a suite that asserts almost nothing scores {score}"
    );
    // A public bug it misses is named with its description; a hidden one is
    // a verdict only.
    let text = expect(1, &["submit", "palindrome-tests", &weak]).stdout;
    assert!(
        text.contains("not caught: all 2 tests pass — upper and lower case letters are told apart"),
        "{text}"
    );
}

#[test]
fn a_suite_that_fails_on_the_correct_implementation_is_wrong_and_says_which_test() {
    let wrong = file(
        "palindrome-tests",
        "submissions/wrong_answer/one_wrong_expectation.py",
    );
    let value = expect(1, &["submit", "palindrome-tests", &wrong, "--json"]).json();
    assert_eq!(value["verdict"], "WA");
    assert_eq!(value["points"], 0);
    let correct = &value["tests"][0];
    assert_eq!(correct["verdict"], "WA");
    let message = correct["message"].as_str().unwrap();
    assert!(
        message.contains("1 of your 2 tests fail on a correct implementation: `Test.test_case`: AssertionError: True is not false"),
        "{message}"
    );
    // What it "catches" then counts for nothing: the bugs are skipped.
    assert_eq!(value["tests"][1]["verdict"], "SK");
    // A plain assert shows the values it compared.
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite.py");
    std::fs::write(
        &suite,
        "from merging import merge\n\ndef test_it():\n    assert merge([1], [2]) == [2, 1]\n",
    )
    .unwrap();
    let value = expect(
        1,
        &[
            "test",
            "merge-lists-tests",
            suite.to_str().unwrap(),
            "--json",
        ],
    )
    .json();
    let message = value["tests"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("`test_it`: AssertionError: assert [1, 2] == [2, 1]"),
        "{message}"
    );
}

#[test]
fn the_same_suite_gets_the_same_score_and_mutants_at_any_parallelism() {
    let weak = file(
        "binary-search-tests",
        "submissions/wrong_answer/one_example.py",
    );
    let outcome = |jobs: &str| {
        let value = expect(
            1,
            &[
                "submit",
                "binary-search-tests",
                &weak,
                "--json",
                "--jobs",
                jobs,
            ],
        )
        .json();
        let tests: Vec<String> = value["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| format!("{} {}", t["name"], t["verdict"]))
            .collect();
        (value["points"].clone(), tests)
    };
    let first = outcome("1");
    assert!(
        first.1.iter().any(|t| t.starts_with("\"mutant-")),
        "{first:?}"
    );
    for jobs in ["16", "2", "1", "16"] {
        assert_eq!(outcome(jobs), first, "--jobs {jobs}");
    }
    let check = expect(0, &["check", "binary-search-tests", "--json"]).json();
    let mutants = &check["exercises"][0]["mutants"];
    assert!(mutants["generated"].as_u64().unwrap() >= 10, "{mutants}");
}

/// The lines of each hidden chaff that the correct implementation does not
/// have, and each hidden chaff's description.
fn hidden_markers(id: &str) -> Vec<String> {
    let root = catalog().join(id);
    let correct = std::fs::read_to_string(root.join("implementation.py")).unwrap();
    let mut markers = Vec::new();
    for entry in std::fs::read_dir(root.join("chaffs/hidden")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut lines = text.lines();
        markers.push(
            lines
                .next()
                .unwrap()
                .trim_start_matches('#')
                .trim()
                .to_owned(),
        );
        markers.extend(
            lines
                .map(str::trim)
                .filter(|l| l.len() > 8 && !correct.contains(*l))
                .map(str::to_owned),
        );
    }
    markers
}

#[test]
fn no_hidden_bug_reaches_any_output() {
    let dir = tempfile::tempdir().unwrap();
    // A suite that tries to smuggle the implementation out: it prints the
    // source the harness was given, and fails with it as its message.
    let spy = "import sys\n\ndef test_spy():\n    frame = sys._getframe(1)\n    while frame is not None and 'implementation' not in frame.f_locals:\n        frame = frame.f_back\n    source = frame.f_locals['implementation'] if frame else 'none'\n    print(source)\n    print(source, file=sys.stderr)\n    raise AssertionError(source)\n";
    let homework = dir.path().join("hw");
    for id in EXERCISES {
        let folder = homework.join("eve");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{id}.py")), spy).unwrap();
    }
    let out = dir.path().join("out");
    let mut outputs = String::new();
    for id in EXERCISES {
        let suite = homework.join("eve").join(format!("{id}.py"));
        let suite = suite.to_str().unwrap();
        for args in [
            vec!["submit", id, suite, "--json"],
            vec!["submit", id, suite],
        ] {
            let run = expect(1, &args);
            outputs.push_str(&run.stdout);
            outputs.push_str(&run.stderr);
        }
    }
    expect(
        1,
        &[
            "grade",
            homework.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    read_all(&out, &mut outputs);
    // The spy did reach the correct implementation (a public test) ...
    assert!(
        outputs.contains("kept == kept[::-1]"),
        "the spy test did not run"
    );
    // ... but nothing of a hidden bug came out.
    for id in EXERCISES {
        for marker in hidden_markers(id) {
            assert!(
                !outputs.contains(&marker),
                "{id}: `{marker}` reached an output"
            );
        }
    }
}

fn read_all(dir: &Path, into: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_all(&path, into);
        } else {
            into.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
}

#[test]
fn a_candidate_submits_tests_to_a_server_which_has_no_pack_for_them() {
    use crate::serve::{Server, candidate, invite, setup};
    let (dir, catalog_dir, state) = setup();
    crate::catalog::copy_dir(
        &catalog().join("palindrome-tests"),
        &catalog_dir.join("palindrome-tests"),
    );
    let token = invite(&state, "ada");
    let server = Server::start(&state, &catalog_dir, &[]);
    let home = dir.path().join("ada");
    std::fs::create_dir_all(&home).unwrap();
    let weak = file(
        "palindrome-tests",
        "submissions/wrong_answer/asserts_almost_nothing.py",
    );
    let run = candidate(
        &server,
        &token,
        &home,
        &["submit", "palindrome-tests", &weak],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("WA  hidden-chaff-01 (hidden)\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("group mutants:"), "{}", run.stdout);
    let run = candidate(&server, &token, &home, &["fetch", "palindrome-tests"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("test-writing exercise"),
        "{}",
        run.stderr
    );
}
