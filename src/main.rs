//! `gavel`: a sandboxed judge for coding exercises. This binary is a thin layer:
//! it parses arguments, sets up logging and the async runtime, calls the library
//! crates and renders what they return. It is the only part of gavel that prints.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod catalog;
mod cli;
mod commands;
mod exit;
mod login;
mod render;

use clap::Parser;
use std::process::ExitCode;

/// The hidden first argument that makes this process a sandbox worker (see
/// `gavel_sandbox::worker`): started by gavel itself, never by people.
pub(crate) const WORKER: &str = "__sandbox-worker";

fn main() -> ExitCode {
    restore_sigpipe();
    if std::env::args_os().nth(1).is_some_and(|a| a == WORKER) {
        return match gavel_sandbox::worker::serve() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gavel worker: {e}");
                exit::Code::Error.into()
            }
        };
    }
    let args = cli::Cli::parse();
    render::init_color(args.global.color);
    render::init_logging(args.global.verbose);
    match commands::execute(args) {
        Ok(code) => code.into(),
        Err(error) => {
            render::print_error(&error);
            exit::Code::Error.into()
        }
    }
}

/// Rust ignores SIGPIPE, which turns `gavel list | head` into a panic on the
/// next write; a command-line tool should just stop, as `cat` does.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: called first thing in `main`, before any thread exists; resetting
    // a signal's disposition to its default has no other effect.
    #[allow(unsafe_code)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
