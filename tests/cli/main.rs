//! gavel's integration tests: one binary that drives the real `gavel`
//! executable through every workflow. The runner image is built on first use,
//! as it is for any user.

// Test output goes to stderr on purpose: cargo shows it for failing tests.
#![allow(clippy::print_stderr)]

mod support;

mod catalog;
mod complexity;
mod confidentiality;
mod features;
mod golden;
mod grade;
mod hardening;
mod judge;
mod kattis;
mod layers;
mod native;
mod polygon;
mod postgres;
mod reports;
mod robustness;
mod run;
mod scale;
mod scientific;
mod suites;
#[macro_use]
mod serve;
mod judge0;
mod workers;
