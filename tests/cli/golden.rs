//! Golden tests of what people read: `gavel test` and `gavel submit` on a
//! terminal, and `gavel grade`'s summary. What varies between runs and
//! machines (durations, fuel and memory figures of an image that is not
//! byte-reproducible, temporary paths) is redacted, as just and nextest do.

use crate::support::{catalog, expect, file};
use std::path::Path;

/// Redactions of what legitimately varies; the rest must match exactly.
fn settings(tmp: &Path) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(tmp.to_str().unwrap()), "[tmp]");
    settings.add_filter(
        r"[\d.]+[kMG]? / [\d.]+[kMG]? fuel · [\d.]+ ms · [\d.]+ MiB",
        "[fuel] / [budget] fuel · [ms] · [MiB]",
    );
    settings.add_filter(r"image [0-9a-f]{12}", "image [image]");
    settings.add_filter(
        r"used at most \d+% of their fuel budgets and \d+% of their memory",
        "used at most [%] of their fuel budgets and [%] of their memory",
    );
    settings
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

#[test]
fn a_wrong_answer_on_public_tests() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = file(
        dir.path(),
        "fib.py",
        "n = int(input())\nprint('\\n'.join(str(i) for i in range(n)))\n",
    );
    let run = expect(1, &["--jobs", "1", "test", "fibonacci-series", &wrong]);
    settings(dir.path()).bind(|| insta::assert_snapshot!("test_wrong_answer", run.stdout));
}

#[test]
fn a_submission_with_hidden_tests() {
    let dir = tempfile::tempdir().unwrap();
    let half = file(
        dir.path(),
        "two_sum.py",
        "def two_sum(nums, target):\n    if len(nums) > 3:\n        raise ValueError(nums)\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n",
    );
    let run = expect(1, &["--jobs", "1", "submit", "two-sum", &half]);
    settings(dir.path()).bind(|| insta::assert_snapshot!("submit_hidden_tests", run.stdout));
}

#[test]
fn the_summary_of_a_graded_batch() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    let reference =
        |id: &str| std::fs::read_to_string(catalog().join(id).join("solution.py")).unwrap();
    file(&hw, "alice/two-sum.py", &reference("two-sum"));
    file(&hw, "alice/reverse-string.py", &reference("reverse-string"));
    file(
        &hw,
        "bob/two-sum.py",
        "def two_sum(nums, target):\n    return [0, 1]\n",
    );
    file(&hw, "bob/reverse_string.py", &reference("reverse-string"));
    file(&hw, "notes.txt", "not a candidate");
    let out = dir.path().join("out");
    let run = expect(
        1,
        &[
            "--jobs",
            "1",
            "grade",
            hw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    // Lines of graded submissions arrive in the order they finish; the summary does not.
    let summary: String = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("alice"))
        .map(|l| format!("{l}\n"))
        .collect();
    settings(dir.path()).bind(|| insta::assert_snapshot!("grade_summary", summary));
}

#[test]
fn failures_explained_as_pytest_does() {
    let dir = tempfile::tempdir().unwrap();
    let mixed = file(
        dir.path(),
        "two_sum.py",
        "def two_sum(nums, target):\n    print('looking at', nums)\n    if len(nums) == 2:\n        return\n    if len(nums) == 3:\n        return helper(nums)\n    return [1, 0]\n\ndef helper(nums):\n    return nums[10]\n",
    );
    let run = expect(1, &["--jobs", "1", "test", "two-sum", &mixed]);
    settings(dir.path()).bind(|| insta::assert_snapshot!("test_function_failures", run.stdout));

    let prompt = file(
        dir.path(),
        "prompt.py",
        "n = int(input('How many? '))\na, b = 0, 1\nfor _ in range(n):\n    print(a)\n    a, b = b, a + b\n",
    );
    let run = expect(1, &["--jobs", "1", "test", "fibonacci-series", &prompt]);
    settings(dir.path()).bind(|| insta::assert_snapshot!("test_input_prompt", run.stdout));

    let broken = file(
        dir.path(),
        "broken.py",
        "def two_sum(nums, target:\n    pass\n",
    );
    let run = expect(1, &["--jobs", "1", "test", "two-sum", &broken]);
    settings(dir.path()).bind(|| insta::assert_snapshot!("test_compile_error", run.stdout));
}
