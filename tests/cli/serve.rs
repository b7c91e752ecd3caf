//! `gavel serve`, `gavel admin` and the candidate's remote commands: a real
//! server (the real binary) on loopback, real HTTP, a real state — each
//! test on SQLite and again on PostgreSQL.

use crate::postgres::Postgres;
use crate::support::{exercise, file, finish, gavel, redact};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Long enough for the slowest step (a cold image build happens before any
/// server test can reach here); every wait in these tests is bounded.
pub(crate) const WAIT: Duration = Duration::from_secs(300);

/// A small catalog: `two-sum` from the real catalog, and `echo`, whose fuel
/// floor lets a slow submission run for seconds.
pub(crate) fn catalog(root: &Path) {
    crate::catalog::copy_dir(
        &crate::support::catalog().join("two-sum"),
        &root.join("two-sum"),
    );
    let dir = exercise(
        root,
        "echo",
        "kind = \"stdio\"\n\n[limits]\nfuel_floor = 100000000000\nwall_time = 600.0\n",
        "print(input())\n",
        &[
            ("01.in", "1\n"),
            ("01.out", "1\n"),
            ("02.in", "2\n"),
            ("02.out", "2\n"),
        ],
    );
    file(&dir, "tests/hidden/03.in", "3\n");
    file(&dir, "tests/hidden/03.out", "3\n");
}

/// Burns a few seconds of fuel per test, then answers right.
pub(crate) const SLOW: &str = "x = 0\nfor i in range(20_000_000):\n    x += i\nprint(input())\n";

/// Which database holds a test server's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// Where a test server's state is: a directory, or a database of a
/// PostgreSQL started for the test (stopped when the last holder drops it).
#[derive(Clone)]
pub(crate) enum State {
    Dir(PathBuf),
    Postgres { url: String, _server: Arc<Postgres> },
}

impl State {
    /// The state's options of `serve`, `admin` and `worker`.
    pub(crate) fn args(&self) -> [&str; 2] {
        match self {
            State::Dir(dir) => ["--state", dir.to_str().unwrap()],
            State::Postgres { url, .. } => ["--database", url],
        }
    }
}

/// Runs a test function on SQLite and on PostgreSQL: a module of two tests
/// beside the function, named after it.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(crate::serve::Backend::Sqlite)
            }
            #[test]
            fn postgres() {
                super::$name(crate::serve::Backend::Postgres)
            }
        }
    };
}

pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
    log: Arc<Mutex<String>>,
}

