//! The bottom of the judge: a sandbox to run jobs in (whose slots bound the
//! runs in progress, for everything this process judges), compiling a source
//! once, and the disk cache of what judging derives from an exercise
//! (reference fuel, generated tests).

use crate::error::JudgeError;
use bytes::Bytes;
use gavel_core::fs::write_atomically;
use gavel_core::{Cache, Limits};
use gavel_exercise::Image;
use gavel_sandbox::{Entry, Interaction, Job, Outcome, PyError, RunResult, Sandbox, SandboxError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Runs jobs and keeps derived data. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Runner {
    /// The sandbox of the image this runner's jobs run on.
    sandbox: Arc<Sandbox>,
    /// The sandboxes of every image, made when first needed.
    images: Arc<Images>,
    cache: Cache,
    cache_dir: PathBuf,
    /// Told of the slow one-time steps of making a C/C++ toolchain ready.
    setup: Setup,
}

/// What gavel tells its caller while it provisions a toolchain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolchainStep {
    /// Installing a package with pip into gavel's cache.
    Installing {
        /// The package, as pip names it.
        package: String,
    },
    /// Building the toolchain's C and C++ libraries for WASI (once).
    BuildingLibraries,
    /// The steps told of before are over.
    Ready,
}

/// What is told of a toolchain's slow one-time steps.
#[derive(Clone)]
pub(crate) struct Setup(pub(crate) Arc<dyn Fn(ToolchainStep) + Send + Sync>);

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Setup")
    }
}

/// What compiling a source gave.
#[derive(Debug, Clone)]
pub(crate) enum Compiled {
    /// The code for [`Job::code`] (empty: each run compiles the source).
    Code(Bytes),
    /// The source does not compile.
    Error(PyError),
}

/// Runs `f`, which blocks, telling a multi-threaded async runtime first.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Makes the sandbox of a runner image other than the judge's own, the
/// first time an exercise needs it; the error says why it cannot be had.
pub type MakeSandbox = Arc<dyn Fn(Image) -> Result<Arc<Sandbox>, String> + Send + Sync>;

/// The sandboxes of the runner images exercises name (`image = "…"`): the
/// judge's own, which runs exercises on the default image, and the others,
/// each made once, when an exercise first needs it.
struct Images {
    default: Arc<Sandbox>,
    make: Option<MakeSandbox>,
    made: Mutex<HashMap<Image, Result<Arc<Sandbox>, String>>>,
}

impl std::fmt::Debug for Images {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Images").finish_non_exhaustive()
    }
}

impl Runner {
    /// A runner over `sandbox`, keeping derived data in the cache's judge
    /// directory (safe to delete).
    pub(crate) fn new(sandbox: Arc<Sandbox>, cache: &Cache) -> Runner {
        Runner {
            images: Arc::new(Images {
                default: sandbox.clone(),
                make: None,
                made: Mutex::new(HashMap::new()),
            }),
            sandbox,
            cache: cache.clone(),
            cache_dir: cache.judge_dir(),
            setup: Setup(Arc::new(|_| {})),
        }
    }

    /// Makes the sandboxes of images other than the default one with `make`.
    pub(crate) fn set_images(&mut self, make: MakeSandbox) {
        self.images = Arc::new(Images {
            default: self.images.default.clone(),
            make: Some(make),
            made: Mutex::new(HashMap::new()),
        });
    }

    /// This runner, with its jobs run on `image` (its sandbox made now if it
    /// is the first use).
    pub(crate) fn on(&self, image: Image) -> Result<Runner, JudgeError> {
        let images = &self.images;
        let sandbox = if image.is_default() || images.default.image().name == image.name() {
            images.default.clone()
        } else {
            let mut made = images.made.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = made.entry(image).or_insert_with(|| match &images.make {
                // The first use may build the image (minutes on a fresh
                // machine): the runtime's other tasks move to other threads.
                Some(make) => blocking(|| make(image)),
                None => Err("this judge runs the default image only".to_owned()),
            });
            entry.clone().map_err(|message| JudgeError::Image {
                image: image.name().to_owned(),
                message,
            })?
        };
        Ok(Runner {
            sandbox,
            ..self.clone()
        })
    }

    /// Tells `setup` of the slow one-time steps of making a C/C++ toolchain
    /// ready (installing it, building its libraries).
    pub(crate) fn set_setup_progress(&mut self, setup: Arc<dyn Fn(ToolchainStep) + Send + Sync>) {
        self.setup = Setup(setup);
    }

