//! The reports a hiring team reads and shares: similarity, feedback files,
//! Exercism results, CSV and JUnit read back by real consumers, and
//! report.html in a real browser.

use crate::support::{catalog, expect, file};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Two-sum solutions shared with the similarity unit tests: an original, the
/// same with every name renamed and comments and blank lines changed, and
/// another algorithm.
const ORIGINAL: &str = include_str!("../similarity/original.py");
const RENAMED: &str = include_str!("../similarity/renamed.py");
const UNRELATED: &str = include_str!("../similarity/unrelated.py");

/// ada: an original; bob: ada's with every name renamed, comments and
/// blank lines changed; cy: another algorithm; dee: ada's byte for byte.
fn homework(dir: &Path) -> PathBuf {
    let hw = dir.join("hw");
    let reference = std::fs::read_to_string(catalog().join("two-sum/solution.py")).unwrap();
    file(&hw, "ada/two-sum.py", ORIGINAL);
    file(&hw, "bob/two-sum.py", RENAMED);
    file(&hw, "cy/two-sum.py", UNRELATED);
    file(&hw, "dee/two-sum.py", ORIGINAL);
    file(&hw, "eve/two-sum.py", &reference);
    file(
        &hw,
        "eve/fibonacci-series.py",
        "n = int(input('How many? '))\na, b = 0, 1\nfor _ in range(n):\n    print(a)\n    a, b = b, a + b\n",
    );
    hw
}

fn grade(dir: &Path, extra: &[&str]) -> (PathBuf, serde_json::Value) {
    let hw = homework(dir);
    let out = dir.join("out");
    let mut args = vec![
        "grade",
        hw.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--exercises",
        "two-sum,fibonacci-series",
    ];
    args.extend_from_slice(extra);
    expect(1, &args);
    let results = std::fs::read_to_string(out.join("results.json")).unwrap();
    (out, serde_json::from_str(&results).unwrap())
}

#[test]
fn renamed_copies_are_listed_as_similar_and_other_solutions_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let (out, results) = grade(dir.path(), &[]);
    let pairs: Vec<(String, String, bool, f64)> = results["similar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["a"].as_str().unwrap().to_owned(),
                p["b"].as_str().unwrap().to_owned(),
                p["identical"].as_bool().unwrap(),
                p["similarity"].as_f64().unwrap(),
            )
        })
        .collect();
    let names: Vec<(&str, &str, bool)> = pairs
        .iter()
        .map(|(a, b, identical, _)| (a.as_str(), b.as_str(), *identical))
        .collect();
    assert!(names.contains(&("ada", "dee", true)), "{pairs:?}");
    assert!(names.contains(&("ada", "bob", false)), "{pairs:?}");
    assert!(names.contains(&("bob", "dee", false)), "{pairs:?}");
    assert!(
        !pairs.iter().any(|(a, b, ..)| a == "cy" || b == "cy"),
        "an unrelated solution is not a copy: {pairs:?}"
    );
    assert!(pairs.iter().all(|p| p.3 >= 0.8));
    assert_eq!(results["similarity_threshold"], 0.8);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // The three pairs are one cluster: one view, ada and dee's identical
    // source once.
    assert!(
        html.contains("two-sum: ada, bob and dee side by side"),
        "{html}"
    );
    assert!(html.contains("<b>ada, dee</b>"), "{html}");
    assert_eq!(html.matches("side by side</summary>").count(), 1);
    // two-sum declares [complexity]: each result has its line and its
    // plot, drawn inline, and the CSV a column.
    assert!(html.contains("efficiency: O(n), expected O(n)"), "{html}");
    assert!(html.contains(r#"<svg class="plot""#));
    assert!(
        html.contains(">two-sum efficiency</th>"),
        "a sortable column"
    );
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(
        csv.lines().next().unwrap().contains("two-sum efficiency"),
        "{csv}"
    );

    // A threshold of 1 keeps only what matches entirely; a share outside
    // 0..1 is a usage error.
    let dir = tempfile::tempdir().unwrap();
    let (_, strict) = grade(dir.path(), &["--similarity", "1"]);
    assert!(
        strict["similar"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["similarity"] == 1.0)
    );
    let run = expect(2, &["grade", "x", "--out", "y", "--similarity", "1.5"]);
    assert!(
        run.stderr.contains("not a share from 0 to 1"),
        "{}",
        run.stderr
    );
}

#[test]
fn report_html_shows_a_failed_interactive_tests_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw");
    let wrong = std::fs::read_to_string(
        catalog().join("guess-the-number/submissions/wrong_answer/off_by_one.py"),
    )
    .unwrap();
    file(&hw, "gus/guess-the-number.py", &wrong);
    let out = dir.path().join("out");
    expect(
        1,
        &[
            "grade",
            hw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--exercises",
            "guess-the-number",
        ],
    );
    // The interactor's lines (`<`) and the program's (`>`), in order.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<pre>&lt; 100\n&gt; 50\n&lt; &lt;\n&gt; 25\n"),
        "{html}"
    );
}

