//! How a run ended, decided from what the host recorded and what the guest's
//! call returned, whatever kind of image ran it: each kind turns its own
//! exports' results into a [`Returned`], and everything after that is here.

use crate::outcome::{Decision, Outcome, PyError, TimeLimit};
use wasmtime::Trap;
use wasmtime_wasi::I32Exit;

/// What comes back from the guest is clipped to these sizes (in characters)
/// whatever the runner app did: the app shares its interpreter with the
/// submission, which can replace any of its functions.
const MAX_ERROR_KIND: usize = 200;
const MAX_ERROR_MESSAGE: usize = 4_000;
const MAX_TRACEBACK: usize = 16_000;

/// Compiled code larger than this is not kept (runs then compile the source
/// themselves): about 20 times the largest source a submission may have.
const MAX_CODE: usize = 8 << 20;

/// How a guest's call ended, as the runner app reported it.
#[derive(Debug)]
pub(crate) enum Returned {
    /// The program ran to its end; for a function, the JSON of its value.
    Ok(String),
    /// The program called `sys.exit` with this code.
    Exit(i32),
    /// The source does not compile.
    CompileError(PyError),
    /// The program raised.
    RuntimeError(PyError),
}

/// What a call of the guest gave: how it ended, and what a checker decided
/// or a compile run produced.
#[derive(Debug)]
pub(crate) struct Called {
    pub(crate) returned: Returned,
    pub(crate) decision: Option<Decision>,
    pub(crate) code: Option<Vec<u8>>,
}

impl Called {
    /// A call that gave nothing but how it ended.
    pub(crate) fn plain(returned: Returned) -> Called {
        Called {
            returned,
            decision: None,
            code: None,
        }
    }
}

/// How a run ended: its outcome, exit code and returned JSON, and what it
/// decided or compiled if it ended well.
#[derive(Debug)]
pub(crate) struct Classified {
    pub(crate) outcome: Outcome,
    pub(crate) exit_code: Option<i32>,
    pub(crate) return_json: Option<String>,
    pub(crate) decision: Option<Decision>,
    pub(crate) code: Option<Vec<u8>>,
}

/// What the host recorded about a run, which outweighs what the guest said.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recorded {
    /// The program is a function call (a value is expected, an exit is not).
    pub(crate) is_function: bool,
    /// Its output passed the cap.
    pub(crate) output_overflowed: bool,
    /// It was refused memory.
    pub(crate) memory_hit: bool,
}

/// Classifies a finished run (`called` is `None` when its wall time ran
/// out), clipping whatever came from the guest.
pub(crate) fn classified(
    called: Option<wasmtime::Result<Called>>,
    recorded: Recorded,
) -> Classified {
    let Some(result) = called else {
        return Classified {
            outcome: Outcome::TimeLimit {
                limit: TimeLimit::WallTime,
            },
            exit_code: None,
            return_json: None,
            decision: None,
            code: None,
        };
    };
    let (result, decision, code) = match result {
        Ok(called) => (Ok(called.returned), called.decision, called.code),
        Err(e) => (Err(e), None, None),
    };
    let (outcome, exit_code, return_json) = classify(result, recorded);
    let ended_well = outcome.is_ok();
    Classified {
        outcome,
        exit_code,
        return_json,
        decision: decision.filter(|_| ended_well).map(clipped_decision),
        code: code.filter(|code| ended_well && code.len() <= MAX_CODE),
    }
}

/// Turns what the guest call returned into an outcome. The limits the host
/// recorded come first: after a refused `memory.grow` or a full output,
/// CPython fails in whatever way it happens to, and that is not the verdict.
pub(crate) fn classify(
    result: wasmtime::Result<Returned>,
    recorded: Recorded,
) -> (Outcome, Option<i32>, Option<String>) {
    let is_function = recorded.is_function;
    let error = |error| Outcome::RuntimeError { error };
    match result {
        // Output past the cap is lost, so the run cannot be judged on it, even
        // when the guest's write failed quietly and the program carried on.
        _ if recorded.output_overflowed => (Outcome::OutputLimit, None, None),
        Ok(Returned::Ok(value)) => {
            let value = is_function.then_some(value);
            (Outcome::Ok, Some(0), value)
        }
        _ if recorded.memory_hit => (Outcome::MemoryLimit, None, None),
        Ok(Returned::Exit(0)) if !is_function => (Outcome::Ok, Some(0), None),
        Ok(Returned::Exit(code)) => (error(exit_error(code)), Some(code), None),
        Ok(Returned::CompileError(e)) => (
            Outcome::CompileError {
                error: clipped_error(e),
            },
            Some(1),
            None,
        ),
        Ok(Returned::RuntimeError(e)) => (error(Some(clipped_error(e))), Some(1), None),
        Err(e) => trapped(&e, is_function),
    }
}

