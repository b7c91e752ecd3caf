//! The wasmtime host: one engine and one pre-linked component per process, a
//! fresh store and instance for every run.

use crate::cache::{Cache, LockKind, write_atomically};
use crate::image::{BuildStep, Image, ImageError, hex};
use crate::limits::{Limits, MemoryLimiter};
use crate::outcome::{Outcome, PyError, RunReport, TimeLimit};
use crate::output::CapturedOutput;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use thiserror::Error;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../runner-images/python-3.14/wit",
        world: "runner",
        exports: { default: async },
    });
}

use bindings::exports::gavel::runner::run as guest;

/// The wasm stack a run may use. wasmtime's 512 KiB default makes recursive
/// solutions trap long before Python's own recursion limit; with 64 MiB, plain
/// recursion to 10,000 and `lru_cache` recursion to 1,000 work, and deeper
/// recursion ends in a clean `RecursionError` from CPython's own checks.
const WASM_STACK: usize = 64 << 20;

/// How often (in fuel) a run yields to the async runtime, so that a busy guest
/// neither starves other runs nor outlives its wall-clock deadline. About 0.1 ms.
const YIELD_INTERVAL: u64 = 1_000_000;

/// Seed for the guest's random sources: a run must be reproducible, so
/// `os.urandom` and friends are deterministic. The generator needs no
/// cryptographic strength, and speed matters: componentize-py reseeds Python's
/// `random` from it at every instantiation, which with ChaCha cost ~8% of a
/// whole `gavel run`.
const RANDOM_SEED: u64 = 0x6761_7665_6c00_0001;

/// How a JSON value crosses into and out of a function-call exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Passed as is.
    #[default]
    Json,
    /// A JSON list as a chain of `ListNode(val, next)`.
    LinkedList,
    /// A level-order JSON list with nulls as `TreeNode(val, left, right)`.
    BinaryTree,
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

/// What to run of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Only compile it: the outcome is `Ok` or `CompileError`.
    Compile,
    /// The program as a script (`__name__ == "__main__"`), with stdin.
    Script,
    /// One function of the program, called with JSON arguments.
    Function {
        /// The function's name.
        name: String,
        /// The arguments: a JSON list.
        args_json: String,
        /// How each argument is converted (`Json` for all when empty).
        params: Vec<Shape>,
        /// How the return value is converted.
        returns: Shape,
    },
}

/// One run: a program, what it reads, and its limits.
#[derive(Debug, Clone)]
pub struct Job {
    /// The program's source, as bytes (a BOM or coding cookie is honoured).
    pub source: Vec<u8>,
    /// What to run of it.
    pub entry: Entry,
    /// Its standard input.
    pub stdin: Vec<u8>,
    /// Files it may read, by name, in a read-only working directory; nothing
    /// else of the host is visible.
    pub files: Vec<(String, Vec<u8>)>,
    /// Its limits.
    pub limits: Limits,
}

impl Job {
    /// A script run of `source` with empty stdin and default limits.
    pub fn script(source: impl Into<Vec<u8>>) -> Job {
        Job {
            source: source.into(),
            entry: Entry::Script,
            stdin: Vec::new(),
            files: Vec::new(),
            limits: Limits::default(),
        }
    }
}

/// A failure of the judge itself (never of the program being judged).
#[derive(Debug, Error)]
pub enum SandboxError {
    /// The runner image is missing or unusable.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// wasmtime could not be set up, or rejected the image.
    #[error("{context}: {message}")]
    Wasmtime {
        /// What was being done.
        context: &'static str,
        /// wasmtime's error, with its causes.
        message: String,
    },
    /// A run's working directory could not be prepared.
    #[error("cannot prepare the files of a run in `{}`: {source}", path.display())]
    Files {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file name of a job would leave its directory.
    #[error("invalid file name for a run: `{0}`")]
    FileName(String),
}

fn wasmtime_error(context: &'static str) -> impl FnOnce(wasmtime::Error) -> SandboxError {
    move |e| SandboxError::Wasmtime {
        context,
        message: format!("{e:#}"),
    }
}

struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: MemoryLimiter,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A loaded runner image, ready to run programs. Cheap to share between tasks;
/// every run gets its own store and instance.
pub struct Sandbox {
    engine: Engine,
    pre: bindings::RunnerPre<HostState>,
    image: Image,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("image", &self.image)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize, PartialEq, Eq)]
