//! Checkers and interactors in C and C++, compiled to WebAssembly by the
//! system's clang and run in the sandbox: each convention's exit codes and
//! messages, partial points, the author's failures (FAIL, an endless loop,
//! unbounded memory, a file outside its mounts, a compile error) as IE or
//! an author failure naming the file, never the candidate's verdict.

use crate::support::{exercise, expect, file};
use serde_json::Value;
use std::path::Path;

/// A stdio exercise `id` whose answer is the input's number doubled, judged
/// by `checker` (file name `name`) under `convention`.
fn doubling(root: &Path, id: &str, convention: &str, name: &str, checker: &str) {
    let dir = exercise(
        root,
        id,
        &format!("kind = \"stdio\"\n\n[native]\nconvention = \"{convention}\"\n"),
        "print(2 * int(input()))\n",
        &[
            ("01.in", "3\n"),
            ("01.out", "6\n"),
            ("02.in", "10\n"),
            ("02.out", "20\n"),
        ],
    );
    file(&dir, name, checker);
}

/// Judges `source` on `id` in `catalog`, expecting exit `code`; the tests'
/// (verdict, message, points).
fn judged(catalog: &Path, id: &str, source: &str, code: i32) -> Vec<(String, String, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "answer.py", source);
    let result = expect(
        code,
        &[
            "--catalog",
            catalog.to_str().unwrap(),
            "test",
            id,
            &path,
            "--json",
        ],
    )
    .json();
    result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["verdict"].as_str().unwrap().to_owned(),
                t["message"].as_str().unwrap_or_default().to_owned(),
                t["points"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn verdicts(tests: &[(String, String, f64)]) -> Vec<&str> {
    tests.iter().map(|t| t.0.as_str()).collect()
}

/// A testlib checker written without testlib.h: the answer's number against
/// the output's, by testlib's exit codes. 7 gives 1 point of the test's 2
/// when the output is off by one; "x" is a presentation error; 99 makes the
/// checker FAIL.
const TESTLIB: &str = r#"#include <stdio.h>
int main(int argc, char **argv) {
    FILE *answer = fopen(argv[3], "r"), *output = fopen(argv[2], "r");
    long expected, got;
    if (!answer || fscanf(answer, "%ld", &expected) != 1) { fprintf(stderr, "bad answer file"); return 3; }
    if (fscanf(output, "%ld", &got) != 1) { fprintf(stderr, "expected a number"); return 2; }
    if (got == 99) { fprintf(stderr, "cannot judge 99"); return 3; }
    if (got == expected) { fprintf(stderr, "ok %ld", got); return 0; }
    if (got == expected + 1) { fprintf(stderr, "points 1 off by one"); return 7; }
    fprintf(stderr, "expected %ld, found %ld", expected, got);
    return 1;
}
"#;

#[test]
fn testlib_exit_codes_are_verdicts_points_and_the_authors_failure() {
    let root = tempfile::tempdir().unwrap();
    doubling(root.path(), "doubling", "testlib", "checker.c", TESTLIB);
    // Each test is worth 2 points (a checker's points are the test's).
    let manifest = root.path().join("doubling/exercise.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[tests.01]\npoints = 2\n\n[tests.02]\npoints = 2\n");
    std::fs::write(&manifest, text).unwrap();
    expect(
        0,
        &["check", root.path().join("doubling").to_str().unwrap()],
    );

    let right = judged(root.path(), "doubling", "print(2 * int(input()))\n", 0);
    assert_eq!(right[0], ("AC".to_owned(), "ok 6".to_owned(), 2.0));
    let wrong = judged(root.path(), "doubling", "print(3 * int(input()))\n", 1);
    assert_eq!(
        wrong[0],
        ("WA".to_owned(), "expected 6, found 9".to_owned(), 0.0)
    );
    let off = judged(root.path(), "doubling", "print(2 * int(input()) + 1)\n", 1);
    assert_eq!(
        off[0],
        ("WA".to_owned(), "points 1 off by one".to_owned(), 1.0)
    );
    let format = judged(root.path(), "doubling", "print('x')\n", 1);
    assert_eq!(
        format[0].1, "presentation error: expected a number",
        "{format:?}"
    );
    // FAIL is the checker's author's failure: IE naming the checker.
    let fail = judged(root.path(), "doubling", "print(99)\n", 2);
    assert_eq!(fail[0].0, "IE");
    assert_eq!(fail[0].1, "checker.c failed (FAIL): cannot judge 99");
}

#[test]
fn coci_peg_and_kattis_checkers_follow_their_own_conventions() {
    let root = tempfile::tempdir().unwrap();
    // COCI: exit 7 with `partial N/D`.
    doubling(
        root.path(),
        "coci",
        "coci",
        "checker.c",
        r#"#include <stdio.h>
int main(int argc, char **argv) {
    FILE *answer = fopen(argv[3], "r"), *output = fopen(argv[2], "r");
    long expected, got;
    fscanf(answer, "%ld", &expected);
    if (fscanf(output, "%ld", &got) != 1) return 1;
    if (got == expected) return 0;
    fprintf(stderr, "partial 1/4\n");
    return 7;
}
"#,
    );
    let partial = judged(root.path(), "coci", "print(0)\n", 1);
    assert_eq!((partial[0].0.as_str(), partial[0].2), ("WA", 0.25));
    // PEG: output answer input; exit 1 with `N\nD` on stdout.
    doubling(
        root.path(),
        "peg",
        "peg",
        "checker.cpp",
        r#"#include <cstdio>
#include <iostream>
int main(int argc, char **argv) {
    std::FILE *output = std::fopen(argv[1], "r"), *answer = std::fopen(argv[2], "r"),
              *input = std::fopen(argv[3], "r");
    long got, expected, n;
    std::fscanf(input, "%ld", &n);
    std::fscanf(answer, "%ld", &expected);
    if (std::fscanf(output, "%ld", &got) != 1) return 1;
    if (got == expected && expected == 2 * n) return 0;
    std::cout << "1\n2\n";
    return 1;
}
"#,
    );
    assert_eq!(
        verdicts(&judged(root.path(), "peg", "print(2 * int(input()))\n", 0)),
        ["AC", "AC"]
    );
    let half = judged(root.path(), "peg", "print(1)\n", 1);
    assert_eq!(half[0].2, 0.5);
    // Kattis: input answer feedback_dir < output; 42/43; judgemessage.txt.
    doubling(
        root.path(),
        "kattis",
        "kattis",
        "checker.c",
        r#"#include <stdio.h>
int main(int argc, char **argv) {
    char path[512];
    snprintf(path, sizeof path, "%sjudgemessage.txt", argv[3]);
    FILE *answer = fopen(argv[2], "r"), *message = fopen(path, "w");
    long expected, got;
    fscanf(answer, "%ld", &expected);
    if (scanf("%ld", &got) != 1 || got != expected) {
        fprintf(message, "wanted %ld", expected);
        return 43;
    }
    return 42;
}
"#,
    );
    let kattis = judged(root.path(), "kattis", "print(0)\n", 1);
    assert_eq!(
        (kattis[0].0.as_str(), kattis[0].1.as_str()),
        ("WA", "wanted 6")
    );
    assert_eq!(
        verdicts(&judged(
            root.path(),
            "kattis",
            "print(2 * int(input()))\n",
            0
        )),
        ["AC", "AC"]
    );
}

#[test]
fn a_checker_that_loops_allocates_or_reads_outside_its_mounts_is_ie_naming_it() {
    let root = tempfile::tempdir().unwrap();
    // The checker misbehaves on the answer the program prints.
    doubling(
        root.path(),
        "hostile",
        "testlib",
        "checker.c",
        r#"#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    FILE *output = fopen(argv[2], "r");
    long got = 0;
    fscanf(output, "%ld", &got);
    if (got == 1) { volatile long spin = 0; for (;;) spin++; }
    if (got == 2) { for (;;) { char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); } }
    if (got == 3) {
        FILE *outside = fopen("/etc/passwd", "r");
        FILE *above = fopen("../../../../etc/passwd", "r");
        if (outside || above) { fprintf(stderr, "read the host"); return 0; }
        fprintf(stderr, "no host files");
        return 3;
    }
    return got == 6 || got == 20 ? 0 : 1;
}
"#,
    );
    let looped = judged(root.path(), "hostile", "print(1)\n", 2);
    assert_eq!(looped[0].0, "IE");
    assert_eq!(looped[0].1, "checker.c failed: time limit (fuel)");
    let allocated = judged(root.path(), "hostile", "print(2)\n", 2);
    assert_eq!(allocated[0].0, "IE");
    assert!(
        allocated[0].1.starts_with("checker.c failed"),
        "{allocated:?}"
    );
    let outside = judged(root.path(), "hostile", "print(3)\n", 2);
    assert_eq!(
        (outside[0].0.as_str(), outside[0].1.as_str()),
        ("IE", "checker.c failed (FAIL): no host files")
    );
}