/// A call that ended in a wasmtime error: an exit of the whole interpreter, or
/// a trap.
fn trapped(e: &wasmtime::Error, is_function: bool) -> (Outcome, Option<i32>, Option<String>) {
    let error = |error| Outcome::RuntimeError { error };
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        // `os._exit(n)`: the interpreter is gone, unflushed output with it.
        return match exit.0 {
            0 if !is_function => (Outcome::Ok, Some(0), None),
            code => (error(exit_error(code)), Some(code), None),
        };
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => (
            Outcome::TimeLimit {
                limit: TimeLimit::Fuel,
            },
            None,
            None,
        ),
        Some(Trap::StackOverflow) => (
            error(trap_error(
                "StackOverflow",
                "the interpreter's stack overflowed (recursion too deep)".to_owned(),
            )),
            None,
            None,
        ),
        Some(trap) => (error(trap_error("Trap", trap.to_string())), None, None),
        None => (error(trap_error("Trap", format!("{e:#}"))), None, None),
    }
}

fn clipped(text: String, max: usize) -> String {
    match gavel_core::text::clip(&text, max) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clipped) => clipped,
    }
}

fn clipped_error(error: PyError) -> PyError {
    PyError {
        kind: clipped(error.kind, MAX_ERROR_KIND),
        message: clipped(error.message, MAX_ERROR_MESSAGE),
        traceback: clipped(error.traceback, MAX_TRACEBACK),
        line: error.line,
    }
}

fn clipped_decision(decision: Decision) -> Decision {
    let clip = |text: String| clipped(text, MAX_ERROR_MESSAGE);
    match decision {
        Decision::Accepted { feedback } => Decision::Accepted {
            feedback: clip(feedback),
        },
        Decision::Wrong { message } => Decision::Wrong {
            message: clip(message),
        },
        Decision::Partial { points, message } => Decision::Partial {
            points: if points.is_finite() {
                points.clamp(0.0, 1.0)
            } else {
                0.0
            },
            message: clip(message),
        },
    }
}

fn trap_error(kind: &str, message: String) -> Option<PyError> {
    Some(PyError {
        kind: kind.to_owned(),
        message,
        traceback: String::new(),
        line: None,
    })
}

