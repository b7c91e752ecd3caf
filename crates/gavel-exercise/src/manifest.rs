//! `exercise.toml` and `catalog.toml`, as written by hand. Every table denies
//! unknown keys, so a typo is an error with its line rather than a setting
//! silently ignored.

use crate::compare::Comparison;
use gavel_core::Shape;
use gavel_core::limits::{self, LimitError, Limits};
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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
    /// What results say about hidden tests (default: the catalog's, else
    /// `verdicts`); see docs/confidentiality.md.
    pub reveal_hidden: Option<Disclosure>,
    /// Per-test settings, by test name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tests: BTreeMap<String, TestSettings>,
    /// Rules of test groups, by group name (a test joins a group with
    /// `[tests.NAME] group = "…"` or `group` in `[[generated]]`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, GroupSpec>,
    /// Tests whose input comes from `generator.py` and whose expected output
    /// comes from the reference solution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generated: Vec<GeneratedSpec>,
    /// How a submission's complexity class is measured (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity: Option<ComplexitySpec>,
    /// A test-writing exercise's settings (`kind = "tests"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite: Option<SuiteSpec>,
    /// How a checker or interactor in C or C++ is started and decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<crate::native::NativeSpec>,
    /// The runner image its programs run on (`scientific` for numpy,
    /// pandas and scipy).
    #[serde(default, skip_serializing_if = "Image::is_default")]
    pub image: Image,
}

/// `[suite]`: how a candidate's tests are judged (see exercises/README.md).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteSpec {
    /// The name the implementation under test is imported as (`palindrome`).
    pub module: String,
    /// Whether gavel also generates mutants of the implementation.
    #[serde(default = "yes")]
    pub mutants: bool,
    /// Points for catching a chaff (an author's buggy implementation).
    #[serde(default = "two")]
    pub chaff_points: u32,
    /// Points for the generated mutants together, earned in proportion to
    /// those caught.
    #[serde(default = "four")]
    pub mutant_points: u32,
}

fn yes() -> bool {
    true
}

fn two() -> u32 {
    2
}

fn four() -> u32 {
    4
}

/// `[complexity]`: the class a solution should have, and how inputs of size
/// n are made to measure it (see exercises/README.md).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ComplexitySpec {
    /// The expected class (`n log n`).
    pub expected: crate::complexity::Class,
    /// The sizes to measure, ascending, spanning at least a factor of 16.
    pub sizes: Vec<u64>,
    /// The generator's arguments for size `{n}` (and seed `{seed}`).
    pub args: String,
    /// Seeds per size (default `[1]`); the fuel of a size is the largest
    /// over its seeds (the worst case the seeds found).
    #[serde(default = "default_seeds")]
    pub seeds: Vec<u64>,
    /// Performance points, apart from the tests' (default 0: none): earned
    /// by an accepted submission whose class is the expected one or better.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub points: u32,
}

fn is_zero(points: &u32) -> bool {
    *points == 0
}

/// A generator's arguments template (`"{n} {seed}"`) filled in for size
/// `n` and `seed`.
pub fn generator_args(template: &str, n: u64, seed: u64) -> String {
    template
        .replace("{n}", &n.to_string())
        .replace("{seed}", &seed.to_string())
}

fn default_seeds() -> Vec<u64> {
    vec![1]
}

impl ComplexitySpec {
    /// The smallest factor the sizes must span.
    pub const MIN_SPAN: u64 = 16;
    /// The fewest sizes.
    pub const MIN_SIZES: usize = 4;

    /// The generator's arguments for size `n` and `seed`.
    pub fn args_for(&self, n: u64, seed: u64) -> String {
        generator_args(&self.args, n, seed)
    }

    /// What is wrong with it, if anything (the generator's arguments of the
    /// exercise's generated tests, which a measurement must not reproduce).
    pub fn problems(&self, generated_args: &[&str]) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.args.contains("{n}") {
            problems.push("`args` must contain `{n}`, the size".to_owned());
        }
        if self.seeds.is_empty() {
            problems.push("`seeds` must not be empty".to_owned());
        }
        if self.seeds.len() > 1 && !self.args.contains("{seed}") {
            problems.push("several `seeds` need `{seed}` in `args`".to_owned());
        }
        if self.sizes.len() < Self::MIN_SIZES {
            problems.push(format!("`sizes` needs at least {} sizes", Self::MIN_SIZES));
        }
        if self.sizes.windows(2).any(|w| w[0] >= w[1]) || self.sizes.first() == Some(&0) {
            problems.push("`sizes` must be positive and ascending".to_owned());
        }
        if let (Some(&first), Some(&last)) = (self.sizes.first(), self.sizes.last())
            && first > 0
            && last / first < Self::MIN_SPAN
        {
            problems.push(format!(
                "`sizes` must span at least a factor of {} (here {first} to {last})",
                Self::MIN_SPAN
            ));
        }
        for &n in &self.sizes {
            for &seed in &self.seeds {
                let args = self.args_for(n, seed);
                if generated_args.iter().any(|g| g.trim() == args.trim()) {
                    problems.push(format!(
                        "size {n}, seed {seed} gives `{args}`, the arguments of a generated test: \
                         a measurement must not run a test's input"
                    ));
                }
            }
        }
        problems
    }
}

