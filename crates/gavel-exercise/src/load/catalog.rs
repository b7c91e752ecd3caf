//! A catalog: a directory of exercises, with an optional `catalog.toml` of
//! defaults and an optional README.md.

use super::error::{LoadError, LoadErrors, LoadProblem};
use super::exercise::load_with;
use super::layout::CATALOG_FILES;
use super::reader::{Reader, line_of};
use crate::manifest::CatalogManifest;
use crate::model::Exercise;
use std::path::{Path, PathBuf};

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

/// The exercise directories of the catalog at `root`, sorted by name, and its
/// settings. Entries starting with `.` (version control) are ignored; any
/// other file but README.md and catalog.toml, and any link, is an error.
pub fn exercise_dirs(root: &Path) -> Result<(Vec<PathBuf>, CatalogManifest), Vec<LoadError>> {
    let mut reader = Reader::new(root);
    let mut dirs = Vec::new();
    let mut settings = CatalogManifest::default();
    for entry in reader.entries(root).unwrap_or_default() {
        if entry.name.starts_with('.') {
            continue;
        }
        if entry.is_dir {
            dirs.push(entry.path);
        } else if entry.name == "catalog.toml" {
            if let Some(parsed) = read_settings(&mut reader, entry.path) {
                settings = parsed;
            }
        } else if !CATALOG_FILES.contains(&entry.name.as_str()) {
            reader.invalid(&entry.path, LoadProblem::UnexpectedCatalogFile);
        }
    }
    if reader.has_errors() {
        Err(reader.into_errors())
    } else {
        Ok((dirs, settings))
    }
}

/// `catalog.toml`, if it reads and parses.
fn read_settings(reader: &mut Reader<'_>, path: PathBuf) -> Option<CatalogManifest> {
    let text = reader.read_text(&path)?;
    match toml::from_str(&text) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            reader.error(LoadError::Invalid {
                path,
                line: e.span().map(|s| line_of(&text, s.start)),
                problem: LoadProblem::Toml {
                    message: e.message().to_owned(),
                },
            });
            None
        }
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
    use crate::load::fixture::{MANIFEST_TEXT, fixture, write};
    use crate::model::Visibility;

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
            // A test-writing exercise's tests: the correct implementation
            // and at least 4 public and 6 hidden chaffs.
            let (public, hidden) = if exercise.suite.is_some() {
                (5, 6)
            } else {
                (3, 10)
            };
            assert!(
                exercise.count(Visibility::Public) >= public,
                "{}",
                exercise.id
            );
            assert!(
                exercise.count(Visibility::Hidden) >= hidden,
                "{}",
                exercise.id
            );
            assert!(!exercise.known_bad.is_empty(), "{}", exercise.id);
        }
    }

    #[test]
    fn a_malformed_catalog_toml_is_reported_at_its_line() {
        let (root, _dir) = fixture();
        std::fs::write(root.path().join("catalog.toml"), "\nreveal = 1\n").unwrap();
        let errors = exercise_dirs(root.path()).unwrap_err();
        let [LoadError::Invalid { line, problem, .. }] = &errors[..] else {
            panic!("{errors:#?}");
        };
        assert_eq!(*line, Some(2));
        assert!(matches!(problem, LoadProblem::Toml { .. }), "{problem:?}");
    }
}
