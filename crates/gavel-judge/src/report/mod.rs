//! Reports a person or a CI system reads: JUnit XML, CSV and HTML.

pub mod junit;
mod tables;

pub use tables::{CandidateReport, csv, html_report};
