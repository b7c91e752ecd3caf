//! Checkers and interactors written in C or C++ (`checker.c`, `checker.cpp`,
//! `interactor.c`, `interactor.cpp`), with the headers beside them
//! (`testlib.h`, say): what the exercise holds of them and which of the
//! field's conventions they follow. Compiling them to WebAssembly and judging
//! by their exit codes is gavel-judge's (`native`, and the `checker` and `interactor` graders).

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// The language of a native program, from its file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// `.c`
    C,
    /// `.cpp`
    Cpp,
}

/// What a native program does for the exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Judges a program's answer (`checker.c`, `checker.cpp`).
    Checker,
    /// Talks to the program over its stdin and stdout, and judges
    /// (`interactor.c`, `interactor.cpp`).
    Interactor,
}

/// How a native program is started and how it says what it decided: the
/// conventions of the field's judges, followed unchanged (see
/// exercises/README.md for each one's arguments and exit codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// testlib.h (Codeforces, Polygon, DMOJ's `testlib`): `checker input
    /// output answer`; exit 0 OK, 1 WA, 2 PE, 3 FAIL (the author's failure),
    /// 7 with `points N` on stderr; the message on stderr.
    #[default]
    Testlib,
    /// Kattis problem package validators: `validator input answer
    /// feedback_dir < output`; exit 42 accepted, 43 wrong;
    /// `judgemessage.txt` and `score.txt` in the feedback directory.
    Kattis,
    /// DMOJ's `coci`: testlib's, with `partial N/D` on stderr for exit 7.
    Coci,
    /// DMOJ's `peg`: `checker output answer input`; exit 0 OK, 1 WA, with
    /// `N\nD` on stdout for part of the points.
    Peg,
}

impl Convention {
    /// Every convention, in the order the docs list them.
    pub const ALL: [Convention; 4] = [
        Convention::Testlib,
        Convention::Kattis,
        Convention::Coci,
        Convention::Peg,
    ];

    /// The name the manifest uses.
    pub fn name(self) -> &'static str {
        match self {
            Convention::Testlib => "testlib",
            Convention::Kattis => "kattis",
            Convention::Coci => "coci",
            Convention::Peg => "peg",
        }
    }

    /// Whether an interactor can follow it (PEG's checkers have no
    /// interactor counterpart).
    pub fn has_interactors(self) -> bool {
        self != Convention::Peg
    }
}

/// `[native]` in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NativeSpec {
    /// The convention the checker or interactor follows (default testlib).
    #[serde(default)]
    pub convention: Convention,
    /// Arguments after the convention's own (a Kattis validator's flags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

/// A checker or an interactor in C or C++, as the exercise holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeProgram {
    /// What it does.
    pub role: Role,
    /// Its file name (`checker.cpp`).
    pub file: String,
    /// Its language.
    pub language: Language,
    /// Its source.
    pub source: Bytes,
    /// The headers beside it (`*.h`, `*.hpp` in the exercise directory), by
    /// name: available to `#include "…"`.
    pub headers: Vec<(String, Bytes)>,
    /// The convention it follows.
    pub convention: Convention,
}

/// The file names a native program may have: role and language by name.
pub const FILES: [(&str, Role, Language); 4] = [
    ("checker.c", Role::Checker, Language::C),
    ("checker.cpp", Role::Checker, Language::Cpp),
    ("interactor.c", Role::Interactor, Language::C),
    ("interactor.cpp", Role::Interactor, Language::Cpp),
];

/// Whether `name` is a header a native program may include.
pub fn is_header(name: &str) -> bool {
    name.ends_with(".h") || name.ends_with(".hpp")
}

/// The first `#include` of `source` that could name a file outside the
/// exercise (an absolute path, one that climbs with `..`, or one computed by
/// a macro), with its line: refused before compiling, since the compiler
/// would read any file of the machine it is named. (gavel-judge also checks
/// the files the preprocessor actually includes.)
pub fn include_outside(source: &[u8]) -> Option<(u32, String)> {
    // Lines spliced by a backslash are one line to the preprocessor.
    let text = String::from_utf8_lossy(source)
        .replace("\\\r\n", "")
        .replace("\\\n", "");
    text.lines().zip(1u32..).find_map(|(line, number)| {
        let line = line.trim_start();
        let directive = line
            .strip_prefix('#')
            .or_else(|| line.strip_prefix("%:"))?
            .trim_start();
        let rest = ["include_next", "include", "import"]
            .iter()
            .find_map(|word| directive.strip_prefix(word))?
            .trim();
        let name = rest
            .strip_prefix('"')
            .and_then(|r| r.split('"').next())
            .or_else(|| rest.strip_prefix('<').and_then(|r| r.split('>').next()));
        let Some(name) = name else {
            return Some((number, rest.to_owned()));
        };
        let outside = name.starts_with('/')
            || name.starts_with('\\')
            || name.split(['/', '\\']).any(|part| part == "..");
        outside.then(|| (number, name.to_owned()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_that_leave_the_exercise_are_found_with_their_line() {
        let source =
            b"#include \"testlib.h\"\n#include <vector>\n  #  include \"../../secret.h\"\n";
        assert_eq!(
            include_outside(source),
            Some((3, "../../secret.h".to_owned()))
        );
        assert_eq!(
            include_outside(b"#include </etc/passwd>\n"),
            Some((1, "/etc/passwd".to_owned()))
        );
        assert_eq!(include_outside(b"#include \"testlib.h\"\n"), None);
        // A computed include, a spliced line and a digraph are seen too.
        assert_eq!(
            include_outside(b"#define F \"/etc/passwd\"\n#include F\n"),
            Some((2, "F".to_owned()))
        );
        assert_eq!(
            include_outside(b"#inc\\\nlude \"/etc/passwd\"\n"),
            Some((1, "/etc/passwd".to_owned()))
        );
        assert!(include_outside(b"%:include </etc/passwd>\n").is_some());
    }

    #[test]
    fn the_conventions_read_back_from_their_names() {
        for convention in Convention::ALL {
            let toml = format!("convention = \"{}\"", convention.name());
            let spec: NativeSpec = toml::from_str(&toml).unwrap();
            assert_eq!(spec.convention, convention);
        }
        assert!(toml::from_str::<NativeSpec>("convention = \"polygon\"").is_err());
    }
}
