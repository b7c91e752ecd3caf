//! `report.html`: a self-contained page for reviewers, rendered by minijinja
//! templates with automatic escaping, one candidate at a time.

use super::ReportMeta;
use super::results::candidate_report;
use crate::result::Efficiency;
use crate::similarity::SimilarPair;
use crate::stored::read_stored;
use crate::summary::{CandidatePlan, ExerciseStatus, GradeSummary};
use gavel_core::text::{Lines, escape};
use gavel_exercise::python::{TokenKind, lex};
use gavel_exercise::{Tone, Verdict};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, Error, Output, State, context};

const HEAD: &str = include_str!("templates/report-head.html");
const CANDIDATE: &str = include_str!("templates/report-candidate.html");
const FOOT: &str = include_str!("templates/report-foot.html");
const SOURCE: &str = include_str!("templates/source.html");

/// Every string a template prints has its control characters escaped first,
/// then HTML's specials: nothing a submission wrote can slip through.
fn formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    match value.as_str() {
        Some(text) if !value.is_safe() => {
            let cleaned = Value::from(escape(text, Lines::Keep).into_owned());
            minijinja::escape_formatter(out, state, &cleaned)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The CSS class of a verdict code (or `missing`), from its tone.
fn verdict_class(code: &str) -> &'static str {
    match Verdict::from_code(code).map(Verdict::tone) {
        Some(Tone::Good) => "ac",
        Some(Tone::Muted) => "sk",
        Some(Tone::Judge) => "ie",
        Some(Tone::Bad) => "bad",
        None => "missing",
    }
}

pub(crate) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_formatter(formatter);
    env.add_filter("verdict_class", |code: &str| verdict_class(code));
    super::add_common_filters(&mut env);
    env.add_filter("fuel", |fuel: u64| gavel_core::limits::human_fuel(fuel));
    env.add_filter("mib", |bytes: u64| {
        format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
    });
    env.add_filter("percent", |p: f64| format!("{:.0}", p * 100.0));
    env.add_filter("efficiency_plot", |value: Value| {
        let plot = serde_json::to_value(&value)
            .and_then(serde_json::from_value::<Efficiency>)
            .map(|e| super::plot::efficiency(&e))
            .unwrap_or_default();
        Value::from_safe_string(plot)
    });
    for (name, source) in [
        ("report-head.html", HEAD),
        ("report-candidate.html", CANDIDATE),
        ("report-foot.html", FOOT),
        ("source.html", SOURCE),
    ] {
        env.add_template(name, source)
            .expect("the report templates are valid");
    }
    env
}

fn legend() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut legend: Vec<_> = Verdict::ALL
        .iter()
        .map(|v| (v.code(), v.name(), verdict_class(v.code())))
        .collect();
    legend.push(("missing", "not submitted (0 points)", "missing"));
    legend
}

/// Characters of a source shown in the report.
const SHOWN_SOURCE: usize = 64 * 1024;

/// A source as lines of `(class, text)` pieces for the template to escape
/// and colour; a piece without a class is plain text.
fn highlighted(source: &str) -> Value {
    let clipped = gavel_core::text::clip(source, SHOWN_SOURCE);
    let mut lines: Vec<Vec<(&'static str, &str)>> = vec![Vec::new()];
    for token in lex(&clipped) {
        let class = match token.kind {
            TokenKind::Keyword => "kw",
            TokenKind::Builtin => "bi",
            TokenKind::Number => "nu",
            TokenKind::String => "st",
            TokenKind::Comment => "co",
            TokenKind::Name | TokenKind::Operator | TokenKind::Space | TokenKind::Other => "",
        };
        let text = &clipped[token.start..token.end];
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            if !piece.is_empty() {
                lines.last_mut().expect("never empty").push((class, piece));
            }
        }
    }
    if lines.len() > 1 && lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    Value::from(Serde(&lines))
}

/// Ranks by points, highest first; equal points share a rank (1, 2, 2, 4).
fn ranks(points: &[f64]) -> Vec<usize> {
    points
        .iter()
        .map(|p| 1 + points.iter().filter(|q| *q > p).count())
        .collect()
}

/// How many candidates scored in each tenth of the points (the last bin
/// includes 100%).
fn distribution(percents: &[f64]) -> Vec<(String, usize)> {
    let mut bins = [0usize; 10];
    for p in percents {
        bins[((p / 10.0).floor() as usize).min(9)] += 1;
    }
    bins.iter()
        .enumerate()
        .map(|(i, n)| {
            let label = if i == 9 {
                "90–100%".to_owned()
            } else {
                format!("{}–{}%", i * 10, i * 10 + 9)
            };
            (label, *n)
        })
        .collect()
}

/// The source a cluster's member submitted, read again from the stored
/// result.
fn member_source(plans: &[CandidatePlan], index: usize, exercise: &str) -> String {
    // Only this exercise's stored result is read, not the candidate's others.
    plans
        .get(index)
        .and_then(|plan| read_stored(plan.stored.get(exercise)?)?.source)
        .unwrap_or_default()
}

