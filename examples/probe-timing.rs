//! The timing probe (issue 19): how many bits of hidden inputs a candidate
//! can read from *when* the lines of `gavel serve`'s live view arrive.
//!
//! An exercise whose hidden inputs are the bits of a secret; a submission
//! that is right on every test and, when its input is 1, first spends ~0.4 s
//! of real time on host work that costs little fuel (random bytes). A
//! decoder that knows nothing of the secret calibrates on the submission's
//! public test with input 1 and reads each hidden test's bit from the gap
//! before its line (longer than half that test's: 1). Run at `--jobs 1`, the setting in which timing
//! is most readable, `SUBMISSIONS` times.
//!
//! Prints, side by side in one run, the bits decoded right by the binary
//! built here and by `GAVEL_BENCH_BASELINE` (an older gavel) when it is set,
//! against chance. Bounded: a few submissions on 127.0.0.1 only. Run with
//! `just probe-timing`.

#![allow(clippy::print_stdout, missing_docs)]

#[path = "support/server.rs"]
mod server;

use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

/// The secret: one bit per hidden test.
const SECRET: [u8; 10] = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1];
const SUBMISSIONS: usize = 3;

const MODULATING: &str = "import os\nbit = int(input())\nif bit:\n    for _ in range(40):\n        os.urandom(1 << 20)\nprint(bit)\n";

fn catalog(root: &Path) {
    let dir = root.join("secret");
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "exercise.toml",
        "id = \"secret\"\ntitle = \"Echo a bit\"\ndifficulty = \"easy\"\nkind = \"stdio\"\n\n[limits]\nfuel_floor = 100000000000\n",
    );
    write("statement.md", "# Echo a bit\n");
    write("starter.py", "");
    write("solution.py", "print(input())\n");
    for bit in 0..2 {
        write(&format!("tests/public/0{bit}.in"), &format!("{bit}\n"));
        write(&format!("tests/public/0{bit}.out"), &format!("{bit}\n"));
    }
    for (i, bit) in SECRET.iter().enumerate() {
        write(&format!("tests/hidden/h{i:02}.in"), &format!("{bit}\n"));
        write(&format!("tests/hidden/h{i:02}.out"), &format!("{bit}\n"));
    }
}

/// The live view of a submission: each line's arrival and its JSON.
fn follow(url: &str, token: &str, id: i64) -> Vec<(Instant, serde_json::Value)> {
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let response = agent
        .get(format!("{url}/api/v1/submissions/{id}/events"))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    std::io::BufReader::new(response.into_body().into_reader())
        .lines()
        .map_while(Result::ok)
        .filter(|l| !l.trim().is_empty())
        .map(|l| (Instant::now(), serde_json::from_str(&l).unwrap()))
        .collect()
}

/// Bits decoded right out of `SUBMISSIONS × SECRET.len()`.
fn probe(gavel: &Path) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    catalog(&root);
    let state = dir.path().join("state");
    let token = server::invite(gavel, &state, "mallory");
    let (mut child, url) = server::start(gavel, 1, &root, &state, &["--per-hour", "100"]);
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let mut right = 0;
    for _ in 0..SUBMISSIONS {
        let mut response = agent
            .post(format!("{url}/api/v1/exercises/secret/submissions"))
            .header("Authorization", format!("Bearer {token}"))
            .send(MODULATING.as_bytes())
            .unwrap();
        let info: serde_json::Value = response.body_mut().read_json().unwrap();
        let lines = follow(&url, &token, info["id"].as_i64().unwrap());
        // The gap before each test's line, by name.
        let mut gaps = Vec::new();
        for pair in lines.windows(2) {
            if let Some(test) = pair[1].1.get("test") {
                let gap = pair[1].0.duration_since(pair[0].0).as_secs_f64();
                gaps.push((test["name"].as_str().unwrap().to_owned(), gap));
            }
        }
        let gap_of = |name: &str| gaps.iter().find(|(n, _)| n == name).map(|(_, g)| *g);
        // The public test with input 1 shows how long a 1 takes; the one
        // with 0 comes first, after compiling, so only 1 calibrates.
        let threshold = gap_of("01").unwrap_or(0.0) / 2.0;
        if std::env::var_os("PROBE_DEBUG").is_some() {
            println!("{gaps:?}");
        }
        for (i, bit) in SECRET.iter().enumerate() {
            let decoded = gap_of(&format!("h{i:02}")).is_some_and(|g| g > threshold);
            right += usize::from(u8::from(decoded) == *bit);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    right
}

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/debug/gavel");
    assert!(here.exists(), "build first: cargo build");
    let total = SUBMISSIONS * SECRET.len();
    let zeros = SECRET.iter().filter(|b| **b == 0).count() * SUBMISSIONS;
    println!(
        "bits of hidden inputs decoded from the live view's timing, --jobs 1, {SUBMISSIONS} submissions x {} hidden tests",
        SECRET.len()
    );
    println!("(guessing every bit 0 gets {zeros}/{total}; a perfect decoder {total}/{total})");
    if let Some(baseline) = std::env::var_os("GAVEL_BENCH_BASELINE") {
        let right = probe(Path::new(&baseline));
        println!(
            "  baseline {:<40} {right:>3}/{total} decoded right",
            Path::new(&baseline).display()
        );
    }
    let right = probe(&here);
    println!(
        "  this build {:<38} {right:>3}/{total} decoded right",
        "target/debug/gavel"
    );
}
