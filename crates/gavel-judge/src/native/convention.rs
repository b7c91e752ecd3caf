//! The field's conventions for checkers and interactors, followed unchanged:
//! how each is started (its arguments and files) and how what it decided is
//! read from its exit code, its output and its feedback files.
//!
//! | convention | checker's arguments | decided by |
//! | --- | --- | --- |
//! | testlib | `input output answer` | 0 OK, 1 WA, 2 PE, 3 FAIL, 7 `points N` on stderr; message on stderr |
//! | coci | as testlib | as testlib, but 7 with `partial N/D` on stderr |
//! | peg | `output answer input` | 0 OK, 1 WA (`N\nD` on stdout: N/D of the points); message on stdout |
//! | kattis | `input answer feedback_dir [args] < output` | 42 accepted, 43 wrong; `judgemessage.txt`, `score.txt` |
//!
//! An interactor gets `input output answer` (testlib, coci; `output` is a
//! file it may write) or `input answer feedback_dir [args]` (kattis), with
//! the program's stdout on its stdin and its stdout on the program's stdin.
//! FAIL, any other exit code, a crash or a limit is the author's failure
//! (the test's IE), never the candidate's.

use super::Ready;
use crate::runner::author_limits;
use bytes::Bytes;
use gavel_exercise::native::Convention;
use gavel_sandbox::{Decision, Entry, Job, NativeArgs, Outcome, RunResult, SCRATCH_DIR};
use std::sync::Arc;

/// The files a native program reads its test from, in its working directory.
const INPUT: &str = "input.txt";
const OUTPUT: &str = "output.txt";
const ANSWER: &str = "answer.txt";

/// The job that has `ready` judge `output` on a test with `input` and the
/// `expected` answer.
pub(crate) fn checker_job(ready: &Ready, input: Bytes, output: Bytes, expected: Bytes) -> Job {
    let convention = ready.program.convention;
    let mut files = vec![(INPUT.to_owned(), input), (ANSWER.to_owned(), expected)];
    let (args, stdin, scratch): (Vec<&str>, Bytes, bool) = match convention {
        Convention::Testlib | Convention::Coci => {
            files.push((OUTPUT.to_owned(), output));
            (vec!["checker", INPUT, OUTPUT, ANSWER], Bytes::new(), false)
        }
        Convention::Peg => {
            files.push((OUTPUT.to_owned(), output));
            (vec!["checker", OUTPUT, ANSWER, INPUT], Bytes::new(), false)
        }
        Convention::Kattis => (vec!["validator", INPUT, ANSWER, "scratch/"], output, true),
    };
    native_job(ready, args, stdin, files, scratch)
}

/// The job of `ready` as the interactor of a test with `input` and the
/// test's answer file (its `.out`, for the interactor only; may be empty).
pub(crate) fn interactor_job(ready: &Ready, input: Bytes, answer: Bytes) -> Job {
    let files = vec![(INPUT.to_owned(), input), (ANSWER.to_owned(), answer)];
    let args = match ready.program.convention {
        Convention::Kattis => vec!["validator", INPUT, ANSWER, "scratch/"],
        // The loader refuses a PEG interactor.
        Convention::Testlib | Convention::Coci | Convention::Peg => {
            vec!["interactor", INPUT, "scratch/output.txt", ANSWER]
        }
    };
    native_job(ready, args, Bytes::new(), files, true)
}

fn native_job(
    ready: &Ready,
    args: Vec<&str>,
    stdin: Bytes,
    files: Vec<(String, Bytes)>,
    scratch: bool,
) -> Job {
    let mut args: Vec<String> = args.into_iter().map(str::to_owned).collect();
    if ready.program.convention == Convention::Kattis {
        args.extend(ready.args.iter().cloned());
    }
    debug_assert!(!scratch || args.iter().any(|a| a.starts_with(SCRATCH_DIR)));
    Job {
        entry: Entry::Native(NativeArgs {
            args: args.into(),
            scratch,
        }),
        stdin,
        files: Arc::from(files),
        limits: author_limits(),
        ..Job::script(ready.compiled.wasm.clone())
    }
}

