//! A Judge0 submission request, checked field by field: what gavel honours
//! becomes a run's limits; what it cannot honour is refused by name, as
//! Judge0 refuses an invalid field (`422 {"field": ["message"]}`), never
//! ignored.

use super::shapes::{Options, PYTHON_IDS};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gavel_core::Limits;
use gavel_core::limits::{self, MEMORY_RANGE};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// How Judge0's seconds become fuel: [`gavel_core::limits::FUEL_PER_SECOND`]
/// (see there for the measurement). Determinism over accuracy: `time` is
/// the fuel used at this rate, never a measurement.
pub use gavel_core::limits::FUEL_PER_SECOND;

/// The defaults and maxima gavel's Judge0 surface applies (also what
/// `GET /config_info` reports).
pub mod defaults {
    /// `cpu_time_limit` when not given, in seconds.
    pub const CPU_TIME: f64 = 5.0;
    /// The largest `cpu_time_limit`.
    pub const MAX_CPU_TIME: f64 = 15.0;
    /// `cpu_extra_time` when not given.
    pub const CPU_EXTRA_TIME: f64 = 1.0;
    /// The largest `cpu_extra_time`.
    pub const MAX_CPU_EXTRA_TIME: f64 = 5.0;
    /// `wall_time_limit` when not given, in seconds.
    pub const WALL_TIME: f64 = 10.0;
    /// The largest `wall_time_limit`.
    pub const MAX_WALL_TIME: f64 = 20.0;
    /// `memory_limit` when not given, in KB.
    pub const MEMORY_KB: u64 = 128_000;
    /// The largest `memory_limit`.
    pub const MAX_MEMORY_KB: u64 = 512_000;
    /// The stack the sandbox gives every program (its 64 MiB of wasm
    /// stack), in KB; not settable.
    pub const STACK_KB: u64 = 65_536;
    /// `max_processes_and_or_threads` when not given (a program can make
    /// none, so any limit holds).
    pub const PROCESSES: u32 = 60;
    /// The largest `max_processes_and_or_threads`.
    pub const MAX_PROCESSES: u32 = 120;
    /// `max_file_size` (the output limit) when not given, in KB.
    pub const FILE_SIZE_KB: u64 = 1024;
    /// The largest `max_file_size`.
    pub const MAX_FILE_SIZE_KB: u64 = 4096;
    /// The largest `number_of_runs` (every run of one program gives the
    /// same result, so it runs once).
    pub const MAX_RUNS: u32 = 20;
    /// The most submissions in one batch.
    pub const MAX_BATCH: u32 = 20;
    /// The most runs waiting in the queue, over all candidates.
    pub const MAX_QUEUE: u32 = 100;
    /// The largest `stdin` or `expected_output`, in bytes.
    pub const MAX_TEXT_BYTES: usize = 4 << 20;
}

/// Judge0's validation errors: each field with its messages.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A request that passed: what to store and run.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The source.
    pub source: Vec<u8>,
    /// Standard input.
    pub stdin: Vec<u8>,
    /// The expected output.
    pub expected_output: Option<Vec<u8>>,
    /// The limits.
    pub limits: Limits,
    /// What Judge0 echoes back.
    pub options: Options,
}

