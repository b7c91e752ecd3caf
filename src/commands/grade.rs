//! `gavel grade`: batch grading of a homework folder.

use super::Context;
use crate::cli::GradeArgs;
use crate::exit::Code;
use anyhow::Result;

pub fn execute(_context: &Context, _args: GradeArgs) -> Result<Code> {
    anyhow::bail!("grade: work in progress")
}
