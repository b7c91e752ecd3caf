//! One run of one program on a loaded image, whatever the image's kind: a
//! fresh store with the job's limits, virtual clocks, captured output or
//! pipes and files; the call under the virtual wall time and the watchdog; and
//! the report. What differs between kinds of image is behind [`Kind`].

use super::classify::{Called, Recorded, classified};
use super::clock::{MonotonicClock, VirtualTime, WallClock};
use super::engine::{self, Code, wasmtime_error};
use super::files::RunFiles;
use super::guest::{Guest, RunState};
use super::memory::MemoryLimiter;
use super::native::NativeModules;
use super::output::CapturedOutput;
use super::pipe::Link;
use crate::error::SandboxError;
use crate::image::{BuildStep, Image};
use crate::job::{Entry, Interaction, Job, SCRATCH_DIR, Side};
use crate::outcome::{Outcome, RunResult, TimeLimit};
use gavel_core::{Cache, Limits};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// How often (in fuel) a run yields to the async runtime, so that a busy guest
/// does not starve other runs on the same thread. About 0.1 ms.
pub(crate) const YIELD_INTERVAL: u64 = 1_000_000;

/// Seed for the guest's random sources: a run must be reproducible, so
/// `os.urandom` and friends are deterministic. The generator needs no
/// cryptographic strength, and speed matters: componentize-py reseeds Python's
/// `random` from it at every instantiation, which with ChaCha cost ~8% of a
/// whole `gavel run`.
const RANDOM_SEED: u64 = 0x6761_7665_6c00_0001;

/// The slowest a run may progress before the judge considers itself stuck:
/// a hundredth of the ~10 G fuel/s the machines gavel runs on reach. Only a
/// fault of the judge (never a program, never a busy host) can trip it.
const WATCHDOG_MIN_FUEL_PER_SEC: u64 = 100_000_000;
const WATCHDOG_GRACE: Duration = Duration::from_secs(60);

/// How long a run with `limits` may take in real time before the judge
/// considers itself stuck.
pub(crate) fn watchdog(limits: &Limits) -> Duration {
    WATCHDOG_GRACE + limits.wall_time + Duration::from_secs(limits.fuel / WATCHDOG_MIN_FUEL_PER_SEC)
}

/// A kind of runner image: how it is compiled and linked, and what it holds.
/// Limits, clocks, output, pipes, files and how a run ended are the same for
/// every kind, here.
pub(crate) trait Kind: Guest + Sized {
    /// What the image compiles to (cached like any other).
    type Code: Code;

    /// What its engine is configured for.
    const PROFILE: engine::Profile;

    /// Links the compiled image with what it imports, ready to instantiate
    /// once per run. `image` is the image's file (a kind may keep files
    /// beside it).
    fn link(engine: &Engine, code: Self::Code, image: &Path) -> Result<Self, SandboxError>;

    /// Instantiates the image in `store` and lists the standard-library
    /// modules it holds.
    fn preloaded_modules(
        &self,
        store: &mut Store<RunState<Self::Wasi>>,
    ) -> impl Future<Output = Result<Vec<String>, SandboxError>> + Send;
}

/// An image of kind `K` ready to run programs: one engine and one linked image
/// per process, a fresh store and instance for every run; native programs
/// run beside it, by the same engine.
pub(crate) struct Loaded<K> {
    engine: Engine,
    kind: K,
    /// Linked on the first native program: a process that runs only Python
    /// pays nothing for them at start.
    native: std::sync::OnceLock<Result<NativeModules, String>>,
    compiled_dir: std::path::PathBuf,
    files: RunFiles,
}

/// Where a run's stdin and stdout go.
enum Io {
    /// stdin from the job, stdout captured.
    Memory,
    /// Piped to the other side of an interaction.
    Piped(Link, Side),
}

/// How often a native program's scratch directory is measured while it runs.
const SCRATCH_POLL: Duration = Duration::from_millis(5);

