//! Loading exercises from disk, strictly: every problem is an error naming the
//! file (and line where there is one); nothing is silently skipped.

use crate::compare::Comparison;
use crate::manifest::{Difficulty, FunctionSpec, Kind, LimitsSpec, Manifest, Scoring};
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
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
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file at fault.
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

impl LoadError {
    fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> LoadError {
        LoadError::Invalid {
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
        move |source| LoadError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Whether candidates may see a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Shown to candidates and used by `gavel test`.
    Public,
    /// Never shown: not its input, not its expected output.
    Hidden,
}

/// What a test feeds the submission and expects back.
#[derive(Debug, Clone, PartialEq)]
pub enum TestData {
    /// A stdio test.
    Stdio {
        /// The program's stdin.
        input: Vec<u8>,
        /// The expected stdout.
        expected: String,
        /// Files the program may read from its working directory.
        files: Vec<(String, Vec<u8>)>,
    },
    /// A function-call test.
    Function {
        /// The arguments (a JSON list).
        args: Value,
        /// The expected return value.
        expected: Value,
    },
    /// A test whose input comes from the generator and whose expected output
    /// comes from the reference solution; see the judge crate's materialisation.
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
    pub data: TestData,
}

/// A solution that must get a given verdict (`submissions/<verdict>/*.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBad {
    /// The file.
    pub path: PathBuf,
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
    /// The statement (Markdown).
    pub statement: String,
    /// The starter code.
    pub starter: String,
    /// The reference solution's source; absent only in candidate packs,
    /// which must then fix the fuel budget.
    pub reference: Option<Vec<u8>>,
    /// The test generator's source, if the exercise has generated tests.
    pub generator: Option<Vec<u8>>,
    /// Tests: public first, then hidden, each by name; generated ones last.
    pub tests: Vec<Test>,
    /// Known-bad solutions.
    pub known_bad: Vec<KnownBad>,
    /// The manifest as written.
    pub manifest: Manifest,
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
        self.tests.iter().map(|t| t.points).sum()
    }
}

const MANIFEST: &str = "exercise.toml";

fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(LoadError::io(path))?;
    String::from_utf8(bytes).map_err(|e| LoadError::invalid(path, format!("not UTF-8 text ({e})")))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Loads the exercise in `dir`.
