//! What can be wrong with an exercise or a catalog on disk. Every failure is
//! a [`LoadProblem`] of its own, so callers (and tests) can tell them apart
//! without reading the text; the text is what authors see, and is stable.

use super::layout::{EXERCISE_DIRS, EXERCISE_FILES, NAME_RULE};
use crate::manifest::Kind;
use crate::verdict::Verdict;
use gavel_core::limits::LimitError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::Utf8Error;
use thiserror::Error;

/// A problem with an exercise on disk.
#[derive(Debug, Error)]
pub enum LoadError {
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is malformed or inconsistent with the rest of the exercise.
    #[error("{}{}: {problem}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file at fault.
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        problem: LoadProblem,
    },
}

impl LoadError {
    /// `problem` in the file `path`, at no particular line.
    pub(crate) fn invalid(path: impl Into<PathBuf>, problem: LoadProblem) -> LoadError {
        LoadError::Invalid {
            path: path.into(),
            line: None,
            problem,
        }
    }

    /// The file at fault.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. } | LoadError::Invalid { path, .. } => path,
        }
    }

    /// What is wrong, unless reading failed.
    pub fn problem(&self) -> Option<&LoadProblem> {
        match self {
            LoadError::Io { .. } => None,
            LoadError::Invalid { problem, .. } => Some(problem),
        }
    }
}

/// Every problem found in one exercise (never empty).
#[derive(Debug)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// A comparison that does not fit the exercise's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ComparisonMismatch {
    /// `json` compares returned values, which stdio programs do not have.
    #[error("mode `json` is for function exercises")]
    JsonForStdio,
    /// A function's return value is a JSON value, not text.
    #[error("function exercises compare with mode `json`")]
    TextForFunction,
}

