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
pub(crate) mod run;

use crate::error::SandboxError;
use crate::image::{BuildStep, Image};
use crate::job::{Interaction, Job};
use crate::outcome::RunResult;
use component::ComponentImage;
use gavel_core::Cache;
use run::Loaded;
use wasmtime::component::Component;

/// A runner image loaded for running, of one of the kinds the host knows.
///
/// Every kind is a [`run::Kind`] (linking) and a `guest::Guest` (a run's
/// WASI state, calling the exports) with an [`engine::Code`] (what it
/// compiles to), and shares the rest through [`Loaded`]. A second kind (a
/// WASI core module driven through its exports, say a CPython reactor
/// exporting `memory`, `run`, `turn(ptr, len)`, `shutdown` and `host_alloc`
/// and importing WASI preview 1) is a second variant here, `Code` for
/// `wasmtime::Module`, and the choice of kind from the image's header in
/// [`Host::load`] and [`Host::compile`]; `native` already links WASI preview
/// 1 for core modules, and replaces `poll_oneoff` (whose timers would have to
/// move the same virtual time, `clock::VirtualTime`).
pub(crate) enum Host {
    /// A component exporting gavel's runner interface.
    Component(Loaded<ComponentImage>),
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
        Loaded::new(cache, image, slots, progress).map(Host::Component)
    }

    /// Makes sure the cache holds `image` compiled to native code, compiling it
    /// once per machine, with an engine that is dropped at once: a process that
    /// only starts workers needs their code compiled, not an engine.
    pub(crate) fn compile(
        cache: &Cache,
        image: &Image,
        progress: &mut dyn FnMut(BuildStep),
    ) -> Result<(), SandboxError> {
        engine::compile::<Component>(&engine::compiler()?, cache, image, progress)
    }

    /// Runs one job (the caller holds a slot).
    pub(crate) async fn run(&self, job: &Job) -> Result<RunResult, SandboxError> {
        match self {
            Host::Component(loaded) => loaded.run(job).await,
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
        }
    }

    /// The standard-library modules the image holds (the caller holds a slot).
    pub(crate) async fn preloaded_modules(&self) -> Result<Vec<String>, SandboxError> {
        match self {
            Host::Component(loaded) => loaded.preloaded_modules().await,
        }
    }
}
