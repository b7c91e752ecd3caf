//! [`Sandbox`]: runs jobs on a runner image, a bounded number at once, in this
//! process or in worker processes.

use crate::error::SandboxError;
use crate::host::Host;
use crate::image::{BuildStep, Image};
use crate::job::{Interaction, Job};
use crate::outcome::RunResult;
use crate::worker::{WorkerCommand, Workers};
use gavel_core::Cache;
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};

/// A runner image, ready to run programs. Cheap to share between tasks;
/// every run gets its own store and instance, in one of a fixed number of
/// instance slots that are reset in place between runs.
pub struct Sandbox {
    image: Image,
    executor: Executor,
    slots: Semaphore,
    slot_count: usize,
}

/// Where a sandbox's runs happen.
enum Executor {
    /// In this process.
    InProcess(InProcess),
    /// In worker processes, one run at a time each.
    Workers(Workers),
}

/// The host of a sandbox that runs in this process, loaded at its first use:
/// until then, the sandbox may still be moved to workers, and a process that
/// only starts workers has no use for an engine, its pool of instance slots
/// or the loaded image.
struct InProcess {
    cache: Cache,
    host: OnceCell<Host>,
}

impl InProcess {
    async fn host(&self, image: &Image, slots: usize) -> Result<&Host, SandboxError> {
        self.host
            .get_or_try_init(|| async {
                // The image is compiled already (see `Sandbox::with_progress`):
                // this only loads it, in a few milliseconds.
                Host::load(&self.cache, image, slots, &mut |_| {})
            })
            .await
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("image", &self.image)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A sandbox for `image` (compiled once per machine), running at most
    /// `slots` programs at once in this process.
    pub fn new(cache: &Cache, image: Image, slots: usize) -> Result<Sandbox, SandboxError> {
        Self::with_progress(cache, image, slots, &mut |_| {})
    }

    /// Like [`Sandbox::new`], telling `progress` when a slow compilation
    /// starts. The image is compiled (and cached) here, so that the first run
    /// is not the slow one; it is loaded and linked with WASI at the first run
    /// in this process, so a failure to link shows there.
    pub fn with_progress(
        cache: &Cache,
        image: Image,
        slots: usize,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<Sandbox, SandboxError> {
        let slots = slots.max(1);
        Host::compile(cache, &image, progress)?;
        Ok(Sandbox {
            image,
            executor: Executor::InProcess(InProcess {
                cache: cache.clone(),
                host: OnceCell::new(),
            }),
            slots: Semaphore::new(slots),
            slot_count: slots,
        })
    }

    /// Runs programs in worker processes started with `command` (one run at a
    /// time each, up to the slots), rather than in this process; see
    /// [`crate::worker`]. The workers load the image compiled by
    /// [`Sandbox::with_progress`].
    pub fn in_workers(
        self,
        command: WorkerCommand,
        cache: &Cache,
    ) -> Result<Sandbox, SandboxError> {
        let workers = Workers::new(command, cache, &self.image)?;
        Ok(Sandbox {
            executor: Executor::Workers(workers),
            ..self
        })
    }

    /// The image this sandbox runs.
    pub fn image(&self) -> &Image {
        &self.image
    }

    /// How many runs may be in progress at once.
    pub fn slots(&self) -> usize {
        self.slot_count
    }

    async fn slot(&self) -> SemaphorePermit<'_> {
        self.slots
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }

    /// The standard-library modules the image holds (the only importable ones).
    pub async fn preloaded_modules(&self) -> Result<Vec<String>, SandboxError> {
        let _slot = self.slot().await;
        match &self.executor {
            Executor::InProcess(here) => {
                let host = here.host(&self.image, self.slot_count).await?;
                host.preloaded_modules().await
            }
            Executor::Workers(workers) => workers.preloaded_modules().await,
        }
    }

    /// Runs one job in a fresh instance, once a slot is free. Whatever the
    /// program does, the result is a [`RunResult`]; `Err` means the judge
    /// itself failed, with the same error in this process or in a worker.
    pub async fn run(&self, job: &Job) -> Result<RunResult, SandboxError> {
        // Taken first, so it is released last: after the store (and with it
        // the instance's slot in the pool) is gone.
        let _slot = self.slot().await;
        match &self.executor {
            Executor::InProcess(here) => {
                here.host(&self.image, self.slot_count)
                    .await?
                    .run(job)
                    .await
            }
            Executor::Workers(workers) => workers.run(job).await,
        }
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
        // A slot has room for both instances.
        let _slot = self.slot().await;
        match &self.executor {
            Executor::InProcess(here) => {
                let host = here.host(&self.image, self.slot_count).await?;
                host.interact(program, interactor).await
            }
            Executor::Workers(workers) => workers.interact(program, interactor).await,
        }
    }
}
