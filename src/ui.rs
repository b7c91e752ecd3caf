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
pub fn print_error(error: &anyhow::Error) {
    eprintln!("{} {error:#}", style("error:").red().bold());
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