/// What a run of the checker or interactor decided on a test worth
/// `max_points`; `Err` is the author's failure, in words naming the file.
pub(crate) fn decide(ready: &Ready, run: &RunResult, max_points: u32) -> Result<Decision, String> {
    let program = &ready.program;
    let file = &program.file;
    let code = match (&run.outcome, run.exit_code) {
        (Outcome::Ok | Outcome::RuntimeError { .. }, Some(code)) => code,
        (outcome, _) => return Err(format!("{file} failed: {outcome}")),
    };
    let stderr = text(&run.stderr);
    let stdout = text(&run.stdout);
    let written = |name: &str| {
        run.written
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bytes)| text(bytes))
    };
    let unexpected = |what: &str| {
        let said = if stderr.is_empty() { &stdout } else { &stderr };
        Err(format!("{file} {what}: {said}")
            .trim_end_matches(": ")
            .to_owned())
    };
    match program.convention {
        Convention::Testlib | Convention::Coci => match code {
            0 => Ok(Decision::Accepted { feedback: stderr }),
            1 => Ok(Decision::Wrong { message: stderr }),
            2 => Ok(Decision::Wrong {
                message: join("presentation error", &stderr),
            }),
            3 => unexpected("failed (FAIL)"),
            7 => {
                let fraction = if program.convention == Convention::Coci {
                    partial_fraction(&stderr)
                } else {
                    points(&stderr).and_then(|p| of(p, max_points))
                };
                match fraction {
                    Some(fraction) => Ok(partial(fraction, stderr)),
                    None => unexpected("exited 7 without valid points"),
                }
            }
            code => unexpected(&format!("exited {code}")),
        },
        Convention::Peg => match code {
            0 => Ok(Decision::Accepted { feedback: stdout }),
            1 => Ok(match peg_fraction(&stdout) {
                Some(fraction) if fraction > 0.0 => partial(fraction, String::new()),
                _ => Decision::Wrong { message: stdout },
            }),
            code => unexpected(&format!("exited {code}")),
        },
        Convention::Kattis => {
            let message = written("judgemessage.txt").unwrap_or_default();
            match code {
                42 => match written("score.txt") {
                    None => Ok(Decision::Accepted { feedback: message }),
                    Some(score) => match score
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .and_then(|s| of(s, max_points))
                    {
                        Some(fraction) => Ok(partial(fraction, message)),
                        None => unexpected("wrote a score.txt that is not a number of points"),
                    },
                },
                43 => Ok(Decision::Wrong { message }),
                code => unexpected(&format!("exited {code} (42 accepts, 43 rejects)")),
            }
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_end().to_owned()
}

fn join(first: &str, rest: &str) -> String {
    if rest.is_empty() {
        first.to_owned()
    } else {
        format!("{first}: {rest}")
    }
}

fn partial(fraction: f64, message: String) -> Decision {
    if fraction >= 1.0 {
        Decision::Accepted { feedback: message }
    } else {
        Decision::Partial {
            points: fraction,
            message,
        }
    }
}

/// `points N` on a line of its own, or followed by a message (testlib's
/// `quitp`): N points of the test.
fn points(stderr: &str) -> Option<f64> {
    stderr.lines().find_map(|line| {
        let number = line
            .trim()
            .strip_prefix("points ")?
            .split_whitespace()
            .next()?;
        number.parse::<f64>().ok().filter(|n| n.is_finite())
    })
}

/// `points` of `max_points` as a fraction, when within 0..=max.
fn of(points: f64, max_points: u32) -> Option<f64> {
    let max = f64::from(max_points.max(1));
    (points.is_finite() && (0.0..=max).contains(&points)).then(|| points / max)
}

/// COCI's `partial N/D` on a line of its own.
fn partial_fraction(stderr: &str) -> Option<f64> {
    stderr.lines().find_map(|line| {
        let (n, d) = line.trim().strip_prefix("partial ")?.split_once('/')?;
        let (n, d) = (n.trim().parse::<u64>().ok()?, d.trim().parse::<u64>().ok()?);
        (d > 0 && n <= d).then(|| n as f64 / d as f64)
    })
}

/// PEG's `N\nD` on stdout: N/D of the points.
fn peg_fraction(stdout: &str) -> Option<f64> {
    let mut lines = stdout.lines().map(str::trim);
    let (n, d) = (
        lines.next()?.parse::<u64>().ok()?,
        lines.next()?.parse::<u64>().ok()?,
    );
    (lines.next().is_none() && d > 0 && n <= d).then(|| n as f64 / d as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::Compiled;
    use gavel_exercise::native::{Language, NativeProgram, Role};

    fn ready(convention: Convention) -> Ready {
        Ready {
            program: NativeProgram {
                role: Role::Checker,
                file: "checker.cpp".to_owned(),
                language: Language::Cpp,
                source: Bytes::new(),
                headers: Vec::new(),
                convention,
            },
            compiled: Compiled {
                wasm: Bytes::new(),
                sha256: String::new(),
            },
            args: Vec::new(),
        }
    }

    fn ran(code: Option<i32>, stdout: &str, stderr: &str) -> RunResult {
        RunResult {
            outcome: if code == Some(0) {
                Outcome::Ok
            } else {
                Outcome::RuntimeError { error: None }
            },
            exit_code: code,
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
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
    fn testlib_exit_codes_decide() {
        let testlib = ready(Convention::Testlib);
        let decide = |code, stderr: &str| decide(&testlib, &ran(Some(code), "", stderr), 4);
        assert_eq!(
            decide(0, "ok 3 numbers\n"),
            Ok(Decision::Accepted {
                feedback: "ok 3 numbers".to_owned()
            })
        );
        assert_eq!(
            decide(1, "wrong answer expected 3, found 4"),
            Ok(Decision::Wrong {
                message: "wrong answer expected 3, found 4".to_owned()
            })
        );
        assert_eq!(
            decide(2, "wrong output format"),
            Ok(Decision::Wrong {
                message: "presentation error: wrong output format".to_owned()
            })
        );
        assert_eq!(
            decide(3, "answer file is broken"),
            Err("checker.cpp failed (FAIL): answer file is broken".to_owned())
        );
        assert_eq!(
            decide(7, "points 1 one of four"),
            Ok(Decision::Partial {
                points: 0.25,
                message: "points 1 one of four".to_owned()
            })
        );
        assert!(
            decide(7, "points 9").is_err(),
            "more than the test's points"
        );
        assert!(decide(7, "no points").is_err());
        assert!(decide(5, "").is_err());
    }

    #[test]
    fn a_checker_that_did_not_exit_is_the_authors_failure() {
        let testlib = ready(Convention::Testlib);
        let mut run = ran(None, "", "");
        run.outcome = Outcome::TimeLimit {
            limit: gavel_sandbox::TimeLimit::Fuel,
        };
        assert_eq!(
            decide(&testlib, &run, 1),
            Err("checker.cpp failed: time limit (fuel)".to_owned())
        );
    }

    #[test]
    fn coci_peg_and_kattis_read_their_own_channels() {
        let coci = ready(Convention::Coci);
        assert_eq!(
            decide(&coci, &ran(Some(7), "", "partial 1/2\n"), 10),
            Ok(Decision::Partial {
                points: 0.5,
                message: "partial 1/2".to_owned()
            })
        );
        let peg = ready(Convention::Peg);
        assert_eq!(
            decide(&peg, &ran(Some(1), "3\n4\n", ""), 1),
            Ok(Decision::Partial {
                points: 0.75,
                message: String::new()
            })
        );
        assert_eq!(
            decide(&peg, &ran(Some(1), "too small", ""), 1),
            Ok(Decision::Wrong {
                message: "too small".to_owned()
            })
        );
        let kattis = ready(Convention::Kattis);
        let mut wrong = ran(Some(43), "", "");
        wrong.written = vec![("judgemessage.txt".to_owned(), Bytes::from_static(b"no\n"))];
        assert_eq!(
            decide(&kattis, &wrong, 1),
            Ok(Decision::Wrong {
                message: "no".to_owned()
            })
        );
        let mut scored = ran(Some(42), "", "");
        scored.written = vec![("score.txt".to_owned(), Bytes::from_static(b"15\n"))];
        assert_eq!(
            decide(&kattis, &scored, 20),
            Ok(Decision::Partial {
                points: 0.75,
                message: String::new()
            })
        );
        assert!(decide(&kattis, &ran(Some(0), "", ""), 1).is_err());
    }

    #[test]
    fn each_convention_gets_its_arguments_and_files() {
        let job = checker_job(
            &ready(Convention::Peg),
            Bytes::from_static(b"in"),
            Bytes::from_static(b"out"),
            Bytes::from_static(b"ans"),
        );
        let Entry::Native(args) = &job.entry else {
            panic!()
        };
        assert_eq!(&args.args[..], ["checker", OUTPUT, ANSWER, INPUT]);
        let mut kattis = ready(Convention::Kattis);
        kattis.args = vec!["float_tolerance".to_owned(), "1e-6".to_owned()];
        let job = checker_job(
            &kattis,
            Bytes::from_static(b"in"),
            Bytes::from_static(b"out"),
            Bytes::from_static(b"ans"),
        );
        let Entry::Native(args) = &job.entry else {
            panic!()
        };
        assert_eq!(
            &args.args[..],
            [
                "validator",
                INPUT,
                ANSWER,
                "scratch/",
                "float_tolerance",
                "1e-6"
            ]
        );
        assert!(args.scratch);
        assert_eq!(&job.stdin[..], b"out");
    }
}