impl<K: Kind> Loaded<K> {
    /// Loads `image` (compiling it once per machine) and links it, with
    /// instance slots for `slots` runs at once.
    pub(crate) fn new(
        cache: &Cache,
        image: &Image,
        slots: usize,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<Self, SandboxError> {
        let started = Instant::now();
        // Every slot has room for two instances: an interaction runs a
        // program and an interactor at once.
        let engine = engine::engine(
            u32::try_from(slots.max(1) * 2).unwrap_or(u32::MAX),
            K::PROFILE,
        )?;
        let code = engine::load::<K::Code>(&engine, cache, image, progress)?;
        let kind = K::link(&engine, code, &image.path)?;
        let files = RunFiles::new(&cache.runs_dir())?;
        tracing::debug!(elapsed = ?started.elapsed(), "sandbox ready");
        Ok(Loaded {
            engine,
            kind,
            native: std::sync::OnceLock::new(),
            compiled_dir: cache.compiled_dir(),
            files,
        })
    }

    /// Native programs' linker and modules, made on first use.
    fn native(&self) -> Result<&NativeModules, SandboxError> {
        self.native
            .get_or_init(|| {
                NativeModules::new(&self.engine, self.compiled_dir.clone())
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|message| SandboxError::Wasmtime {
                context: "cannot link native programs".into(),
                message: message.clone(),
            })
    }

    /// Runs one job in a fresh instance (the caller holds a slot).
    pub(crate) async fn run(&self, job: &Job) -> Result<RunResult, SandboxError> {
        if is_native(job) {
            self.run_on(self.native()?, job).await
        } else {
            self.run_on(&self.kind, job).await
        }
    }

    async fn run_on<G: Guest>(&self, guest: &G, job: &Job) -> Result<RunResult, SandboxError> {
        let mut run = self.begin(guest, job, Io::Memory)?;
        let called = self.execute(guest, &mut run, job).await?;
        Ok(run.report(job, called, None))
    }

    /// Runs `program` against `interactor`, each in a fresh instance (the
    /// caller holds a slot, which has room for both).
    pub(crate) async fn interact(
        &self,
        program: &Job,
        interactor: &Job,
    ) -> Result<Interaction, SandboxError> {
        let kind = &self.kind;
        let native = || self.native();
        match (is_native(program), is_native(interactor)) {
            (false, false) => self.interact_on(kind, program, kind, interactor).await,
            (false, true) => self.interact_on(kind, program, native()?, interactor).await,
            (true, false) => self.interact_on(native()?, program, kind, interactor).await,
            (true, true) => {
                let native = native()?;
                self.interact_on(native, program, native, interactor).await
            }
        }
    }

    async fn interact_on<P: Guest, I: Guest>(
        &self,
        program_guest: &P,
        program: &Job,
        interactor_guest: &I,
        interactor: &Job,
    ) -> Result<Interaction, SandboxError> {
        let link = Link::new(program.limits.output_bytes, interactor.limits.output_bytes);
        let mut program_run = self.begin(
            program_guest,
            program,
            Io::Piped(link.clone(), Side::Program),
        )?;
        let mut interactor_run = self.begin(
            interactor_guest,
            interactor,
            Io::Piped(link.clone(), Side::Interactor),
        )?;
        let both = async {
            tokio::join!(
                self.execute_side(
                    program_guest,
                    &mut program_run,
                    program,
                    &link,
                    Side::Program
                ),
                self.execute_side(
                    interactor_guest,
                    &mut interactor_run,
                    interactor,
                    &link,
                    Side::Interactor
                )
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
        let mut program_report = program_run.report(
            program,
            program_called.flatten(),
            Some((&link, Side::Program)),
        );
        let mut interactor_report = interactor_run.report(
            interactor,
            interactor_called.flatten(),
            Some((&link, Side::Interactor)),
        );
        if deadlock {
            let idle = Outcome::TimeLimit {
                limit: TimeLimit::Idle,
            };
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

    /// The standard-library modules the image holds (the caller holds a slot).
    pub(crate) async fn preloaded_modules(&self) -> Result<Vec<String>, SandboxError> {
        let mut run = self.begin(&self.kind, &Job::script(b""), Io::Memory)?;
        self.kind.preloaded_modules(&mut run.store).await
    }

    /// A fresh store for `job`, with its files, clock, limits and streams.
    fn begin<G: Guest>(&self, guest: &G, job: &Job, io: Io) -> Result<Run<G::Wasi>, SandboxError> {
        let files = if job.files.is_empty() {
            None
        } else {
            Some(self.files.write(&job.files)?)
        };
        let scratch = match &job.entry {
            Entry::Native(native) if native.scratch => Some(self.files.write(&[])?),
            _ => None,
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
        if let Some(dir) = &scratch {
            wasi.preopened_dir(dir.path(), SCRATCH_DIR, FsPerms::ReadWrite)
                .map_err(wasmtime_error("cannot map a run's scratch directory"))?;
        }
        guest.configure(&mut wasi, job)?;
        let state = RunState {
            wasi: G::wasi(&mut wasi),
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
            scratch: scratch.map(|dir| Scratch {
                dir,
                overflowed: false,
            }),
            started: Instant::now(),
        })
    }

    /// Runs `job` in `run`'s store, under its wall time (and the watchdog).
    /// `None` when the wall time ran out or its scratch directory grew past
    /// the output limit.
    async fn execute<G: Guest>(
        &self,
        guest: &G,
        run: &mut Run<G::Wasi>,
        job: &Job,
    ) -> Result<Option<wasmtime::Result<Called>>, SandboxError> {
        let watchdog = watchdog(&job.limits);
        let time = run.time.clone();
        let scratch = run.scratch.as_ref().map(|s| s.dir.path().to_owned());
        let cap = job.limits.output_bytes;
        let (result, overflowed) = tokio::time::timeout(watchdog, async {
            tokio::select! {
                result = guest.call(&mut run.store, job) => (Some(result), false),
                () = time.exceeded() => (None, false),
                () = overflowing(scratch.as_deref(), cap) => (None, true),
            }
        })
        .await
        .map_err(|_| SandboxError::Watchdog(watchdog))?;
        if let Some(scratch) = &mut run.scratch {
            scratch.overflowed = overflowed || written_bytes(scratch.dir.path()) > cap;
        }
        Ok(result)
    }

    /// [`Loaded::execute`] for one side of an interaction, which ends that
    /// side's pipes when it finishes.
    async fn execute_side<G: Guest>(
        &self,
        guest: &G,
        run: &mut Run<G::Wasi>,
        job: &Job,
        link: &Link,
        side: Side,
    ) -> Result<Option<wasmtime::Result<Called>>, SandboxError> {
        let result = self.execute(guest, run, job).await;
        link.finish(side);
        result
    }
}

fn is_native(job: &Job) -> bool {
    matches!(job.entry, Entry::Native(_))
}

/// Ends when the files in `dir` hold more than `cap` bytes; never without a
/// directory. A write is not stopped half-way, so a run may leave up to one
/// write (at most its memory) past the cap on disk, for as long as it runs.
async fn overflowing(dir: Option<&std::path::Path>, cap: u64) {
    let Some(dir) = dir else {
        return std::future::pending().await;
    };
    loop {
        tokio::time::sleep(SCRATCH_POLL).await;
        if written_bytes(dir) > cap {
            return;
        }
    }
}

/// The bytes of the files directly in `dir` and in its subdirectories.
fn written_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => written_bytes(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// A native program's writable directory, removed with the run.
struct Scratch {
    dir: tempfile::TempDir,
    overflowed: bool,
}

/// One run in progress: its store and what it reports from.
struct Run<W: 'static> {
    store: Store<RunState<W>>,
    output: CapturedOutput,
    time: Arc<VirtualTime>,
    _files: Option<tempfile::TempDir>,
    scratch: Option<Scratch>,
    started: Instant,
}

impl<W: 'static> Run<W> {
    /// The report of a finished run (`called` is `None` when its wall time
    /// ran out or it never ended).
    fn report(
        self,
        job: &Job,
        called: Option<wasmtime::Result<Called>>,
        link: Option<(&Link, Side)>,
    ) -> RunResult {
        let wall = self.started.elapsed();
        let fuel = job
            .limits
            .fuel
            .saturating_sub(self.store.get_fuel().unwrap_or(0));
        let captured = self.output.take();
        let limiter = &self.store.data().limiter;
        // The side is the caller's to say: a native interactor's entry does
        // not tell it.
        let piped_overflow = link.is_some_and(|(l, side)| l.overflowed(side));
        let scratch_overflow = self.scratch.as_ref().is_some_and(|s| s.overflowed);
        let recorded = Recorded {
            is_function: matches!(job.entry, Entry::Function(_)),
            output_overflowed: captured.overflowed || piped_overflow || scratch_overflow,
            memory_hit: limiter.hit,
        };
        let mut ended = classified(called, recorded);
        if scratch_overflow {
            // Stopped for it, possibly before the call returned.
            ended.outcome = Outcome::OutputLimit;
            ended.exit_code = None;
        }
        let written = match &self.scratch {
            Some(scratch) if !scratch.overflowed => {
                read_written(scratch.dir.path(), job.limits.output_bytes)
            }
            _ => Vec::new(),
        };
        tracing::debug!(status = ended.outcome.name(), fuel, ?wall, waited = ?self.time.total_waited(), "run finished");
        RunResult {
            outcome: ended.outcome,
            exit_code: ended.exit_code,
            stdout: captured.stdout,
            stderr: captured.stderr,
            return_json: ended.return_json,
            decision: ended.decision,
            code: ended.code.map(bytes::Bytes::from),
            fuel,
            wall_ms: duration_ms(wall),
            peak_memory_bytes: limiter.peak,
            written,
        }
    }
}

/// The plain files directly in a scratch directory, by name, at most `cap`
/// bytes in all; links, directories and anything else are left out (a link
/// is never followed: it could name any file of the host).
fn read_written(dir: &std::path::Path, cap: u64) -> Vec<(String, bytes::Bytes)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut left = cap;
    let mut written = Vec::new();
    for name in names {
        let Ok(bytes) = gavel_core::fs::read_plain(&dir.join(&name), left) else {
            continue;
        };
        left -= bytes.len() as u64;
        written.push((name, bytes.into()));
    }
    written
}

fn duration_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}
