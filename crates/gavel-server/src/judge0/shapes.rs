//! The JSON of the Judge0-compatible surface, as Judge0 1.13 writes it and
//! its official Python SDK reads it (docs/judge0.md).

use serde::{Deserialize, Serialize};

/// The Judge0 version announced by `GET /about`. The SDK resolves language
/// aliases through a table chosen by this string; in the `1.13.1-extra`
/// table, `PYTHON`, `PYTHON3` and the SDK's default `PYTHON_FOR_ML` are all
/// language 10, which gavel serves, so an SDK user's Python never falls
/// through to another Judge0 host.
pub const VERSION: &str = "1.13.1-extra";

/// The language ids gavel's Python answers to: 10 (what the SDK resolves
/// Python aliases to, see [`VERSION`]) and 71 (Python 3 in Judge0 CE, the id
/// most code written against Judge0 sends).
pub const PYTHON_IDS: [i64; 2] = [10, 71];

/// `GET /about`.
#[derive(Debug, Clone, Serialize)]
pub struct About {
    /// See [`VERSION`].
    pub version: &'static str,
    /// Where to read about this server.
    pub homepage: String,
    /// Where its source is.
    pub source_code: String,
    /// Who runs it.
    pub maintainer: String,
}

/// An item of `GET /languages`.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// `GET /languages/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageDetails {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Whether it is archived (never).
    pub is_archived: bool,
    /// The name the source is stored under.
    pub source_file: &'static str,
    /// How it is compiled (no separate step: `compile()` inside the run).
    pub compile_cmd: Option<&'static str>,
    /// How it is run.
    pub run_cmd: &'static str,
}

/// An item of `GET /statuses`, and a submission's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Judge0's id (1–14).
    pub id: u8,
    /// Its description.
    pub description: &'static str,
}

/// Every status Judge0 has, in order.
pub const STATUSES: [Status; 14] = [
    Status {
        id: 1,
        description: "In Queue",
    },
    Status {
        id: 2,
        description: "Processing",
    },
    Status {
        id: 3,
        description: "Accepted",
    },
    Status {
        id: 4,
        description: "Wrong Answer",
    },
    Status {
        id: 5,
        description: "Time Limit Exceeded",
    },
    Status {
        id: 6,
        description: "Compilation Error",
    },
    Status {
        id: 7,
        description: "Runtime Error (SIGSEGV)",
    },
    Status {
        id: 8,
        description: "Runtime Error (SIGXFSZ)",
    },
    Status {
        id: 9,
        description: "Runtime Error (SIGFPE)",
    },
    Status {
        id: 10,
        description: "Runtime Error (SIGABRT)",
    },
    Status {
        id: 11,
        description: "Runtime Error (NZEC)",
    },
    Status {
        id: 12,
        description: "Runtime Error (Other)",
    },
    Status {
        id: 13,
        description: "Internal Error",
    },
    Status {
        id: 14,
        description: "Exec Format Error",
    },
];

/// The status with Judge0 id `id` (1–14).
pub fn status(id: u8) -> Status {
    STATUSES[usize::from(id.clamp(1, 14)) - 1]
}

/// `GET /config_info`: the configuration Judge0 reports, with gavel's true
/// values (the SDK requires every field).
// Each field is Judge0's, under its name (docs/judge0.md says what gavel
// puts in it).
#[allow(missing_docs)]
#[derive(Debug, Clone, Serialize)]
pub struct ConfigInfo {
    pub maintenance_mode: bool,
    pub enable_wait_result: bool,
    pub enable_compiler_options: bool,
    pub allowed_languages_for_compile_options: Vec<String>,
    pub enable_command_line_arguments: bool,
    pub enable_submission_delete: bool,
    pub enable_callbacks: bool,
    pub callbacks_max_tries: u32,
    pub callbacks_timeout: f64,
    pub enable_additional_files: bool,
    pub max_queue_size: u32,
    pub cpu_time_limit: f64,
    pub max_cpu_time_limit: f64,
    pub cpu_extra_time: f64,
    pub max_cpu_extra_time: f64,
    pub wall_time_limit: f64,
    pub max_wall_time_limit: f64,
    pub memory_limit: u64,
    pub max_memory_limit: u64,
    pub stack_limit: u64,
    pub max_stack_limit: u64,
    pub max_processes_and_or_threads: u32,
    pub max_max_processes_and_or_threads: u32,
    pub enable_per_process_and_thread_time_limit: bool,
    pub allow_enable_per_process_and_thread_time_limit: bool,
    pub enable_per_process_and_thread_memory_limit: bool,
    pub allow_enable_per_process_and_thread_memory_limit: bool,
    pub max_file_size: u64,
    pub max_max_file_size: u64,
    pub number_of_runs: u32,
    pub max_number_of_runs: u32,
    pub redirect_stderr_to_stdout: bool,
    pub max_extract_size: u64,
    pub enable_batched_submissions: bool,
    pub max_submission_batch_size: u32,
    pub submission_cache_duration: f64,
    pub use_docs_as_homepage: bool,
    pub enable_network: bool,
    pub allow_enable_network: bool,
}

