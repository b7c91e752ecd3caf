//! Writing new expectations into an exercise's files (`gavel check --bless`):
//! a stored test's expected output, and the digests of its generated tests in
//! `exercise.toml`. Every write is atomic and stays inside the exercise's
//! directory; the manifest keeps its comments and layout.

use crate::manifest::Kind;
use crate::model::{Exercise, Test, TestSource, Visibility};
use gavel_core::fs::write_atomically;
use serde_json::Value;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a new expectation could not be written.
#[derive(Debug, Error)]
pub enum BlessError {
    /// A file could not be read or written.
    #[error("`{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file's content is not what the loader accepted a moment ago, or the
    /// new expectation cannot be written into it.
    #[error("`{}`: {problem}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: BlessProblem,
    },
    /// The test has no file of its own (a generated test).
    #[error(
        "test `{0}` is generated; its expected output is the reference's, recorded by its digest"
    )]
    Generated(String),
}

/// What stops a new expectation from being written into a file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BlessProblem {
    /// A function test's file is not a JSON object.
    #[error("{message}")]
    TestFile {
        /// The JSON parser's message.
        message: String,
    },
    /// The value to record as expected is not JSON.
    #[error("the new expected value is not JSON: {message}")]
    ExpectedNotJson {
        /// The JSON parser's message.
        message: String,
    },
    /// The manifest is not TOML.
    #[error("{message}")]
    Manifest {
        /// The TOML parser's message.
        message: String,
    },
    /// The manifest declares no generated tests.
    #[error("no [[generated]] entries")]
    NoGenerated,
    /// The manifest has no generated test of that name.
    #[error("no [[generated]] entry named `{name}`")]
    NoGeneratedNamed {
        /// The test's name.
        name: String,
    },
}

/// The file holding a stored test's expected output: `NAME.out` (stdio) or
/// `NAME.json` (function), under `tests/public` or `tests/hidden`.
pub fn expected_file(exercise: &Exercise, test: &Test) -> Result<PathBuf, BlessError> {
    if matches!(test.source, TestSource::Generated { .. }) {
        return Err(BlessError::Generated(test.name.clone()));
    }
    let folder = match test.visibility {
        Visibility::Public => "public",
        Visibility::Hidden => "hidden",
    };
    let extension = match exercise.kind {
        Kind::Stdio => "out",
        Kind::Function | Kind::Tests => "json",
    };
    Ok(exercise
        .dir
        .join("tests")
        .join(folder)
        .join(format!("{}.{extension}", test.name)))
}

/// Writes `output` (the program's stdout, or a returned value's JSON) as the
/// expected output of the stored test `test`. A function test's file keeps
/// its arguments exactly as written (key order, every digit) and its other
/// fields; only `expected` changes. Returns the file written.
pub fn write_expected(
    exercise: &Exercise,
    test: &Test,
    output: &str,
) -> Result<PathBuf, BlessError> {
    let path = expected_file(exercise, test)?;
    let io = |source| BlessError::Io {
        path: path.clone(),
        source,
    };
    let bytes = match exercise.kind {
        Kind::Stdio => output.as_bytes().to_vec(),
        Kind::Function | Kind::Tests => {
            let text = std::fs::read_to_string(&path).map_err(io)?;
            let invalid = |problem| BlessError::Invalid {
                path: path.clone(),
                problem,
            };
            let mut file: serde_json::Map<String, Value> =
                serde_json::from_str(&text).map_err(|e| {
                    let message = e.to_string();
                    invalid(BlessProblem::TestFile { message })
                })?;
            let value: Value = serde_json::from_str(output).map_err(|e| {
                let message = e.to_string();
                invalid(BlessProblem::ExpectedNotJson { message })
            })?;
            file.insert("expected".to_owned(), value);
            let mut bytes = python_style_json(&Value::Object(file));
            bytes.push(b'\n');
            bytes
        }
    };
    write_atomically(&path, &bytes).map_err(io)?;
    Ok(path)
}

/// A JSON value as the catalog's files write it, on one line.
pub fn json_text(value: &Value) -> String {
    String::from_utf8(python_style_json(value)).expect("JSON is UTF-8")
}

/// JSON as the catalog writes it (and Python's `json.dumps` does): `", "`
/// between items and `": "` after keys, on one line.
fn python_style_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, PythonStyle);
    serde::Serialize::serialize(value, &mut serializer).expect("a JSON value serialises");
    out
}

struct PythonStyle;

impl serde_json::ser::Formatter for PythonStyle {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        // Keys are separated as items are.
        self.begin_array_value(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// Records `digests` (generated test name → sha256) in the `[[generated]]`
/// entries of the exercise's manifest, editing only their `sha256` values
/// (comments, order and layout stay). Returns the manifest's path.
pub fn record_digests(dir: &Path, digests: &[(String, String)]) -> Result<PathBuf, BlessError> {
    let path = dir.join("exercise.toml");
    let text = std::fs::read_to_string(&path).map_err(|source| BlessError::Io {
        path: path.clone(),
        source,
    })?;
    let invalid = |problem| BlessError::Invalid {
        path: path.clone(),
        problem,
    };
    let mut document: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| {
            let message = e.to_string();
            invalid(BlessProblem::Manifest { message })
        })?;
    let entries = document
        .get_mut("generated")
        .and_then(|g| g.as_array_of_tables_mut())
        .ok_or_else(|| invalid(BlessProblem::NoGenerated))?;
    for (name, digest) in digests {
        let entry = entries
            .iter_mut()
            .find(|e| e.get("name").and_then(|n| n.as_str()) == Some(name))
            .ok_or_else(|| {
                let name = name.clone();
                invalid(BlessProblem::NoGeneratedNamed { name })
            })?;
        entry["sha256"] = toml_edit::value(digest.as_str());
    }
    write_atomically(&path, document.to_string().as_bytes()).map_err(|source| BlessError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_written_as_the_catalog_writes_it() {
        let value: Value =
            serde_json::from_str(r#"{"args": [[2, 7.50, 123456789012345678901234567890], {"b": 1, "a": null}], "expected": [0, 1]}"#)
                .unwrap();
        assert_eq!(
            String::from_utf8(python_style_json(&value)).unwrap(),
            r#"{"args": [[2, 7.50, 123456789012345678901234567890], {"b": 1, "a": null}], "expected": [0, 1]}"#
        );
    }

    #[test]
    fn digests_are_recorded_keeping_the_manifest_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "# a comment\nid = \"x\"\n\n[[generated]]\nname = \"90-large\" # big\nargs = \"1000\"\nsha256 = \"old\"\n\n[[generated]]\nname = \"91-larger\"\nargs = \"2000\"\n";
        std::fs::write(dir.path().join("exercise.toml"), manifest).unwrap();
        record_digests(
            dir.path(),
            &[
                ("90-large".to_owned(), "new".to_owned()),
                ("91-larger".to_owned(), "added".to_owned()),
            ],
        )
        .unwrap();
        let written = std::fs::read_to_string(dir.path().join("exercise.toml")).unwrap();
        assert!(
            written.starts_with("# a comment\nid = \"x\"\n"),
            "{written}"
        );
        assert!(
            written.contains("name = \"90-large\" # big\nargs = \"1000\"\nsha256 = \"new\"\n"),
            "{written}"
        );
        assert!(
            written.contains("args = \"2000\"\nsha256 = \"added\"\n"),
            "{written}"
        );
        let error = record_digests(dir.path(), &[("nope".to_owned(), "x".to_owned())]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("no [[generated]] entry named `nope`"),
            "{error}"
        );
    }
}