/// `catalog.toml`, optional at the root of a catalog: defaults for every
/// exercise in it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogManifest {
    /// What results say about hidden tests, unless an exercise says otherwise.
    pub reveal_hidden: Option<Disclosure>,
}

/// What a result says about a hidden test (see docs/confidentiality.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Each hidden test's name and verdict, and the submission's resources
    /// coarsely (the default).
    #[default]
    Verdicts,
    /// Only the points the hidden tests earned together.
    Score,
    /// Everything, as for public tests: for a team's own reviewers, never for
    /// candidates.
    Full,
}

impl Disclosure {
    /// The name used in manifests, flags and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Disclosure::Verdicts => "verdicts",
            Disclosure::Score => "score",
            Disclosure::Full => "full",
        }
    }
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

impl Difficulty {
    /// The name used in manifests and listings.
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

/// The runner image an exercise's programs run on (`image = "…"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Image {
    /// CPython 3.14 and its standard library (the default).
    #[default]
    #[serde(rename = "python-3.14", alias = "default")]
    Default,
    /// CPython 3.15 with numpy, pandas and scipy.
    #[serde(rename = "scientific")]
    Scientific,
}

impl Image {
    /// The name used in manifests, listings and `--image`.
    pub fn name(self) -> &'static str {
        match self {
            Image::Default => "python-3.14",
            Image::Scientific => "scientific",
        }
    }

    /// Whether it is the default image (left out of manifests written back).
    pub fn is_default(&self) -> bool {
        *self == Image::Default
    }
}

/// How a submission is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The program reads stdin and writes stdout.
    Stdio,
    /// The candidate implements a function; tests call it with JSON arguments.
    Function,
    /// The candidate writes tests: they must pass on a correct
    /// implementation and catch buggy ones (`[suite]`).
    Tests,
}

impl Kind {
    /// The name used in manifests and listings.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Stdio => "stdio",
            Kind::Function => "function",
            Kind::Tests => "tests",
        }
    }
}

/// The function of a function exercise.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// Its name.
    pub name: String,
    /// How each argument is converted from JSON (default: as is).
    #[serde(default)]
    pub params: Vec<Shape>,
    /// How the return value is converted to JSON (default: as is).
    #[serde(default)]
    pub returns: Shape,
}

/// Limits as an author writes them. Fuel is relative to the reference
/// solution: each test's budget is `max(fuel_floor, fuel_margin × reference fuel
/// on that test)`, unless `fuel` fixes one budget for every test.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Limit on the time a run may spend waiting, in seconds.
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
    limits::DEFAULT_FUEL_MARGIN
}
fn default_floor() -> u64 {
    limits::DEFAULT_FUEL_FLOOR
}
fn default_wall_time() -> f64 {
    limits::DEFAULT_WALL_TIME_SECS
}
fn default_memory() -> u64 {
    limits::DEFAULT_MEMORY_MIB
}
fn default_output() -> u64 {
    limits::DEFAULT_OUTPUT_KIB
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

impl LimitsSpec {
    /// Every setting out of its allowed range, with the range.
    pub fn check(&self) -> Vec<LimitError> {
        let mut errors = Vec::new();
        let mut note = |result: Result<(), LimitError>| {
            if let Err(e) = result {
                errors.push(e);
            }
        };
        note(
            limits::check(
                "fuel_margin",
                self.fuel_margin,
                limits::FUEL_MARGIN_RANGE,
                "",
            )
            .map(drop),
        );
        note(limits::check("fuel_floor", self.fuel_floor, limits::FUEL_RANGE, "").map(drop));
        if let Some(fuel) = self.fuel {
            note(limits::check("fuel", fuel, limits::FUEL_RANGE, "").map(drop));
        }
        note(
            limits::check(
                "wall_time",
                self.wall_time,
                limits::WALL_TIME_RANGE,
                " seconds",
            )
            .map(drop),
        );
        note(limits::check("memory", self.memory, limits::MEMORY_RANGE, " MiB").map(drop));
        note(limits::check("output", self.output, limits::OUTPUT_RANGE, " KiB").map(drop));
        errors
    }

    /// The limits of a run with the fuel budget `fuel`, the other limits
    /// converted from the manifest's units.
    pub fn limits(&self, fuel: u64) -> Result<Limits, LimitError> {
        Limits::from_units(fuel, self.wall_time, self.memory, self.output)
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

/// What happens to a group's remaining tests after one fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// They run anyway.
    #[default]
    Continue,
    /// They are skipped (SK), as DMOJ's batches are: the group has failed.
    Skip,
}

/// The rules of one group of tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The group is worth this many points, all or nothing, instead of its
    /// tests' own points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// What happens after a failure in the group.
    #[serde(default)]
    pub on_failure: OnFailure,
    /// Groups that must pass (every test accepted) for this one to run; if
    /// one does not, this group's tests are skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

impl GroupSpec {
    /// Whether the group changes how its tests run or score.
    pub fn has_rules(&self) -> bool {
        self.points.is_some() || self.on_failure == OnFailure::Skip || !self.depends_on.is_empty()
    }
}

/// Per-test settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestSettings {
    /// Points (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// Group (for `scoring = "groups"` and reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Comparison for this test only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// A fixed fuel budget for this test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
}

/// A generated test.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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
