//! `gavel test` and `gavel submit` for people: each test as it finishes (with
//! a spinner on a terminal while tests run), the details of every failing
//! test that may be shown, and the verdict with the hashes that replay it.

use super::{safe, safe_line, verdict};
use console::style;
use gavel_core::limits::human_fuel;
use gavel_core::text::clip;
use gavel_exercise::{Verdict, Visibility};
use gavel_judge::{JudgeProgress, Message, Side, SubmissionResult, TestResult, points};
use indicatif::ProgressBar;
use std::io::Write;
use std::sync::Mutex;

/// Prints tests as the engine reports them, and at the end those it
/// reports only with the result (hidden tests).
pub(crate) struct Live {
    spinner: Option<ProgressBar>,
    width: usize,
    state: Mutex<Progress>,
}

struct Progress {
    printed: std::collections::HashSet<String>,
    tests: usize,
}

impl Live {
    /// Starts the live view of a submission of the tests named `names`.
    pub(crate) fn new(title: &str, exercise: &str, catalog: &str, names: &[&str]) -> Live {
        Live::counted(title, exercise, catalog, names, names.len())
    }

    /// Starts the live view of a submission of `tests` tests, of which those
    /// named `names` are known (and aligned).
    pub(crate) fn counted(
        title: &str,
        exercise: &str,
        catalog: &str,
        names: &[&str],
        tests: usize,
    ) -> Live {
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        println!(
            "{} · {} {}",
            style(exercise).bold(),
            safe_line(title),
            style(format!("({catalog})")).dim()
        );
        let spinner = super::stderr_is_tty().then(|| {
            let bar = super::spinner("{spinner:.cyan} {msg} [{elapsed}]");
            bar.set_message(format!("running {tests} tests"));
            bar
        });
        Live {
            spinner,
            width,
            state: Mutex::new(Progress {
                printed: std::collections::HashSet::new(),
                tests,
            }),
        }
    }

    fn print(&self, text: &str) {
        match &self.spinner {
            Some(bar) => bar.suspend(|| println!("{text}")),
            None => println!("{text}"),
        }
    }

    /// Says where the submission is (`queued`, `running`) on the spinner.
    pub(crate) fn status(&self, status: &str) {
        if let Some(bar) = &self.spinner {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            bar.set_message(format!(
                "{status}: {}/{} tests done",
                state.printed.len(),
                state.tests
            ));
        }
    }

    /// Ends the live view with the tests of `result` not printed yet.
    pub(crate) fn finish(&self, result: &SubmissionResult) {
        for test in &result.tests {
            if test.verdict != Verdict::CompileError {
                self.test(test);
            }
        }
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
    }

    /// Ends the live view without a result.
    pub(crate) fn abandon(&self) {
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
    }

    /// Prints a test, once.
    fn test(&self, test: &TestResult) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !state.printed.insert(test.name.clone()) {
            return;
        }
        self.print(&test_lines(test, self.width));
        if let Some(bar) = &self.spinner {
            bar.set_message(format!(
                "{}/{} tests done",
                state.printed.len(),
                state.tests
            ));
        }
    }
}

impl JudgeProgress for Live {
    fn test_finished(&self, test: &TestResult) {
        self.test(test);
    }
}

/// One test: its line, then (for a failure whose details may be shown) the
/// call or input, the values, the message, the end of the traceback, the
/// transcript, the diff, the captured output and a hint.
pub(crate) fn test_lines(test: &TestResult, width: usize) -> String {
    let mut out = headline(test, width);
    if let Some(call) = &test.call {
        out.push_str(&format!(
            "\n      {} {}",
            style("call:    ").dim(),
            safe_line(call)
        ));
    }
    if let Some(input) = &test.input {
        out.push_str(&block("input", input));
    }
    if test.returned.is_some() {
        for (label, value) in [("expected:", &test.expected), ("returned:", &test.returned)] {
            if let Some(value) = value {
                out.push_str(&format!(
                    "\n      {} {}",
                    style(label).dim(),
                    safe_line(&clip(value, SHOWN_VALUE))
                ));
            }
        }
    }
    if let Some(message) = &test.message {
        out.push_str(&format!("\n      {}", safe_line(message)));
    }
    if let Some(error) = test.error.as_ref().filter(|e| !e.traceback.is_empty()) {
        let lines: Vec<&str> = error.traceback.lines().collect();
        for line in &lines[lines.len().saturating_sub(6)..] {
            out.push_str(&format!("\n      {}", style(safe(line)).dim()));
        }
    }
    if test.verdict != Verdict::Accepted && !test.transcript.is_empty() {
        out.push_str(&transcript_lines(&test.transcript));
    }
    out.push_str(&diff_lines(test));
    out.push_str(&captured(test));
    if let Some(hint) = &test.hint {
        out.push_str(&format!(
            "\n      {} {}",
            style("hint:").yellow().bold(),
            safe_line(hint)
        ));
    }
    out
}

