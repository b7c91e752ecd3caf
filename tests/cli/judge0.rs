//! The Judge0-compatible surface (issue 22): Judge0's official Python SDK
//! (the `judge0` package, pinned) drives a real `gavel serve --judge0`
//! unchanged; each route answers with Judge0's shapes; what gavel cannot
//! honour is refused by name; runs stay apart from exercise submissions.

use crate::serve::{Backend, Server, admin, agent, invite, setup_on};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The SDK version the tests pin.
const SDK: &str = "judge0==0.0.8";

/// Every field of the SDK's `Config` model: all required, so
/// `/config_info` must have each (else the SDK's client cannot be made).
const CONFIG_FIELDS: [&str; 39] = [
    "allow_enable_network",
    "allow_enable_per_process_and_thread_memory_limit",
    "allow_enable_per_process_and_thread_time_limit",
    "allowed_languages_for_compile_options",
    "callbacks_max_tries",
    "callbacks_timeout",
    "cpu_extra_time",
    "cpu_time_limit",
    "enable_additional_files",
    "enable_batched_submissions",
    "enable_callbacks",
    "enable_command_line_arguments",
    "enable_compiler_options",
    "enable_network",
    "enable_per_process_and_thread_memory_limit",
    "enable_per_process_and_thread_time_limit",
    "enable_submission_delete",
    "enable_wait_result",
    "maintenance_mode",
    "max_cpu_extra_time",
    "max_cpu_time_limit",
    "max_extract_size",
    "max_file_size",
    "max_max_file_size",
    "max_max_processes_and_or_threads",
    "max_memory_limit",
    "max_number_of_runs",
    "max_processes_and_or_threads",
    "max_queue_size",
    "max_stack_limit",
    "max_submission_batch_size",
    "max_wall_time_limit",
    "memory_limit",
    "number_of_runs",
    "redirect_stderr_to_stdout",
    "stack_limit",
    "submission_cache_duration",
    "use_docs_as_homepage",
    "wall_time_limit",
];

/// A directory where the pinned SDK and its dependencies are importable:
/// installed once with pip (by name, from the package registry), into a
/// scratch directory first so that a failed install leaves nothing behind.
fn sdk() -> PathBuf {
    static ONCE: Mutex<()> = Mutex::new(());
    let _one = ONCE.lock().unwrap_or_else(|e| e.into_inner());
    let site = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-judge0-0.0.8");
    if !site.join("judge0").is_dir() {
        let scratch = site.with_extension("partial");
        let _ = std::fs::remove_dir_all(&scratch);
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&scratch)
            .arg(SDK)
            .status()
            .expect("python3 runs");
        assert!(status.success(), "pip could not install {SDK}");
        std::fs::rename(&scratch, &site).unwrap();
    }
    site
}

/// Runs `script` with the SDK importable and the server as its Judge0 CE
/// endpoint (how the SDK finds a self-hosted Judge0); returns stdout.
fn python(server: &Server, token: &str, script: &str) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .env("PYTHONPATH", sdk())
        .env("JUDGE0_CE_ENDPOINT", format!("{}/judge0", server.url))
        .env(
            "JUDGE0_CE_AUTH_HEADERS",
            json!({ "X-Auth-Token": token }).to_string(),
        )
        .env("JUDGE0_SUPPRESS_PREVIEW_WARNING", "1")
        .env_remove("JUDGE0_EXTRA_CE_ENDPOINT")
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "the SDK script failed:\n{stdout}\n{stderr}\nserver log:\n{}",
        server.log()
    );
    stdout
}

/// The SDK's basic workflow, unchanged: `judge0.run` with the implicit
/// client (found from the environment, as the SDK documents), and with an
/// explicit one.
const WORKFLOW: &str = r#"
import os, judge0
from judge0 import Status

client = judge0.get_client(judge0.CE)
assert client.endpoint == os.environ["JUDGE0_CE_ENDPOINT"], client.endpoint
print("version", client.version)

def show(name, r):
    print(name, Status(r.status).name, repr(r.stdout), r.time is not None, r.memory is not None)

# The SDK's default language (PYTHON_FOR_ML) and the implicit client.
show("accepted", judge0.run(source_code="print(input()[::-1])", stdin="abc", expected_output="cba"))
show("wrong", judge0.run(source_code="print(input())", stdin="abc", expected_output="cba"))
r = judge0.run(source_code="print(", language=judge0.PYTHON)
show("compile", r)
assert "SyntaxError" in r.compile_output, r.compile_output
r = judge0.run(source_code="print(1)\n1/0\n", language=judge0.PYTHON3)
show("runtime", r)
assert "ZeroDivisionError" in r.stderr, r.stderr
assert r.exit_code == 1, r.exit_code
r = judge0.run(source_code="while True:\n    pass\n", cpu_time_limit=0.2)
show("time", r)
r = judge0.run(source_code="print(input().upper(), '✓ 日本')", stdin="héllo")
show("unicode", r)
assert r.stdout == "HÉLLO ✓ 日本\n", r.stdout

