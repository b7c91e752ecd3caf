//! What runs in a run's store, whatever it is (a kind of runner image, a
//! native program): how its WASI state is made and how it is called; and
//! what the store holds. Below `run`, which drives any guest, and the guests
//! themselves (`component`, `native`).

use super::classify::Called;
use super::clock::VirtualTime;
use super::memory::MemoryLimiter;
use crate::error::SandboxError;
use crate::job::Job;
use std::sync::Arc;
use wasmtime::Store;
use wasmtime_wasi::WasiCtxBuilder;

/// What runs in a store: how its WASI state is made from the run's
/// configuration, and how it is called. A kind of runner image is one; a
/// native program (`native`) is another.
pub(crate) trait Guest: Send + Sync + 'static {
    /// The WASI state of one run: a component keeps WASI 0.2's context and
    /// resource table; a core module importing WASI preview 1 keeps
    /// `wasmtime_wasi::p1::WasiP1Ctx`.
    type Wasi: Send + 'static;

    /// Builds a run's WASI state from the shared configuration (streams,
    /// clocks, random sources, files).
    fn wasi(builder: &mut WasiCtxBuilder) -> Self::Wasi;

    /// Adds what `job` is started with (arguments) and what the guest itself
    /// needs (a reactor's standard library) to the configuration; nothing by
    /// default.
    fn configure(&self, _builder: &mut WasiCtxBuilder, _job: &Job) -> Result<(), SandboxError> {
        Ok(())
    }

    /// Instantiates the guest in `store` and calls what `job.entry` names.
    fn call(
        &self,
        store: &mut Store<RunState<Self::Wasi>>,
        job: &Job,
    ) -> impl Future<Output = wasmtime::Result<Called>> + Send;
}

/// What a run's store holds.
pub(crate) struct RunState<W> {
    /// The kind's WASI state.
    pub(crate) wasi: W,
    pub(crate) limiter: MemoryLimiter,
    /// The run's virtual time, which a kind's timers move.
    pub(crate) time: Arc<VirtualTime>,
}
