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
use gavel_core::limits;
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

/// What may stand in an exercise directory.
const EXERCISE_FILES: [&str; 7] = [
    MANIFEST,
    "statement.md",
    "starter.py",
    "solution.py",
    "generator.py",
    "checker.py",
    "interactor.py",
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
    /// and without blocking on a FIFO, if it is at most [`MAX_FILE`].
    fn read(&mut self, path: &Path) -> Option<Bytes> {
        self.read_at_most(path, Cap::File).map(Bytes::from)
    }

    fn read_at_most(&mut self, path: &Path, cap: Cap) -> Option<Vec<u8>> {
        match read_plain_file(path, cap) {
            Ok(bytes) => {
                let relative = path.strip_prefix(self.dir).unwrap_or(path);
                self.fingerprint.push(relative.to_string_lossy().as_bytes());
                self.fingerprint.push(&bytes);
                Some(bytes)
            }
            Err(error) => {
                self.error(error);
                None
            }
        }
    }

    fn read_text(&mut self, path: &Path) -> Option<String> {
        self.read_text_at_most(path, Cap::File)
    }

    fn read_text_at_most(&mut self, path: &Path, cap: Cap) -> Option<String> {
        let bytes = self.read_at_most(path, cap)?;
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                self.invalid(path, format!("not UTF-8 text ({})", e.utf8_error()));
                None
            }
        }
    }
}

/// The largest file a catalog may hold: what the loader keeps in memory is
/// bounded by the catalog's size, never by a single file's.
pub(crate) const MAX_FILE: u64 = limits::kib(limits::OUTPUT_RANGE.1);

/// How large a file the loader reads.
#[derive(Debug, Clone, Copy)]
enum Cap {
    /// Any catalog file: [`MAX_FILE`].
    File,
    /// An expected output: no larger than the output a run may print (in
    /// bytes), or no program could match it.
    Output(u64),
}

impl Cap {
    fn bytes(self) -> u64 {
        match self {
            Cap::File => MAX_FILE,
            Cap::Output(limit) => limit.min(MAX_FILE),
        }
    }

    fn refusal(self, size: u64) -> String {
        let shown = |n: u64| {
            if n >= 1 << 20 {
                format!("{:.1} MiB", n as f64 / f64::from(1 << 20))
            } else {
                format!("{:.1} KiB", n as f64 / 1024.0)
            }
        };
        match self {
            Cap::File => format!(
                "{}, larger than the {} a catalog file may be",
                shown(size),
                shown(MAX_FILE)
            ),
            Cap::Output(limit) => format!(
                "{}, larger than the exercise's output limit ({} KiB): no program could print it \
                 (raise `output` in [limits], or shorten the test)",
                shown(size),
                limit / 1024
            ),
        }
    }
}

fn read_plain_file(path: &Path, cap: Cap) -> Result<Vec<u8>, LoadError> {
    use gavel_core::fs::{PlainFileError, read_plain};
    read_plain(path, cap.bytes()).map_err(|e| match e {
        PlainFileError::Link => {
            LoadError::invalid(path, "a symbolic link: links are not allowed in a catalog")
        }
        PlainFileError::NotPlain => LoadError::invalid(
            path,
            "not a plain file (a FIFO, socket, device or directory)",
        ),
        PlainFileError::TooLarge { size, .. } => LoadError::invalid(path, cap.refusal(size)),
        PlainFileError::Io(source) => LoadError::Io {
            path: path.to_owned(),
            source,
        },
    })
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

/// The manifest's text, to point errors at the line of a key.
struct ManifestText {
    path: PathBuf,
    text: String,
}

impl ManifestText {
    fn invalid_at(&self, key: &str, message: String) -> LoadError {
        LoadError::Invalid {
            path: self.path.clone(),
            line: self
                .text
                .lines()
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + 1),
            message,
        }
    }
}

