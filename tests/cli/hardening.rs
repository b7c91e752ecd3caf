//! `gavel serve` as an attacker and an operator meet it (issue 19): what the
//! live view tells about hidden tests' timing, a full disk, and connections
//! that are idle, half-sent or too many.

use crate::serve::{Server, State, agent, http, invite, serve_args, setup, wait_done};
use crate::support::{exercise, file, gavel};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

/// Echoes its input; public tests 01 and 02, hidden tests 03 to 08.
fn pulse(root: &Path) {
    let dir = exercise(
        root,
        "pulse",
        "kind = \"stdio\"\n\n[limits]\nfuel_floor = 100000000000\n",
        "print(input())\n",
        &[
            ("01.in", "1\n"),
            ("01.out", "1\n"),
            ("02.in", "2\n"),
            ("02.out", "2\n"),
        ],
    );
    for n in 3..=8 {
        file(&dir, &format!("tests/hidden/0{n}.in"), &format!("{n}\n"));
        file(&dir, &format!("tests/hidden/0{n}.out"), &format!("{n}\n"));
    }
}

/// Right on every test, and on odd hidden inputs first spends about 0.4 s of
/// real time for little fuel (random bytes are the host's work): the
/// modulation a decoder of the live view looks for.
const MODULATING: &str = "import os\nn = int(input())\nif n > 2 and n % 2:\n    for _ in range(40):\n        os.urandom(1 << 20)\nprint(n)\n";