/// Checks one submission object. `base64`: text fields are base64.
pub fn check(body: &Value, base64: bool, max_source_bytes: u64) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::new();
    let Some(object) = body.as_object() else {
        errors.insert(
            "submission".into(),
            vec!["must be a JSON object".to_owned()],
        );
        return Err(errors);
    };
    let mut fields = Fields {
        object,
        errors: &mut errors,
    };
    let source = fields.text("source_code", base64);
    let stdin = fields.text("stdin", base64);
    let expected_output = fields.text("expected_output", base64);
    let language_id = fields.integer("language_id");
    let cpu_time_limit =
        fields.seconds("cpu_time_limit", defaults::CPU_TIME, defaults::MAX_CPU_TIME);
    let cpu_extra_time = fields.seconds(
        "cpu_extra_time",
        defaults::CPU_EXTRA_TIME,
        defaults::MAX_CPU_EXTRA_TIME,
    );
    let wall_time_limit = fields.seconds(
        "wall_time_limit",
        defaults::WALL_TIME,
        defaults::MAX_WALL_TIME,
    );
    let memory_limit = fields.count(
        "memory_limit",
        defaults::MEMORY_KB,
        MEMORY_RANGE.0 * 1024,
        defaults::MAX_MEMORY_KB,
    );
    let max_file_size = fields.count(
        "max_file_size",
        defaults::FILE_SIZE_KB,
        1,
        defaults::MAX_FILE_SIZE_KB,
    );
    let processes = fields.count(
        "max_processes_and_or_threads",
        u64::from(defaults::PROCESSES),
        1,
        u64::from(defaults::MAX_PROCESSES),
    );
    let runs = fields.count("number_of_runs", 1, 1, u64::from(defaults::MAX_RUNS));
    let per_process_time = fields.flag("enable_per_process_and_thread_time_limit");
    let per_process_memory = fields.flag("enable_per_process_and_thread_memory_limit");
    fields.refuse_unsupported();
    let source = fields.source(source, max_source_bytes);
    let language_id = fields.language(language_id);
    for (name, text) in [("stdin", &stdin), ("expected_output", &expected_output)] {
        if text
            .as_ref()
            .is_some_and(|t| t.len() > defaults::MAX_TEXT_BYTES)
        {
            fields.fail(
                name,
                format!("is too long (at most {} bytes)", defaults::MAX_TEXT_BYTES),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let limits = Limits {
        fuel: (cpu_time_limit * FUEL_PER_SECOND as f64).round() as u64,
        wall_time: Duration::from_secs_f64(wall_time_limit),
        memory_bytes: memory_limit * 1024,
        output_bytes: max_file_size * 1024,
    };
    let options = Options {
        language_id,
        cpu_time_limit,
        cpu_extra_time,
        wall_time_limit,
        memory_limit,
        stack_limit: defaults::STACK_KB,
        max_processes_and_or_threads: processes as u32,
        enable_per_process_and_thread_time_limit: per_process_time,
        enable_per_process_and_thread_memory_limit: per_process_memory,
        max_file_size,
        number_of_runs: runs as u32,
        redirect_stderr_to_stdout: false,
        enable_network: false,
    };
    Ok(Checked {
        source,
        stdin: stdin.unwrap_or_default(),
        expected_output,
        limits,
        options,
    })
}

/// The fields of one request, and the errors found so far.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    errors: &'a mut FieldErrors,
}

impl Fields<'_> {
    /// What Judge0 can do and gavel cannot: refused by name, never ignored.
    fn refuse_unsupported(&mut self) {
        self.refuse_unless_false(
            "redirect_stderr_to_stdout",
            "gavel keeps stderr apart from stdout; this cannot be enabled",
        );
        self.refuse_unless_false(
            "enable_network",
            "enabling network is not allowed: the sandbox has no network",
        );
        self.refuse_if_set(
            "stack_limit",
            "cannot be set: every program gets the sandbox's fixed stack (see config_info)",
        );
        self.refuse_if_set(
            "command_line_arguments",
            "command line arguments are not supported",
        );
        self.refuse_if_set(
            "compiler_options",
            "compiler options are not allowed for Python",
        );
        self.refuse_if_set("additional_files", "additional files are not supported");
        self.refuse_if_set(
            "callback_url",
            "callbacks are not supported: poll GET /submissions/{token}, or ask with wait=true",
        );
    }

    /// The source: required, at most `max_source_bytes`.
    fn source(&mut self, source: Option<Vec<u8>>, max_source_bytes: u64) -> Vec<u8> {
        match source {
            Some(source) if !source.is_empty() => {
                if source.len() as u64 > max_source_bytes {
                    self.fail(
                        "source_code",
                        format!("is too long (at most {max_source_bytes} bytes)"),
                    );
                }
                source
            }
            _ => {
                self.fail("source_code", "can't be blank".to_owned());
                Vec::new()
            }
        }
    }

    /// The language: one of Judge0's ids for Python.
    fn language(&mut self, language_id: Option<i64>) -> i64 {
        match language_id {
            Some(id) if PYTHON_IDS.contains(&id) => id,
            Some(id) => {
                self.fail(
                    "language_id",
                    format!(
                        "language with id {id} doesn't exist (gavel runs Python: ids 10 and 71)"
                    ),
                );
                0
            }
            None => {
                self.fail("language_id", "can't be blank".to_owned());
                0
            }
        }
    }
}

