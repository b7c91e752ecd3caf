//! The wasmtime host: one engine and one pre-linked component per process, a
//! fresh store and instance for every run.

use crate::clock::{ClockView, MonotonicClock, VirtualClock, VirtualTime, WallClock};
use crate::engine::{engine, load_component, wasmtime_error};
use crate::files::RunFiles;
use crate::image::{BuildStep, Image, ImageError};
use crate::limits::MemoryLimiter;
use crate::outcome::{Judgement, Outcome, PyError, RunReport, TimeLimit};
use crate::output::CapturedOutput;
use crate::pipe::{Link, Message, Side};
use crate::worker::{WorkerCommand, Workers};
use bytes::Bytes;
use gavel_core::{Cache, Limits, Shape};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio::sync::Semaphore;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Engine, Store, Trap};
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

/// How often (in fuel) a run yields to the async runtime, so that a busy guest
/// does not starve other runs on the same thread. About 0.1 ms.
const YIELD_INTERVAL: u64 = 1_000_000;

/// Seed for the guest's random sources: a run must be reproducible, so
/// `os.urandom` and friends are deterministic. The generator needs no
/// cryptographic strength, and speed matters: componentize-py reseeds Python's
/// `random` from it at every instantiation, which with ChaCha cost ~8% of a
/// whole `gavel run`.
const RANDOM_SEED: u64 = 0x6761_7665_6c00_0001;

/// What comes back from the guest is clipped to these sizes (in characters)
/// whatever the runner app did: the app shares its interpreter with the
/// submission, which can replace any of its functions.
const MAX_ERROR_KIND: usize = 200;
const MAX_ERROR_MESSAGE: usize = 4_000;
const MAX_TRACEBACK: usize = 16_000;

/// Compiled code larger than this is not kept (runs then compile the source
/// themselves): about 20 times the largest source a submission may have.
const MAX_CODE: usize = 8 << 20;

/// The slowest a run may progress before the judge considers itself stuck:
/// a hundredth of the ~10 G fuel/s the machines gavel runs on reach. Only a
/// fault of the judge (never a program, never a busy host) can trip it.
const WATCHDOG_MIN_FUEL_PER_SEC: u64 = 100_000_000;
const WATCHDOG_GRACE: Duration = Duration::from_secs(60);

/// A worker's own watchdog fires first; this covers a worker that hangs.
const WORKER_GRACE: Duration = Duration::from_secs(10);

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entry {
    /// Only compile it: the outcome is `Ok` or `CompileError`; with `Ok`,
    /// [`RunReport::code`] is the compiled code for [`Job::code`].
    Compile,
    /// The program as a script (`__name__ == "__main__"`), with stdin.
    Script,
    /// One function of the program, called with JSON arguments.
    Function(Call),
    /// The program is a checker: its `check(input, expected, output)` judges
    /// one answer.
    Check(CheckArgs),
    /// The program is an interactor: its `interact(input)` talks to a program
    /// over stdin and stdout (see [`Sandbox::interact`]).
    Interact {
        /// The test's input.
        input: Arc<str>,
    },
}

/// How a checker receives a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataKind {
    /// As texts (stdio exercises).
    Text,
    /// As JSON values (function exercises).
    Json,
}

/// What a checker judges: one test's input, expected answer and the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckArgs {
    /// Texts or JSON.
    pub kind: DataKind,
    /// The test's input (stdin, or the argument list).
    pub input: Arc<str>,
    /// The expected answer.
    pub expected: Arc<str>,
    /// The program's answer (stdout, or the returned value).
    pub output: Arc<str>,
}

/// A call of one function of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// The function's name.
    pub name: Arc<str>,
    /// The arguments: the text of a JSON list, passed on as written (so a
    /// dict's key order and an integer's every digit arrive as the author wrote).
    pub args_json: Arc<str>,
    /// How each argument is converted (`Json` for all when empty).
    pub params: Arc<[Shape]>,
    /// How the return value is converted.
    pub returns: Shape,
}

/// One run: a program, what it reads, and its limits. Every field is shared,
/// so making a job for each test of a submission copies no data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// The program's source, as bytes (a BOM or coding cookie is honoured).
    pub source: Bytes,
    /// What a compile run of this source on this image gave
    /// ([`RunReport::code`]), or empty: a run given it skips parsing and
    /// compiling the source (more than half of a small test's fuel), and is
    /// otherwise the same run, with the same output; its fuel is then the
    /// program's own work, compiling excluded.
    pub code: Bytes,
    /// What to run of it.
    pub entry: Entry,
    /// Its standard input.
    pub stdin: Bytes,
    /// Files it may read, by name, in a read-only working directory; nothing
    /// else of the host is visible.
    pub files: Arc<[(String, Bytes)]>,
    /// Its limits.
    pub limits: Limits,
}