fn io(e: Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The summary's rows: a candidate each, with their rank, percentage and a
/// cell per exercise column.
fn rows(
    summary: &GradeSummary,
    columns: &[String],
    measured: &[String],
    meta: &ReportMeta,
    percents: &[f64],
) -> Vec<Value> {
    let totals: Vec<f64> = summary.candidates.iter().map(|c| c.points).collect();
    let ranks = ranks(&totals);
    summary
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cells: Vec<Value> = columns
                .iter()
                .map(|id| {
                    let code = match c.verdicts.get(id) {
                        Some(ExerciseStatus::Graded(v)) => Some(v.code()),
                        Some(ExerciseStatus::Missing) => Some("missing"),
                        None => None,
                    };
                    context! {
                        code => code,
                        points => c.exercise_points.get(id).copied(),
                        max => meta.max_points.get(id).copied(),
                    }
                })
                .collect();
            let efficiency: Vec<Value> = measured
                .iter()
                .map(|id| match c.efficiency.get(id) {
                    Some(cell) => context! { label => cell.label.clone(), order => cell.order },
                    None => context! { order => 102 },
                })
                .collect();
            context! {
                index => i,
                efficiency => efficiency,
                name => c.candidate.clone(),
                points => c.points,
                max_points => c.max_points,
                percent => percents[i],
                rank => ranks[i],
                cells => cells,
                problems => Serde(&c.problems),
            }
        })
        .collect()
}

/// The similar pairs as clusters, each with its distinct sources side by
/// side (the members who submitted each one named above it).
fn clusters(plans: &[CandidatePlan], similar: &[SimilarPair]) -> Vec<Value> {
    crate::similarity::clusters(similar)
        .into_iter()
        .map(|cluster| {
            // Members with the same source share a column.
            let mut sources: Vec<(String, Vec<String>)> = Vec::new();
            for (&index, name) in cluster.members.iter().zip(&cluster.names) {
                let source = member_source(plans, index, &cluster.exercise);
                match sources.iter_mut().find(|(s, _)| *s == source) {
                    Some((_, names)) => names.push(name.clone()),
                    None => sources.push((source, vec![name.clone()])),
                }
            }
            let members: Vec<Value> = cluster
                .members
                .iter()
                .zip(&cluster.names)
                .map(|(index, name)| context! { index => index, name => name })
                .collect();
            let columns: Vec<Value> = sources
                .iter()
                .map(|(source, names)| context! { names => names.join(", "), lines => highlighted(source) })
                .collect();
            context! {
                exercise => cluster.exercise,
                members => members,
                listed => listed(&cluster.names),
                pairs => cluster.pairs,
                identical => cluster.identical,
                lowest => cluster.range.0,
                highest => cluster.range.1,
                columns => columns,
            }
        })
        .collect()
}

/// `ada, bob and dee`.
fn listed(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

pub(crate) fn write(
    w: &mut dyn std::io::Write,
    plans: &[CandidatePlan],
    summary: &GradeSummary,
    meta: &ReportMeta,
    similar: &[SimilarPair],
    generated_at: &str,
) -> std::io::Result<()> {
    let env = environment();
    let columns = super::csv::columns(summary);
    let percents: Vec<f64> = summary
        .candidates
        .iter()
        .map(|c| {
            if c.max_points == 0 {
                0.0
            } else {
                100.0 * c.points / f64::from(c.max_points)
            }
        })
        .collect();
    let distribution = distribution(&percents);
    let most = distribution
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    // An efficiency column for each exercise anyone's was measured on.
    let measured: Vec<String> = columns
        .iter()
        .filter(|id| {
            summary
                .candidates
                .iter()
                .any(|c| c.efficiency.contains_key(*id))
        })
        .cloned()
        .collect();
    let rows = rows(summary, &columns, &measured, meta, &percents);
    let clusters = clusters(plans, similar);
    let head = context! {
        title => "gavel grading report",
        generated_at => generated_at,
        image_sha256 => meta.image_sha256.clone(),
        catalog_fingerprint => meta.catalog_fingerprint.clone(),
        reveals_hidden => meta.reveals_hidden,
        columns => columns,
        measured => measured,
        rows => rows,
        folder_problems => Serde(&summary.problems),
        legend => legend(),
        distribution => distribution.iter().map(|(label, n)| context! { label => label, count => n, width => 100 * n / most }).collect::<Vec<_>>(),
        clusters => clusters,
        similarity_threshold => meta.options.similarity_threshold,
    };
    env.get_template("report-head.html")
        .map_err(io)?
        .render_captured_to(head, &mut *w)
        .map_err(io)?;
    let template = env.get_template("report-candidate.html").map_err(io)?;
    for (index, plan) in plans.iter().enumerate() {
        let report = candidate_report(plan, &meta.max_points).map_err(std::io::Error::other)?;
        let sources: std::collections::BTreeMap<&str, Value> = report
            .results
            .iter()
            .filter_map(|(id, entry)| Some((id.as_str(), highlighted(entry.source.as_deref()?))))
            .collect();
        let ctx = context! { index => index, candidate => Serde(&report), sources => sources };
        template.render_captured_to(ctx, &mut *w).map_err(io)?;
    }
    env.get_template("report-foot.html")
        .map_err(io)?
        .render_captured_to(context! {}, &mut *w)
        .map_err(io)?;
    Ok(())
}
