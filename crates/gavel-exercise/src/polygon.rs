//! `gavel import polygon PKG OUT`: a Polygon (Codeforces) problem package,
//! as its `problem.xml` describes it, becomes an exercise:
//!
//! - `names`, `tags` → title, tags; the English statement's parts
//!   (`statements/english/legend.tex`, `input.tex`, `output.tex`,
//!   `notes.tex`, or `problem.tex`) → `statement.md`, LaTeX kept in code
//!   blocks;
//! - the `tests` testset: each test's input and answer (from the path
//!   patterns) → a public test when `sample`, else hidden, named `test-NN`;
//!   `points` and `group` → the test's; groups with `points-policy =
//!   complete-group` → a group worth its points, all or nothing, stopping at
//!   its first failure; `dependencies` → `depends_on`;
//! - the checker (testlib, C or C++, `std::` ones included: the package
//!   holds their source) → `checker.cpp`, the interactor → `interactor.cpp`,
//!   with the package's headers (`files/testlib.h`), under testlib's
//!   conventions (`crate::native`);
//! - Python 3 solutions: `main` (else the first `accepted`) → `solution.py`,
//!   the others by tag → known-bad solutions; without one, a fixed budget
//!   from the time limit (as `gavel import kattis`);
//! - `memory-limit` → `limits.memory`.
//!
//! Whatever would judge differently stops the import, every reason listed
//! (a test whose input is only a generator's command, file input or output,
//! an interactive problem whose checker also judges, a checker that is not
//! testlib C/C++); whatever changes no verdict is noted (validators,
//! generators, other testsets, solutions in other languages).

use crate::kattis::programs::file_stem;
use crate::kattis::{Draft, Findings, ImportError, Imported, fixed_fuel, import_with};
use crate::manifest::{Difficulty, GroupSpec, Kind, Manifest, OnFailure, Scoring, TestSettings};
use crate::native::{Convention, Language, NativeSpec};
use gavel_core::limits::FUEL_PER_SECOND;
use roxmltree::Node;
use std::collections::BTreeMap;
use std::path::Path;

/// Imports the Polygon package in `package` (a directory holding
/// `problem.xml`: a "full" package, with its tests) as the exercise
/// directory `out` (which must not exist; its name is the exercise's id).
pub fn import(package: &Path, out: &Path) -> Result<Imported, ImportError> {
    import_with(package, out, convert)
}

/// A tag's child elements named `name`.
fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.has_tag_name(name))
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

fn text<'a>(node: Option<Node<'a, '_>>) -> Option<&'a str> {
    node.and_then(|n| n.text()).map(str::trim)
}

