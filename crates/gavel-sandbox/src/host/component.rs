//! The component kind of runner image: a WASI 0.2 component exporting gavel's
//! runner interface (`runner-images/python-3.14/wit`), as componentize-py
//! makes it. Its results come back through typed calls, a channel the
//! submission cannot forge by printing.

use super::classify::{Called, Returned};
use super::clock::{ClockView, VirtualClock};
use super::engine::{Profile, wasmtime_error};
use super::guest::{Guest, RunState};
use super::run::Kind;
use crate::error::SandboxError;
use crate::job::{DataKind, Entry, Job};
use crate::outcome::{Decision, PyError};
use gavel_core::Shape;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../runner-images/python-3.14/wit",
        world: "runner",
        exports: { default: async },
    });
}

use bindings::exports::gavel::runner::run as guest;

/// The WASI 0.2 state of one run of a component.
pub(crate) struct ComponentWasi {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for RunState<ComponentWasi> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi.ctx,
            table: &mut self.wasi.table,
        }
    }
}

/// A runner component linked with WASI, ready to instantiate.
pub(crate) struct ComponentImage {
    pre: bindings::RunnerPre<RunState<ComponentWasi>>,
}

impl Kind for ComponentImage {
    type Code = Component;
    const PROFILE: Profile = Profile::Component;

    fn link(
        engine: &Engine,
        component: Component,
        _image: &std::path::Path,
    ) -> Result<Self, SandboxError> {
        let mut linker = Linker::<RunState<ComponentWasi>>::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(wasmtime_error("cannot link WASI"))?;
        // Timers are virtual (see `clock`): the monotonic clock's host functions
        // replace the ones WASI just linked.
        linker.allow_shadowing(true);
        wasmtime_wasi::p2::bindings::clocks::monotonic_clock::add_to_linker::<_, VirtualClock>(
            &mut linker,
            |state| ClockView {
                time: &state.time,
                table: &mut state.wasi.table,
            },
        )
        .map_err(wasmtime_error("cannot link the virtual clock"))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(wasmtime_error("the runner image does not fit this host"))?;
        let pre = bindings::RunnerPre::new(pre).map_err(wasmtime_error(
            "the runner image does not export gavel's runner interface",
        ))?;
        Ok(ComponentImage { pre })
    }

    async fn preloaded_modules(
        &self,
        store: &mut Store<RunState<ComponentWasi>>,
    ) -> Result<Vec<String>, SandboxError> {
        let runner = self
            .pre
            .instantiate_async(&mut *store)
            .await
            .map_err(wasmtime_error("cannot instantiate the runner image"))?;
        runner
            .gavel_runner_run()
            .call_preloaded(&mut *store)
            .await
            .map_err(wasmtime_error(
                "the runner image failed to list its modules",
            ))
    }
}

impl Guest for ComponentImage {
    type Wasi = ComponentWasi;

    fn wasi(builder: &mut WasiCtxBuilder) -> ComponentWasi {
        ComponentWasi {
            ctx: builder.build(),
            table: ResourceTable::new(),
        }
    }

    async fn call(
        &self,
        store: &mut Store<RunState<ComponentWasi>>,
        job: &Job,
    ) -> wasmtime::Result<Called> {
        let runner = self.pre.instantiate_async(&mut *store).await?;
        let run = runner.gavel_runner_run();
        Ok(match &job.entry {
            Entry::Compile => compiled(run.call_compile(&mut *store, &job.source).await?),
            Entry::Script => plain(
                run.call_run_script(&mut *store, &job.source, &job.code)
                    .await?,
            ),
            Entry::Function(call) => {
                let params: Vec<guest::Shape> = call.params.iter().map(|&s| s.into()).collect();
                plain(
                    run.call_call_function(
                        &mut *store,
                        &job.source,
                        &job.code,
                        &call.name,
                        &call.args_json,
                        &params,
                        call.returns.into(),
                    )
                    .await?,
                )
            }
            Entry::Check(check) => judged(
                run.call_check(
                    &mut *store,
                    &job.source,
                    check.kind.into(),
                    &check.input,
                    &check.expected,
                    &check.output,
                )
                .await?,
            ),
            Entry::Interact { input } => {
                judged(run.call_interact(&mut *store, &job.source, input).await?)
            }
            // `run` gives a native program to `native`, never to an image.
            Entry::Native(_) => {
                return Err(wasmtime::Error::msg(
                    "a native program is not run by the runner image",
                ));
            }
        })
    }
}

fn plain(outcome: guest::Outcome) -> Called {
    Called::plain(outcome.into())
}

fn judged(outcome: guest::CheckOutcome) -> Called {
    match outcome {
        guest::CheckOutcome::Judged(decision) => Called {
            decision: Some(decision.into()),
            ..Called::plain(Returned::Ok(String::new()))
        },
        guest::CheckOutcome::Failed(failure) => {
            Called::plain(Returned::RuntimeError(failure.into()))
        }
    }
}

fn compiled(compiled: guest::Compiled) -> Called {
    match compiled {
        guest::Compiled::Code(code) => Called {
            code: Some(code),
            ..Called::plain(Returned::Ok(String::new()))
        },
        guest::Compiled::SourceOnly => Called::plain(Returned::Ok(String::new())),
        guest::Compiled::Failed(outcome) => plain(outcome),
    }
}

impl From<guest::Outcome> for Returned {
    fn from(outcome: guest::Outcome) -> Self {
        match outcome {
            guest::Outcome::Ok(value) => Returned::Ok(value),
            guest::Outcome::Exit(code) => Returned::Exit(code),
            guest::Outcome::CompileError(failure) => Returned::CompileError(failure.into()),
            guest::Outcome::RuntimeError(failure) => Returned::RuntimeError(failure.into()),
        }
    }
}

impl From<guest::Failure> for PyError {
    fn from(failure: guest::Failure) -> Self {
        PyError {
            kind: failure.kind,
            message: failure.message,
            traceback: failure.traceback,
            line: (failure.line > 0).then_some(failure.line),
        }
    }
}

impl From<guest::Judgement> for Decision {
    fn from(decision: guest::Judgement) -> Self {
        match decision {
            guest::Judgement::Accepted(feedback) => Decision::Accepted { feedback },
            guest::Judgement::Wrong(message) => Decision::Wrong { message },
            guest::Judgement::Partial((points, message)) => Decision::Partial { points, message },
        }
    }
}

impl From<Shape> for guest::Shape {
    fn from(shape: Shape) -> Self {
        match shape {
            Shape::Json => guest::Shape::Json,
            Shape::LinkedList => guest::Shape::LinkedList,
            Shape::BinaryTree => guest::Shape::BinaryTree,
        }
    }
}

impl From<DataKind> for guest::DataKind {
    fn from(kind: DataKind) -> Self {
        match kind {
            DataKind::Text => guest::DataKind::Text,
            DataKind::Json => guest::DataKind::Json,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_without_a_line_has_none() {
        let failure = |line| guest::Failure {
            kind: "ValueError".to_owned(),
            message: "bad".to_owned(),
            traceback: String::new(),
            line,
        };
        assert_eq!(PyError::from(failure(0)).line, None);
        assert_eq!(PyError::from(failure(7)).line, Some(7));
    }
}