pub fn load(dir: &Path) -> Result<Exercise, LoadError> {
    let manifest_path = dir.join(MANIFEST);
    let text = read_text(&manifest_path)?;
    let manifest: Manifest = toml::from_str(&text).map_err(|e| LoadError::Invalid {
        path: manifest_path.clone(),
        line: e.span().map(|s| line_of(&text, s.start)),
        message: e.message().to_owned(),
    })?;
    let at_key = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|i| i + 1)
    };
    let invalid_at = |key: &str, message: String| LoadError::Invalid {
        path: manifest_path.clone(),
        line: at_key(key),
        message,
    };

    let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if manifest.id != dir_name {
        return Err(invalid_at(
            "id",
            format!(
                "the id `{}` does not match the directory name `{dir_name}`",
                manifest.id
            ),
        ));
    }
    match (manifest.kind, &manifest.function) {
        (Kind::Function, None) => {
            return Err(invalid_at(
                "kind",
                "a function exercise needs a [function] table naming the function".to_owned(),
            ));
        }
        (Kind::Stdio, Some(_)) => {
            return Err(invalid_at(
                "[function]",
                "a stdio exercise has no [function] table".to_owned(),
            ));
        }
        _ => {}
    }
    let limits = &manifest.limits;
    if !(limits.fuel_margin >= 1.0 && limits.fuel_margin.is_finite()) {
        return Err(invalid_at(
            "fuel_margin",
            "fuel_margin must be at least 1".to_owned(),
        ));
    }
    if !(limits.wall_time > 0.0 && limits.wall_time.is_finite()) {
        return Err(invalid_at(
            "wall_time",
            "wall_time must be a positive number of seconds".to_owned(),
        ));
    }
    let default_comparison = manifest.comparison.clone().unwrap_or(match manifest.kind {
        Kind::Stdio => Comparison::Tokens,
        Kind::Function => Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        },
    });
    check_comparison(manifest.kind, &default_comparison)
        .map_err(|m| invalid_at("[comparison]", m))?;

    let statement = read_text(&dir.join("statement.md"))?;
    let starter = read_text(&dir.join("starter.py"))?;
    let reference_path = dir.join("solution.py");
    let reference = match std::fs::read(&reference_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && limits.fuel.is_some() => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::invalid(
                &reference_path,
                "missing: the reference solution is required (fuel limits are relative to it) unless [limits] sets `fuel`",
            ));
        }
        Err(e) => return Err(LoadError::io(&reference_path)(e)),
    };

    let mut tests = Vec::new();
    for visibility in [Visibility::Public, Visibility::Hidden] {
        tests.extend(load_test_dir(
            dir,
            &manifest,
            visibility,
            &default_comparison,
        )?);
    }
    let generator_path = dir.join("generator.py");
    let generator = if manifest.generated.is_empty() {
        None
    } else {
        Some(std::fs::read(&generator_path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                LoadError::invalid(
                    &generator_path,
                    "missing: exercise.toml declares [[generated]] tests",
                )
            } else {
                LoadError::io(&generator_path)(e)
            }
        })?)
    };
    if generator.is_some() && reference.is_none() {
        return Err(LoadError::invalid(
            &reference_path,
            "missing: generated tests take their expected output from the reference solution",
        ));
    }
    for spec in &manifest.generated {
        if !valid_name(&spec.name) {
            return Err(invalid_at(
                "[[generated]]",
                format!(
                    "invalid test name `{}` (letters, digits, `-`, `_`, `.`)",
                    spec.name
                ),
            ));
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
            comparison: default_comparison.clone(),
            fuel: None,
            data: TestData::Generated {
                args: spec.args.clone(),
                sha256: spec.sha256.clone(),
            },
        });
    }

    let mut names = BTreeSet::new();
    for test in &tests {
        if !names.insert(test.name.as_str()) {
            return Err(LoadError::invalid(
                dir.join("tests"),
                format!("two tests are named `{}`", test.name),
            ));
        }
    }
    for name in manifest.tests.keys() {
        if !names.contains(name.as_str()) {
            return Err(invalid_at(
                &format!("[tests.{name}"),
                format!("[tests.{name}] names no test of this exercise"),
            ));
        }
    }
    if tests.is_empty() {
        return Err(LoadError::invalid(
            dir.join("tests"),
            "the exercise has no tests (add tests/public/ and tests/hidden/)",
        ));
    }
    let known_bad = load_known_bad(dir)?;

    Ok(Exercise {
        id: manifest.id.clone(),
        dir: dir.to_owned(),
        title: manifest.title.clone(),
        difficulty: manifest.difficulty,
        tags: manifest.tags.clone(),
        kind: manifest.kind,
        function: manifest.function.clone(),
        limits: manifest.limits.clone(),
        scoring: manifest.scoring,
        statement,
        starter,
        reference,
        generator,
        tests,
        known_bad,
        manifest,
    })
}