/// The arguments of `gavel serve` over `catalog` and `state` on loopback.
pub(crate) fn serve_args(state: &State, catalog: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--catalog",
        catalog.to_str().unwrap(),
        "--jobs",
        "2",
        "serve",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(state.args().map(str::to_owned));
    if !extra.contains(&"--listen") {
        args.extend(["--listen".to_owned(), "127.0.0.1:0".to_owned()]);
    }
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

impl Server {
    /// `gavel serve` on any free loopback port (unless `extra` has
    /// `--listen`), with `--jobs 2` (unless `extra` has `--jobs`).
    pub(crate) fn start(state: &State, catalog: &Path, extra: &[&str]) -> Server {
        Server::spawn(gavel().args(serve_args(state, catalog, extra)))
    }

    /// The address it listens on (`127.0.0.1:PORT`), to start it again there.
    pub(crate) fn address(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }

    /// Starts a prepared `gavel serve` command, and waits until it listens.
    pub(crate) fn spawn(command: &mut std::process::Command) -> Server {
        command.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("gavel serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = log.clone();
        // Drains stderr for the server's whole life, so it never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("gavel: listening on ") {
                    let _ = tx.send(url.to_owned());
                }
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let url = rx.recv_timeout(WAIT).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the server did not start:\n{}", log.lock().unwrap())
        });
        Server { child, url, log }
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server logged so far.
    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub(crate) fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: a signal to our own child, which we have not waited for.
        #[allow(unsafe_code)]
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub(crate) fn admin(state: &State, args: &[&str]) -> crate::support::Run {
    let mut full = vec!["admin"];
    full.extend(state.args());
    full.extend_from_slice(args);
    let output = gavel().args(&full).output().unwrap();
    finish(&full, output)
}

pub(crate) fn invite(state: &State, name: &str) -> String {
    let run = admin(state, &["invite", name, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()["token"].as_str().unwrap().to_owned()
}

/// The real gavel as a candidate of `server` with `token`, in `cwd`, with no
/// saved login.
pub(crate) fn candidate(
    server: &Server,
    token: &str,
    cwd: &Path,
    args: &[&str],
) -> crate::support::Run {
    let output = gavel()
        .current_dir(cwd)
        .env("XDG_CONFIG_HOME", cwd.join(".config"))
        .env("GAVEL_SERVER", &server.url)
        .env("GAVEL_TOKEN", token)
        .args(args)
        .output()
        .unwrap();
    finish(args, output)
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// An HTTP request: status, headers' Retry-After, JSON body.
pub(crate) fn http(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, Option<String>, Value) {
    let agent = agent();
    let auth = token.map(|t| format!("Bearer {t}"));
    let response = match (method, body) {
        ("POST", Some(body)) => {
            let mut request = agent.post(url);
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            request.send(&body[..])
        }
        _ => {
            let mut request = agent.get(url);
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            request.call()
        }
    }
    .expect("the server answers");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let json_body = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
    let text = response.into_body().read_to_string().unwrap();
    let json = if json_body {
        serde_json::from_str(&text).unwrap_or(Value::Null)
    } else {
        Value::String(text)
    };
    (status, retry, json)
}

/// Polls a submission until `done` (bounded).
pub(crate) fn wait_done(server: &Server, token: &str, id: i64) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, _, body) = http(
            "GET",
            &format!("{}/api/v1/submissions/{id}", server.url),
            Some(token),
            None,
        );
        assert_eq!(status, 200, "{body}");
        if body["submission"]["status"] == "done" {
            return body;
        }
        assert!(Instant::now() < deadline, "submission {id} never finished");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A temporary directory with the small catalog, and a state in it.
pub(crate) fn setup() -> (tempfile::TempDir, PathBuf, State) {
    setup_on(Backend::Sqlite)
}

/// [`setup`] with the state on `backend`: PostgreSQL is started for the
/// test, with a database of its own.
pub(crate) fn setup_on(backend: Backend) -> (tempfile::TempDir, PathBuf, State) {
    let dir = tempfile::tempdir().unwrap();
    let catalog_dir = dir.path().join("catalog");
    catalog(&catalog_dir);
    let state = match backend {
        Backend::Sqlite => State::Dir(dir.path().join("state")),
        Backend::Postgres => {
            let server = Postgres::start();
            State::Postgres {
                url: server.database("gavel"),
                _server: Arc::new(server),
            }
        }
    };
    (dir, catalog_dir, state)
}

on_both!(a_candidate_reads_fetches_tests_offline_and_submits_with_the_local_result_shape);
fn a_candidate_reads_fetches_tests_offline_and_submits_with_the_local_result_shape(
    backend: Backend,
) {
    let (dir, catalog_dir, state) = setup_on(backend);
    let token = invite(&state, "ada");
    let server = Server::start(&state, &catalog_dir, &[]);
    let home = dir.path().join("ada");
    std::fs::create_dir_all(&home).unwrap();

    let listed = candidate(&server, &token, &home, &["list", "--json"]).json();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["echo", "two-sum"]);
    let shown = candidate(&server, &token, &home, &["show", "two-sum", "--json"]).json();
    assert_eq!(shown["examples"].as_array().unwrap().len(), 3);
    let text = serde_json::to_string(&shown).unwrap();
    assert!(
        !text.contains("04-negative\""),
        "a hidden test's data in `show`: {text}"
    );

    // fetch: a catalog of one with the public tests, and the starter; then
    // `gavel test` works offline (no server).
    let fetched = candidate(&server, &token, &home, &["fetch", "two-sum"]);
    assert_eq!(fetched.code, 0, "{}", fetched.stderr);
    assert!(
        home.join("exercises/two-sum/tests/public/01-example.json")
            .is_file()
    );
    assert!(!home.join("exercises/two-sum/tests/hidden").exists());
    assert!(!home.join("exercises/two-sum/solution.py").exists());
    let solution =
        std::fs::read_to_string(crate::support::catalog().join("two-sum/solution.py")).unwrap();
    std::fs::write(home.join("two-sum.py"), &solution).unwrap();
    let offline = finish(
        &["test"],
        gavel()
            .current_dir(&home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .args(["test", "two-sum", "two-sum.py", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert_eq!(offline.json()["tests"].as_array().unwrap().len(), 3);

    // submit: the same JSON as a local submit of the same file.
    let remote = candidate(
        &server,
        &token,
        &home,
        &["submit", "two-sum", "two-sum.py", "--json"],
    );
    assert_eq!(remote.code, 0, "{}", remote.stderr);
    let local = finish(
        &["submit"],
        gavel()
            .args([
                "--catalog",
                catalog_dir.to_str().unwrap(),
                "submit",
                "two-sum",
            ])
            .arg(home.join("two-sum.py"))
            .arg("--json")
            .output()
            .unwrap(),
    );
    let (mut remote, mut local) = (remote.json(), local.json());
    redact(&mut remote);
    redact(&mut local);
    for value in [&mut remote, &mut local] {
        for test in value["tests"].as_array_mut().unwrap() {
            test.as_object_mut().unwrap().remove("peak_memory_bytes");
        }
    }
    assert_eq!(remote, local);

    // The text view streams tests and ends with the summary.
    let wrong = file(
        &home,
        "wrong.py",
        "def two_sum(nums, target):\n    return [0, 1]\n",
    );
    let run = candidate(&server, &token, &home, &["submit", "two-sum", &wrong]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("WA  02-middle") && run.stdout.contains("verdict: WA"),
        "{}",
        run.stdout
    );

    let mine = candidate(&server, &token, &home, &["submissions", "--json"]).json();
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(
        (&mine[0]["status"], &mine[0]["verdict"]),
        (&Value::from("done"), &Value::from("WA"))
    );
    assert_eq!(
        (&mine[1]["status"], &mine[1]["verdict"]),
        (&Value::from("done"), &Value::from("AC"))
    );
}

on_both!(candidates_see_only_their_own_work_and_tokens_are_checked);
fn candidates_see_only_their_own_work_and_tokens_are_checked(backend: Backend) {
    let (dir, catalog_dir, state) = setup_on(backend);
    let ada = invite(&state, "ada");
    let bob = invite(&state, "bob");
    let server = Server::start(&state, &catalog_dir, &[]);
    let url = |path: &str| format!("{}/api/v1{path}", server.url);

    let (status, _, info) = http(
        "POST",
        &url("/exercises/echo/submissions"),
        Some(&ada),
        Some(b"print(input())\n".to_vec()),
    );
    assert_eq!(status, 202, "{info}");
    let id = info["id"].as_i64().unwrap();
    wait_done(&server, &ada, id);
    let (status, _, body) = http("GET", &url(&format!("/submissions/{id}")), Some(&bob), None);
    assert_eq!((status, &body["error"]), (404, &Value::from("not_found")));
    let (status, _, body) = http(
        "GET",
        &url(&format!("/submissions/{id}/events")),
        Some(&bob),
        None,
    );
    assert_eq!((status, &body["error"]), (404, &Value::from("not_found")));
    let (_, _, list) = http("GET", &url("/submissions"), Some(&bob), None);
    assert_eq!(list, serde_json::json!([]));

    // No token, an unknown one, a malformed header: 401. Revoked: 403.
    let (status, _, body) = http("GET", &url("/me"), None, None);
    assert_eq!(
        (status, &body["error"]),
        (401, &Value::from("unauthorized"))
    );
    let (status, _, _) = http("GET", &url("/me"), Some("gvl_0000"), None);
    assert_eq!(status, 401);
    assert_eq!(admin(&state, &["revoke", "bob"]).code, 0);
    let (status, _, body) = http("GET", &url("/exercises"), Some(&bob), None);
    assert_eq!((status, &body["error"]), (403, &Value::from("revoked")));
    let home = dir.path();
    let run = candidate(&server, &bob, home, &["list"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("refused the token"), "{}", run.stderr);
    let run = candidate(&server, "gvl_wrong", home, &["submit", "echo", "x.py"]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    // An unknown exercise or route.
    let (status, _, body) = http("GET", &url("/exercises/nope"), Some(&ada), None);
    assert_eq!((status, &body["error"]), (404, &Value::from("not_found")));
    let (status, _, body) = http("GET", &url("/nope"), Some(&ada), None);
    assert_eq!((status, &body["error"]), (404, &Value::from("no_route")));
    // A path that is not UTF-8 is refused as JSON too (axum says it in text).
    let (status, _, body) = http("GET", &url("/exercises/%ff"), Some(&ada), None);
    assert_eq!(
        (status, &body["error"]),
        (400, &Value::from("bad_request")),
        "{body}"
    );

    // A server that cannot be reached: exit 2 and a clear message.
    let output = gavel()
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .args(["--server", "http://127.0.0.1:9", "--token", &ada, "list"])
        .output()
        .unwrap();
    let run = finish(&["list"], output);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot reach the gavel server at http://127.0.0.1:9"),
        "{}",
        run.stderr
    );
}

on_both!(bodies_and_submissions_are_limited_with_the_documented_statuses);
fn bodies_and_submissions_are_limited_with_the_documented_statuses(backend: Backend) {
    let (_dir, catalog_dir, state) = setup_on(backend);
    let ada = invite(&state, "ada");
    let server = Server::start(
        &state,
        &catalog_dir,
        &["--per-hour", "2", "--in-flight", "1", "--max-source", "1"],
    );
    let submit = |body: &[u8]| {
        http(
            "POST",
            &format!("{}/api/v1/exercises/echo/submissions", server.url),
            Some(&ada),
            Some(body.to_vec()),
        )
    };

    let (status, _, body) = submit(&vec![b'#'; 2048]);
    assert_eq!(
        (status, &body["error"]),
        (413, &Value::from("too_large")),
        "{body}"
    );
    let (status, _, body) = submit(b"");
    assert_eq!((status, &body["error"]), (400, &Value::from("bad_request")));

    // One in flight: a slow one holds the slot.
    let (status, _, slow) = submit(SLOW.as_bytes());
    assert_eq!(status, 202, "{slow}");
    let (status, _, body) = submit(b"print(input())\n");
    assert_eq!(
        (status, &body["error"]),
        (429, &Value::from("too_many_in_flight")),
        "{body}"
    );
    wait_done(&server, &ada, slow["id"].as_i64().unwrap());

    // Two per exercise per hour: the third is refused, with Retry-After.
    let (status, _, second) = submit(b"print(input())\n");
    assert_eq!(status, 202, "{second}");
    wait_done(&server, &ada, second["id"].as_i64().unwrap());
    let (status, retry, body) = submit(b"print(input())\n");
    assert_eq!(
        (status, &body["error"]),
        (429, &Value::from("hourly_limit")),
        "{body}"
    );
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
}

on_both!(a_server_killed_while_judging_finishes_the_submission_exactly_once_after_a_restart);
fn a_server_killed_while_judging_finishes_the_submission_exactly_once_after_a_restart(
    backend: Backend,
) {
    let (dir, catalog_dir, state) = setup_on(backend);
    let ada = invite(&state, "ada");
    let mut server = Server::start(&state, &catalog_dir, &[]);
    let (status, _, info) = http(
        "POST",
        &format!("{}/api/v1/exercises/echo/submissions", server.url),
        Some(&ada),
        Some(SLOW.as_bytes().to_vec()),
    );
    assert_eq!(status, 202);
    let id = info["id"].as_i64().unwrap();
    // Killed once it is being judged.
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, _, body) = http(
            "GET",
            &format!("{}/api/v1/submissions/{id}", server.url),
            Some(&ada),
            None,
        );
        if body["submission"]["status"] == "running" {
            break;
        }
        assert!(Instant::now() < deadline, "never running: {body}");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill();

    let mut server = Server::start(&state, &catalog_dir, &[]);
    // The candidate's live view: each test once, then the result.
    let home = dir.path();
    let followed = candidate(&server, &ada, home, &["submissions", "--json"]).json();
    assert_eq!(followed[0]["id"], id);
    let (status, _, stream) = http(
        "GET",
        &format!("{}/api/v1/submissions/{id}/events", server.url),
        Some(&ada),
        None,
    );
    assert_eq!(status, 200);
    let lines: Vec<Value> = stream
        .as_str()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let tests: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.get("test"))
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut sorted = tests.clone();
    sorted.sort();
    assert_eq!(sorted, ["01", "02", "03"], "{lines:#?}");
    let done = lines.last().unwrap();
    assert_eq!(done["done"]["verdict"], "AC", "{done}");

    let status = admin(&state, &["status", "--json"]).json();
    assert_eq!(
        (&status["done"], &status["queued"], &status["running"]),
        (&Value::from(1), &Value::from(0), &Value::from(0))
    );
    // A clean stop, and a restart: accounts and history are kept.
    assert!(
        server.terminate().success(),
        "{}",
        server.log.lock().unwrap()
    );
    let server = Server::start(&state, &catalog_dir, &[]);
    let mine = candidate(&server, &ada, home, &["submissions", "--json"]).json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["verdict"], "AC");
}

on_both!(many_concurrent_submissions_are_each_judged_once_and_reported);
fn many_concurrent_submissions_are_each_judged_once_and_reported(backend: Backend) {
    let (dir, catalog_dir, state) = setup_on(backend);
    let names = ["ada", "bob", "cyd"];
    let tokens: Vec<String> = names.iter().map(|n| invite(&state, n)).collect();
    invite(&state, "dee"); // invited, never submits: missing work
    let server = Server::start(&state, &catalog_dir, &["--in-flight", "4"]);
    let wrong = "def two_sum(nums, target):\n    return [0, 1]\n";
    let right =
        std::fs::read_to_string(crate::support::catalog().join("two-sum/solution.py")).unwrap();
    let threads: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let (token, url, right) = (token.clone(), server.url.clone(), right.clone());
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                for k in 0..4 {
                    let source = if (i + k) % 2 == 0 {
                        right.clone()
                    } else {
                        wrong.to_owned()
                    };
                    let (status, _, info) = http(
                        "POST",
                        &format!("{url}/api/v1/exercises/two-sum/submissions"),
                        Some(&token),
                        Some(source.into_bytes()),
                    );
                    assert_eq!(status, 202, "{info}");
                    ids.push((info["id"].as_i64().unwrap(), (i + k) % 2 == 0));
                }
                ids
            })
        })
        .collect();
    let submitted: Vec<Vec<(i64, bool)>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for (token, ids) in tokens.iter().zip(&submitted) {
        for (id, right) in ids {
            let body = wait_done(&server, token, *id);
            let expected = if *right { "AC" } else { "WA" };
            assert_eq!(body["submission"]["verdict"], expected, "{body}");
            assert_eq!(body["result"]["tests"].as_array().unwrap().len(), 14);
        }
    }
    let status = admin(&state, &["status", "--json"]).json();
    assert_eq!(
        (&status["done"], &status["per_exercise"]["two-sum"]),
        (&Value::from(12), &Value::from(12))
    );

    // The hiring team's reports: a row per invited candidate, missing work counted.
    let out = dir.path().join("report");
    let run = admin(
        &state,
        &[
            "report",
            "--out",
            out.to_str().unwrap(),
            "--exercises",
            "two-sum,echo",
            "--json",
        ],
    );
    assert_eq!(
        run.code, 1,
        "missing work is not all accepted: {}",
        run.stderr
    );
    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let rows: Vec<(&str, &Value, &Value)> = results["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                &c["points"],
                &c["results"]["echo"]["status"],
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("ada", &Value::from(16), &Value::from("missing")),
            ("bob", &Value::from(16), &Value::from("missing")),
            ("cyd", &Value::from(16), &Value::from("missing")),
            ("dee", &Value::from(0), &Value::from("missing")),
        ]
    );
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(out.join("report.html").is_file() && out.join("junit.xml").is_file());
    let text = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(
        !text.contains("[-3, 4, 3, 90]"),
        "a hidden input in the report"
    );
}

#[test]
fn the_openapi_description_and_the_served_routes_agree() {
    let (_dir, catalog_dir, state) = setup();
    let token = invite(&state, "ada");
    let server = Server::start(&state, &catalog_dir, &["--judge0"]);
    let (status, _, doc) = http(
        "GET",
        &format!("{}/api/v1/openapi.json", server.url),
        None,
        None,
    );
    assert_eq!(status, 200);
    let mut described: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(|method| (method.clone(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    described.sort();
    let mut served: Vec<(String, String)> = gavel_server::api::routes()
        .list()
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    served.sort();
    assert_eq!(described, served);
    // And each is answered by its route, not the fallback.
    for (method, path) in &described {
        let path = path.replace(
            "{id}",
            if path.contains("submissions/{id}") {
                "1"
            } else {
                "echo"
            },
        );
        let body = (method == "post").then(|| b"print(input())\n".to_vec());
        let (status, _, answer) = http(
            &method.to_uppercase(),
            &format!("{}{path}", server.url),
            Some(&token),
            body,
        );
        assert_ne!(
            answer.get("error"),
            Some(&Value::from("no_route")),
            "{method} {path}: {status}"
        );
    }
    // The file in docs/ is the one served.
    let on_disk: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(on_disk, doc);
}
