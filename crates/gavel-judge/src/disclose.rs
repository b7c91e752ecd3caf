//! The confidentiality rules: what a result says about a hidden test. Applied
//! here, once, where a result is made; every output (terminal, JSON, stored
//! results, reports, the server) shows results made by this module and nothing
//! else. The rules and the bound they give are in docs/confidentiality.md.
//!
//! Anything a submission controls and that is shown for a hidden test is a
//! channel to the test's input: an exception's class name or message, an exit
//! code, the output, and (because gavel's are exact and repeatable) the fuel,
//! memory and time it used. So by default a hidden test shows only its name
//! and verdict, and the submission's resources on hidden tests appear once,
//! as the largest share of a budget any of them used, rounded up to a tenth.

use crate::evaluate::Evaluation;
use crate::result::{GroupResult, HiddenSummary, SubmissionResult, TestResult};
use gavel_exercise::{Disclosure, Verdict, Visibility};
use std::time::Duration;

/// The verdicts a hidden test can show: all but CE, which is decided before
/// any test runs and is the same for every test.
pub fn hidden_test_verdicts() -> impl Iterator<Item = Verdict> {
    Verdict::ALL
        .into_iter()
        .filter(|v| *v != Verdict::CompileError)
}

/// Bits a hidden test's verdict can carry: log2 of how many verdicts it can
/// show (docs/confidentiality.md states this number).
pub fn bits_per_hidden_verdict() -> f64 {
    (hidden_test_verdicts().count() as f64).log2()
}

/// Release times up to which every whole second is one.
const RELEASE_EVERY_SECOND_UNTIL: u64 = 10;

/// When a result judged `elapsed` after its submission is released: the
/// first of 1, 2, …, 10 seconds, then 20, 40, 80, … seconds after the
/// submission that is not before judging ended.
///
/// A live view (the server's) shows when a result arrives; hidden tests'
/// judging time is the part of it a submission can modulate (real time is
/// not fuel). Releasing at one of few instants makes that channel carry at
/// most log2 of how many instants there are, whatever the submission does
/// ([`release_bits`]), at the cost of up to a second of waiting for most
/// submissions.
pub fn release_after(elapsed: Duration) -> Duration {
    let seconds = elapsed.as_millis().div_ceil(1000).max(1) as u64;
    if seconds <= RELEASE_EVERY_SECOND_UNTIL {
        return Duration::from_secs(seconds);
    }
    let mut release = RELEASE_EVERY_SECOND_UNTIL;
    while release < seconds {
        release = release.saturating_mul(2);
    }
    Duration::from_secs(release)
}

/// Bits the release time of a result can carry when judging may take at
/// most `longest`: log2 of the number of release instants up to it.
pub fn release_bits(longest: Duration) -> f64 {
    let last = release_after(longest).as_secs();
    let mut instants = last.min(RELEASE_EVERY_SECOND_UNTIL);
    let mut at = RELEASE_EVERY_SECOND_UNTIL;
    while at < last {
        at *= 2;
        instants += 1;
    }
    (instants as f64).log2()
}

/// What `policy` lets a result say about the test of `evaluation`: everything
/// for a public test; for a hidden one, its name, group, verdict and points
/// (`verdicts`), nothing (`score`), or everything (`full`).
pub(crate) fn test_result(evaluation: &Evaluation, policy: Disclosure) -> Option<TestResult> {
    let full = &evaluation.full;
    match (full.visibility, policy) {
        (Visibility::Public, _) | (Visibility::Hidden, Disclosure::Full) => Some(full.clone()),
        (Visibility::Hidden, Disclosure::Score) => None,
        (Visibility::Hidden, Disclosure::Verdicts) => Some(verdict_only(full)),
    }
}

/// What `verdicts` lets a hidden test's result say: its name, group, verdict
/// and points, nothing of its run.
fn verdict_only(full: &TestResult) -> TestResult {
    TestResult::bare(
        full.name.clone(),
        full.visibility,
        full.group.clone(),
        full.verdict,
        full.points,
        full.max_points,
    )
}

