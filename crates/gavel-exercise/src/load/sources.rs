//! The exercise directory's top level: which entries it may hold, and its
//! texts and programs (statement, starter, reference, generator, checker,
//! interactor), each required or refused by what the manifest says.

use super::error::LoadProblem;
use super::layout::{EXERCISE_DIRS, EXERCISE_FILES, MANIFEST};
use super::reader::Reader;
use crate::manifest::{Kind, Manifest};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Names and paths of an exercise directory's entries.
pub(super) type Named = BTreeMap<String, PathBuf>;

/// The exercise directory's files and directories; anything the format does
/// not name is an error.
pub(super) fn top_entries(reader: &mut Reader<'_>, dir: &Path) -> Option<(Named, Named)> {
    let mut files = BTreeMap::new();
    let mut dirs = BTreeMap::new();
    for entry in reader.entries(dir)? {
        let known = if entry.is_dir {
            EXERCISE_DIRS.contains(&entry.name.as_str())
        } else {
            EXERCISE_FILES.contains(&entry.name.as_str())
        };
        if !known {
            let directory = entry.is_dir;
            reader.invalid(
                &entry.path,
                LoadProblem::UnexpectedExerciseEntry { directory },
            );
        } else if entry.is_dir {
            dirs.insert(entry.name, entry.path);
        } else {
            files.insert(entry.name, entry.path);
        }
    }
    Some((files, dirs))
}

/// The statement, the starter, the reference and the other programs.
pub(super) struct Sources {
    pub(super) statement: Option<String>,
    pub(super) starter: Option<String>,
    pub(super) reference: Option<Bytes>,
    pub(super) generator: Option<Bytes>,
    pub(super) checker: Option<Bytes>,
    pub(super) interactor: Option<Bytes>,
}

pub(super) fn read_sources(
    reader: &mut Reader<'_>,
    dir: &Path,
    files: &Named,
    manifest: &Manifest,
) -> Sources {
    let mut required = |name: &str| {
        let path = dir.join(name);
        if files.contains_key(name) {
            reader.read_text(&path)
        } else {
            reader.invalid(&path, LoadProblem::MissingRequiredFile);
            None
        }
    };
    let statement = required("statement.md");
    let starter = required("starter.py");
    let reference = read_reference(reader, dir, files, manifest);
    let generator = read_generator(reader, dir, files, manifest);
    if (!manifest.generated.is_empty() || manifest.complexity.is_some())
        && !files.contains_key("solution.py")
    {
        reader.invalid(
            dir.join("solution.py"),
            LoadProblem::GeneratedWithoutReference,
        );
    }
    let checker = files.get("checker.py").and_then(|path| reader.read(path));
    let interactor = files
        .get("interactor.py")
        .and_then(|path| reader.read(path));
    if interactor.is_some() && manifest.kind != Kind::Stdio {
        reader.invalid(dir.join("interactor.py"), LoadProblem::InteractorNotStdio);
    }
    if interactor.is_some() && checker.is_some() {
        reader.invalid(dir.join("checker.py"), LoadProblem::CheckerWithInteractor);
    }
    if (checker.is_some() || interactor.is_some()) && manifest.comparison.is_some() {
        reader.invalid(dir.join(MANIFEST), LoadProblem::ComparisonWithoutEffect);
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

/// `solution.py`, which fuel budgets are relative to.
fn read_reference(
    reader: &mut Reader<'_>,
    dir: &Path,
    files: &Named,
    manifest: &Manifest,
) -> Option<Bytes> {
    let path = dir.join("solution.py");
    if files.contains_key("solution.py") {
        reader.read(&path)
    } else {
        if manifest.limits.fuel.is_none() {
            reader.invalid(&path, LoadProblem::MissingReference);
        }
        None
    }
}

/// `generator.py`, there exactly when the manifest declares generated tests.
fn read_generator(
    reader: &mut Reader<'_>,
    dir: &Path,
    files: &Named,
    manifest: &Manifest,
) -> Option<Bytes> {
    let path = dir.join("generator.py");
    match (
        files.contains_key("generator.py"),
        manifest.generated.is_empty() && manifest.complexity.is_none(),
    ) {
        (true, false) => reader.read(&path),
        (false, false) => {
            reader.invalid(&path, LoadProblem::MissingGenerator);
            None
        }
        (true, true) => {
            reader.invalid(&path, LoadProblem::UnusedGenerator);
            None
        }
        (false, true) => None,
    }
}
