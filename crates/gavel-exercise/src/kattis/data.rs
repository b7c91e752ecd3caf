//! `data/`: samples become public tests, secret test cases hidden ones, and
//! test data groups gavel groups with their rules.

use super::{Findings, Version};
use crate::load::valid_name;
use crate::manifest::{GroupSpec, OnFailure};
use serde_norway::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// One test case of the package.
#[derive(Debug)]
pub(super) struct TestCase {
    /// Its gavel name.
    pub(super) name: String,
    /// Where it comes from, under `data/` (without extension).
    pub(super) origin: String,
    pub(super) public: bool,
    pub(super) input: Vec<u8>,
    pub(super) answer: Vec<u8>,
    /// Its `.files/` directory.
    pub(super) files: Vec<(String, Vec<u8>)>,
    pub(super) group: Option<String>,
    pub(super) points: Option<u32>,
    /// The output validator's flags for this test, when the test data group
    /// adds some to the problem's.
    pub(super) flags: Vec<String>,
}

/// The package's tests and the groups with rules.
#[derive(Debug, Default)]
pub(super) struct TestData {
    pub(super) tests: Vec<TestCase>,
    pub(super) groups: BTreeMap<String, GroupSpec>,
}

/// A test data group's settings (`testdata.yaml`, `test_group.yaml`).
#[derive(Debug, Clone)]
struct Settings {
    on_reject_break: bool,
    accept_score: f64,
    grader_flags: Vec<String>,
    flags: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            on_reject_break: true,
            accept_score: 1.0,
            grader_flags: Vec::new(),
            flags: Vec::new(),
        }
    }
}

/// Walks the test data of `package`.
struct Walk<'a> {
    package: &'a Path,
    version: Version,
    scoring: bool,
    interactive: bool,
    found: &'a mut Findings,
    data: TestData,
    ignore_sample: bool,
}