# A batch: several test cases are sent together and waited for together.
results = judge0.run(
    source_code="print(int(input()) * 2)",
    test_cases=[("1", "2"), ("2", "4"), ("3", "7")],
)
print("batch", [Status(r.status).name for r in results])

# An explicit client, language by id (Judge0 CE's Python 3).
explicit = judge0.Client(os.environ["JUDGE0_CE_ENDPOINT"], {"X-Auth-Token": os.environ["TOKEN"]})
show("explicit", judge0.run(client=explicit, source_code="print(6 * 7)", language=71, expected_output="42"))

# A bad token: the SDK's client cannot be made.
try:
    judge0.Client(os.environ["JUDGE0_CE_ENDPOINT"], {"X-Auth-Token": "gvl_not_a_token"})
    print("bad token accepted")
except RuntimeError as e:
    print("bad token refused:", "Authentication failed" in str(e))
"#;

#[test]
fn judge0s_python_sdk_runs_its_workflow_against_gavel_unchanged() {
    let (_dir, catalog, state) = setup_on(Backend::Sqlite);
    let token = invite(&state, "ada");
    let server = Server::start(&state, &catalog, &["--judge0"]);
    let script = format!("import os\nos.environ['TOKEN'] = {token:?}\n{WORKFLOW}");
    let out = python(&server, &token, &script);
    let expected = [
        "version 1.13.1-extra",
        "accepted ACCEPTED 'cba\\n' True True",
        "wrong WRONG_ANSWER 'abc\\n' True True",
        "compile COMPILATION_ERROR None True True",
        "runtime RUNTIME_ERROR_NZEC '1\\n' True True",
        "time TIME_LIMIT_EXCEEDED None True True",
        "unicode ACCEPTED 'HÉLLO ✓ 日本\\n' True True",
        "batch ['ACCEPTED', 'ACCEPTED', 'WRONG_ANSWER']",
        "explicit ACCEPTED '42\\n' True True",
        "bad token refused: True",
    ];
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines, expected, "{out}");
    // The runs stay apart from exercise submissions.
    let (status, _, mine) = crate::serve::http(
        "GET",
        &format!("{}/api/v1/submissions", server.url),
        Some(&token),
        None,
    );
    assert_eq!((status, mine), (200, json!([])));
    let status = admin(&state, &["status", "--json"]).json();
    assert_eq!(status["runs"], 10, "{status}");
    assert_eq!(status["per_exercise"], json!({}), "{status}");
}

