//! Loading exercises from disk, strictly: every problem is an error naming the
//! file (and line where there is one), all of them are reported at once, and
//! nothing is silently skipped.
//!
//! The loader reads only inside the exercise's directory: a symbolic link, a
//! FIFO or a device anywhere in it is an error, and files are opened without
//! following links, so nothing outside the catalog is ever opened.

use crate::compare::Comparison;
use crate::manifest::{CatalogManifest, Kind, Manifest};
use crate::model::{Exercise, KnownBad, Test, TestData, TestSource, Visibility};
use crate::verdict::Verdict;
use bytes::Bytes;
use gavel_core::hash::Key;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    pub(crate) fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> LoadError {
        LoadError::Invalid {
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    /// The file at fault.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. } | LoadError::Invalid { path, .. } => path,
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

const MANIFEST: &str = "exercise.toml";

/// What may stand in an exercise directory (checker and interactor come with
/// their features).
const EXERCISE_FILES: [&str; 5] = [
    MANIFEST,
    "statement.md",
    "starter.py",
    "solution.py",
    "generator.py",
];
const EXERCISE_DIRS: [&str; 2] = ["tests", "submissions"];

/// A directory entry the loader may read: a plain file or a directory.
struct Entry {
    name: String,
    path: PathBuf,
    is_dir: bool,
}

/// Reads one exercise's files, collecting every problem and hashing every
/// byte it reads into the exercise's fingerprint.
struct Reader<'a> {
    dir: &'a Path,
    errors: Vec<LoadError>,
    fingerprint: Key,
}

impl Reader<'_> {
    fn error(&mut self, error: LoadError) {
        self.errors.push(error);
    }

    fn invalid(&mut self, path: impl Into<PathBuf>, message: impl Into<String>) {
        self.error(LoadError::invalid(path, message));
    }

    /// The plain files and directories in `dir`, sorted by name; links,
    /// special files and names that are not UTF-8 are errors.
    fn entries(&mut self, dir: &Path) -> Option<Vec<Entry>> {
        let read = match std::fs::read_dir(dir) {
            Ok(read) => read,
            Err(source) => {
                self.error(LoadError::Io {
                    path: dir.to_owned(),
                    source,
                });
                return None;
            }
        };
        let mut entries = Vec::new();
        for entry in read {
            let entry = match entry {
                Ok(entry) => entry,
                Err(source) => {
                    self.error(LoadError::Io {
                        path: dir.to_owned(),
                        source,
                    });
                    continue;
                }
            };
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                self.invalid(&path, "the name is not UTF-8");
                continue;
            };
            match entry.file_type() {
                Ok(kind) if kind.is_symlink() => {
                    let target = std::fs::read_link(&path)
                        .map(|t| format!(" (to `{}`)", t.display()))
                        .unwrap_or_default();
                    self.invalid(
                        &path,
                        format!("a symbolic link{target}: links are not allowed in a catalog, which must hold its own files"),
                    );
                }
                Ok(kind) if kind.is_dir() || kind.is_file() => entries.push(Entry {
                    name,
                    path,
                    is_dir: kind.is_dir(),
                }),
                Ok(_) => self.invalid(
                    &path,
                    "not a plain file or directory (a FIFO, socket or device)",
                ),
                Err(source) => self.error(LoadError::Io { path, source }),
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Some(entries)
    }

    /// The bytes of the plain file `path`, opened without following a link
    /// and without blocking on a FIFO.
    fn read(&mut self, path: &Path) -> Option<Bytes> {
        match read_plain_file(path) {
            Ok(bytes) => {
                let relative = path.strip_prefix(self.dir).unwrap_or(path);
                self.fingerprint.push(relative.to_string_lossy().as_bytes());
                self.fingerprint.push(&bytes);
                Some(Bytes::from(bytes))
            }
            Err(error) => {
                self.error(error);
                None
            }
        }
    }

    fn read_text(&mut self, path: &Path) -> Option<String> {
        let bytes = self.read(path)?;
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => Some(text),
            Err(e) => {
                self.invalid(path, format!("not UTF-8 text ({e})"));
                None
            }
        }
    }
}

