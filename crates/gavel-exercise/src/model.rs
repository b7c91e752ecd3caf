//! An exercise as loaded: its settings, statement, solutions and tests, with
//! every test's data read once and shared from then on.

use crate::compare::Comparison;
use crate::manifest::{
    Difficulty, Disclosure, FunctionSpec, GroupSpec, Kind, LimitsSpec, Manifest, Scoring, SuiteSpec,
};
use crate::verdict::Verdict;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Whether candidates may see a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Shown to candidates and used by `gavel test`.
    Public,
    /// Never shown: not its input, not its expected output.
    Hidden,
}

/// Files a stdio test gives the program, by name; shared by every run of it.
pub type Files = Arc<[(String, Bytes)]>;

/// What a test feeds a submission and what it expects back, in the form every
/// later step uses: read (or generated) once, then shared without copies.
#[derive(Debug, Clone, PartialEq)]
pub enum TestData {
    /// A stdio test.
    Stdio {
        /// The program's stdin.
        stdin: Bytes,
        /// Files the program may read from its working directory.
        files: Files,
        /// The expected stdout.
        expected: Arc<str>,
    },
    /// A function-call test.
    Function {
        /// The arguments: the text of a JSON list, with dict keys in the
        /// order written and numbers with every digit written.
        args: Arc<str>,
        /// The expected return value.
        expected: Arc<Value>,
    },
}

impl TestData {
    /// The input as one text, for people (a function's arguments or stdin).
    pub fn input_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            TestData::Stdio { stdin, .. } => String::from_utf8_lossy(stdin),
            TestData::Function { args, .. } => std::borrow::Cow::Borrowed(args),
        }
    }
}

/// Where a test's data comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TestSource {
    /// Files of the exercise.
    Stored(TestData),
    /// The generator's output for `args`, with the reference solution's answer
    /// as the expected output (made when the exercise is prepared).
    Generated {
        /// Given to the generator on stdin.
        args: String,
        /// The recorded digest of the generated test, for drift checks.
        sha256: Option<String>,
    },
}

/// One test of an exercise.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// Unique within the exercise.
    pub name: String,
    /// Public or hidden.
    pub visibility: Visibility,
    /// Points earned by passing it.
    pub points: u32,
    /// Its group, if any.
    pub group: Option<String>,
    /// How its output is compared.
    pub comparison: Comparison,
    /// A fixed fuel budget, overriding the exercise's rule.
    pub fuel: Option<u64>,
    /// Its data.
    pub source: TestSource,
}

/// A solution that must get a given verdict (`submissions/<verdict>/*.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBad {
    /// The file, relative to the exercise directory.
    pub file: String,
    /// Its source.
    pub source: Bytes,
    /// The verdict it must get.
    pub expected: Verdict,
}

/// An exercise, loaded and validated.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// Its id (the directory name).
    pub id: String,
    /// Its directory.
    pub dir: PathBuf,
    /// Its title.
    pub title: String,
    /// Its difficulty.
    pub difficulty: Difficulty,
    /// Its tags.
    pub tags: Vec<String>,
    /// stdio or function.
    pub kind: Kind,
    /// The function, for function exercises.
    pub function: Option<FunctionSpec>,
    /// The limits as written.
    pub limits: LimitsSpec,
    /// How scores add up.
    pub scoring: Scoring,
    /// What results say about its hidden tests.
    pub disclosure: Disclosure,
    /// The statement (Markdown).
    pub statement: String,
    /// The starter code.
    pub starter: String,
    /// The reference solution's source; absent only in candidate packs,
    /// which must then fix the fuel budget.
    pub reference: Option<Bytes>,
    /// The test generator's source, if the exercise has generated tests.
    pub generator: Option<Bytes>,
    /// The checker (`checker.py`), which decides instead of a comparison.
    pub checker: Option<Bytes>,
    /// The interactor (`interactor.py`), which talks to the program and
    /// decides (stdio exercises).
    pub interactor: Option<Bytes>,
    /// A checker or interactor in C or C++ (`checker.cpp`, …), which stands
    /// instead of `checker.py` or `interactor.py`.
    pub native: Option<crate::native::NativeProgram>,
    /// Rules of test groups, by name.
    pub groups: BTreeMap<String, GroupSpec>,
    /// Tests: public first, then hidden, each by name; generated ones last.
    pub tests: Vec<Test>,
    /// Known-bad solutions, by file name.
    pub known_bad: Vec<KnownBad>,
    /// A test-writing exercise's implementations (`kind = "tests"`).
    pub suite: Option<Suite>,
    /// The manifest as written.
    pub manifest: Manifest,
    /// sha256 over every file of the exercise that was read (names and
    /// contents) and the catalog's defaults: equal fingerprints, equal exercise.
    pub fingerprint: String,
}

impl Exercise {
    /// The tests a candidate may see.
    pub fn public_tests(&self) -> impl Iterator<Item = &Test> {
        self.tests
            .iter()
            .filter(|t| t.visibility == Visibility::Public)
    }

    /// How many tests have `visibility`.
    pub fn count(&self, visibility: Visibility) -> usize {
        self.tests
            .iter()
            .filter(|t| t.visibility == visibility)
            .count()
    }

    /// Total points of all tests.
    pub fn max_points(&self) -> u32 {
        let mutants = self
            .suite
            .as_ref()
            .filter(|s| s.spec.mutants)
            .map_or(0, |s| s.spec.mutant_points);
        self.tests.iter().map(|t| t.points).sum::<u32>() + mutants
    }
}

/// A test-writing exercise's implementations (see [`crate::suite`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// `[suite]`.
    pub spec: SuiteSpec,
    /// The correct implementation (`implementation.py`).
    pub implementation: Bytes,
    /// The author's buggy implementations, public ones first, each by name.
    pub chaffs: Vec<Chaff>,
}

/// A buggy implementation written by the author (`chaffs/<visibility>/NAME.py`).
#[derive(Debug, Clone, PartialEq)]
pub struct Chaff {
    /// The file's stem.
    pub name: String,
    /// Whether candidates learn of it.
    pub visibility: Visibility,
    /// The bug in one line (the file's first line, a `#` comment).
    pub description: String,
    /// The source, without that line.
    pub source: Bytes,
}