fn convert(package: &Path, id: &str, found: &mut Findings) -> Option<(Draft, Imported)> {
    let xml = match std::fs::read_to_string(package.join("problem.xml")) {
        Ok(xml) => xml,
        Err(e) => {
            found.block("problem.xml", format!("cannot be read: {e}"));
            return None;
        }
    };
    let document = match roxmltree::Document::parse(&xml) {
        Ok(document) => document,
        Err(e) => {
            found.block("problem.xml", format!("not XML gavel can read: {e}"));
            return None;
        }
    };
    let problem = document.root_element();
    if !problem.has_tag_name("problem") {
        found.block("problem.xml", "its root element is not <problem>");
        return None;
    }
    let title = title(problem).unwrap_or_else(|| id.to_owned());
    let tags = child(problem, "tags")
        .map(|t| {
            children(t, "tag")
                .filter_map(|t| t.attribute("value"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let testset = testset(problem, found)?;
    let mut manifest = manifest(id, &title, tags);
    found.note(
        "problem.xml",
        "gavel's difficulty (easy, medium, hard) is not in the package: set to medium",
    );
    if let Some(memory) = text(child(testset, "memory-limit")).and_then(|m| m.parse::<u64>().ok()) {
        manifest.limits.memory = (memory >> 20).clamp(32, 4096);
    }
    let time_limit = text(child(testset, "time-limit"))
        .and_then(|t| t.parse::<f64>().ok())
        .map(|ms| ms / 1000.0);
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert(
        "statement.md".to_owned(),
        statement(package, problem, &title, found).into_bytes(),
    );
    files.insert(
        "starter.py".to_owned(),
        b"# Read the input from standard input and print the answer.\n".to_vec(),
    );
    let mut imported = Imported::new(id);
    let assets = child(problem, "assets");
    let interactive = programs(package, problem, assets, &mut files, &mut imported, found);
    if interactive {
        found.note(
            "problem.xml",
            "interactive: each test's answer file is kept as NAME.out, for the interactor only",
        );
    }
    tests(
        package,
        testset,
        &mut manifest,
        &mut files,
        &mut imported,
        found,
    );
    solutions(
        package,
        assets,
        time_limit,
        &mut manifest,
        &mut files,
        &mut imported,
        found,
    );
    not_run(problem, assets, found);
    Some((Draft { manifest, files }, imported))
}

/// The manifest of an imported problem, before its tests: a stdio exercise
/// judged by a native program under testlib's conventions.
fn manifest(id: &str, title: &str, tags: Vec<String>) -> Manifest {
    Manifest {
        id: id.to_owned(),
        title: title.to_owned(),
        difficulty: Difficulty::Medium,
        tags,
        kind: Kind::Stdio,
        function: None,
        limits: Default::default(),
        comparison: None,
        scoring: Scoring::Sum,
        reveal_hidden: None,
        tests: BTreeMap::new(),
        groups: BTreeMap::new(),
        generated: Vec::new(),
        complexity: None,
        suite: None,
        native: Some(NativeSpec {
            convention: Convention::Testlib,
            args: Vec::new(),
        }),
        image: Default::default(),
    }
}

/// The `tests` testset (others are noted), after refusing file input and
/// output.
fn testset<'a, 'i>(problem: Node<'a, 'i>, found: &mut Findings) -> Option<Node<'a, 'i>> {
    let judging = child(problem, "judging");
    for attribute in ["input-file", "output-file"] {
        if judging
            .and_then(|j| j.attribute(attribute))
            .is_some_and(|f| !f.is_empty())
        {
            found.block(
                "problem.xml",
                format!("judging {attribute}: gavel's programs read stdin and write stdout"),
            );
        }
    }
    let testsets: Vec<Node> = judging
        .map(|j| children(j, "testset").collect())
        .unwrap_or_default();
    for other in testsets
        .iter()
        .filter(|t| t.attribute("name") != Some("tests"))
    {
        found.note(
            "problem.xml",
            format!(
                "testset `{}` not imported: gavel judges the `tests` testset",
                other.attribute("name").unwrap_or_default()
            ),
        );
    }
    let testset = testsets
        .iter()
        .find(|t| t.attribute("name") == Some("tests"))
        .copied();
    if testset.is_none() {
        found.block("problem.xml", "no `tests` testset");
    }
    testset
}

/// Validators and generators are noted: gavel judges the tests the
/// package holds.
fn not_run(problem: Node, assets: Option<Node>, found: &mut Findings) {
    for (what, path) in [("validators", "validators"), ("executables", "generators")] {
        let present = match what {
            "validators" => assets.and_then(|a| child(a, "validators")).is_some(),
            _ => child(problem, "files")
                .and_then(|f| child(f, "executables"))
                .is_some(),
        };
        if present {
            found.note(
                "problem.xml",
                format!("{path} are not run: gavel judges the tests the package holds"),
            );
        }
    }
}

/// The English name, else the first.
fn title(problem: Node) -> Option<String> {
    let names: Vec<Node> = child(problem, "names")
        .map(|n| children(n, "name").collect())
        .unwrap_or_default();
    names
        .iter()
        .find(|n| n.attribute("language") == Some("english"))
        .or_else(|| names.first())
        .and_then(|n| n.attribute("value"))
        .map(str::to_owned)
}

/// The statement: the English one's parts, LaTeX kept as written.
fn statement(package: &Path, problem: Node, title: &str, found: &mut Findings) -> String {
    let statements: Vec<Node> = child(problem, "statements")
        .map(|s| children(s, "statement").collect())
        .unwrap_or_default();
    let chosen = statements
        .iter()
        .find(|s| s.attribute("language") == Some("english"))
        .or_else(|| statements.first());
    let mut markdown = format!("# {title}\n");
    let Some(language) = chosen.and_then(|s| s.attribute("language")) else {
        found.note("", "no statement: statement.md holds only the title");
        return markdown;
    };
    let dir = format!("statements/{language}");
    let mut any = false;
    for (file, heading) in [
        ("legend.tex", None),
        ("input.tex", Some("Input")),
        ("output.tex", Some("Output")),
        ("notes.tex", Some("Notes")),
    ] {
        let Ok(tex) = std::fs::read_to_string(package.join(&dir).join(file)) else {
            continue;
        };
        any = true;
        if let Some(heading) = heading {
            markdown.push_str(&format!("\n## {heading}\n"));
        }
        markdown.push_str(&format!("\n```latex\n{}\n```\n", tex.trim_end()));
    }
    if !any {
        match std::fs::read_to_string(package.join(&dir).join("problem.tex")) {
            Ok(tex) => markdown.push_str(&format!("\n```latex\n{}\n```\n", tex.trim_end())),
            Err(_) => found.note(
                &dir,
                "no legend.tex or problem.tex: statement.md holds only the title",
            ),
        }
    }
    markdown
}

/// The checker or interactor, with the package's headers; whether the
/// problem is interactive.
fn programs(
    package: &Path,
    problem: Node,
    assets: Option<Node>,
    files: &mut BTreeMap<String, Vec<u8>>,
    imported: &mut Imported,
    found: &mut Findings,
) -> bool {
    let checker = assets.and_then(|a| child(a, "checker"));
    let interactor = assets.and_then(|a| child(a, "interactor"));
    let (role, node) = match (checker, interactor) {
        (_, Some(interactor)) => {
            if let Some(checker) = checker {
                let name = checker.attribute("name").unwrap_or("the checker");
                found.block(
                    "problem.xml",
                    format!(
                        "an interactor and a checker ({name}) both judge: gavel's interactor decides alone"
                    ),
                );
            }
            ("interactor", interactor)
        }
        (Some(checker), None) => ("checker", checker),
        (None, None) => {
            found.block(
                "problem.xml",
                "no checker: Polygon problems always have one",
            );
            return false;
        }
    };
    if node.attribute("type").is_some_and(|t| t != "testlib") {
        found.block(
            "problem.xml",
            format!(
                "a {role} of type `{}`: gavel runs testlib ones",
                node.attribute("type").unwrap_or_default()
            ),
        );
    }
    if let Some(name) = node.attribute("name") {
        found.note(
            "problem.xml",
            format!("the {role} `{name}` is compiled from its source"),
        );
    }
    let Some(source) = child(node, "source") else {
        found.block("problem.xml", format!("the {role} has no <source>"));
        return role == "interactor";
    };
    let path = source.attribute("path").unwrap_or_default();
    let kind = source.attribute("type").unwrap_or_default();
    let language = if kind.starts_with("cpp") {
        Language::Cpp
    } else if kind.starts_with("c.") {
        Language::C
    } else {
        found.block(
            path,
            format!("a {role} of type `{kind}`: gavel compiles C and C++ ones"),
        );
        return role == "interactor";
    };
    match std::fs::read(package.join(path)) {
        Ok(bytes) => {
            let extension = if language == Language::C { "c" } else { "cpp" };
            files.insert(format!("{role}.{extension}"), bytes);
            found.note(
                path,
                format!("compiled to WebAssembly as {role}.{extension} (testlib's conventions)"),
            );
        }
        Err(e) => found.block(path, format!("cannot be read: {e}")),
    }
    if role == "interactor" {
        imported.interactor_from = Some(path.to_owned());
    } else {
        imported.checker_from = Some(path.to_owned());
    }
    headers(package, problem, files, found);
    role == "interactor"
}

/// The package's headers (`files/*.h`), which its programs include.
fn headers(
    package: &Path,
    problem: Node,
    files: &mut BTreeMap<String, Vec<u8>>,
    found: &mut Findings,
) {
    let resources: Vec<Node> = child(problem, "files")
        .and_then(|f| child(f, "resources"))
        .map(|r| children(r, "file").collect())
        .unwrap_or_default();
    for file in resources {
        let path = file.attribute("path").unwrap_or_default();
        let name = path.rsplit('/').next().unwrap_or_default();
        if !crate::native::is_header(name) {
            continue;
        }
        if !crate::load::valid_name(name) {
            found.block(path, "a header whose name gavel cannot keep");
            continue;
        }
        match std::fs::read(package.join(path)) {
            Ok(bytes) => {
                files.insert(name.to_owned(), bytes);
            }
            Err(e) => found.block(path, format!("cannot be read: {e}")),
        }
    }
}

/// A Polygon path pattern (`tests/%02d`) for test `index`.
fn path_of(pattern: &str, index: usize) -> String {
    let Some(at) = pattern.find('%') else {
        return pattern.to_owned();
    };
    let spec: String = pattern[at + 1..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let rest = &pattern[at + 1 + spec.len()..];
    let Some(rest) = rest.strip_prefix('d') else {
        return pattern.to_owned();
    };
    let width: usize = spec.parse().unwrap_or(0);
    format!("{}{index:0width$}{rest}", &pattern[..at])
}

/// The testset's tests and groups.
fn tests(
    package: &Path,
    testset: Node,
    manifest: &mut Manifest,
    files: &mut BTreeMap<String, Vec<u8>>,
    imported: &mut Imported,
    found: &mut Findings,
) {
    let input_pattern = text(child(testset, "input-path-pattern")).unwrap_or("tests/%02d");
    let answer_pattern = text(child(testset, "answer-path-pattern")).unwrap_or("tests/%02d.a");
    let tests: Vec<Node> = child(testset, "tests")
        .map(|t| children(t, "test").collect())
        .unwrap_or_default();
    if tests.is_empty() {
        found.block("problem.xml", "the `tests` testset has no tests");
    }
    for (at, test) in tests.iter().enumerate() {
        let index = at + 1;
        let (input, answer) = (
            path_of(input_pattern, index),
            path_of(answer_pattern, index),
        );
        let (Ok(stdin), Ok(expected)) = (
            std::fs::read(package.join(&input)),
            std::fs::read(package.join(&answer)),
        ) else {
            let why = match test.attribute("cmd") {
                Some(cmd) if test.attribute("method") == Some("generated") => format!(
                    "test {index} is made by `{cmd}` and the package holds no {input} and {answer}: export a full package (with tests)"
                ),
                _ => format!("test {index}: {input} or {answer} is missing"),
            };
            found.block(&input, why);
            continue;
        };
        let public = test.attribute("sample") == Some("true");
        let name = format!("test-{index:02}");
        let folder = if public { "public" } else { "hidden" };
        files.insert(format!("tests/{folder}/{name}.in"), stdin);
        // The checker's `answer`; an interactor's too (read by it only).
        files.insert(format!("tests/{folder}/{name}.out"), expected);
        let settings = TestSettings {
            points: test
                .attribute("points")
                .and_then(|p| p.parse::<f64>().ok())
                .map(|p| p.round() as u32),
            group: test.attribute("group").map(|g| format!("g{g}")),
            comparison: None,
            fuel: None,
        };
        if settings != TestSettings::default() {
            manifest.tests.insert(name, settings);
        }
        if public {
            imported.public_tests += 1;
        } else {
            imported.hidden_tests += 1;
        }
    }
    groups(testset, manifest, imported, found);
}

/// Groups: `complete-group` ones are worth their points all or nothing and
/// stop at a failure; `each-test` ones keep their tests' points. (Names get
/// a `g` first: Polygon's are often numbers.)
fn groups(testset: Node, manifest: &mut Manifest, imported: &mut Imported, found: &mut Findings) {
    let groups: Vec<Node> = child(testset, "groups")
        .map(|g| children(g, "group").collect())
        .unwrap_or_default();
    for group in groups {
        let Some(name) = group.attribute("name") else {
            continue;
        };
        let name = format!("g{name}");
        let complete = group.attribute("points-policy") == Some("complete-group");
        let members: Vec<String> = manifest
            .tests
            .iter()
            .filter(|(_, s)| s.group.as_deref() == Some(name.as_str()))
            .map(|(t, _)| t.clone())
            .collect();
        let points = if complete {
            let sum: u32 = members
                .iter()
                .filter_map(|t| manifest.tests.get(t).and_then(|s| s.points))
                .sum();
            let points = group
                .attribute("points")
                .and_then(|p| p.parse::<f64>().ok())
                .map_or(sum, |p| p.round() as u32);
            Some(points)
        } else {
            None
        };
        if group.attribute("feedback-policy").is_some() {
            found.note(
                "problem.xml",
                format!(
                    "group `{name}`: feedback-policy is not used (gavel's disclosure rules apply)"
                ),
            );
        }
        let depends_on = child(group, "dependencies")
            .map(|d| {
                children(d, "dependency")
                    .filter_map(|d| d.attribute("group"))
                    .map(|g| format!("g{g}"))
                    .collect()
            })
            .unwrap_or_default();
        let spec = GroupSpec {
            points,
            on_failure: if complete {
                OnFailure::Skip
            } else {
                OnFailure::default()
            },
            depends_on,
        };
        if spec.has_rules() {
            imported.groups.push(name.clone());
        }
        manifest.groups.insert(name, spec);
    }
}

/// Python 3 solutions: the reference and known-bad ones by their tags.
fn solutions(
    package: &Path,
    assets: Option<Node>,
    time_limit: Option<f64>,
    manifest: &mut Manifest,
    files: &mut BTreeMap<String, Vec<u8>>,
    imported: &mut Imported,
    found: &mut Findings,
) {
    let mut solutions: Vec<Node> = assets
        .and_then(|a| child(a, "solutions"))
        .map(|s| children(s, "solution").collect())
        .unwrap_or_default();
    // The main solution first: it is the reference if it is Python.
    solutions.sort_by_key(|s| s.attribute("tag") != Some("main"));
    for solution in solutions {
        let Some(source) = child(solution, "source") else {
            continue;
        };
        let path = source.attribute("path").unwrap_or_default();
        let kind = source.attribute("type").unwrap_or_default();
        if !kind.starts_with("python.3") && kind != "python3" {
            found.note(
                path,
                format!("a `{kind}` solution: not converted (gavel judges Python)"),
            );
            continue;
        }
        let tag = solution.attribute("tag").unwrap_or_default();
        let verdict = match tag {
            "main" | "accepted" => "accepted",
            "wrong-answer" => "wrong_answer",
            "time-limit-exceeded" => "time_limit",
            "memory-limit-exceeded" => "memory_limit",
            other => {
                found.note(
                    path,
                    format!("tagged `{other}`: not converted (no single gavel verdict)"),
                );
                continue;
            }
        };
        let Ok(bytes) = std::fs::read(package.join(path)) else {
            found.block(path, "cannot be read");
            continue;
        };
        if verdict == "accepted" && imported.reference_from.is_empty() {
            files.insert("solution.py".to_owned(), bytes);
            imported.reference_from = path.to_owned();
            continue;
        }
        let stem = file_stem(path.rsplit('/').next().unwrap_or("solution"));
        files.insert(format!("submissions/{verdict}/{stem}.py"), bytes);
        imported.known_bad += 1;
    }
    if imported.reference_from.is_empty() {
        match time_limit {
            Some(seconds) => {
                let fuel = fixed_fuel(seconds);
                manifest.limits.fuel = Some(fuel);
                found.note(
                    "problem.xml",
                    format!(
                        "no Python 3 main or accepted solution: every test gets a fixed budget of {} fuel, the time limit ({seconds} s) at {} fuel per second",
                        gavel_core::limits::human_fuel(fuel),
                        gavel_core::limits::human_fuel(FUEL_PER_SECOND)
                    ),
                );
            }
            None => found.block(
                "problem.xml",
                "no Python 3 main or accepted solution and no time limit to set budgets from",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns_are_filled_like_printf() {
        assert_eq!(path_of("tests/%02d", 3), "tests/03");
        assert_eq!(path_of("tests/%02d.a", 12), "tests/12.a");
        assert_eq!(path_of("tests/%d.in", 7), "tests/7.in");
        assert_eq!(path_of("tests/%03d", 7), "tests/007");
    }
}
