//! What judging produces: per-test and per-submission results, already under
//! the confidentiality rules (see [`crate::disclose`]). These types are the
//! JSON of `gavel test/submit --json` and of every stored result (docs/json.md).

use gavel_exercise::diff::DiffLine;
use gavel_exercise::{Disclosure, Verdict, Visibility, WrongReason};
use gavel_sandbox::{Message, PyError, TimeLimit};
use serde::{Deserialize, Serialize};

/// Points: whole for most tests, a fraction where a checker or a line-based
/// comparison gives partial credit. Written as integers when whole.
pub mod points {
    use serde::Serializer;

    /// Rounds to a millionth, so sums of fractions print cleanly.
    pub fn round(points: f64) -> f64 {
        (points * 1e6).round() / 1e6
    }

    /// Serialises whole points as integers (`13`, not `13.0`).
    pub fn serialize<S: Serializer>(points: &f64, s: S) -> Result<S::Ok, S::Error> {
        let rounded = round(*points);
        if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
            s.serialize_i64(rounded as i64)
        } else {
            s.serialize_f64(rounded)
        }
    }

    /// For people: `13`, `2.5`.
    pub fn show(points: f64) -> String {
        let rounded = round(points);
        if rounded.fract() == 0.0 {
            format!("{rounded:.0}")
        } else {
            format!("{rounded}")
        }
    }
}

/// The result of one test. For a hidden test only `name`, `visibility`,
/// `group`, `verdict` and the points are present (unless the exercise or the
/// caller reveals hidden tests in full); everything else is left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Public or hidden.
    pub visibility: Visibility,
    /// Its group, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// For WA: what kind of difference.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<WrongReason>,
    /// For TLE: the limit that fired.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit: Option<TimeLimit>,
    /// Where the answer went wrong (testlib style), or what failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
    /// For RE: the exception.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<PyError>,
    /// For a failed function test: the call in Python syntax
    /// (`two_sum([2, 7, 11, 15], 9)`), clipped.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub call: Option<String>,
    /// For a failed stdio test: its stdin, clipped.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub input: Option<String>,
    /// For a wrong answer: what was expected (a Python repr for a function,
    /// the text for stdio), clipped.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    /// For a wrong answer of a function: what it returned, as a Python repr,
    /// clipped.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub returned: Option<String>,
    /// For a failure with a common cause: one line saying what it likely is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hint: Option<String>,
    /// Expected vs actual, when the answer is wrong.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub diff: Vec<DiffLine>,
    /// The program's stdout (clipped).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stdout: Option<String>,
    /// The program's stderr (clipped).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stderr: Option<String>,
    /// For an interactive test: what the program and the interactor sent
    /// each other, in order (clipped).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub transcript: Vec<Message>,
    /// Points earned.
    #[serde(serialize_with = "points::serialize")]
    pub points: f64,
    /// Points possible.
    pub max_points: u32,
    /// Fuel used.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fuel: Option<u64>,
    /// The fuel budget of the test.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fuel_limit: Option<u64>,
    /// Wall-clock time of the run in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub wall_ms: Option<f64>,
    /// Peak linear memory in bytes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub peak_memory_bytes: Option<u64>,
}

impl TestResult {
    /// A result with only a name, a verdict and points: a test that did not
    /// run, or one whose details may not be shown.
    pub fn bare(
        name: String,
        visibility: Visibility,
        group: Option<String>,
        verdict: Verdict,
        points: f64,
        max_points: u32,
    ) -> TestResult {
        TestResult {
            name,
            visibility,
            group,
            verdict,
            reason: None,
            limit: None,
            message: None,
            error: None,
            call: None,
            input: None,
            expected: None,
            returned: None,
            hint: None,
            diff: Vec::new(),
            stdout: None,
            stderr: None,
            transcript: Vec::new(),
            points,
            max_points,
            fuel: None,
            fuel_limit: None,
            wall_ms: None,
            peak_memory_bytes: None,
        }
    }

    /// Whether the test passed.
    pub fn accepted(&self) -> bool {
        self.verdict == Verdict::Accepted
    }

    /// Whether the result carries details of the run (false for a hidden test
    /// under the default rules).
    pub fn has_details(&self) -> bool {
        self.fuel.is_some()
    }
}

/// What a submission's result says about its hidden tests together, when they
/// are not shown in full: the points they earned, and the resources they used
/// as the largest share of a budget, rounded up to a tenth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenSummary {
    /// How many hidden tests there are.
    pub tests: usize,
    /// How many of them were accepted (absent under `score`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub accepted: Option<usize>,
    /// Points they earned.
    #[serde(serialize_with = "points::serialize")]
    pub points: f64,
    /// Points they can earn.
    pub max_points: u32,
    /// The most any hidden test used of its fuel budget, in percent, rounded
    /// up to a multiple of 10.
    pub fuel_percent: u8,
    /// The most any hidden test used of its memory limit, in percent, rounded
    /// up to a multiple of 10.
    pub memory_percent: u8,
}

