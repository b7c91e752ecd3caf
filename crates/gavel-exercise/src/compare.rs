//! Comparing a submission's answer with the expected one.
//!
//! Messages follow testlib: they say where the first difference is and what
//! was expected there (`line 3, token 2: expected `5`, found `6``).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether blank lines inside an output count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlankLines {
    /// A blank line is whitespace like any other: ignored (as Kattis's default
    /// output validator and DMOJ's standard checker do).
    #[default]
    Ignore,
    /// Blank lines inside the output must match (blank lines at the end are
    /// still ignored).
    Count,
}

/// How an answer is compared with the expected one. Whitespace is ASCII
/// whitespace: U+00A0 and other Unicode spaces are ordinary characters, as in
/// DMOJ and Kattis.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum Comparison {
    /// Line by line, token by token: the amount of whitespace, a missing
    /// trailing newline and blank lines do not matter.
    Tokens {
        /// Whether blank lines inside the output count.
        #[serde(default)]
        blank_lines: BlankLines,
    },
    /// Byte for byte.
    Exact,
    /// Like `tokens`, ignoring letter case.
    CaseInsensitive {
        /// Whether blank lines inside the output count.
        #[serde(default)]
        blank_lines: BlankLines,
    },
    /// Like `tokens`, but numbers may differ by a tolerance: absolute, or
    /// relative to the expected value. Tokens that are integers on the
    /// expected side compare exactly unless `integers` is set.
    Float {
        /// Absolute tolerance.
        #[serde(default)]
        abs: f64,
        /// Relative tolerance, against the expected value.
        #[serde(default)]
        rel: f64,
        /// Apply the tolerance to integer-looking tokens too (as DMOJ's
        /// floats checker and Kattis's float tolerance do).
        #[serde(default)]
        integers: bool,
        /// Tokens that are not numbers compare ignoring letter case (as
        /// Kattis's default validator does unless `case_sensitive`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        ignore_case: bool,
        /// Whether blank lines inside the output count.
        #[serde(default)]
        blank_lines: BlankLines,
    },
    /// The same lines (each compared like `tokens`) in any order.
    UnorderedLines,
    /// Line by line like `tokens`, with points in proportion to the lines
    /// that are right (partial credit).
    Lines,
    /// For function exercises: deep equality of JSON values.
    Json {
        /// Numbers may differ by this much (absolute or relative).
        #[serde(default)]
        float_tolerance: Option<f64>,
        /// Lists compare as multisets.
        #[serde(default)]
        unordered_lists: bool,
    },
}

impl Comparison {
    /// The mode's name, as manifests write it.
    pub fn name(&self) -> &'static str {
        match self {
            Comparison::Tokens { .. } => "tokens",
            Comparison::Exact => "exact",
            Comparison::CaseInsensitive { .. } => "case_insensitive",
            Comparison::Float { .. } => "float",
            Comparison::UnorderedLines => "unordered_lines",
            Comparison::Lines => "lines",
            Comparison::Json { .. } => "json",
        }
    }
}

impl Default for Comparison {
    fn default() -> Self {
        Comparison::tokens()
    }
}

impl Comparison {
    /// `tokens` with its defaults.
    pub fn tokens() -> Comparison {
        Comparison::Tokens {
            blank_lines: BlankLines::Ignore,
        }
    }

    /// Whether this comparison applies to JSON values rather than text.
    pub fn is_json(&self) -> bool {
        matches!(self, Comparison::Json { .. })
    }
}

/// Why an answer is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WrongReason {
    /// A token (or value) differs.
    Mismatch,
    /// The answer stops before the expected output does.
    MissingOutput,
    /// The answer goes on after the expected output ends.
    ExtraOutput,
    /// Only whitespace differs (for exact comparison).
    WhitespaceOnly,
}

/// The result of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Compared {
    /// The answer is accepted.
    Match,
    /// The answer is wrong.
    Wrong {
        /// The kind of difference.
        reason: WrongReason,
        /// Where and what, testlib style.
        message: String,
    },
    /// The answer is partly right (`lines`): it earns a fraction of the points.
    Partial {
        /// From 0 to 1.
        fraction: f64,
        /// What was wrong.
        message: String,
    },
}

fn wrong(reason: WrongReason, message: String) -> Compared {
    Compared::Wrong { reason, message }
}

/// How many characters of a token, line or value a message shows.
const QUOTED: usize = 60;

