//! Everything about how gavel talks to a person: logs, errors, progress, colour.

use console::{Term, style};
use gavel_sandbox::BuildStep;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// Logs go to stderr through `tracing`: warnings by default, more with `-v`,
/// and `RUST_LOG` takes precedence when set.
pub fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// Prints an error of gavel itself (not of a submission), with its causes.
/// Library errors often quote their cause in their own message already; a
/// cause is printed only if the text so far does not contain it.
pub fn print_error(error: &anyhow::Error) {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    eprintln!("{} {text}", style("error:").red().bold());
}

/// Whether stderr is a terminal a person watches (for spinners and bars).
pub fn stderr_is_tty() -> bool {
    Term::stderr().is_term()
}

/// Shows the slow, one-time set-up steps (building and compiling the runner
/// image) as they happen: a spinner on a terminal, a plain line otherwise, so
/// that CI logs also say why the first run takes a while.
pub struct SetupProgress {
    spinner: Option<ProgressBar>,
}

impl SetupProgress {
    pub fn new() -> SetupProgress {
        SetupProgress { spinner: None }
    }

    pub fn step(&mut self, step: BuildStep) {
        let message = match step {
            BuildStep::InstallingTool { tool } => {
                format!("installing the image build tool `{tool}` with pip (once per machine)")
            }
            BuildStep::Building { name } => {
                format!("building the runner image `{name}` (once per machine)")
            }
            BuildStep::Compiling => {
                "compiling the runner image to native code (once per image)".to_owned()
            }
        };
        if stderr_is_tty() {
            let spinner = self.spinner.get_or_insert_with(|| {
                let bar = ProgressBar::new_spinner();
                bar.set_style(
                    ProgressStyle::with_template("{spinner:.cyan} {msg} [{elapsed}]")
                        .expect("valid template"),
                );
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            });
            spinner.set_message(message);
        } else {
            eprintln!("gavel: {message}...");
        }
    }
}

impl Drop for SetupProgress {
    fn drop(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }
}

/// Renders program output for a terminal: control characters and escape
/// sequences shown escaped, so a submission cannot repaint the reviewer's screen.
pub fn escape_for_terminal(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

fn verdict_style(verdict: gavel_exercise::Verdict) -> console::StyledObject<&'static str> {
    use gavel_exercise::Verdict::*;
    let code = verdict.code();
    match verdict {
        Accepted => style(code).green().bold(),
        Skipped => style(code).dim(),
        InternalError => style(code).magenta().bold(),
        _ => style(code).red().bold(),
    }
}

/// Prints one submission's result: a line per test, the message and diff of
/// each failing public test, and the verdict with the replay hashes.
pub fn print_submission(title: &str, result: &gavel_judge::SubmissionResult) {
    use gavel_exercise::Visibility;
    use gavel_judge::report::human_fuel;
    println!("{} · {}", style(&result.exercise).bold(), title);
    if let Some(error) = &result.compile_error {
        println!(
            "  {} {error}",
            verdict_style(gavel_exercise::Verdict::CompileError)
        );
        if !error.traceback.is_empty() {
            for line in error.traceback.lines() {
                println!("      {}", escape_for_terminal(line.as_bytes()));
            }
        }
    }
    let width = result.tests.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for test in &result.tests {
        let hidden = if test.visibility == Visibility::Hidden {
            " (hidden)"
        } else {
            ""
        };
        let limit = test.limit.map(|l| format!(" ({l})")).unwrap_or_default();
        println!(
            "  {:<3} {:<width$}{}  {} / {} fuel · {:.1} ms · {:.1} MiB{}",
            verdict_style(test.verdict),
            test.name,
            style(hidden).dim(),
            human_fuel(test.fuel),
            human_fuel(test.fuel_limit),
            test.wall_ms,
            test.peak_memory_bytes as f64 / (1024.0 * 1024.0),
            limit,
        );
        if let Some(message) = &test.message {
            println!("      {}", escape_for_terminal(message.as_bytes()));
        }
        if let Some(error) = test.error.as_ref().filter(|e| !e.traceback.is_empty()) {
            for line in error
                .traceback
                .lines()
                .rev()
                .take(6)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                println!(
                    "      {}",
                    style(escape_for_terminal(line.as_bytes())).dim()
                );
            }
        }
        if !test.diff.is_empty() {
            println!("      {}", style("--- expected  +++ yours").dim());
            for line in &test.diff {
                let text = format!("{} {}", line.tag, line.text);
                let styled = match line.tag {
                    '-' => style(text).red(),
                    '+' => style(text).green(),
                    _ => style(text).dim(),
                };
                println!("      {styled}");
            }
        }
    }
    println!(
        "{} {} · {}/{} points · source {} · image {}",
        style("verdict:").bold(),
        verdict_style(result.verdict),
        result.points,
        result.max_points,
        &result.source_sha256[..12],
        &result.image_sha256[..12],
    );
}

/// A progress bar for long work on a terminal; on anything else, silent but
/// for the lines printed through it.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(len: u64, what: &str) -> Progress {
        let bar = stderr_is_tty().then(|| {
            let bar = ProgressBar::new(len);
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{{spinner:.cyan}} {what} [{{bar:30.cyan/blue}}] {{pos}}/{{len}} {{msg}} [{{elapsed}}, eta {{eta}}]"
                ))
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    pub fn set_message(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_owned());
        }
    }

    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Prints a line to stdout without garbling the bar.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| println!("{line}")),
            None => println!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