#[test]
fn a_checker_that_does_not_compile_is_an_author_failure_naming_file_and_line() {
    let root = tempfile::tempdir().unwrap();
    doubling(
        root.path(),
        "broken",
        "testlib",
        "checker.cpp",
        "#include <vector>\nint main() {\n    std::vector<int> v\n    return 0;\n}\n",
    );
    let run = expect(
        1,
        &[
            "check",
            root.path().join("broken").to_str().unwrap(),
            "--json",
        ],
    );
    let checked = run.json();
    let errors = checked["exercises"][0]["errors"].to_string();
    assert!(
        errors.contains("checker.cpp does not compile to WebAssembly (line 3)"),
        "{checked:#}"
    );
    // A candidate never sees the author's failure as their verdict: the run
    // stops before judging, as a judge error.
    let dir = tempfile::tempdir().unwrap();
    let answer = file(dir.path(), "answer.py", "print(6)\n");
    let run = expect(
        2,
        &[
            "--catalog",
            root.path().to_str().unwrap(),
            "test",
            "broken",
            &answer,
        ],
    );
    assert!(run.stderr.contains("checker.cpp"), "{}", run.stderr);
}

#[test]
fn a_testlib_interactor_in_cpp_talks_to_the_program_and_decides() {
    let root = tempfile::tempdir().unwrap();
    // The interactor sends the input's number, expects it doubled.
    let dir = exercise(
        root.path(),
        "echo-double",
        "kind = \"stdio\"\n\n[native]\nconvention = \"testlib\"\n",
        "print(2 * int(input()), flush=True)\n",
        &[("01.in", "4\n"), ("02.in", "9\n"), ("03.in", "0\n")],
    );
    file(
        &dir,
        "interactor.cpp",
        r#"#include <cstdio>
#include <iostream>
int main(int argc, char **argv) {
    std::FILE *input = std::fopen(argv[1], "r"), *result = std::fopen(argv[2], "w");
    long n, got;
    std::fscanf(input, "%ld", &n);
    std::cout << n << std::endl;
    if (!(std::cin >> got)) { std::cerr << "no answer"; return 1; }
    std::fprintf(result, "%ld\n", got);
    if (got != 2 * n) { std::cerr << "expected " << 2 * n << ", got " << got; return 1; }
    std::cerr << "doubled";
    return 0;
}
"#,
    );
    expect(0, &["check", dir.to_str().unwrap()]);
    let right = judged(root.path(), "echo-double", "print(2 * int(input()))\n", 0);
    assert_eq!(right[0].1, "doubled");
    let wrong = judged(root.path(), "echo-double", "print(int(input()) + 1)\n", 1);
    assert_eq!(
        (wrong[0].0.as_str(), wrong[0].1.as_str()),
        ("WA", "expected 8, got 5")
    );
    let silent = judged(root.path(), "echo-double", "input()\n", 1);
    assert_eq!(silent[0].1, "no answer", "{silent:?}");
}

#[test]
fn the_catalogs_native_checkers_judge_their_known_bad_solutions() {
    let checked = expect(0, &["check", "topological-order", "square-roots", "--json"]).json();
    for exercise in checked["exercises"].as_array().unwrap() {
        assert_eq!(exercise["ok"], Value::from(true), "{exercise:#}");
    }
}