fn check_comparison(kind: Kind, comparison: &Comparison) -> Result<(), String> {
    match (kind, comparison.is_json()) {
        (Kind::Stdio, true) => Err("mode `json` is for function exercises".to_owned()),
        (Kind::Function, false) => Err("function exercises compare with mode `json`".to_owned()),
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionTestFile {
    args: Value,
    expected: Value,
}

fn load_test_dir(
    dir: &Path,
    manifest: &Manifest,
    visibility: Visibility,
    default_comparison: &Comparison,
) -> Result<Vec<Test>, LoadError> {
    let sub = match visibility {
        Visibility::Public => "public",
        Visibility::Hidden => "hidden",
    };
    let tests_dir = dir.join("tests").join(sub);
    let entries = match std::fs::read_dir(&tests_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(LoadError::io(&tests_dir)(e)),
    };
    let mut files = BTreeSet::new();
    for entry in entries {
        let entry = entry.map_err(LoadError::io(&tests_dir))?;
        files.insert(entry.file_name().to_string_lossy().into_owned());
    }
    let mut names = BTreeSet::new();
    for file in &files {
        let path = tests_dir.join(file);
        let (stem, ext) = match file.rsplit_once('.') {
            Some((stem, ext)) => (stem, ext),
            None => (file.as_str(), ""),
        };
        let expected_exts: &[&str] = match manifest.kind {
            Kind::Stdio => &["in", "out", "files"],
            Kind::Function => &["json"],
        };
        if !expected_exts.contains(&ext) {
            let hint = match manifest.kind {
                Kind::Stdio => {
                    "stdio tests are NAME.in and NAME.out, with an optional NAME.files/ directory"
                }
                Kind::Function => "function tests are NAME.json files with `args` and `expected`",
            };
            return Err(LoadError::invalid(path, format!("unexpected file: {hint}")));
        }
        if !valid_name(stem) {
            return Err(LoadError::invalid(
                path,
                "invalid test name (letters, digits, `-`, `_`, `.`)",
            ));
        }
        names.insert(stem.to_owned());
    }
    let mut tests = Vec::new();
    for name in names {
        let settings = manifest.tests.get(&name).cloned().unwrap_or_default();
        let comparison = settings
            .comparison
            .clone()
            .unwrap_or_else(|| default_comparison.clone());
        check_comparison(manifest.kind, &comparison)
            .map_err(|m| LoadError::invalid(dir.join(MANIFEST), format!("[tests.{name}]: {m}")))?;
        let data = match manifest.kind {
            Kind::Stdio => {
                let out = tests_dir.join(format!("{name}.out"));
                if !out.exists() {
                    return Err(LoadError::invalid(
                        &out,
                        format!("missing: test `{name}` has no expected output"),
                    ));
                }
                let expected = read_text(&out)?;
                let input_path = tests_dir.join(format!("{name}.in"));
                let input = if input_path.exists() {
                    std::fs::read(&input_path).map_err(LoadError::io(&input_path))?
                } else {
                    Vec::new()
                };
                let files = load_files(&tests_dir.join(format!("{name}.files")))?;
                TestData::Stdio {
                    input,
                    expected,
                    files,
                }
            }
            Kind::Function => {
                let path = tests_dir.join(format!("{name}.json"));
                let text = read_text(&path)?;
                let parsed: FunctionTestFile =
                    serde_json::from_str(&text).map_err(|e| LoadError::Invalid {
                        path: path.clone(),
                        line: Some(e.line()),
                        message: e.to_string(),
                    })?;
                let expected_params = manifest.function.as_ref().map_or(0, |f| f.params.len());
                match &parsed.args {
                    Value::Array(args) if expected_params == 0 || args.len() == expected_params => {
                    }
                    Value::Array(args) => {
                        return Err(LoadError::invalid(
                            &path,
                            format!(
                                "`args` has {} values, but [function] declares {expected_params} params",
                                args.len()
                            ),
                        ));
                    }
                    _ => return Err(LoadError::invalid(&path, "`args` must be a JSON list")),
                }
                TestData::Function {
                    args: parsed.args,
                    expected: parsed.expected,
                }
            }
        };
        tests.push(Test {
            name,
            visibility,
            points: settings.points.unwrap_or(1),
            group: settings.group,
            comparison,
            fuel: settings.fuel,
            data,
        });
    }
    Ok(tests)
}

fn load_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(LoadError::io(dir)(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(LoadError::io(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(LoadError::io(&path))?;
        if !kind.is_file() {
            return Err(LoadError::invalid(
                path,
                "only plain files may be given to a run",
            ));
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).map_err(LoadError::io(&path))?;
        files.push((name, bytes));
    }
    files.sort();
    Ok(files)
}

fn load_known_bad(dir: &Path) -> Result<Vec<KnownBad>, LoadError> {
    let root = dir.join("submissions");
    let entries = match std::fs::read_dir(&root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(LoadError::io(&root)(e)),
    };
    let mut known_bad = Vec::new();
    for entry in entries {
        let entry = entry.map_err(LoadError::io(&root))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let expected = Verdict::from_dir_name(&name).ok_or_else(|| {
            LoadError::invalid(
                &path,
                format!(
                    "`{name}` is not a verdict; known-bad solutions go in submissions/<verdict>/ with one of: {}",
                    Verdict::DIR_NAMES.join(", ")
                ),
            )
        })?;
        for file in std::fs::read_dir(&path).map_err(LoadError::io(&path))? {
            let file = file.map_err(LoadError::io(&path))?.path();
            if file.extension().and_then(|e| e.to_str()) != Some("py") {
                return Err(LoadError::invalid(
                    file,
                    "known-bad solutions are .py files",
                ));
            }
            known_bad.push(KnownBad {
                path: file,
                expected,
            });
        }
    }
    known_bad.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(known_bad)
}

/// The exercise directories under `root`: every subdirectory not starting
/// with `.`, sorted by name.
pub fn exercise_dirs(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root).map_err(LoadError::io(root))? {
        let entry = entry.map_err(LoadError::io(root))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.file_type().is_ok_and(|t| t.is_dir()) {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Loads every exercise under `root` (see [`exercise_dirs`]). Returns all
/// exercises that loaded and every error, so a caller can report all problems
/// at once; a subdirectory without a manifest is itself an error.
pub fn load_catalog(root: &Path) -> (Vec<Exercise>, Vec<LoadError>) {
    let mut exercises = Vec::new();
    let mut errors = Vec::new();
    match exercise_dirs(root) {
        Ok(dirs) => {
            for dir in dirs {
                match load(&dir) {
                    Ok(exercise) => exercises.push(exercise),
                    Err(e) => errors.push(e),
                }
            }
        }
        Err(e) => errors.push(e),
    }
    (exercises, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST_TEXT: &str =
        "id = \"hello\"\ntitle = \"Hello\"\ndifficulty = \"easy\"\nkind = \"stdio\"\n";

    /// A valid stdio exercise `hello` in a temporary directory.
    fn fixture() -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("hello");
        std::fs::create_dir_all(dir.join("tests/public")).unwrap();
        std::fs::create_dir_all(dir.join("tests/hidden")).unwrap();
        for (file, text) in [
            ("exercise.toml", MANIFEST_TEXT),
            ("statement.md", "# Hello\n"),
            ("starter.py", "# your code\n"),
            ("solution.py", "print(input())\n"),
            ("tests/public/01.in", "a\n"),
            ("tests/public/01.out", "a\n"),
            ("tests/hidden/02.in", "b\n"),
            ("tests/hidden/02.out", "b\n"),
        ] {
            std::fs::write(dir.join(file), text).unwrap();
        }
        (root, dir)
    }

    fn error(dir: &Path) -> String {
        load(dir).unwrap_err().to_string()
    }

    #[test]
    fn a_valid_exercise_loads_with_public_tests_first() {
        let (_root, dir) = fixture();
        let exercise = load(&dir).unwrap();
        let names: Vec<_> = exercise
            .tests
            .iter()
            .map(|t| (t.name.as_str(), t.visibility))
            .collect();
        assert_eq!(
            names,
            [("01", Visibility::Public), ("02", Visibility::Hidden)]
        );
        assert_eq!(exercise.max_points(), 2);
    }

    #[test]
    fn an_unknown_key_is_an_error_with_its_line() {
        let (_root, dir) = fixture();
        std::fs::write(
            dir.join("exercise.toml"),
            format!("{MANIFEST_TEXT}colour = \"red\"\n"),
        )
        .unwrap();
        let text = error(&dir);
        assert!(
            text.contains("exercise.toml:5: unknown field `colour`"),
            "{text}"
        );
    }

    #[test]
    fn an_id_that_does_not_match_its_directory_is_an_error() {
        let (_root, dir) = fixture();
        std::fs::write(
            dir.join("exercise.toml"),
            MANIFEST_TEXT.replace("\"hello\"", "\"other\""),
        )
        .unwrap();
        let text = error(&dir);
        assert!(
            text.ends_with(
                "exercise.toml:1: the id `other` does not match the directory name `hello`"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_test_without_expected_output_is_an_error() {
        let (_root, dir) = fixture();
        std::fs::remove_file(dir.join("tests/hidden/02.out")).unwrap();
        let text = error(&dir);
        assert!(
            text.ends_with("02.out: missing: test `02` has no expected output"),
            "{text}"
        );
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let (_root, dir) = fixture();
        std::fs::remove_file(dir.join("statement.md")).unwrap();
        assert!(
            error(&dir).contains("statement.md: No such file"),
            "{}",
            error(&dir)
        );
        let (_root, dir) = fixture();
        std::fs::remove_file(dir.join("solution.py")).unwrap();
        assert!(error(&dir).contains("solution.py: missing: the reference solution is required"));
    }

    #[test]
    fn a_stray_file_in_a_test_directory_is_an_error() {
        let (_root, dir) = fixture();
        std::fs::write(dir.join("tests/public/notes.txt"), "x").unwrap();
        assert!(
            error(&dir).contains("notes.txt: unexpected file"),
            "{}",
            error(&dir)
        );
    }

    #[test]
    fn settings_for_a_test_that_does_not_exist_are_an_error() {
        let (_root, dir) = fixture();
        std::fs::write(
            dir.join("exercise.toml"),
            format!("{MANIFEST_TEXT}[tests.99]\npoints = 2\n"),
        )
        .unwrap();
        assert!(
            error(&dir).contains("exercise.toml:5: [tests.99] names no test"),
            "{}",
            error(&dir)
        );
    }

    #[test]
    fn a_known_bad_directory_must_name_a_verdict() {
        let (_root, dir) = fixture();
        std::fs::create_dir_all(dir.join("submissions/slow")).unwrap();
        assert!(
            error(&dir).contains("`slow` is not a verdict"),
            "{}",
            error(&dir)
        );
        std::fs::remove_dir(dir.join("submissions/slow")).unwrap();
        std::fs::create_dir_all(dir.join("submissions/time_limit")).unwrap();
        std::fs::write(dir.join("submissions/time_limit/naive.py"), "").unwrap();
        let exercise = load(&dir).unwrap();
        assert_eq!(exercise.known_bad[0].expected, Verdict::TimeLimit);
    }

    #[test]
    fn a_function_exercise_needs_its_function_and_json_tests() {
        let (_root, dir) = fixture();
        std::fs::write(
            dir.join("exercise.toml"),
            MANIFEST_TEXT.replace("stdio", "function"),
        )
        .unwrap();
        assert!(
            error(&dir).contains("needs a [function] table"),
            "{}",
            error(&dir)
        );
        let manifest = format!(
            "{}[function]\nname = \"f\"\n",
            MANIFEST_TEXT.replace("stdio", "function")
        );
        std::fs::write(dir.join("exercise.toml"), manifest).unwrap();
        assert!(
            error(&dir).contains("01.in: unexpected file: function tests are NAME.json"),
            "{}",
            error(&dir)
        );
        for sub in ["public", "hidden"] {
            std::fs::remove_dir_all(dir.join("tests").join(sub)).unwrap();
            std::fs::create_dir_all(dir.join("tests").join(sub)).unwrap();
        }
        std::fs::write(
            dir.join("tests/public/a.json"),
            "{\"args\": [1],\n \"expect\": 2}",
        )
        .unwrap();
        assert!(
            error(&dir).contains("a.json:2: unknown field `expect`"),
            "{}",
            error(&dir)
        );
        std::fs::write(
            dir.join("tests/public/a.json"),
            "{\"args\": [1], \"expected\": 2}",
        )
        .unwrap();
        let exercise = load(&dir).unwrap();
        assert!(matches!(exercise.tests[0].data, TestData::Function { .. }));
    }

    #[test]
    fn generated_tests_need_a_generator() {
        let (_root, dir) = fixture();
        let manifest = format!("{MANIFEST_TEXT}[[generated]]\nname = \"big\"\nargs = \"1000\"\n");
        std::fs::write(dir.join("exercise.toml"), manifest).unwrap();
        assert!(
            error(&dir).contains("generator.py: missing"),
            "{}",
            error(&dir)
        );
        std::fs::write(dir.join("generator.py"), "print(1)").unwrap();
        let exercise = load(&dir).unwrap();
        assert_eq!(
            exercise.tests.last().unwrap().visibility,
            Visibility::Hidden
        );
    }

    #[test]
    fn a_catalog_reports_every_broken_exercise() {
        let (root, dir) = fixture();
        std::fs::create_dir_all(root.path().join("empty")).unwrap();
        let (exercises, errors) = load_catalog(root.path());
        assert_eq!(exercises.len(), 1);
        assert_eq!(exercises[0].dir, dir);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].to_string().contains("empty/exercise.toml"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn the_built_in_catalog_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exercises");
        let (exercises, errors) = load_catalog(&root);
        assert!(errors.is_empty(), "{errors:#?}");
        assert!(exercises.len() >= 20, "{} exercises", exercises.len());
        for exercise in &exercises {
            assert!(exercise.count(Visibility::Public) >= 3, "{}", exercise.id);
            assert!(exercise.count(Visibility::Hidden) >= 10, "{}", exercise.id);
            assert!(!exercise.known_bad.is_empty(), "{}", exercise.id);
        }
    }
}
