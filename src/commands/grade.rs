//! `gavel grade`: batch grading of a homework folder, in parallel, resumable,
//! with reports a hiring team can read, share and re-run.

use super::Context;
use crate::cli::GradeArgs;
use crate::exit::Code;
use crate::ui::Progress;
use anyhow::{Context as _, Result};
use console::style;
use gavel_judge::batch::{self, StoredResult, Submission};
use gavel_judge::report::{CandidateReport, csv, html_report, junit};
use gavel_judge::{Options, Prepared, Selection};
use gavel_sandbox::write_atomically;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub fn execute(context: &Context, args: GradeArgs) -> Result<Code> {
    let catalog = context.catalog()?;
    let ids: Vec<&str> = catalog.iter().map(|e| e.id.as_str()).collect();
    let homework = batch::scan(&args.dir, &ids, &args.out)
        .with_context(|| format!("cannot read the homework folder `{}`", args.dir.display()))?;
    let judge = context.judge()?;
    let image = judge.sandbox().image().sha256.clone();
    let by_id: HashMap<&str, _> = catalog.iter().map(|e| (e.id.as_str(), e.clone())).collect();

    // What is already graded (a previous, maybe killed, run) is kept as is.
    let mut fingerprints = HashMap::new();
    let mut done = Vec::new();
    let mut pending = Vec::new();
    for submission in &homework.submissions {
        let exercise = &by_id[submission.exercise.as_str()];
        if !fingerprints.contains_key(&submission.exercise) {
            let fingerprint = batch::exercise_fingerprint(&exercise.dir)
                .with_context(|| format!("cannot read `{}`", exercise.dir.display()))?;
            fingerprints.insert(submission.exercise.clone(), fingerprint);
        }
        let source = std::fs::read(&submission.path)
            .with_context(|| format!("cannot read `{}`", submission.path.display()))?;
        let key = batch::result_key(&source, &fingerprints[&submission.exercise], &image);
        let path = batch::result_path(&args.out, submission);
        match batch::load_stored(&path, &key) {
            Some(stored) => done.push(stored),
            None => pending.push((submission.clone(), source, key)),
        }
    }
    if !done.is_empty() {
        eprintln!(
            "gavel: {} result(s) already in `{}`, {} to grade",
            done.len(),
            args.out.display(),
            pending.len()
        );
    }

    let progress = Arc::new(Progress::new(pending.len() as u64, "grading"));
    let graded = context.runtime.block_on(async {
        let needed: BTreeSet<&str> = pending
            .iter()
            .map(|(s, _, _)| s.exercise.as_str())
            .collect();
        let mut prepared: HashMap<String, Arc<Prepared>> = HashMap::new();
        for id in needed {
            progress.set_message(&format!("preparing {id}"));
            let p = judge.prepare(by_id[id].clone(), Selection::All).await?;
            prepared.insert(id.to_owned(), Arc::new(p));
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (submission, source, key) in pending {
            let judge = judge.clone();
            let prepared = prepared[&submission.exercise].clone();
            let out = args.out.clone();
            let root = args.dir.clone();
            let progress = progress.clone();
            let quiet = args.json;
            tasks.spawn(async move {
                let result = judge.judge(&prepared, &source, Options::default()).await;
                let stored = StoredResult {
                    candidate: submission.candidate.clone(),
                    file: relative(&root, &submission),
                    key,
                    result,
                };
                let path = batch::result_path(&out, &submission);
                let written = batch::store(&path, &stored)
                    .with_context(|| format!("cannot write `{}`", path.display()));
                if !quiet {
                    progress.println(&format!(
                        "{:<3} {:>3}/{:<3} {}",
                        stored.result.verdict,
                        stored.result.points,
                        stored.result.max_points,
                        stored.file
                    ));
                }
                progress.inc();
                written.map(|()| stored)
            });
        }
        let mut graded = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            graded.push(joined.context("a grading task failed")??);
        }
        anyhow::Ok(graded)
    })?;
    progress.finish();

    let mut candidates: BTreeMap<String, CandidateReport> = BTreeMap::new();
    for stored in done.into_iter().chain(graded) {
        let entry = candidates
            .entry(stored.candidate.clone())
            .or_insert_with(|| CandidateReport::new(&stored.candidate));
        entry.points += stored.result.points;
        entry.max_points += stored.result.max_points;
        entry.results.insert(stored.result.exercise.clone(), stored);
    }
    for (candidate, problems) in &homework.problems {
        if candidate.is_empty() {
            continue;
        }
        let entry = candidates
            .entry(candidate.clone())
            .or_insert_with(|| CandidateReport::new(candidate));
        entry.problems.extend(problems.iter().cloned());
    }
    let candidates: Vec<CandidateReport> = candidates.into_values().collect();
    let exercises: Vec<String> = catalog
        .iter()
        .map(|e| e.id.clone())
        .filter(|id| candidates.iter().any(|c| c.results.contains_key(id)))
        .collect();
    write_reports(&args, &exercises, &candidates, &image, &homework.problems)?;

    let all_accepted = candidates
        .iter()
        .all(|c| c.results.values().all(|s| s.result.accepted()));
    if args.json {
        let summary: Vec<_> = candidates
            .iter()
            .map(|c| {
                serde_json::json!({
                    "candidate": c.name,
                    "points": c.points,
                    "max_points": c.max_points,
                    "verdicts": c.results.iter().map(|(id, s)| (id.clone(), s.result.verdict)).collect::<BTreeMap<_, _>>(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "out": args.out, "candidates": summary })
            )?
        );
    } else {
        for c in &candidates {
            let accepted = c.results.values().filter(|s| s.result.accepted()).count();
            println!(
                "{:<24} {:>4}/{:<4} points · {}/{} exercises accepted{}",
                style(&c.name).bold(),
                c.points,
                c.max_points,
                accepted,
                c.results.len(),
                if c.problems.is_empty() {
                    String::new()
                } else {
                    format!(" · {} file(s) not graded", c.problems.len())
                }
            );
        }
        eprintln!(
            "reports: {} (results.json, results.csv, junit.xml, report.html)",
            args.out.display()
        );
    }
    Ok(Code::from_accepted(all_accepted))
}

fn relative(root: &std::path::Path, submission: &Submission) -> String {
    submission
        .path
        .strip_prefix(root)
        .unwrap_or(&submission.path)
        .display()
        .to_string()
}

fn write_reports(
    args: &GradeArgs,
    exercises: &[String],
    candidates: &[CandidateReport],
    image: &str,
    problems: &BTreeMap<String, Vec<String>>,
) -> Result<()> {
    let write = |name: &str, bytes: &[u8]| {
        let path = args.out.join(name);
        write_atomically(&path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
    };
    let results = serde_json::json!({
        "gavel_version": env!("CARGO_PKG_VERSION"),
        "image_sha256": image,
        "homework": args.dir,
        "exercises": exercises,
        "candidates": candidates,
        "problems": problems.get("").cloned().unwrap_or_default(),
    });
    write("results.json", &serde_json::to_vec_pretty(&results)?)?;
    write("results.csv", csv(exercises, candidates).as_bytes())?;
    let cases: Vec<junit::Case> = candidates
        .iter()
        .flat_map(|c| {
            c.results.iter().map(move |(id, s)| junit::Case {
                class: c.name.clone(),
                name: id.clone(),
                failure: (!s.result.accepted()).then(|| {
                    let failing: Vec<String> = s
                        .result
                        .tests
                        .iter()
                        .filter(|t| t.verdict != gavel_exercise::Verdict::Accepted)
                        .map(|t| format!("{}: {}", t.name, t.verdict))
                        .collect();
                    format!(
                        "{} ({}/{} points)\n{}",
                        s.result.verdict.name(),
                        s.result.points,
                        s.result.max_points,
                        failing.join("\n")
                    )
                }),
                time_s: s.result.tests.iter().map(|t| t.wall_ms).sum::<f64>() / 1000.0,
            })
        })
        .collect();
    junit::write(&args.out.join("junit.xml"), "gavel grade", &cases)
        .with_context(|| format!("cannot write `{}`", args.out.join("junit.xml").display()))?;
    write(
        "report.html",
        html_report("gavel grading report", exercises, candidates, image).as_bytes(),
    )?;
    Ok(())
}