    /// What is told of a toolchain's one-time steps.
    pub(crate) fn setup_progress(&self) -> Setup {
        self.setup.clone()
    }

    /// gavel's cache.
    pub(crate) fn cache(&self) -> &Cache {
        &self.cache
    }

    /// The sandbox in use.
    pub(crate) fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The runner image's sha256, part of every derived datum's key.
    pub(crate) fn image(&self) -> &str {
        &self.sandbox.image().sha256
    }

    /// Runs one job when a slot is free.
    pub(crate) async fn run(&self, job: &Job) -> Result<RunResult, SandboxError> {
        self.sandbox.run(job).await
    }

    /// Runs a program against an interactor when a slot is free.
    pub(crate) async fn interact(
        &self,
        program: &Job,
        interactor: &Job,
    ) -> Result<Interaction, SandboxError> {
        self.sandbox.interact(program, interactor).await
    }

    /// Compiles `source` in a run of its own (nothing of it runs), under
    /// `limits`. A compile error is the source's, and so is compiling past a
    /// limit (a source that takes more fuel or memory to compile than any
    /// test allows, such as 300,000 nested operators): both are said once.
    /// When the judge fails, the code is empty and each run compiles the
    /// source itself.
    pub(crate) async fn compile(&self, source: &Bytes, limits: Limits) -> Compiled {
        let job = Job {
            entry: Entry::Compile,
            limits,
            source: source.clone(),
            ..Job::script(b"")
        };
        match self.run(&job).await {
            Ok(report) => match report.outcome {
                Outcome::Ok => Compiled::Code(report.code.unwrap_or_default()),
                Outcome::CompileError { error } => Compiled::Error(error),
                other => Compiled::Error(compile_failure(&other, &limits)),
            },
            Err(e) => {
                tracing::warn!("compiling a source failed; each run compiles it: {e}");
                Compiled::Code(Bytes::new())
            }
        }
    }

    fn cache_path(&self, kind: &str, key: &str) -> PathBuf {
        self.cache_dir.join(kind).join(format!("{key}.json"))
    }

    /// A derived datum of `kind` stored under `key`, if an earlier
    /// preparation stored one.
    pub(crate) fn read_cache<T: for<'de> Deserialize<'de>>(
        &self,
        kind: &str,
        key: &str,
    ) -> Option<T> {
        let bytes = std::fs::read(self.cache_path(kind, key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores a derived datum; failing to is only worth a warning (it is
    /// derived again next time).
    pub(crate) fn write_cache<T: Serialize>(&self, kind: &str, key: &str, value: &T) {
        let path = self.cache_path(kind, key);
        let bytes = serde_json::to_vec(value).expect("cache entries serialise");
        if let Err(e) = write_atomically(&path, &bytes) {
            tracing::warn!(path = %path.display(), "cannot write the judge cache: {e}");
        }
    }
}

/// The compile error of a source whose compiling itself ended badly: out of
/// fuel or memory, or an exception the compiler raised (a `RecursionError`
/// or `MemoryError` on absurdly nested code). No test runs then.
fn compile_failure(outcome: &Outcome, limits: &Limits) -> PyError {
    let message = match outcome {
        Outcome::TimeLimit { .. } => format!(
            "compiling the source alone used more than the {} fuel any test allows; no test ran",
            gavel_core::limits::human_fuel(limits.fuel)
        ),
        Outcome::MemoryLimit => format!(
            "compiling the source alone used more than the {} MiB of memory any test allows; no test ran",
            limits.memory_bytes >> 20
        ),
        Outcome::RuntimeError { error: Some(error) } => {
            format!("compiling the source failed ({error}); no test ran")
        }
        other => format!("compiling the source failed ({other}); no test ran"),
    };
    PyError {
        kind: "CompileLimit".to_owned(),
        message,
        traceback: String::new(),
        line: None,
    }
}

/// Limits for an exercise's checker or interactor: the author's code, so a
/// generous budget; running out is the author's failure (IE).
pub(crate) fn author_limits() -> Limits {
    Limits {
        fuel: 20_000_000_000,
        wall_time: Duration::from_secs(60),
        memory_bytes: 1 << 30,
        output_bytes: 64 << 20,
    }
}

/// Limits for the exercise's own programs (reference, generator): generous,
/// since they are trusted and their fuel is what limits are derived from.
pub(crate) fn trusted_limits() -> Limits {
    Limits {
        fuel: 200_000_000_000,
        wall_time: Duration::from_secs(120),
        memory_bytes: 1 << 30,
        output_bytes: 256 << 20,
    }
}
