//! Turning one run of one test into its verdict, with the message, the diff
//! and the program's output a candidate needs to see what went wrong. The
//! result is complete; the confidentiality rules are applied after
//! ([`crate::disclose`]).

use crate::prepare::ResolvedTest;
use crate::result::TestResult;
use gavel_exercise::compare::{self, Compared, parse_returned};
use gavel_exercise::diff::{self, DiffLimits};
use gavel_exercise::{TestData, Verdict, WrongReason, python};
use gavel_sandbox::{Decision, Interaction, Outcome, PyError, RunResult};
use serde_json::Value;

/// Everything judging learned about one test, before the confidentiality
/// rules apply ([`crate::disclose`]).
#[derive(Debug, Clone)]
pub(crate) struct Evaluation {
    /// The result in full (every detail present for a test that ran).
    pub(crate) full: TestResult,
    /// The memory limit of the run, for the hidden tests' summary.
    pub(crate) memory_limit: u64,
}

/// Characters of a program's stdout or stderr a result keeps.
const SHOWN_OUTPUT: usize = 4096;

fn clipped(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    gavel_core::text::clip(&text, SHOWN_OUTPUT).into_owned()
}

/// Characters of a failed test's input, expected and returned values a
/// result keeps (the diff shows the rest where they differ).
const SHOWN_VALUE: usize = 2000;

fn shown(text: &str) -> String {
    gavel_core::text::clip(text, SHOWN_VALUE).into_owned()
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

/// The evaluation of a test the judge failed on: IE, with the reason
/// (logged, since it is gavel's bug or the machine's trouble).
pub(crate) fn internal_error(test: &ResolvedTest, message: String) -> Evaluation {
    tracing::error!(test = %test.test.name, "{message}");
    without_run(test, Verdict::InternalError, Some(message))
}

/// What decided a test instead of a comparison: a checker's or an
/// interactor's decision, or the author's code failing (IE).
pub(crate) type Ruling = Result<Decision, String>;

/// Judges one run of `test`: the run's own end, then the `decision` of a
/// checker when there is one, else the comparison.
pub(crate) fn evaluate(
    test: &ResolvedTest,
    report: &RunResult,
    decision: Option<Ruling>,
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
    } else {
        explain(test, report, &mut result);
    }
    Evaluation {
        full: result,
        memory_limit: test.limits.memory_bytes,
    }
}

/// What a candidate needs beside the verdict of a failed test, as pytest
/// shows it: the input (a function test's call is added by the judge, which
/// knows the function), what was expected and what came back as Python
/// reprs, and a hint when the failure has a common cause.
fn explain(test: &ResolvedTest, report: &RunResult, result: &mut TestResult) {
    if !explained(result.verdict) {
        return;
    }
    let wrong = result.verdict == Verdict::WrongAnswer;
    match &test.data {
        TestData::Stdio {
            stdin, expected, ..
        } => {
            // Clipped as bytes first: a generated stdin may be megabytes.
            let head = &stdin[..stdin.len().min(SHOWN_VALUE * 4)];
            result.input = Some(shown(&String::from_utf8_lossy(head)));
            if wrong {
                result.expected = Some(shown(expected));
                result.hint = stdio_hint(expected, &String::from_utf8_lossy(&report.stdout));
            }
        }
        TestData::Function { expected, .. } if wrong => {
            result.expected = Some(shown(&python::repr(expected)));
            let returned = report
                .return_json
                .as_deref()
                .and_then(|text| parse_returned(text).ok());
            if let Some(returned) = &returned {
                result.returned = Some(shown(&python::repr(returned)));
            }
            let printed = !report.stdout.is_empty();
            result.hint = match returned {
                Some(Value::Null) if printed => Some(
                    "your function printed its answer and returned None: `return` the answer instead of printing it".to_owned(),
                ),
                Some(Value::Null) => Some(
                    "your function returned None: is a `return` missing on some path?".to_owned(),
                ),
                _ => None,
            };
        }
        TestData::Function { .. } => {}
    }
}

/// The start of `line` if it reads like a prompt: words ending in `:` or `?`.
fn prompt(line: &str) -> Option<&str> {
    let end = line.find([':', '?'])? + 1;
    let head = &line[..end];
    let words = head.starts_with(|c: char| c.is_alphabetic())
        && head[..end - 1]
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '_' || c == '\'');
    words.then_some(head)
}

/// Whether a test with `verdict` is explained: it ran and failed.
fn explained(verdict: Verdict) -> bool {
    !matches!(
        verdict,
        Verdict::Accepted | Verdict::CompileError | Verdict::InternalError | Verdict::Skipped
    )
}

/// Adds a failed function test's call (made by `call`, only when needed),
/// clipped as the other explained values are.
pub(crate) fn explain_call(result: &mut TestResult, call: impl FnOnce() -> Option<String>) {
    if explained(result.verdict) {
        result.call = call().map(|call| shown(&call));
    }
}

