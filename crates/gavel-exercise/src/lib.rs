//! The gavel exercise format: the model of an exercise and its tests, a strict
//! loader, the verdict taxonomy, and the comparison of answers with expected
//! ones (with testlib-style messages and readable diffs).
//!
//! This crate knows nothing of sandboxes or async runtimes; the format is
//! documented in `exercises/README.md`.

pub mod compare;
pub mod diff;
mod exercise;
pub mod manifest;
mod verdict;

pub use compare::{Compared, Comparison, WrongReason};
pub use exercise::{
    Exercise, KnownBad, LoadError, Test, TestData, Visibility, exercise_dirs, load, load_catalog,
};
pub use manifest::{Difficulty, Kind, ShapeName};
pub use verdict::Verdict;