/// Shows a token, line or value in a message: clipped, escaped, in backticks.
pub fn quote(text: &str) -> String {
    gavel_core::text::quote(text, QUOTED)
}

/// The lines of `text` to compare, each with its number: line terminators
/// removed, blank lines at the end dropped, and with [`BlankLines::Ignore`]
/// every blank line dropped.
fn lines(text: &str, blank_lines: BlankLines) -> Vec<(usize, &str)> {
    let blank = |l: &str| l.bytes().all(|b| b.is_ascii_whitespace());
    let mut lines: Vec<(usize, &str)> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    while lines.last().is_some_and(|(_, l)| blank(l)) {
        lines.pop();
    }
    if blank_lines == BlankLines::Ignore {
        lines.retain(|(_, l)| !blank(l));
    }
    lines
}

/// Compares text output. `comparison` must not be [`Comparison::Json`].
pub fn compare_text(comparison: &Comparison, expected: &str, actual: &str) -> Compared {
    let exact = |e: &str, a: &str| e == a;
    match comparison {
        Comparison::Exact => {
            if expected == actual {
                return Compared::Match;
            }
            match compare_tokens(expected, actual, BlankLines::Count, &exact) {
                Compared::Match => {
                    let at = first_difference(expected, actual);
                    wrong(
                        WrongReason::WhitespaceOnly,
                        format!("only whitespace differs, first at {at}"),
                    )
                }
                other => other,
            }
        }
        Comparison::Tokens { blank_lines } => {
            compare_tokens(expected, actual, *blank_lines, &exact)
        }
        Comparison::Json { .. } => compare_tokens(expected, actual, BlankLines::Ignore, &exact),
        Comparison::CaseInsensitive { blank_lines } => {
            compare_tokens(expected, actual, *blank_lines, &|e, a| {
                e == a || e.to_lowercase() == a.to_lowercase()
            })
        }
        Comparison::Float {
            abs,
            rel,
            integers,
            ignore_case,
            blank_lines,
        } => compare_tokens(expected, actual, *blank_lines, &|e, a| {
            floats_match(e, a, *abs, *rel, *integers)
                || (*ignore_case && e.to_lowercase() == a.to_lowercase())
        }),
        Comparison::UnorderedLines => compare_unordered_lines(expected, actual),
        Comparison::Lines => compare_lines(expected, actual),
    }
}

