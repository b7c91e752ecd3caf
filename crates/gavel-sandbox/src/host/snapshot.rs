//! Makes a reactor image: runs a CPython reactor's initialisation and one
//! `turn` (the image's snapshot script: gavel's runner, numpy, pandas,
//! scipy imported) and snapshots the instance with `wasmtime-wizer`, the
//! Bytecode Alliance's pre-initializer, into a module whose memory and
//! globals start where the turn left them.
//!
//! The pre-initialisation is deterministic by construction, so that two
//! builds from the same inputs are the same bytes on any machine: no
//! arguments but a fixed `argv[0]`, no environment, the run's virtual clocks
//! (fixed start, fixed steps), seeded random sources, no files but the
//! standard library's zip (read-only, its timestamps fixed by the caller),
//! and no host call answered but the one that hands over the runner's
//! sources.

use super::classify::classify;
use super::clock::{MonotonicClock, VirtualTime, WallClock};
use super::engine::{self, wasmtime_error};
use super::guest::RunState;
use super::memory::MemoryLimiter;
use super::output::CapturedOutput;
use super::reactor::{self, Door, LIB_GUEST_DIR, ReactorWasi};
use crate::error::SandboxError;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use std::path::Path;
use std::time::Duration;
use wasmtime::{Instance, Store};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType, Wizer};

/// The seed of the pre-initialisation's random sources (CPython's hash seed
/// and `random`'s state come from them).
const SEED: u64 = 0x6761_7665_6c5f_7363;

/// What the snapshot script may spend: importing scipy.stats alone takes
/// about a second and a half of a fast machine's time.
const INIT_FUEL: u64 = 2_000_000_000_000;
const INIT_MEMORY: u64 = 3 << 30;
const INIT_WAIT: Duration = Duration::from_secs(60);

/// Pre-initialises the reactor `wasm` by running `script` in its `turn`,
/// with `given` (the runner's sources) behind the door and the directory
/// `lib` (holding the standard library's zip) read-only at
/// `/usr/local/lib`; returns the snapshot.
pub(crate) fn snapshot(
    wasm: &[u8],
    lib: &Path,
    script: &[u8],
    given: Vec<u8>,
) -> Result<Vec<u8>, SandboxError> {
    // On a thread of its own: the caller may be a task of an async runtime
    // (a judge making the image on first need), inside which no runtime
    // can be started.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| SandboxError::Wasmtime {
                        context: "cannot start the snapshot's runtime".into(),
                        message: e.to_string(),
                    })?;
                runtime.block_on(snapshot_async(wasm, lib, script, given))
            })
            .join()
            .unwrap_or_else(|_| {
                Err(SandboxError::Wasmtime {
                    context: "the snapshot's thread failed".into(),
                    message: "it panicked".into(),
                })
            })
    })
}