#[test]
fn feedback_files_are_safe_to_send_even_from_a_revealing_batch() {
    let dir = tempfile::tempdir().unwrap();
    // fay fails every test, hidden ones included.
    file(
        &dir.path().join("hw"),
        "fay/two-sum.py",
        "def two_sum(nums, target):\n    return [1, 0]\n",
    );
    let (out, _) = grade(dir.path(), &["--reveal-hidden"]);
    // The team's report shows a hidden test's call; the feedback never does.
    let hidden_input = "[-3, 4, 3, 90]";
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains(hidden_input));
    let fay = std::fs::read_to_string(out.join("feedback/fay.md")).unwrap();
    assert!(fay.contains("| 04-negative (hidden) | WA | 0/1 |"), "{fay}");
    assert!(!fay.contains(hidden_input), "{fay}");
    assert!(
        fay.contains("Call: `` two_sum([2, 7, 11, 15], 9) ``")
            || fay.contains("Call: ` two_sum([2, 7, 11, 15], 9) `"),
        "{fay}"
    );
    let feedback = std::fs::read_to_string(out.join("feedback/eve.md")).unwrap();
    assert!(feedback.starts_with("# Feedback for eve\n"), "{feedback}");
    assert!(
        feedback.contains("| 04-negative (hidden) | AC | 1/1 |"),
        "{feedback}"
    );
    assert!(!feedback.contains(hidden_input));
    // A failed public test in detail: input, diff, hint.
    assert!(
        feedback.contains("### 01\\-five: wrong answer"),
        "{feedback}"
    );
    assert!(feedback.contains("```diff\n-0\n"), "{feedback}");
    assert!(
        feedback.contains("Hint: the output starts with"),
        "{feedback}"
    );
    for name in ["ada", "bob", "cy", "dee", "eve"] {
        assert!(out.join(format!("feedback/{name}.md")).is_file(), "{name}");
    }
}

#[test]
fn a_result_in_exercism_format() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = file(
        dir.path(),
        "two_sum.py",
        "def two_sum(nums, target):\n    print('trying', nums)\n    return [1, 0]\n",
    );
    let path = dir.path().join("results.json");
    expect(
        1,
        &[
            "submit",
            "two-sum",
            &wrong,
            "--exercism",
            path.to_str().unwrap(),
        ],
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(results["version"], 3);
    assert_eq!(results["status"], "fail");
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests[0]["name"], "01-example");
    assert_eq!(tests[0]["status"], "fail");
    assert_eq!(tests[0]["test_code"], "two_sum([2, 7, 11, 15], 9)");
    assert_eq!(tests[0]["output"], "trying [2, 7, 11, 15]\n");
    let hidden = tests.iter().find(|t| t["name"] == "04-negative").unwrap();
    assert_eq!(
        hidden,
        &serde_json::json!({"name": "04-negative", "status": "fail", "message": "wrong answer"})
    );

    let broken = file(dir.path(), "broken.py", "def two_sum(:\n");
    expect(
        1,
        &[
            "test",
            "two-sum",
            &broken,
            "--exercism",
            path.to_str().unwrap(),
        ],
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(results["status"], "error");
    assert!(
        results["message"]
            .as_str()
            .unwrap()
            .starts_with("SyntaxError")
    );
    assert!(results.get("tests").is_none());
}

/// A Python with `junitparser` importable: installed once with pip into the
/// target directory (the package comes from the registry by name).
fn python_with_junitparser() -> (String, PathBuf) {
    let site = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-junitparser");
    if !site.join("junitparser").is_dir() {
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["--target"])
            .arg(&site)
            .arg("junitparser>=3,<5")
            .status()
            .expect("python3 runs");
        assert!(status.success(), "pip could not install junitparser");
    }
    ("python3".to_owned(), site)
}

#[test]
fn csv_and_junit_are_read_back_by_real_consumers() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = grade(dir.path(), &["--csv-bom"]);
    let script = r#"