/// A test's first line: verdict, name, and the resources a public test used.
fn headline(test: &TestResult, width: usize) -> String {
    let hidden = if test.visibility == Visibility::Hidden {
        " (hidden)"
    } else {
        ""
    };
    let resources = match (test.fuel, test.fuel_limit) {
        (Some(fuel), Some(limit)) => format!(
            "  {} / {} fuel · {:.1} ms · {:.1} MiB{}",
            human_fuel(fuel),
            human_fuel(limit),
            test.wall_ms.unwrap_or(0.0),
            test.peak_memory_bytes.unwrap_or(0) as f64 / (1024.0 * 1024.0),
            test.limit.map(|l| format!(" ({l})")).unwrap_or_default(),
        ),
        _ => String::new(),
    };
    let name = safe_line(&test.name);
    // Aligns the resources of public tests; a hidden test's line ends at its name.
    let pad = if resources.is_empty() {
        0
    } else {
        width.saturating_sub(name.chars().count())
    };
    format!(
        "  {:<3} {name}{}{:pad$}{resources}",
        verdict(test.verdict),
        style(hidden).dim(),
        "",
    )
}

/// Expected against actual, unless two one-line values already show it.
fn diff_lines(test: &TestResult) -> String {
    let mut out = String::new();
    let plain = test.returned.is_some() && test.diff.len() <= 2;
    if test.diff.is_empty() || plain {
        return out;
    }
    out.push_str(&format!(
        "\n      {}",
        style("--- expected  +++ yours").dim()
    ));
    for line in &test.diff {
        let text = format!("{} {}", line.tag, line.text);
        let styled = match line.tag {
            '-' => style(text).red(),
            '+' => style(text).green(),
            _ => style(text).dim(),
        };
        out.push_str(&format!("\n      {styled}"));
    }
    out
}

/// A failed test's captured output: a function's stdout (not its answer)
/// and stderr; a script's stdout is in the diff already.
fn captured(test: &TestResult) -> String {
    let mut out = String::new();
    if test.verdict == Verdict::Accepted {
        return out;
    }
    if test.call.is_some()
        && let Some(stdout) = test.stdout.as_deref().filter(|s| !s.is_empty())
    {
        out.push_str(&block("captured stdout", stdout));
    }
    if let Some(stderr) = test.stderr.as_deref().filter(|s| !s.is_empty()) {
        out.push_str(&block("captured stderr", stderr));
    }
    out
}

/// Characters of an expected or returned value shown on its line.
const SHOWN_VALUE: usize = 160;

/// Lines of an input or captured output shown.
const SHOWN_LINES: usize = 8;

/// A labelled block of text, its first lines indented under the label.
fn block(label: &str, text: &str) -> String {
    let mut out = format!("\n      {}", style(format!("{label}:")).dim());
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(SHOWN_LINES) {
        out.push_str(&format!(
            "\n        {}",
            safe_line(&clip(line, SHOWN_VALUE))
        ));
    }
    if lines.len() > SHOWN_LINES {
        out.push_str(&format!(
            "\n        {}",
            style(format!("… {} more lines", lines.len() - SHOWN_LINES)).dim()
        ));
    }
    out
}

/// Messages of a transcript shown at most; the end matters most (where the
/// exchange went wrong), so the start is the part left out.
const TRANSCRIPT_SHOWN: usize = 20;

/// An interaction, one line per line sent: `>` what the program sent, `<`
/// what the interactor answered.
fn transcript_lines(transcript: &[Message]) -> String {
    let mut lines: Vec<(Side, &str)> = Vec::new();
    for message in transcript {
        lines.extend(message.text.lines().map(|line| (message.from, line)));
    }
    let mut out = format!(
        "\n      {}",
        style("transcript (> yours, < the interactor's)").dim()
    );
    let skipped = lines.len().saturating_sub(TRANSCRIPT_SHOWN);
    if skipped > 0 {
        out.push_str(&format!(
            "\n      {}",
            style(format!("… {skipped} earlier lines")).dim()
        ));
    }
    for (from, line) in &lines[skipped..] {
        let text = match from {
            Side::Program => style(format!("> {}", safe_line(line))).cyan(),
            Side::Interactor => style(format!("< {}", safe_line(line))).dim(),
        };
        out.push_str(&format!("\n      {text}"));
    }
    out
}

/// The end of a submission, on the terminal (see [`write_summary`]).
pub(crate) fn summary(result: &SubmissionResult) {
    let _ = write_summary(&mut std::io::stdout().lock(), result);
}

