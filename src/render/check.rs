//! `gavel check` for people: a line per exercise as it is checked.

use super::{Progress, safe_line};
use console::style;
use gavel_judge::validate::{BlessedKind, Blessing, CatalogCheck, CheckProgress, ExerciseCheck};
use std::io::Write;

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

impl CheckProgress for Live {
    fn checked(&self, check: &ExerciseCheck) {
        if !self.quiet {
            self.progress.println(&line(check));
        }
        self.progress.inc();
    }
}

/// An exercise's line, with its errors, failures and warnings below.
pub(crate) fn line(check: &ExerciseCheck) -> String {
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
    if let Some(efficiency) = &check.complexity {
        let class = efficiency
            .detected
            .map_or("inconclusive".to_owned(), |c| c.to_string());
        text.push_str(&format!(" · reference {class}"));
    }
    if let Some(mutants) = &check.mutants {
        text.push_str(&format!(
            " · {} mutants ({} equivalent)",
            mutants.generated, mutants.equivalent
        ));
    }
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

/// What `--bless` changed, on the terminal (see [`write_blessed`]).
pub(crate) fn blessed(blessings: &[Blessing]) {
    let _ = write_blessed(&mut std::io::stderr().lock(), blessings);
}

/// What `--bless` changed, exercise by exercise (nothing for an exercise
/// left as it was).
pub(crate) fn write_blessed(out: &mut dyn Write, blessings: &[Blessing]) -> std::io::Result<()> {
    let mut changed = 0;
    for blessing in blessings {
        if blessing.changes.is_empty() && blessing.errors.is_empty() && blessing.notes.is_empty() {
            continue;
        }
        writeln!(
            out,
            "{} {}",
            style("bless").cyan().bold(),
            safe_line(&blessing.id)
        )?;
        for change in &blessing.changes {
            changed += 1;
            write_change(out, change)?;
        }
        for error in &blessing.errors {
            writeln!(out, "      {} {}", style("error:").red(), safe_line(error))?;
        }
        for note in &blessing.notes {
            writeln!(out, "      {} {}", style("note:").dim(), safe_line(note))?;
        }
    }
    writeln!(
        out,
        "{}",
        style(format!(
            "{} blessed; checking",
            super::counted_noun(changed, "change")
        ))
        .bold()
    )
}

fn write_change(
    out: &mut dyn Write,
    change: &gavel_judge::validate::BlessedChange,
) -> std::io::Result<()> {
    match change.kind {
        BlessedKind::Expected => {
            writeln!(
                out,
                "      {}: expected output rewritten in {}",
                safe_line(&change.test),
                safe_line(&change.file)
            )?;
            writeln!(out, "        {}", style("--- before  +++ after").dim())?;
            for line in gavel_exercise::diff::render(&change.diff).lines() {
                let styled = match line.chars().next() {
                    Some('-') => style(line).red(),
                    Some('+') => style(line).green(),
                    _ => style(line),
                };
                writeln!(out, "        {styled}")?;
            }
            Ok(())
        }
        BlessedKind::Sha256 => writeln!(
            out,
            "      {}: sha256 {} -> {} in {}",
            safe_line(&change.test),
            change.old.as_deref().map_or("(none)", short),
            short(&change.new),
            safe_line(&change.file)
        ),
    }
}

fn short(digest: &str) -> &str {
    &digest[..digest.len().min(12)]
}

/// The last line, on the terminal (see [`write_summary`]).
pub(crate) fn summary(report: &CatalogCheck) {
    let _ = write_summary(&mut std::io::stderr().lock(), report);
}

/// The last line: how many were checked and failed.
pub(crate) fn write_summary(out: &mut dyn Write, report: &CatalogCheck) -> std::io::Result<()> {
    let failed = report.exercises.iter().filter(|c| !c.ok).count();
    let summary = format!(
        "{} checked, {failed} failed",
        super::counted_noun(report.exercises.len(), "exercise")
    );
    if report.ok {
        writeln!(out, "{}", style(summary).green().bold())
    } else {
        writeln!(out, "{}", style(summary).red().bold())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_exercise::Verdict;
    use gavel_judge::validate::{KnownBadCheck, MarginCheck, ReferenceCheck};

    #[test]
    fn a_check_reads_as_a_line_per_exercise_and_a_total() {
        console::set_colors_enabled(false);
        let mut good = ExerciseCheck::new("two-sum".to_owned());
        good.reference = Some(ReferenceCheck {
            verdict: Verdict::Accepted,
            failed_tests: Vec::new(),
            failures: Vec::new(),
        });
        good.known_bad.push(KnownBadCheck {
            file: "submissions/time_limit/quadratic.py".to_owned(),
            expected: Verdict::TimeLimit,
            got: Verdict::TimeLimit,
            ok: true,
            complexity: None,
        });
        good.margins.push(MarginCheck {
            test: "90-large".to_owned(),
            reference_fuel: 221_057_357,
            fuel_limit: 663_172_071,
            margin: 3.0,
        });
        let mut bad = ExerciseCheck::not_loaded(
            "broken".to_owned(),
            vec!["does not load: exercise.toml:3: unknown field `colour`".to_owned()],
        );
        bad.warnings
            .push("hidden test `07-20`: its name contains `20`".to_owned());
        let report = CatalogCheck {
            ok: false,
            exercises: vec![bad, good],
        };
        let mut out = Vec::new();
        for check in &report.exercises {
            writeln!(out, "{}", line(check)).unwrap();
        }
        write_summary(&mut out, &report).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }
}
