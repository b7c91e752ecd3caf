//! The gavel exercise format: the model of an exercise and its tests, a strict
//! loader, the verdict taxonomy, and the comparison of answers with expected
//! ones (with testlib-style messages and readable diffs).
//!
//! This crate knows nothing of sandboxes or async runtimes; the format is
//! documented in `exercises/README.md`.

pub mod bless;
pub mod compare;
pub mod complexity;
pub mod diff;
pub mod kattis;
mod load;
pub mod manifest;
mod model;
pub mod native;
pub mod polygon;
pub mod python;
pub mod suite;
mod verdict;
pub mod view;

pub use compare::{Compared, Comparison, WrongReason};
pub use load::{
    Catalog, ComparisonMismatch, LoadError, LoadErrors, LoadProblem, exercise_dirs, load,
    load_catalog, load_with,
};
pub use manifest::{Difficulty, Disclosure, Image, Kind};
pub use model::{Exercise, Files, KnownBad, Test, TestData, TestSource, Visibility};
pub use verdict::{Tone, Verdict};
