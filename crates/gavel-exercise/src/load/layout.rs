//! The names the format gives to the entries of an exercise and of a
//! catalog. Errors quote these lists, so they live apart from the code that
//! walks the directories.

/// The manifest's file name.
pub(super) const MANIFEST: &str = "exercise.toml";

/// What may stand in an exercise directory.
pub(super) const EXERCISE_FILES: [&str; 8] = [
    MANIFEST,
    "statement.md",
    "starter.py",
    "solution.py",
    "implementation.py",
    "generator.py",
    "checker.py",
    "interactor.py",
];

/// The directories an exercise may hold.
pub(super) const EXERCISE_DIRS: [&str; 3] = ["tests", "submissions", "chaffs"];

/// The files a catalog's root may hold besides exercise directories.
pub(super) const CATALOG_FILES: [&str; 2] = ["README.md", "catalog.toml"];

/// Test names: a letter or digit first, then letters, digits, `-`, `_`, `.`.
/// (So no name is `.` or `..`, and every name is a safe file name.)
pub(crate) fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// [`valid_name`] in words, for the errors that refuse a name.
pub(super) const NAME_RULE: &str = "a letter or digit first, then letters, digits, `-`, `_` or `.`";
