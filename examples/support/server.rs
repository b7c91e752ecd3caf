//! A real `gavel serve` for the benchmarks: invite candidates, start it on
//! loopback, read back the address it listens on.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Invites `name` into the state at `state`: their token.
pub(crate) fn invite(gavel: &Path, state: &Path, name: &str) -> String {
    let out = Command::new(gavel)
        .args(["admin", "--state"])
        .arg(state)
        .args(["invite", name, "--json"])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    value["token"].as_str().unwrap().to_owned()
}

/// Starts `gavel --jobs JOBS --catalog CATALOG serve --state STATE EXTRA…` on
/// a free loopback port: the process and its URL. Its log is drained.
pub(crate) fn start(
    gavel: &Path,
    jobs: usize,
    catalog: &Path,
    state: &Path,
    extra: &[&str],
) -> (Child, String) {
    let mut child = Command::new(gavel)
        .args(["--jobs", &jobs.to_string(), "--catalog"])
        .arg(catalog)
        .args(["serve", "--state"])
        .arg(state)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the server starts").unwrap();
        if let Some(url) = line.strip_prefix("gavel: listening on ") {
            break url.to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}