fn read_plain_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return LoadError::invalid(path, "a symbolic link: links are not allowed in a catalog");
        }
        io(e)
    })?;
    if !file.metadata().map_err(io)?.is_file() {
        return Err(LoadError::invalid(
            path,
            "not a plain file (a FIFO, socket, device or directory)",
        ));
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Test names: a letter or digit first, then letters, digits, `-`, `_`, `.`.
/// (So no name is `.` or `..`, and every name is a safe file name.)
pub(crate) fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

const NAME_RULE: &str = "a letter or digit first, then letters, digits, `-`, `_` or `.`";

/// Loads the exercise in `dir` with the default catalog settings.
pub fn load(dir: &Path) -> Result<Exercise, LoadErrors> {
    load_with(dir, &CatalogManifest::default())
}

/// Loads the exercise in `dir`, with the catalog's defaults.
pub fn load_with(dir: &Path, catalog: &CatalogManifest) -> Result<Exercise, LoadErrors> {
    let mut reader = Reader {
        dir,
        errors: Vec::new(),
        fingerprint: Key::new(),
    };
    let exercise = load_into(&mut reader, dir, catalog);
    match exercise {
        Some(exercise) if reader.errors.is_empty() => Ok(exercise),
        _ => {
            if reader.errors.is_empty() {
                reader.invalid(dir, "the exercise could not be loaded");
            }
            Err(LoadErrors(reader.errors))
        }
    }
}

fn load_into(reader: &mut Reader<'_>, dir: &Path, catalog: &CatalogManifest) -> Option<Exercise> {
    let entries = reader.entries(dir)?;
    let mut files = BTreeMap::new();
    let mut dirs = BTreeMap::new();
    for entry in entries {
        let known = if entry.is_dir {
            EXERCISE_DIRS.contains(&entry.name.as_str())
        } else {
            EXERCISE_FILES.contains(&entry.name.as_str())
        };
        if !known {
            reader.invalid(
                &entry.path,
                format!(
                    "unexpected {}: an exercise holds {}, and the directories {}",
                    if entry.is_dir { "directory" } else { "file" },
                    EXERCISE_FILES.join(", "),
                    EXERCISE_DIRS.map(|d| format!("{d}/")).join(", "),
                ),
            );
        } else if entry.is_dir {
            dirs.insert(entry.name, entry.path);
        } else {
            files.insert(entry.name, entry.path);
        }
    }
    let manifest_path = dir.join(MANIFEST);
    if !files.contains_key(MANIFEST) {
        reader.invalid(&manifest_path, "missing: every exercise has a manifest");
        return None;
    }
    let text = reader.read_text(&manifest_path)?;
    let manifest: Manifest = match toml::from_str(&text) {
        Ok(manifest) => manifest,
        Err(e) => {
            reader.error(LoadError::Invalid {
                path: manifest_path,
                line: e.span().map(|s| line_of(&text, s.start)),
                message: e.message().to_owned(),
            });
            return None;
        }
    };
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
    // The catalog's defaults decide results too, so they are part of the fingerprint.
    reader.fingerprint.push(
        toml::to_string(catalog)
            .expect("catalog settings serialise")
            .as_bytes(),
    );

    let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if manifest.id != dir_name {
        reader.error(invalid_at(
            "id",
            format!(
                "the id `{}` does not match the directory name `{dir_name}`",
                manifest.id
            ),
        ));
    }
    match (manifest.kind, &manifest.function) {
        (Kind::Function, None) => reader.error(invalid_at(
            "kind",
            "a function exercise needs a [function] table naming the function".to_owned(),
        )),
        (Kind::Stdio, Some(_)) => reader.error(invalid_at(
            "[function]",
            "a stdio exercise has no [function] table".to_owned(),
        )),
        _ => {}
    }
    for error in manifest.limits.check() {
        reader.error(invalid_at(error.name, format!("[limits]: {error}")));
    }
    let default_comparison = manifest.comparison.clone().unwrap_or(match manifest.kind {
        Kind::Stdio => Comparison::Tokens,
        Kind::Function => Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        },
    });
    if let Err(m) = check_comparison(manifest.kind, &default_comparison) {
        reader.error(invalid_at("[comparison]", m));
    }

    let read_required = |reader: &mut Reader<'_>, name: &str| {
        let path = dir.join(name);
        if files.contains_key(name) {
            reader.read_text(&path)
        } else {
            reader.invalid(&path, "missing: every exercise has one");
            None
        }
    };
    let statement = read_required(reader, "statement.md");
    let starter = read_required(reader, "starter.py");
    let reference_path = dir.join("solution.py");
    let reference = if files.contains_key("solution.py") {
        reader.read(&reference_path)
    } else {
        if manifest.limits.fuel.is_none() {
            reader.invalid(
                &reference_path,
                "missing: the reference solution is required (fuel limits are relative to it) unless [limits] sets `fuel`",
            );
        }
        None
    };
    let generator_path = dir.join("generator.py");
    let generator = match (
        files.contains_key("generator.py"),
        manifest.generated.is_empty(),
    ) {
        (true, false) => reader.read(&generator_path),
        (false, false) => {
            reader.invalid(
                &generator_path,
                "missing: exercise.toml declares [[generated]] tests",
            );
            None
        }
        (true, true) => {
            reader.invalid(
                &generator_path,
                "a generator, but exercise.toml declares no [[generated]] tests",
            );
            None
        }
        (false, true) => None,
    };
    if !manifest.generated.is_empty() && !files.contains_key("solution.py") {
        reader.invalid(
            &reference_path,
            "missing: generated tests take their expected output from the reference solution",
        );
    }

    let mut tests = match dirs.get("tests") {
        Some(tests_dir) => load_tests(reader, tests_dir, &manifest, &default_comparison),
        None => {
            reader.invalid(
                dir.join("tests"),
                "missing: the exercise has no tests (add tests/public/ and tests/hidden/)",
            );
            Vec::new()
        }
    };
    for spec in &manifest.generated {
        if !valid_name(&spec.name) {
            reader.error(invalid_at(
                "[[generated]]",
                format!("invalid test name `{}` ({NAME_RULE})", spec.name),
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
            source: TestSource::Generated {
                args: spec.args.clone(),
                sha256: spec.sha256.clone(),
            },
        });
    }
    let mut names = BTreeSet::new();
    for test in &tests {
        if !names.insert(test.name.as_str()) {
            reader.invalid(
                dir.join("tests"),
                format!("two tests are named `{}`", test.name),
            );
        }
    }
    for name in manifest.tests.keys() {
        if !names.contains(name.as_str()) {
            reader.error(invalid_at(
                &format!("[tests.{name}"),
                format!("[tests.{name}] names no test of this exercise"),
            ));
        }
    }
    if tests.is_empty() && dirs.contains_key("tests") {
        reader.invalid(
            dir.join("tests"),
            "the exercise has no tests (add tests/public/ and tests/hidden/)",
        );
    }
    let known_bad = match dirs.get("submissions") {
        Some(path) => load_known_bad(reader, path),
        None => Vec::new(),
    };

    Some(Exercise {
        id: manifest.id.clone(),
        dir: dir.to_owned(),
        title: manifest.title.clone(),
        difficulty: manifest.difficulty,
        tags: manifest.tags.clone(),
        kind: manifest.kind,
        function: manifest.function.clone(),
        limits: manifest.limits.clone(),
        scoring: manifest.scoring,
        disclosure: manifest
            .reveal_hidden
            .or(catalog.reveal_hidden)
            .unwrap_or_default(),
        statement: statement?,
        starter: starter?,
        reference,
        generator,
        tests,
        known_bad,
        fingerprint: std::mem::take(&mut reader.fingerprint).hex(),
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

fn load_tests(
    reader: &mut Reader<'_>,
    tests_dir: &Path,
    manifest: &Manifest,
    default_comparison: &Comparison,
) -> Vec<Test> {
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
                reader.invalid(
                    &entry.path,
                    "unexpected entry: tests/ holds the directories public/ and hidden/",
                );
                continue;
            }
        };
        found.insert(visibility == Visibility::Hidden, (visibility, entry.path));
    }
    for (visibility, path) in found.into_values() {
        tests.extend(load_test_dir(
            reader,
            &path,
            manifest,
            visibility,
            default_comparison,
        ));
    }
    tests
}

