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

#[cfg(test)]
mod tests {
    use crate::load::fixture::{errors, fixture, write};
    use crate::load::load;
    use crate::model::Visibility;

    /// The fixture turned into a test-writing exercise.
    fn suite_fixture() -> (tempfile::TempDir, std::path::PathBuf) {
        let (root, dir) = fixture();
        std::fs::remove_dir_all(dir.join("tests")).unwrap();
        write(
            &dir,
            "exercise.toml",
            "id = \"hello\"\ntitle = \"Hello\"\ndifficulty = \"easy\"\nkind = \"tests\"\n\n[suite]\nmodule = \"greet\"\n",
        );
        write(
            &dir,
            "implementation.py",
            "def greet(name):\n    return 'hi ' + name\n",
        );
        write(
            &dir,
            "chaffs/public/rude.py",
            "# says nothing\ndef greet(name):\n    return ''\n",
        );
        write(
            &dir,
            "chaffs/hidden/shout.py",
            "# shouts\ndef greet(name):\n    return 'HI ' + name\n",
        );
        (root, dir)
    }

    #[test]
    fn chaffs_become_tests_after_the_correct_implementation() {
        let (_root, dir) = suite_fixture();
        let exercise = load(&dir).unwrap();
        let names: Vec<&str> = exercise.tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["00-correct", "chaff-rude", "hidden-chaff-01"]);
        assert_eq!(exercise.tests[2].visibility, Visibility::Hidden);
        let suite = exercise.suite.as_ref().unwrap();
        assert_eq!(suite.chaffs[1].description, "shouts");
        // The description line is not part of the code that runs.
        assert!(!String::from_utf8_lossy(&suite.chaffs[1].source).contains("shouts"));
        assert_eq!(exercise.groups["bugs"].depends_on, ["correct"]);
        assert_eq!(exercise.max_points(), 2 + 2 + 4);
    }

    #[test]
    fn a_broken_suite_is_refused_naming_the_file() {
        let (_root, dir) = suite_fixture();
        write(
            &dir,
            "chaffs/hidden/shout.py",
            "def greet(name):\n    return 'HI'\n",
        );
        std::fs::remove_file(dir.join("implementation.py")).unwrap();
        let text = errors(&dir);
        assert!(text.contains("implementation.py"), "{text}");
        assert!(
            text.contains("shout.py: a chaff's first line is a `# …` comment describing its bug"),
            "{text}"
        );
        let (_root, dir) = suite_fixture();
        write(&dir, "tests/public/01.in", "a\n");
        assert!(errors(&dir).contains("a test-writing exercise has no stored tests"));
    }
}
