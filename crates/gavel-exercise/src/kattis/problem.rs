//! `problem.yaml`, the statement, and the default output validator's flags.

use super::{Findings, Version};
use crate::compare::{BlankLines, Comparison};
use crate::manifest::LimitsSpec;
use serde::Deserialize;
use serde_norway::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// `problem.yaml`, with every key the formats define; the rest is reported.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ProblemYaml {
    pub(super) problem_format_version: Option<String>,
    #[serde(rename = "type")]
    pub(super) kind: Option<Value>,
    pub(super) name: Option<Value>,
    pub(super) limits: Option<BTreeMap<String, Value>>,
    pub(super) validation: Option<String>,
    pub(super) validator_flags: Option<String>,
    pub(super) keywords: Option<Value>,
    pub(super) languages: Option<Value>,
    pub(super) constants: Option<Value>,
    #[serde(flatten)]
    pub(super) other: BTreeMap<String, Value>,
}

/// Keys that describe the problem (credits, licence) but do not change how
/// it is judged: kept at the end of the statement.
const METADATA: &[&str] = &[
    "author",
    "source",
    "source_url",
    "license",
    "rights_owner",
    "credits",
];

/// Keys gavel has no use for and that change nothing about judging.
const UNUSED: &[&str] = &[
    "uuid",
    "version",
    "embargo_until",
    "grading",
    "allow_file_writing",
];

/// What the problem is judged as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Validation {
    /// The default output validator, with flags.
    Default,
    /// A custom output validator.
    Custom,
    /// A custom validator that talks to the submission.
    Interactive,
}