fn exit_error(code: i32) -> Option<PyError> {
    trap_error("SystemExit", code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(kind: &str) -> PyError {
        PyError {
            kind: kind.to_owned(),
            message: String::new(),
            traceback: String::new(),
            line: None,
        }
    }

    fn recorded(is_function: bool, output_overflowed: bool, memory_hit: bool) -> Recorded {
        Recorded {
            is_function,
            output_overflowed,
            memory_hit,
        }
    }

    #[test]
    fn recorded_limits_take_precedence_over_what_python_reported() {
        let raised = || Ok(Returned::RuntimeError(failure("MemoryError")));
        assert_eq!(
            classify(raised(), recorded(false, false, true)).0,
            Outcome::MemoryLimit
        );
        assert_eq!(
            classify(raised(), recorded(false, true, true)).0,
            Outcome::OutputLimit
        );
        let trapped = || Err(wasmtime::Error::new(Trap::UnreachableCodeReached));
        assert_eq!(
            classify(trapped(), recorded(false, false, true)).0,
            Outcome::MemoryLimit
        );
        // A program that handled a refused allocation and finished is fine.
        let ok = Ok(Returned::Ok(String::new()));
        assert_eq!(classify(ok, recorded(false, false, true)).0, Outcome::Ok);
    }

    #[test]
    fn exits_map_to_outcomes() {
        let plain = recorded(false, false, false);
        let (outcome, code, _) = classify(Ok(Returned::Exit(0)), plain);
        assert_eq!((outcome, code), (Outcome::Ok, Some(0)));
        let (outcome, code, _) = classify(Ok(Returned::Exit(3)), plain);
        assert_eq!(outcome.name(), "runtime_error");
        assert_eq!(code, Some(3));
        // A function exercise that exits never returned a value.
        let (outcome, _, _) = classify(Ok(Returned::Exit(0)), recorded(true, false, false));
        assert_eq!(outcome.name(), "runtime_error");
        let (outcome, code, _) = classify(Err(wasmtime::Error::new(I32Exit(4))), plain);
        assert_eq!((outcome.name(), code), ("runtime_error", Some(4)));
    }

    #[test]
    fn fuel_exhaustion_is_a_time_limit() {
        let (outcome, code, _) = classify(
            Err(wasmtime::Error::new(Trap::OutOfFuel)),
            recorded(false, false, false),
        );
        assert_eq!(
            outcome,
            Outcome::TimeLimit {
                limit: TimeLimit::Fuel
            }
        );
        assert_eq!(code, None);
    }

    #[test]
    fn whatever_the_guest_reports_is_clipped() {
        let huge = PyError {
            kind: "K".repeat(2_000_000),
            message: "m".repeat(2_000_000),
            traceback: "t".repeat(2_000_000),
            line: Some(3),
        };
        let (outcome, _, _) = classify(
            Ok(Returned::RuntimeError(huge)),
            recorded(false, false, false),
        );
        let Outcome::RuntimeError { error: Some(error) } = outcome else {
            panic!("{outcome:?}")
        };
        assert!(
            error.kind.chars().count() < MAX_ERROR_KIND + 40,
            "{}",
            error.kind.len()
        );
        assert!(error.message.chars().count() < MAX_ERROR_MESSAGE + 40);
        assert!(error.traceback.chars().count() < MAX_TRACEBACK + 40);
        assert_eq!(error.line, Some(3));
        let judged = Called {
            decision: Some(Decision::Partial {
                points: f64::NAN,
                message: "w".repeat(2_000_000),
            }),
            code: Some(vec![0; MAX_CODE + 1]),
            ..Called::plain(Returned::Ok(String::new()))
        };
        let ended = classified(Some(Ok(judged)), recorded(false, false, false));
        let Some(Decision::Partial { points, message }) = ended.decision else {
            panic!("{:?}", ended.decision)
        };
        assert_eq!(points, 0.0);
        assert!(message.chars().count() < MAX_ERROR_MESSAGE + 40);
        assert_eq!(ended.code, None, "oversized code is not kept");
    }

    #[test]
    fn a_failed_run_keeps_no_decision_and_no_code() {
        let called = Called {
            decision: Some(Decision::Wrong {
                message: "no".to_owned(),
            }),
            code: Some(vec![1]),
            ..Called::plain(Returned::RuntimeError(failure("ValueError")))
        };
        let failed = classified(Some(Ok(called)), recorded(false, false, false));
        assert_eq!(failed.outcome.name(), "runtime_error");
        assert!(failed.decision.is_none() && failed.code.is_none());
        let timed_out = classified(None, recorded(false, false, false));
        assert_eq!(
            timed_out.outcome,
            Outcome::TimeLimit {
                limit: TimeLimit::WallTime
            }
        );
    }
}

/// Limit classification on real wasmtime executions of tiny core modules, with
/// the engine configuration and limiter of real runs but no CPython.
#[cfg(test)]
mod wat_tests {
    use super::*;
    use crate::host::engine::engine;
    use crate::host::memory::MemoryLimiter;
    use crate::host::run::YIELD_INTERVAL;
    use gavel_core::Limits;
    use wasmtime::{Instance, Module, Store};

    struct Limited {
        limiter: MemoryLimiter,
    }

    async fn run_wat(wat: &str, limits: Limits) -> (Outcome, u64) {
        let engine = engine(2, crate::host::engine::Profile::Component).unwrap();
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(
            &engine,
            Limited {
                limiter: MemoryLimiter::new(limits.memory_bytes),
            },
        );
        store.limiter(|s| &mut s.limiter);
        store.set_fuel(limits.fuel).unwrap();
        store
            .fuel_async_yield_interval(Some(YIELD_INTERVAL))
            .unwrap();
        let result = async {
            let instance = Instance::new_async(&mut store, &module, &[]).await?;
            let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
            run.call_async(&mut store, ()).await?;
            Ok(Returned::Ok(String::new()))
        }
        .await;
        let fuel = limits.fuel - store.get_fuel().unwrap();
        let recorded = Recorded {
            is_function: false,
            output_overflowed: false,
            memory_hit: store.data().limiter.hit,
        };
        (classify(result, recorded).0, fuel)
    }

    const SPIN: &str = r#"(module (func (export "run") (loop br 0)))"#;

    #[tokio::test]
    async fn an_endless_loop_runs_out_of_fuel_deterministically() {
        let limits = Limits {
            fuel: 5_000_000,
            ..Limits::default()
        };
        let (outcome, fuel) = run_wat(SPIN, limits).await;
        assert_eq!(
            outcome,
            Outcome::TimeLimit {
                limit: TimeLimit::Fuel
            }
        );
        assert_eq!(fuel, 5_000_000);
    }

    #[tokio::test]
    async fn a_refused_memory_grow_is_reported_as_the_memory_limit() {
        // Grows by 64 MiB pages until refused, then traps as CPython might.
        let wat = r#"(module (memory 1)
            (func (export "run")
              (loop (br_if 0 (i32.ne (memory.grow (i32.const 1024)) (i32.const -1))))
              unreachable))"#;
        let limits = Limits {
            memory_bytes: 200 << 20,
            ..Limits::default()
        };
        let (outcome, _) = run_wat(wat, limits).await;
        assert_eq!(outcome, Outcome::MemoryLimit);
    }

    #[tokio::test]
    async fn an_unreachable_trap_without_a_limit_is_a_runtime_error() {
        let wat = r#"(module (func (export "run") unreachable))"#;
        let (outcome, _) = run_wat(wat, Limits::default()).await;
        assert_eq!(outcome.name(), "runtime_error");
    }

    #[tokio::test]
    async fn a_deep_wasm_recursion_is_a_stack_overflow_not_a_crash() {
        let wat = r#"(module (func $f (export "run") (call $f)))"#;
        let (outcome, _) = run_wat(wat, Limits::default()).await;
        match outcome {
            Outcome::RuntimeError { error: Some(e) } => assert_eq!(e.kind, "StackOverflow"),
            other => panic!("{other:?}"),
        }
    }
}
