//! The package's programs: its output validator (a checker or an
//! interactor in gavel) and its example submissions (the reference solution
//! and known-bad solutions).

use super::data::sorted_entries;
use super::{Findings, Version};
use crate::native::Language;
use std::path::Path;

/// A program of the package.
#[derive(Debug)]
pub(super) enum Program {
    /// One Python 3 file.
    Python {
        /// Its file name.
        file: String,
        source: String,
    },
    /// One C or C++ file, with the headers beside it: compiled to
    /// WebAssembly by gavel (a checker or an interactor only).
    Native {
        /// Its language.
        language: Language,
        source: Vec<u8>,
        /// The headers beside it, by file name.
        headers: Vec<(String, Vec<u8>)>,
    },
    /// Anything else, and why gavel cannot run it.
    Other(String),
}

/// The language of a C or C++ source, by its extension.
fn native_language(extension: &str) -> Option<Language> {
    match extension {
        "c" => Some(Language::C),
        "cc" | "cpp" | "cxx" | "c++" | "C" => Some(Language::Cpp),
        _ => None,
    }
}

fn native(path: &Path, language: Language, headers: Vec<(String, Vec<u8>)>) -> Program {
    match std::fs::read(path) {
        Ok(source) => Program::Native {
            language,
            source,
            headers,
        },
        Err(e) => Program::Other(format!("unreadable ({e})")),
    }
}

/// The headers in `dir` (`.h`, `.hpp`), or why one cannot be taken.
fn headers(dir: &Path, entries: &[String]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut read = Vec::new();
    for name in entries
        .iter()
        .filter(|e| e.ends_with(".h") || e.ends_with(".hpp"))
    {
        if !crate::load::valid_name(name) {
            return Err(format!("a header named `{name}`, which gavel cannot keep"));
        }
        let bytes =
            std::fs::read(dir.join(name)).map_err(|e| format!("`{name}` unreadable ({e})"))?;
        read.push((name.clone(), bytes));
    }
    Ok(read)
}

fn language(extension: &str) -> String {
    let name = match extension {
        "c" => "C",
        "cc" | "cpp" | "cxx" | "c++" | "C" | "h" | "hpp" => "C++",
        "java" => "Java",
        "kt" => "Kotlin",
        "rs" => "Rust",
        "go" => "Go",
        "js" => "JavaScript",
        "ts" => "TypeScript",
        "hs" => "Haskell",
        "cs" => "C#",
        "rb" => "Ruby",
        "pl" => "Perl",
        "php" => "PHP",
        "scala" => "Scala",
        "lua" => "Lua",
        "swift" => "Swift",
        "pas" => "Pascal",
        "f90" | "f95" | "f" => "Fortran",
        "sh" => "shell",
        other => return format!("a `.{other}` program"),
    };
    format!("a {name} program")
}

fn python(path: &Path, file: String) -> Program {
    match std::fs::read_to_string(path) {
        Ok(source)
            if source
                .lines()
                .next()
                .is_some_and(|l| l.starts_with("#!") && l.contains("python2")) =>
        {
            Program::Other("a Python 2 program".to_owned())
        }
        Ok(source) => Program::Python { file, source },
        Err(e) => Program::Other(format!("unreadable ({e})")),
    }
}