/// A Judge0 request: status and body (JSON, or the text when not JSON).
fn call(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let agent = agent();
    let response = match (method, body) {
        ("POST", Some(body)) => {
            let mut request = agent.post(url).header("Content-Type", "application/json");
            if let Some(token) = token {
                request = request.header("X-Auth-Token", token);
            }
            request.send(body.to_string().as_bytes())
        }
        _ => {
            let mut request = agent.get(url);
            if let Some(token) = token {
                request = request.header("X-Auth-Token", token);
            }
            request.call()
        }
    }
    .expect("the server answers");
    let status = response.status().as_u16();
    let text = response.into_body().read_to_string().unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

fn judge0_routes_answer_with_judge0s_shapes(backend: Backend) {
    let (_dir, catalog, state) = setup_on(backend);
    let token = invite(&state, "ada");
    let gone = invite(&state, "bob");
    assert_eq!(admin(&state, &["revoke", "bob"]).code, 0);
    let server = Server::start(&state, &catalog, &["--judge0", "--judge0-in-flight", "3"]);
    let base = format!("{}/judge0", server.url);
    let get = |path: &str| call("GET", &format!("{base}{path}"), Some(&token), None);
    let post =
        |path: &str, body: Value| call("POST", &format!("{base}{path}"), Some(&token), Some(body));

    // Authentication as Judge0's: 401 or 403 with an empty body.
    assert_eq!(
        call("GET", &format!("{base}/about"), None, None),
        (401, json!(""))
    );
    assert_eq!(
        call("GET", &format!("{base}/about"), Some("gvl_x"), None),
        (401, json!(""))
    );
    assert_eq!(
        call("GET", &format!("{base}/about"), Some(&gone), None),
        (403, json!(""))
    );

    let (status, about) = get("/about");
    assert_eq!(status, 200);
    let keys: Vec<&String> = about.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["version", "homepage", "source_code", "maintainer"]);
    assert_eq!(about["version"], "1.13.1-extra");
    let (_, languages) = get("/languages");
    let ids: Vec<i64> = languages
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [10, 71]);
    assert_eq!(get("/languages/71").1["id"], 71);
    assert_eq!(get("/languages/54").0, 404);
    let (_, statuses) = get("/statuses");
    assert_eq!(statuses.as_array().unwrap().len(), 14);
    assert_eq!(
        statuses[4],
        json!({"id": 5, "description": "Time Limit Exceeded"})
    );
    let (_, config) = get("/config_info");
    let mut keys: Vec<&str> = config
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, CONFIG_FIELDS);
    assert_eq!(config["enable_network"], false);
    assert_eq!(
        config["max_submission_batch_size"], 3,
        "the quota on runs in flight"
    );

    // Refusals by field, never silence.
    let (status, errors) = post(
        "/submissions",
        json!({"source_code": "print(1)", "language_id": 71, "enable_network": true,
               "command_line_arguments": "-x", "redirect_stderr_to_stdout": true,
               "cpu_time_limit": 60, "memory_limit": 100}),
    );
    assert_eq!(status, 422, "{errors}");
    let names: Vec<&String> = errors.as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        [
            "command_line_arguments",
            "cpu_time_limit",
            "enable_network",
            "memory_limit",
            "redirect_stderr_to_stdout"
        ]
    );
    assert!(
        errors["cpu_time_limit"][0]
            .as_str()
            .unwrap()
            .contains("less than or equal to 15")
    );
    let (status, errors) = post("/submissions", json!({"language_id": 62}));
    assert_eq!(status, 422);
    assert_eq!(errors["source_code"], json!(["can't be blank"]));
    assert!(
        errors["language_id"][0]
            .as_str()
            .unwrap()
            .contains("doesn't exist")
    );

    // wait=true, fields=*: every field, dates as the SDK parses them.
    let (status, done) = post(
        "/submissions?wait=true&fields=*&base64_encoded=true",
        json!({"source_code": "aW1wb3J0IHN5cwpzeXMuc3Rkb3V0LmJ1ZmZlci53cml0ZShieXRlcyhbMjU1LCAxMF0pKQo=",
               "language_id": 10, "expected_output": "eA=="}),
    );
    assert_eq!(status, 201, "{done}");
    assert_eq!(
        done["status"],
        json!({"id": 4, "description": "Wrong Answer"})
    );
    assert_eq!(done.as_object().unwrap().len(), 35, "{done}");
    let created = done["created_at"].as_str().unwrap();
    assert!(
        created.len() == 24 && created.ends_with('Z') && created.as_bytes()[19] == b'.',
        "{created}"
    );
    let token_of_bytes = done["token"].as_str().unwrap().to_owned();
    // Output that is not UTF-8: only in base64, as Judge0 answers.
    let (status, refused) = get(&format!("/submissions/{token_of_bytes}"));
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("base64_encoded=true")
    );
    let (status, encoded) = get(&format!(
        "/submissions/{token_of_bytes}?base64_encoded=true&fields=stdout,status_id"
    ));
    assert_eq!(
        (status, &encoded),
        (200, &json!({"stdout": "/wo=", "status_id": 4}))
    );
    assert_eq!(
        get("/submissions/00000000-0000-4000-8000-000000000000").0,
        404
    );
    assert_eq!(
        get(&format!("/submissions/{token_of_bytes}?fields=nope")).0,
        400
    );

    // Batches: per-item errors, null for unknown tokens, the quota as a whole.
    let (status, created) = post(
        "/submissions/batch?base64_encoded=true",
        json!({"submissions": [
            {"source_code": "cHJpbnQoMik=", "language_id": 71},
            {"source_code": "cHJpbnQoMik=", "language_id": 1},
        ]}),
    );
    assert_eq!(status, 201, "{created}");
    let token = created[0]["token"].as_str().unwrap().to_owned();
    assert!(created[1]["language_id"].is_array(), "{created}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let batch = loop {
        let (status, batch) = get(&format!(
            "/submissions/batch?tokens={token},00000000-0000-4000-8000-000000000000&base64_encoded=true"
        ));
        assert_eq!(status, 200);
        if batch["submissions"][0]["status"]["id"].as_i64().unwrap() > 2 {
            break batch;
        }
        assert!(std::time::Instant::now() < deadline, "{batch}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(batch["submissions"][0]["stdout"], "Mgo=");
    assert_eq!(batch["submissions"][1], Value::Null);
    let four: Vec<Value> = (0..4)
        .map(|_| json!({"source_code": "print(1)", "language_id": 71}))
        .collect();
    let (status, errors) = post("/submissions/batch", json!({"submissions": four}));
    assert_eq!(status, 422, "{errors}");

    // Another candidate does not see these runs.
    let other = invite(&state, "cyd");
    assert_eq!(
        call(
            "GET",
            &format!("{base}/submissions/{token}"),
            Some(&other),
            None
        )
        .0,
        404
    );
}

on_both!(judge0_routes_answer_with_judge0s_shapes);

#[test]
fn the_surface_is_served_only_when_enabled() {
    let (_dir, catalog, state) = setup_on(Backend::Sqlite);
    let token = invite(&state, "ada");
    let server = Server::start(&state, &catalog, &[]);
    let (status, body) = call(
        "GET",
        &format!("{}/judge0/about", server.url),
        Some(&token),
        None,
    );
    assert_eq!(status, 404);
    assert_eq!(body["error"], "no_route");
}
