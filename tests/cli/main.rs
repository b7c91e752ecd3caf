//! gavel's integration tests: one binary that drives the real `gavel`
//! executable through every workflow. The runner image is built on first use,
//! as it is for any user.

mod support;

mod catalog;
mod grade;
mod judge;
mod run;
