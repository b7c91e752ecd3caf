//! Loading one exercise: each concern's checks in turn, every problem
//! collected, and the `Exercise` assembled from what loaded.

use super::error::{LoadErrors, LoadProblem};
use super::known_bad::load_known_bad;
use super::manifest::{check_comparison, check_groups, default_comparison, read_manifest};
use super::reader::Reader;
use super::sources::{read_sources, top_entries};
use super::test_files::{Context, collect_tests};
use crate::manifest::CatalogManifest;
use crate::model::Exercise;
use std::path::Path;

/// Loads the exercise in `dir` with the default catalog settings.
pub fn load(dir: &Path) -> Result<Exercise, LoadErrors> {
    load_with(dir, &CatalogManifest::default())
}

/// Loads the exercise in `dir`, with the catalog's defaults.
pub fn load_with(dir: &Path, catalog: &CatalogManifest) -> Result<Exercise, LoadErrors> {
    let mut reader = Reader::new(dir);
    let exercise = load_into(&mut reader, dir, catalog);
    match exercise {
        Some(exercise) if !reader.has_errors() => Ok(exercise),
        _ => {
            if !reader.has_errors() {
                reader.invalid(dir, LoadProblem::NotLoaded);
            }
            Err(LoadErrors(reader.into_errors()))
        }
    }
}

