//! A readable diff of expected vs actual output, safe to show in a terminal or
//! a report: control characters and escape sequences are shown escaped, and
//! long outputs are cut with a count of what was cut.

use similar::{ChangeTag, TextDiff};

/// Limits of a rendered diff.
#[derive(Debug, Clone, Copy)]
pub struct DiffLimits {
    /// Lines of diff shown at most.
    pub max_lines: usize,
    /// Characters of one line shown at most.
    pub max_line_chars: usize,
    /// Lines of context around each change.
    pub context: usize,
}

impl Default for DiffLimits {
    fn default() -> Self {
        DiffLimits {
            max_lines: 40,
            max_line_chars: 160,
            context: 2,
        }
    }
}

/// One line of a rendered diff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DiffLine {
    /// `-` expected only, `+` actual only, ` ` both, `~` a note (cut lines).
    pub tag: char,
    /// The line, escaped and clipped, without its line terminator.
    pub text: String,
}

/// A line of output as a diff shows it: clipped, control characters escaped.
fn clip(line: &str, max: usize) -> String {
    use gavel_core::text::{Lines, clip, escape};
    escape(&clip(line, max), Lines::Keep).into_owned()
}

/// A line diff of `expected` against `actual`, grouped around the changes.
pub fn diff_lines(expected: &str, actual: &str, limits: DiffLimits) -> Vec<DiffLine> {
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(200))
        .diff_lines(expected, actual);
    let mut out = Vec::new();
    let mut cut = 0usize;
    for (i, group) in diff.grouped_ops(limits.context).iter().enumerate() {
        if i > 0 {
            push(&mut out, &mut cut, limits, '~', "…".to_owned());
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let tag = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                let value = change.value();
                let mut text = value.strip_suffix('\n').unwrap_or(value).to_owned();
                if change.missing_newline() {
                    text = clip(&text, limits.max_line_chars);
                    text.push_str("  (no newline at end)");
                    push(&mut out, &mut cut, limits, tag, text);
                } else {
                    let text = clip(&text, limits.max_line_chars);
                    push(&mut out, &mut cut, limits, tag, text);
                }
            }
        }
    }
    if cut > 0 {
        out.push(DiffLine {
            tag: '~',
            text: format!("… {cut} more diff lines cut"),
        });
    }
    out
}

fn push(out: &mut Vec<DiffLine>, cut: &mut usize, limits: DiffLimits, tag: char, text: String) {
    if out.len() < limits.max_lines {
        out.push(DiffLine { tag, text });
    } else {
        *cut += 1;
    }
}

/// Renders a diff as plain text, one `tag text` line each.
pub fn render(lines: &[DiffLine]) -> String {
    lines
        .iter()
        .map(|l| format!("{} {}\n", l.tag, l.text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_with_context() {
        let lines = diff_lines("1\n2\n3\n", "1\n5\n3\n", DiffLimits::default());
        assert_eq!(render(&lines), "  1\n- 2\n+ 5\n  3\n");
    }

    #[test]
    fn escapes_control_characters_and_marks_a_missing_newline() {
        let lines = diff_lines("ok\n", "\u{1b}[31mok", DiffLimits::default());
        let text = render(&lines);
        assert!(
            text.contains("+ \\u{1b}[31mok  (no newline at end)"),
            "{text}"
        );
    }

    #[test]
    fn cuts_long_diffs_and_lines_with_counts() {
        let expected: String = (0..100).map(|i| format!("{i}\n")).collect();
        let limits = DiffLimits {
            max_lines: 10,
            max_line_chars: 5,
            context: 1,
        };
        let lines = diff_lines(&expected, "", limits);
        assert_eq!(lines.len(), 11);
        assert_eq!(lines[10].text, "… 90 more diff lines cut");
        let lines = diff_lines("a\n", &format!("{}\n", "b".repeat(12)), limits);
        assert!(lines.iter().any(|l| l.text == "bbbbb… (7 more characters)"));
    }
}
