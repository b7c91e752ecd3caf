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