fn words(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
        Value::Sequence(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Value::Mapping(map) => map.get("flags").map(words).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads the package's tests.
pub(super) fn read(
    package: &Path,
    version: Version,
    scoring: bool,
    interactive: bool,
    found: &mut Findings,
) -> TestData {
    let mut walk = Walk {
        package,
        version,
        scoring,
        interactive,
        found,
        data: TestData::default(),
        ignore_sample: false,
    };
    let data = package.join("data");
    if !data.is_dir() {
        walk.found.block(
            "data",
            "missing: a package's tests are in data/sample and data/secret",
        );
        return walk.data;
    }
    let root = walk.settings("data", &Settings::default());
    walk.ignore_sample = root.grader_flags.iter().any(|f| f == "ignore_sample");
    for entry in sorted_entries(&data) {
        match entry.as_str() {
            "sample" | "secret" => {
                let settings = walk.settings(&format!("data/{entry}"), &root);
                walk.dir(&format!("data/{entry}"), entry == "sample", &settings, 0);
            }
            "testdata.yaml" | "test_group.yaml" => {}
            other => walk.found.note(
                &format!("data/{other}"),
                "not used by gavel (only data/sample and data/secret are tests)",
            ),
        }
    }
    if walk.data.tests.iter().all(|t| t.public) {
        walk.found.block("data/secret", "has no test cases");
    }
    walk.data
}

/// The names in `dir` that are not hidden files, in order.
pub(super) fn sorted_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

impl Walk<'_> {
    /// The settings of the group at `rel` (under the package), from its file
    /// if it has one, else its parent's.
    fn settings(&mut self, rel: &str, parent: &Settings) -> Settings {
        let file = ["testdata.yaml", "test_group.yaml"]
            .into_iter()
            .map(|f| format!("{rel}/{f}"))
            .find(|f| self.package.join(f).is_file());
        let Some(file) = file else {
            return parent.clone();
        };
        let text = std::fs::read_to_string(self.package.join(&file)).unwrap_or_default();
        let map: BTreeMap<String, Value> = match serde_norway::from_str::<Option<_>>(&text) {
            Ok(map) => map.unwrap_or_default(),
            Err(e) => {
                self.found.block(&file, format!("is not valid YAML: {e}"));
                return parent.clone();
            }
        };
        // The legacy format uses the closest file as a whole; later formats
        // inherit key by key.
        let mut settings = match self.version {
            Version::Legacy => Settings::default(),
            Version::Modern => parent.clone(),
        };
        for (key, value) in &map {
            self.setting(&file, key, value, &mut settings);
        }
        settings
    }

    fn setting(&mut self, file: &str, key: &str, value: &Value, settings: &mut Settings) {
        match key {
            "on_reject" => match value.as_str() {
                Some("break") => settings.on_reject_break = true,
                Some("continue") => settings.on_reject_break = false,
                _ => self
                    .found
                    .block(file, "on_reject must be `break` or `continue`"),
            },
            "grading" if value.as_str() == Some("default") => {}
            "grading" => self
                .found
                .block(file, "a custom grader cannot run in gavel"),
            "grader_flags" => {
                settings.grader_flags = words(value);
                for flag in settings.grader_flags.clone() {
                    match flag.as_str() {
                        "min" | "sum" | "ignore_sample" => {}
                        "first_error" | "worst_error" => self.found.note(
                            file,
                            format!("grader flag `{flag}`: gavel's verdict is the most severe of its tests' (docs: exercises/README.md)"),
                        ),
                        other => self.found.block(
                            file,
                            format!("grader flag `{other}` has no gavel equivalent (gavel groups sum their tests' points, or are worth their points all or nothing)"),
                        ),
                    }
                }
            }
            "accept_score" => match number(value) {
                Some(score) => settings.accept_score = score,
                None => self.found.block(file, "accept_score must be a number"),
            },
            "reject_score" if number(value) == Some(0.0) => {}
            "reject_score" => self
                .found
                .block(file, "a non-zero reject_score has no gavel equivalent"),
            "output_validator_flags" | "output_validator_args" => settings.flags = words(value),
            "args" if words(value).is_empty() => {}
            "args" => self.found.block(
                file,
                "command-line arguments for submissions: gavel runs a program with none",
            ),
            "range"
            | "input_validator_flags"
            | "input_validator_args"
            | "full_feedback"
            | "static_validator_args"
            | "input_visualizer_args"
            | "output_visualizer_args" => {
                self.found
                    .note(file, format!("`{key}` is not used by gavel"));
            }
            other => self
                .found
                .note(file, format!("unknown key `{other}` ignored")),
        }
    }

    /// One directory of test data at `rel`; `depth` 0 is `sample` or `secret`.
    fn dir(&mut self, rel: &str, public: bool, settings: &Settings, depth: usize) {
        let dir = self.package.join(rel);
        let entries = sorted_entries(&dir);
        let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
        let mut has_tests = false;
        for name in &entries {
            let path = dir.join(name);
            if path.is_dir() {
                if name.ends_with(".files") {
                    continue;
                }
                let child = format!("{rel}/{name}");
                let child_settings = self.settings(&child, settings);
                if public && self.version == Version::Modern {
                    self.found
                        .block(&child, "data/sample must not hold test data groups");
                }
                self.dir(&child, public, &child_settings, depth + 1);
                continue;
            }
            if let Some(stem) = name.strip_suffix(".in") {
                has_tests = true;
                self.test(rel, stem, public, settings, depth);
            } else if let Some(stem) = name.strip_suffix(".ans") {
                if !entries.contains(&format!("{stem}.in")) {
                    self.found
                        .block(&format!("{rel}/{name}"), "an answer file without its `.in`");
                }
            } else if name.ends_with(".yaml") {
                if !matches!(name.as_str(), "testdata.yaml" | "test_group.yaml") {
                    self.case_settings(&format!("{rel}/{name}"));
                }
            } else {
                let kind = name.rsplit_once('.').map_or("", |(_, e)| e).to_owned();
                *skipped.entry(kind).or_default() += 1;
            }
        }
        for (kind, count) in skipped {
            let what = if kind.is_empty() {
                "files without an extension".to_owned()
            } else {
                format!("`.{kind}` files")
            };
            let why = match kind.as_str() {
                "interaction" => "gavel shows the transcript of a public interaction instead",
                "hint" | "desc" => "gavel has no per-test hints or descriptions",
                _ => "not used by gavel",
            };
            self.found.note(rel, format!("{count} {what}: {why}"));
        }
        if has_tests && !public && depth > 0 {
            self.group(rel, settings, depth);
        }
    }

    /// The gavel group of the secret test data group at `rel`.
    fn group(&mut self, rel: &str, settings: &Settings, depth: usize) {
        let name = group_name(rel);
        if self.scoring && depth > 1 {
            self.found.block(
                rel,
                "nested test data groups in a scoring problem: gavel's groups do not nest",
            );
        }
        let points = if self.scoring && settings.grader_flags.iter().any(|f| f == "min") {
            self.whole(rel, settings.accept_score)
        } else {
            None
        };
        let on_failure = if settings.on_reject_break {
            OnFailure::Skip
        } else {
            OnFailure::Continue
        };
        self.data.groups.insert(
            name,
            GroupSpec {
                points,
                on_failure,
                depends_on: Vec::new(),
            },
        );
    }

    /// A score as whole points, or a problem.
    fn whole(&mut self, rel: &str, score: f64) -> Option<u32> {
        if score >= 0.0 && score.fract() == 0.0 && score <= f64::from(u32::MAX) {
            Some(score as u32)
        } else {
            self.found.block(
                rel,
                format!("accept_score {score}: gavel's points are whole numbers"),
            );
            None
        }
    }

    /// A test case's own settings file (`NAME.yaml`, 2023-07 and later).
    fn case_settings(&mut self, file: &str) {
        let text = std::fs::read_to_string(self.package.join(file)).unwrap_or_default();
        let map: BTreeMap<String, Value> = match serde_norway::from_str::<Option<_>>(&text) {
            Ok(map) => map.unwrap_or_default(),
            Err(e) => {
                self.found.block(file, format!("is not valid YAML: {e}"));
                return;
            }
        };
        for (key, value) in &map {
            match key.as_str() {
                "args" if words(value).is_empty() => {}
                "output_validator_args" if words(value).is_empty() => {}
                "args" | "output_validator_args" => self.found.block(
                    file,
                    format!("per-test `{key}` cannot be imported (gavel passes none)"),
                ),
                _ => self
                    .found
                    .note(file, format!("`{key}` is not used by gavel")),
            }
        }
    }

    fn test(&mut self, rel: &str, stem: &str, public: bool, settings: &Settings, depth: usize) {
        let base = self.package.join(rel);
        let origin = format!("{rel}/{stem}");
        let read = |path: &Path| std::fs::read(path);
        let input = match read(&base.join(format!("{stem}.in"))) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.found
                    .block(&format!("{origin}.in"), format!("cannot be read: {e}"));
                return;
            }
        };
        let answer = match read(&base.join(format!("{stem}.ans"))) {
            Ok(bytes) => bytes,
            Err(_) if self.interactive => Vec::new(),
            Err(e) => {
                self.found
                    .block(&format!("{origin}.ans"), format!("cannot be read: {e}"));
                return;
            }
        };
        let files = self.case_files(&base.join(format!("{stem}.files")), &origin);
        let under = rel
            .split_once('/')
            .map(|(_, r)| r.split_once('/').map_or("", |(_, r)| r))
            .unwrap_or("");
        let name = if under.is_empty() {
            stem.to_owned()
        } else {
            format!("{}-{stem}", under.replace('/', "-"))
        };
        if !valid_name(&name) {
            self.found.block(
                &origin,
                format!("the test name `{name}` is not a gavel test name"),
            );
            return;
        }
        let group = (!public && depth > 0).then(|| group_name(rel));
        let points = if !self.scoring {
            None
        } else if public && self.ignore_sample {
            Some(0)
        } else if group.is_some() && settings.grader_flags.iter().any(|f| f == "min") {
            // The group is worth its points; its tests none of their own.
            None
        } else {
            self.whole(&origin, settings.accept_score)
        };
        self.data.tests.push(TestCase {
            name,
            origin,
            public,
            input,
            answer,
            files,
            group,
            points,
            flags: settings.flags.clone(),
        });
    }

    /// The files of a test's `.files/` directory (flat: gavel mounts one level).
    fn case_files(&mut self, dir: &Path, origin: &str) -> Vec<(String, Vec<u8>)> {
        if !dir.is_dir() {
            return Vec::new();
        }
        let mut files = Vec::new();
        for name in sorted_entries(dir) {
            let path = dir.join(&name);
            match std::fs::read(&path) {
                Ok(bytes) if path.is_file() => files.push((name, bytes)),
                _ => self.found.block(
                    &format!("{origin}.files/{name}"),
                    "only plain files are mounted for a test",
                ),
            }
        }
        files
    }
}

/// A gavel group name for the test data group at `data/secret/…`.
fn group_name(rel: &str) -> String {
    rel.trim_start_matches("data/secret/").replace('/', "-")
}
