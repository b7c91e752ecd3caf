//! Command-line arguments, as clap parses them. Commands turn these into
//! library settings before any library code sees them.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// A sandboxed judge for coding exercises: runs Python submissions inside a
/// WASI build of CPython under wasmtime, with deterministic limits.
///
/// Exit codes: 0 all accepted, 1 something rejected, 2 usage or judge error.
#[derive(Debug, Parser)]
#[command(
    name = "gavel",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Use this runner image (a component file) instead of the built-in one.
    #[arg(long, global = true, env = "GAVEL_IMAGE", value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// How many programs run at once [default: the number of cores].
    #[arg(short, long, global = true, env = "GAVEL_JOBS", value_name = "N")]
    pub jobs: Option<usize>,
    /// The exercise catalog [default: ./exercises, else the one built into gavel].
    #[arg(long, global = true, env = "GAVEL_CATALOG", value_name = "DIR")]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the exercises of the catalog.
    List {
        /// Print a JSON array (shape in docs/json.md).
        #[arg(long)]
        json: bool,
    },
    /// Show an exercise: statement, starter code and public examples.
    Show {
        /// The exercise's id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Test a solution against the exercise's public tests, with full diffs.
    Test(JudgeArgs),
    /// Submit a solution: every test, hidden ones showing only verdict and resources.
    Submit(JudgeArgs),
    /// Grade a homework folder laid out as `DIR/<candidate>/<exercise-id>.py`.
    Grade(GradeArgs),
    /// Validate exercises: references, known-bad solutions, generated tests, margins.
    Check(CheckArgs),
    /// Write a candidate pack: the exercises without hidden tests or references.
    Export(ExportArgs),
    /// Run one Python program in the sandbox and report how it ended.
    Run(RunArgs),
    /// Build, inspect, import or export the runner image.
    #[command(subcommand)]
    Image(ImageCommand),
}

/// Limits of a run, in the units people think in.
#[derive(Debug, Args, Clone)]
pub struct LimitArgs {
    /// Instruction budget in fuel units (about one per wasm instruction) [default: 10000000000].
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// Wall-clock limit in seconds [default: 10].
    #[arg(long, value_name = "SECONDS")]
    pub wall_time: Option<f64>,
    /// Memory limit in MiB [default: 256].
    #[arg(long, value_name = "MIB")]
    pub memory: Option<u64>,
    /// Output limit (stdout and stderr together) in KiB [default: 1024].
    #[arg(long, value_name = "KIB")]
    pub output: Option<u64>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The Python program.
    pub file: PathBuf,
    /// Feed this file to the program's stdin (default: empty stdin).
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,
    /// Call this function of the program instead of running it as a script.
    #[arg(long, value_name = "NAME")]
    pub call: Option<String>,
    /// The call's arguments, a JSON list (with --call).
    #[arg(long, value_name = "JSON", requires = "call", default_value = "[]")]
    pub args: String,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Print one JSON object (shape in docs/json.md) instead of the program's output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// The exercise's id.
    pub id: String,
    /// The solution file.
    pub file: PathBuf,
    /// Stop at the first failing test (later tests are skipped).
    #[arg(long)]
    pub stop_on_first_failure: bool,
    /// Print JSON (shape in docs/json.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The homework folder: `DIR/<candidate>/<exercise-id>.py`.
    pub dir: PathBuf,
    /// Where the reports go (results.json, results.csv, junit.xml, report.html).
    #[arg(long, value_name = "OUT")]
    pub out: PathBuf,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Exercise directories [default: every exercise of the catalog].
    pub paths: Vec<PathBuf>,
    /// Print JSON (shape in docs/json.md).
    #[arg(long)]
    pub json: bool,
    /// Also write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write only what candidates may see (required: the only kind of export).
    #[arg(long, required = true)]
    pub public: bool,
    /// The directory to write.
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Build the runner image from its pinned inputs (even if one is cached).
    Build {
        /// Print the image's description as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Describe the runner image in use (building it first if needed).
    Info {
        /// Also re-hash the component and check it against the recorded sha256.
        #[arg(long)]
        verify: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the path of the runner image's component file.
    Path,
    /// Install a component file as the runner image (for machines without pip
    /// or the package registry).
    Import {
        /// A component written by `gavel image export`.
        file: PathBuf,
    },
    /// Write the runner image's component to a file, to import it elsewhere.
    Export {
        /// Where to write it.
        file: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
