//! `gavel run`: one program, one sandboxed run, one report.

use super::Context;
use crate::cli::RunArgs;
use crate::exit::Code;
use crate::ui::escape_for_terminal;
use anyhow::{Context as _, Result};
use console::style;
use gavel_sandbox::{Entry, Job, Limits, Outcome, RunReport};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;

pub fn execute(context: &Context, args: RunArgs) -> Result<Code> {
    let source = std::fs::read(&args.file)
        .with_context(|| format!("cannot read the program `{}`", args.file.display()))?;
    let stdin = match &args.stdin {
        Some(path) => std::fs::read(path)
            .with_context(|| format!("cannot read the input `{}`", path.display()))?,
        None => Vec::new(),
    };
    let entry = match &args.call {
        None => Entry::Script,
        Some(name) => {
            let parsed: serde_json::Value =
                serde_json::from_str(&args.args).context("--args must be a JSON list")?;
            anyhow::ensure!(parsed.is_array(), "--args must be a JSON list");
            Entry::Function {
                name: name.clone(),
                args_json: args.args.clone(),
                params: Vec::new(),
                returns: Default::default(),
            }
        }
    };
    let limits = args.limits.apply(Limits::default())?;
    let source_sha256 = format!("{:x}", Sha256::digest(&source));
    let job = Job {
        source,
        entry,
        stdin,
        files: Vec::new(),
        limits,
    };
    let sandbox = context.sandbox()?;
    let report = context.runtime.block_on(sandbox.run(&job))?;
    let image = sandbox.image();
    if args.json {
        let value = report_json(&report, &limits, image, &source_sha256);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_human(&report);
    }
    Ok(Code::from_accepted(report.outcome.is_ok()))
}

/// The documented `gavel run --json` object (docs/json.md).
fn report_json(
    report: &RunReport,
    limits: &Limits,
    image: &gavel_sandbox::Image,
    source_sha256: &str,
) -> serde_json::Value {
    let (limit, error) = match &report.outcome {
        Outcome::TimeLimit { limit } => (Some(limit.to_string()), None),
        Outcome::RuntimeError { error } => (None, error.clone()),
        Outcome::CompileError { error } => (None, Some(error.clone())),
        _ => (None, None),
    };
    let returned = report
        .return_json
        .as_deref()
        .map(|text| serde_json::from_str::<serde_json::Value>(text).unwrap_or(json!(text)));
    json!({
        "status": report.outcome.name(),
        "limit": limit,
        "exit_code": report.exit_code,
        "error": error,
        "stdout": String::from_utf8_lossy(&report.stdout),
        "stderr": String::from_utf8_lossy(&report.stderr),
        "return": returned,
        "fuel": report.fuel,
        "wall_ms": report.wall_ms,
        "peak_memory_bytes": report.peak_memory_bytes,
        "limits": limits,
        "source_sha256": source_sha256,
        "image": {
            "name": image.name,
            "python_version": image.python_version,
            "sha256": image.sha256,
        },
    })
}

fn print_human(report: &RunReport) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(escape_for_terminal(&report.stdout).as_bytes());
    if report.stdout.last().is_some_and(|&b| b != b'\n') {
        // Keeps the summary on a line of its own.
        let _ = stdout.write_all(b"\n");
    }
    let _ = stdout.flush();
    if !report.stderr.is_empty() {
        eprint!("{}", escape_for_terminal(&report.stderr));
    }
    if let Some(value) = &report.return_json {
        println!("{value}");
    }
    let status = match &report.outcome {
        Outcome::Ok => style("ok".to_owned()).green(),
        Outcome::TimeLimit { limit } => style(format!("time_limit ({limit})")).red(),
        Outcome::RuntimeError { error: Some(e) } => style(format!("runtime_error: {e}")).red(),
        Outcome::CompileError { error } => style(format!("compile_error: {error}")).red(),
        other => style(other.name().to_owned()).red(),
    };
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