/// Milliseconds since the epoch of an RFC 3339 time as the API writes it.
fn epoch_ms(text: &str) -> i64 {
    let output = Command::new("date")
        .args(["-u", "-d", text, "+%s%3N"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// A submission's live view, each line with when it arrived.
fn live_view(server: &Server, token: &str, id: i64) -> Vec<(Instant, Value)> {
    let response = agent()
        .get(format!("{}/api/v1/submissions/{id}/events", server.url))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let reader = BufReader::new(response.into_body().into_reader());
    let mut lines = Vec::new();
    for line in reader.lines() {
        let line = line.unwrap();
        if !line.trim().is_empty() {
            lines.push((Instant::now(), serde_json::from_str(&line).unwrap()));
        }
    }
    lines
}

/// What a live view says of the tests and the result, without the figures
/// that vary from run to run. (Status lines are left out: whether a
/// submission waits in the queue depends on the one before it.)
fn shape(lines: &[(Instant, Value)]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|(_, line)| match (line.get("test"), line.get("done")) {
            (Some(test), _) => Some(format!("test {} {}", test["name"], test["verdict"])),
            (_, Some(done)) => Some(format!("done {}", done["verdict"])),
            _ => None,
        })
        .collect()
}

#[test]
fn the_live_view_tells_nothing_of_when_a_hidden_test_finished() {
    let (dir, catalog_dir, state) = setup();
    pulse(&catalog_dir);
    let token = invite(&state, "ada");
    // One judging slot: the setting in which timing is most readable.
    let mut args = serve_args(&state, &catalog_dir, &[]);
    let jobs = args.iter().position(|a| a == "--jobs").unwrap();
    args[jobs + 1] = "1".to_owned();
    let server = Server::spawn(gavel().args(args));
    let home = dir.path();
    let submit = |source: &str| {
        let (status, _, info) = http(
            "POST",
            &format!("{}/api/v1/exercises/pulse/submissions", server.url),
            Some(&token),
            Some(source.as_bytes().to_vec()),
        );
        assert_eq!(status, 202, "{info}");
        info
    };
    let mut shapes = Vec::new();
    for source in [MODULATING, "print(input())\n"] {
        let info = submit(source);
        let id = info["id"].as_i64().unwrap();
        let lines = live_view(&server, &token, id);
        let done_at = SystemTime::now();
        let (last, done) = lines.last().unwrap();
        let done = &done["done"];
        assert_eq!(done["verdict"], "AC", "{done}");
        // Public tests stream before any hidden test; every hidden test
        // arrives with the result, in one burst (the modulating submission
        // spent ~0.4 s on each odd hidden test: one line per test as it
        // finished would be that far apart).
        let tests: Vec<(&Instant, &Value)> = lines
            .iter()
            .filter_map(|(at, l)| l.get("test").map(|t| (at, t)))
            .collect();
        let first_hidden = tests
            .iter()
            .position(|(_, t)| t["visibility"] == "hidden")
            .expect("hidden tests are listed");
        assert_eq!(first_hidden, 2, "{tests:?}");
        for (at, test) in &tests[first_hidden..] {
            assert_eq!(test["visibility"], "hidden");
            let before_done = last.duration_since(**at);
            assert!(
                before_done < Duration::from_millis(150),
                "hidden test {} arrived {before_done:?} before the result",
                test["name"]
            );
        }
        // Released a whole number of seconds after the submission, not before.
        let (_, _, body) = http(
            "GET",
            &format!("{}/api/v1/submissions/{id}", server.url),
            Some(&token),
            None,
        );
        let submitted = epoch_ms(body["submission"]["submitted_at"].as_str().unwrap());
        let finished = epoch_ms(body["submission"]["finished_at"].as_str().unwrap());
        assert!(
            finished > submitted && (finished - submitted) % 1000 == 0,
            "{body}"
        );
        let arrived = done_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        assert!(
            arrived + 50 >= finished,
            "released early: {arrived} < {finished}"
        );
        shapes.push(shape(&lines));
    }
    // Line for line, the two live views say the same.
    assert_eq!(shapes[0], shapes[1]);
    // The terminal client shows the hidden tests too, once each.
    let solution = file(home, "mine.py", MODULATING);
    let output = gavel()
        .current_dir(home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GAVEL_SERVER", &server.url)
        .env("GAVEL_TOKEN", &token)
        .args(["submit", "pulse", &solution])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    for n in 1..=8 {
        assert_eq!(stdout.matches(&format!(" 0{n}")).count(), 1, "{stdout}");
    }
}

/// `gavel serve` with its state on a 4 MiB tmpfs of its own: a mount
/// namespace (as root, or as a user through a user namespace) whose tmpfs
/// goes away with the server. The seed state is copied in before it starts.
/// The test reaches the tmpfs through `/proc/PID/root`.
fn on_small_tmpfs(seed: &Path, state: &Path, catalog: &Path, extra: &[&str]) -> Server {
    let mut command = Command::new("unshare");
    command.args(["--mount", "--propagation", "private"]);
    // SAFETY: getuid has no preconditions.
    #[allow(unsafe_code)]
    if unsafe { libc::getuid() } != 0 {
        command.arg("--map-root-user");
    }
    command
        .args([
            "sh",
            "-c",
            r#"mount -t tmpfs -o size=4m,mode=0700 gavel-state "$0" && cp -a "$1/." "$0/" && shift && exec "$@""#,
        ])
        .arg(state)
        .arg(seed)
        .arg(env!("CARGO_BIN_EXE_gavel"))
        .args(serve_args(&State::Dir(state.to_owned()), catalog, extra));
    Server::spawn(&mut command)
}

/// Fills the file system of `dir` with a file of zeros until it is full.
fn fill(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("filler");
    let mut filler = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 << 10];
    loop {
        match filler.write(&chunk) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
            Err(e) => panic!("filling {}: {e}", path.display()),
        }
    }
    let _ = filler.sync_all();
    path
}

#[test]
fn a_full_disk_gets_503_loses_nothing_and_the_server_recovers_by_itself() {
    let (dir, catalog_dir, _) = setup();
    let seed = dir.path().join("seed");
    let ada = invite(&State::Dir(seed.clone()), "ada");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let server = on_small_tmpfs(&seed, &state, &catalog_dir, &["--in-flight", "2", "-vv"]);
    let tmpfs = Path::new("/proc")
        .join(server.pid().to_string())
        .join("root")
        .join(state.strip_prefix("/").unwrap());
    assert!(tmpfs.join("state.sqlite").is_file(), "{}", tmpfs.display());
    let submit = |body: &str| {
        http(
            "POST",
            &format!("{}/api/v1/exercises/echo/submissions", server.url),
            Some(&ada),
            Some(body.as_bytes().to_vec()),
        )
    };
    // A few seconds of judging: it ends while the disk is full.
    let (status, _, slow) =
        submit("x = 0\nfor i in range(6_000_000):\n    x += i\nprint(input())\n");
    assert_eq!(status, 202, "{slow}");
    let id = slow["id"].as_i64().unwrap();
    // A live view opened before the disk fills ends with the result.
    let follower = {
        let (url, token) = (server.url.clone(), ada.clone());
        std::thread::spawn(move || {
            let response = agent()
                .get(format!("{url}/api/v1/submissions/{id}/events"))
                .header("Authorization", format!("Bearer {token}"))
                .call()
                .unwrap();
            response.into_body().read_to_string()
        })
    };
    // Claimed (and so being judged) before the disk fills.
    let deadline = Instant::now() + Duration::from_secs(60);
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
        assert!(Instant::now() < deadline, "never claimed: {body}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let filler = fill(&tmpfs);
    // Full: new submissions are refused with 503 and a reason, never 500.
    let (status, retry, body) = submit("print(input())\n");
    assert_eq!(
        (status, &body["error"]),
        (503, &Value::from("storage_full")),
        "{body}"
    );
    assert!(retry.is_some_and(|r| r.parse::<u64>().unwrap() > 0));
    // The submission finishes judging while the disk is full; its result
    // waits, and nothing is judged again meanwhile. (Waited for by what the
    // server logs, not a fixed time: a loaded machine judges slower.)
    let deadline = Instant::now() + crate::serve::WAIT;
    while !plain(&server.log()).contains("cannot store the result yet") {
        assert!(
            Instant::now() < deadline,
            "the result never waited for the disk"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, _, body) = submit("print(input())\n");
    assert_eq!(status, 503, "{body}");
    let (status, _, body) = http(
        "GET",
        &format!("{}/api/v1/submissions/{id}", server.url),
        Some(&ada),
        None,
    );
    assert_eq!(
        (status, &body["submission"]["status"]),
        (200, &Value::from("running"))
    );
    // Space comes back: the result is committed once, the live view ends,
    // the candidate's slot is free again and every request is answered.
    std::fs::remove_file(filler).unwrap();
    let done = wait_done(&server, &ada, id);
    assert_eq!(done["result"]["verdict"], "AC", "{done}");
    let stream = follower.join().unwrap().unwrap();
    assert!(
        stream
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("{\"done\""),
        "{stream}"
    );
    let (status, _, next) = submit("print(input())\n");
    assert_eq!(status, 202, "{next}");
    wait_done(&server, &ada, next["id"].as_i64().unwrap());
    for _ in 0..10 {
        let (status, _, body) = http(
            "GET",
            &format!("{}/api/v1/submissions", server.url),
            Some(&ada),
            None,
        );
        assert_eq!(status, 200, "{body}");
    }
    let log = plain(&server.log());
    let judged = format!("judging submission={id} ");
    assert_eq!(log.matches(&judged).count(), 1, "judged again:\n{log}");
    assert!(
        log.contains("cannot store the result yet"),
        "the result waited for the disk:\n{log}"
    );
    assert_eq!(
        log.matches("cannot write the server's state").count(),
        1,
        "{log}"
    );
    assert_eq!(
        log.matches("state can be written again").count(),
        1,
        "{log}"
    );
    // (SQLite resolves `/proc/PID/root` to this namespace's `/`, so the
    // state is read through the API, not `gavel admin`.)
    let (_, _, mine) = http(
        "GET",
        &format!("{}/api/v1/submissions", server.url),
        Some(&ada),
        None,
    );
    let statuses: Vec<&Value> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["status"])
        .collect();
    assert_eq!(
        statuses,
        [&Value::from("done"), &Value::from("done")],
        "{mine}"
    );
}

/// A log without its colours.
fn plain(log: &str) -> String {
    let mut out = String::new();
    let mut rest = log;
    while let Some(start) = rest.find('\x1b') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        rest = rest.find('m').map_or("", |end| &rest[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// A connection that says nothing more is closed by the server within
/// `within`: reading it ends (EOF or a reset), it does not time out.
#[track_caller]
fn closed_within(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut got = Vec::new();
    match stream.read_to_end(&mut got) {
        Ok(_) => got,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            panic!("still open after {within:?}")
        }
        Err(_) => got,
    }
}

#[test]
fn half_sent_requests_and_idle_connections_are_timed_out() {
    let (_dir, catalog_dir, state) = setup();
    let token = invite(&state, "ada");
    let server = Server::start(
        &state,
        &catalog_dir,
        &["--header-timeout", "1", "--body-timeout", "1"],
    );
    let address = server.url.trim_start_matches("http://").to_owned();
    let connect = || TcpStream::connect(&address).unwrap();
    let started = Instant::now();
    let mut idle = connect();
    let mut half_sent: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut stream = connect();
            stream
                .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            stream
        })
        .collect();
    // A body shorter than its Content-Length: 408 after the body timeout.
    let mut short = connect();
    write!(
        short,
        "POST /api/v1/exercises/echo/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: 100\r\n\r\nprint(1)\n"
    )
    .unwrap();
    let answer = String::from_utf8(closed_within(&mut short, Duration::from_secs(10))).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"timeout\""), "{answer}");
    closed_within(&mut idle, Duration::from_secs(10));
    for stream in &mut half_sent {
        closed_within(stream, Duration::from_secs(10));
    }
    // A kept-alive connection is closed once idle for the timeout.
    let mut kept = connect();
    kept.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let answer = String::from_utf8(closed_within(&mut kept, Duration::from_secs(10))).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let (status, _, _) = http("GET", &format!("{}/api/v1/health", server.url), None, None);
    assert_eq!(status, 200);
}