impl Job {
    /// A script run of `source` with empty stdin and default limits.
    pub fn script(source: impl AsRef<[u8]>) -> Job {
        Job {
            source: Bytes::copy_from_slice(source.as_ref()),
            code: Bytes::new(),
            entry: Entry::Script,
            stdin: Bytes::new(),
            files: Arc::new([]),
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
    /// A worker process could not be started or failed.
    #[error("{0}")]
    Worker(String),
    /// A run made no progress for far longer than its limits allow.
    #[error(
        "a run did not finish within {0:?} of real time; the judge is stuck or the machine overloaded"
    )]
    Watchdog(Duration),
}

struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: MemoryLimiter,
    time: Arc<VirtualTime>,
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
/// every run gets its own store and instance, in one of a fixed number of
/// instance slots that are reset in place between runs.
pub struct Sandbox {
    engine: Engine,
    pre: bindings::RunnerPre<HostState>,
    image: Image,
    files: RunFiles,
    slots: Arc<Semaphore>,
    slot_count: usize,
    workers: Option<Workers>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("image", &self.image)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Loads `image` (compiling it once per machine) and links it with WASI,
    /// for at most `slots` runs at once.
    pub fn new(cache: &Cache, image: Image, slots: usize) -> Result<Sandbox, SandboxError> {
        Self::with_progress(cache, image, slots, &mut |_| {})
    }

