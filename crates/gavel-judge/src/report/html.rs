//! `report.html`: a self-contained page for reviewers, rendered by minijinja
//! templates with automatic escaping, one candidate at a time.

use super::ReportMeta;
use super::results::candidate_report;
use crate::batch::{CandidatePlan, GradeSummary, Status};
use crate::result::points;
use gavel_core::text::{Lines, escape};
use gavel_exercise::{Tone, Verdict};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, Error, Output, State, context};

const HEAD: &str = include_str!("templates/report-head.html");
const CANDIDATE: &str = include_str!("templates/report-candidate.html");
const FOOT: &str = include_str!("templates/report-foot.html");

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

fn verdict_name(code: &str) -> String {
    if code == "missing" {
        return "missing: not submitted".to_owned();
    }
    Verdict::from_code(code).map_or_else(|| code.to_owned(), |v| v.name().to_owned())
}

pub(crate) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_formatter(formatter);
    env.add_filter("verdict_class", |code: &str| verdict_class(code));
    env.add_filter("verdict_name", |code: &str| verdict_name(code));
    env.add_filter("fuel", |fuel: u64| super::human_fuel(fuel));
    env.add_filter("mib", |bytes: u64| {
        format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
    });
    env.add_filter("points", |p: f64| points::show(p));
    env.add_filter("short", |hash: &str| {
        hash.chars().take(12).collect::<String>()
    });
    for (name, source) in [
        ("report-head.html", HEAD),
        ("report-candidate.html", CANDIDATE),
        ("report-foot.html", FOOT),
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

fn io(e: Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

pub(crate) fn write(
    w: &mut dyn std::io::Write,
    plans: &[CandidatePlan],
    summary: &GradeSummary,
    meta: &ReportMeta,
    generated_at: &str,
) -> std::io::Result<()> {
    let env = environment();
    let columns = super::csv::columns(summary);
    let rows: Vec<Value> = summary
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cells: Vec<Value> = columns
                .iter()
                .map(|id| {
                    let code = match c.verdicts.get(id) {
                        Some(Status::Graded(v)) => Some(v.code()),
                        Some(Status::Missing) => Some("missing"),
                        None => None,
                    };
                    context! {
                        code => code,
                        points => c.exercise_points.get(id).copied(),
                        max => meta.max_points.get(id).copied(),
                    }
                })
                .collect();
            context! {
                index => i,
                name => c.candidate.clone(),
                points => c.points,
                max_points => c.max_points,
                percent => if c.max_points == 0 { 0.0 } else { 100.0 * c.points / f64::from(c.max_points) },
                cells => cells,
                problems => Serde(&c.problems),
            }
        })
        .collect();
    let head = context! {
        title => "gavel grading report",
        generated_at => generated_at,
        image_sha256 => meta.image_sha256.clone(),
        catalog_fingerprint => meta.catalog_fingerprint.clone(),
        reveals_hidden => meta.reveals_hidden,
        columns => columns,
        rows => rows,
        folder_problems => Serde(&summary.problems),
        legend => legend(),
    };
    env.get_template("report-head.html")
        .map_err(io)?
        .render_captured_to(head, &mut *w)
        .map_err(io)?;
    let template = env.get_template("report-candidate.html").map_err(io)?;
    for (index, plan) in plans.iter().enumerate() {
        let report = candidate_report(plan, &meta.max_points).map_err(std::io::Error::other)?;
        let ctx = context! { index => index, candidate => Serde(&report) };
        template.render_captured_to(ctx, &mut *w).map_err(io)?;
    }
    env.get_template("report-foot.html")
        .map_err(io)?
        .render_captured_to(context! {}, &mut *w)
        .map_err(io)?;
    Ok(())
}
