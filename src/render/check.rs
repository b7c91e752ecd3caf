//! `gavel check` for people: a line per exercise as it is checked.

use super::{Progress, safe_line};
use console::style;
use gavel_judge::validate::{BlessedKind, Blessing, CheckReport, ExerciseCheck};
use gavel_judge::{Event, Reporter};

/// Reports a check while it runs.
pub(crate) struct Live {
    progress: Progress,
    quiet: bool,
}

impl Live {
    /// `quiet`: no line per exercise (for `--json`).
    pub(crate) fn new(exercises: usize, quiet: bool) -> Live {
        Live {
            progress: if quiet {
                Progress::hidden()
            } else {
                Progress::new(exercises as u64, "checking")
            },
            quiet,
        }
    }

    /// Ends the progress bar.
    pub(crate) fn finish(&self) {
        self.progress.finish();
    }
}

impl Reporter for Live {
    fn report(&self, event: Event<'_>) {
        if let Event::ExerciseChecked { check } = event {
            if !self.quiet {
                self.progress.println(&line(check));
            }
            self.progress.inc();
        }
    }
}

fn line(check: &ExerciseCheck) -> String {
    let mark = if check.ok {
        style("ok  ").green().bold()
    } else {
        style("FAIL").red().bold()
    };
    let reference = check
        .reference
        .as_ref()
        .map_or("-".to_owned(), |r| r.verdict.code().to_owned());
    let bad_ok = check.known_bad.iter().filter(|k| k.ok).count();
    let margin = check
        .min_margin()
        .map_or("-".to_owned(), |m| format!("{m:.1}x"));
    let mut text = format!(
        "{mark} {:<28} reference {reference:<3} known-bad {bad_ok}/{} as declared · min fuel margin {margin}",
        safe_line(&check.id),
        check.known_bad.len(),
    );
    for error in &check.errors {
        text.push_str(&format!(
            "\n       {} {}",
            style("error:").red(),
            safe_line(error)
        ));
    }
    if let Some(reference) = &check.reference {
        for failure in &reference.failures {
            for line in super::submission::test_lines(failure, 0).lines() {
                text.push_str(&format!("\n     {line}"));
            }
        }
    }
    for warning in &check.warnings {
        text.push_str(&format!(
            "\n       {} {}",
            style("warning:").yellow(),
            safe_line(warning)
        ));
    }
    text
}

/// What `--bless` changed, exercise by exercise (nothing for an exercise
/// left as it was).
pub(crate) fn blessed(blessings: &[Blessing]) {
    let mut changed = 0;
    for blessing in blessings {
        if blessing.changes.is_empty() && blessing.errors.is_empty() && blessing.notes.is_empty() {
            continue;
        }
        eprintln!(
            "{} {}",
            style("bless").cyan().bold(),
            safe_line(&blessing.id)
        );
        for change in &blessing.changes {
            changed += 1;
            match change.kind {
                BlessedKind::Expected => {
                    eprintln!(
                        "      {}: expected output rewritten in {}",
                        safe_line(&change.test),
                        safe_line(&change.file)
                    );
                    eprintln!("        {}", style("--- before  +++ after").dim());
                    for line in gavel_exercise::diff::render(&change.diff).lines() {
                        let styled = match line.chars().next() {
                            Some('-') => style(line).red(),
                            Some('+') => style(line).green(),
                            _ => style(line),
                        };
                        eprintln!("        {styled}");
                    }
                }
                BlessedKind::Sha256 => eprintln!(
                    "      {}: sha256 {} -> {} in {}",
                    safe_line(&change.test),
                    change.old.as_deref().map_or("(none)", short),
                    short(&change.new),
                    safe_line(&change.file)
                ),
            }
        }
        for error in &blessing.errors {
            eprintln!("      {} {}", style("error:").red(), safe_line(error));
        }
        for note in &blessing.notes {
            eprintln!("      {} {}", style("note:").dim(), safe_line(note));
        }
    }
    eprintln!(
        "{}",
        style(format!(
            "{} blessed; checking",
            super::counted_noun(changed, "change")
        ))
        .bold()
    );
}

fn short(digest: &str) -> &str {
    &digest[..digest.len().min(12)]
}

/// The last line: how many were checked and failed.
pub(crate) fn summary(report: &CheckReport) {
    let failed = report.exercises.iter().filter(|c| !c.ok).count();
    let summary = format!(
        "{} checked, {failed} failed",
        super::counted_noun(report.exercises.len(), "exercise")
    );
    if report.ok {
        eprintln!("{}", style(summary).green().bold());
    } else {
        eprintln!("{}", style(summary).red().bold());
    }
}