/// The exercise, if enough of it loaded to make one; the problems are in
/// `reader`.
fn load_into(reader: &mut Reader<'_>, dir: &Path, catalog: &CatalogManifest) -> Option<Exercise> {
    let (files, dirs) = top_entries(reader, dir)?;
    let (manifest, source) = read_manifest(reader, dir, &files)?;
    // The catalog's defaults decide results too, so they are part of the fingerprint.
    reader.fingerprint_also(
        toml::to_string(catalog)
            .expect("catalog settings serialise")
            .as_bytes(),
    );
    let comparison = default_comparison(&manifest);
    if let Err(mismatch) = check_comparison(manifest.kind, &comparison) {
        reader.error(source.invalid_at("[comparison]", mismatch.into()));
    }
    let sources = read_sources(reader, dir, &files, &manifest);
    let native_interactor = sources
        .native
        .as_ref()
        .is_some_and(|n| n.role == crate::native::Role::Interactor);
    let context = Context {
        manifest: &manifest,
        source: &source,
        comparison: &comparison,
        interactive: sources.interactor.is_some() || native_interactor,
        interactor_answers: native_interactor,
    };
    let suite = super::suite::load_suite(reader, dir, &files, &dirs, &manifest);
    let (tests, groups) = match &suite {
        Some(suite) => suite.tests(),
        None if manifest.kind == crate::manifest::Kind::Tests => Default::default(),
        None => {
            let tests = collect_tests(reader, dir, &dirs, &context);
            check_groups(reader, &manifest, &source, &tests);
            (tests, manifest.groups.clone())
        }
    };
    let known_bad = match dirs.get("submissions") {
        Some(path) => load_known_bad(reader, path),
        None => Vec::new(),
    };
    Some(Exercise {
        id: manifest.id.clone(),
        dir: dir.to_owned(),
        title: manifest.title.clone(),
        difficulty: manifest.difficulty,
        tags: manifest.tags.clone(),
        kind: manifest.kind,
        function: manifest.function.clone(),
        limits: manifest.limits.clone(),
        scoring: manifest.scoring,
        disclosure: manifest
            .reveal_hidden
            .or(catalog.reveal_hidden)
            .unwrap_or_default(),
        statement: sources.statement?,
        starter: sources.starter?,
        reference: sources.reference,
        generator: sources.generator,
        checker: sources.checker,
        interactor: sources.interactor,
        native: sources.native,
        groups,
        tests,
        known_bad,
        suite,
        fingerprint: reader.take_fingerprint(),
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::error::LoadError;
    use crate::load::fixture::{MANIFEST_TEXT, errors, fixture, write};
    #[cfg(unix)]
    use crate::load::fixture::{fifo, link};
    use crate::model::Visibility;

    /// One malformed exercise per row, made from the valid fixture, and the
    /// message its load error must end with.
    #[test]
    fn every_malformed_exercise_gets_a_message_naming_its_file() {
        type Damage = fn(&Path);
        let rows: Vec<(&str, Damage, &str)> = vec![
            (
                "unknown manifest key",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}colour = \"red\"\n"),
                    )
                },
                "exercise.toml:5: unknown field `colour`, expected one of `id`, `title`, `difficulty`, `tags`, `kind`, `function`, `limits`, `comparison`, `scoring`, `reveal_hidden`, `tests`, `groups`, `generated`, `complexity`, `suite`, `native`, `image`",
            ),
            (
                "id of another directory",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &MANIFEST_TEXT.replace("\"hello\"", "\"other\""),
                    )
                },
                "exercise.toml:1: the id `other` does not match the directory name `hello`",
            ),
            (
                "no expected output",
                |d| std::fs::remove_file(d.join("tests/hidden/02.out")).unwrap(),
                "02.out: missing: test `02` has no expected output",
            ),
            (
                "an expected output no program could print",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\noutput = 1\n"),
                    );
                    write(d, "tests/hidden/02.out", &"x".repeat(3000));
                },
                "02.out: 2.9 KiB, larger than the exercise's output limit (1 KiB): no program could print it (raise `output` in [limits], or shorten the test)",
            ),
            (
                "no statement",
                |d| std::fs::remove_file(d.join("statement.md")).unwrap(),
                "statement.md: missing: every exercise has one",
            ),
            (
                "no reference",
                |d| std::fs::remove_file(d.join("solution.py")).unwrap(),
                "solution.py: missing: the reference solution is required (fuel limits are relative to it) unless [limits] sets `fuel`",
            ),
            (
                "stray file among tests",
                |d| write(d, "tests/public/notes.txt", "x"),
                "notes.txt: unexpected entry: stdio tests are NAME.in and NAME.out, with an optional NAME.files/ directory",
            ),
            (
                "misspelled hidden directory",
                |d| {
                    std::fs::rename(d.join("tests/hidden"), d.join("tests/hiden")).unwrap();
                },
                "tests/hiden: unexpected entry: tests/ holds the directories public/ and hidden/",
            ),
            (
                "stray file in the exercise",
                |d| write(d, "notes.md", "x"),
                "notes.md: unexpected file: an exercise holds exercise.toml, statement.md, starter.py, solution.py, implementation.py, generator.py, checker.py, interactor.py, and the directories tests/, submissions/, chaffs/",
            ),
            (
                "a group depending on nothing declared",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!(
                            "{MANIFEST_TEXT}[tests.01]\ngroup = \"a\"\n[groups.a]\ndepends_on = [\"b\"]\n"
                        ),
                    )
                },
                "exercise.toml:7: [groups.a] depends on `b`, which is not a [groups.…] table",
            ),
            (
                "groups in a cycle",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!(
                            "{MANIFEST_TEXT}[tests.01]\ngroup = \"a\"\n[tests.02]\ngroup = \"b\"\n[groups.a]\ndepends_on = [\"b\"]\n[groups.b]\ndepends_on = [\"a\"]\n"
                        ),
                    )
                },
                "exercise.toml:9: groups depend on each other in a cycle: a -> b -> a",
            ),
            (
                "a group without tests",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[groups.empty]\non_failure = \"skip\"\n"),
                    )
                },
                "exercise.toml:5: [groups.empty] has no tests (give tests `group = \"empty\"`)",
            ),
            (
                "an interactive test with expected output",
                |d| write(d, "interactor.py", "def interact(i): pass\n"),
                "01.out: an interactive test has no expected output: the interactor decides (its input is NAME.in)",
            ),
            (
                "a native checker beside checker.py",
                |d| {
                    write(d, "checker.py", "def check(i, e, o): pass\n");
                    write(d, "checker.cpp", "int main() { return 0; }\n");
                },
                "checker.py: one program decides: this one and checker.cpp cannot both be there",
            ),
            (
                "a native checker that includes a file outside the exercise",
                |d| {
                    write(
                        d,
                        "checker.c",
                        "#include <stdio.h>\n#include \"../../secret.h\"\n",
                    )
                },
                "checker.c: line 2: `#include ../../secret.h` could read a file outside the exercise: include only the headers beside it and the system's (<vector>)",
            ),
            (
                "a header without a native program",
                |d| write(d, "testlib.h", "#pragma once\n"),
                "testlib.h: a header, but no checker or interactor in C or C++ includes it",
            ),
            (
                "[native] without a native program",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[native]\nconvention = \"kattis\"\n"),
                    )
                },
                "exercise.toml: [native] describes a checker or interactor in C or C++ (checker.c, checker.cpp, interactor.c, interactor.cpp), and there is none",
            ),
            (
                "a PEG interactor",
                |d| {
                    write(d, "interactor.c", "int main(void) { return 0; }\n");
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[native]\nconvention = \"peg\"\n"),
                    );
                },
                "exercise.toml: the peg convention has no interactors (use testlib, kattis or coci)",
            ),
            (
                "a checker and a comparison",
                |d| {
                    write(d, "checker.py", "def check(i, e, o): pass\n");
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[comparison]\nmode = \"exact\"\n"),
                    );
                },
                "exercise.toml: [comparison] has no effect: the checker or the interactor decides",
            ),
            (
                "settings of no test",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[tests.99]\npoints = 2\n"),
                    )
                },
                "exercise.toml:5: [tests.99] names no test of this exercise",
            ),
            (
                "a test named `..`",
                |d| {
                    write(d, "tests/public/...in", "x");
                    write(d, "tests/public/...out", "x");
                },
                "...out: invalid test name (a letter or digit first, then letters, digits, `-`, `_` or `.`)",
            ),
            (
                "memory 0",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\nmemory = 0\n"),
                    )
                },
                "exercise.toml:6: [limits]: `memory` must be between 32 and 4096 MiB, not 0",
            ),
            (
                "fuel 0",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\nfuel = 0\n"),
                    )
                },
                "exercise.toml:6: [limits]: `fuel` must be between 1000000 and 1000000000000, not 0",
            ),
            (
                "output 0",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\noutput = 0\n"),
                    )
                },
                "exercise.toml:6: [limits]: `output` must be between 1 and 65536 KiB, not 0",
            ),
            (
                "wall time 1e-9",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[limits]\nwall_time = 1e-9\n"),
                    )
                },
                "exercise.toml:6: [limits]: `wall_time` must be between 0.01 and 3600 seconds, not 0.000000001",
            ),
            (
                "a directory that is not a verdict",
                |d| std::fs::create_dir_all(d.join("submissions/slow")).unwrap(),
                "submissions/slow: `slow` is not a verdict; known-bad solutions go in submissions/<verdict>/ with one of: accepted, wrong_answer, time_limit, memory_limit, output_limit, runtime_error, compile_error",
            ),
            (
                "a generator without generated tests",
                |d| write(d, "generator.py", "print(1)"),
                "generator.py: a generator, but exercise.toml declares no [[generated]] tests and no [complexity]",
            ),
            (
                "generated tests without a generator",
                |d| {
                    write(
                        d,
                        "exercise.toml",
                        &format!("{MANIFEST_TEXT}[[generated]]\nname = \"big\"\nargs = \"1000\"\n"),
                    )
                },
                "generator.py: missing: exercise.toml declares [[generated]] tests or [complexity]",
            ),
            (
                "statement not UTF-8",
                |d| std::fs::write(d.join("statement.md"), b"\xff\xfe").unwrap(),
                "statement.md: not UTF-8 text (invalid utf-8 sequence of 1 bytes from index 0)",
            ),
        ];
        #[cfg(unix)]
        let rows = {
            let mut rows = rows;
            rows.extend::<Vec<(&str, Damage, &str)>>(vec![
                ("a linked input outside the catalog", |d| { std::fs::remove_file(d.join("tests/public/01.in")).unwrap(); link("/etc/passwd", d, "tests/public/01.in"); },
                    "01.in: a symbolic link (to `/etc/passwd`): links are not allowed in a catalog, which must hold its own files"),
                ("a linked files directory", |d| link("/etc", d, "tests/public/01.files"),
                    "01.files: a symbolic link (to `/etc`): links are not allowed in a catalog, which must hold its own files"),
                ("a linked test directory", |d| { std::fs::remove_dir_all(d.join("tests/public")).unwrap(); link("/tmp", d, "tests/public"); },
                    "tests/public: a symbolic link (to `/tmp`): links are not allowed in a catalog, which must hold its own files"),
                ("a FIFO in the exercise", |d| fifo(d, "pipe"),
                    "pipe: not a plain file or directory (a FIFO, socket or device)"),
                ("a FIFO as a test's input", |d| { std::fs::remove_file(d.join("tests/public/01.in")).unwrap(); fifo(d, "tests/public/01.in"); },
                    "01.in: not a plain file or directory (a FIFO, socket or device)"),
            ]);
            rows
        };
        for (case, damage, message) in rows {
            let (_root, dir) = fixture();
            damage(&dir);
            let text = errors(&dir);
            assert!(
                text.lines().any(|l| l.ends_with(message)),
                "{case}: expected an error ending with\n  {message}\ngot\n  {text}"
            );
        }
    }

    #[test]
    fn every_problem_of_an_exercise_is_reported_at_once() {
        let (_root, dir) = fixture();
        std::fs::remove_file(dir.join("statement.md")).unwrap();
        std::fs::remove_file(dir.join("tests/hidden/02.out")).unwrap();
        write(
            &dir,
            "exercise.toml",
            &format!("{MANIFEST_TEXT}[limits]\nmemory = 0\n"),
        );
        let LoadErrors(errors) = load(&dir).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:#?}");
    }

    #[test]
    fn a_valid_exercise_loads_with_public_tests_first() {
        let (_root, dir) = fixture();
        let exercise = load(&dir).unwrap();
        let names: Vec<_> = exercise
            .tests
            .iter()
            .map(|t| (t.name.as_str(), t.visibility))
            .collect();
        assert_eq!(
            names,
            [("01", Visibility::Public), ("02", Visibility::Hidden)]
        );
        assert_eq!(exercise.max_points(), 2);
        assert_eq!(exercise.fingerprint, load(&dir).unwrap().fingerprint);
        write(&dir, "tests/hidden/02.out", "changed\n");
        assert_ne!(exercise.fingerprint, load(&dir).unwrap().fingerprint);
    }

    #[test]
    fn problems_are_typed_and_keep_their_file() {
        let (_root, dir) = fixture();
        std::fs::remove_file(dir.join("tests/hidden/02.out")).unwrap();
        let LoadErrors(errors) = load(&dir).unwrap_err();
        let [
            LoadError::Invalid {
                path,
                line,
                problem,
            },
        ] = &errors[..]
        else {
            panic!("{errors:#?}");
        };
        assert_eq!(path, &dir.join("tests/hidden/02.out"));
        assert_eq!(*line, None);
        assert_eq!(
            problem,
            &LoadProblem::MissingExpectedOutput {
                test: "02".to_owned()
            }
        );
    }
}
