//! `gavel export --public`: a candidate pack.

use super::Context;
use crate::cli::ExportArgs;
use crate::exit::Code;
use anyhow::Result;

pub fn execute(_context: &Context, _args: ExportArgs) -> Result<Code> {
    anyhow::bail!("export: work in progress")
}