/// The program at `path`: a file, or a directory holding one.
pub(super) fn resolve(path: &Path) -> Program {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if path.is_file() {
        return match name.rsplit_once('.') {
            Some((_, "py")) => python(path, name),
            Some((_, extension)) => match native_language(extension) {
                Some(native_language) => native(path, native_language, Vec::new()),
                None => Program::Other(language(extension)),
            },
            None => {
                Program::Other("a file without an extension (its language is unknown)".to_owned())
            }
        };
    }
    let entries = sorted_entries(path);
    if entries.iter().any(|e| e == "build" || e == "run") {
        return Program::Other("a program with `build`/`run` scripts".to_owned());
    }
    let sources: Vec<(&String, Language)> = entries
        .iter()
        .filter_map(|e| Some((e, native_language(e.rsplit_once('.')?.1)?)))
        .collect();
    let rest = entries.iter().filter(|e| {
        e.rsplit_once('.').is_some_and(|(_, x)| {
            native_language(x).is_none() && !matches!(x, "h" | "hpp" | "md" | "txt")
        })
    });
    if let ([(file, language)], 0) = (sources.as_slice(), rest.count()) {
        return match headers(path, &entries) {
            Ok(headers) => native(&path.join(file), *language, headers),
            Err(why) => Program::Other(why),
        };
    }
    let python_files: Vec<&String> = entries.iter().filter(|e| e.ends_with(".py")).collect();
    let others: Vec<&String> = entries
        .iter()
        .filter(|e| {
            !e.ends_with(".py")
                && e.rsplit_once('.')
                    .is_some_and(|(_, x)| !matches!(x, "md" | "txt"))
        })
        .collect();
    match (python_files.as_slice(), others.first()) {
        ([one], None) => python(&path.join(one), (*one).clone()),
        (_, Some(other)) => Program::Other(language(other.rsplit_once('.').map_or("", |(_, x)| x))),
        ([], None) => nested(path, &entries),
        _ => Program::Other(
            "a Python program of several files (a gavel checker or interactor is one file)"
                .to_owned(),
        ),
    }
}

