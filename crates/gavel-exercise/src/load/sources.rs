//! The exercise directory's top level: which entries it may hold, and its
//! texts and programs (statement, starter, reference, generator, checker,
//! interactor), each required or refused by what the manifest says.

use super::error::LoadProblem;
use super::layout::{EXERCISE_DIRS, EXERCISE_FILES, MANIFEST};
use super::reader::Reader;
use crate::manifest::{Kind, Manifest};
use crate::native::{self, NativeProgram, Role};
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
                || native::FILES.iter().any(|(name, ..)| *name == entry.name)
                || native::is_header(&entry.name)
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
    pub(super) native: Option<NativeProgram>,
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
    let native = read_native(reader, dir, files, manifest);
    if let Some(native) = &native {
        let python = match native.role {
            Role::Checker => checker.is_some().then_some("checker.py"),
            Role::Interactor => interactor.is_some().then_some("interactor.py"),
        };
        if let Some(python) = python {
            reader.invalid(
                dir.join(python),
                LoadProblem::TwoPrograms(native.file.clone()),
            );
        }
    }
    let native_role = native.as_ref().map(|n| n.role);
    let (checker_like, interactor_like) = (
        checker.is_some() || native_role == Some(Role::Checker),
        interactor.is_some() || native_role == Some(Role::Interactor),
    );
    if interactor_like && manifest.kind != Kind::Stdio {
        let file = native.as_ref().map_or("interactor.py", |n| n.file.as_str());
        reader.invalid(dir.join(file), LoadProblem::InteractorNotStdio);
    }
    if interactor_like && checker_like {
        let file = match native_role {
            Some(Role::Checker) => native.as_ref().map_or("checker.py", |n| n.file.as_str()),
            _ => "checker.py",
        };
        reader.invalid(dir.join(file), LoadProblem::CheckerWithInteractor);
    }
    if (checker_like || interactor_like) && manifest.comparison.is_some() {
        reader.invalid(dir.join(MANIFEST), LoadProblem::ComparisonWithoutEffect);
    }
    Sources {
        statement,
        starter,
        reference,
        generator,
        checker,
        interactor,
        native,
    }
}

/// The exercise's checker or interactor in C or C++, with the headers beside
/// it and the convention `[native]` names.
fn read_native(
    reader: &mut Reader<'_>,
    dir: &Path,
    files: &Named,
    manifest: &Manifest,
) -> Option<NativeProgram> {
    let present: Vec<_> = native::FILES
        .iter()
        .filter(|(name, ..)| files.contains_key(*name))
        .collect();
    let headers: Vec<&String> = files.keys().filter(|n| native::is_header(n)).collect();
    let Some(&&(file, role, language)) = present.first() else {
        if manifest.native.is_some() {
            reader.invalid(dir.join(MANIFEST), LoadProblem::NativeWithoutProgram);
        }
        if let Some(header) = headers.first() {
            reader.invalid(dir.join(header), LoadProblem::HeaderWithoutProgram);
        }
        return None;
    };
    if let Some(&&(second, ..)) = present.get(1) {
        reader.invalid(dir.join(second), LoadProblem::TwoPrograms(file.to_owned()));
    }
    let convention = manifest.native.clone().unwrap_or_default().convention;
    if role == Role::Interactor && !convention.has_interactors() {
        reader.invalid(
            dir.join(MANIFEST),
            LoadProblem::NoInteractorConvention(convention.name()),
        );
    }
    let path = dir.join(file);
    let source = reader.read(&path)?;
    if let Some((line, include)) = native::include_outside(&source) {
        reader.invalid(&path, LoadProblem::IncludeOutside { line, include });
    }
    let mut read_headers = Vec::new();
    for name in headers {
        let header = dir.join(name);
        let bytes = reader.read(&header)?;
        if let Some((line, include)) = native::include_outside(&bytes) {
            reader.invalid(&header, LoadProblem::IncludeOutside { line, include });
        }
        read_headers.push((name.clone(), bytes));
    }
    Some(NativeProgram {
        role,
        file: file.to_owned(),
        language,
        source,
        headers: read_headers,
        convention,
    })
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
