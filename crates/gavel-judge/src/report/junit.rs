//! JUnit XML, the format CI systems and test dashboards read, through
//! quick-junit (the writer cargo-nextest uses).

use super::ReportMeta;
use crate::summary::{CandidatePlan, ExerciseStatus, GradeSummary, load_results};
use gavel_core::text::{Lines, escape};
use gavel_exercise::Verdict;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// Text for XML: escaped like every other output (quick-junit would silently
/// drop the control characters instead).
pub(crate) fn text(s: &str) -> String {
    escape(s, Lines::Keep).into_owned()
}

/// CE, RE and IE are errors (the program or the judge broke); WA and the
/// limits are failures (the program ran and fell short).
fn non_success(verdict: Verdict) -> NonSuccessKind {
    match verdict {
        Verdict::CompileError | Verdict::RuntimeError | Verdict::InternalError => {
            NonSuccessKind::Error
        }
        _ => NonSuccessKind::Failure,
    }
}

pub(crate) fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now().fixed_offset()
}

pub(crate) fn write(
    w: &mut dyn std::io::Write,
    plans: &[CandidatePlan],
    summary: &GradeSummary,
    meta: &ReportMeta,
) -> std::io::Result<()> {
    let mut suite = TestSuite::new("gavel grade");
    suite.set_timestamp(now());
    suite.add_property(quick_junit::Property::new(
        "image_sha256",
        meta.image_sha256.as_str(),
    ));
    suite.add_property(quick_junit::Property::new(
        "catalog_fingerprint",
        meta.catalog_fingerprint.as_str(),
    ));
    let mut total = Duration::ZERO;
    for plan in plans {
        let candidate = &plan.summary.candidate;
        let stored: std::collections::BTreeMap<_, _> = load_results(plan).into_iter().collect();
        for (id, status) in &plan.summary.verdicts {
            let mut case = match status {
                ExerciseStatus::Missing => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_type("missing");
                    status.set_message("not submitted: 0 points");
                    TestCase::new(text(id), status)
                }
                ExerciseStatus::Graded(verdict) => {
                    let result = stored.get(id).and_then(|s| s.as_ref()).map(|s| &s.result);
                    let status = if *verdict == Verdict::Accepted {
                        TestCaseStatus::success()
                    } else {
                        let mut status = TestCaseStatus::non_success(non_success(*verdict));
                        status.set_type(verdict.code());
                        let mut message = verdict.name().to_owned();
                        if let Some(result) = result {
                            message = format!(
                                "{} ({}/{} points)",
                                verdict.name(),
                                crate::result::points::show(result.points),
                                result.max_points
                            );
                            let failing: Vec<String> = result
                                .tests
                                .iter()
                                .filter(|t| !t.accepted())
                                .map(|t| format!("{}: {}", t.name, t.verdict))
                                .collect();
                            status.set_description(text(&failing.join("\n")));
                        }
                        status.set_message(text(&message));
                        status
                    };
                    let mut case = TestCase::new(text(id), status);
                    if let Some(result) = result {
                        let ms: f64 = result.tests.iter().filter_map(|t| t.wall_ms).sum();
                        let time = Duration::from_secs_f64(ms / 1000.0);
                        total += time;
                        case.set_time(time);
                    }
                    case
                }
            };
            case.set_classname(text(candidate));
            suite.add_test_case(case);
        }
        for problem in &plan.summary.problems {
            let mut status = TestCaseStatus::skipped();
            status.set_message(text(&problem.to_string()));
            let mut case = TestCase::new(text(&format!("not graded: {}", problem.file)), status);
            case.set_classname(text(candidate));
            suite.add_test_case(case);
        }
    }
    for problem in &summary.problems {
        let mut status = TestCaseStatus::skipped();
        status.set_message(text(&problem.to_string()));
        let mut case = TestCase::new(text(&format!("not graded: {}", problem.file)), status);
        case.set_classname("(homework folder)");
        suite.add_test_case(case);
    }
    suite.set_time(total);
    let mut report = Report::new("gavel");
    report.set_timestamp(now());
    report.add_test_suite(suite);
    report.serialize(w).map_err(std::io::Error::other)
}
