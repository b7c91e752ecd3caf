//! Turning one run of one test into its verdict, with the message, the diff
//! and the program's output a candidate needs to see what went wrong. The
//! result is complete; the confidentiality rules are applied after
//! ([`crate::disclose`]).

use crate::disclose::Evaluation;
use crate::prepare::ResolvedTest;
use crate::result::TestResult;
use gavel_exercise::compare::{self, Compared};
use gavel_exercise::diff::{self, DiffLimits};
use gavel_exercise::{TestData, Verdict, WrongReason};
use gavel_sandbox::{Interaction, Judgement, Outcome, PyError, RunReport};
use serde_json::Value;

/// Characters of a program's stdout or stderr a result keeps.
const SHOWN_OUTPUT: usize = 4096;

/// How deeply a returned value may nest. A list nested a few hundred levels
/// deep is an ordinary Python value; past this the comparison's recursion
/// would be at risk, and no exercise expects such a value.
pub(crate) const MAX_RETURN_DEPTH: usize = 1000;

/// The nesting depth of a JSON text (brackets outside strings).
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Reads back a value a function returned (or a reference computed). The
/// text comes from the guest, whose runner the submission can tamper with, so
/// anything may arrive: too deep, not JSON, a lone surrogate.
pub(crate) fn parse_returned(text: &str) -> Result<Value, String> {
    let depth = nesting(text);
    if depth > MAX_RETURN_DEPTH {
        return Err(format!(
            "the value is nested {depth} levels deep; at most {MAX_RETURN_DEPTH} levels can be compared"
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.disable_recursion_limit();
    let value = serde::Deserialize::deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| format!("it is not a JSON value gavel can read ({e})"))?;
    Ok(value)
}

fn clipped(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    gavel_core::text::clip(&text, SHOWN_OUTPUT).into_owned()
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// A result without a run: skipped, compile error, internal error.
pub(crate) fn skeleton(test: &ResolvedTest, verdict: Verdict) -> TestResult {
    TestResult::bare(
        test.test.name.clone(),
        test.test.visibility,
        test.test.group.clone(),
        verdict,
        0.0,
        test.test.points,
    )
}

/// An evaluation without a run.
pub(crate) fn without_run(
    test: &ResolvedTest,
    verdict: Verdict,
    message: Option<String>,
) -> Evaluation {
    Evaluation {
        full: TestResult {
            message,
            ..skeleton(test, verdict)
        },
        memory_limit: test.limits.memory_bytes,
    }
}

/// What decided a test instead of a comparison: a checker's or an
/// interactor's judgement, or the author's code failing (IE).
pub(crate) type Decision = Result<Judgement, String>;

/// Judges one run of `test`: the run's own end, then the `decision` of a
/// checker when there is one, else the comparison.
pub(crate) fn evaluate(
    test: &ResolvedTest,
    report: &RunReport,
    decision: Option<Decision>,
) -> Evaluation {
    let mut result = TestResult {
        fuel: Some(report.fuel),
        fuel_limit: Some(test.limits.fuel),
        wall_ms: Some(report.wall_ms),
        peak_memory_bytes: Some(report.peak_memory_bytes),
        stdout: Some(clipped(&report.stdout)),
        stderr: (!report.stderr.is_empty()).then(|| clipped(&report.stderr)),
        ..skeleton(test, Verdict::Accepted)
    };
    match &report.outcome {
        Outcome::Ok => {}
        Outcome::TimeLimit { limit } => {
            result.verdict = Verdict::TimeLimit;
            result.limit = Some(*limit);
        }
        Outcome::MemoryLimit => result.verdict = Verdict::MemoryLimit,
        Outcome::OutputLimit => result.verdict = Verdict::OutputLimit,
        Outcome::CompileError { error } => {
            result.verdict = Verdict::CompileError;
            result.error = Some(error.clone());
        }
        Outcome::RuntimeError { error } => {
            result.verdict = Verdict::RuntimeError;
            result.message = error.as_ref().map(|e| e.to_string());
            result.error = error.clone();
        }
    }
    if result.verdict == Verdict::Accepted {
        match decision {
            Some(decision) => apply(decision, &mut result),
            None => compare_answer(test, report, &mut result),
        }
    }
    if result.verdict == Verdict::Accepted {
        result.points = f64::from(result.max_points);
    }
    Evaluation {
        full: result,
        memory_limit: test.limits.memory_bytes,
    }
}

/// What went wrong in an author's program (a checker or an interactor), with
/// the line of its own file where it happened, so the author can fix it.
pub(crate) fn author_failure(file: &str, outcome: &Outcome) -> String {
    let Outcome::RuntimeError { error: Some(error) } = outcome else {
        return format!("{file} failed: {outcome}");
    };
    let marker = format!("File \"{file}\", line ");
    let line = error.traceback.lines().rev().find_map(|l| {
        let rest = &l[l.find(&marker)? + marker.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (!digits.is_empty()).then_some(digits)
    });
    match line {
        Some(line) => format!("{file} failed at line {line}: {error}"),
        None => format!("{file} failed: {error}"),
    }
}

/// Judges a test from a program's interaction with the interactor. A program
/// that does not compile is CE, and a deadlock is the program's TLE; then the
/// interactor failing is IE whatever the program did (the author's fault is
/// never the candidate's); then the program's own end (a crash, a limit);
/// then the interactor's judgement.
pub(crate) fn evaluate_interaction(test: &ResolvedTest, interaction: &Interaction) -> Evaluation {
    let interactor = &interaction.interactor;
    let decision = match (&interactor.judgement, &interactor.outcome) {
        (Some(judgement), _) => Ok(judgement.clone()),
        // The program's deadlock is the program's verdict, not the interactor's failure.
        (None, _) if interaction.deadlock => Err(String::new()),
        (None, outcome) => Err(author_failure("interactor.py", outcome)),
    };
    let compiled = !matches!(interaction.program.outcome, Outcome::CompileError { .. });
    let author_failed = compiled && matches!(&decision, Err(failure) if !failure.is_empty());
    // The interactor ended first and found the answer wrong: that is the
    // verdict, whatever the program did once its input ended (as Kattis does).
    let wrong_first = interaction.interactor_ended_first
        && matches!(
            &decision,
            Ok(Judgement::Wrong { .. } | Judgement::Partial { .. })
        );
    let mut evaluation = if wrong_first || author_failed {
        let mut program = interaction.program.clone();
        program.outcome = Outcome::Ok;
        evaluate(test, &program, Some(decision))
    } else {
        evaluate(test, &interaction.program, Some(decision))
    };
    evaluation.full.transcript = interaction.transcript.clone();
    if interaction.deadlock {
        evaluation.full.message =
            Some("deadlock: the program and the interactor were both waiting to read".to_owned());
    }
    evaluation
}

/// A checker's or interactor's decision on an answer that ran to its end.
fn apply(decision: Decision, result: &mut TestResult) {
    match decision {
        Ok(Judgement::Accepted { feedback }) => {
            result.message = (!feedback.is_empty()).then_some(feedback);
        }
        Ok(Judgement::Wrong { message }) => {
            result.verdict = Verdict::WrongAnswer;
            result.reason = Some(WrongReason::Mismatch);
            result.message = Some(message);
        }
        Ok(Judgement::Partial { points, message }) if points >= 1.0 => {
            result.message = (!message.is_empty()).then_some(message);
        }
        Ok(Judgement::Partial { points, message }) => {
            result.verdict = Verdict::WrongAnswer;
            result.reason = Some(WrongReason::Mismatch);
            result.message = Some(message);
            result.points = crate::result::points::round(points * f64::from(result.max_points));
        }
        Err(failure) => {
            tracing::error!(test = %result.name, "{failure}");
            result.verdict = Verdict::InternalError;
            result.message = Some(failure);
        }
    }
}

/// Compares the answer of a run that ended normally; a wrong one turns the
/// verdict into WA with a message and a diff.
fn compare_answer(test: &ResolvedTest, report: &RunReport, result: &mut TestResult) {
    let comparison = &test.test.comparison;
    let (compared, expected, actual) = match &test.data {
        TestData::Stdio { expected, .. } => {
            let actual = String::from_utf8_lossy(&report.stdout);
            let compared = compare::compare_text(comparison, expected, &actual);
            if compared == Compared::Match {
                return;
            }
            (compared, expected.to_string(), actual.into_owned())
        }
        TestData::Function { expected, .. } => {
            let returned = report.return_json.as_deref().unwrap_or("null");
            let actual = match parse_returned(returned) {
                Ok(actual) => actual,
                Err(why) => {
                    // The submission's doing, not the judge's: a runtime error.
                    let error = PyError {
                        kind: "InvalidReturnValue".to_owned(),
                        message: format!("the function's return value cannot be compared: {why}"),
                        traceback: String::new(),
                        line: None,
                    };
                    result.verdict = Verdict::RuntimeError;
                    result.message = Some(error.to_string());
                    result.error = Some(error);
                    return;
                }
            };
            let compared = compare::compare_json(comparison, expected, &actual);
            if compared == Compared::Match {
                return;
            }
            (compared, pretty(expected), pretty(&actual))
        }
    };
    match compared {
        Compared::Match => {}
        Compared::Wrong { reason, message } => {
            result.verdict = Verdict::WrongAnswer;
            result.reason = Some(reason);
            result.message = Some(message);
        }
        Compared::Partial { fraction, message } => {
            result.verdict = Verdict::WrongAnswer;
            result.reason = Some(WrongReason::Mismatch);
            result.message = Some(message);
            result.points = crate::result::points::round(fraction * f64::from(result.max_points));
        }
    }
    result.diff = diff::diff_lines(&expected, &actual, DiffLimits::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returned_values_keep_order_and_digits_and_nest_deeply() {
        let value = parse_returned(r#"{"p": 1, "A": 2, "B": 36893488147419103232}"#).unwrap();
        assert_eq!(
            value.to_string(),
            r#"{"p":1,"A":2,"B":36893488147419103232}"#
        );
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_RETURN_DEPTH),
            "]".repeat(MAX_RETURN_DEPTH)
        );
        let value = parse_returned(&deep).unwrap();
        let j = gavel_exercise::Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        };
        assert_eq!(compare::compare_json(&j, &value, &value), Compared::Match);
    }

    #[test]
    fn unreadable_returned_values_are_explained() {
        let deeper = format!(
            "{}{}",
            "[".repeat(MAX_RETURN_DEPTH + 1),
            "]".repeat(MAX_RETURN_DEPTH + 1)
        );
        assert!(
            parse_returned(&deeper)
                .unwrap_err()
                .contains("nested 1001 levels")
        );
        assert!(
            parse_returned(r#""\ud800""#)
                .unwrap_err()
                .contains("not a JSON value")
        );
        assert!(parse_returned("garbage").is_err());
        assert_eq!(nesting(r#"["[[[", {"a": "]"}]"#), 2);
    }
}
