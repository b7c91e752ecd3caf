//! `gavel check --junit`: a JUnit case per exercise, through quick-junit.

use super::CatalogCheck;
use crate::report::junit_text as text;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// Why the JUnit report of a check could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the JUnit report: {0}")]
pub struct JunitError(#[from] quick_junit::SerializeError);

/// The JUnit report of `gavel check`: a case per exercise, with its real time.
pub fn junit(check: &CatalogCheck) -> Result<String, JunitError> {
    let mut suite = TestSuite::new("gavel check");
    suite.set_timestamp(chrono::Utc::now().fixed_offset());
    let mut total = Duration::ZERO;
    for exercise in &check.exercises {
        let status = if exercise.ok {
            TestCaseStatus::success()
        } else {
            let kind = if exercise.reference.is_none() {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_message(text(
                exercise.errors.first().map_or("failed", String::as_str),
            ));
            status.set_description(text(&exercise.errors.join("\n")));
            status
        };
        let mut case = TestCase::new(text(&exercise.id), status);
        case.set_classname("gavel.check");
        let time = Duration::from_secs_f64(exercise.seconds.max(0.0));
        total += time;
        case.set_time(time);
        suite.add_test_case(case);
    }
    suite.set_time(total);
    let mut report = Report::new("gavel");
    report.add_test_suite(suite);
    Ok(report.to_string()?)
}