/// The common causes of a wrong stdio answer: a prompt passed to `input()`,
/// debug prints on stdout, nothing printed at all.
fn stdio_hint(expected: &str, actual: &str) -> Option<String> {
    let expected_lines: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let actual_lines: Vec<&str> = actual
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if actual_lines.is_empty() {
        return (!expected_lines.is_empty()).then(|| {
            "your program printed nothing: is the answer printed, and is your code called at all?"
                .to_owned()
        });
    }
    if let Some(prompt) = prompt(actual_lines[0])
        && !expected_lines
            .first()
            .is_some_and(|l| l.starts_with(prompt))
    {
        return Some(format!(
            "the output starts with `{}`: if that is a prompt passed to input(), call input() without one",
            gavel_core::text::clip(prompt, 40)
        ));
    }
    // Every expected line is there, in order, among more: debug prints.
    if actual_lines.len() > expected_lines.len() {
        let mut wanted = expected_lines.iter().peekable();
        for line in &actual_lines {
            if wanted.peek() == Some(&line) {
                wanted.next();
            }
        }
        if wanted.peek().is_none() {
            return Some(
                "the answer is there among other lines: print debugging output to stderr (print(..., file=sys.stderr)) or remove it"
                    .to_owned(),
            );
        }
    }
    None
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
/// then the interactor's decision. `file` names the interactor, and
/// `failure` says how it failed when its caller knows better than its
/// outcome (a native interactor's exit code).
pub(crate) fn evaluate_interaction(
    test: &ResolvedTest,
    interaction: &Interaction,
    file: &str,
    failure: Option<String>,
) -> Evaluation {
    let interactor = &interaction.interactor;
    let decision = match (&interactor.decision, &interactor.outcome) {
        (Some(decision), _) => Ok(decision.clone()),
        // The program's deadlock is the program's verdict, not the interactor's failure.
        (None, _) if interaction.deadlock => Err(String::new()),
        (None, outcome) => Err(failure.unwrap_or_else(|| author_failure(file, outcome))),
    };
    let compiled = !matches!(interaction.program.outcome, Outcome::CompileError { .. });
    let author_failed = compiled && matches!(&decision, Err(failure) if !failure.is_empty());
    // The interactor ended first and found the answer wrong: that is the
    // verdict, whatever the program did once its input ended (as Kattis does).
    let wrong_first = interaction.interactor_ended_first
        && matches!(
            &decision,
            Ok(Decision::Wrong { .. } | Decision::Partial { .. })
        );
    let mut evaluation = if wrong_first || author_failed {
        let mut program = interaction.program.clone();
        program.outcome = Outcome::Ok;
        evaluate(test, &program, Some(decision))
    } else {
        evaluate(test, &interaction.program, Some(decision))
    };
    evaluation.full.transcript = interaction.transcript.clone();
    // The hints read a stdio answer against the expected output; in an
    // interaction the answer is the exchange, which the transcript shows.
    evaluation.full.hint = None;
    if interaction.deadlock {
        evaluation.full.message =
            Some("deadlock: the program and the interactor were both waiting to read".to_owned());
    }
    evaluation
}

/// A checker's or interactor's decision on an answer that ran to its end.
fn apply(decision: Ruling, result: &mut TestResult) {
    match decision {
        Ok(Decision::Accepted { feedback }) => {
            result.message = (!feedback.is_empty()).then_some(feedback);
        }
        Ok(Decision::Wrong { message }) => {
            result.verdict = Verdict::WrongAnswer;
            result.reason = Some(WrongReason::Mismatch);
            result.message = Some(message);
        }
        Ok(Decision::Partial { points, message }) if points >= 1.0 => {
            result.message = (!message.is_empty()).then_some(message);
        }
        Ok(Decision::Partial { points, message }) => {
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
fn compare_answer(test: &ResolvedTest, report: &RunResult, result: &mut TestResult) {
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
            (compared, python::pretty(expected), python::pretty(&actual))
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
    fn common_mistakes_get_a_hint() {
        let hint = |expected: &str, actual: &str| stdio_hint(expected, actual).unwrap_or_default();
        assert!(hint("0\n1\n", "Enter n: 0\n1\n").contains("`Enter n:`"));
        assert!(hint("0\n1\n", "").contains("printed nothing"));
        assert!(hint("3\n", "debug [1, 2]\n3\n").contains("stderr"));
        assert_eq!(hint("3\n", "4\n"), "");
        assert_eq!(hint("Answer: 3\n", "Answer: 4\n"), "");
    }

    fn report(stdout: &str) -> RunResult {
        RunResult {
            outcome: Outcome::Ok,
            exit_code: Some(0),
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
            return_json: None,
            decision: None,
            code: None,
            fuel: 1,
            wall_ms: 1.0,
            peak_memory_bytes: 1,
            written: Vec::new(),
        }
    }

    #[test]
    fn an_interaction_gets_no_hint_made_for_printed_answers() {
        // Issue 19: an interaction's "expected output" is empty, so every
        // line sent looked like debugging output around the answer.
        let test = ResolvedTest {
            test: gavel_exercise::Test {
                name: "01".to_owned(),
                visibility: gavel_exercise::Visibility::Public,
                points: 1,
                group: None,
                comparison: gavel_exercise::Comparison::default(),
                fuel: None,
                source: gavel_exercise::TestSource::Stored(TestData::Stdio {
                    stdin: bytes::Bytes::new(),
                    files: std::sync::Arc::new([]),
                    expected: "".into(),
                }),
            },
            data: TestData::Stdio {
                stdin: bytes::Bytes::from_static(b"42\n"),
                files: std::sync::Arc::new([]),
                expected: "".into(),
            },
            reference_fuel: None,
            limits: gavel_core::Limits::default(),
            digest: None,
        };
        let mut interactor = report("");
        interactor.decision = Some(Decision::Wrong {
            message: "guessed 7 times".to_owned(),
        });
        let interaction = Interaction {
            program: report("500\n250\n"),
            interactor,
            transcript: Vec::new(),
            deadlock: false,
            interactor_ended_first: false,
        };
        let evaluation = evaluate_interaction(&test, &interaction, "interactor.py", None);
        assert_eq!(evaluation.full.verdict, Verdict::WrongAnswer);
        assert_eq!(evaluation.full.hint, None);
        // The same output as a plain stdio answer does get the hint.
        let plain = evaluate(&test, &report("500\n250\n"), None);
        assert!(plain.full.hint.is_some(), "{:?}", plain.full);
    }
}