struct CompiledMeta {
    image_sha256: String,
    engine: String,
    size: u64,
    sha256: String,
}

/// Feeds `Hash` output into sha256, for a cache key that is stable across
/// processes (unlike `DefaultHasher`, whose algorithm may change).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        unreachable!("only the digest is used")
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

fn engine() -> Result<Engine, SandboxError> {
    let mut config = Config::new();
    config
        .consume_fuel(true)
        .max_wasm_stack(WASM_STACK)
        // Async runs execute on fibers of this size; it must exceed the wasm stack.
        .async_stack_size(WASM_STACK + (1 << 20))
        // A trap's wasm backtrace is of no use to a candidate and costs time;
        // so do the tables behind it and native unwind info (for debuggers),
        // which every process would load with the compiled image.
        .wasm_backtrace_max_frames(None)
        .generate_address_map(false)
        .native_unwind_info(false);
    Engine::new(&config).map_err(wasmtime_error("cannot configure wasmtime"))
}

fn engine_key(engine: &Engine) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex(&hasher.0.finalize())[..16].to_owned()
}

/// Loads the image's component compiled to native code: from the cache when a
/// compilation of this image by this engine is there, else compiling it once
/// (a few seconds) and caching the result for every later process.
fn load_component(
    engine: &Engine,
    cache: &Cache,
    image: &Image,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<Component, SandboxError> {
    let engine_key = engine_key(engine);
    let dir = cache.compiled_dir();
    let stem = format!(
        "{}-{engine_key}",
        &image.sha256[..16.min(image.sha256.len())]
    );
    let code = dir.join(format!("{stem}.cwasm"));
    let meta = dir.join(format!("{stem}.json"));
    if let Some(component) = load_compiled(engine, &code, &meta, image, &engine_key) {
        return Ok(component);
    }
    let _lock = cache.lock(LockKind::Compile)?;
    if let Some(component) = load_compiled(engine, &code, &meta, image, &engine_key) {
        return Ok(component);
    }
    progress(BuildStep::Compiling);
    tracing::info!(image = %image.sha256, "compiling the runner image to native code");
    let started = Instant::now();
    let wasm = std::fs::read(&image.path).map_err(|source| ImageError::Io {
        path: image.path.clone(),
        source,
    })?;
    let compiled = engine
        .precompile_component(&wasm)
        .map_err(wasmtime_error("cannot compile the runner image"))?;
    tracing::info!(elapsed = ?started.elapsed(), bytes = compiled.len(), "compiled");
    let record = CompiledMeta {
        image_sha256: image.sha256.clone(),
        engine: engine_key.clone(),
        size: compiled.len() as u64,
        sha256: hex(&Sha256::digest(&compiled)),
    };
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ImageError::Io { path, source }
    };
    write_atomically(&code, &compiled).map_err(io(&code))?;
    let text = serde_json::to_vec_pretty(&record).expect("metadata serialises");
    write_atomically(&meta, &text).map_err(io(&meta))?;
    prune_compiled(&dir);
    load_compiled(engine, &code, &meta, image, &engine_key).ok_or_else(|| SandboxError::Wasmtime {
        context: "cannot load the freshly compiled runner image",
        message: code.display().to_string(),
    })
}

/// Deserialises the cached native code, but only a file this program wrote: its
/// record (written after it, atomically) must name this image, this engine and
/// the file's exact size. Anything else is recompiled rather than trusted.
fn load_compiled(
    engine: &Engine,
    code: &Path,
    meta: &Path,
    image: &Image,
    engine_key: &str,
) -> Option<Component> {
    let record: CompiledMeta = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
    let size = std::fs::metadata(code).ok()?.len();
    if record.image_sha256 != image.sha256 || record.engine != engine_key || record.size != size {
        tracing::debug!(path = %code.display(), "compiled cache entry does not match; ignoring it");
        return None;
    }
    // SAFETY: `deserialize_file` trusts its input to be native code produced by
    // a compatible wasmtime. The file is in the user's own cache, was written
    // atomically by `load_component` above, and its record matches this image,
    // this engine and its size; wasmtime checks the version and configuration
    // again and refuses a mismatch.
    #[allow(unsafe_code)]
    let loaded = unsafe { Component::deserialize_file(engine, code) };
    match loaded {
        Ok(component) => {
            // Marks the entry as in use, for `prune_compiled`.
            if let Ok(file) = std::fs::File::options().append(true).open(meta) {
                let _ = file.set_modified(std::time::SystemTime::now());
            }
            Some(component)
        }
        Err(e) => {
            tracing::warn!(path = %code.display(), "ignoring unusable compiled code: {e:#}");
            None
        }
    }
}

