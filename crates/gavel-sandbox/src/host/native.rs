//! Native programs: WebAssembly modules that are WASI preview 1 commands (a
//! C or C++ checker or interactor compiled to `wasm32-wasi`), run from
//! `_start` beside the runner image, by the same engine, in the same kind of
//! store: fuel, memory, output, files and virtual clocks are the run's own
//! (see `run`), and only linking and calling differ.

use super::classify::{Called, Returned};
use super::engine::{engine_key, wasmtime_error};
use super::guest::{Guest, RunState};
use crate::error::SandboxError;
use crate::job::{Entry, Job};
use bytes::Bytes;
use gavel_core::fs::write_atomically;
use gavel_core::hash::sha256_hex;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::WasiP1Ctx;

/// How many compiled modules a process keeps: an exercise has one native
/// program, a batch a few exercises.
const KEPT_MODULES: usize = 16;

/// WASI's `ENOSYS`: what `poll_oneoff` answers (see [`NativeModules::new`]).
const ENOSYS: i32 = 52;

/// Links native programs with WASI preview 1 and keeps the modules it
/// compiled, by the sha256 of their bytes: in memory, and as native code in
/// the cache, so that each worker process loads rather than compiles them.
pub(crate) struct NativeModules {
    engine: Engine,
    linker: Linker<RunState<WasiP1Ctx>>,
    /// By sha256, with the bytes they were compiled from.
    modules: Mutex<HashMap<String, (Bytes, Module)>>,
    /// Where compiled native programs are kept (the cache's compiled code).
    dir: PathBuf,
}

impl NativeModules {
    /// WASI preview 1 for runs of `engine`.
    pub(crate) fn new(engine: &Engine, dir: PathBuf) -> Result<NativeModules, SandboxError> {
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |state: &mut RunState<WasiP1Ctx>| {
            &mut state.wasi
        })
        .map_err(wasmtime_error("cannot link WASI preview 1"))?;
        // wasmtime-wasi's `poll_oneoff` sleeps on the host's clock (a thread
        // blocked in `std::thread::sleep` for a single timer), outside the
        // run's virtual time. Checkers and interactors have no use for timers:
        // `sleep` and `poll` fail with ENOSYS instead.
        linker.allow_shadowing(true);
        linker
            .func_wrap(
                "wasi_snapshot_preview1",
                "poll_oneoff",
                |_: i32, _: i32, _: i32, _: i32| -> i32 { ENOSYS },
            )
            .map_err(wasmtime_error("cannot link WASI preview 1"))?;
        Ok(NativeModules {
            engine: engine.clone(),
            linker,
            modules: Mutex::new(HashMap::new()),
            dir,
        })
    }

    /// `wasm` compiled, once per process.
    fn module(&self, wasm: &Bytes) -> wasmtime::Result<Module> {
        // Every test's job of one checker shares the same bytes in this
        // process: found by identity, without hashing them again per run
        // (a worker process receives fresh bytes, and hashes them).
        let same = |(kept, _): &&(Bytes, Module)| {
            kept.as_ptr() == wasm.as_ptr() && kept.len() == wasm.len()
        };
        if let Some((_, module)) = self.lock().values().find(same) {
            return Ok(module.clone());
        }
        let key = sha256_hex(wasm);
        if let Some((_, module)) = self.lock().get(&key) {
            return Ok(module.clone());
        }
        let module = self.load_or_compile(&key, wasm)?;
        let mut modules = self.lock();
        if modules.len() >= KEPT_MODULES {
            modules.clear();
        }
        modules.insert(key, (wasm.clone(), module.clone()));
        Ok(module)
    }

    /// The module from the cache's native code, else compiled (a C++
    /// checker takes about a second) and its native code kept.
    fn load_or_compile(&self, key: &str, wasm: &[u8]) -> wasmtime::Result<Module> {
        let path = self.dir.join(format!(
            "native-{}-{}.cwasm",
            &key[..32],
            engine_key(&self.engine)
        ));
        if path.is_file() {
            // SAFETY: `deserialize_file` trusts its input to be native code
            // that a compatible wasmtime produced. The file is in the user's
            // own cache, named by the module's sha256 and this engine's
            // configuration, and was written atomically below by this code;
            // wasmtime checks the version and configuration again and
            // refuses a mismatch.
            #[allow(unsafe_code)]
            let loaded = unsafe { Module::deserialize_file(&self.engine, &path) };
            match loaded {
                Ok(module) => {
                    // Marks it as in use, for pruning.
                    if let Ok(file) = std::fs::File::options().append(true).open(&path) {
                        let _ = file.set_modified(std::time::SystemTime::now());
                    }
                    return Ok(module);
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), "ignoring unusable compiled code: {e:#}")
                }
            }
        }
        let started = std::time::Instant::now();
        let module = Module::new(&self.engine, wasm)?;
        tracing::debug!(bytes = wasm.len(), elapsed = ?started.elapsed(), "native program compiled");
        let kept = module
            .serialize()
            .map_err(|e| e.to_string())
            .and_then(|code| {
                std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
                write_atomically(&path, &code).map_err(|e| e.to_string())
            });
        match kept {
            Ok(()) => super::engine::prune(&self.dir),
            Err(e) => {
                tracing::warn!(path = %path.display(), "cannot keep a native program's compiled code: {e}")
            }
        }
        Ok(module)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Bytes, Module)>> {
        // A panic while holding the lock leaves a map that is still valid.
        self.modules
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Guest for NativeModules {
    type Wasi = WasiP1Ctx;

    fn wasi(builder: &mut WasiCtxBuilder) -> WasiP1Ctx {
        builder.build_p1()
    }

    fn configure(&self, builder: &mut WasiCtxBuilder, job: &Job) -> Result<(), SandboxError> {
        if let Entry::Native(native) = &job.entry {
            builder.args(&native.args);
        }
        Ok(())
    }

    async fn call(
        &self,
        store: &mut Store<RunState<WasiP1Ctx>>,
        job: &Job,
    ) -> wasmtime::Result<Called> {
        let module = self.module(&job.source)?;
        let instance = self.linker.instantiate_async(&mut *store, &module).await?;
        let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
        start.call_async(&mut *store, ()).await?;
        // Returning from `_start` is exit code 0; `exit(n)` is an `I32Exit`
        // error, which classification reads.
        Ok(Called::plain(Returned::Ok(String::new())))
    }
}
