//! The tests: `tests/public/` and `tests/hidden/` (stdio tests' `NAME.in`,
//! `NAME.out` and `NAME.files/`, function tests' `NAME.json`), then the
//! manifest's `[[generated]]` tests, each typed into `TestData` once.

use super::error::{LoadError, LoadProblem};
use super::layout::{MANIFEST, valid_name};
use super::manifest::{ManifestText, check_comparison};
use super::reader::{Cap, Reader};
use super::sources::Named;
use crate::compare::Comparison;
use crate::manifest::{Kind, Manifest};
use crate::model::{Test, TestData, TestSource, Visibility};
use bytes::Bytes;
use gavel_core::limits;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What every test of an exercise is loaded with.
pub(super) struct Context<'a> {
    pub(super) manifest: &'a Manifest,
    pub(super) source: &'a ManifestText,
    /// The comparison of tests that set none.
    pub(super) comparison: &'a Comparison,
    /// Whether an interactor decides (then tests have no expected output).
    pub(super) interactive: bool,
    /// Whether the interactor reads an answer file (a native one, under its
    /// convention): then a test's `.out` is that file, for the interactor
    /// only.
    pub(super) interactor_answers: bool,
}

/// Every test: stored ones, then generated ones; names must be unique and
/// every `[tests.NAME]` must name one.
pub(super) fn collect_tests(
    reader: &mut Reader<'_>,
    dir: &Path,
    dirs: &Named,
    context: &Context<'_>,
) -> Vec<Test> {
    let manifest = context.manifest;
    let mut tests = match dirs.get("tests") {
        Some(tests_dir) => load_tests(reader, tests_dir, context),
        None => {
            reader.invalid(dir.join("tests"), LoadProblem::MissingTestsDir);
            Vec::new()
        }
    };
    tests.extend(generated_tests(reader, context));
    let mut names = BTreeSet::new();
    for test in &tests {
        if !names.insert(test.name.as_str()) {
            let name = test.name.clone();
            reader.invalid(dir.join("tests"), LoadProblem::DuplicateTest { name });
        }
    }
    for name in manifest.tests.keys() {
        if !names.contains(name.as_str()) {
            let problem = LoadProblem::SettingsOfNoTest { test: name.clone() };
            reader.error(
                context
                    .source
                    .invalid_at(&format!("[tests.{name}"), problem),
            );
        }
    }
    if tests.is_empty() && dirs.contains_key("tests") {
        reader.invalid(dir.join("tests"), LoadProblem::NoTests);
    }
    tests
}

/// The manifest's `[[generated]]` tests, whose data the generator makes later.
fn generated_tests(reader: &mut Reader<'_>, context: &Context<'_>) -> Vec<Test> {
    let mut tests = Vec::new();
    for spec in &context.manifest.generated {
        if !valid_name(&spec.name) {
            let name = spec.name.clone();
            let problem = LoadProblem::InvalidGeneratedName { name };
            reader.error(context.source.invalid_at("[[generated]]", problem));
        }
        tests.push(Test {
            name: spec.name.clone(),
            visibility: if spec.public {
                Visibility::Public
            } else {
                Visibility::Hidden
            },
            points: spec.points.unwrap_or(1),
            group: spec.group.clone(),
            comparison: context.comparison.clone(),
            fuel: None,
            source: TestSource::Generated {
                args: spec.args.clone(),
                sha256: spec.sha256.clone(),
            },
        });
    }
    tests
}

/// `tests/`: the public tests, then the hidden ones.
fn load_tests(reader: &mut Reader<'_>, tests_dir: &Path, context: &Context<'_>) -> Vec<Test> {
    let mut tests = Vec::new();
    let Some(entries) = reader.entries(tests_dir) else {
        return tests;
    };
    let mut found = BTreeMap::new();
    for entry in entries {
        let visibility = match (entry.name.as_str(), entry.is_dir) {
            ("public", true) => Visibility::Public,
            ("hidden", true) => Visibility::Hidden,
            _ => {
                reader.invalid(&entry.path, LoadProblem::UnexpectedTestsEntry);
                continue;
            }
        };
        found.insert(visibility == Visibility::Hidden, (visibility, entry.path));
    }
    for (visibility, path) in found.into_values() {
        tests.extend(load_test_dir(reader, &path, visibility, context));
    }
    tests
}

/// The tests of `tests/public/` or `tests/hidden/`, in name order.
fn load_test_dir(
    reader: &mut Reader<'_>,
    tests_dir: &Path,
    visibility: Visibility,
    context: &Context<'_>,
) -> Vec<Test> {
    let manifest = context.manifest;
    let Some(parts) = test_parts(reader, tests_dir, manifest.kind) else {
        return Vec::new();
    };
    let mut tests = Vec::new();
    for (name, parts) in parts {
        let settings = manifest.tests.get(&name).cloned().unwrap_or_default();
        let comparison = settings
            .comparison
            .clone()
            .unwrap_or_else(|| context.comparison.clone());
        if let Err(mismatch) = check_comparison(manifest.kind, &comparison) {
            let test = name.clone();
            let problem = LoadProblem::TestComparison { test, mismatch };
            reader.invalid(reader.dir().join(MANIFEST), problem);
        }
        let data = match manifest.kind {
            Kind::Stdio => stdio_test(
                reader,
                tests_dir,
                &name,
                &parts,
                (context.interactive, context.interactor_answers),
                limits::kib(manifest.limits.output),
            ),
            Kind::Function | Kind::Tests => function_test(reader, &parts["json"], manifest),
        };
        let Some(data) = data else { continue };
        tests.push(Test {
            name,
            visibility,
            points: settings.points.unwrap_or(1),
            group: settings.group,
            comparison,
            fuel: settings.fuel,
            source: TestSource::Stored(data),
        });
    }
    tests
}