import csv, sys
from junitparser import JUnitXml, Error, Failure, Skipped
raw = open(sys.argv[1] + "/results.csv", "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
rows = list(csv.DictReader(open(sys.argv[1] + "/results.csv", encoding="utf-8-sig", newline="")))
print("rows", len(rows))
for row in rows:
    assert float(row["points"]) <= float(row["max_points"])
    float(row["percent"])
    print("csv", row["candidate"], row["two-sum"], row["fibonacci-series"], row["points"], row["max_points"])
xml = JUnitXml.fromfile(sys.argv[1] + "/junit.xml")
for suite in xml:
    assert suite.timestamp, "a suite without a timestamp"
    for case in suite:
        kinds = sorted({type(r).__name__ for r in case.result})
        print("junit", case.classname, case.name, ",".join(kinds) or "passed")
"#;
    let (python, site) = python_with_junitparser();
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&out)
        .env("PYTHONPATH", &site)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("rows 5"), "{stdout}");
    assert!(stdout.contains("csv eve AC WA 16 31"), "{stdout}");
    assert!(stdout.contains("csv ada AC missing 16 31"), "{stdout}");
    // Missing work is a failure, a wrong answer too; accepted work passes.
    assert!(
        stdout.contains("junit ada fibonacci-series Failure"),
        "{stdout}"
    );
    assert!(
        stdout.contains("junit eve fibonacci-series Failure"),
        "{stdout}"
    );
    assert!(stdout.contains("junit eve two-sum passed"), "{stdout}");
}

#[test]
fn completions_and_a_man_page() {
    let bash = expect(0, &["completions", "bash"]);
    assert!(bash.stdout.contains("_gavel()"), "{}", bash.stdout);
    assert!(bash.stdout.contains("submit"));
    let man = expect(0, &["man"]);
    assert!(man.stdout.contains(".TH gavel 1"), "{}", man.stdout);
    assert!(man.stdout.contains("grade"));
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// report.html in headless Chromium: the summary sorts when a column's title
/// is clicked and filters as one types, sources render highlighted, and the
/// page fetches nothing (the browser's list of every resource the page
/// loaded is empty). Chromium's own background traffic goes to a proxy that
/// refuses it, so the test never leaves the machine.
#[test]
fn report_html_works_in_a_real_browser_and_fetches_nothing() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("GAVEL_REQUIRE_BROWSER").is_none(),
            "GAVEL_REQUIRE_BROWSER is set but no chromium is installed"
        );
        eprintln!("SKIPPED: no chromium; install Debian's `chromium` to run this test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = grade(dir.path(), &[]);
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    // After the page's own script: click "candidate" (by name, ascending),
    // then "points" twice (descending), and record each order.
    let probe = r#"<script>
var heads = document.querySelectorAll('#summary-table thead th');
function order() { return Array.prototype.map.call(document.querySelectorAll('#summary-table tbody tr'), function (r) { return r.cells[1].dataset.value; }).join(','); }
var byHead = function (text) { return Array.prototype.find.call(heads, function (h) { return h.textContent.trim() === text; }); };
byHead('candidate').click(); var names = order();
byHead('points').click(); byHead('points').click(); var points = order();
var filter = document.getElementById('filter'); filter.value = 'missing'; filter.dispatchEvent(new Event('input'));
var shown = Array.prototype.filter.call(document.querySelectorAll('#summary-table tbody tr'), function (r) { return !r.hidden; }).length;
var fetched = performance.getEntriesByType('resource').map(function (e) { return e.name; }).join(' ');
document.body.setAttribute('data-probe', names + '|' + points + '|' + shown + '|' + fetched);
</script>"#;
    let page = out.join("probe.html");
    std::fs::write(&page, report.replace("</body>", &format!("{probe}</body>"))).unwrap();
    // A port nothing listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--proxy-server=http://{closed}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let probe = dom
        .split("data-probe=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the probe did not run:\n{dom}"));
    let parts: Vec<&str> = probe.split('|').collect();
    assert_eq!(parts[0], "ada,bob,cy,dee,eve", "sorted by name");
    let by_points: Vec<&str> = parts[1].split(',').collect();
    assert_eq!(
        by_points.last(),
        Some(&"cy"),
        "cy has the fewest points: {by_points:?}"
    );
    assert_eq!(by_points.len(), 5);
    // Everyone but eve misses fibonacci-series.
    assert_eq!(parts[2], "4", "rows shown for the filter `missing`");
    // Sources render, highlighted.
    assert!(dom.contains("<ol class=\"src\">"));
    assert!(dom.contains("<span class=\"kw\">def</span>"));
    // Nothing was fetched.
    assert_eq!(parts[3], "", "report.html loaded resources");
    assert!(!report.contains("http://") && !report.contains("https://"));
}
