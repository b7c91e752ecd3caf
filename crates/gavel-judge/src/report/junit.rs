//! JUnit XML, the format CI systems read test results from.

use std::fmt::Write;
use std::path::Path;

/// One test case of a JUnit report.
#[derive(Debug, Clone)]
pub struct Case {
    /// The class name (grouping).
    pub class: String,
    /// The case's name.
    pub name: String,
    /// The failure message, if it failed.
    pub failure: Option<String>,
    /// Its duration in seconds.
    pub time_s: f64,
}

/// Escapes text for XML, dropping characters XML 1.0 cannot carry at all
/// (program output may hold any byte).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Renders one test suite.
pub fn render(suite: &str, cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let time: f64 = cases.iter().map(|c| c.time_s).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites><testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\">",
        escape(suite),
        cases.len()
    );
    for case in cases {
        let _ = write!(
            xml,
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            escape(&case.class),
            escape(&case.name),
            case.time_s
        );
        match &case.failure {
            None => xml.push_str("/>\n"),
            Some(message) => {
                let first = message.lines().next().unwrap_or_default();
                let _ = write!(
                    xml,
                    ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>\n",
                    escape(first),
                    escape(message)
                );
            }
        }
    }
    xml.push_str("</testsuite></testsuites>\n");
    xml
}

/// Writes a report atomically.
pub fn write(path: &Path, suite: &str, cases: &[Case]) -> std::io::Result<()> {
    gavel_sandbox::write_atomically(path, render(suite, cases).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        let cases = [Case {
            class: "c".to_owned(),
            name: "a<b>".to_owned(),
            failure: Some("expected `1` & found \u{1b}[31m".to_owned()),
            time_s: 0.5,
        }];
        let xml = render("s", &cases);
        assert!(xml.contains("name=\"a&lt;b&gt;\""), "{xml}");
        assert!(xml.contains("&amp; found \\u{1b}[31m"), "{xml}");
        assert!(xml.contains("failures=\"1\""), "{xml}");
    }
}
