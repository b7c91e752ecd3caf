//! Reports a person or a CI system reads: JUnit XML, CSV and HTML.

pub mod junit;
