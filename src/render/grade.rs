//! `gavel grade` for people: a progress bar, a line per graded submission,
//! and a summary per candidate naming missing work and files not graded.

use super::{Progress, safe_line, tone, verdict};
use console::style;
use gavel_exercise::{Tone, Verdict};
use gavel_judge::batch::{GradeSummary, Status};
use gavel_judge::{Event, Reporter, points};

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

impl Reporter for Live {
    fn report(&self, event: Event<'_>) {
        match event {
            Event::Preparing { exercise } => {
                self.progress.set_message(&format!("preparing {exercise}"))
            }
            Event::BatchPlanned { to_grade, reused } => {
                self.progress.set_length(to_grade as u64);
                if reused > 0 {
                    self.progress.eprintln(&format!(
                        "gavel: {reused} result(s) already in the report folder, {to_grade} to grade"
                    ));
                }
            }
            Event::SubmissionFinished {
                file: Some(file),
                result,
                reused: false,
                ..
            } => {
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
            _ => {}
        }
    }
}

/// The summary: a line per candidate, then what was not graded.
pub(crate) fn summary(summary: &GradeSummary) {
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
            .filter(|s| **s == Status::Graded(Verdict::Accepted))
            .count();
        let missing: Vec<&str> = c
            .verdicts
            .iter()
            .filter(|(_, s)| **s == Status::Missing)
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
        println!("{line}");
    }
    let problems: Vec<String> = summary
        .problems
        .iter()
        .chain(summary.candidates.iter().flat_map(|c| &c.problems))
        .map(|p| safe_line(&p.to_string()).into_owned())
        .collect();
    if !problems.is_empty() {
        println!("{}", style("not graded:").bold());
        for problem in problems {
            println!("  {problem}");
        }
    }
    if !summary.similar.is_empty() {
        let identical = summary.similar.iter().filter(|p| p.identical).count();
        eprintln!(
            "{} {} pairs of submissions look alike ({identical} identical): see report.html (a signal to look at, not a verdict)",
            style("similar:").yellow().bold(),
            summary.similar.len(),
        );
    }
    eprintln!(
        "reports: {} (results.json, results.csv, junit.xml, report.html, feedback/ for each candidate)",
        safe_line(&summary.out.display().to_string())
    );
}