fn first_difference(expected: &str, actual: &str) -> String {
    let (mut line, mut column) = (1, 1);
    for (e, a) in expected.chars().zip(actual.chars()) {
        if e != a {
            break;
        }
        if e == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    format!("line {line}, column {column}")
}

fn is_integer(token: &str) -> bool {
    let digits = token.strip_prefix(['-', '+']).unwrap_or(token);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn floats_match(expected: &str, actual: &str, abs: f64, rel: f64, integers: bool) -> bool {
    if expected == actual {
        return true;
    }
    // An integer answer is exact unless asked otherwise: tolerance is for
    // computed decimals.
    if is_integer(expected) && !integers {
        return false;
    }
    match (expected.parse::<f64>(), actual.parse::<f64>()) {
        (Ok(e), Ok(a)) if e.is_finite() && a.is_finite() => {
            let diff = (e - a).abs();
            diff <= abs || diff <= rel * e.abs()
        }
        _ => false,
    }
}

/// The first difference between two lines, token by token, testlib style.
fn line_difference(
    n: usize,
    expected: &str,
    actual: &str,
    same: &dyn Fn(&str, &str) -> bool,
) -> Option<String> {
    let mut expected_tokens = expected.split_ascii_whitespace();
    let mut actual_tokens = actual.split_ascii_whitespace();
    let mut t = 0;
    loop {
        t += 1;
        match (expected_tokens.next(), actual_tokens.next()) {
            (None, None) => return None,
            (Some(e), Some(a)) if same(e, a) => {}
            (Some(e), Some(a)) => {
                return Some(format!(
                    "line {n}, token {t}: expected {}, found {}",
                    quote(e),
                    quote(a)
                ));
            }
            (Some(e), None) => {
                return Some(format!(
                    "line {n}, token {t}: expected {}, found end of line",
                    quote(e)
                ));
            }
            (None, Some(a)) => {
                return Some(format!(
                    "line {n}, token {t}: expected end of line, found {}",
                    quote(a)
                ));
            }
        }
    }
}

fn compare_tokens(
    expected: &str,
    actual: &str,
    blank_lines: BlankLines,
    same: &dyn Fn(&str, &str) -> bool,
) -> Compared {
    let expected_lines = lines(expected, blank_lines);
    let actual_lines = lines(actual, blank_lines);
    for (index, (n, expected_line)) in expected_lines.iter().enumerate() {
        let Some((m, actual_line)) = actual_lines.get(index) else {
            let what = expected_line
                .split_ascii_whitespace()
                .next()
                .map_or_else(|| "an empty line".to_owned(), quote);
            let message = if actual_lines.is_empty() {
                format!("line {n}: expected {what}, found no output")
            } else {
                format!("line {n}: expected {what}, found end of output")
            };
            return wrong(WrongReason::MissingOutput, message);
        };
        // Lines are numbered as the program wrote them.
        if let Some(message) = line_difference(*m, expected_line, actual_line, same) {
            return wrong(WrongReason::Mismatch, message);
        }
    }
    if let Some((n, extra)) = actual_lines.get(expected_lines.len()) {
        return wrong(
            WrongReason::ExtraOutput,
            format!(
                "line {n}: expected end of output, found {}",
                quote(extra.trim_ascii())
            ),
        );
    }
    Compared::Match
}

/// `lines` mode: each expected line against the program's line of the same
/// position; the fraction right earns that share of the points.
fn compare_lines(expected: &str, actual: &str) -> Compared {
    let exact = |e: &str, a: &str| e == a;
    let expected_lines = lines(expected, BlankLines::Ignore);
    let actual_lines = lines(actual, BlankLines::Ignore);
    if expected_lines.is_empty() {
        return compare_tokens(expected, actual, BlankLines::Ignore, &exact);
    }
    let mut right = 0;
    let mut first = None;
    for (index, (n, expected_line)) in expected_lines.iter().enumerate() {
        let difference = match actual_lines.get(index) {
            Some((m, actual_line)) => line_difference(*m, expected_line, actual_line, &exact),
            None => Some(format!(
                "line {n}: expected {}, found end of output",
                quote(expected_line.trim_ascii())
            )),
        };
        match difference {
            None => right += 1,
            Some(message) => {
                first.get_or_insert(message);
            }
        }
    }
    let extra = actual_lines.len().saturating_sub(expected_lines.len());
    if extra > 0 && first.is_none() {
        let (n, line) = actual_lines[expected_lines.len()];
        first = Some(format!(
            "line {n}: expected end of output, found {}",
            quote(line.trim_ascii())
        ));
    }
    match first {
        None => Compared::Match,
        Some(message) => Compared::Partial {
            // Extra lines count against the answer like wrong ones.
            fraction: right as f64 / (expected_lines.len() + extra) as f64,
            message: format!("{right} of {} lines right; {message}", expected_lines.len()),
        },
    }
}

fn compare_unordered_lines(expected: &str, actual: &str) -> Compared {
    let normalise = |text: &str| -> Vec<String> {
        let mut lines: Vec<String> = lines(text, BlankLines::Ignore)
            .into_iter()
            .map(|(_, l)| l.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        lines.sort();
        lines
    };
    let expected = normalise(expected);
    let actual = normalise(actual);
    let (mut i, mut j) = (0, 0);
    while i < expected.len() && j < actual.len() {
        match expected[i].cmp(&actual[j]) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                return wrong(
                    WrongReason::MissingOutput,
                    format!("expected a line {}, which is missing", quote(&expected[i])),
                );
            }
            std::cmp::Ordering::Greater => {
                return wrong(
                    WrongReason::ExtraOutput,
                    format!("found an unexpected line {}", quote(&actual[j])),
                );
            }
        }
    }
    if let Some(line) = expected.get(i) {
        return wrong(
            WrongReason::MissingOutput,
            format!("expected a line {}, which is missing", quote(line)),
        );
    }
    if let Some(line) = actual.get(j) {
        return wrong(
            WrongReason::ExtraOutput,
            format!("found an unexpected line {}", quote(line)),
        );
    }
    Compared::Match
}

/// How deeply a returned value may nest. A list nested a few hundred levels
/// deep is an ordinary Python value; past this, [`compare_json`]'s recursion
/// would be at risk, and no exercise expects such a value.
pub const MAX_RETURN_DEPTH: usize = 1000;

/// The nesting depth of a JSON text (brackets outside strings).
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Why a returned value cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReturnedError {
    /// Nested deeper than [`MAX_RETURN_DEPTH`].
    #[error(
        "the value is nested {depth} levels deep; at most {MAX_RETURN_DEPTH} levels can be compared"
    )]
    TooDeep {
        /// How deep it is.
        depth: usize,
    },
    /// Not a JSON value (or one with a lone surrogate).
    #[error("it is not a JSON value gavel can read ({0})")]
    NotJson(String),
}

