//! Importing a Kattis problem package (the ICPC problem package format) as a
//! gavel exercise: `gavel import kattis PKG OUT`.
//!
//! The legacy format is imported whole; of the 2023-07 and 2025-09 formats,
//! the parts that mean the same (pass-fail and interactive problems, test
//! data groups, output validator arguments). What maps:
//!
//! - `data/sample` → public tests, `data/secret` → hidden tests; each secret
//!   test data group → a gavel group (`on_reject: break` → `on_failure =
//!   "skip"`; in scoring problems `accept_score` → points, and the `min`
//!   grader → a group worth its points all or nothing);
//! - the default output validator's flags → a comparison;
//! - a Python output validator → `checker.py`, a Python interactive
//!   validator → `interactor.py`, each running the validator unchanged;
//! - `submissions/accepted` → the reference solution (the first in name
//!   order) and accepted solutions, `wrong_answer`, `time_limit_exceeded`,
//!   `run_time_error` → known-bad solutions with their verdicts;
//! - `problem.yaml`: the name, the time multiplier (→ fuel margin), memory and
//!   output limits, keywords (→ tags), credits (→ the end of the statement).
//!
//! Anything that would make gavel judge differently (a validator in C++, a
//! custom grader, per-test arguments, …) stops the import with every such
//! problem listed; anything that changes nothing about verdicts (images,
//! hints, input validators, …) is listed as a note. Nothing is dropped
//! silently. Nothing is written unless the import succeeds, and the result
//! is loaded with the strict loader before it is moved into place.

mod data;
mod problem;
pub(crate) mod programs;

use crate::compare::Comparison;
use crate::load::LoadErrors;
use crate::manifest::{Difficulty, Kind, Manifest, Scoring, TestSettings};
use crate::native::{Convention, Language, NativeSpec};
use gavel_core::fs::{TEMP_PREFIX, write_atomically};
use gavel_core::limits::FUEL_PER_SECOND;
use problem::Validation;
use programs::Program;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which generation of the format a package is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    /// `legacy` (also when `problem_format_version` is absent).
    Legacy,
    /// `2023-07-draft`, `2025-09`.
    Modern,
}

/// Something about the package, at a path under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The file or directory, relative to the package (empty: the package).
    pub path: String,
    /// What happened to it, or why it cannot be imported.
    pub message: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Notes and blocking problems found while reading a package (of either
/// format: `crate::polygon` shares them).
#[derive(Debug, Default)]
pub(crate) struct Findings {
    notes: Vec<Note>,
    problems: Vec<Note>,
}

impl Findings {
    pub(crate) fn note(&mut self, path: &str, message: impl Into<String>) {
        self.notes.push(Note {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    pub(crate) fn block(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Note {
            path: path.to_owned(),
            message: message.into(),
        });
    }
}

/// What an import made (`gavel import kattis --json`, docs/json.md).
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The new exercise's id (its directory's name).
    pub id: String,
    /// Its directory.
    pub dir: PathBuf,
    /// Public tests (from `data/sample`).
    pub public_tests: usize,
    /// Hidden tests (from `data/secret`).
    pub hidden_tests: usize,
    /// Groups with rules.
    pub groups: Vec<String>,
    /// The comparison, when there is no checker or interactor.
    pub comparison: Option<Comparison>,
    /// The validator that became `checker.py`, if any.
    pub checker_from: Option<String>,
    /// The validator that became `interactor.py`, if any.
    pub interactor_from: Option<String>,
    /// The submission that became `solution.py`.
    pub reference_from: String,
    /// Known-bad (and further accepted) solutions kept.
    pub known_bad: usize,
    /// What was not converted, and why (none of it changes a verdict).
    pub notes: Vec<Note>,
}

impl Imported {
    /// Nothing imported yet, for the exercise `id`.
    pub(crate) fn new(id: &str) -> Imported {
        Imported {
            id: id.to_owned(),
            dir: PathBuf::new(),
            public_tests: 0,
            hidden_tests: 0,
            groups: Vec::new(),
            comparison: None,
            checker_from: None,
            interactor_from: None,
            reference_from: String::new(),
            known_bad: 0,
            notes: Vec::new(),
        }
    }
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The destination exists.
    #[error("`{0}` already exists; import into a new directory")]
    Exists(PathBuf),
    /// The destination's name is not an exercise id.
    #[error(
        "`{0}`: the last part of the destination is the exercise id: lowercase letters, digits and `-`"
    )]
    BadId(PathBuf),
    /// The package says things gavel cannot judge the same way.
    #[error("`{package}` cannot be imported:\n{}", list(.problems))]
    Unconvertible {
        /// The package.
        package: PathBuf,
        /// Every problem found.
        problems: Vec<Note>,
    },
    /// Writing the exercise failed.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// What.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The written exercise does not load (a defect of the import).
    #[error("the imported exercise does not load:\n{0}")]
    Load(#[from] LoadErrors),
}

