//! The vocabulary and helpers every gavel crate shares, each the single home
//! of its fact: resource limits with their units and ranges ([`limits`]), the
//! shapes of function arguments ([`shape`]), durable file writes and locks
//! ([`fs`]), length-prefixed hashing ([`hash`]), making untrusted text safe to
//! show ([`text`]), and the per-user cache directory ([`cache`]).
//!
//! This crate knows nothing of exercises, sandboxes or async runtimes.

pub mod cache;
pub mod fs;
pub mod hash;
pub mod limits;
pub mod shape;
pub mod text;
pub mod tools;

pub use cache::{Cache, CacheError};
pub use limits::Limits;
pub use shape::Shape;
