//! `gavel`: a sandboxed judge for coding exercises. This binary is a thin layer:
//! it parses arguments, sets up logging and the async runtime, calls the library
//! crates and prints. It is the only part of gavel that prints.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod commands;
mod exit;
mod ui;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    ui::init_logging(args.global.verbose);
    match commands::execute(args) {
        Ok(code) => code.into(),
        Err(error) => {
            ui::print_error(&error);
            exit::Code::Error.into()
        }
    }
}