/// What is wrong with a file of an exercise or a catalog (the file and line
/// are in [`LoadError::Invalid`]).
///
/// Third-party errors are kept as their text: a variant stands for one kind
/// of failure, and the parsers' messages already say which key or value.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LoadProblem {
    // Reading entries and files.
    /// An entry's name is not UTF-8.
    #[error("the name is not UTF-8")]
    NameNotUtf8,
    /// A directory holds a symbolic link.
    #[error(
        "a symbolic link{}: links are not allowed in a catalog, which must hold its own files",
        target.as_ref().map(|t| format!(" (to `{}`)", t.display())).unwrap_or_default()
    )]
    SymbolicLink {
        /// Where it leads, when that could be read.
        target: Option<PathBuf>,
    },
    /// A file turned out to be a symbolic link when it was opened (it was
    /// replaced after its directory was listed).
    #[error("a symbolic link: links are not allowed in a catalog")]
    LinkWhenOpened,
    /// A directory holds a FIFO, a socket or a device.
    #[error("not a plain file or directory (a FIFO, socket or device)")]
    SpecialEntry,
    /// What was opened as a file is not a plain file.
    #[error("not a plain file (a FIFO, socket, device or directory)")]
    NotPlainFile,
    /// A file is larger than any catalog file may be.
    #[error(
        "{}, larger than the {} a catalog file may be",
        size_text(*size),
        size_text(*max)
    )]
    FileTooLarge {
        /// Its size in bytes.
        size: u64,
        /// The largest catalog file, in bytes.
        max: u64,
    },
    /// An expected output is larger than the exercise lets a program print.
    #[error(
        "{}, larger than the exercise's output limit ({} KiB): no program could print it \
         (raise `output` in [limits], or shorten the test)",
        size_text(*size),
        limit / 1024
    )]
    OutputTooLarge {
        /// Its size in bytes.
        size: u64,
        /// The exercise's output limit, in bytes.
        limit: u64,
    },
    /// A text file is not UTF-8.
    #[error("not UTF-8 text ({error})")]
    NotUtf8Text {
        /// Where the first invalid byte is.
        error: Utf8Error,
    },

    // The layout of the exercise and of the catalog.
    /// An exercise directory holds something the format does not name.
    #[error(
        "unexpected {}: an exercise holds {}, and the directories {}",
        if *directory { "directory" } else { "file" },
        EXERCISE_FILES.join(", "),
        EXERCISE_DIRS.map(|d| format!("{d}/")).join(", ")
    )]
    UnexpectedExerciseEntry {
        /// Whether the entry is a directory.
        directory: bool,
    },
    /// A catalog's root holds a file other than README.md and catalog.toml.
    #[error("unexpected file: a catalog holds exercise directories, README.md and catalog.toml")]
    UnexpectedCatalogFile,

    // The manifest (and catalog.toml).
    /// The exercise has no `exercise.toml`.
    #[error("missing: every exercise has a manifest")]
    MissingManifest,
    /// A TOML file does not parse, or does not fit its schema.
    #[error("{message}")]
    Toml {
        /// The parser's message.
        message: String,
    },
    /// The manifest's id is not the directory's name.
    #[error("the id `{id}` does not match the directory name `{dir}`")]
    IdMismatch {
        /// The manifest's id.
        id: String,
        /// The directory's name.
        dir: String,
    },
    /// A function exercise does not say which function to call.
    #[error("a function exercise needs a [function] table naming the function")]
    MissingFunctionTable,
    /// A stdio exercise has a `[function]` table.
    #[error("a stdio exercise has no [function] table")]
    FunctionTableInStdio,
    /// A limit is outside its allowed range.
    #[error("[limits]: {error}")]
    Limit {
        /// The limit, its value and its range (boxed: it is the largest
        /// problem by far, and every `LoadError` would pay for it).
        error: Box<LimitError>,
    },
    /// A test-writing exercise is not usable.
    #[error("{reason}")]
    Suite {
        /// What is wrong.
        reason: String,
    },
    /// `[complexity]` is not usable.
    #[error("[complexity]: {reason}")]
    Complexity {
        /// Why.
        reason: String,
    },
    /// The exercise's comparison does not fit its kind.
    #[error(transparent)]
    Comparison(#[from] ComparisonMismatch),
    /// A test's comparison does not fit the exercise's kind.
    #[error("[tests.{test}]: {mismatch}")]
    TestComparison {
        /// The test.
        test: String,
        /// How it does not fit.
        mismatch: ComparisonMismatch,
    },
    /// `[tests.NAME]` sets something for a test the exercise does not have.
    #[error("[tests.{test}] names no test of this exercise")]
    SettingsOfNoTest {
        /// The name in the manifest.
        test: String,
    },
    /// A group with rules has no tests.
    #[error("[groups.{group}] has no tests (give tests `group = \"{group}\"`)")]
    GroupWithoutTests {
        /// The group.
        group: String,
    },
    /// A group depends on a group that has no rules.
    #[error("[groups.{group}] depends on `{dependency}`, which is not a [groups.…] table")]
    UnknownDependency {
        /// The group.
        group: String,
        /// What it depends on.
        dependency: String,
    },
    /// Groups depend on each other in a cycle.
    #[error("groups depend on each other in a cycle: {}", cycle.join(" -> "))]
    GroupCycle {
        /// The groups on the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },

    // The exercise's programs and texts.
    /// The statement or the starter is missing.
    #[error("missing: every exercise has one")]
    MissingRequiredFile,
    /// There is no reference solution, and no fixed fuel budget either.
    #[error(
        "missing: the reference solution is required (fuel limits are relative to it) unless [limits] sets `fuel`"
    )]
    MissingReference,
    /// `[[generated]]` tests without `generator.py`.
    #[error("missing: exercise.toml declares [[generated]] tests or [complexity]")]
    MissingGenerator,
    /// `generator.py` without `[[generated]]` tests.
    #[error("a generator, but exercise.toml declares no [[generated]] tests and no [complexity]")]
    UnusedGenerator,
    /// `[[generated]]` tests without a reference to compute their expected output.
    #[error("missing: generated tests take their expected output from the reference solution")]
    GeneratedWithoutReference,
    /// A function exercise has an interactor.
    #[error("an interactor talks over stdin and stdout: only stdio exercises have one")]
    InteractorNotStdio,
    /// An exercise has both an interactor and a checker.
    #[error("the interactor decides: an interactive exercise has no checker")]
    CheckerWithInteractor,
    /// `[comparison]` is set, but a checker or an interactor decides.
    #[error("[comparison] has no effect: the checker or the interactor decides")]
    ComparisonWithoutEffect,
    /// Two programs for one role (`checker.py` and `checker.cpp`, or
    /// `checker.c` and `checker.cpp`).
    #[error("one program decides: this one and {0} cannot both be there")]
    TwoPrograms(String),
    /// `[native]` without a checker or interactor in C or C++.
    #[error(
        "[native] describes a checker or interactor in C or C++ (checker.c, checker.cpp, interactor.c, interactor.cpp), and there is none"
    )]
    NativeWithoutProgram,
    /// A header without a program in C or C++ to include it.
    #[error("a header, but no checker or interactor in C or C++ includes it")]
    HeaderWithoutProgram,
    /// An interactor under a convention that has none.
    #[error("the {0} convention has no interactors (use testlib, kattis or coci)")]
    NoInteractorConvention(&'static str),
    /// An `#include` that could read a file outside the exercise.
    #[error(
        "line {line}: `#include {include}` could read a file outside the exercise: include only the headers beside it and the system's (<vector>)"
    )]
    IncludeOutside {
        /// The line.
        line: u32,
        /// What it includes.
        include: String,
    },

    // Tests.
    /// The exercise has no `tests/` directory.
    #[error("missing: the exercise has no tests (add tests/public/ and tests/hidden/)")]
    MissingTestsDir,
    /// `tests/` holds no test, and nor does the manifest.
    #[error("the exercise has no tests (add tests/public/ and tests/hidden/)")]
    NoTests,
    /// `tests/` holds something other than `public/` and `hidden/`.
    #[error("unexpected entry: tests/ holds the directories public/ and hidden/")]
    UnexpectedTestsEntry,
    /// A test directory holds something that is not part of a test.
    #[error(
        "unexpected entry: {}",
        match kind {
            Kind::Stdio => "stdio tests are NAME.in and NAME.out, with an optional NAME.files/ directory",
            Kind::Function => "function tests are NAME.json files with `args` and `expected`",
            Kind::Tests => "a test-writing exercise's tests are its chaffs",
        }
    )]
    UnexpectedTestEntry {
        /// The exercise's kind, which decides what a test is made of.
        kind: Kind,
    },
    /// A stored test's file name is not a valid test name.
    #[error("invalid test name ({})", NAME_RULE)]
    InvalidTestName,
    /// A generated test's name is not a valid test name.
    #[error("invalid test name `{name}` ({})", NAME_RULE)]
    InvalidGeneratedName {
        /// The name.
        name: String,
    },
    /// Two tests have the same name.
    #[error("two tests are named `{name}`")]
    DuplicateTest {
        /// The name.
        name: String,
    },
    /// A stdio test has no `NAME.out`.
    #[error("missing: test `{test}` has no expected output")]
    MissingExpectedOutput {
        /// The test.
        test: String,
    },
    /// An interactive test has a `NAME.out`.
    #[error(
        "an interactive test has no expected output: the interactor decides (its input is NAME.in)"
    )]
    InteractiveExpectedOutput,
    /// A function test's file does not parse, or does not fit its schema.
    #[error("{message}")]
    Json {
        /// The parser's message.
        message: String,
    },
    /// A function test passes another number of arguments than declared.
    #[error("`args` has {given} values, but [function] declares {declared} params")]
    ArgsCount {
        /// The arguments in the test.
        given: usize,
        /// The parameters in `[function]`.
        declared: usize,
    },
    /// A function test's `args` is not a list.
    #[error("`args` must be a JSON list")]
    ArgsNotList,
    /// A test's `NAME.files/` holds a directory.
    #[error("only plain files may be given to a run")]
    DirectoryInFiles,

    // Known-bad solutions.
    /// `submissions/` holds something other than a verdict's directory.
    #[error(
        "`{name}` is not a verdict; known-bad solutions go in submissions/<verdict>/ with one of: {}",
        Verdict::DIR_NAMES.join(", ")
    )]
    NotAVerdict {
        /// The entry's name.
        name: String,
    },
    /// A verdict's directory holds something other than a `.py` file.
    #[error("known-bad solutions are .py files")]
    KnownBadNotPython,

    /// The exercise did not load, yet no other problem was found (a defect
    /// of the loader, reported rather than hidden).
    #[error("the exercise could not be loaded")]
    NotLoaded,
}

