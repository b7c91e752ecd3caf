//! `gavel run`: one program, one sandboxed run, one report.

use super::{Session, print_json};
use crate::cli::RunArgs;
use crate::exit::Code;
use crate::render;
use anyhow::{Context as _, Result};
use bytes::Bytes;
use gavel_core::hash::sha256_hex;
use gavel_sandbox::{Call, Entry, Job, Limits, Outcome, PyError, RunResult, TimeLimit};
use serde::Serialize;
use serde_json::Value;
use std::io::Read;
use std::sync::Arc;

/// The image a run used, in `gavel run --json`.
#[derive(Debug, Serialize)]
struct ImageRef<'a> {
    name: &'a str,
    python_version: &'a str,
    sha256: &'a str,
}

/// `gavel run --json` (docs/json.md).
#[derive(Debug, Serialize)]
struct RunOutput<'a> {
    status: &'static str,
    limit: Option<TimeLimit>,
    exit_code: Option<i32>,
    error: Option<&'a PyError>,
    stdout: String,
    stderr: String,
    #[serde(rename = "return")]
    returned: Option<Value>,
    fuel: u64,
    wall_ms: f64,
    peak_memory_bytes: u64,
    limits: Limits,
    source_sha256: String,
    image: ImageRef<'a>,
}

fn output<'a>(
    report: &'a RunResult,
    limits: Limits,
    image: &'a gavel_sandbox::Image,
    source_sha256: String,
) -> RunOutput<'a> {
    let (limit, error) = match &report.outcome {
        Outcome::TimeLimit { limit } => (Some(*limit), None),
        Outcome::RuntimeError { error } => (None, error.as_ref()),
        Outcome::CompileError { error } => (None, Some(error)),
        _ => (None, None),
    };
    RunOutput {
        status: report.outcome.name(),
        limit,
        exit_code: report.exit_code,
        error,
        stdout: String::from_utf8_lossy(&report.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&report.stderr).into_owned(),
        returned: report.return_json.as_deref().map(|text| {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
        }),
        fuel: report.fuel,
        wall_ms: report.wall_ms,
        peak_memory_bytes: report.peak_memory_bytes,
        limits,
        source_sha256,
        image: ImageRef {
            name: &image.name,
            python_version: &image.python_version,
            sha256: &image.sha256,
        },
    }
}

pub(crate) fn execute(session: &Session, args: RunArgs) -> Result<Code> {
    let source = std::fs::read(&args.file)
        .with_context(|| format!("cannot read the program `{}`", args.file.display()))?;
    let stdin = match &args.stdin {
        Some(path) if path.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("cannot read gavel's standard input")?;
            bytes
        }
        Some(path) => std::fs::read(path)
            .with_context(|| format!("cannot read the input `{}`", path.display()))?,
        None => Vec::new(),
    };
    let entry = match &args.call {
        None => Entry::Script,
        Some(name) => {
            let parsed: Value =
                serde_json::from_str(&args.args).context("--args must be a JSON list")?;
            anyhow::ensure!(parsed.is_array(), "--args must be a JSON list");
            Entry::Function(Call {
                name: name.as_str().into(),
                args_json: args.args.as_str().into(),
                params: Arc::new([]),
                returns: Default::default(),
            })
        }
    };
    let l = &args.limits;
    let limits = Limits::from_units(l.fuel, l.wall_time, l.memory, l.output).map_err(|e| {
        anyhow::anyhow!(
            "{}",
            e.to_string().replacen('`', "`--", 1).replace("_", "-")
        )
    })?;
    let source_sha256 = sha256_hex(&source);
    let job = Job {
        source: Bytes::from(source),
        // One run: it compiles the source itself.
        code: Bytes::new(),
        entry,
        stdin: Bytes::from(stdin),
        files: Arc::new([]),
        limits,
    };
    let sandbox = session.sandbox()?;
    let report = session.runtime.block_on(sandbox.run(&job))?;
    if args.json {
        print_json(&output(&report, limits, sandbox.image(), source_sha256))?;
    } else {
        render::run::report(&report);
    }
    Ok(Code::judged(report.outcome.is_ok(), false))
}
