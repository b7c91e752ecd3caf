//! Complexity measured in fuel: shown by `submit` and `test`, the same on
//! every run and at any parallelism, and only where the exercise asks.

use crate::support::{catalog, expect};

fn solution(id: &str, file: &str) -> String {
    catalog().join(id).join(file).to_string_lossy().into_owned()
}

#[test]
fn submit_and_test_show_the_class_beside_the_verdict() {
    let slow = solution("two-sum", "submissions/time_limit/all_pairs.py");
    let run = expect(1, &["submit", "two-sum", &slow]);
    assert!(
        run.stdout
            .contains("efficiency: at least O(n²), expected O(n) — hit its limit at n = 512;"),
        "{}",
        run.stdout
    );
    // The inputs are generated, public by construction: `test` measures too.
    let reference = solution("two-sum", "solution.py");
    let run = expect(0, &["test", "two-sum", &reference]);
    assert!(
        run.stdout
            .contains("efficiency: O(n), expected O(n) — 1.0× the reference's fuel at n = 16,384"),
        "{}",
        run.stdout
    );
    // No [complexity], no line and no field.
    let palindrome = solution("palindrome-check", "solution.py");
    let value = expect(0, &["submit", "palindrome-check", &palindrome, "--json"]).json();
    assert!(value.get("complexity").is_none(), "{value}");
}

#[test]
fn the_measurement_is_identical_on_every_run_and_at_any_parallelism() {
    let slow = solution("reverse-string", "submissions/time_limit/prepend_each.py");
    let measure = |jobs: &str| {
        let value = expect(
            1,
            &["submit", "reverse-string", &slow, "--json", "--jobs", jobs],
        )
        .json();
        serde_json::to_string(&value["complexity"]).unwrap()
    };
    let first = measure("1");
    assert!(first.contains("\"status\":\"at_least\""), "{first}");
    assert!(first.contains("\"detected\":\"n^2\""), "{first}");
    for jobs in ["16", "2", "1", "16"] {
        assert_eq!(measure(jobs), first, "--jobs {jobs}");
    }
}

#[test]
fn stress_finds_a_planted_bug_and_shrinks_it_to_the_smallest_input() {
    let dir = tempfile::tempdir().unwrap();
    // Sorted, except that from three elements on the first two are swapped.
    let brute = dir.path().join("brute.py");
    std::fs::write(
        &brute,
        "n = int(input())\na = sorted(map(int, input().split()))\nif n >= 3:\n    a[0], a[1] = a[1], a[0]\nprint(*a)\n",
    )
    .unwrap();
    let brute = brute.to_str().unwrap();
    let args = ["stress", "merge-sort", "--against", brute, "--json"];
    let value = expect(1, &args).json();
    let found = &value["found"];
    assert_eq!(found["first_found"]["n"], 4, "{value}");
    assert_eq!(found["n"], 3, "shrunk to the smallest size: {value}");
    assert_eq!(found["args"], "3 1");
    assert_eq!(found["brute"]["verdict"], "WA");
    assert_eq!(found["test_files"][0]["name"], "stress-n3-s1.in");
    let input = found["test_files"][0]["contents"].as_str().unwrap();
    assert!(input.starts_with("3\n"), "{input}");
    // The same seeds, the same finding (but for the wall-clock time).
    let without_time = |mut value: serde_json::Value| {
        value["found"]["brute"]["wall_ms"].take();
        value
    };
    assert_eq!(without_time(expect(1, &args).json()), without_time(value));
    let text = expect(1, &["stress", "merge-sort", "--against", brute]).stdout;
    assert!(
        text.contains("disagreement: n = 3, seed 1 (first at n = 4, seed 1; shrunk)"),
        "{text}"
    );
    assert!(
        text.contains("--- save as tests/…/stress-n3-s1.out"),
        "{text}"
    );

    // The reference's own class of answers agrees everywhere.
    let merge = solution("merge-sort", "solution.py");
    let run = expect(
        0,
        &[
            "stress",
            "merge-sort",
            "--against",
            &merge,
            "--max-size",
            "32",
        ],
    );
    assert!(run.stdout.contains("no disagreement"), "{}", run.stdout);
    // Without a generator there is nothing to stress.
    let run = expect(2, &["stress", "palindrome-check", "--against", &merge]);
    assert!(run.stderr.contains("has no generator.py"), "{}", run.stderr);
}