/// A size as people read it: KiB below a MiB, MiB from there.
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_unit_that_fits() {
        let problem = LoadProblem::FileTooLarge {
            size: 100 << 20,
            max: 64 << 20,
        };
        assert_eq!(
            problem.to_string(),
            "100.0 MiB, larger than the 64.0 MiB a catalog file may be"
        );
    }

    /// The texts authors read (and tests of the binary match) for the
    /// problems the table of malformed exercises does not reach.
    #[test]
    fn every_problem_reads_as_it_always_has() {
        let s = |text: &str| text.to_owned();
        let cases = [
            (LoadProblem::NameNotUtf8, s("the name is not UTF-8")),
            (
                LoadProblem::SymbolicLink { target: None },
                s(
                    "a symbolic link: links are not allowed in a catalog, which must hold its own files",
                ),
            ),
            (
                LoadProblem::LinkWhenOpened,
                s("a symbolic link: links are not allowed in a catalog"),
            ),
            (
                LoadProblem::NotPlainFile,
                s("not a plain file (a FIFO, socket, device or directory)"),
            ),
            (
                LoadProblem::UnexpectedExerciseEntry { directory: true },
                s(
                    "unexpected directory: an exercise holds exercise.toml, statement.md, starter.py, solution.py, implementation.py, generator.py, checker.py, interactor.py, and the directories tests/, submissions/, chaffs/",
                ),
            ),
            (
                LoadProblem::MissingManifest,
                s("missing: every exercise has a manifest"),
            ),
            (
                LoadProblem::MissingFunctionTable,
                s("a function exercise needs a [function] table naming the function"),
            ),
            (
                LoadProblem::FunctionTableInStdio,
                s("a stdio exercise has no [function] table"),
            ),
            (
                ComparisonMismatch::JsonForStdio.into(),
                s("mode `json` is for function exercises"),
            ),
            (
                LoadProblem::TestComparison {
                    test: s("01"),
                    mismatch: ComparisonMismatch::TextForFunction,
                },
                s("[tests.01]: function exercises compare with mode `json`"),
            ),
            (
                LoadProblem::GeneratedWithoutReference,
                s(
                    "missing: generated tests take their expected output from the reference solution",
                ),
            ),
            (
                LoadProblem::InteractorNotStdio,
                s("an interactor talks over stdin and stdout: only stdio exercises have one"),
            ),
            (
                LoadProblem::CheckerWithInteractor,
                s("the interactor decides: an interactive exercise has no checker"),
            ),
            (
                LoadProblem::MissingTestsDir,
                s("missing: the exercise has no tests (add tests/public/ and tests/hidden/)"),
            ),
            (
                LoadProblem::NoTests,
                s("the exercise has no tests (add tests/public/ and tests/hidden/)"),
            ),
            (
                LoadProblem::UnexpectedTestEntry {
                    kind: Kind::Function,
                },
                s(
                    "unexpected entry: function tests are NAME.json files with `args` and `expected`",
                ),
            ),
            (
                LoadProblem::InvalidGeneratedName { name: s("a b") },
                s(
                    "invalid test name `a b` (a letter or digit first, then letters, digits, `-`, `_` or `.`)",
                ),
            ),
            (
                LoadProblem::DuplicateTest { name: s("01") },
                s("two tests are named `01`"),
            ),
            (
                LoadProblem::ArgsCount {
                    given: 1,
                    declared: 2,
                },
                s("`args` has 1 values, but [function] declares 2 params"),
            ),
            (LoadProblem::ArgsNotList, s("`args` must be a JSON list")),
            (
                LoadProblem::DirectoryInFiles,
                s("only plain files may be given to a run"),
            ),
            (
                LoadProblem::KnownBadNotPython,
                s("known-bad solutions are .py files"),
            ),
            (
                LoadProblem::NotLoaded,
                s("the exercise could not be loaded"),
            ),
        ];
        for (problem, text) in cases {
            assert_eq!(problem.to_string(), text, "{problem:?}");
        }
    }

    #[test]
    fn a_line_is_shown_only_when_known() {
        let at = |line| LoadError::Invalid {
            path: "exercise.toml".into(),
            line,
            problem: LoadProblem::MissingFunctionTable,
        };
        assert!(
            at(Some(4))
                .to_string()
                .starts_with("exercise.toml:4: a function")
        );
        assert!(
            at(None)
                .to_string()
                .starts_with("exercise.toml: a function")
        );
    }
}
