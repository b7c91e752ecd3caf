//! `submissions/<verdict>/*.py`: known-bad solutions and the verdict each
//! must get.

use super::error::LoadProblem;
use super::reader::Reader;
use crate::model::KnownBad;
use crate::verdict::Verdict;
use std::path::Path;

/// Every known-bad solution under `root` (`submissions/`), by verdict
/// directory, then by name.
pub(super) fn load_known_bad(reader: &mut Reader<'_>, root: &Path) -> Vec<KnownBad> {
    let mut known_bad = Vec::new();
    let Some(entries) = reader.entries(root) else {
        return known_bad;
    };
    for entry in entries {
        let expected = match Verdict::from_dir_name(&entry.name) {
            Some(verdict) if entry.is_dir => verdict,
            _ => {
                let name = entry.name;
                reader.invalid(&entry.path, LoadProblem::NotAVerdict { name });
                continue;
            }
        };
        let Some(files) = reader.entries(&entry.path) else {
            continue;
        };
        for file in files {
            if file.is_dir || !file.name.ends_with(".py") {
                reader.invalid(&file.path, LoadProblem::KnownBadNotPython);
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