/// `{"token": …}`: a submission accepted (`POST /submissions`, batch items).
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    /// The token to read it by.
    pub token: String,
}

/// The limits and options a run was made with, as Judge0 echoes them (the
/// defaults filled in). Stored with the run.
// Each field is Judge0's, under its name (docs/judge0.md).
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub language_id: i64,
    pub cpu_time_limit: f64,
    pub cpu_extra_time: f64,
    pub wall_time_limit: f64,
    pub memory_limit: u64,
    pub stack_limit: u64,
    pub max_processes_and_or_threads: u32,
    pub enable_per_process_and_thread_time_limit: bool,
    pub enable_per_process_and_thread_memory_limit: bool,
    pub max_file_size: u64,
    pub number_of_runs: u32,
    pub redirect_stderr_to_stdout: bool,
    pub enable_network: bool,
}

/// A submission as `GET /submissions/{token}?fields=*` shows it; other
/// `fields` select from these keys. Text fields are base64 when asked for.
// Each field is Judge0's, under its name (docs/judge0.md says what gavel
// puts in it).
#[allow(missing_docs)]
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    pub source_code: Option<String>,
    pub language_id: i64,
    pub stdin: Option<String>,
    pub expected_output: Option<String>,
    pub stdout: Option<String>,
    pub status_id: u8,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// CPU seconds, from fuel at the documented rate (a decimal string, as
    /// Judge0 writes it).
    pub time: Option<String>,
    /// Wall-clock seconds: not reported (gavel's waits are virtual).
    pub wall_time: Option<String>,
    /// Peak memory in KB.
    pub memory: Option<u64>,
    pub stderr: Option<String>,
    pub token: String,
    pub number_of_runs: u32,
    pub cpu_time_limit: String,
    pub cpu_extra_time: String,
    pub wall_time_limit: String,
    pub memory_limit: u64,
    pub stack_limit: u64,
    pub max_processes_and_or_threads: u32,
    pub enable_per_process_and_thread_time_limit: bool,
    pub enable_per_process_and_thread_memory_limit: bool,
    pub max_file_size: u64,
    pub compile_output: Option<String>,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    pub message: Option<String>,
    pub compiler_options: Option<String>,
    pub command_line_arguments: Option<String>,
    pub redirect_stderr_to_stdout: bool,
    pub callback_url: Option<String>,
    pub additional_files: Option<String>,
    pub enable_network: bool,
    pub status: Status,
    pub language: Language,
}

/// Every key of [`SubmissionView`], for `fields=*` and for checking names.
pub const ALL_FIELDS: [&str; 35] = [
    "source_code",
    "language_id",
    "stdin",
    "expected_output",
    "stdout",
    "status_id",
    "created_at",
    "finished_at",
    "time",
    "wall_time",
    "memory",
    "stderr",
    "token",
    "number_of_runs",
    "cpu_time_limit",
    "cpu_extra_time",
    "wall_time_limit",
    "memory_limit",
    "stack_limit",
    "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit",
    "max_file_size",
    "compile_output",
    "exit_code",
    "exit_signal",
    "message",
    "compiler_options",
    "command_line_arguments",
    "redirect_stderr_to_stdout",
    "callback_url",
    "additional_files",
    "enable_network",
    "status",
    "language",
];

/// The fields `GET /submissions/{token}` shows when none are asked for.
pub const DEFAULT_FIELDS: [&str; 8] = [
    "token",
    "stdout",
    "time",
    "memory",
    "stderr",
    "compile_output",
    "message",
    "status",
];

/// `GET /submissions/batch`.
#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    /// Each token's submission, `null` for one not found.
    pub submissions: Vec<Option<serde_json::Map<String, serde_json::Value>>>,
}