/// Reads back a value a function returned (or a reference computed), for
/// [`compare_json`]. The text comes from a sandboxed program whose runner the
/// program can tamper with, so anything may arrive: too deep, not JSON, a
/// lone surrogate; each is an `Err` saying why.
pub fn parse_returned(text: &str) -> Result<Value, ReturnedError> {
    let depth = nesting(text);
    if depth > MAX_RETURN_DEPTH {
        return Err(ReturnedError::TooDeep { depth });
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.disable_recursion_limit();
    let value = Deserialize::deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| ReturnedError::NotJson(e.to_string()))?;
    Ok(value)
}

/// Compares a function's return value with the expected value.
pub fn compare_json(comparison: &Comparison, expected: &Value, actual: &Value) -> Compared {
    let (tolerance, unordered) = match comparison {
        Comparison::Json {
            float_tolerance,
            unordered_lists,
        } => (*float_tolerance, *unordered_lists),
        _ => (None, false),
    };
    match json_difference(expected, actual, tolerance, unordered, "") {
        None => Compared::Match,
        Some(message) => wrong(WrongReason::Mismatch, message),
    }
}

fn show(value: &Value) -> String {
    quote(&value.to_string())
}

/// Whether a JSON number is an integer: no fraction and no exponent. With
/// arbitrary precision the number keeps its text, so `2**100` is exact.
fn is_integer_number(n: &serde_json::Number) -> bool {
    !n.to_string().contains(['.', 'e', 'E'])
}

/// The exact integer a number stands for, as canonical decimal text: an
/// integer's own digits, or an integral float's exact value (as Python
/// compares `2**100 == 1.2676506002282294e30`).
fn exact_integer(n: &serde_json::Number) -> Option<String> {
    let text = n.to_string();
    if is_integer_number(n) {
        return Some(if text == "-0" { "0".to_owned() } else { text });
    }
    let x = n.as_f64()?;
    (x.is_finite() && x.fract() == 0.0).then(|| {
        let text = format!("{x:.0}");
        if text == "-0" { "0".to_owned() } else { text }
    })
}

fn numbers_match(e: &serde_json::Number, a: &serde_json::Number, tolerance: Option<f64>) -> bool {
    let expected_integer = is_integer_number(e);
    if expected_integer || is_integer_number(a) {
        // Integers compare exactly, at any size, with integral floats too.
        if let (Some(x), Some(y)) = (exact_integer(e), exact_integer(a)) {
            return x == y;
        }
        if expected_integer {
            return false;
        }
    }
    let (Some(x), Some(y)) = (e.as_f64(), a.as_f64()) else {
        return false;
    };
    if x == y {
        return true;
    }
    match tolerance {
        Some(t) if !expected_integer => {
            let diff = (x - y).abs();
            diff <= t || diff <= t * x.abs().max(y.abs())
        }
        _ => false,
    }
}

/// A pair of values to compare, at a path; inside an unordered list, the
/// list whose message reports any difference within it.
struct Item<'a> {
    expected: &'a Value,
    actual: &'a Value,
    path: String,
    within: Option<usize>,
}

/// The walk of [`json_difference`]: what is left to compare, and the
/// unordered lists entered so far (expected, actual, where).
struct Walk<'a> {
    stack: Vec<Item<'a>>,
    lists: Vec<(&'a Value, &'a Value, String)>,
    tolerance: Option<f64>,
    unordered: bool,
}