/// The parts of `problem.yaml` gavel uses.
#[derive(Debug)]
pub(super) struct Problem {
    pub(super) version: Version,
    pub(super) title: String,
    pub(super) scoring: bool,
    pub(super) validation: Validation,
    pub(super) flags: Vec<String>,
    pub(super) limits: LimitsSpec,
    /// `limits.time_limit` in seconds, when the package gives one.
    pub(super) time_limit: Option<f64>,
    pub(super) tags: Vec<String>,
    /// `key: value` lines for the statement's end.
    pub(super) credits: Vec<String>,
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Sequence(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        Value::Mapping(map) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", text(k), text(v)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Null => String::new(),
        other => serde_norway::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

fn words(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
        Value::Sequence(items) => items.iter().map(text).collect(),
        _ => Vec::new(),
    }
}

/// Reads `problem.yaml` of `package`.
pub(super) fn read(package: &Path, found: &mut Findings) -> Option<Problem> {
    let path = package.join("problem.yaml");
    let yaml = match std::fs::read_to_string(&path) {
        Ok(yaml) => yaml,
        Err(e) => {
            found.block("problem.yaml", format!("cannot be read: {e}"));
            return None;
        }
    };
    let raw: ProblemYaml = match serde_norway::from_str::<Option<ProblemYaml>>(&yaml) {
        Ok(raw) => raw.unwrap_or_default(),
        Err(e) => {
            found.block("problem.yaml", format!("is not valid YAML: {e}"));
            return None;
        }
    };
    let version = match raw.problem_format_version.as_deref() {
        None | Some("legacy" | "legacy-icpc") => Version::Legacy,
        Some("2023-07-draft" | "2025-09" | "draft") => Version::Modern,
        Some(other) => {
            found.block(
                "problem.yaml",
                format!(
                    "problem_format_version `{other}` is not one gavel imports (legacy, 2023-07-draft, 2025-09)"
                ),
            );
            return None;
        }
    };
    let (scoring, interactive_type) = kinds(raw.kind.as_ref(), found);
    let has_validator = ["output_validator", "output_validators"]
        .iter()
        .any(|d| package.join(d).is_dir());
    let validation = validation(&raw, version, interactive_type, has_validator, found);
    if scoring && version == Version::Modern {
        found.block(
            "problem.yaml",
            "type `scoring` in the 2023-07/2025-09 formats: their score aggregation is not imported; \
             convert the groups by hand (exercises/README.md, Groups)",
        );
    }
    refuse_what_gavel_cannot_run(&raw, found);
    let credits = credits(&raw.other, found);
    let title = title(raw.name.as_ref(), package, found);
    let limits = limits(raw.limits.as_ref(), version, found);
    let time_limit = raw
        .limits
        .as_ref()
        .and_then(|l| l.get("time_limit"))
        .and_then(number)
        .filter(|s| *s > 0.0);
    let flags = raw
        .validator_flags
        .as_deref()
        .map(|f| f.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let tags = raw.keywords.as_ref().map(tags).unwrap_or_default();
    Some(Problem {
        version,
        title,
        scoring,
        validation,
        flags,
        limits,
        time_limit,
        tags,
        credits,
    })
}

/// Blocks a package whose submissions gavel could not run as Kattis does:
/// no Python among its languages, or constants to substitute.
fn refuse_what_gavel_cannot_run(raw: &ProblemYaml, found: &mut Findings) {
    if let Some(languages) = &raw.languages {
        let list = words(languages);
        if !list
            .iter()
            .any(|l| matches!(l.as_str(), "all" | "python3" | "python"))
        {
            found.block(
                "problem.yaml",
                format!(
                    "languages `{}` excludes Python, the only language gavel judges",
                    list.join(" ")
                ),
            );
        }
    }
    if raw.constants.is_some() {
        found.block(
            "problem.yaml",
            "`constants` are substituted into statements, validators and submissions by Kattis tools; \
             gavel does not substitute them (replace them in the package first)",
        );
    }
}

/// The credits among `problem.yaml`'s other keys, as `key: value` lines; a
/// note for each key that is not a credit.
fn credits(other: &BTreeMap<String, Value>, found: &mut Findings) -> Vec<String> {
    let mut credits = Vec::new();
    for (key, value) in other {
        if METADATA.contains(&key.as_str()) {
            credits.push(format!("{key}: {}", text(value)));
        } else if UNUSED.contains(&key.as_str()) {
            found.note("problem.yaml", format!("`{key}` is not used by gavel"));
        } else {
            found.note("problem.yaml", format!("unknown key `{key}` ignored"));
        }
    }
    credits
}

/// Keywords as tags: lowercase, with `-` for anything but ASCII letters and
/// digits.
fn tags(keywords: &Value) -> Vec<String> {
    words(keywords)
        .into_iter()
        .map(|k| {
            k.to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        })
        .filter(|k| !k.is_empty())
        .collect()
}

/// Whether the problem is scoring, and whether its type says interactive.
fn kinds(kind: Option<&Value>, found: &mut Findings) -> (bool, bool) {
    let list = kind.map(words).unwrap_or_default();
    let mut scoring = false;
    let mut interactive = false;
    for kind in &list {
        match kind.as_str() {
            "pass-fail" => {}
            "scoring" => scoring = true,
            "interactive" => interactive = true,
            "multi-pass" | "submit-answer" => found.block(
                "problem.yaml",
                format!("type `{kind}` has no gavel equivalent"),
            ),
            other => found.block("problem.yaml", format!("unknown type `{other}`")),
        }
    }
    (scoring, interactive)
}

fn validation(
    raw: &ProblemYaml,
    version: Version,
    interactive_type: bool,
    has_validator: bool,
    found: &mut Findings,
) -> Validation {
    let Some(validation) = raw.validation.as_deref() else {
        return if interactive_type {
            Validation::Interactive
        } else if version == Version::Modern && has_validator {
            // The 2023-07 and later formats have no `validation` key: a
            // package asks for custom validation by providing a validator,
            // and gets the default one otherwise.
            Validation::Custom
        } else {
            Validation::Default
        };
    };
    let words: Vec<&str> = validation.split_whitespace().collect();
    match words.as_slice() {
        ["default"] => Validation::Default,
        ["custom"] => Validation::Custom,
        ["custom", "interactive"]
        | ["custom", "interactive", "score"]
        | ["custom", "score", "interactive"]
            if !words.contains(&"score") =>
        {
            Validation::Interactive
        }
        _ if words.contains(&"score") => {
            found.block(
                "problem.yaml",
                format!(
                    "validation `{validation}`: a validator's score.txt is an absolute score, \
                     which gavel's points (a fraction of a test's points) cannot express"
                ),
            );
            Validation::Custom
        }
        _ => {
            found.block("problem.yaml", format!("unknown validation `{validation}`"));
            Validation::Default
        }
    }
}

fn title(name: Option<&Value>, package: &Path, found: &mut Findings) -> String {
    let fallback = || {
        package
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "problem".to_owned())
    };
    match name {
        Some(Value::String(name)) => name.clone(),
        Some(Value::Mapping(names)) => {
            let english = names
                .get(Value::String("en".to_owned()))
                .or_else(|| names.values().next());
            if names.len() > 1 {
                found.note(
                    "problem.yaml",
                    "the name in other languages than English is not kept",
                );
            }
            english.map(text).unwrap_or_else(fallback)
        }
        _ => {
            found.note(
                "problem.yaml",
                "no `name`: the title is the package's directory name",
            );
            fallback()
        }
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// gavel's limits from Kattis's. Time is fuel relative to the reference, so
/// the time multiplier (slowest accepted × multiplier = limit) becomes the
/// fuel margin.
fn limits(
    raw: Option<&BTreeMap<String, Value>>,
    version: Version,
    found: &mut Findings,
) -> LimitsSpec {
    let mut limits = LimitsSpec::default();
    let Some(raw) = raw else {
        return limits;
    };
    let clamp = |found: &mut Findings, key: &str, value: f64, low: f64, high: f64| -> f64 {
        let kept = value.clamp(low, high);
        if kept != value {
            found.note(
                "problem.yaml",
                format!("limits.{key} {value} is outside gavel's range ({low}–{high}): {kept}"),
            );
        }
        kept
    };
    for (key, value) in raw {
        let Some(n) = number(value).or_else(|| {
            (key == "time_multipliers")
                .then(|| value.get("ac_to_time_limit").and_then(number))
                .flatten()
        }) else {
            if key != "time_multipliers" {
                found.note(
                    "problem.yaml",
                    format!("limits.{key} is not a number: ignored"),
                );
            }
            continue;
        };
        match key.as_str() {
            "time_multiplier" | "time_multipliers" => {
                limits.fuel_margin = clamp(found, "time_multiplier", n, 1.0, 1000.0);
            }
            "memory" => limits.memory = clamp(found, "memory", n, 32.0, 4096.0).round() as u64,
            "output" => {
                limits.output = clamp(found, "output (in KiB)", n * 1024.0, 1.0, 65536.0).round() as u64;
            }
            "time_limit" => found.note(
                "problem.yaml",
                "limits.time_limit: gavel's budget is fuel relative to the reference solution \
                 (limits.fuel_margin), not seconds (the time limit sets a fixed budget only \
                 when there is no Python reference)",
            ),
            "time_safety_margin" | "time_resolution" => found.note(
                "problem.yaml",
                format!("limits.{key}: gavel's budgets are deterministic fuel, with no timer noise to allow for"),
            ),
            "code" => found.note(
                "problem.yaml",
                "limits.code: gavel limits source size per run (`--max-source`), not per exercise",
            ),
            other => found.note("problem.yaml", format!("limits.{other} is not used by gavel")),
        }
    }
    if version == Version::Modern && !raw.contains_key("time_multipliers") {
        limits.fuel_margin = 2.0;
    }
    limits
}

/// Why the default output validator's flags have no gavel comparison.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum FlagError {
    /// A tolerance flag without a usable number after it.
    #[error("`{flag}` needs a non-negative number after it")]
    NeedsNumber {
        /// The flag.
        flag: &'static str,
    },
    /// A flag the default output validator does not have.
    #[error("unknown flag `{flag}` of the default output validator")]
    Unknown {
        /// The flag.
        flag: String,
    },
    /// Tolerances with exact whitespace: no gavel comparison does both.
    #[error("`space_change_sensitive` with a float tolerance has no gavel comparison")]
    SpaceSensitiveFloats,
    /// Exact whitespace but any case: no gavel comparison does both.
    #[error("`space_change_sensitive` without `case_sensitive` has no gavel comparison")]
    SpaceSensitiveAnyCase,
}

/// The comparison of the default output validator with `flags`, or why
/// there is none.
pub(super) fn comparison(flags: &[String]) -> Result<Comparison, FlagError> {
    let mut case_sensitive = false;
    let mut space_sensitive = false;
    let (mut abs, mut rel) = (None, None);
    let mut words = flags.iter();
    while let Some(flag) = words.next() {
        let mut value = |name: &'static str| -> Result<f64, FlagError> {
            words
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or(FlagError::NeedsNumber { flag: name })
        };
        match flag.as_str() {
            "case_sensitive" => case_sensitive = true,
            "space_change_sensitive" => space_sensitive = true,
            "float_tolerance" => {
                let v = value("float_tolerance")?;
                abs = Some(v);
                rel = Some(v);
            }
            "float_absolute_tolerance" => abs = Some(value("float_absolute_tolerance")?),
            "float_relative_tolerance" => rel = Some(value("float_relative_tolerance")?),
            other => {
                return Err(FlagError::Unknown {
                    flag: other.to_owned(),
                });
            }
        }
    }
    let floats = abs.is_some() || rel.is_some();
    match (floats, space_sensitive, case_sensitive) {
        (true, true, _) => Err(FlagError::SpaceSensitiveFloats),
        (true, false, _) => Ok(Comparison::Float {
            abs: abs.unwrap_or(0.0),
            rel: rel.unwrap_or(0.0),
            integers: true,
            ignore_case: !case_sensitive,
            blank_lines: BlankLines::Ignore,
        }),
        (false, true, true) => Ok(Comparison::Exact),
        (false, true, false) => Err(FlagError::SpaceSensitiveAnyCase),
        (false, false, true) => Ok(Comparison::tokens()),
        (false, false, false) => Ok(Comparison::CaseInsensitive {
            blank_lines: BlankLines::Ignore,
        }),
    }
}

/// The statement as Markdown: the package's Markdown statement, or its LaTeX
/// one in a code block (with a note), or a pointer to its PDF.
pub(super) fn statement(package: &Path, problem: &Problem, found: &mut Findings) -> String {
    let dir_name = ["statement", "problem_statement"]
        .into_iter()
        .find(|d| package.join(d).is_dir());
    let Some(dir_name) = dir_name else {
        found.note(
            "",
            "no statement directory: statement.md holds only the title",
        );
        return format!("# {}\n", problem.title);
    };
    let dir = package.join(dir_name);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let pick = |ext: &str| -> Option<String> {
        [format!("problem.en.{ext}"), format!("problem.{ext}")]
            .into_iter()
            .find(|f| files.contains(f))
            .or_else(|| {
                files
                    .iter()
                    .find(|f| f.starts_with("problem.") && f.ends_with(&format!(".{ext}")))
                    .cloned()
            })
    };
    let chosen = pick("md").or_else(|| pick("tex")).or_else(|| pick("pdf"));
    for file in &files {
        if Some(file) != chosen.as_ref() && !file.starts_with('.') {
            found.note(
                &format!("{dir_name}/{file}"),
                "not copied (a gavel statement is one Markdown file)",
            );
        }
    }
    let mut text = format!("# {}\n\n", problem.title);
    match chosen {
        Some(file) if file.ends_with(".md") => {
            let body = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
            text.push_str(body.trim_start_matches('\n'));
        }
        Some(file) if file.ends_with(".tex") => {
            let body = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
            let body: Vec<&str> = body
                .lines()
                .filter(|l| !l.trim_start().starts_with("\\problemname"))
                .collect();
            found.note(
                &format!("{dir_name}/{file}"),
                "a LaTeX statement: kept as LaTeX source in a code block; rewrite it in Markdown",
            );
            text.push_str(&format!("```latex\n{}\n```\n", body.join("\n").trim()));
        }
        Some(file) => {
            found.note(
                &format!("{dir_name}/{file}"),
                "a PDF statement is not copied: statement.md holds only the title",
            );
        }
        None => found.note(
            dir_name,
            "no problem statement file: statement.md holds only the title",
        ),
    }
    if !problem.credits.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("\n---\n\n");
        for line in &problem.credits {
            text.push_str(&format!("- {line}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(text: &str) -> Result<Comparison, FlagError> {
        comparison(
            &text
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn default_validator_flags_become_comparisons() {
        assert_eq!(
            flags(""),
            Ok(Comparison::CaseInsensitive {
                blank_lines: BlankLines::Ignore
            })
        );
        assert_eq!(flags("case_sensitive"), Ok(Comparison::tokens()));
        assert_eq!(
            flags("case_sensitive space_change_sensitive"),
            Ok(Comparison::Exact)
        );
        assert_eq!(
            flags("float_relative_tolerance 1e-6 case_sensitive"),
            Ok(Comparison::Float {
                abs: 0.0,
                rel: 1e-6,
                integers: true,
                ignore_case: false,
                blank_lines: BlankLines::Ignore
            })
        );
        assert_eq!(
            flags("float_tolerance 0.5"),
            Ok(Comparison::Float {
                abs: 0.5,
                rel: 0.5,
                integers: true,
                ignore_case: true,
                blank_lines: BlankLines::Ignore
            })
        );
        assert_eq!(
            flags("space_change_sensitive"),
            Err(FlagError::SpaceSensitiveAnyCase)
        );
        assert_eq!(
            flags("float_tolerance").unwrap_err().to_string(),
            "`float_tolerance` needs a non-negative number after it"
        );
        assert_eq!(
            flags("ignore_trailing").unwrap_err().to_string(),
            "unknown flag `ignore_trailing` of the default output validator"
        );
    }
}