    /// Like [`Sandbox::new`], telling `progress` when a slow compilation starts.
    pub fn with_progress(
        cache: &Cache,
        image: Image,
        slots: usize,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<Sandbox, SandboxError> {
        let started = Instant::now();
        let slots = slots.max(1);
        // Every slot has room for two instances: an interaction runs a
        // program and an interactor at once.
        let engine = engine(u32::try_from(slots * 2).unwrap_or(u32::MAX))?;
        let component = load_component(&engine, cache, &image, progress)?;
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(wasmtime_error("cannot link WASI"))?;
        // Timers are virtual (see `clock`): the monotonic clock's host functions
        // replace the ones WASI just linked.
        linker.allow_shadowing(true);
        wasmtime_wasi::p2::bindings::clocks::monotonic_clock::add_to_linker::<
            HostState,
            VirtualClock,
        >(&mut linker, |state| ClockView {
            time: &state.time,
            table: &mut state.table,
        })
        .map_err(wasmtime_error("cannot link the virtual clock"))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(wasmtime_error("the runner image does not fit this host"))?;
        let pre = bindings::RunnerPre::new(pre).map_err(wasmtime_error(
            "the runner image does not export gavel's runner interface",
        ))?;
        let files = RunFiles::new(&cache.runs_dir())?;
        tracing::debug!(elapsed = ?started.elapsed(), "sandbox ready");
        Ok(Sandbox {
            engine,
            pre,
            image,
            files,
            slots: Arc::new(Semaphore::new(slots)),
            slot_count: slots,
            workers: None,
        })
    }

    /// Runs programs in worker processes started with `command` (one run at a
    /// time each, up to the slots), rather than in this process; see
    /// [`crate::worker`].
    pub fn in_workers(
        mut self,
        command: WorkerCommand,
        cache: &Cache,
    ) -> Result<Sandbox, SandboxError> {
        self.workers = Some(Workers::new(command, cache, &self.image)?);
        Ok(self)
    }

    /// The image this sandbox runs.
    pub fn image(&self) -> &Image {
        &self.image
    }

    /// How many runs may be in progress at once.
    pub fn slots(&self) -> usize {
        self.slot_count
    }

    async fn slot(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.slots
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }

    /// The standard-library modules the image holds (the only importable ones).
    pub async fn preloaded_modules(&self) -> Result<Vec<String>, SandboxError> {
        let _slot = self.slot().await;
        let job = Job::script(b"");
        let mut run = self.begin(&job, Io::Memory)?;
        let runner = self
            .pre
            .instantiate_async(&mut run.store)
            .await
            .map_err(wasmtime_error("cannot instantiate the runner image"))?;
        runner
            .gavel_runner_run()
            .call_preloaded(&mut run.store)
            .await
            .map_err(wasmtime_error(
                "the runner image failed to list its modules",
            ))
    }

    /// A fresh store for `job`, with its files, clock, limits and streams.
    fn begin(&self, job: &Job, io: Io) -> Result<Run, SandboxError> {
        let files = if job.files.is_empty() {
            None
        } else {
            Some(self.files.write(&job.files)?)
        };
        let time = VirtualTime::new(job.limits.wall_time);
        let output = CapturedOutput::new(job.limits.output_bytes);
        // The builder's defaults give the guest nothing: no environment, no
        // arguments, no directories, no network.
        let mut wasi = WasiCtxBuilder::new();
        match &io {
            Io::Memory => {
                wasi.stdin(MemoryInputPipe::new(job.stdin.clone()))
                    .stdout(output.stdout());
            }
            Io::Piped(link, side) => {
                wasi.stdin(link.reader(*side)).stdout(link.writer(*side));
            }
        }
        wasi.stderr(output.stderr())
            .wall_clock(WallClock(time.clone()))
            .monotonic_clock(MonotonicClock(time.clone()))
            .secure_random(SmallRng::seed_from_u64(RANDOM_SEED))
            .insecure_random(SmallRng::seed_from_u64(RANDOM_SEED ^ 1))
            .insecure_random_seed(u128::from(RANDOM_SEED));
        if let Some(dir) = &files {
            wasi.preopened_dir(dir.path(), ".", FsPerms::ReadOnly)
                .map_err(wasmtime_error("cannot map a run's files"))?;
        }
        let state = HostState {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(job.limits.memory_bytes),
            time: time.clone(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        store
            .set_fuel(job.limits.fuel)
            .map_err(wasmtime_error("cannot set fuel"))?;
        store
            .fuel_async_yield_interval(Some(YIELD_INTERVAL))
            .map_err(wasmtime_error("cannot set the yield interval"))?;
        Ok(Run {
            store,
            output,
            time,
            _files: files,
            started: Instant::now(),
        })
    }

    /// Instantiates the runner in `store` and calls the export `job` names.
    async fn call(&self, store: &mut Store<HostState>, job: &Job) -> wasmtime::Result<Called> {
        let runner = self.pre.instantiate_async(&mut *store).await?;
        let run = runner.gavel_runner_run();
        Ok(match &job.entry {
            Entry::Compile => compiled(run.call_compile(&mut *store, &job.source).await?),
            Entry::Script => Called::plain(
                run.call_run_script(&mut *store, &job.source, &job.code)
                    .await?,
            ),
            Entry::Function(call) => {
                let params: Vec<guest::Shape> = call.params.iter().map(|&s| s.into()).collect();
                Called::plain(
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
        })
    }

    /// Runs `job` in `run`'s store, under its wall time (and the watchdog).
    /// `None` when the wall time ran out.
    async fn execute(
        &self,
        run: &mut Run,
        job: &Job,
    ) -> Result<Option<wasmtime::Result<Called>>, SandboxError> {
        let watchdog = watchdog(&job.limits);
        let time = run.time.clone();
        tokio::time::timeout(watchdog, async {
            tokio::select! {
                result = self.call(&mut run.store, job) => Some(result),
                () = time.exceeded() => None,
            }
        })
        .await
        .map_err(|_| SandboxError::Watchdog(watchdog))
    }

    /// [`Sandbox::execute`] for one side of an interaction, which ends that
    /// side's pipes when it finishes.
    async fn execute_side(
        &self,
        run: &mut Run,
        job: &Job,
        link: &Link,
        side: Side,
    ) -> Result<Option<wasmtime::Result<Called>>, SandboxError> {
        let result = self.execute(run, job).await;
        link.finish(side);
        result
    }

    /// Runs one job in a fresh instance, once a slot is free. Whatever the
    /// program does, the result is a [`RunReport`]; `Err` means the judge
    /// itself failed.
    pub async fn run(&self, job: &Job) -> Result<RunReport, SandboxError> {
        // Taken first, so it is released last: after the store (and with it
        // the instance's slot in the pool) is gone.
        let _slot = self.slot().await;
        match &self.workers {
            Some(workers) => workers.run(job, watchdog(&job.limits) + WORKER_GRACE).await,
            None => self.run_here(job).await,
        }
    }

    /// Runs one job in this process (the caller holds a slot).
    pub(crate) async fn run_here(&self, job: &Job) -> Result<RunReport, SandboxError> {
        let mut run = self.begin(job, Io::Memory)?;
        let called = self.execute(&mut run, job).await?;
        Ok(run.report(job, called, None))
    }

    /// Runs `program` with its stdin and stdout connected to `interactor`'s,
    /// each in a fresh instance with its own limits, once a slot is free.
    /// The interactor's judgement decides, unless the program failed first;
    /// output sent after the other side ended is dropped.
    pub async fn interact(
        &self,
        program: &Job,
        interactor: &Job,
    ) -> Result<Interaction, SandboxError> {
        let _slot = self.slot().await;
        match &self.workers {
            Some(workers) => {
                let watchdog = watchdog(&program.limits).max(watchdog(&interactor.limits));
                workers
                    .interact(program, interactor, watchdog + WORKER_GRACE)
                    .await
            }
            None => self.interact_here(program, interactor).await,
        }
    }

    /// [`Sandbox::interact`] in this process (the caller holds a slot, which
    /// has room for both instances).
    pub(crate) async fn interact_here(
        &self,
        program: &Job,
        interactor: &Job,
    ) -> Result<Interaction, SandboxError> {
        let link = Link::new(program.limits.output_bytes, interactor.limits.output_bytes);
        let mut program_run = self.begin(program, Io::Piped(link.clone(), Side::Program))?;
        let mut interactor_run =
            self.begin(interactor, Io::Piped(link.clone(), Side::Interactor))?;
        let both = async {
            tokio::join!(
                self.execute_side(&mut program_run, program, &link, Side::Program),
                self.execute_side(&mut interactor_run, interactor, &link, Side::Interactor)
            )
        };
        let (called, deadlock) = tokio::select! {
            results = both => (Some(results), false),
            () = link.deadlock() => (None, true),
        };
        let (program_called, interactor_called) = match called {
            Some((program_called, interactor_called)) => {
                (Some(program_called?), Some(interactor_called?))
            }
            None => (None, None),
        };
        let idle = deadlock.then_some(Outcome::TimeLimit {
            limit: TimeLimit::Idle,
        });
        let mut program_report = program_run.report(program, program_called.flatten(), Some(&link));
        let mut interactor_report =
            interactor_run.report(interactor, interactor_called.flatten(), Some(&link));
        if let Some(idle) = idle {
            program_report.outcome = idle.clone();
            interactor_report.outcome = idle;
        }
        program_report.stdout = link.sent_by(Side::Program);
        interactor_report.stdout = link.sent_by(Side::Interactor);
        Ok(Interaction {
            program: program_report,
            interactor: interactor_report,
            transcript: link.transcript(),
            deadlock,
            interactor_ended_first: link.first_to_end() == Some(Side::Interactor),
        })
    }
}

/// Where a run's stdin and stdout go.
enum Io {
    /// stdin from the job, stdout captured.
    Memory,
    /// Piped to the other side of an interaction.
    Piped(Link, Side),
}

/// What an export returned: the outcome, a checker's judgement, compiled code.
struct Called {
    outcome: guest::Outcome,
    judgement: Option<Judgement>,
    code: Option<Vec<u8>>,
}

impl Called {
    fn plain(outcome: guest::Outcome) -> Called {
        Called {
            outcome,
            judgement: None,
            code: None,
        }
    }
}

fn judged(outcome: guest::CheckOutcome) -> Called {
    match outcome {
        guest::CheckOutcome::Judged(judgement) => Called {
            judgement: Some(judgement.into()),
            ..Called::plain(guest::Outcome::Ok(String::new()))
        },
        guest::CheckOutcome::Failed(failure) => {
            Called::plain(guest::Outcome::RuntimeError(failure))
        }
    }
}

fn compiled(compiled: guest::Compiled) -> Called {
    match compiled {
        guest::Compiled::Code(code) => Called {
            code: (code.len() <= MAX_CODE).then_some(code),
            ..Called::plain(guest::Outcome::Ok(String::new()))
        },
        guest::Compiled::SourceOnly => Called::plain(guest::Outcome::Ok(String::new())),
        guest::Compiled::Failed(outcome) => Called::plain(outcome),
    }
}

impl From<guest::Judgement> for Judgement {
    fn from(judgement: guest::Judgement) -> Self {
        let clip = |text: String| clipped(text, MAX_ERROR_MESSAGE);
        match judgement {
            guest::Judgement::Accepted(feedback) => Judgement::Accepted {
                feedback: clip(feedback),
            },
            guest::Judgement::Wrong(message) => Judgement::Wrong {
                message: clip(message),
            },
            guest::Judgement::Partial((points, message)) => Judgement::Partial {
                points: if points.is_finite() {
                    points.clamp(0.0, 1.0)
                } else {
                    0.0
                },
                message: clip(message),
            },
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

/// One run in progress: its store and what it reports from.
struct Run {
    store: Store<HostState>,
    output: CapturedOutput,
    time: Arc<VirtualTime>,
    _files: Option<tempfile::TempDir>,
    started: Instant,
}

impl Run {
    /// The report of a finished run (`called` is `None` when its wall time
    /// ran out or it never ended).
    fn report(
        self,
        job: &Job,
        called: Option<wasmtime::Result<Called>>,
        link: Option<&Link>,
    ) -> RunReport {
        let wall = self.started.elapsed();
        let fuel = job
            .limits
            .fuel
            .saturating_sub(self.store.get_fuel().unwrap_or(0));
        let captured = self.output.take();
        let limiter = &self.store.data().limiter;
        let is_function = matches!(job.entry, Entry::Function(_));
        let piped_overflow = link.is_some_and(|l| {
            let side = match job.entry {
                Entry::Interact { .. } => Side::Interactor,
                _ => Side::Program,
            };
            l.overflowed(side)
        });
        let overflowed = captured.overflowed || piped_overflow;
        let (outcome, exit_code, return_json, judgement, code) = match called {
            None => (
                Outcome::TimeLimit {
                    limit: TimeLimit::WallTime,
                },
                None,
                None,
                None,
                None,
            ),
            Some(result) => {
                let (result, judgement, code) = match result {
                    Ok(called) => (Ok(called.outcome), called.judgement, called.code),
                    Err(e) => (Err(e), None, None),
                };
                let (outcome, exit_code, return_json) =
                    classify(result, is_function, overflowed, limiter.hit);
                let judgement = judgement.filter(|_| outcome.is_ok());
                let code = code.filter(|_| outcome.is_ok()).map(Bytes::from);
                (outcome, exit_code, return_json, judgement, code)
            }
        };
        tracing::debug!(status = outcome.name(), fuel, ?wall, waited = ?self.time.total_waited(), "run finished");
        RunReport {
            outcome,
            exit_code,
            stdout: captured.stdout,
            stderr: captured.stderr,
            return_json,
            judgement,
            code,
            fuel,
            wall_ms: duration_ms(wall),
            peak_memory_bytes: limiter.peak,
        }
    }
}

/// A program run against an interactor.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    /// The program's run; its stdout is what it sent the interactor.
    pub program: RunReport,
    /// The interactor's run, with its judgement when it decided.
    pub interactor: RunReport,
    /// What each side sent, in order (clipped).
    pub transcript: Vec<Message>,
    /// Whether both waited for each other (both outcomes are then a time
    /// limit, `idle`).
    pub deadlock: bool,
    /// Whether the interactor ended before the program (whose failure may
    /// then be a consequence: its input ended).
    pub interactor_ended_first: bool,
}

fn watchdog(limits: &Limits) -> Duration {
    WATCHDOG_GRACE + limits.wall_time + Duration::from_secs(limits.fuel / WATCHDOG_MIN_FUEL_PER_SEC)
}

fn duration_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn clipped(text: String, max: usize) -> String {
    match gavel_core::text::clip(&text, max) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clipped) => clipped,
    }
}

fn py_error(failure: guest::Failure) -> PyError {
    PyError {
        kind: clipped(failure.kind, MAX_ERROR_KIND),
        message: clipped(failure.message, MAX_ERROR_MESSAGE),
        traceback: clipped(failure.traceback, MAX_TRACEBACK),
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

    #[test]
    fn whatever_the_guest_reports_is_clipped() {
        let huge = guest::Failure {
            kind: "K".repeat(2_000_000),
            message: "m".repeat(2_000_000),
            traceback: "t".repeat(2_000_000),
            line: 3,
        };
        let error = py_error(huge);
        assert!(
            error.kind.chars().count() < MAX_ERROR_KIND + 40,
            "{}",
            error.kind.len()
        );
        assert!(error.message.chars().count() < MAX_ERROR_MESSAGE + 40);
        assert!(error.traceback.chars().count() < MAX_TRACEBACK + 40);
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
        let engine = engine(2).unwrap();
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
            Ok(guest::Outcome::Ok(String::new()))
        }
        .await;
        let fuel = limits.fuel - store.get_fuel().unwrap();
        let outcome = classify(result, false, false, store.data().limiter.hit).0;
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