/// The groups all of whose tests are hidden.
fn hidden_groups<'a>(
    groups: &'a [GroupResult],
    evaluations: &'a [Evaluation],
) -> impl Iterator<Item = &'a GroupResult> {
    groups.iter().filter(|g| {
        evaluations
            .iter()
            .filter(|e| e.full.group.as_deref() == Some(&g.name))
            .all(|e| e.full.visibility == Visibility::Hidden)
    })
}

/// The groups a result may list: under `score`, not those that hold a hidden
/// test (their verdicts would be the hidden tests' verdicts).
pub(crate) fn groups(
    groups: Vec<GroupResult>,
    evaluations: &[Evaluation],
    policy: Disclosure,
) -> Vec<GroupResult> {
    if policy != Disclosure::Score {
        return groups;
    }
    groups
        .into_iter()
        .filter(|g| {
            !evaluations.iter().any(|e| {
                e.full.group.as_deref() == Some(&g.name) && e.full.visibility == Visibility::Hidden
            })
        })
        .collect()
}

/// A share in percent, rounded up to a multiple of 10 (0 only for nothing used).
fn tenths(used: u64, budget: u64) -> u8 {
    if used == 0 || budget == 0 {
        return 0;
    }
    let tenths = (u128::from(used) * 10).div_ceil(u128::from(budget)).min(10);
    (tenths * 10) as u8
}

/// The hidden tests together, unless `policy` shows them in full.
pub(crate) fn hidden_summary(
    evaluations: &[Evaluation],
    groups: &[GroupResult],
    policy: Disclosure,
) -> Option<HiddenSummary> {
    if policy == Disclosure::Full {
        return None;
    }
    let hidden: Vec<&Evaluation> = evaluations
        .iter()
        .filter(|e| e.full.visibility == Visibility::Hidden)
        .collect();
    if hidden.is_empty() {
        return None;
    }
    let fuel_percent = hidden
        .iter()
        .map(|e| tenths(e.full.fuel.unwrap_or(0), e.full.fuel_limit.unwrap_or(0)))
        .max()
        .unwrap_or(0);
    let memory_percent = hidden
        .iter()
        .map(|e| tenths(e.full.peak_memory_bytes.unwrap_or(0), e.memory_limit))
        .max()
        .unwrap_or(0);
    Some(HiddenSummary {
        tests: hidden.len(),
        accepted: (policy == Disclosure::Verdicts).then(|| {
            hidden
                .iter()
                .filter(|e| e.full.verdict == Verdict::Accepted)
                .count()
        }),
        points: hidden.iter().map(|e| e.full.points).sum::<f64>()
            + hidden_groups(groups, evaluations)
                .map(|g| g.points)
                .sum::<f64>(),
        max_points: hidden.iter().map(|e| e.full.max_points).sum::<u32>()
            + hidden_groups(groups, evaluations)
                .map(|g| g.max_points)
                .sum::<u32>(),
        fuel_percent,
        memory_percent,
    })
}