#[test]
fn a_flood_of_idle_connections_under_a_low_file_limit_does_not_silence_the_server() {
    let (_dir, catalog_dir, state) = setup();
    let token = invite(&state, "ada");
    let mut command = Command::new("sh");
    command
        .args(["-c", r#"ulimit -n 96 && exec "$0" "$@""#])
        .arg(env!("CARGO_BIN_EXE_gavel"))
        .args(serve_args(
            &state,
            &catalog_dir,
            &["--header-timeout", "60"],
        ));
    let server = Server::spawn(&mut command);
    let address = server.url.trim_start_matches("http://").to_owned();
    let me = format!("{}/api/v1/me", server.url);
    // A client connected before the flood, with a kept-alive connection.
    let client = agent();
    let ask = |client: &ureq::Agent| {
        client
            .get(&me)
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .map(|r| r.status().as_u16())
    };
    assert_eq!(ask(&client).unwrap(), 200);
    let flood: Vec<TcpStream> = (0..150)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..5 {
        let asked = Instant::now();
        let (status, _, _) = http("GET", &format!("{}/api/v1/health", server.url), None, None);
        assert_eq!(status, 200);
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "{:?}",
            asked.elapsed()
        );
        // The connected client may find its idle connection closed to make
        // room; it reconnects, and is answered.
        let status = ask(&client).or_else(|_| ask(&client)).unwrap();
        assert_eq!(status, 200);
    }
    // The flood was let in, and its oldest connections closed to make room.
    let closed = flood
        .into_iter()
        .filter(|stream| {
            stream
                .set_read_timeout(Some(Duration::from_millis(50)))
                .unwrap();
            let mut byte = [0u8; 1];
            match (&*stream).read(&mut byte) {
                Ok(0) => true,
                Err(e) => !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                Ok(_) => false,
            }
        })
        .count();
    assert!(
        closed >= 100,
        "only {closed} of 150 idle connections closed"
    );
    let (status, _, _) = http("GET", &format!("{}/api/v1/health", server.url), None, None);
    assert_eq!(status, 200);
}

#[test]
fn a_source_that_cannot_be_compiled_within_the_limits_is_one_compile_error() {
    // Issue 19: these ended as RE MemoryError or TLE on every test, each
    // test compiling the source again.
    let dir = tempfile::tempdir().unwrap();
    let bombs = [
        format!("x = {}1\n", "-".repeat(300_000)),
        format!("x = {}\n", vec!["1"; 300_000].join("+")),
        format!("f = {}0\n", "lambda: ".repeat(5_000)),
    ];
    for (i, bomb) in bombs.iter().enumerate() {
        let path = file(dir.path(), &format!("bomb{i}.py"), bomb);
        let run = crate::support::expect(1, &["submit", "two-sum", &path, "--json"]);
        let result = run.json();
        assert_eq!(result["verdict"], "CE", "{result:#}");
        let error = &result["compile_error"];
        assert_eq!(error["kind"], "CompileLimit", "{error:#}");
        assert!(
            error["message"].as_str().unwrap().ends_with("no test ran"),
            "{error:#}"
        );
        let text = crate::support::expect(1, &["submit", "two-sum", &path]).stdout;
        assert_eq!(
            text.matches("CE").count(),
            2,
            "once, and the verdict:\n{text}"
        );
    }
}