impl<'a> Walk<'a> {
    /// Compares one pair: a message when they differ here, else their
    /// children go on the stack (in reverse, so the first is compared first).
    fn step(&mut self, item: &Item<'a>) -> Option<String> {
        let (expected, actual) = (item.expected, item.actual);
        let at = if item.path.is_empty() {
            "the result".to_owned()
        } else {
            item.path.clone()
        };
        match (expected, actual) {
            (Value::Number(e), Value::Number(a)) if numbers_match(e, a, self.tolerance) => None,
            (Value::Array(e), Value::Array(a)) if e.len() != a.len() => Some(format!(
                "{at}: expected a list of {} items, found {} items ({})",
                e.len(),
                a.len(),
                show(actual)
            )),
            (Value::Array(e), Value::Array(a)) if self.unordered => {
                let within = item.within.or_else(|| {
                    self.lists.push((expected, actual, at.clone()));
                    Some(self.lists.len() - 1)
                });
                let mut e_sorted: Vec<&Value> = e.iter().collect();
                let mut a_sorted: Vec<&Value> = a.iter().collect();
                e_sorted.sort_by_key(|v| v.to_string());
                a_sorted.sort_by_key(|v| v.to_string());
                for (ev, av) in e_sorted.into_iter().zip(a_sorted).rev() {
                    self.push(ev, av, String::new(), within);
                }
                None
            }
            (Value::Array(e), Value::Array(a)) => {
                for (i, (ev, av)) in e.iter().zip(a).enumerate().rev() {
                    self.push(ev, av, format!("{}[{i}]", item.path), item.within);
                }
                None
            }
            (Value::Object(e), Value::Object(a)) => {
                if let Some(key) = e.keys().find(|k| !a.contains_key(*k)) {
                    return Some(format!("{at}: missing key {}", quote(key)));
                }
                if let Some(key) = a.keys().find(|k| !e.contains_key(*k)) {
                    return Some(format!("{at}: unexpected key {}", quote(key)));
                }
                for (key, ev) in e.iter().rev() {
                    self.push(ev, &a[key], format!("{}.{key}", item.path), item.within);
                }
                None
            }
            _ if expected == actual => None,
            _ => Some(format!(
                "{at}: expected {}, found {}",
                show(expected),
                show(actual)
            )),
        }
    }

    fn push(
        &mut self,
        expected: &'a Value,
        actual: &'a Value,
        path: String,
        within: Option<usize>,
    ) {
        self.stack.push(Item {
            expected,
            actual,
            path,
            within,
        });
    }
}

