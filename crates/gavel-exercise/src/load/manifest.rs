//! `exercise.toml`: parsing it, and checking what it says against itself and
//! against the directory (the id, the kind and its `[function]`, limits,
//! comparisons, groups).

use super::error::{ComparisonMismatch, LoadError, LoadProblem};
use super::layout::MANIFEST;
use super::reader::{Reader, line_of};
use crate::compare::Comparison;
use crate::manifest::{Kind, Manifest};
use crate::model::Test;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The manifest's text, to point errors at the line of a key.
pub(super) struct ManifestText {
    path: PathBuf,
    text: String,
}

impl ManifestText {
    /// `problem`, at the first line that starts with `key` (serde does not
    /// keep the spans of a parsed manifest, so the key is searched for).
    pub(super) fn invalid_at(&self, key: &str, problem: LoadProblem) -> LoadError {
        LoadError::Invalid {
            path: self.path.clone(),
            line: self
                .text
                .lines()
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + 1),
            problem,
        }
    }
}

/// Reads and parses the manifest, and checks it against the directory.
pub(super) fn read_manifest(
    reader: &mut Reader<'_>,
    dir: &Path,
    files: &BTreeMap<String, PathBuf>,
) -> Option<(Manifest, ManifestText)> {
    let path = dir.join(MANIFEST);
    if !files.contains_key(MANIFEST) {
        reader.invalid(&path, LoadProblem::MissingManifest);
        return None;
    }
    let text = reader.read_text(&path)?;
    let manifest: Manifest = match toml::from_str(&text) {
        Ok(manifest) => manifest,
        Err(e) => {
            reader.error(LoadError::Invalid {
                line: e.span().map(|s| line_of(&text, s.start)),
                path,
                problem: LoadProblem::Toml {
                    message: e.message().to_owned(),
                },
            });
            return None;
        }
    };
    let source = ManifestText { path, text };
    let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if manifest.id != dir_name {
        let problem = LoadProblem::IdMismatch {
            id: manifest.id.clone(),
            dir: dir_name.to_owned(),
        };
        reader.error(source.invalid_at("id", problem));
    }
    match (manifest.kind, &manifest.function) {
        (Kind::Function, None) => {
            reader.error(source.invalid_at("kind", LoadProblem::MissingFunctionTable));
        }
        (Kind::Stdio, Some(_)) => {
            reader.error(source.invalid_at("[function]", LoadProblem::FunctionTableInStdio));
        }
        (Kind::Tests, Some(_)) => {
            let reason = "a test-writing exercise has no [function]: the statement names it and [suite] its module".to_owned();
            reader.error(source.invalid_at("[function]", LoadProblem::Suite { reason }));
        }
        _ => {}
    }
    match (manifest.kind, &manifest.suite) {
        (Kind::Tests, None) => {
            let reason =
                "kind = \"tests\" needs a [suite] section with the `module` to test".to_owned();
            reader.error(source.invalid_at("kind", LoadProblem::Suite { reason }));
        }
        (Kind::Stdio | Kind::Function, Some(_)) => {
            let reason = "[suite] is only for kind = \"tests\"".to_owned();
            reader.error(source.invalid_at("[suite]", LoadProblem::Suite { reason }));
        }
        (Kind::Tests, Some(suite)) if !is_identifier(&suite.module) => {
            let reason = format!("`{}` is not a Python module name", suite.module);
            reader.error(source.invalid_at("[suite]", LoadProblem::Suite { reason }));
        }
        _ => {}
    }
    if let Some(complexity) = &manifest.complexity {
        let generated: Vec<&str> = manifest.generated.iter().map(|g| g.args.as_str()).collect();
        for reason in complexity.problems(&generated) {
            reader.error(source.invalid_at("[complexity]", LoadProblem::Complexity { reason }));
        }
    }
    for error in manifest.limits.check() {
        let key = error.name;
        let error = Box::new(error);
        reader.error(source.invalid_at(key, LoadProblem::Limit { error }));
    }
    Some((manifest, source))
}

/// A Python identifier (ASCII), not a keyword gavel knows to clash.
fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "unittest" | "sys" | "ast" | "types" | "gavel_runner")
}

/// The comparison of tests that set none: the manifest's, or the kind's.
pub(super) fn default_comparison(manifest: &Manifest) -> Comparison {
    manifest.comparison.clone().unwrap_or(match manifest.kind {
        Kind::Stdio => Comparison::tokens(),
        Kind::Function | Kind::Tests => Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        },
    })
}

/// Whether `comparison` can compare what an exercise of `kind` produces.
pub(super) fn check_comparison(
    kind: Kind,
    comparison: &Comparison,
) -> Result<(), ComparisonMismatch> {
    match (kind, comparison.is_json()) {
        (Kind::Stdio, true) => Err(ComparisonMismatch::JsonForStdio),
        (Kind::Function | Kind::Tests, false) => Err(ComparisonMismatch::TextForFunction),
        _ => Ok(()),
    }
}

/// Every group with rules has tests, depends on declared groups only, and no
/// group depends on itself through others.
pub(super) fn check_groups(
    reader: &mut Reader<'_>,
    manifest: &Manifest,
    source: &ManifestText,
    tests: &[Test],
) {
    for (name, spec) in &manifest.groups {
        let key = format!("[groups.{name}");
        if !tests.iter().any(|t| t.group.as_deref() == Some(name)) {
            let group = name.clone();
            reader.error(source.invalid_at(&key, LoadProblem::GroupWithoutTests { group }));
        }
        for dependency in &spec.depends_on {
            if !manifest.groups.contains_key(dependency) {
                let problem = LoadProblem::UnknownDependency {
                    group: name.clone(),
                    dependency: dependency.clone(),
                };
                reader.error(source.invalid_at(&key, problem));
            }
        }
    }
    let mut done = BTreeSet::new();
    for name in manifest.groups.keys() {
        if let Some(cycle) = cycle_from(name, manifest, &mut Vec::new(), &mut done) {
            let cycle = cycle.into_iter().map(str::to_owned).collect();
            let problem = LoadProblem::GroupCycle { cycle };
            reader.error(source.invalid_at(&format!("[groups.{name}"), problem));
            break;
        }
    }
}

/// A cycle of dependencies reachable from `name` (depth first), as the groups
/// on it with the first repeated at the end. `path` holds the groups being
/// visited, `done` those already searched from.
fn cycle_from<'a>(
    name: &'a str,
    manifest: &'a Manifest,
    path: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
) -> Option<Vec<&'a str>> {
    if let Some(start) = path.iter().position(|p| *p == name) {
        let mut cycle = path[start..].to_vec();
        cycle.push(name);
        return Some(cycle);
    }
    if !done.insert(name) {
        return None;
    }
    path.push(name);
    for dependency in manifest
        .groups
        .get(name)
        .map(|g| &g.depends_on)
        .into_iter()
        .flatten()
    {
        if let Some(cycle) = cycle_from(dependency, manifest, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    None
}
