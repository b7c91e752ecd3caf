//! Validating exercises for CI (`gavel check`): every exercise loads
//! strictly, its reference solution is accepted on every test, every
//! known-bad solution gets its declared verdict, generated tests have not
//! drifted, every test's fuel budget keeps its declared margin over the
//! reference, and no hidden test's name gives away its input; and making an
//! exercise's expectations its reference's (`--bless`).

mod bless;
mod check;
mod junit;

pub use bless::{BlessedChange, BlessedKind, Blessing, bless};
pub use check::{
    CatalogCheck, CheckProgress, ExerciseCheck, GeneratedCheck, KnownBadCheck, MarginCheck,
    ReferenceCheck, check, name_reveals_input,
};
pub use junit::{JunitError, junit};

use gavel_exercise::Exercise;
use std::path::PathBuf;
use std::sync::Arc;

/// What to check: exercises that loaded, and directories that did not (with
/// their load errors).
#[derive(Debug, Default)]
pub struct CheckTargets {
    /// Loaded exercises.
    pub exercises: Vec<Arc<Exercise>>,
    /// `(id, errors)` of exercises that did not load.
    pub broken: Vec<(String, Vec<String>)>,
}

/// `gavel check`'s directories: every exercise of a catalog, or given paths.
pub fn load_targets(
    dirs: &[PathBuf],
    settings: &gavel_exercise::manifest::CatalogManifest,
) -> CheckTargets {
    let mut targets = CheckTargets::default();
    for dir in dirs {
        match gavel_exercise::load_with(dir, settings) {
            Ok(exercise) => targets.exercises.push(Arc::new(exercise)),
            Err(errors) => {
                let id = dir.file_name().map_or_else(
                    || dir.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                targets.broken.push((
                    id,
                    errors
                        .0
                        .iter()
                        .map(|e| format!("does not load: {e}"))
                        .collect(),
                ));
            }
        }
    }
    targets
}
