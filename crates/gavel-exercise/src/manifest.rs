//! `exercise.toml`, as written by hand. Every table denies unknown keys, so a
//! typo is an error with its line rather than a setting silently ignored.

use crate::compare::Comparison;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The manifest of one exercise.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Must equal the exercise's directory name.
    pub id: String,
    /// A human title.
    pub title: String,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// Free-form tags (`recursion`, `graphs`, …).
    #[serde(default)]
    pub tags: Vec<String>,
    /// stdio or function.
    pub kind: Kind,
    /// For function exercises: the function to call.
    pub function: Option<FunctionSpec>,
    /// Limits of every run.
    #[serde(default)]
    pub limits: LimitsSpec,
    /// How output is compared (default: tokens, or json for function exercises).
    pub comparison: Option<Comparison>,
    /// How the score is computed.
    #[serde(default)]
    pub scoring: Scoring,
    /// Per-test settings, by test name.
    #[serde(default)]
    pub tests: BTreeMap<String, TestSettings>,
    /// Tests whose input comes from `generator.py` and whose expected output
    /// comes from the reference solution.
    #[serde(default)]
    pub generated: Vec<GeneratedSpec>,
}

/// Exercise difficulty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// Warm-up.
    Easy,
    /// Needs the right idea.
    Medium,
    /// Needs the right idea and care.
    Hard,
}

/// How a submission is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The program reads stdin and writes stdout.
    Stdio,
    /// The candidate implements a function; tests call it with JSON arguments.
    Function,
}

/// The function of a function exercise.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// Its name.
    pub name: String,
    /// How each argument is converted from JSON (default: as is).
    #[serde(default)]
    pub params: Vec<ShapeName>,
    /// How the return value is converted to JSON (default: as is).
    #[serde(default)]
    pub returns: ShapeName,
}

/// A JSON conversion for function arguments and results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeName {
    /// As is.
    #[default]
    Json,
    /// A JSON list as a chain of `ListNode(val, next)`.
    LinkedList,
    /// A level-order JSON list with nulls as a `TreeNode(val, left, right)`.
    BinaryTree,
}

/// Limits as an author writes them. Fuel is relative to the reference
/// solution: each test's budget is `max(fuel_floor, fuel_margin × reference fuel
/// on that test)`, unless `fuel` fixes one budget for every test.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// Multiple of the reference solution's fuel allowed on each test.
    #[serde(default = "default_margin")]
    pub fuel_margin: f64,
    /// Lowest budget of any test, so tiny tests leave room for start-up noise
    /// such as an extra import.
    #[serde(default = "default_floor")]
    pub fuel_floor: u64,
    /// A fixed budget for every test instead of the margin (used by candidate
    /// packs, which carry no reference solution).
    pub fuel: Option<u64>,
    /// Wall-clock limit per test, in seconds.
    #[serde(default = "default_wall_time")]
    pub wall_time: f64,
    /// Memory limit in MiB.
    #[serde(default = "default_memory")]
    pub memory: u64,
    /// Output limit (stdout and stderr) in KiB.
    #[serde(default = "default_output")]
    pub output: u64,
}

fn default_margin() -> f64 {
    3.0
}
fn default_floor() -> u64 {
    100_000_000
}
fn default_wall_time() -> f64 {
    10.0
}
fn default_memory() -> u64 {
    256
}
fn default_output() -> u64 {
    1024
}

impl Default for LimitsSpec {
    fn default() -> Self {
        LimitsSpec {
            fuel_margin: default_margin(),
            fuel_floor: default_floor(),
            fuel: None,
            wall_time: default_wall_time(),
            memory: default_memory(),
            output: default_output(),
        }
    }
}

/// How points add up to a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// Each passed test earns its points.
    #[default]
    Sum,
    /// A group earns its tests' points only if all of them pass (subtasks);
    /// tests without a group count alone.
    Groups,
}

/// Per-test settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestSettings {
    /// Points (default 1).
    pub points: Option<u32>,
    /// Group (for `scoring = "groups"` and reports).
    pub group: Option<String>,
    /// Comparison for this test only.
    pub comparison: Option<Comparison>,
    /// A fixed fuel budget for this test.
    pub fuel: Option<u64>,
}

/// A generated test.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedSpec {
    /// The test's name.
    pub name: String,
    /// Given to the generator on stdin (e.g. a size and a seed).
    pub args: String,
    /// Whether candidates see it (default: hidden).
    #[serde(default)]
    pub public: bool,
    /// Points (default 1).
    pub points: Option<u32>,
    /// Group.
    pub group: Option<String>,
    /// sha256 of the generated input and expected output; `gavel check`
    /// regenerates the test and reports drift when it differs.
    pub sha256: Option<String>,
}
