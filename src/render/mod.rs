//! Everything about how gavel talks to a person on a terminal: colour,
//! progress, and the human form of every result. Untrusted text (program
//! output, messages, candidate and file names) is always escaped here.

pub(crate) mod check;
pub(crate) mod grade;
pub(crate) mod image;
pub(crate) mod list;
pub(crate) mod run;
pub(crate) mod server;
pub(crate) mod stress;
pub(crate) mod submission;

use crate::cli::Color;
use console::{StyledObject, Term, style};
use gavel_core::text::{Lines, escape};
use gavel_exercise::{Tone, Verdict};
use gavel_sandbox::BuildStep;
use indicatif::{ProgressBar, ProgressStyle};
use std::borrow::Cow;
use std::time::Duration;

/// Logs go to stderr through `tracing`: warnings by default, more with `-v`,
/// and `RUST_LOG` takes precedence when set. Coloured only where the rest of
/// stderr is (so a log piped to a file is plain text). The database
/// driver's own chatter (PostgreSQL's notices, each statement) starts a
/// level later than gavel's.
pub(crate) fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info,sqlx=warn",
        2 => "debug,sqlx=info",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(console::colors_enabled_stderr())
        .with_target(false)
        .init();
}

/// Applies `--color` (`auto` leaves console's own detection: a terminal,
/// `NO_COLOR`, `CLICOLOR_FORCE`).
pub(crate) fn init_color(color: Color) {
    match color {
        Color::Auto => {}
        Color::Always | Color::Never => {
            let on = color == Color::Always;
            console::set_colors_enabled(on);
            console::set_colors_enabled_stderr(on);
        }
    }
}

/// Prints an error of gavel itself (not of a submission), with its causes.
/// Library errors often quote their cause in their own message already; a
/// cause is printed only if the text so far does not contain it.
pub(crate) fn print_error(error: &anyhow::Error) {
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

/// Untrusted multi-line text, safe for a terminal.
pub(crate) fn safe(text: &str) -> Cow<'_, str> {
    escape(text, Lines::Keep)
}

/// Untrusted text on one line, safe for a terminal.
pub(crate) fn safe_line(text: &str) -> Cow<'_, str> {
    escape(text, Lines::Join)
}

/// `1 candidate`, `2 candidates`.
pub(crate) fn counted_noun(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Whether stderr is a terminal a person watches (for spinners and bars).
pub(crate) fn stderr_is_tty() -> bool {
    Term::stderr().is_term()
}

/// A verdict code, coloured by its tone.
pub(crate) fn verdict(verdict: Verdict) -> StyledObject<&'static str> {
    tone(verdict.code(), verdict.tone())
}

/// `text` coloured by `tone`.
pub(crate) fn tone<D>(text: D, tone: Tone) -> StyledObject<D> {
    match tone {
        Tone::Good => style(text).green().bold(),
        Tone::Bad => style(text).red().bold(),
        Tone::Muted => style(text).dim(),
        Tone::Judge => style(text).magenta().bold(),
    }
}

/// Shows the slow, one-time set-up steps (building and compiling the runner
/// image) as they happen: a spinner on a terminal, a plain line otherwise, so
/// that CI logs also say why the first run takes a while.
pub(crate) struct SetupProgress {
    spinner: Option<ProgressBar>,
}

impl SetupProgress {
    pub(crate) fn new() -> SetupProgress {
        SetupProgress { spinner: None }
    }

    /// A step of making the C/C++ toolchain of native checkers ready.
    pub(crate) fn toolchain(&mut self, step: gavel_judge::native::ToolchainStep) {
        use gavel_judge::native::ToolchainStep;
        let message = match step {
            ToolchainStep::Installing { package } => format!(
                "installing `{package}`, the C/C++ compiler of native checkers, with pip (once per machine)"
            ),
            ToolchainStep::BuildingLibraries => {
                "building the C and C++ libraries of native checkers for WebAssembly (once per machine, about a minute)".to_owned()
            }
            ToolchainStep::Ready => {
                if let Some(spinner) = self.spinner.take() {
                    spinner.finish_and_clear();
                }
                return;
            }
        };
        self.show(message);
    }

    pub(crate) fn step(&mut self, step: BuildStep) {
        let message = match step {
            BuildStep::InstallingTool { tool } => {
                format!("installing the image build tool `{tool}` with pip (once per machine)")
            }
            BuildStep::Downloading { package } => {
                format!(
                    "downloading `{package}` with pip (once per machine; the scientific image's is about 98 MB)"
                )
            }
            BuildStep::Building { name } => {
                format!("building the runner image `{name}` (once per machine)")
            }
            BuildStep::Compiling => {
                "compiling the runner image to native code (once per image)".to_owned()
            }
        };
        self.show(message);
    }

    fn show(&mut self, message: String) {
        if stderr_is_tty() {
            let spinner = self
                .spinner
                .get_or_insert_with(|| spinner("{spinner:.cyan} {msg} [{elapsed}]"));
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

/// A spinner that ticks on its own.
pub(crate) fn spinner(template: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A progress bar for long work on a terminal; on anything else, silent but
/// for the lines printed through it.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub(crate) fn new(len: u64, what: &str) -> Progress {
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

    /// A progress indicator that only prints lines (no bar).
    pub(crate) fn hidden() -> Progress {
        Progress { bar: None }
    }

    pub(crate) fn set_length(&self, len: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(len);
        }
    }

    pub(crate) fn set_message(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_owned());
        }
    }

    pub(crate) fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Prints a line to stdout without garbling the bar.
    pub(crate) fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| println!("{line}")),
            None => println!("{line}"),
        }
    }

    /// Prints a line to stderr without garbling the bar.
    pub(crate) fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