/// The exercise directory's entries, by kind; anything unknown is an error.
fn top_entries(
    reader: &mut Reader<'_>,
    dir: &Path,
) -> Option<(BTreeMap<String, PathBuf>, BTreeMap<String, PathBuf>)> {
    let mut files = BTreeMap::new();
    let mut dirs = BTreeMap::new();
    for entry in reader.entries(dir)? {
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
    Some((files, dirs))
}

/// Reads and parses the manifest, and checks it against the directory.
fn read_manifest(
    reader: &mut Reader<'_>,
    dir: &Path,
    files: &BTreeMap<String, PathBuf>,
) -> Option<(Manifest, ManifestText)> {
    let path = dir.join(MANIFEST);
    if !files.contains_key(MANIFEST) {
        reader.invalid(&path, "missing: every exercise has a manifest");
        return None;
    }
    let text = reader.read_text(&path)?;
    let manifest: Manifest = match toml::from_str(&text) {
        Ok(manifest) => manifest,
        Err(e) => {
            reader.error(LoadError::Invalid {
                line: e.span().map(|s| line_of(&text, s.start)),
                path,
                message: e.message().to_owned(),
            });
            return None;
        }
    };
    let source = ManifestText { path, text };
    let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if manifest.id != dir_name {
        reader.error(source.invalid_at(
            "id",
            format!(
                "the id `{}` does not match the directory name `{dir_name}`",
                manifest.id
            ),
        ));
    }
    match (manifest.kind, &manifest.function) {
        (Kind::Function, None) => reader.error(source.invalid_at(
            "kind",
            "a function exercise needs a [function] table naming the function".to_owned(),
        )),
        (Kind::Stdio, Some(_)) => reader.error(source.invalid_at(
            "[function]",
            "a stdio exercise has no [function] table".to_owned(),
        )),
        _ => {}
    }
    for error in manifest.limits.check() {
        reader.error(source.invalid_at(error.name, format!("[limits]: {error}")));
    }
    Some((manifest, source))
}

/// The statement, the starter, the reference and the generator.
struct Sources {
    statement: Option<String>,
    starter: Option<String>,
    reference: Option<Bytes>,
    generator: Option<Bytes>,
    checker: Option<Bytes>,
    interactor: Option<Bytes>,
}

fn read_sources(
    reader: &mut Reader<'_>,
    dir: &Path,
    files: &BTreeMap<String, PathBuf>,
    manifest: &Manifest,
) -> Sources {
    let mut required = |name: &str| {
        let path = dir.join(name);
        if files.contains_key(name) {
            reader.read_text(&path)
        } else {
            reader.invalid(&path, "missing: every exercise has one");
            None
        }
    };
    let statement = required("statement.md");
    let starter = required("starter.py");
    let reference_path = dir.join("solution.py");
    let has_reference = files.contains_key("solution.py");
    let reference = if has_reference {
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
    if !manifest.generated.is_empty() && !has_reference {
        reader.invalid(
            &reference_path,
            "missing: generated tests take their expected output from the reference solution",
        );
    }
    let checker = files.get("checker.py").and_then(|path| reader.read(path));
    let interactor = files
        .get("interactor.py")
        .and_then(|path| reader.read(path));
    if interactor.is_some() && manifest.kind != Kind::Stdio {
        reader.invalid(
            dir.join("interactor.py"),
            "an interactor talks over stdin and stdout: only stdio exercises have one",
        );
    }
    if interactor.is_some() && checker.is_some() {
        reader.invalid(
            dir.join("checker.py"),
            "the interactor decides: an interactive exercise has no checker",
        );
    }
    if (checker.is_some() || interactor.is_some()) && manifest.comparison.is_some() {
        reader.invalid(
            dir.join(MANIFEST),
            "[comparison] has no effect: the checker or the interactor decides",
        );
    }
    Sources {
        statement,
        starter,
        reference,
        generator,
        checker,
        interactor,
    }
}

/// Every group with rules has tests, depends on declared groups only, and no
/// group depends on itself through others.
fn check_groups(
    reader: &mut Reader<'_>,
    manifest: &Manifest,
    source: &ManifestText,
    tests: &[Test],
) {
    for (name, spec) in &manifest.groups {
        if !tests.iter().any(|t| t.group.as_deref() == Some(name)) {
            reader.error(source.invalid_at(
                &format!("[groups.{name}"),
                format!("[groups.{name}] has no tests (give tests `group = \"{name}\"`)"),
            ));
        }
        for dependency in &spec.depends_on {
            if !manifest.groups.contains_key(dependency) {
                reader.error(source.invalid_at(
                    &format!("[groups.{name}"),
                    format!(
                        "[groups.{name}] depends on `{dependency}`, which is not a [groups.…] table"
                    ),
                ));
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit<'a>(
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
            if let Some(cycle) = visit(dependency, manifest, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for name in manifest.groups.keys() {
        if let Some(cycle) = visit(name, manifest, &mut Vec::new(), &mut done) {
            reader.error(source.invalid_at(
                &format!("[groups.{name}"),
                format!(
                    "groups depend on each other in a cycle: {}",
                    cycle.join(" -> ")
                ),
            ));
            break;
        }
    }
}

/// Every test: stored ones, then generated ones; names must be unique and
/// every `[tests.NAME]` must name one.
fn collect_tests(
    reader: &mut Reader<'_>,
    dir: &Path,
    dirs: &BTreeMap<String, PathBuf>,
    manifest: &Manifest,
    source: &ManifestText,
    default_comparison: &Comparison,
    interactive: bool,
) -> Vec<Test> {
    let mut tests = match dirs.get("tests") {
        Some(tests_dir) => load_tests(reader, tests_dir, manifest, default_comparison, interactive),
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
            reader.error(source.invalid_at(
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
            reader.error(source.invalid_at(
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
    tests
}

fn load_into(reader: &mut Reader<'_>, dir: &Path, catalog: &CatalogManifest) -> Option<Exercise> {
    let (files, dirs) = top_entries(reader, dir)?;
    let (manifest, source) = read_manifest(reader, dir, &files)?;
    // The catalog's defaults decide results too, so they are part of the fingerprint.
    reader.fingerprint.push(
        toml::to_string(catalog)
            .expect("catalog settings serialise")
            .as_bytes(),
    );
    let default_comparison = manifest.comparison.clone().unwrap_or(match manifest.kind {
        Kind::Stdio => Comparison::tokens(),
        Kind::Function => Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        },
    });
    if let Err(m) = check_comparison(manifest.kind, &default_comparison) {
        reader.error(source.invalid_at("[comparison]", m));
    }
    let sources = read_sources(reader, dir, &files, &manifest);
    let interactive = sources.interactor.is_some();
    let tests = collect_tests(
        reader,
        dir,
        &dirs,
        &manifest,
        &source,
        &default_comparison,
        interactive,
    );
    check_groups(reader, &manifest, &source, &tests);
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
        statement: sources.statement?,
        starter: sources.starter?,
        reference: sources.reference,
        generator: sources.generator,
        checker: sources.checker,
        interactor: sources.interactor,
        groups: manifest.groups.clone(),
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
    interactive: bool,
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
            interactive,
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
    interactive: bool,
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
            Kind::Stdio => stdio_test(
                reader,
                tests_dir,
                &name,
                &parts,
                interactive,
                limits::kib(manifest.limits.output),
            ),
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
    interactive: bool,
    output_limit: u64,
) -> Option<TestData> {
    let expected = match (parts.get("out"), interactive) {
        (Some(out), false) => reader.read_text_at_most(out, Cap::Output(output_limit)),
        (None, true) => Some(String::new()),
        (Some(out), true) => {
            reader.invalid(out, "an interactive test has no expected output: the interactor decides (its input is NAME.in)");
            return None;
        }
        (None, false) => {
            reader.invalid(
                tests_dir.join(format!("{name}.out")),
                format!("missing: test `{name}` has no expected output"),
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

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST_TEXT: &str =
        "id = \"hello\"\ntitle = \"Hello\"\ndifficulty = \"easy\"\nkind = \"stdio\"\n";

    /// A valid stdio exercise `hello` in a temporary catalog.
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

    #[track_caller]
    fn errors(dir: &Path) -> String {
        load(dir).unwrap_err().to_string()
    }

    fn write(dir: &Path, file: &str, text: &str) {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[cfg(unix)]
    fn link(target: &str, dir: &Path, file: &str) {
        std::os::unix::fs::symlink(target, dir.join(file)).unwrap();
    }

    #[cfg(unix)]
    fn fifo(dir: &Path, file: &str) {
        let path = std::ffi::CString::new(dir.join(file).to_str().unwrap()).unwrap();
        // SAFETY: mkfifo only creates a file at a valid, NUL-terminated path.
        #[allow(unsafe_code)]
        let made = unsafe { libc::mkfifo(path.as_ptr(), 0o644) };
        assert_eq!(made, 0);
    }

    /// One malformed exercise per row, made from the valid fixture, and the
    /// message its load error must end with.
    #[test]
    fn every_malformed_exercise_gets_a_message_naming_its_file() {
        type Damage = fn(&Path);
        let rows: Vec<(&str, Damage, &str)> = vec![
            (
                "unknown manifest key",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}colour = \"red\"\n"),
                    )
                },
                "exercise.toml:5: unknown field `colour`, expected one of `id`, `title`, `difficulty`, `tags`, `kind`, `function`, `limits`, `comparison`, `scoring`, `reveal_hidden`, `tests`, `groups`, `generated`",
            ),
            (
                "id of another directory",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &MANIFEST_TEXT.replace("\"hello\"", "\"other\""),
                    )
                },
                "exercise.toml:1: the id `other` does not match the directory name `hello`",
            ),
            (
                "no expected output",
                |d| std::fs::remove_file(d.join("tests/hidden/02.out")).unwrap(),
                "02.out: missing: test `02` has no expected output",
            ),
            (
                "an expected output no program could print",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\noutput = 1\n"),
                    );
                    write(d, "tests/hidden/02.out", &"x".repeat(3000));
                },
                "02.out: 2.9 KiB, larger than the exercise's output limit (1 KiB): no program could print it (raise `output` in [limits], or shorten the test)",
            ),
            (
                "no statement",
                |d| std::fs::remove_file(d.join("statement.md")).unwrap(),
                "statement.md: missing: every exercise has one",
            ),
            (
                "no reference",
                |d| std::fs::remove_file(d.join("solution.py")).unwrap(),
                "solution.py: missing: the reference solution is required (fuel limits are relative to it) unless [limits] sets `fuel`",
            ),
            (
                "stray file among tests",
                |d| write(d, "tests/public/notes.txt", "x"),
                "notes.txt: unexpected entry: stdio tests are NAME.in and NAME.out, with an optional NAME.files/ directory",
            ),
            (
                "misspelled hidden directory",
                |d| {
                    std::fs::rename(d.join("tests/hidden"), d.join("tests/hiden")).unwrap();
                },
                "tests/hiden: unexpected entry: tests/ holds the directories public/ and hidden/",
            ),
            (
                "stray file in the exercise",
                |d| write(d, "notes.md", "x"),
                "notes.md: unexpected file: an exercise holds exercise.toml, statement.md, starter.py, solution.py, generator.py, checker.py, interactor.py, and the directories tests/, submissions/",
            ),
            (
                "a group depending on nothing declared",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!(
                            "{MANIFEST_TEXT}[tests.01]\ngroup = \"a\"\n[groups.a]\ndepends_on = [\"b\"]\n"
                        ),
                    )
                },
                "exercise.toml:7: [groups.a] depends on `b`, which is not a [groups.…] table",
            ),
            (
                "groups in a cycle",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!(
                            "{MANIFEST_TEXT}[tests.01]\ngroup = \"a\"\n[tests.02]\ngroup = \"b\"\n[groups.a]\ndepends_on = [\"b\"]\n[groups.b]\ndepends_on = [\"a\"]\n"
                        ),
                    )
                },
                "exercise.toml:9: groups depend on each other in a cycle: a -> b -> a",
            ),
            (
                "a group without tests",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[groups.empty]\non_failure = \"skip\"\n"),
                    )
                },
                "exercise.toml:5: [groups.empty] has no tests (give tests `group = \"empty\"`)",
            ),
            (
                "an interactive test with expected output",
                |d| write(d, "interactor.py", "def interact(i): pass\n"),
                "01.out: an interactive test has no expected output: the interactor decides (its input is NAME.in)",
            ),
            (
                "a checker and a comparison",
                |d| {
                    write(d, "checker.py", "def check(i, e, o): pass\n");
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[comparison]\nmode = \"exact\"\n"),
                    );
                },
                "exercise.toml: [comparison] has no effect: the checker or the interactor decides",
            ),
            (
                "settings of no test",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[tests.99]\npoints = 2\n"),
                    )
                },
                "exercise.toml:5: [tests.99] names no test of this exercise",
            ),
            (
                "a test named `..`",
                |d| {
                    write(d, "tests/public/...in", "x");
                    write(d, "tests/public/...out", "x");
                },
                "...out: invalid test name (a letter or digit first, then letters, digits, `-`, `_` or `.`)",
            ),
            (
                "memory 0",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\nmemory = 0\n"),
                    )
                },
                "exercise.toml:6: [limits]: `memory` must be between 32 and 4096 MiB, not 0",
            ),
            (
                "fuel 0",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\nfuel = 0\n"),
                    )
                },
                "exercise.toml:6: [limits]: `fuel` must be between 1000000 and 1000000000000, not 0",
            ),
            (
                "output 0",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\noutput = 0\n"),
                    )
                },
                "exercise.toml:6: [limits]: `output` must be between 1 and 65536 KiB, not 0",
            ),
            (
                "wall time 1e-9",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\nwall_time = 1e-9\n"),
                    )
                },
                "exercise.toml:6: [limits]: `wall_time` must be between 0.01 and 3600 seconds, not 0.000000001",
            ),
            (
                "a directory that is not a verdict",
                |d| std::fs::create_dir_all(d.join("submissions/slow")).unwrap(),
                "submissions/slow: `slow` is not a verdict; known-bad solutions go in submissions/<verdict>/ with one of: accepted, wrong_answer, time_limit, memory_limit, output_limit, runtime_error, compile_error",
            ),
            (
                "a generator without generated tests",
                |d| write(d, "generator.py", "print(1)"),
                "generator.py: a generator, but exercise.toml declares no [[generated]] tests",
            ),
            (
                "generated tests without a generator",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[[generated]]\nname = \"big\"\nargs = \"1000\"\n"),
                    )
                },
                "generator.py: missing: exercise.toml declares [[generated]] tests",
            ),
            (
                "statement not UTF-8",
                |d| std::fs::write(d.join("statement.md"), b"\xff\xfe").unwrap(),
                "statement.md: not UTF-8 text (invalid utf-8 sequence of 1 bytes from index 0)",
            ),
        ];
        #[cfg(unix)]
        let rows = {
            let mut rows = rows;
            rows.extend::<Vec<(&str, Damage, &str)>>(vec![
                ("a linked input outside the catalog", |d| { std::fs::remove_file(d.join("tests/public/01.in")).unwrap(); link("/etc/passwd", d, "tests/public/01.in"); },
                    "01.in: a symbolic link (to `/etc/passwd`): links are not allowed in a catalog, which must hold its own files"),
                ("a linked files directory", |d| link("/etc", d, "tests/public/01.files"),
                    "01.files: a symbolic link (to `/etc`): links are not allowed in a catalog, which must hold its own files"),
                ("a linked test directory", |d| { std::fs::remove_dir_all(d.join("tests/public")).unwrap(); link("/tmp", d, "tests/public"); },
                    "tests/public: a symbolic link (to `/tmp`): links are not allowed in a catalog, which must hold its own files"),
                ("a FIFO in the exercise", |d| fifo(d, "pipe"),
                    "pipe: not a plain file or directory (a FIFO, socket or device)"),
                ("a FIFO as a test's input", |d| { std::fs::remove_file(d.join("tests/public/01.in")).unwrap(); fifo(d, "tests/public/01.in"); },
                    "01.in: not a plain file or directory (a FIFO, socket or device)"),
            ]);
            rows
        };
        for (case, damage, message) in rows {
            let (_root, dir) = fixture();
            damage(&dir);
            let text = errors(&dir);
            assert!(
                text.lines().any(|l| l.ends_with(message)),
                "{case}: expected an error ending with\n  {message}\ngot\n  {text}"
            );
        }
    }

    #[test]
    fn every_problem_of_an_exercise_is_reported_at_once() {
        let (_root, dir) = fixture();
        std::fs::remove_file(dir.join("statement.md")).unwrap();
        std::fs::remove_file(dir.join("tests/hidden/02.out")).unwrap();
        write(
            &dir,
            "exercise.toml",
            &format!("{MANIFEST_TEXT}[limits]\nmemory = 0\n"),
        );
        let LoadErrors(errors) = load(&dir).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:#?}");
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
        assert_eq!(exercise.fingerprint, load(&dir).unwrap().fingerprint);
        write(&dir, "tests/hidden/02.out", "changed\n");
        assert_ne!(exercise.fingerprint, load(&dir).unwrap().fingerprint);
    }

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

    #[test]
    fn a_catalog_reports_every_broken_exercise_and_stray_entry() {
        let (root, dir) = fixture();
        std::fs::create_dir_all(root.path().join("empty")).unwrap();
        std::fs::write(root.path().join("notes.txt"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&dir, root.path().join("alias")).unwrap();
        let catalog = load_catalog(root.path());
        let errors: Vec<String> = catalog.errors.iter().map(|e| e.to_string()).collect();
        assert!(errors.iter().any(|e| e.ends_with("notes.txt: unexpected file: a catalog holds exercise directories, README.md and catalog.toml")), "{errors:#?}");
        #[cfg(unix)]
        assert!(
            errors.iter().any(|e| e.contains("alias: a symbolic link")),
            "{errors:#?}"
        );
        let catalog = {
            std::fs::remove_file(root.path().join("notes.txt")).unwrap();
            #[cfg(unix)]
            std::fs::remove_file(root.path().join("alias")).unwrap();
            load_catalog(root.path())
        };
        assert_eq!(catalog.exercises.len(), 1);
        assert_eq!(catalog.errors.len(), 1, "{:#?}", catalog.errors);
        assert!(
            catalog.errors[0]
                .to_string()
                .contains("empty/exercise.toml: missing")
        );
    }

    #[test]
    fn the_catalog_sets_what_hidden_tests_reveal_unless_the_exercise_does() {
        let (root, dir) = fixture();
        std::fs::write(
            root.path().join("catalog.toml"),
            "reveal_hidden = \"score\"\n",
        )
        .unwrap();
        let catalog = load_catalog(root.path());
        assert_eq!(catalog.exercises[0].disclosure, crate::Disclosure::Score);
        write(
            &dir,
            "exercise.toml",
            &format!("{MANIFEST_TEXT}reveal_hidden = \"full\"\n"),
        );
        let catalog = load_catalog(root.path());
        assert_eq!(catalog.exercises[0].disclosure, crate::Disclosure::Full);
    }

    #[test]
    fn the_built_in_catalog_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exercises");
        let catalog = load_catalog(&root);
        assert!(catalog.errors.is_empty(), "{:#?}", catalog.errors);
        assert!(
            catalog.exercises.len() >= 20,
            "{} exercises",
            catalog.exercises.len()
        );
        for exercise in &catalog.exercises {
            assert!(exercise.count(Visibility::Public) >= 3, "{}", exercise.id);
            assert!(exercise.count(Visibility::Hidden) >= 10, "{}", exercise.id);
            assert!(!exercise.known_bad.is_empty(), "{}", exercise.id);
        }
    }
}
