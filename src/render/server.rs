//! What the server commands print for people: submissions, a fetched
//! exercise, admin listings.

use super::{counted_noun, safe_line, verdict};
use console::style;
use gavel_api::shapes::SubmissionInfo;
use gavel_judge::points;
use gavel_server::store::{CandidateRow, QueueStatus};
use std::path::Path;

/// A line per submission, newest first.
pub(crate) fn submissions(list: &[SubmissionInfo], server: &str) {
    let width = list.iter().map(|s| s.exercise.len()).max().unwrap_or(0);
    for s in list {
        let outcome = match (s.verdict, s.points, s.max_points) {
            (Some(v), Some(p), Some(m)) => {
                format!("{:<3} {}/{m} points", verdict(v), points::show(p))
            }
            _ => style(s.status.name()).dim().to_string(),
        };
        println!(
            "{:>6}  {:<width$}  {}  {}",
            s.id,
            safe_line(&s.exercise),
            style(&s.submitted_at).dim(),
            outcome
        );
    }
    eprintln!("{} submissions to {server}", list.len());
}

/// Where a fetched exercise went, and what to do next.
pub(crate) fn fetched(id: &str, dir: &Path, unpacked: &gavel_api::shapes::Unpacked) {
    let starter = &unpacked.starter;
    eprintln!(
        "wrote {} (statement, public tests)",
        unpacked.exercise_dir.display()
    );
    if unpacked.wrote_starter {
        eprintln!("wrote the starter to {}", starter.display());
    } else {
        eprintln!("kept {} (it exists)", starter.display());
    }
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", dir.display())
    };
    eprintln!(
        "next: {cd}gavel test {id} {}",
        starter
            .file_name()
            .map(|f| f.to_string_lossy())
            .unwrap_or_default()
    );
}

/// The invited candidates.
pub(crate) fn candidates(list: &[CandidateRow]) {
    let width = list
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0);
    for c in list {
        let revoked = c
            .revoked_at
            .as_deref()
            .map(|r| format!(" · revoked {r}"))
            .unwrap_or_default();
        println!(
            "{:<width$}  invited {}  {}{}",
            safe_line(&c.name),
            c.invited_at,
            counted_noun(c.submissions as usize, "submission"),
            style(revoked).red()
        );
    }
    eprintln!("{}", counted_noun(list.len(), "candidate"));
}

/// The queue and the candidates.
pub(crate) fn status(status: &QueueStatus) {
    println!(
        "queue: {} queued, {} running, {} done",
        status.queued, status.running, status.done
    );
    println!(
        "candidates: {} invited, {} revoked",
        status.candidates, status.revoked
    );
    for (exercise, count) in &status.per_exercise {
        println!("  {:<30} {count} submissions", safe_line(exercise));
    }
}