fn load_test_dir(
    reader: &mut Reader<'_>,
    tests_dir: &Path,
    manifest: &Manifest,
    visibility: Visibility,
    default_comparison: &Comparison,
) -> Vec<Test> {
    let Some(entries) = reader.entries(tests_dir) else {
        return Vec::new();
    };
    // Per test name: which of its parts exist.
    let mut parts: BTreeMap<String, BTreeMap<&'static str, PathBuf>> = BTreeMap::new();
    for entry in entries {
        let (stem, ext) = entry.name.rsplit_once('.').unwrap_or((&entry.name, ""));
        let part = match (manifest.kind, ext, entry.is_dir) {
            (Kind::Stdio, "in", false) => "in",
            (Kind::Stdio, "out", false) => "out",
            (Kind::Stdio, "files", true) => "files",
            (Kind::Function, "json", false) => "json",
            _ => {
                let hint = match manifest.kind {
                    Kind::Stdio => {
                        "stdio tests are NAME.in and NAME.out, with an optional NAME.files/ directory"
                    }
                    Kind::Function => {
                        "function tests are NAME.json files with `args` and `expected`"
                    }
                };
                reader.invalid(&entry.path, format!("unexpected entry: {hint}"));
                continue;
            }
        };
        if !valid_name(stem) {
            reader.invalid(&entry.path, format!("invalid test name ({NAME_RULE})"));
            continue;
        }
        parts
            .entry(stem.to_owned())
            .or_default()
            .insert(part, entry.path);
    }
    let mut tests = Vec::new();
    for (name, parts) in parts {
        let settings = manifest.tests.get(&name).cloned().unwrap_or_default();
        let comparison = settings
            .comparison
            .clone()
            .unwrap_or_else(|| default_comparison.clone());
        if let Err(m) = check_comparison(manifest.kind, &comparison) {
            reader.invalid(reader.dir.join(MANIFEST), format!("[tests.{name}]: {m}"));
        }
        let data = match manifest.kind {
            Kind::Stdio => stdio_test(reader, tests_dir, &name, &parts),
            Kind::Function => function_test(reader, &parts["json"], manifest),
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

fn stdio_test(
    reader: &mut Reader<'_>,
    tests_dir: &Path,
    name: &str,
    parts: &BTreeMap<&'static str, PathBuf>,
) -> Option<TestData> {
    let Some(out) = parts.get("out") else {
        reader.invalid(
            tests_dir.join(format!("{name}.out")),
            format!("missing: test `{name}` has no expected output"),
        );
        return None;
    };
    let expected = reader.read_text(out);
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

fn function_test(reader: &mut Reader<'_>, path: &Path, manifest: &Manifest) -> Option<TestData> {
    let text = reader.read_text(path)?;
    let parsed: FunctionTestFile = match serde_json::from_str(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            reader.error(LoadError::Invalid {
                path: path.to_owned(),
                line: Some(e.line()),
                message: e.to_string(),
            });
            return None;
        }
    };
    let declared = manifest.function.as_ref().map_or(0, |f| f.params.len());
    match &parsed.args {
        Value::Array(args) if declared == 0 || args.len() == declared => {}
        Value::Array(args) => {
            reader.invalid(
                path,
                format!(
                    "`args` has {} values, but [function] declares {declared} params",
                    args.len()
                ),
            );
            return None;
        }
        _ => {
            reader.invalid(path, "`args` must be a JSON list");
            return None;
        }
    }
    Some(TestData::Function {
        args: parsed.args.to_string().into(),
        expected: Arc::new(parsed.expected),
    })
}

fn load_files(reader: &mut Reader<'_>, dir: &Path) -> Option<Vec<(String, Bytes)>> {
    let mut files = Vec::new();
    for entry in reader.entries(dir)? {
        if entry.is_dir {
            reader.invalid(&entry.path, "only plain files may be given to a run");
            continue;
        }
        if let Some(bytes) = reader.read(&entry.path) {
            files.push((entry.name, bytes));
        }
    }
    Some(files)
}

fn load_known_bad(reader: &mut Reader<'_>, root: &Path) -> Vec<KnownBad> {
    let mut known_bad = Vec::new();
    let Some(entries) = reader.entries(root) else {
        return known_bad;
    };
    for entry in entries {
        let expected = match Verdict::from_dir_name(&entry.name) {
            Some(verdict) if entry.is_dir => verdict,
            _ => {
                reader.invalid(
                    &entry.path,
                    format!(
                        "`{}` is not a verdict; known-bad solutions go in submissions/<verdict>/ with one of: {}",
                        entry.name,
                        Verdict::DIR_NAMES.join(", ")
                    ),
                );
                continue;
            }
        };
        let Some(files) = reader.entries(&entry.path) else {
            continue;
        };
        for file in files {
            if file.is_dir || !file.name.ends_with(".py") {
                reader.invalid(&file.path, "known-bad solutions are .py files");
                continue;
            }
            if let Some(source) = reader.read(&file.path) {
                known_bad.push(KnownBad {
                    file: format!("submissions/{}/{}", entry.name, file.name),
                    source,
                    expected,
                });
            }
        }
    }
    known_bad
}

/// A catalog: a directory of exercises, with optional `catalog.toml` defaults.
#[derive(Debug)]
pub struct Catalog {
    /// The catalog's directory.
    pub root: PathBuf,
    /// Its defaults.
    pub settings: CatalogManifest,
    /// The exercises that loaded, by id.
    pub exercises: Vec<Exercise>,
    /// Every problem found, exercise by exercise.
    pub errors: Vec<LoadError>,
}

const CATALOG_FILES: [&str; 2] = ["README.md", "catalog.toml"];

/// The exercise directories of the catalog at `root`, sorted by name, and its
/// settings. Entries starting with `.` (version control) are ignored; any
/// other file but README.md and catalog.toml, and any link, is an error.
pub fn exercise_dirs(root: &Path) -> Result<(Vec<PathBuf>, CatalogManifest), Vec<LoadError>> {
    let mut reader = Reader {
        dir: root,
        errors: Vec::new(),
        fingerprint: Key::new(),
    };
    let mut dirs = Vec::new();
    let mut settings = CatalogManifest::default();
    for entry in reader.entries(root).unwrap_or_default() {
        if entry.name.starts_with('.') {
            continue;
        }
        if entry.is_dir {
            dirs.push(entry.path);
        } else if entry.name == "catalog.toml" {
            if let Some(text) = reader.read_text(&entry.path) {
                match toml::from_str(&text) {
                    Ok(parsed) => settings = parsed,
                    Err(e) => reader.error(LoadError::Invalid {
                        path: entry.path,
                        line: e.span().map(|s| line_of(&text, s.start)),
                        message: e.message().to_owned(),
                    }),
                }
            }
        } else if !CATALOG_FILES.contains(&entry.name.as_str()) {
            reader.invalid(
                &entry.path,
                "unexpected file: a catalog holds exercise directories, README.md and catalog.toml",
            );
        }
    }
    if reader.errors.is_empty() {
        Ok((dirs, settings))
    } else {
        Err(reader.errors)
    }
}

/// Loads every exercise of the catalog at `root` (see [`exercise_dirs`]).
/// Returns all exercises that loaded and every error, so a caller can report
/// all problems at once.
pub fn load_catalog(root: &Path) -> Catalog {
    let (dirs, settings, mut errors) = match exercise_dirs(root) {
        Ok((dirs, settings)) => (dirs, settings, Vec::new()),
        Err(errors) => (Vec::new(), CatalogManifest::default(), errors),
    };
    let mut exercises = Vec::new();
    for dir in dirs {
        match load_with(&dir, &settings) {
            Ok(exercise) => exercises.push(exercise),
            Err(LoadErrors(e)) => errors.extend(e),
        }
    }
    Catalog {
        root: root.to_owned(),
        settings,
        exercises,
        errors,
    }
}
