//! The API of `gavel serve` from both sides: the JSON it speaks
//! ([`shapes`], shared by the server and the client so the two cannot drift
//! apart; docs/api.md, docs/openapi.json) and the candidate's blocking HTTP
//! client ([`client`]), which the command line uses.

pub mod client;
pub mod shapes;

pub use client::{Client, ClientError};
