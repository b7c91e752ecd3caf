//! `gavel grade` for people: a progress bar, a line per graded submission,
//! and a summary per candidate naming missing work and files not graded.

use super::{Progress, safe_line, tone, verdict};
use console::style;
use gavel_exercise::{Tone, Verdict};
use gavel_judge::batch::GradeProgress;
use gavel_judge::summary::{ExerciseStatus, GradeSummary};
use gavel_judge::{SubmissionResult, points};
use std::io::Write;

/// Reports a batch while it runs.
pub(crate) struct Live {
    progress: Progress,
    quiet: bool,
}

impl Live {
    /// `quiet`: no line per submission (for `--json`).
    pub(crate) fn new(quiet: bool) -> Live {
        Live {
            progress: if quiet {
                Progress::hidden()
            } else {
                Progress::new(0, "grading")
            },
            quiet,
        }
    }

    /// Ends the progress bar.
    pub(crate) fn finish(&self) {
        self.progress.finish();
    }
}

impl GradeProgress for Live {
    fn preparing(&self, exercise: &str) {
        self.progress.set_message(&format!("preparing {exercise}"));
    }

    fn planned(&self, to_grade: usize, reused: usize) {
        self.progress.set_length(to_grade as u64);
        if reused > 0 {
            self.progress.eprintln(&format!(
                "gavel: {reused} result(s) already in the report folder, {to_grade} to grade"
            ));
        }
    }

    fn graded(&self, file: &str, result: &SubmissionResult) {
        if !self.quiet {
            self.progress.println(&format!(
                "{:<3} {:>4}/{:<4} {}",
                verdict(result.verdict),
                points::show(result.points),
                result.max_points,
                safe_line(file)
            ));
        }
        self.progress.inc();
    }
}

/// The summary on the terminal (see [`write_summary`]).
pub(crate) fn summary(summary: &GradeSummary) {
    let _ = write_summary(
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
        summary,
    );
}

/// The summary: a line per candidate, then what was not graded (to `out`);
/// the similar pairs and where the reports are (to `notes`).
pub(crate) fn write_summary(
    out: &mut dyn Write,
    notes: &mut dyn Write,
    summary: &GradeSummary,
) -> std::io::Result<()> {
    let width = summary
        .candidates
        .iter()
        .map(|c| c.candidate.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 40);
    for c in &summary.candidates {
        let accepted = c
            .verdicts
            .values()
            .filter(|s| **s == ExerciseStatus::Graded(Verdict::Accepted))
            .count();
        let missing: Vec<&str> = c
            .verdicts
            .iter()
            .filter(|(_, s)| **s == ExerciseStatus::Missing)
            .map(|(id, _)| id.as_str())
            .collect();
        let mut line = format!(
            "{:<width$} {:>6}/{:<4} points · {accepted}/{} accepted",
            style(safe_line(&c.candidate)).bold(),
            points::show(c.points),
            c.max_points,
            summary.exercises.len(),
        );
        if !missing.is_empty() {
            line.push_str(&format!(
                " · {} {}",
                tone("missing:", Tone::Bad),
                missing.join(", ")
            ));
        }
        if !c.problems.is_empty() {
            line.push_str(&format!(" · {} file(s) not graded", c.problems.len()));
        }
        writeln!(out, "{line}")?;
    }
    let problems: Vec<String> = summary
        .problems
        .iter()
        .chain(summary.candidates.iter().flat_map(|c| &c.problems))
        .map(|p| safe_line(&p.to_string()).into_owned())
        .collect();
    if !problems.is_empty() {
        writeln!(out, "{}", style("not graded:").bold())?;
        for problem in problems {
            writeln!(out, "  {problem}")?;
        }
    }
    if !summary.similar.is_empty() {
        let identical = summary.similar.iter().filter(|p| p.identical).count();
        writeln!(
            notes,
            "{} {} pairs of submissions look alike ({identical} identical): see report.html (a signal to look at, not a verdict)",
            style("similar:").yellow().bold(),
            summary.similar.len(),
        )?;
    }
    writeln!(
        notes,
        "reports: {} (results.json, results.csv, junit.xml, report.html, feedback/ for each candidate)",
        safe_line(&summary.out.display().to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_judge::homework::Problem;
    use gavel_judge::summary::CandidateSummary;
    use std::collections::BTreeMap;

    #[test]
    fn a_batch_summary_names_missing_work_and_files_not_graded() {
        console::set_colors_enabled(false);
        let candidate =
            |name: &str, points: f64, verdicts: &[(&str, ExerciseStatus)]| CandidateSummary {
                candidate: name.to_owned(),
                points,
                max_points: 32,
                verdicts: verdicts
                    .iter()
                    .map(|(id, s)| ((*id).to_owned(), *s))
                    .collect(),
                exercise_points: BTreeMap::new(),
                efficiency: BTreeMap::new(),
                problems: Vec::new(),
            };
        let mut bob = candidate(
            "bob",
            16.0,
            &[
                ("two-sum", ExerciseStatus::Graded(Verdict::Accepted)),
                ("fibonacci", ExerciseStatus::Missing),
            ],
        );
        bob.problems.push(Problem {
            file: "bob/two_sum.py".to_owned(),
            reason: "not an exercise id".to_owned(),
            suggestion: Some("two-sum".to_owned()),
        });
        let summary = GradeSummary {
            out: "report".into(),
            exercises: vec!["fibonacci".to_owned(), "two-sum".to_owned()],
            candidates: vec![
                candidate(
                    "ada",
                    29.5,
                    &[
                        ("two-sum", ExerciseStatus::Graded(Verdict::Accepted)),
                        ("fibonacci", ExerciseStatus::Graded(Verdict::WrongAnswer)),
                    ],
                ),
                bob,
            ],
            problems: Vec::new(),
            similar: Vec::new(),
        };
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        write_summary(&mut out, &mut notes, &summary).unwrap();
        let text = format!(
            "{}---\n{}",
            String::from_utf8(out).unwrap(),
            String::from_utf8(notes).unwrap()
        );
        insta::assert_snapshot!(text);
    }
}