impl Fields<'_> {
    fn fail(&mut self, name: &str, message: String) {
        self.errors
            .entry(name.to_owned())
            .or_default()
            .push(message);
    }

    /// A field's value; JSON `null` counts as not given.
    fn get(&self, name: &str) -> Option<&Value> {
        self.object.get(name).filter(|v| !v.is_null())
    }

    fn text(&mut self, name: &str, base64: bool) -> Option<Vec<u8>> {
        let value = self.get(name)?;
        let Some(text) = value.as_str() else {
            self.fail(name, "must be a string".to_owned());
            return None;
        };
        if !base64 {
            return Some(text.as_bytes().to_vec());
        }
        // Judge0's clients wrap long base64 lines.
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        match STANDARD.decode(compact) {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                self.fail(name, "is not valid base64 (base64_encoded=true)".to_owned());
                None
            }
        }
    }

    fn integer(&mut self, name: &str) -> Option<i64> {
        let value = self.get(name)?;
        let parsed = value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
        if parsed.is_none() {
            self.fail(name, "is not a number".to_owned());
        }
        parsed
    }

    fn number(&mut self, name: &str) -> Option<f64> {
        let value = self.get(name)?;
        let parsed = value
            .as_f64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|n: &f64| n.is_finite());
        if parsed.is_none() {
            self.fail(name, "is not a number".to_owned());
        }
        parsed
    }

    /// Seconds above 0, at most `max`.
    fn seconds(&mut self, name: &str, default: f64, max: f64) -> f64 {
        match self.number(name) {
            None => default,
            Some(n) if n <= 0.0 => {
                self.fail(name, "must be greater than 0".to_owned());
                default
            }
            Some(n) if n > max => {
                self.fail(name, format!("must be less than or equal to {max}"));
                default
            }
            Some(n) => n,
        }
    }

    /// A whole number from `min` to `max`.
    fn count(&mut self, name: &str, default: u64, min: u64, max: u64) -> u64 {
        let Some(n) = self.number(name) else {
            return default;
        };
        if n.fract() != 0.0 {
            self.fail(name, "must be a whole number".to_owned());
            default
        } else if n < min as f64 {
            self.fail(name, format!("must be greater than or equal to {min}"));
            default
        } else if n > max as f64 {
            self.fail(name, format!("must be less than or equal to {max}"));
            default
        } else {
            n as u64
        }
    }

    fn flag(&mut self, name: &str) -> bool {
        match self.get(name) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.fail(name, "must be true or false".to_owned());
                false
            }
        }
    }

    fn refuse_unless_false(&mut self, name: &str, why: &str) {
        if self.flag(name) {
            self.fail(name, why.to_owned());
        }
    }

    fn refuse_if_set(&mut self, name: &str, why: &str) {
        let set = match self.get(name) {
            None => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(_) => true,
        };
        if set {
            self.fail(name, why.to_owned());
        }
    }
}

/// The limits a default request gets, for docs and tests.
pub fn default_limits() -> Limits {
    Limits {
        fuel: (defaults::CPU_TIME * FUEL_PER_SECOND as f64) as u64,
        wall_time: Duration::from_secs_f64(defaults::WALL_TIME),
        memory_bytes: defaults::MEMORY_KB * 1024,
        output_bytes: limits::kib(defaults::FILE_SIZE_KB),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_plain_request_gets_the_defaults() {
        let checked = check(
            &json!({"source_code": "print(1)", "language_id": 71}),
            false,
            1024,
        )
        .unwrap();
        assert_eq!(checked.limits, default_limits());
        assert_eq!(checked.options.memory_limit, defaults::MEMORY_KB);
        assert!(checked.expected_output.is_none());
    }

    #[test]
    fn limits_convert_at_the_fixed_rate() {
        let checked = check(
            &json!({"source_code": "cHJpbnQoMSk=", "language_id": 10, "cpu_time_limit": 0.5,
                    "memory_limit": 65536, "max_file_size": 8, "wall_time_limit": "2"}),
            true,
            1024,
        )
        .unwrap();
        assert_eq!(checked.source, b"print(1)");
        assert_eq!(checked.limits.fuel, FUEL_PER_SECOND / 2);
        assert_eq!(checked.limits.memory_bytes, 65536 * 1024);
        assert_eq!(checked.limits.output_bytes, 8 * 1024);
        assert_eq!(checked.limits.wall_time, Duration::from_secs(2));
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_by_name() {
        let errors = check(
            &json!({"language_id": 54, "enable_network": true, "stack_limit": 64000,
                    "redirect_stderr_to_stdout": true, "callback_url": "http://x",
                    "command_line_arguments": "-v", "cpu_time_limit": 100,
                    "memory_limit": 1000, "stdin": "%%%"}),
            true,
            1024,
        )
        .unwrap_err();
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "callback_url",
                "command_line_arguments",
                "cpu_time_limit",
                "enable_network",
                "language_id",
                "memory_limit",
                "redirect_stderr_to_stdout",
                "source_code",
                "stack_limit",
                "stdin"
            ]
        );
        assert_eq!(errors["source_code"], ["can't be blank"]);
        assert!(errors["language_id"][0].starts_with("language with id 54 doesn't exist"));
    }
}