/// A directory without a program of its own at the top: what its
/// subdirectories hold (a validator is often one level down, as in
/// `output_validator/guess_validator/validate.cc`), or that it is empty.
fn nested(path: &Path, entries: &[String]) -> Program {
    for entry in entries.iter().filter(|e| path.join(e).is_dir()) {
        // A C/C++ validator one level down is the problemtools layout
        // (`output_validator/guess_validator/validate.cc`).
        if let native @ Program::Native { .. } = resolve(&path.join(entry)) {
            return native;
        }
        if let Program::Other(what) = resolve(&path.join(entry))
            && what != "an empty directory"
        {
            return Program::Other(format!("`{entry}/`: {what}"));
        }
        if let Program::Python { .. } = resolve(&path.join(entry)) {
            return Program::Other(format!(
                "a Python program in `{entry}/` (gavel expects it at the top of the directory)"
            ));
        }
    }
    if entries.is_empty() {
        Program::Other("an empty directory".to_owned())
    } else {
        Program::Other(format!(
            "no program gavel recognises (it holds {})",
            entries
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// The output validator, if the problem has one gavel can run: its path
/// (under the package) and the program (Python, or C/C++).
pub(super) fn validator(
    package: &Path,
    version: Version,
    needed: bool,
    found: &mut Findings,
) -> Option<(String, Program)> {
    let candidates: Vec<String> = match version {
        Version::Legacy => sorted_entries(&package.join("output_validators"))
            .into_iter()
            .map(|e| format!("output_validators/{e}"))
            .collect(),
        Version::Modern => ["output_validator", "output_validators"]
            .iter()
            .filter(|d| package.join(d).is_dir())
            .flat_map(|d| {
                if *d == "output_validator" {
                    vec![(*d).to_owned()]
                } else {
                    sorted_entries(&package.join(d))
                        .into_iter()
                        .map(|e| format!("{d}/{e}"))
                        .collect()
                }
            })
            .collect(),
    };
    if !needed {
        for path in &candidates {
            found.note(path, "not used: the problem's validation is `default`");
        }
        return None;
    }
    let [path] = candidates.as_slice() else {
        if candidates.is_empty() {
            found.block(
                "output_validators",
                "the problem needs a custom output validator and the package has none",
            );
        } else {
            found.block(
                "output_validators",
                format!(
                    "{} output validators: gavel runs one checker per exercise",
                    candidates.len()
                ),
            );
        }
        return None;
    };
    match resolve(&package.join(path)) {
        Program::Other(what) => {
            found.block(
                path,
                format!(
                    "{what}: gavel runs checkers and interactors in Python, C or C++; \
                     rewrite it as checker.py or interactor.py (exercises/README.md)"
                ),
            );
            None
        }
        program => Some((path.clone(), program)),
    }
}

/// An example submission gavel can judge.
#[derive(Debug)]
pub(super) struct Submission {
    /// gavel's directory for it (`accepted`, `wrong_answer`, …).
    pub(super) verdict: &'static str,
    /// Its file name in gavel.
    pub(super) file: String,
    pub(super) source: String,
    /// Where it comes from.
    pub(super) origin: String,
}

/// The example submissions, in name order per directory.
pub(super) fn submissions(package: &Path, found: &mut Findings) -> Vec<Submission> {
    let mut kept = Vec::new();
    for dir in sorted_entries(&package.join("submissions")) {
        let verdict = match dir.as_str() {
            "accepted" => "accepted",
            "wrong_answer" => "wrong_answer",
            "time_limit_exceeded" => "time_limit",
            "run_time_error" => "runtime_error",
            _ => {
                found.note(
                    &format!("submissions/{dir}"),
                    "not converted: gavel's known-bad verdicts are accepted, wrong_answer, \
                     time_limit_exceeded and run_time_error here",
                );
                continue;
            }
        };
        for entry in sorted_entries(&package.join("submissions").join(&dir)) {
            let origin = format!("submissions/{dir}/{entry}");
            match resolve(&package.join(&origin)) {
                Program::Python { source, .. } => {
                    let stem = file_stem(&entry);
                    kept.push(Submission {
                        verdict,
                        file: format!("{stem}.py"),
                        source,
                        origin,
                    });
                }
                Program::Native { language, .. } => {
                    let what = match language {
                        Language::C => "a C program",
                        Language::Cpp => "a C++ program",
                    };
                    found.note(
                        &origin,
                        format!("{what}: not converted (gavel judges Python)"),
                    );
                }
                Program::Other(what) => {
                    found.note(
                        &origin,
                        format!("{what}: not converted (gavel judges Python)"),
                    );
                }
            }
        }
    }
    kept
}

/// A solution's file stem as gavel keeps it (`a b.py` → `a_b`): letters,
/// digits, `-` and `_`, anything else `_`.
pub(crate) fn file_stem(file: &str) -> String {
    file.strip_suffix(".py")
        .unwrap_or(file)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A Python string literal of `text` (JSON's string syntax is Python's),
/// one line per source line so the validator stays readable.
fn literal_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            format!(
                "    {},\n",
                serde_json::to_string(line).unwrap_or_else(|_| "\"\"".to_owned())
            )
        })
        .collect()
}

const TEMPLATE: &str = include_str!("validator.py");

const CHECK: &str = "

def check(input, expected, output):
    _decide(*_run({\"input\": input, \"answer\": expected}, output))
";

const INTERACT: &str = "

import json


def interact(input):
    # The test's input holds the package's .in and .ans (only the interactor reads it).
    test = json.loads(input)
    _decide(*_run({\"input\": test[\"input\"], \"answer\": test[\"answer\"]}, None))
";

/// `checker.py` or `interactor.py` that runs the Python validator `source`
/// (from `path`, file name `file`) as Kattis would, with `flags`.
pub(super) fn wrap(
    path: &str,
    file: &str,
    source: &str,
    flags: &[String],
    interactive: bool,
) -> String {
    let flags = serde_json::to_string(flags).unwrap_or_else(|_| "[]".to_owned());
    TEMPLATE
        .replace(
            "@@ROLE@@",
            if interactive {
                "interactive validator"
            } else {
                "output validator"
            },
        )
        .replace("@@PATH@@", path)
        .replace("@@NAME@@", file)
        .replace("@@FLAGS@@", &flags)
        .replace("@@ENTRY@@", if interactive { INTERACT } else { CHECK })
        // Last: the validator's own text is never searched for placeholders.
        .replace("@@SOURCE@@\n", &literal_lines(source))
}
