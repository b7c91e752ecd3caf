//! gavel's sandbox: runs untrusted Python inside a WASI build of CPython under
//! wasmtime, with a deterministic instruction budget (fuel), a limit on the
//! time spent waiting (virtual, see [`Limits::wall_time`]), a memory cap and an
//! output cap, and classifies every way a run can end.
//!
//! This is the only crate of gavel that knows wasmtime. A program failing in
//! any way is an [`Outcome`] inside a [`RunResult`]; an `Err` means the judge
//! itself could not do its work.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use gavel_sandbox::{image, Cache, Job, Sandbox};
//! let cache = Cache::from_env()?;
//! let image = image::ensure(&cache, &image::PYTHON_3_14, &mut |_step| {})?;
//! let sandbox = Sandbox::new(&cache, image, 2)?;
//! let report = sandbox.run(&Job::script("print('hi')")).await?;
//! assert_eq!(report.stdout, b"hi\n");
//! # Ok(()) }
//! ```

mod error;
mod host;
pub mod image;
mod job;
#[cfg(test)]
mod native_tests;
mod outcome;
#[cfg(test)]
mod python_tests;
mod sandbox;
pub mod worker;

pub use error::{ProtocolError, SandboxError};
pub use gavel_core::{Cache, Limits, Shape};
pub use host::clock::{READ_STEP, WALL_CLOCK_START};
pub use image::{BuildStep, Image, ImageError, ImageSource};
pub use job::{
    Call, CheckArgs, DataKind, Entry, Interaction, Job, Message, NativeArgs, SCRATCH_DIR, Side,
};
pub use outcome::{Decision, Outcome, PyError, RunResult, TimeLimit};
pub use sandbox::Sandbox;
pub use worker::WorkerCommand;
