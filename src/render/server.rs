//! What the server commands print for people: submissions, a fetched
//! exercise, admin listings.

use super::{counted_noun, safe_line, verdict};
use console::style;
use gavel_api::shapes::SubmissionInfo;
use gavel_judge::points;
use gavel_server::store::{CandidateRow, QueueStatus};
use std::io::Write;
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

/// The queue, the candidates and the workers.
pub(crate) fn status(status: &QueueStatus) {
    let _ = write_status(&mut std::io::stdout().lock(), status);
}

fn write_status(out: &mut dyn Write, status: &QueueStatus) -> std::io::Result<()> {
    writeln!(
        out,
        "queue: {} queued, {} running, {} done",
        status.queued, status.running, status.done
    )?;
    writeln!(
        out,
        "candidates: {} invited, {} revoked",
        status.candidates, status.revoked
    )?;
    for (exercise, count) in &status.per_exercise {
        writeln!(out, "  {:<30} {count} submissions", safe_line(exercise))?;
    }
    if status.workers.is_empty() {
        let none = format!(
            "workers: none seen in the last {} s",
            gavel_server::store::WORKER_SEEN.as_secs()
        );
        return writeln!(out, "{}", style(none).yellow());
    }
    writeln!(out, "workers: {}", status.workers.len())?;
    let width = status
        .workers
        .iter()
        .map(|w| w.id.chars().count())
        .max()
        .unwrap_or(0);
    for worker in &status.workers {
        writeln!(
            out,
            "  {:<width$}  {} in flight  last seen {}  {}",
            safe_line(&worker.id),
            worker.in_flight,
            worker.last_seen,
            style(format!(
                "on {} since {}",
                safe_line(&worker.host),
                worker.started_at
            ))
            .dim()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_server::store::WorkerInfo;

    #[test]
    fn the_status_lists_the_queue_and_the_workers() {
        console::set_colors_enabled(false);
        let mut status = QueueStatus {
            queued: 3,
            running: 2,
            done: 40,
            candidates: 12,
            revoked: 1,
            ..QueueStatus::default()
        };
        status.per_exercise.insert("two-sum".into(), 30);
        status.per_exercise.insert("fizzbuzz".into(), 15);
        status.workers = vec![
            WorkerInfo {
                id: "serve".into(),
                host: "serve".into(),
                started_at: "2026-12-06T09:00:00.000Z".into(),
                last_seen: "2026-12-06T10:00:01.000Z".into(),
                in_flight: 1,
            },
            WorkerInfo {
                id: "judge-2:4242:0a1b".into(),
                host: "judge-2".into(),
                started_at: "2026-12-06T09:30:00.000Z".into(),
                last_seen: "2026-12-06T10:00:03.000Z".into(),
                in_flight: 1,
            },
        ];
        let mut out = Vec::new();
        write_status(&mut out, &status).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
        let mut out = Vec::new();
        write_status(&mut out, &QueueStatus::default()).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }
}
