//! `gavel import polygon`: a small package written from the format's public
//! documentation (tests/polygon/divisor: a testlib checker, samples, groups,
//! Python and C++ solutions), imported and judged by `gavel check`; and one
//! gavel cannot judge the same way, refused with every reason.

use crate::catalog::copy_dir;
use crate::support::expect;
use serde_json::Value;
use std::path::Path;

fn package() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/polygon/divisor")
        .display()
        .to_string()
}

#[test]
fn a_polygon_package_imports_with_its_testlib_checker_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("proper-divisor");
    let imported = expect(
        0,
        &[
            "import",
            "polygon",
            &package(),
            out.to_str().unwrap(),
            "--json",
        ],
    )
    .json();
    assert_eq!(
        (&imported["public_tests"], &imported["hidden_tests"]),
        (&Value::from(2), &Value::from(4))
    );
    assert_eq!(imported["checker_from"], "files/check.cpp");
    assert_eq!(imported["reference_from"], "solutions/divisor.py");
    assert_eq!(imported["groups"], serde_json::json!(["g2"]));
    let notes = imported["notes"].to_string();
    for note in [
        "validators are not run",
        "a `cpp.g++17` solution: not converted",
        "tagged `rejected`",
    ] {
        assert!(notes.contains(note), "`{note}` missing in {notes}");
    }
    assert!(out.join("checker.cpp").is_file() && out.join("testlib.h").is_file());
    let manifest = std::fs::read_to_string(out.join("exercise.toml")).unwrap();
    assert!(manifest.contains("[groups.g2]"), "{manifest}");
    assert!(manifest.contains("points = 80"), "{manifest}");
    assert!(manifest.contains("depends_on = [\"g1\"]"), "{manifest}");
    // The reference is accepted through the checker, and the known-bad
    // solutions get their verdicts (WA, TLE).
    expect(0, &["check", out.to_str().unwrap()]);
    let prints_n = format!("{}/solutions/prints_n.py", package());
    let result = expect(
        1,
        &[
            "--catalog",
            dir.path().to_str().unwrap(),
            "test",
            "proper-divisor",
            &prints_n,
            "--json",
        ],
    )
    .json();
    assert_eq!(
        (
            &result["tests"][0]["verdict"],
            &result["tests"][0]["message"]
        ),
        (
            &Value::from("WA"),
            &Value::from("wrong answer 12 is not a proper divisor of 12")
        )
    );
}

#[test]
fn a_polygon_package_gavel_cannot_judge_the_same_way_is_refused_with_every_reason() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken");
    copy_dir(Path::new(&package()), &broken);
    // A generated test without its files, file output, and no Python
    // solution to take as the reference and no time limit.
    std::fs::remove_file(broken.join("tests/05")).unwrap();
    let xml = std::fs::read_to_string(broken.join("problem.xml")).unwrap();
    let xml = xml
        .replace("output-file=\"\"", "output-file=\"output.txt\"")
        .replace("<time-limit>1000</time-limit>", "")
        .replace("type=\"python.3\"", "type=\"java.8\"");
    std::fs::write(broken.join("problem.xml"), xml).unwrap();
    let out = dir.path().join("out");
    let run = expect(
        2,
        &[
            "import",
            "polygon",
            broken.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    for reason in [
        "judging output-file: gavel's programs read stdin and write stdout",
        "test 5 is made by `gen 1000000007 1` and the package holds no tests/05",
        "no Python 3 main or accepted solution and no time limit",
    ] {
        assert!(
            run.stderr.contains(reason),
            "`{reason}` missing:\n{}",
            run.stderr
        );
    }
    assert!(!out.exists());
}