async fn snapshot_async(
    wasm: &[u8],
    lib: &Path,
    script: &[u8],
    given: Vec<u8>,
) -> Result<Vec<u8>, SandboxError> {
    let failed = |context: &'static str| wasmtime_error(context);
    let wizer = Wizer::new();
    let (cx, instrumented) = wizer
        .instrument(wasm)
        .map_err(failed("cannot prepare the interpreter for its snapshot"))?;
    let engine = engine::snapshot_compiler()?;
    let started = std::time::Instant::now();
    let module = wasmtime::Module::new(&engine, &instrumented)
        .map_err(failed("cannot compile the interpreter"))?;
    tracing::debug!(elapsed = ?started.elapsed(), "interpreter compiled for its snapshot");
    let time = VirtualTime::new(INIT_WAIT);
    let output = CapturedOutput::new(1 << 20);
    let mut wasi = WasiCtxBuilder::new();
    wasi.args(&["python"])
        .stdout(output.stdout())
        .stderr(output.stderr())
        .wall_clock(WallClock(time.clone()))
        .monotonic_clock(MonotonicClock(time.clone()))
        .secure_random(SmallRng::seed_from_u64(SEED))
        .insecure_random(SmallRng::seed_from_u64(SEED ^ 1))
        .insecure_random_seed(u128::from(SEED))
        .preopened_dir(lib, LIB_GUEST_DIR, FsPerms::ReadOnly)
        .map_err(failed("cannot map the standard library"))?;
    let state = RunState {
        wasi: ReactorWasi {
            p1: wasi.build_p1(),
            door: Door {
                given: Some(given),
                result: None,
            },
            trampoline: None,
        },
        limiter: MemoryLimiter::new(INIT_MEMORY),
        time,
    };
    let mut store = Store::new(&engine, state);
    store.limiter(|state| &mut state.limiter);
    store
        .set_fuel(INIT_FUEL)
        .map_err(failed("cannot set fuel"))?;
    let linker = reactor::linker(&engine)?;
    let instance = linker
        .instantiate_async(&mut store, &module)
        .await
        .map_err(failed("cannot instantiate the interpreter"))?;
    let ran = initialise(&mut store, &instance, script).await;
    let captured = output.take();
    let status = match ran {
        Ok(status) => status,
        Err(e) => {
            let message = format!("{e:#}");
            let (outcome, _, _) = classify(Err(e), recorded(&store));
            return Err(init_failed(
                format!("{} ({message})", outcome.name()),
                &captured.stderr,
            ));
        }
    };
    if status != 0 {
        return Err(init_failed(format!("status {status}"), &captured.stderr));
    }
    tracing::debug!(
        fuel = INIT_FUEL - store.get_fuel().unwrap_or(0),
        memory = store.data().limiter.peak,
        "snapshot script ran"
    );
    let snapshot = wizer
        .snapshot(
            &cx,
            &mut Instantiated {
                store: &mut store,
                instance,
            },
        )
        .await
        .map_err(failed("cannot snapshot the interpreter"))?;
    Ok(snapshot)
}

/// The reactor's own initialisation, then the script's turn.
async fn initialise(
    store: &mut Store<RunState<ReactorWasi>>,
    instance: &Instance,
    script: &[u8],
) -> wasmtime::Result<i32> {
    if let Ok(init) = instance.get_typed_func::<(), ()>(&mut *store, "_initialize") {
        init.call_async(&mut *store, ()).await?;
    }
    reactor::turn(store, instance, script).await
}

fn recorded(store: &Store<RunState<ReactorWasi>>) -> super::classify::Recorded {
    super::classify::Recorded {
        is_function: false,
        output_overflowed: false,
        memory_hit: store.data().limiter.hit,
    }
}

fn init_failed(how: String, stderr: &[u8]) -> SandboxError {
    SandboxError::Wasmtime {
        context: "the scientific image's snapshot script failed".into(),
        message: format!("{how}\n{}", String::from_utf8_lossy(stderr)),
    }
}

/// What wizer reads of the initialised instance.
struct Instantiated<'a> {
    store: &'a mut Store<RunState<ReactorWasi>>,
    instance: Instance,
}

impl InstanceState for Instantiated<'_> {
    async fn global_get(&mut self, name: &str, _type: ValType) -> SnapshotVal {
        let global = self
            .instance
            .get_global(&mut *self.store, name)
            .expect("wizer asks for the globals it exported");
        match global.get(&mut *self.store) {
            wasmtime::Val::I32(x) => SnapshotVal::I32(x),
            wasmtime::Val::I64(x) => SnapshotVal::I64(x),
            wasmtime::Val::F32(x) => SnapshotVal::F32(x),
            wasmtime::Val::F64(x) => SnapshotVal::F64(x),
            wasmtime::Val::V128(x) => SnapshotVal::V128(x.as_u128()),
            _ => panic!("wizer snapshots numeric globals only"),
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        let memory = self
            .instance
            .get_memory(&mut *self.store, name)
            .expect("wizer asks for the memories it exported");
        contents(memory.data(&*self.store));
    }
}
