//! `gavel worker` on a real PostgreSQL: workers in separate processes
//! judging one server's queue, killed at the worst moments, and refused
//! when they would judge differently from the server.

use crate::serve::{
    Backend, Server, State, WAIT, admin, candidate, http, invite, setup_on, wait_done,
};
use crate::support::gavel;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `gavel worker` process; killed on drop.
struct Worker {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Worker {
    /// Starts a worker over `catalog` with `-v` (it logs each submission it
    /// judges) and a lease of `lease` seconds, and waits until it judges.
    fn start(state: &State, catalog: &Path, lease: &str) -> Worker {
        let mut worker = Worker::spawn(state, catalog, lease);
        let deadline = Instant::now() + WAIT;
        while !worker.log().contains("judging 1 at a time") {
            if let Ok(Some(status)) = worker.child.try_wait() {
                panic!("the worker stopped ({status}):\n{}", worker.log());
            }
            assert!(
                Instant::now() < deadline,
                "the worker did not start:\n{}",
                worker.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        worker
    }

    fn spawn(state: &State, catalog: &Path, lease: &str) -> Worker {
        let mut command = gavel();
        command
            .args([
                "--catalog",
                catalog.to_str().unwrap(),
                "--jobs",
                "1",
                "-v",
                "worker",
            ])
            .args(state.args())
            .args(["--lease", lease])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("gavel worker starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        Worker { child, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The submissions it logged as judged (committed).
    fn judged(&self) -> Vec<i64> {
        self.log()
            .lines()
            .filter(|l| l.contains(" judged"))
            .filter_map(|l| {
                let rest = &l[l.find("submission=")? + "submission=".len()..];
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse()
                    .ok()
            })
            .collect()
    }

    /// Waits for the worker to exit by itself; its exit code.
    fn wait(&mut self) -> i32 {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the log thread read the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "the worker did not stop:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Submits `source` to `exercise`; the submission's id.
fn submit(server: &Server, token: &str, exercise: &str, source: &str) -> i64 {
    let (status, _, info) = http(
        "POST",
        &format!("{}/api/v1/exercises/{exercise}/submissions", server.url),
        Some(token),
        Some(source.as_bytes().to_vec()),
    );
    assert_eq!(status, 202, "{info}");
    info["id"].as_i64().unwrap()
}

/// Waits until `log` says it is judging submission `id`.
fn wait_judging(worker: &Worker, id: i64) {
    let deadline = Instant::now() + WAIT;
    while !worker.log().contains(&format!("submission={id} ")) {
        assert!(
            Instant::now() < deadline,
            "never judged {id}:\n{}",
            worker.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn two_workers_in_separate_processes_judge_each_submission_exactly_once() {
    let (_dir, catalog_dir, state) = setup_on(Backend::Postgres);
    let names = ["ada", "bob", "cyd", "dee"];
    let tokens: Vec<String> = names.iter().map(|n| invite(&state, n)).collect();
    // The server judges nothing itself: the two workers do all of it.
    let server = Server::start(&state, &catalog_dir, &["--jobs", "0", "--in-flight", "3"]);
    let workers = [
        Worker::start(&state, &catalog_dir, "30"),
        Worker::start(&state, &catalog_dir, "30"),
    ];
    let right =
        std::fs::read_to_string(crate::support::catalog().join("two-sum/solution.py")).unwrap();
    let wrong = "def two_sum(nums, target):\n    return [0, 1]\n";
    let mut expected = BTreeMap::new();
    for round in 0..3 {
        for (i, token) in tokens.iter().enumerate() {
            let good = (i + round) % 2 == 0;
            let id = submit(&server, token, "two-sum", if good { &right } else { wrong });
            expected.insert(id, (token.clone(), if good { "AC" } else { "WA" }));
        }
        for (id, (token, verdict)) in &expected {
            let body = wait_done(&server, token, *id);
            assert_eq!(body["submission"]["verdict"], *verdict, "{body}");
        }
    }
    // Every submission judged by exactly one worker, once; both worked.
    let judged: Vec<Vec<i64>> = workers.iter().map(Worker::judged).collect();
    let mut all: Vec<i64> = judged.concat();
    all.sort();
    assert_eq!(
        all,
        expected.keys().copied().collect::<Vec<_>>(),
        "{judged:?}"
    );
    assert!(
        judged.iter().all(|j| !j.is_empty()),
        "one worker did all: {judged:?}"
    );

    // The status shows both workers (and not the server, which judges nothing).
    let status = admin(&state, &["status", "--json"]).json();
    assert_eq!(status["done"], 12, "{status}");
    let ids: Vec<&str> = status["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{status}");
    assert!(!ids.contains(&"serve"), "{status}");
    let text = admin(&state, &["status"]);
    assert!(text.stdout.contains("workers: 2"), "{}", text.stdout);
}

#[test]
fn killed_workers_and_a_killed_server_lose_nothing_and_judge_nothing_twice() {
    let (dir, catalog_dir, state) = setup_on(Backend::Postgres);
    let ada = invite(&state, "ada");
    let bob = invite(&state, "bob");
    let mut server = Server::start(&state, &catalog_dir, &["--jobs", "0"]);
    let address = server.address();
    let mut first = Worker::start(&state, &catalog_dir, "2");

    // Ada's live view is the real client's, following across everything.
    let home = dir.path().join("ada");
    std::fs::create_dir_all(&home).unwrap();
    let source = crate::support::file(&home, "slow.py", crate::serve::SLOW);
    let follow = {
        let (url, ada, home) = (server.url.clone(), ada.clone(), home.clone());
        std::thread::spawn(move || {
            let output = gavel()
                .current_dir(&home)
                .env("XDG_CONFIG_HOME", home.join(".config"))
                .env("GAVEL_SERVER", url)
                .env("GAVEL_TOKEN", ada)
                .args(["submit", "echo", &source, "--json"])
                .output()
                .unwrap();
            crate::support::finish(&["submit"], output)
        })
    };
    // Killed mid-judging: its lease runs out and the second worker judges
    // it again, from the start.
    let deadline = Instant::now() + WAIT;
    let id = loop {
        let (_, _, list) = http(
            "GET",
            &format!("{}/api/v1/submissions", server.url),
            Some(&ada),
            None,
        );
        if let Some(id) = list.get(0).and_then(|s| s["id"].as_i64()) {
            break id;
        }
        assert!(Instant::now() < deadline, "never submitted");
        std::thread::sleep(Duration::from_millis(20));
    };
    wait_judging(&first, id);
    first.kill();
    let second = Worker::start(&state, &catalog_dir, "2");

    // Bob's submission, while the second worker judges: the server is
    // killed and started again on the same address.
    let bobs = submit(&server, &bob, "echo", crate::serve::SLOW);
    server.kill();
    std::thread::sleep(Duration::from_millis(500));
    let server = Server::start(&state, &catalog_dir, &["--jobs", "0", "--listen", &address]);

    // Ada's view ended with the result, each test once.
    let ada_run = follow.join().unwrap();
    assert_eq!(ada_run.code, 0, "{}", ada_run.stderr);
    let result = ada_run.json();
    assert_eq!(result["verdict"], "AC", "{result}");
    let names: Vec<&str> = result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["01", "02", "03"]);
    let body = wait_done(&server, &bob, bobs);
    assert_eq!(body["submission"]["verdict"], "AC", "{body}");
    // Bob's live view on the new server ends, with every test once.
    let (status, _, stream) = http(
        "GET",
        &format!("{}/api/v1/submissions/{bobs}/events", server.url),
        Some(&bob),
        None,
    );
    assert_eq!(status, 200);
    let lines: Vec<Value> = stream
        .as_str()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut tests: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.get("test"))
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    tests.sort();
    assert_eq!(tests, ["01", "02", "03"], "{lines:#?}");
    assert_eq!(lines.last().unwrap()["done"]["verdict"], "AC");

    // Nothing lost, nothing twice: the killed worker committed nothing, the
    // second committed both, once each.
    assert!(first.judged().is_empty(), "{}", first.log());
    let mut judged = second.judged();
    judged.sort();
    assert_eq!(judged, [id, bobs], "{}", second.log());
    let status = admin(&state, &["status", "--json"]).json();
    assert_eq!(
        (&status["done"], &status["queued"], &status["running"]),
        (&Value::from(2), &Value::from(0), &Value::from(0)),
        "{status}"
    );
    let mine = candidate(&server, &ada, &home, &["submissions", "--json"]).json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[test]
fn a_worker_that_would_judge_differently_is_refused() {
    let (dir, catalog_dir, state) = setup_on(Backend::Postgres);
    // Before any server: nothing announced.
    let mut early = Worker::spawn(&state, &catalog_dir, "30");
    assert_eq!(early.wait(), 2);
    assert!(
        early.log().contains("no server has announced"),
        "{}",
        early.log()
    );

    let mut server = Server::start(&state, &catalog_dir, &["--jobs", "0"]);
    // Another catalog: one test more in `echo`.
    let other = dir.path().join("other");
    crate::serve::catalog(&other);
    crate::support::file(&other, "echo/tests/hidden/04.in", "4\n");
    crate::support::file(&other, "echo/tests/hidden/04.out", "4\n");
    let mut refused = Worker::spawn(&state, &other, "30");
    assert_eq!(refused.wait(), 2);
    let log = refused.log();
    assert!(
        log.contains("judges differently from the server (catalogs: "),
        "{log}"
    );
    assert!(!log.contains("runner images"), "{log}");

    // A worker that was right stops when the server comes back with
    // another catalog, and claims nothing under it.
    let mut worker = Worker::start(&state, &catalog_dir, "30");
    server.terminate();
    let server = Server::start(&state, &other, &["--jobs", "0"]);
    let ada = invite(&state, "ada");
    let id = submit(&server, &ada, "echo", "print(input())\n");
    assert_eq!(worker.wait(), 2, "{}", worker.log());
    assert!(worker.log().contains("catalogs: "), "{}", worker.log());
    assert!(worker.judged().is_empty());
    let (_, _, body) = http(
        "GET",
        &format!("{}/api/v1/submissions/{id}", server.url),
        Some(&ada),
        None,
    );
    assert_eq!(body["submission"]["status"], "queued", "{body}");
}