/// The end of a submission: a compile error (once), the groups, the hidden
/// tests together, and the verdict with the hashes that replay it.
pub(crate) fn write_summary(out: &mut dyn Write, result: &SubmissionResult) -> std::io::Result<()> {
    if let Some(error) = &result.compile_error {
        writeln!(
            out,
            "  {} {}",
            verdict(Verdict::CompileError),
            safe_line(&error.to_string())
        )?;
        for line in error.traceback.lines() {
            writeln!(out, "      {}", safe(line))?;
        }
    }
    for group in &result.groups {
        let why = group
            .skipped
            .as_deref()
            .map(|why| format!(" · {}", safe_line(why)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {:<3} {}/{} points{why}",
            style(format!("group {}:", safe_line(&group.name))).dim(),
            verdict(group.verdict),
            points::show(group.points),
            group.max_points,
        )?;
    }
    if let Some(hidden) = &result.hidden {
        let accepted = hidden
            .accepted
            .map(|a| format!("{a}/{} accepted · ", hidden.tests))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {accepted}{}/{} points · used at most {}% of their fuel budgets and {}% of their memory",
            style(format!("hidden tests ({}):", hidden.tests)).dim(),
            points::show(hidden.points),
            hidden.max_points,
            hidden.fuel_percent,
            hidden.memory_percent,
        )?;
    }
    if let Some(efficiency) = &result.complexity {
        writeln!(out, "  {}", efficiency.summary)?;
    }
    writeln!(
        out,
        "{} {} · {}/{} points · source {} · image {}",
        style("verdict:").bold(),
        verdict(result.verdict),
        points::show(result.points),
        result.max_points,
        &result.source_sha256[..12.min(result.source_sha256.len())],
        &result.image_sha256[..12.min(result.image_sha256.len())],
    )
}

/// After `submit` in a candidate pack: what the verdict does not cover.
pub(crate) fn pack_note() {
    eprintln!(
        "{} this pack holds the public tests only: your submission is also judged on hidden tests, by the hiring team (on their server, or when they grade your work)",
        style("note:").cyan().bold()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_exercise::diff::DiffLine;
    use gavel_judge::{GroupResult, HiddenSummary};

    fn rendered(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
        console::set_colors_enabled(false);
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn result() -> SubmissionResult {
        let mut wrong = TestResult::bare(
            "02-middle".to_owned(),
            Visibility::Public,
            None,
            Verdict::WrongAnswer,
            0.0,
            1,
        );
        wrong.call = Some("two_sum([3, 2, 4], 6)".to_owned());
        wrong.expected = Some("[1, 2]".to_owned());
        wrong.returned = Some("[0, 0]".to_owned());
        wrong.message = Some("[0]: expected `1`, found `0`".to_owned());
        wrong.diff = vec![
            DiffLine {
                tag: ' ',
                text: "[".to_owned(),
            },
            DiffLine {
                tag: '-',
                text: "  1,".to_owned(),
            },
            DiffLine {
                tag: '+',
                text: "  0,".to_owned(),
            },
            DiffLine {
                tag: ' ',
                text: "]".to_owned(),
            },
        ];
        wrong.stdout = Some("debug\n".to_owned());
        wrong.fuel = Some(1_500_000);
        wrong.fuel_limit = Some(100_000_000);
        wrong.wall_ms = Some(3.0);
        wrong.peak_memory_bytes = Some(16 << 20);
        SubmissionResult {
            exercise: "two-sum".to_owned(),
            verdict: Verdict::WrongAnswer,
            points: 12.0,
            max_points: 16,
            score: 0.75,
            compile_error: None,
            tests: vec![
                wrong,
                TestResult::bare(
                    "04-negative".to_owned(),
                    Visibility::Hidden,
                    Some("large".to_owned()),
                    Verdict::TimeLimit,
                    0.0,
                    1,
                ),
            ],
            groups: vec![GroupResult {
                name: "large".to_owned(),
                verdict: Verdict::TimeLimit,
                points: 0.0,
                max_points: 3,
                skipped: None,
            }],
            hidden: Some(HiddenSummary {
                tests: 11,
                accepted: Some(10),
                points: 10.0,
                max_points: 13,
                fuel_percent: 100,
                memory_percent: 10,
            }),
            disclosure: gavel_exercise::Disclosure::Verdicts,
            source_sha256: "6af4c3686b51aaaa".to_owned(),
            image_sha256: "a32bc0a0939ebbbb".to_owned(),
            native_sha256: None,
            complexity: None,
        }
    }

    #[test]
    fn a_submission_reads_as_its_tests_then_its_summary() {
        let result = result();
        let text = rendered(|out| {
            for test in &result.tests {
                writeln!(out, "{}", test_lines(test, 11))?;
            }
            write_summary(out, &result)
        });
        insta::assert_snapshot!(text);
    }
}