/// A group of tests with rules (`[groups.NAME]`): how it did together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    /// The group's name.
    pub name: String,
    /// The most severe verdict of its tests.
    pub verdict: Verdict,
    /// Points earned: the group's points when all its tests pass, else 0
    /// (or its tests' own points, when it declares none).
    #[serde(serialize_with = "points::serialize")]
    pub points: f64,
    /// Points possible.
    pub max_points: u32,
    /// Why its tests were skipped, when they were.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skipped: Option<String>,
}

/// The result of judging one submission against one exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionResult {
    /// The exercise's id.
    pub exercise: String,
    /// The submission's verdict: the most severe of its tests'.
    pub verdict: Verdict,
    /// Points earned.
    #[serde(serialize_with = "points::serialize")]
    pub points: f64,
    /// Points possible.
    pub max_points: u32,
    /// `points / max_points`, from 0 to 1.
    pub score: f64,
    /// For CE: the compile error, reported once before any test.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub compile_error: Option<PyError>,
    /// Per test, in the exercise's order (hidden tests left out under `score`).
    pub tests: Vec<TestResult>,
    /// Per group with rules, when the exercise has some (groups of hidden
    /// tests left out under `score`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub groups: Vec<GroupResult>,
    /// The hidden tests together, unless they are shown in full.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hidden: Option<HiddenSummary>,
    /// What this result says about hidden tests: `full` marks a result that
    /// must not be shared with candidates.
    pub disclosure: Disclosure,
    /// sha256 of the submitted source: with the image's, replays the result.
    pub source_sha256: String,
    /// sha256 of the runner image that ran it.
    pub image_sha256: String,
    /// sha256 of the exercise's checker or interactor in C or C++ compiled
    /// to WebAssembly, when it has one: with the image's, what judged it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub native_sha256: Option<String>,
    /// The complexity class measured in fuel, for an exercise with
    /// `[complexity]` (on its own generated inputs, never a test's).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub complexity: Option<Efficiency>,
}

/// A submission's complexity, measured in fuel on inputs of growing size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Efficiency {
    /// The class the exercise expects.
    pub expected: gavel_exercise::complexity::Class,
    /// The class the curve follows, when the sizes decide it.
    pub detected: Option<gavel_exercise::complexity::Class>,
    /// What that means.
    pub status: EfficiencyStatus,
    /// When inconclusive: the classes that fit about equally well.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub ties: Vec<gavel_exercise::complexity::Class>,
    /// How well the detected class (else the best) fits: the RMS of its
    /// relative errors.
    pub fit_error: Option<f64>,
    /// The fuel per size, the submission's beside the reference's.
    pub sizes: Vec<SizeFuel>,
    /// The size at which a run hit its limit, if one did.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_at: Option<u64>,
    /// The submission's fuel over the reference's at the largest size both
    /// finished.
    pub ratio: Option<f64>,
    /// One line for people.
    pub summary: String,
    /// The performance score, where the exercise declares one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub performance: Option<Performance>,
}

/// Performance points (`[complexity] points`), apart from the tests': all
/// of them for an accepted submission whose class is the expected one or
/// better (or inconclusive among such classes only), none otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    /// Earned.
    pub points: u32,
    /// Possible.
    pub max_points: u32,
}

/// What a complexity measurement concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EfficiencyStatus {
    /// The expected class.
    AsExpected,
    /// A cheaper class than expected.
    Better,
    /// A costlier class than expected.
    Worse,
    /// Runs hit their limit at large sizes; the smaller ones show at least
    /// the detected class.
    AtLeast,
    /// The sizes cannot decide (classes fit alike, or too few sizes finished).
    Inconclusive,
    /// A run did not end well (an error, not a limit): nothing measured.
    NotMeasured,
}

/// The fuel at one size (the largest over the seeds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeFuel {
    /// The size.
    pub n: u64,
    /// The submission's fuel; `None` when it hit its limit here or at a
    /// smaller size (larger sizes are not run).
    pub fuel: Option<u64>,
    /// The reference's.
    pub reference_fuel: u64,
}

impl Efficiency {
    /// A short label for a table cell: `O(n²) (worse)`, `at least O(n²)`,
    /// `inconclusive`, `not measured`; then `, performance 2/2` where the
    /// exercise declares performance points.
    pub fn label(&self) -> String {
        let class = self.class_label();
        match self.performance {
            Some(p) => format!("{class}, performance {}/{}", p.points, p.max_points),
            None => class,
        }
    }

    fn class_label(&self) -> String {
        match (self.status, self.detected) {
            (EfficiencyStatus::AtLeast, Some(class)) => format!("at least {class}"),
            (EfficiencyStatus::AsExpected, Some(class)) => format!("{class} (as expected)"),
            (EfficiencyStatus::Better, Some(class)) => format!("{class} (better)"),
            (EfficiencyStatus::Worse, Some(class)) => format!("{class} (worse)"),
            (EfficiencyStatus::NotMeasured, _) => "not measured".to_owned(),
            _ => "inconclusive".to_owned(),
        }
    }
}

impl SubmissionResult {
    /// Whether every test was accepted.
    pub fn accepted(&self) -> bool {
        self.verdict == Verdict::Accepted
    }

    /// Whether the judge itself failed somewhere: nothing can be concluded.
    pub fn internal_error(&self) -> bool {
        self.verdict == Verdict::InternalError
    }
}
