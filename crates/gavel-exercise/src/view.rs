//! What a candidate may read of an exercise, as typed shapes: the items of
//! `gavel list --json` and `gavel show --json` (docs/json.md), also served by
//! `gavel serve`. Built from public tests only.

use crate::manifest::{Difficulty, Image, Kind};
use crate::model::{Exercise, TestData, TestSource, Visibility};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One exercise in a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExerciseSummary {
    /// The id.
    pub id: String,
    /// The title.
    pub title: String,
    /// stdio or function.
    pub kind: Kind,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// Tags.
    pub tags: Vec<String>,
    /// How many public tests.
    pub public_tests: usize,
    /// How many hidden tests.
    pub hidden_tests: usize,
    /// The function to write, for function exercises.
    pub function: Option<String>,
    /// The program talks to a judge program (an interactor).
    #[serde(default)]
    pub interactive: bool,
    /// The runner image its programs run on.
    #[serde(default, skip_serializing_if = "Image::is_default")]
    pub image: Image,
}

/// An exercise as `show` presents it: the summary's fields, the statement,
/// the starter code and the public examples.
///
/// The summary's fields are repeated rather than flattened in: serde's
/// `flatten` buffers values, which with arbitrary-precision numbers breaks
/// reading the JSON back (a client of `gavel serve` does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExerciseDetails {
    /// The id.
    pub id: String,
    /// The title.
    pub title: String,
    /// stdio or function.
    pub kind: Kind,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// Tags.
    pub tags: Vec<String>,
    /// How many public tests.
    pub public_tests: usize,
    /// How many hidden tests.
    pub hidden_tests: usize,
    /// The function to write, for function exercises.
    pub function: Option<String>,
    /// The program talks to a judge program (an interactor).
    #[serde(default)]
    pub interactive: bool,
    /// The runner image its programs run on.
    #[serde(default, skip_serializing_if = "Image::is_default")]
    pub image: Image,
    /// The statement (Markdown).
    pub statement: String,
    /// The starter code.
    pub starter: String,
    /// The public tests whose data is stored (generated public tests need
    /// the reference solution to produce, so they are not examples; an
    /// interactive test's data is the interactor's, so it has none; a
    /// test-writing exercise's tests are implementations, not examples).
    pub examples: Vec<Example>,
    /// A test-writing exercise's public bugs to catch, described (never
    /// their code).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bugs: Vec<Bug>,
}

/// A public bug of a test-writing exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bug {
    /// Its test's name.
    pub name: String,
    /// The bug in one line.
    pub description: String,
}

/// One public example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// The test's name.
    pub name: String,
    /// stdio: the input (lossy UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// stdio: files the program may read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<ExampleFile>>,
    /// function: the argument list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
    /// The expected output (a string for stdio) or return value.
    pub expected: Value,
}

/// A file an example's program may read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExampleFile {
    /// Its name.
    pub name: String,
    /// Its content (lossy UTF-8).
    pub content: String,
}

impl ExerciseSummary {
    /// The listing item of `exercise`.
    pub fn of(exercise: &Exercise) -> ExerciseSummary {
        ExerciseSummary {
            id: exercise.id.clone(),
            title: exercise.title.clone(),
            kind: exercise.kind,
            difficulty: exercise.difficulty,
            tags: exercise.tags.clone(),
            public_tests: exercise.count(Visibility::Public),
            hidden_tests: exercise.count(Visibility::Hidden),
            function: exercise.function.as_ref().map(|f| f.name.clone()),
            interactive: exercise.interactor.is_some(),
            image: exercise.manifest.image,
        }
    }
}

impl ExerciseDetails {
    /// What a candidate may read of `exercise`: never a hidden test.
    pub fn of(exercise: &Exercise) -> ExerciseDetails {
        let summary = ExerciseSummary::of(exercise);
        let examples = exercise
            .public_tests()
            .filter(|_| exercise.interactor.is_none() && exercise.suite.is_none())
            .filter_map(|test| match &test.source {
                TestSource::Stored(data) => Some(Example::of(&test.name, data)),
                TestSource::Generated { .. } => None,
            })
            .collect();
        ExerciseDetails {
            id: summary.id,
            title: summary.title,
            kind: summary.kind,
            difficulty: summary.difficulty,
            tags: summary.tags,
            public_tests: summary.public_tests,
            hidden_tests: summary.hidden_tests,
            function: summary.function,
            interactive: summary.interactive,
            image: summary.image,
            statement: exercise.statement.clone(),
            starter: exercise.starter.clone(),
            examples,
            bugs: exercise.suite.as_ref().map_or_else(Vec::new, |suite| {
                suite
                    .chaffs
                    .iter()
                    .zip(suite.chaff_test_names())
                    .filter(|(chaff, _)| chaff.visibility == Visibility::Public)
                    .map(|(chaff, name)| Bug {
                        name,
                        description: chaff.description.clone(),
                    })
                    .collect()
            }),
        }
    }
}

impl Example {
    fn of(name: &str, data: &TestData) -> Example {
        match data {
            TestData::Stdio {
                stdin,
                files,
                expected,
            } => Example {
                name: name.to_owned(),
                input: Some(String::from_utf8_lossy(stdin).into_owned()),
                files: Some(
                    files
                        .iter()
                        .map(|(name, bytes)| ExampleFile {
                            name: name.clone(),
                            content: String::from_utf8_lossy(bytes).into_owned(),
                        })
                        .collect(),
                ),
                args: None,
                expected: Value::String(expected.to_string()),
            },
            TestData::Function { args, expected } => Example {
                name: name.to_owned(),
                input: None,
                files: None,
                args: Some(
                    serde_json::from_str(args).expect("arguments are JSON, checked at load"),
                ),
                expected: (**expected).clone(),
            },
        }
    }
}