fn list(notes: &[Note]) -> String {
    notes
        .iter()
        .map(|n| format!("  {n}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An exercise being assembled: its manifest and files.
pub(crate) struct Draft {
    pub(crate) manifest: Manifest,
    pub(crate) files: BTreeMap<String, Vec<u8>>,
}

/// Imports the Kattis package in `package` as the exercise directory `out`
/// (which must not exist; its name is the exercise's id).
pub fn import(package: &Path, out: &Path) -> Result<Imported, ImportError> {
    import_with(package, out, convert)
}

/// Imports `package` as `out` with `convert` (one format's reading): the
/// destination's checks, every blocking problem at once, and writing the
/// exercise only when it loads.
pub(crate) fn import_with(
    package: &Path,
    out: &Path,
    convert: impl FnOnce(&Path, &str, &mut Findings) -> Option<(Draft, Imported)>,
) -> Result<Imported, ImportError> {
    if out.exists() {
        return Err(ImportError::Exists(out.to_owned()));
    }
    let id = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|id| {
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .ok_or_else(|| ImportError::BadId(out.to_owned()))?;
    let mut found = Findings::default();
    let converted = convert(package, &id, &mut found);
    let (draft, mut imported) = match converted {
        Some(converted) if found.problems.is_empty() => converted,
        _ => {
            return Err(ImportError::Unconvertible {
                package: package.to_owned(),
                problems: found.problems,
            });
        }
    };
    write(&draft, out)?;
    imported.dir = out.to_owned();
    imported.notes = found.notes;
    Ok(imported)
}

fn convert(package: &Path, id: &str, found: &mut Findings) -> Option<(Draft, Imported)> {
    top_level(package, found);
    let problem = problem::read(package, found)?;
    let interactive = problem.validation == Validation::Interactive;
    let statement = problem::statement(package, &problem, found);
    let tests = data::read(
        package,
        problem.version,
        problem.scoring,
        interactive,
        found,
    );
    let validator = programs::validator(
        package,
        problem.version,
        problem.validation != Validation::Default,
        found,
    );
    let submissions = programs::submissions(package, found);
    let mut manifest = Manifest {
        id: id.to_owned(),
        title: problem.title.clone(),
        difficulty: Difficulty::Medium,
        tags: problem.tags.clone(),
        kind: Kind::Stdio,
        function: None,
        limits: problem.limits.clone(),
        comparison: None,
        scoring: Scoring::Sum,
        reveal_hidden: None,
        tests: BTreeMap::new(),
        groups: tests.groups.clone(),
        generated: Vec::new(),
        complexity: None,
        suite: None,
        native: None,
        image: Default::default(),
    };
    found.note(
        "problem.yaml",
        "gavel's difficulty (easy, medium, hard) is not in the package: set to medium",
    );
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert("statement.md".to_owned(), statement.into_bytes());
    files.insert(
        "starter.py".to_owned(),
        b"# Read the input from standard input and print the answer.\n".to_vec(),
    );
    let mut imported = Imported {
        groups: tests.groups.keys().cloned().collect(),
        ..Imported::new(id)
    };
    add_validator(
        &problem,
        validator,
        &mut manifest,
        &mut files,
        &mut imported,
        found,
    );
    let native_interactor = interactive && manifest.native.is_some();
    add_tests(
        &problem,
        tests.tests,
        native_interactor,
        &mut manifest,
        &mut files,
        &mut imported,
        found,
    );
    add_submissions(
        submissions,
        &problem,
        &mut manifest,
        &mut files,
        &mut imported,
        found,
    );
    Some((Draft { manifest, files }, imported))
}

/// The comparison or the validator: Python validators are wrapped as
/// `checker.py` or `interactor.py`, C and C++ ones kept as native programs
/// under the Kattis conventions.
fn add_validator(
    problem: &problem::Problem,
    validator: Option<(String, Program)>,
    manifest: &mut Manifest,
    files: &mut BTreeMap<String, Vec<u8>>,
    imported: &mut Imported,
    found: &mut Findings,
) {
    match (problem.validation, validator) {
        (Validation::Default, _) => match problem::comparison(&problem.flags) {
            Ok(comparison) => {
                manifest.comparison = Some(comparison.clone());
                imported.comparison = Some(comparison);
            }
            Err(why) => found.block("problem.yaml", format!("validator_flags: {why}")),
        },
        (validation, Some((path, Program::Python { file, source }))) => {
            let interactive = validation == Validation::Interactive;
            let wrapped = programs::wrap(&path, &file, &source, &problem.flags, interactive);
            let name = if interactive {
                "interactor.py"
            } else {
                "checker.py"
            };
            files.insert(name.to_owned(), wrapped.into_bytes());
            if interactive {
                imported.interactor_from = Some(path);
            } else {
                imported.checker_from = Some(path);
            }
        }
        (
            validation,
            Some((
                path,
                Program::Native {
                    language,
                    source,
                    headers,
                },
            )),
        ) => {
            let interactive = validation == Validation::Interactive;
            let role = if interactive { "interactor" } else { "checker" };
            let extension = match language {
                Language::C => "c",
                Language::Cpp => "cpp",
            };
            files.insert(format!("{role}.{extension}"), source);
            for (name, bytes) in headers {
                files.insert(name, bytes);
            }
            manifest.native = Some(NativeSpec {
                convention: Convention::Kattis,
                args: problem.flags.clone(),
            });
            found.note(
                &path,
                format!("compiled to WebAssembly as {role}.{extension} (the Kattis validators' conventions)"),
            );
            if interactive {
                imported.interactor_from = Some(path);
            } else {
                imported.checker_from = Some(path);
            }
        }
        (_, Some((_, Program::Other(_)))) | (_, None) => {}
    }
}

/// Notes (or problems) about the package's top-level entries gavel does not
/// read.
fn top_level(package: &Path, found: &mut Findings) {
    for entry in data::sorted_entries(package) {
        match entry.as_str() {
            "problem.yaml" | "problem_statement" | "statement" | "data" | "submissions"
            | "output_validators" | "output_validator" => {}
            "input_validators" | "input_format_validators" => found.note(
                &entry,
                "not run: gavel does not validate test inputs (check them before importing)",
            ),
            "include" => {
                if ["python3", "default"]
                    .iter()
                    .any(|l| package.join("include").join(l).exists())
                {
                    found.block(
                        "include",
                        "files included with every Python submission: gavel runs the submission alone",
                    );
                } else {
                    found.note("include", "no files for Python submissions: not used");
                }
            }
            "static_validator" => found.block(
                "static_validator",
                "a static validator judges source code; gavel has no equivalent",
            ),
            other => found.note(other, "not used by gavel"),
        }
    }
}

fn add_tests(
    problem: &problem::Problem,
    tests: Vec<data::TestCase>,
    native_interactor: bool,
    manifest: &mut Manifest,
    files: &mut BTreeMap<String, Vec<u8>>,
    imported: &mut Imported,
    found: &mut Findings,
) {
    let public: Vec<String> = tests
        .iter()
        .filter(|t| t.public)
        .map(|t| t.name.clone())
        .collect();
    let interactive = problem.validation == Validation::Interactive;
    for mut test in tests {
        if !test.public && public.contains(&test.name) {
            let renamed = format!("secret-{}", test.name);
            found.note(
                &test.origin,
                format!("named `{renamed}`: `{}` is a sample's name", test.name),
            );
            test.name = renamed;
        }
        let folder = if test.public { "public" } else { "hidden" };
        let base = format!("tests/{folder}/{}", test.name);
        if files.contains_key(&format!("{base}.in")) {
            found.block(&test.origin, format!("a second test named `{}`", test.name));
            continue;
        }
        // A native interactor reads the `.in` and `.ans` as files, as under
        // Kattis (the `.ans` reaches the interactor only, never the program);
        // interactor.py gets both in its input.
        if interactive && !native_interactor {
            let (Ok(input), Ok(answer)) = (
                String::from_utf8(test.input),
                String::from_utf8(test.answer),
            ) else {
                found.block(
                    &test.origin,
                    "an interactive test's files must be UTF-8 text",
                );
                continue;
            };
            let packed = serde_json::json!({ "input": input, "answer": answer });
            files.insert(format!("{base}.in"), format!("{packed}\n").into_bytes());
        } else {
            files.insert(format!("{base}.in"), test.input);
            files.insert(format!("{base}.out"), test.answer);
        }
        for (name, bytes) in test.files {
            files.insert(format!("{base}.files/{name}"), bytes);
        }
        let comparison = per_test_comparison(problem, &test.flags, &test.origin, found);
        let settings = TestSettings {
            points: test.points,
            group: test.group,
            comparison,
            fuel: None,
        };
        if settings != TestSettings::default() {
            manifest.tests.insert(test.name.clone(), settings);
        }
        if test.public {
            imported.public_tests += 1;
        } else {
            imported.hidden_tests += 1;
        }
    }
}

/// The comparison of a test whose group adds validator flags, when it
/// differs from the exercise's.
fn per_test_comparison(
    problem: &problem::Problem,
    group_flags: &[String],
    origin: &str,
    found: &mut Findings,
) -> Option<Comparison> {
    if group_flags.is_empty() {
        return None;
    }
    if problem.validation != Validation::Default {
        found.block(
            origin,
            "output validator flags of a test data group: a gavel checker gets the same flags for every test",
        );
        return None;
    }
    let flags: Vec<String> = problem.flags.iter().chain(group_flags).cloned().collect();
    match problem::comparison(&flags) {
        Ok(comparison)
            if Some(&comparison) != problem::comparison(&problem.flags).ok().as_ref() =>
        {
            Some(comparison)
        }
        Ok(_) => None,
        Err(why) => {
            found.block(origin, format!("output validator flags: {why}"));
            None
        }
    }
}

fn add_submissions(
    submissions: Vec<programs::Submission>,
    problem: &problem::Problem,
    manifest: &mut Manifest,
    files: &mut BTreeMap<String, Vec<u8>>,
    imported: &mut Imported,
    found: &mut Findings,
) {
    let mut reference = None;
    for submission in submissions {
        if submission.verdict == "accepted" && reference.is_none() {
            files.insert("solution.py".to_owned(), submission.source.into_bytes());
            reference = Some(submission.origin);
            continue;
        }
        let mut path = format!("submissions/{}/{}", submission.verdict, submission.file);
        let mut n = 2;
        while files.contains_key(&path) {
            path = format!(
                "submissions/{}/{}-{n}.py",
                submission.verdict,
                submission.file.trim_end_matches(".py")
            );
            n += 1;
        }
        files.insert(path, submission.source.into_bytes());
        imported.known_bad += 1;
    }
    match (reference, problem.time_limit) {
        (Some(origin), _) => imported.reference_from = origin,
        // No reference to measure budgets against: a fixed budget from the
        // package's time limit, at the documented rate.
        (None, Some(seconds)) => {
            let fuel = fixed_fuel(seconds);
            manifest.limits.fuel = Some(fuel);
            found.note(
                "submissions/accepted",
                format!(
                    "no accepted Python submission: every test gets a fixed budget of {} fuel, \
                     the package's time limit ({seconds} s) at {} fuel per second; \
                     add a Python solution.py to measure budgets against instead",
                    gavel_core::limits::human_fuel(fuel),
                    gavel_core::limits::human_fuel(FUEL_PER_SECOND),
                ),
            );
        }
        (None, None) => found.block(
            "submissions/accepted",
            "no accepted Python submission and no limits.time_limit: gavel needs a reference \
             solution or a time limit to set budgets from",
        ),
    }
}

/// The fuel of `seconds` at [`FUEL_PER_SECOND`], within gavel's range.
pub(crate) fn fixed_fuel(seconds: f64) -> u64 {
    let (low, high) = gavel_core::limits::FUEL_RANGE;
    ((seconds * FUEL_PER_SECOND as f64).round() as u64).clamp(low, high)
}

/// Writes the draft into a temporary directory beside `out`, loads it with
/// the strict loader, and moves it into place.
fn write(draft: &Draft, out: &Path) -> Result<(), ImportError> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ImportError::Write { path, source }
    };
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let name = out.file_name().unwrap_or_default();
    let staging = parent.join(format!(
        "{TEMP_PREFIX}import-{}-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let dir = staging.join(name);
    let result = (|| {
        let manifest = toml::to_string(&draft.manifest).map_err(|e| ImportError::Write {
            path: dir.join("exercise.toml"),
            source: std::io::Error::other(e),
        })?;
        let header =
            "# Imported by `gavel import kattis`; see exercises/README.md for the format.\n";
        let manifest_path = dir.join("exercise.toml");
        write_atomically(&manifest_path, format!("{header}{manifest}").as_bytes())
            .map_err(io(&manifest_path))?;
        for (relative, bytes) in &draft.files {
            let path = dir.join(relative);
            write_atomically(&path, bytes).map_err(io(&path))?;
        }
        crate::load(&dir)?;
        std::fs::rename(&dir, out).map_err(io(out))
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}
