//! The wasmtime host: runs jobs on a runner image in this process.
//!
//! - `engine`: the engine's configuration and the compiled-code cache;
//! - `guest`: what runs in a store (the `Guest` trait: its WASI state, how
//!   it is called) and what a store holds (`RunState`);
//! - `run`: one run of any guest on a loaded image (the store and its
//!   limits, `clock`, `memory`, `output`, `pipe`, `files`, a native
//!   program's scratch directory, and the report), and the [`run::Kind`]
//!   trait, what differs between kinds of image;
//! - `classify`: how a run ended, from what the host recorded and what the
//!   guest's call returned;
//! - `component`: the component kind (bindings, linking, the calls per entry);
//! - `reactor`: the reactor kind, a WASI preview 1 core module driven through
//!   its exports (the scientific image), and `snapshot`, which makes one;
//! - `native`: native programs, WASI preview 1 commands run from `_start`
//!   (C and C++ checkers compiled to WebAssembly).

mod classify;
pub(crate) mod clock;
mod component;
pub(crate) mod engine;
mod files;
mod guest;
pub(crate) mod memory;
mod native;
mod output;
mod pipe;
mod reactor;
pub(crate) mod run;
pub(crate) mod snapshot;

use crate::error::SandboxError;
use crate::image::{BuildStep, Image};
use crate::job::{Interaction, Job};
use crate::outcome::RunResult;
use component::ComponentImage;
use gavel_core::Cache;
use reactor::ReactorImage;
use run::Loaded;
use wasmtime::Module;
use wasmtime::component::Component;

/// A runner image loaded for running, of one of the kinds the host knows.
///
/// Every kind is a [`run::Kind`] (linking, its engine's profile) and a
/// `guest::Guest` (a run's WASI state, calling the exports) with an
/// [`engine::Code`] (what it compiles to), and shares the rest through
/// [`Loaded`]. Which kind an image is, its file's header says.
pub(crate) enum Host {
    /// A component exporting gavel's runner interface (the default image).
    Component(Loaded<ComponentImage>),
    /// A WASI core module driven through its exports (the scientific image).
    Reactor(Loaded<ReactorImage>),
}

impl Host {
    /// Loads `image` (compiling it once per machine) with instance slots for
    /// `slots` runs at once.
    pub(crate) fn load(
        cache: &Cache,
        image: &Image,
        slots: usize,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<Host, SandboxError> {
        if crate::image::is_core_module(&image.path)? {
            Loaded::new(cache, image, slots, progress).map(Host::Reactor)
        } else {
            Loaded::new(cache, image, slots, progress).map(Host::Component)
        }
    }

    /// Makes sure the cache holds `image` compiled to native code, compiling it
    /// once per machine, with an engine that is dropped at once: a process that
    /// only starts workers needs their code compiled, not an engine.
    pub(crate) fn compile(
        cache: &Cache,
        image: &Image,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<(), SandboxError> {
        if crate::image::is_core_module(&image.path)? {
            let compiler = engine::compiler(engine::Profile::Reactor)?;
            engine::compile::<Module>(&compiler, cache, image, progress)
        } else {
            let compiler = engine::compiler(engine::Profile::Component)?;
            engine::compile::<Component>(&compiler, cache, image, progress)
        }
    }

    /// Runs one job (the caller holds a slot).
    pub(crate) async fn run(&self, job: &Job) -> Result<RunResult, SandboxError> {
        match self {
            Host::Component(loaded) => loaded.run(job).await,
            Host::Reactor(loaded) => loaded.run(job).await,
        }
    }

    /// Runs `program` against `interactor` (the caller holds a slot).
    pub(crate) async fn interact(
        &self,
        program: &Job,
        interactor: &Job,
    ) -> Result<Interaction, SandboxError> {
        match self {
            Host::Component(loaded) => loaded.interact(program, interactor).await,
            Host::Reactor(loaded) => loaded.interact(program, interactor).await,
        }
    }

    /// The standard-library modules the image holds (the caller holds a slot).
    pub(crate) async fn preloaded_modules(&self) -> Result<Vec<String>, SandboxError> {
        match self {
            Host::Component(loaded) => loaded.preloaded_modules().await,
            Host::Reactor(loaded) => loaded.preloaded_modules().await,
        }
    }
}