/// Compiled code is ~40 MB per image and engine configuration; entries no
/// process has loaded for this long (older images, other gavel versions) go.
const UNUSED_COMPILED_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

fn prune_compiled(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let meta = entry.path();
        if meta.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let unused = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > UNUSED_COMPILED_TTL);
        if unused {
            tracing::info!(path = %meta.display(), "removing unused compiled code");
            let _ = std::fs::remove_file(meta.with_extension("cwasm"));
            let _ = std::fs::remove_file(&meta);
        }
    }
}

impl Sandbox {
    /// Loads `image` (compiling it once per machine) and links it with WASI.
    pub fn new(cache: &Cache, image: Image) -> Result<Sandbox, SandboxError> {
        Self::with_progress(cache, image, &mut |_| {})
    }

    /// Like [`Sandbox::new`], telling `progress` when a slow compilation starts.
    pub fn with_progress(
        cache: &Cache,
        image: Image,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<Sandbox, SandboxError> {
        let started = Instant::now();
        let engine = engine()?;
        let component = load_component(&engine, cache, &image, progress)?;
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(wasmtime_error("cannot link WASI"))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(wasmtime_error("the runner image does not fit this host"))?;
        let pre = bindings::RunnerPre::new(pre).map_err(wasmtime_error(
            "the runner image does not export gavel's runner interface",
        ))?;
        tracing::debug!(elapsed = ?started.elapsed(), "sandbox ready");
        Ok(Sandbox { engine, pre, image })
    }

    /// The image this sandbox runs.
    pub fn image(&self) -> &Image {
        &self.image
    }

    /// The standard-library modules the image holds (the only importable ones).
    pub async fn preloaded_modules(&self) -> Result<Vec<String>, SandboxError> {
        let (mut store, _output) = self.store(&Job::script(Vec::new()), None)?;
        let runner = self
            .pre
            .instantiate_async(&mut store)
            .await
            .map_err(wasmtime_error("cannot instantiate the runner image"))?;
        runner
            .gavel_runner_run()
            .call_preloaded(&mut store)
            .await
            .map_err(wasmtime_error(
                "the runner image failed to list its modules",
            ))
    }

    fn store(
        &self,
        job: &Job,
        files_dir: Option<&Path>,
    ) -> Result<(Store<HostState>, CapturedOutput), SandboxError> {
        let output = CapturedOutput::new(job.limits.output_bytes);
        // The builder's defaults give the guest nothing: no environment, no
        // arguments, no directories, no network.
        let mut wasi = WasiCtxBuilder::new();
        wasi.stdin(MemoryInputPipe::new(job.stdin.clone()))
            .stdout(output.stdout())
            .stderr(output.stderr())
            .secure_random(SmallRng::seed_from_u64(RANDOM_SEED))
            .insecure_random(SmallRng::seed_from_u64(RANDOM_SEED ^ 1))
            .insecure_random_seed(u128::from(RANDOM_SEED));
        if let Some(dir) = files_dir {
            wasi.preopened_dir(dir, ".", FsPerms::ReadOnly)
                .map_err(wasmtime_error("cannot map a run's files"))?;
        }
        let state = HostState {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(job.limits.memory_bytes),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        store
            .set_fuel(job.limits.fuel)
            .map_err(wasmtime_error("cannot set fuel"))?;
        store
            .fuel_async_yield_interval(Some(YIELD_INTERVAL))
            .map_err(wasmtime_error("cannot set the yield interval"))?;
        Ok((store, output))
    }

    /// Runs one job in a fresh instance. Whatever the program does, the result
    /// is a [`RunReport`]; `Err` means the judge itself failed.
    pub async fn run(&self, job: &Job) -> Result<RunReport, SandboxError> {
        let files_dir = write_files(&job.files)?;
        let (mut store, output) = self.store(job, files_dir.as_ref().map(|d| d.path()))?;
        let started = Instant::now();
        let called = tokio::time::timeout(job.limits.wall_time, async {
            let runner = self.pre.instantiate_async(&mut store).await?;
            let run = runner.gavel_runner_run();
            match &job.entry {
                Entry::Compile => run.call_compile_check(&mut store, &job.source).await,
                Entry::Script => run.call_run_script(&mut store, &job.source).await,
                Entry::Function {
                    name,
                    args_json,
                    params,
                    returns,
                } => {
                    let params: Vec<guest::Shape> = params.iter().map(|&s| s.into()).collect();
                    run.call_call_function(
                        &mut store,
                        &job.source,
                        name,
                        args_json,
                        &params,
                        (*returns).into(),
                    )
                    .await
                }
            }
        })
        .await;
        let wall = started.elapsed();
        let fuel = job
            .limits
            .fuel
            .saturating_sub(store.get_fuel().unwrap_or(0));
        let captured = output.take();
        let limiter = &store.data().limiter;
        let is_function = matches!(job.entry, Entry::Function { .. });
        let (outcome, exit_code, return_json) = match called {
            Err(_elapsed) => (
                Outcome::TimeLimit {
                    limit: TimeLimit::WallTime,
                },
                None,
                None,
            ),
            Ok(result) => classify(result, is_function, captured.overflowed, limiter.hit),
        };
        tracing::debug!(status = outcome.name(), fuel, ?wall, "run finished");
        Ok(RunReport {
            outcome,
            exit_code,
            stdout: captured.stdout,
            stderr: captured.stderr,
            return_json,
            fuel,
            wall_ms: duration_ms(wall),
            peak_memory_bytes: limiter.peak,
        })
    }
}

fn duration_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn write_files(files: &[(String, Vec<u8>)]) -> Result<Option<tempfile::TempDir>, SandboxError> {
    if files.is_empty() {
        return Ok(None);
    }
    let dir = tempfile::Builder::new()
        .prefix("gavel-run-")
        .tempdir()
        .map_err(|source| SandboxError::Files {
            path: std::env::temp_dir(),
            source,
        })?;
    for (name, bytes) in files {
        let valid = !name.is_empty()
            && Path::new(name)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !valid {
            return Err(SandboxError::FileName(name.clone()));
        }
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| SandboxError::Files {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| SandboxError::Files { path, source })?;
    }
    Ok(Some(dir))
}

fn py_error(failure: guest::Failure) -> PyError {
    PyError {
        kind: failure.kind,
        message: failure.message,
        traceback: failure.traceback,
        line: (failure.line > 0).then_some(failure.line),
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

/// Turns what the guest call returned into an outcome. The limits the host
/// recorded come first: after a refused `memory.grow` or a full output,
/// CPython fails in whatever way it happens to, and that is not the verdict.
fn classify(
    result: wasmtime::Result<guest::Outcome>,
    is_function: bool,
    output_overflowed: bool,
    memory_hit: bool,
) -> (Outcome, Option<i32>, Option<String>) {
    let error = |error| Outcome::RuntimeError { error };
    match result {
        // Output past the cap is lost, so the run cannot be judged on it, even
        // when the guest's write failed quietly and the program carried on.
        _ if output_overflowed => (Outcome::OutputLimit, None, None),
        Ok(guest::Outcome::Ok(value)) => {
            let value = is_function.then_some(value);
            (Outcome::Ok, Some(0), value)
        }
        _ if memory_hit => (Outcome::MemoryLimit, None, None),
        Ok(guest::Outcome::Exit(0)) if !is_function => (Outcome::Ok, Some(0), None),
        Ok(guest::Outcome::Exit(code)) => (error(exit_error(code)), Some(code), None),
        Ok(guest::Outcome::CompileError(failure)) => (
            Outcome::CompileError {
                error: py_error(failure),
            },
            Some(1),
            None,
        ),
        Ok(guest::Outcome::RuntimeError(failure)) => {
            (error(Some(py_error(failure))), Some(1), None)
        }
        Err(e) => {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_removes_only_long_unused_compiled_code() {
        let dir = tempfile::tempdir().unwrap();
        for stem in ["old", "fresh"] {
            std::fs::write(dir.path().join(format!("{stem}.cwasm")), b"code").unwrap();
            std::fs::write(dir.path().join(format!("{stem}.json")), b"{}").unwrap();
        }
        let long_ago = std::time::SystemTime::now() - UNUSED_COMPILED_TTL - Duration::from_secs(60);
        std::fs::File::options()
            .append(true)
            .open(dir.path().join("old.json"))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        prune_compiled(dir.path());
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["fresh.cwasm", "fresh.json"]);
    }

    fn failure(kind: &str) -> guest::Failure {
        guest::Failure {
            kind: kind.to_owned(),
            message: String::new(),
            traceback: String::new(),
            line: 0,
        }
    }

    #[test]
    fn recorded_limits_take_precedence_over_what_python_reported() {
        let raised = || Ok(guest::Outcome::RuntimeError(failure("MemoryError")));
        assert_eq!(
            classify(raised(), false, false, true).0,
            Outcome::MemoryLimit
        );
        assert_eq!(
            classify(raised(), false, true, true).0,
            Outcome::OutputLimit
        );
        let trapped = || Err(wasmtime::Error::new(Trap::UnreachableCodeReached));
        assert_eq!(
            classify(trapped(), false, false, true).0,
            Outcome::MemoryLimit
        );
        // A program that handled a refused allocation and finished is fine.
        let ok = Ok(guest::Outcome::Ok(String::new()));
        assert_eq!(classify(ok, false, false, true).0, Outcome::Ok);
    }

    #[test]
    fn exits_map_to_outcomes() {
        let (outcome, code, _) = classify(Ok(guest::Outcome::Exit(0)), false, false, false);
        assert_eq!((outcome, code), (Outcome::Ok, Some(0)));
        let (outcome, code, _) = classify(Ok(guest::Outcome::Exit(3)), false, false, false);
        assert_eq!(outcome.name(), "runtime_error");
        assert_eq!(code, Some(3));
        // A function exercise that exits never returned a value.
        let (outcome, _, _) = classify(Ok(guest::Outcome::Exit(0)), true, false, false);
        assert_eq!(outcome.name(), "runtime_error");
        let (outcome, code, _) =
            classify(Err(wasmtime::Error::new(I32Exit(4))), false, false, false);
        assert_eq!((outcome.name(), code), ("runtime_error", Some(4)));
    }

    #[test]
    fn fuel_exhaustion_is_a_time_limit() {
        let (outcome, code, _) = classify(
            Err(wasmtime::Error::new(Trap::OutOfFuel)),
            false,
            false,
            false,
        );
        assert_eq!(
            outcome,
            Outcome::TimeLimit {
                limit: TimeLimit::Fuel
            }
        );
        assert_eq!(code, None);
    }
}

/// Limit classification on real wasmtime executions of tiny core modules, with
/// the engine configuration and limiter of real runs but no CPython.
#[cfg(test)]
mod wat_tests {
    use super::*;
    use wasmtime::{Instance, Module};

    struct Limited {
        limiter: MemoryLimiter,
    }

    async fn run_wat(wat: &str, limits: Limits) -> (Outcome, u64) {
        let engine = engine().unwrap();
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
        let called = tokio::time::timeout(limits.wall_time, async {
            let instance = Instance::new_async(&mut store, &module, &[]).await?;
            let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
            run.call_async(&mut store, ()).await?;
            Ok(guest::Outcome::Ok(String::new()))
        })
        .await;
        let fuel = limits.fuel - store.get_fuel().unwrap();
        let outcome = match called {
            Err(_) => Outcome::TimeLimit {
                limit: TimeLimit::WallTime,
            },
            Ok(result) => classify(result, false, false, store.data().limiter.hit).0,
        };
        (outcome, fuel)
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
    async fn the_wall_clock_stops_a_loop_with_fuel_to_spare() {
        let limits = Limits {
            fuel: u64::MAX / 2,
            wall_time: Duration::from_millis(200),
            ..Limits::default()
        };
        let started = Instant::now();
        let (outcome, _) = run_wat(SPIN, limits).await;
        assert_eq!(
            outcome,
            Outcome::TimeLimit {
                limit: TimeLimit::WallTime
            }
        );
        assert!(started.elapsed() < Duration::from_secs(5));
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