/// The first difference between two JSON values, in document order, as a
/// message with its path; `None` when they are equal under the tolerance.
///
/// Iterative, not recursive: a returned value may nest a thousand levels deep,
/// which would overflow a thread's stack in a recursive walk.
fn json_difference(
    expected: &Value,
    actual: &Value,
    tolerance: Option<f64>,
    unordered: bool,
    path: &str,
) -> Option<String> {
    let mut walk = Walk {
        stack: Vec::new(),
        lists: Vec::new(),
        tolerance,
        unordered,
    };
    walk.push(expected, actual, path.to_owned(), None);
    while let Some(item) = walk.stack.pop() {
        if let Some(message) = walk.step(&item) {
            return Some(match item.within {
                Some(list) => {
                    let (e, a, at) = &walk.lists[list];
                    format!(
                        "{at}: expected the items {} in any order, found {}",
                        show(e),
                        show(a)
                    )
                }
                None => message,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn returned_values_keep_order_and_digits_and_nest_deeply() {
        let value = parse_returned(r#"{"p": 1, "A": 2, "B": 36893488147419103232}"#).unwrap();
        assert_eq!(
            value.to_string(),
            r#"{"p":1,"A":2,"B":36893488147419103232}"#
        );
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_RETURN_DEPTH),
            "]".repeat(MAX_RETURN_DEPTH)
        );
        let value = parse_returned(&deep).unwrap();
        let j = Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        };
        assert_eq!(compare_json(&j, &value, &value), Compared::Match);
    }

    #[test]
    fn unreadable_returned_values_are_explained() {
        let deeper = format!(
            "{}{}",
            "[".repeat(MAX_RETURN_DEPTH + 1),
            "]".repeat(MAX_RETURN_DEPTH + 1)
        );
        assert!(
            parse_returned(&deeper)
                .unwrap_err()
                .to_string()
                .contains("nested 1001 levels")
        );
        assert!(
            parse_returned(r#""\ud800""#)
                .unwrap_err()
                .to_string()
                .contains("not a JSON value")
        );
        assert!(parse_returned("garbage").is_err());
        assert_eq!(nesting(r#"["[[[", {"a": "]"}]"#), 2);
    }

    use super::*;
    use serde_json::json;

    fn message(c: Compared) -> (WrongReason, String) {
        match c {
            Compared::Wrong { reason, message } => (reason, message),
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }

    #[test]
    fn tokens_ignore_whitespace_amounts_and_trailing_blank_lines() {
        let t = Comparison::tokens();
        assert_eq!(compare_text(&t, "1 2\n3\n", "1   2\r\n3"), Compared::Match);
        assert_eq!(
            compare_text(&t, "1 2\n3\n", "1 2 \n3\n\n\n  \n"),
            Compared::Match
        );
    }

    #[test]
    fn tokens_report_the_first_difference_testlib_style() {
        let t = Comparison::tokens();
        let (reason, text) = message(compare_text(&t, "1\n2\n3 5\n", "1\n2\n3 6\n"));
        assert_eq!(reason, WrongReason::Mismatch);
        assert_eq!(text, "line 3, token 2: expected `5`, found `6`");
        let (reason, text) = message(compare_text(&t, "1\n2\n", "1\n"));
        assert_eq!(reason, WrongReason::MissingOutput);
        assert_eq!(text, "line 2: expected `2`, found end of output");
        let (reason, _) = message(compare_text(&t, "1\n", ""));
        assert_eq!(reason, WrongReason::MissingOutput);
        let (reason, text) = message(compare_text(&t, "1\n", "1\n2\n"));
        assert_eq!(reason, WrongReason::ExtraOutput);
        assert_eq!(text, "line 2: expected end of output, found `2`");
    }

    #[test]
    fn exact_reports_whitespace_only_differences() {
        let (reason, text) = message(compare_text(&Comparison::Exact, "a b\n", "a  b\n"));
        assert_eq!(reason, WrongReason::WhitespaceOnly);
        assert_eq!(text, "only whitespace differs, first at line 1, column 3");
        assert_eq!(
            compare_text(&Comparison::Exact, "a\n", "a\n"),
            Compared::Match
        );
    }

    #[test]
    fn case_insensitive_and_unordered_lines() {
        assert_eq!(
            compare_text(
                &Comparison::CaseInsensitive {
                    blank_lines: BlankLines::Ignore
                },
                "YES\n",
                "yes"
            ),
            Compared::Match
        );
        let u = Comparison::UnorderedLines;
        assert_eq!(
            compare_text(&u, "a 1\nb 2\n", "b  2\na 1\n"),
            Compared::Match
        );
        let (reason, _) = message(compare_text(&u, "a\nb\n", "a\n"));
        assert_eq!(reason, WrongReason::MissingOutput);
        let (reason, _) = message(compare_text(&u, "a\n", "a\na\n"));
        assert_eq!(reason, WrongReason::ExtraOutput);
    }

    #[test]
    fn float_tolerance_never_loosens_integers() {
        let f = Comparison::Float {
            abs: 1e-6,
            rel: 0.0,
            integers: false,
            ignore_case: false,
            blank_lines: BlankLines::Ignore,
        };
        assert_eq!(compare_text(&f, "0.333333\n", "0.3333331"), Compared::Match);
        assert!(matches!(
            compare_text(&f, "0.5\n", "0.6"),
            Compared::Wrong { .. }
        ));
        assert!(matches!(
            compare_text(&f, "3\n", "3.0000001"),
            Compared::Wrong { .. }
        ));
        assert!(matches!(
            compare_text(&f, "1.0\n", "nan"),
            Compared::Wrong { .. }
        ));
    }

    #[test]
    fn json_deep_equality_with_paths() {
        let j = Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        };
        assert_eq!(
            compare_json(&j, &json!([1, [2, 3]]), &json!([1, [2, 3]])),
            Compared::Match
        );
        assert_eq!(compare_json(&j, &json!(1), &json!(1.0)), Compared::Match);
        let (_, text) = message(compare_json(&j, &json!([1, [2, 3]]), &json!([1, [2, 4]])));
        assert_eq!(text, "[1][1]: expected `3`, found `4`");
        let (_, text) = message(compare_json(&j, &json!({"a": 1}), &json!({"b": 1})));
        assert_eq!(text, "the result: missing key `a`");
        let (_, text) = message(compare_json(&j, &json!(true), &json!(1)));
        assert_eq!(text, "the result: expected `true`, found `1`");
    }

    #[test]
    fn integers_compare_exactly_at_any_size() {
        let j = Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        };
        let big: Value = serde_json::from_str("1267650600228229401496703205376").unwrap();
        let off: Value = serde_json::from_str("1267650600228229401496703217721").unwrap();
        assert_eq!(compare_json(&j, &big, &big), Compared::Match);
        assert!(matches!(
            compare_json(&j, &big, &off),
            Compared::Wrong { .. }
        ));
        // Like Python: an integral float equals the integer it is exactly.
        let float: Value = serde_json::from_str("1.2676506002282294e30").unwrap();
        assert_eq!(compare_json(&j, &big, &float), Compared::Match);
        assert!(matches!(
            compare_json(&j, &off, &float),
            Compared::Wrong { .. }
        ));
        assert_eq!(
            compare_json(&j, &json!(0), &serde_json::from_str("-0").unwrap()),
            Compared::Match
        );
    }

    #[test]
    fn json_tolerance_and_unordered_lists() {
        let j = Comparison::Json {
            float_tolerance: Some(1e-9),
            unordered_lists: true,
        };
        assert_eq!(
            compare_json(&j, &json!([0.1, 2]), &json!([2, 0.1000000000001])),
            Compared::Match
        );
        assert!(matches!(
            compare_json(&j, &json!([1, 2]), &json!([1, 3])),
            Compared::Wrong { .. }
        ));
        assert!(matches!(
            compare_json(&j, &json!(2), &json!(2.0000000001)),
            Compared::Wrong { .. }
        ));
    }

    #[test]
    fn whitespace_is_ascii_and_blank_lines_count_only_when_asked() {
        let t = Comparison::tokens();
        // U+00A0 is an ordinary character, not a separator.
        let (_, text) = message(compare_text(&t, "1 2\n", "1\u{a0}2\n"));
        assert_eq!(text, "line 1, token 1: expected `1`, found `1\u{a0}2`");
        assert_eq!(compare_text(&t, "1\n2\n", "1\n\n\n2\n"), Compared::Match);
        let count = Comparison::Tokens {
            blank_lines: BlankLines::Count,
        };
        let (reason, text) = message(compare_text(&count, "1\n2\n", "1\n\n2\n"));
        assert_eq!(reason, WrongReason::Mismatch);
        assert_eq!(text, "line 2, token 1: expected `2`, found end of line");
        assert_eq!(
            compare_text(&count, "1\n2\n", "1\n2\n\n\n"),
            Compared::Match
        );
        // Messages number lines as the program wrote them.
        let (_, text) = message(compare_text(&t, "1\n2\n", "1\n\n3\n"));
        assert_eq!(text, "line 3, token 1: expected `2`, found `3`");
    }

    #[test]
    fn float_tolerance_is_relative_to_the_expected_value_and_may_cover_integers() {
        let f = |integers| Comparison::Float {
            abs: 0.0,
            rel: 1e-3,
            integers,
            ignore_case: integers,
            blank_lines: BlankLines::Ignore,
        };
        assert_eq!(
            compare_text(&f(false), "1000.0\n", "1000.9"),
            Compared::Match
        );
        assert!(matches!(
            compare_text(&f(false), "1000.0\n", "1001.1"),
            Compared::Wrong { .. }
        ));
        assert!(matches!(
            compare_text(&f(false), "1000\n", "1000.5"),
            Compared::Wrong { .. }
        ));
        assert_eq!(compare_text(&f(true), "1000\n", "1000.5"), Compared::Match);
        // Words compare ignoring case only when asked.
        assert_eq!(
            compare_text(&f(true), "YES 1.0\n", "yes 1"),
            Compared::Match
        );
        assert!(matches!(
            compare_text(&f(false), "YES 1.0\n", "yes 1.0"),
            Compared::Wrong { .. }
        ));
    }

    #[test]
    fn lines_mode_gives_points_for_the_lines_that_are_right() {
        let l = Comparison::Lines;
        assert_eq!(
            compare_text(&l, "a\nb\nc\nd\n", "a\nb\nc\nd"),
            Compared::Match
        );
        match compare_text(&l, "a\nb\nc\nd\n", "a\nx\nc\n") {
            Compared::Partial { fraction, message } => {
                assert_eq!(fraction, 0.5);
                assert_eq!(
                    message,
                    "2 of 4 lines right; line 2, token 1: expected `b`, found `x`"
                );
            }
            other => panic!("{other:?}"),
        }
        match compare_text(&l, "a\n", "a\nextra\n") {
            Compared::Partial { fraction, .. } => assert_eq!(fraction, 0.5),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quoting_escapes_control_characters_and_clips() {
        assert_eq!(quote("a\u{1b}[31m"), "`a\\u{1b}[31m`");
        assert!(quote(&"x".repeat(100)).contains("40 more characters"));
    }
}