/// The files of a test directory, by test name and part (`in`, `out`,
/// `files`, `json`); entries that are no part of a test are errors.
fn test_parts(
    reader: &mut Reader<'_>,
    tests_dir: &Path,
    kind: Kind,
) -> Option<BTreeMap<String, BTreeMap<&'static str, PathBuf>>> {
    let mut parts: BTreeMap<String, BTreeMap<&'static str, PathBuf>> = BTreeMap::new();
    for entry in reader.entries(tests_dir)? {
        let (stem, ext) = entry.name.rsplit_once('.').unwrap_or((&entry.name, ""));
        let part = match (kind, ext, entry.is_dir) {
            (Kind::Stdio, "in", false) => "in",
            (Kind::Stdio, "out", false) => "out",
            (Kind::Stdio, "files", true) => "files",
            (Kind::Function, "json", false) => "json",
            _ => {
                reader.invalid(&entry.path, LoadProblem::UnexpectedTestEntry { kind });
                continue;
            }
        };
        if !valid_name(stem) {
            reader.invalid(&entry.path, LoadProblem::InvalidTestName);
            continue;
        }
        parts
            .entry(stem.to_owned())
            .or_default()
            .insert(part, entry.path);
    }
    Some(parts)
}

fn stdio_test(
    reader: &mut Reader<'_>,
    tests_dir: &Path,
    name: &str,
    parts: &BTreeMap<&'static str, PathBuf>,
    (interactive, answers): (bool, bool),
    output_limit: u64,
) -> Option<TestData> {
    let expected = match (parts.get("out"), interactive) {
        (Some(out), false) => reader.read_text_at_most(out, Cap::Output(output_limit)),
        (Some(out), true) if answers => reader.read_text_at_most(out, Cap::Output(output_limit)),
        (None, true) => Some(String::new()),
        (Some(out), true) => {
            reader.invalid(out, LoadProblem::InteractiveExpectedOutput);
            return None;
        }
        (None, false) => {
            let test = name.to_owned();
            reader.invalid(
                tests_dir.join(format!("{name}.out")),
                LoadProblem::MissingExpectedOutput { test },
            );
            return None;
        }
    };
    let stdin = match parts.get("in") {
        Some(path) => reader.read(path),
        None => Some(Bytes::new()),
    };
    let files = match parts.get("files") {
        Some(dir) => load_files(reader, dir)?,
        None => Vec::new(),
    };
    Some(TestData::Stdio {
        stdin: stdin?,
        files: files.into(),
        expected: expected?.into(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionTestFile {
    args: Value,
    expected: Value,
}

fn function_test(reader: &mut Reader<'_>, path: &Path, manifest: &Manifest) -> Option<TestData> {
    let text = reader.read_text(path)?;
    let parsed: FunctionTestFile = match serde_json::from_str(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            reader.error(LoadError::Invalid {
                path: path.to_owned(),
                line: Some(e.line()),
                problem: LoadProblem::Json {
                    message: e.to_string(),
                },
            });
            return None;
        }
    };
    // `params` is optional (every argument is then plain JSON), and without
    // it the manifest says nothing about how many arguments there are.
    let declared = manifest.function.as_ref().map_or(0, |f| f.params.len());
    match &parsed.args {
        Value::Array(args) if declared == 0 || args.len() == declared => {}
        Value::Array(args) => {
            let given = args.len();
            reader.invalid(path, LoadProblem::ArgsCount { given, declared });
            return None;
        }
        _ => {
            reader.invalid(path, LoadProblem::ArgsNotList);
            return None;
        }
    }
    Some(TestData::Function {
        args: parsed.args.to_string().into(),
        expected: Arc::new(parsed.expected),
    })
}

/// A stdio test's `NAME.files/`: the files mounted as the run's directory.
fn load_files(reader: &mut Reader<'_>, dir: &Path) -> Option<Vec<(String, Bytes)>> {
    let mut files = Vec::new();
    for entry in reader.entries(dir)? {
        if entry.is_dir {
            reader.invalid(&entry.path, LoadProblem::DirectoryInFiles);
            continue;
        }
        if let Some(bytes) = reader.read(&entry.path) {
            files.push((entry.name, bytes));
        }
    }
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::fixture::{MANIFEST_TEXT, errors, fixture, write};
    use crate::load::load;

    #[test]
    fn function_tests_keep_key_order_and_every_digit() {
        let (_root, dir) = fixture();
        write(
            &dir,
            "exercise.toml",
            &format!(
                "{}[function]\nname = \"f\"\n",
                MANIFEST_TEXT.replace("stdio", "function")
            ),
        );
        for sub in ["public", "hidden"] {
            std::fs::remove_dir_all(dir.join("tests").join(sub)).unwrap();
        }
        write(
            &dir,
            "tests/public/a.json",
            r#"{"args": [{"p": 1, "A": 2, "B": 3}, 1267650600228229401496703205376], "expected": 2}"#,
        );
        let exercise = load(&dir).unwrap();
        match &exercise.tests[0].source {
            TestSource::Stored(TestData::Function { args, .. }) => assert_eq!(
                &**args,
                r#"[{"p":1,"A":2,"B":3},1267650600228229401496703205376]"#
            ),
            other => panic!("{other:?}"),
        }
        write(
            &dir,
            "tests/public/a.json",
            "{\"args\": [1],\n \"expect\": 2}",
        );
        assert!(
            errors(&dir).contains("a.json:2: unknown field `expect`"),
            "{}",
            errors(&dir)
        );
    }
}