/// A result as it may be sent to the candidate: one made under `full`
/// (`--reveal-hidden`, for the team's reviewers) keeps only each hidden
/// test's name, group, verdict and points, as under `verdicts` (without the
/// resources summary, which needs the runs). Other results are already
/// shareable and are returned as they are.
pub fn shareable(result: &SubmissionResult) -> SubmissionResult {
    if result.disclosure != Disclosure::Full {
        return result.clone();
    }
    let mut shared = result.clone();
    for test in &mut shared.tests {
        if test.visibility == Visibility::Hidden {
            *test = verdict_only(test);
        }
    }
    shared.disclosure = Disclosure::Verdicts;
    shared
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_sandbox::PyError;

    fn evaluation(visibility: Visibility) -> Evaluation {
        Evaluation {
            full: TestResult {
                name: "04-negative".to_owned(),
                visibility,
                group: None,
                verdict: Verdict::RuntimeError,
                reason: None,
                limit: None,
                message: Some("KeyError: 'secret input'".to_owned()),
                error: Some(PyError {
                    kind: "secret_input_as_a_class_name".to_owned(),
                    message: "'secret input'".to_owned(),
                    traceback: "…".to_owned(),
                    line: Some(3),
                }),
                call: Some("two_sum([-3, 4, 3, 90], 0)".to_owned()),
                input: None,
                expected: Some("[0, 2]".to_owned()),
                returned: Some("None".to_owned()),
                hint: Some("your function returned None".to_owned()),
                diff: Vec::new(),
                stdout: Some("secret".to_owned()),
                stderr: None,
                transcript: Vec::new(),
                points: 0.0,
                max_points: 1,
                fuel: Some(41_000_000),
                fuel_limit: Some(100_000_000),
                wall_ms: Some(3.5),
                peak_memory_bytes: Some(20 << 20),
            },
            memory_limit: 256 << 20,
        }
    }

    #[test]
    fn a_hidden_test_shows_only_its_name_and_verdict() {
        let shown = test_result(&evaluation(Visibility::Hidden), Disclosure::Verdicts).unwrap();
        let json = serde_json::to_string(&shown).unwrap();
        assert_eq!(
            json,
            r#"{"name":"04-negative","visibility":"hidden","verdict":"RE","points":0,"max_points":1}"#
        );
        assert!(test_result(&evaluation(Visibility::Hidden), Disclosure::Score).is_none());
        let full = test_result(&evaluation(Visibility::Hidden), Disclosure::Full).unwrap();
        assert!(full.error.is_some() && full.fuel.is_some());
        let public = test_result(&evaluation(Visibility::Public), Disclosure::Verdicts).unwrap();
        assert_eq!(public.stdout.as_deref(), Some("secret"));
    }

    #[test]
    fn results_are_released_at_few_instants() {
        let at = |ms: u64| release_after(Duration::from_millis(ms)).as_secs();
        assert_eq!(
            [
                0, 1, 999, 1000, 1001, 9_999, 10_000, 10_001, 20_000, 20_001, 100_000
            ]
            .map(at),
            [1, 1, 1, 1, 2, 10, 10, 20, 20, 40, 160]
        );
        // 1..=10 s, then 20, 40, …, 1280 s: 17 instants.
        assert_eq!(release_bits(Duration::from_secs(1000)), 17f64.log2());
        assert_eq!(release_bits(Duration::from_secs(3)), 3f64.log2());
    }

    /// The numbers docs/confidentiality.md states are the ones the code gives.
    #[test]
    fn the_documented_bound_is_the_codes() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/confidentiality.md"),
        )
        .unwrap();
        let verdicts: Vec<&str> = hidden_test_verdicts().map(|v| v.code()).collect();
        let stated = format!(
            "one of {} ({}), so log2({}) = **{:.2} bits**",
            verdicts.len(),
            verdicts.join(", "),
            verdicts.len(),
            bits_per_hidden_verdict()
        );
        assert!(
            doc.contains(&stated),
            "docs/confidentiality.md must say: {stated}"
        );
    }

    #[test]
    fn hidden_resources_are_summarised_in_tenths_rounded_up() {
        let mut other = evaluation(Visibility::Hidden);
        other.full.fuel = Some(1);
        let summary = hidden_summary(
            &[evaluation(Visibility::Hidden), other],
            &[],
            Disclosure::Verdicts,
        )
        .unwrap();
        assert_eq!(summary.tests, 2);
        assert_eq!(summary.accepted, Some(0));
        assert_eq!(summary.fuel_percent, 50);
        assert_eq!(summary.memory_percent, 10);
        assert_eq!(tenths(100, 100), 100);
        assert_eq!(tenths(101, 100), 100);
        assert_eq!(tenths(0, 100), 0);
        assert!(
            hidden_summary(&[evaluation(Visibility::Public)], &[], Disclosure::Verdicts).is_none()
        );
        assert!(hidden_summary(&[evaluation(Visibility::Hidden)], &[], Disclosure::Full).is_none());
        let score =
            hidden_summary(&[evaluation(Visibility::Hidden)], &[], Disclosure::Score).unwrap();
        assert_eq!(score.accepted, None);
    }
}
