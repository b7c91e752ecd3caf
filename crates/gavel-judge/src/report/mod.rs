//! Reports a person or a CI system reads: JUnit XML, CSV and HTML.

pub mod junit;
mod tables;

pub use tables::{CandidateReport, csv, html_report};

/// Fuel for people: `668.1M`, `17.2G`, `950`.
pub fn human_fuel(fuel: u64) -> String {
    match fuel {
        f if f >= 1_000_000_000 => format!("{:.1}G", f as f64 / 1e9),
        f if f >= 1_000_000 => format!("{:.1}M", f as f64 / 1e6),
        f if f >= 1_000 => format!("{:.1}k", f as f64 / 1e3),
        f => f.to_string(),
    }
}
