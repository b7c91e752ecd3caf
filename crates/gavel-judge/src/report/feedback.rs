//! `feedback/<candidate>.md`: what a candidate may be sent about their own
//! work, in Markdown: their verdicts, each failed public test in detail, and
//! hidden tests only as the confidentiality rules allow (a result made for
//! the team's reviewers with hidden tests in full is made shareable first).

use super::results::CandidateReport;
use crate::disclose::shareable;
use gavel_core::text::{Lines, escape};
use gavel_exercise::diff::DiffLine;
use gavel_sandbox::{Message, Side};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, Error, Output, State, context};

const FEEDBACK: &str = include_str!("templates/feedback.md");

/// Markdown has no escaping the template engine knows, so every value is
/// made safe by the filter that places it (`inline`, `cell`, `fence`); the
/// formatter only removes control characters a terminal would act on.
fn formatter(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), Error> {
    let text = value.to_string();
    out.write_str(&escape(&text, Lines::Keep))
        .map_err(|e| Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
}

/// The longest run of backticks in `text`.
fn longest_backticks(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// A code span of `text` on one line, its delimiters longer than any run of
/// backticks inside (and padded, so a backtick at either end is kept).
fn inline(text: &str) -> Value {
    let flat = text.replace(['\n', '\r'], " ");
    let clipped = gavel_core::text::clip(&flat, 300);
    let ticks = "`".repeat(longest_backticks(&clipped) + 1);
    Value::from(format!("{ticks} {clipped} {ticks}"))
}

/// Text as it reads, with Markdown's punctuation escaped so a name cannot
/// become a link, an image or a heading.
fn plain(text: &str) -> Value {
    let flat = text.replace(['\n', '\r'], " ");
    let mut out = String::new();
    for c in gavel_core::text::clip(&flat, 200).chars() {
        if "\\`*_{}[]()#+-.!|<>~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Value::from(out)
}

/// Text in a table cell: on one line, pipes escaped.
fn cell(text: &str) -> Value {
    let flat = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    Value::from(gavel_core::text::clip(&flat, 300).into_owned())
}

/// A fenced code block whose fence is longer than any run of backticks in
/// `text`, so nothing inside can close it.
fn fence(text: &str, language: &str) -> Value {
    let fence = "`".repeat(longest_backticks(text).max(2) + 1);
    let body = text.strip_suffix('\n').unwrap_or(text);
    Value::from(format!("{fence}{language}\n{body}\n{fence}"))
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_formatter(formatter);
    env.add_filter("inline", |text: &str| inline(text));
    env.add_filter("plain", |text: &str| plain(text));
    env.add_filter("cell", |text: &str| cell(text));
    env.add_filter("fence", |text: &str, language: &str| fence(text, language));
    super::add_common_filters(&mut env);
    env.add_filter("diff_text", |diff: Value| -> Result<String, Error> {
        let lines: Vec<DiffLine> = serde::Deserialize::deserialize(diff)
            .map_err(|e| Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))?;
        Ok(lines
            .iter()
            .map(|l| format!("{}{}\n", if l.tag == ' ' { ' ' } else { l.tag }, l.text))
            .collect())
    });
    env.add_filter(
        "transcript_text",
        |messages: Value| -> Result<String, Error> {
            let messages: Vec<Message> = serde::Deserialize::deserialize(messages)
                .map_err(|e| Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))?;
            let mut out = String::new();
            for m in &messages {
                let mark = if m.from == Side::Program { '>' } else { '<' };
                for line in m.text.lines() {
                    out.push_str(&format!("{mark} {line}\n"));
                }
            }
            Ok(out)
        },
    );
    env.add_template("feedback.md", FEEDBACK)
        .expect("the feedback template is valid");
    env
}

/// Writes the feedback file of one candidate.
pub(crate) fn write(
    w: &mut dyn std::io::Write,
    report: &CandidateReport,
    generated_at: &str,
) -> std::io::Result<()> {
    let mut report = report.clone();
    for entry in report.results.values_mut() {
        if let Some(result) = &entry.result {
            entry.result = Some(shareable(result));
        }
    }
    let ctx = context! {
        name => report.name.clone(),
        points => report.points,
        max_points => report.max_points,
        results => Serde(&report.results),
        generated_at => generated_at,
        version => env!("CARGO_PKG_VERSION"),
    };
    environment()
        .get_template("feedback.md")
        .and_then(|t| t.render_captured_to(ctx, &mut *w))
        .map(|_| ())
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_inside_a_fence_can_close_it() {
        let fenced = fence("a ``` b\n", "text").to_string();
        assert!(fenced.starts_with("````text\n"));
        assert!(fenced.ends_with("\n````"));
        assert_eq!(cell("a|b\nc").to_string(), "a\\|b c");
        assert_eq!(inline("x`y").to_string(), "`` x`y ``");
        assert_eq!(plain("[a](b)").to_string(), "\\[a\\]\\(b\\)");
    }
}
