//! [`Sandbox`]: runs jobs on a runner image, a bounded number at once, in this
//! process or in worker processes.

use crate::error::SandboxError;
use crate::host::Host;
use crate::image::{BuildStep, Image};
use crate::job::{Interaction, Job};
use crate::outcome::RunResult;
use crate::worker::{WorkerCommand, Workers};
use gavel_core::Cache;
use tokio::sync::{Semaphore, SemaphorePermit};

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
    /// In this process, by its one engine and pool of instance slots.
    InProcess(Box<Host>),
    /// In worker processes, one run at a time each.
    Workers(Workers),
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
    /// starts. The image is compiled (once per machine, then cached) and
    /// loaded here, by the one engine this process runs programs with.
    pub fn with_progress(
        cache: &Cache,
        image: Image,
        slots: usize,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<Sandbox, SandboxError> {
        let slots = slots.max(1);
        let host = Host::load(cache, &image, slots, progress)?;
        Ok(Sandbox {
            image,
            executor: Executor::InProcess(Box::new(host)),
            slots: Semaphore::new(slots),
            slot_count: slots,
        })
    }

    /// A sandbox that runs programs in worker processes started with
    /// `command` (one run at a time each, up to `slots`), rather than in this
    /// process; see [`crate::worker`]. The image is compiled here if the
    /// cache lacks it (with `progress`), by an engine that is dropped at
    /// once: this process builds no pool of instance slots and loads no
    /// image it would never run.
    pub fn in_workers(
        cache: &Cache,
        image: Image,
        slots: usize,
        command: WorkerCommand,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<Sandbox, SandboxError> {
        let slots = slots.max(1);
        Host::compile(cache, &image, progress)?;
        let workers = Workers::new(command, cache, &image)?;
        Ok(Sandbox {
            image,
            executor: Executor::Workers(workers),
            slots: Semaphore::new(slots),
            slot_count: slots,
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
            Executor::InProcess(host) => host.preloaded_modules().await,
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
            Executor::InProcess(host) => host.run(job).await,
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
            Executor::InProcess(host) => host.interact(program, interactor).await,
            Executor::Workers(workers) => workers.interact(program, interactor).await,
        }
    }
}
