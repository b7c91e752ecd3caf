//! A test-writing exercise's implementations: `implementation.py` (correct)
//! and `chaffs/{public,hidden}/NAME.py` (buggy, each starting with a `#`
//! line that describes its bug).

use super::error::LoadProblem;
use super::layout::valid_name;
use super::reader::Reader;
use super::sources::Named;
use crate::manifest::{Kind, Manifest};
use crate::model::Visibility;
use crate::suite::{Chaff, Suite};
use std::path::Path;

/// The suite of a `kind = "tests"` exercise; for other kinds, refuses what
/// belongs to one.
pub(super) fn load_suite(
    reader: &mut Reader<'_>,
    dir: &Path,
    files: &Named,
    dirs: &Named,
    manifest: &Manifest,
) -> Option<Suite> {
    let fail = |reader: &mut Reader<'_>, path: &Path, reason: &str| {
        reader.invalid(
            path,
            LoadProblem::Suite {
                reason: reason.to_owned(),
            },
        );
    };
    if manifest.kind != Kind::Tests {
        for (name, is_dir) in [("implementation.py", false), ("chaffs", true)] {
            let there = if is_dir {
                dirs.contains_key(name)
            } else {
                files.contains_key(name)
            };
            if there {
                fail(
                    reader,
                    &dir.join(name),
                    "only a test-writing exercise (kind = \"tests\") has this",
                );
            }
        }
        return None;
    }
    if dirs.contains_key("tests") {
        fail(
            reader,
            &dir.join("tests"),
            "a test-writing exercise has no stored tests: its tests are the chaffs in chaffs/",
        );
    }
    let implementation = match files.get("implementation.py") {
        Some(path) => reader.read(path),
        None => {
            reader.invalid(
                dir.join("implementation.py"),
                LoadProblem::MissingRequiredFile,
            );
            None
        }
    };
    let Some(chaffs_dir) = dirs.get("chaffs") else {
        reader.invalid(dir.join("chaffs"), LoadProblem::MissingRequiredFile);
        return None;
    };
    let mut chaffs = Vec::new();
    for entry in reader.entries(chaffs_dir)? {
        let visibility = match (entry.name.as_str(), entry.is_dir) {
            ("public", true) => Visibility::Public,
            ("hidden", true) => Visibility::Hidden,
            _ => {
                fail(
                    reader,
                    &entry.path,
                    "chaffs/ holds only public/ and hidden/",
                );
                continue;
            }
        };
        for file in reader.entries(&entry.path)? {
            match chaff(reader, &file.path, &file.name, visibility) {
                Ok(Some(chaff)) => chaffs.push(chaff),
                Ok(None) => {}
                Err(reason) => fail(reader, &file.path, &reason),
            }
        }
    }
    // Public first (the directory order), each by name.
    chaffs.sort_by_key(|c| c.visibility == Visibility::Hidden);
    if chaffs.is_empty() {
        fail(
            reader,
            chaffs_dir,
            "no chaffs: add buggy implementations to chaffs/public/ or chaffs/hidden/",
        );
    }
    let spec = manifest.suite.clone()?;
    Some(Suite {
        spec,
        implementation: implementation?,
        chaffs,
    })
}

fn chaff(
    reader: &mut Reader<'_>,
    path: &Path,
    name: &str,
    visibility: Visibility,
) -> Result<Option<Chaff>, String> {
    let Some(stem) = name.strip_suffix(".py") else {
        return Err("a chaff is a .py file".to_owned());
    };
    if !valid_name(stem) {
        return Err(format!("`{stem}` is not a valid chaff name"));
    }
    let Some(text) = reader.read_text(path) else {
        return Ok(None);
    };
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let description = first
        .strip_prefix('#')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .ok_or("a chaff's first line is a `# …` comment describing its bug")?;
    Ok(Some(Chaff {
        name: stem.to_owned(),
        visibility,
        description: description.to_owned(),
        source: rest.to_owned().into(),
    }))
}
