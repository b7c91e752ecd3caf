//! `gavel run` for people: the program's output (escaped), then how it ended.

use super::{safe, tone};
use console::style;
use gavel_exercise::Tone;
use gavel_sandbox::RunResult;
use std::io::Write;

/// Prints the program's stdout, stderr and return value, then a status line.
pub(crate) fn report(report: &RunResult) {
    let stdout_text = String::from_utf8_lossy(&report.stdout);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(safe(&stdout_text).as_bytes());
    if report.stdout.last().is_some_and(|&b| b != b'\n') {
        // Keeps the summary on a line of its own.
        let _ = stdout.write_all(b"\n");
    }
    let _ = stdout.flush();
    if !report.stderr.is_empty() {
        eprint!("{}", safe(&String::from_utf8_lossy(&report.stderr)));
    }
    if let Some(value) = &report.return_json {
        println!("{}", safe(value));
    }
    let status = tone(
        report.outcome.to_string(),
        if report.outcome.is_ok() {
            Tone::Good
        } else {
            Tone::Bad
        },
    );
    let traceback = match &report.outcome {
        gavel_sandbox::Outcome::RuntimeError { error: Some(e) } if !e.traceback.is_empty() => {
            Some(&e.traceback)
        }
        _ => None,
    };
    if let Some(traceback) = traceback {
        eprint!("{}", safe(traceback));
    }
    eprintln!(
        "{} {status} · exit {} · {} fuel · {:.1} ms · {:.1} MiB peak",
        style("gavel:").bold(),
        report
            .exit_code
            .map_or_else(|| "-".to_owned(), |c| c.to_string()),
        report.fuel,
        report.wall_ms,
        report.peak_memory_bytes as f64 / (1024.0 * 1024.0),
    );
}
