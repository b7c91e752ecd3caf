//! A candidate's copy of an exercise: its statement, starter, public tests
//! (with each test's fuel budget fixed, since candidates have no reference
//! solution to derive it from) and, when it has them, its checker and
//! interactor. Nothing hidden: no hidden test, no reference, no known-bad
//! solution, no generator. `gavel export --public` writes one per exercise;
//! `gavel serve` sends one to `gavel fetch`.

use crate::prepare::{Prepared, Selection};
use bytes::Bytes;
use gavel_exercise::manifest::{Manifest, TestSettings};
use gavel_exercise::{Exercise, TestData, Visibility};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The files of an exercise's candidate copy, by path relative to the
/// exercise's directory.
#[derive(Debug, Clone, Default)]
pub struct PublicPack {
    /// Path → content.
    pub files: BTreeMap<String, Bytes>,
}

/// Why a pack cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The exercise was prepared with its hidden tests.
    #[error("a pack is made from an exercise prepared with its public tests only")]
    NotPublic,
    /// A function test could not be written as JSON.
    #[error("cannot write the test `{test}`: {source}")]
    Json {
        /// The test.
        test: String,
        /// Why.
        source: serde_json::Error,
    },
    /// The manifest could not be written as TOML.
    #[error("cannot write `exercise.toml`: {0}")]
    Toml(#[from] toml::ser::Error),
    /// A test-writing exercise's tests are implementations that stay with
    /// the judge.
    #[error(
        "exercise `{0}` is a test-writing exercise: its tests run against implementations that stay with the judge, so it has no pack; submit your tests instead"
    )]
    Suite(String),
}

/// A function test as a pack stores it.
#[derive(Serialize)]
struct FunctionTestFile<'a> {
    args: Value,
    expected: &'a Value,
}

/// Whether `exercise` has a pack at all: asked before preparing it, which a
/// test-writing exercise would do for nothing.
pub fn packable(exercise: &Exercise) -> Result<(), PackError> {
    match exercise.suite {
        Some(_) => Err(PackError::Suite(exercise.id.clone())),
        None => Ok(()),
    }
}

/// The candidate copy of `prepared` (prepared with [`Selection::Public`]).
pub fn public_pack(prepared: &Prepared) -> Result<PublicPack, PackError> {
    if prepared.selection != Selection::Public {
        return Err(PackError::NotPublic);
    }
    let exercise = &prepared.exercise;
    packable(exercise)?;
    let mut pack = PublicPack::default();
    let mut put = |path: String, bytes: Bytes| {
        pack.files.insert(path, bytes);
    };
    put("statement.md".into(), exercise.statement.clone().into());
    put("starter.py".into(), exercise.starter.clone().into());
    // The public tests cannot be judged without them; authors keep secrets
    // out of both (exercises/README.md).
    if let Some(checker) = &exercise.checker {
        put("checker.py".into(), checker.clone());
    }
    if let Some(interactor) = &exercise.interactor {
        put("interactor.py".into(), interactor.clone());
    }
    if let Some(native) = &exercise.native {
        put(native.file.clone(), native.source.clone());
        for (name, header) in &native.headers {
            put(name.clone(), header.clone());
        }
    }
    let mut manifest = exercise.manifest.clone();
    manifest.generated.clear();
    // Its inputs come from the generator, which a pack does not carry.
    manifest.complexity = None;
    manifest.tests.clear();
    keep_public_groups(&mut manifest, prepared);
    let mut max_fuel = 0;
    for test in &prepared.tests {
        debug_assert_eq!(test.test.visibility, Visibility::Public);
        let name = &test.test.name;
        // Generated public tests become plain files: the pack has no generator.
        match &test.data {
            TestData::Stdio {
                stdin,
                files,
                expected,
            } => {
                put(format!("tests/public/{name}.in"), stdin.clone());
                // An interactive test has no expected output: its interactor decides.
                if exercise.interactor.is_none() {
                    put(
                        format!("tests/public/{name}.out"),
                        Bytes::copy_from_slice(expected.as_bytes()),
                    );
                }
                for (file, bytes) in files.iter() {
                    put(format!("tests/public/{name}.files/{file}"), bytes.clone());
                }
            }
            TestData::Function { args, expected } => {
                let file = FunctionTestFile {
                    args: serde_json::from_str(args).map_err(|source| PackError::Json {
                        test: name.clone(),
                        source,
                    })?,
                    expected,
                };
                let text = serde_json::to_string(&file).map_err(|source| PackError::Json {
                    test: name.clone(),
                    source,
                })?;
                put(
                    format!("tests/public/{name}.json"),
                    format!("{text}\n").into(),
                );
            }
        }
        let settings = exercise
            .manifest
            .tests
            .get(name)
            .cloned()
            .unwrap_or_default();
        manifest.tests.insert(
            name.clone(),
            TestSettings {
                fuel: Some(test.limits.fuel),
                ..settings
            },
        );
        max_fuel = max_fuel.max(test.limits.fuel);
    }
    manifest.limits.fuel = Some(max_fuel);
    let text = toml::to_string(&manifest)?;
    put(
        "exercise.toml".into(),
        format!("# A candidate's copy of the exercise: public tests only.\n{text}").into(),
    );
    Ok(pack)
}

/// Drops the groups no public test belongs to, and dependencies on them: a
/// group must have tests, and the pack holds only the public ones.
fn keep_public_groups(manifest: &mut Manifest, prepared: &Prepared) {
    let used: BTreeSet<&str> = prepared
        .tests
        .iter()
        .filter_map(|t| t.test.group.as_deref())
        .collect();
    manifest
        .groups
        .retain(|name, _| used.contains(name.as_str()));
    for spec in manifest.groups.values_mut() {
        spec.depends_on.retain(|d| used.contains(d.as_str()));
    }
}
