//! Untrusted text made safe to show: one escaping core and one clipper, used
//! by every output (terminal, diffs, messages, HTML, XML, CSV).
//!
//! A submission's output, an exception's message, a candidate's folder name:
//! any of them may hold escape sequences that would repaint a terminal, bidi
//! controls that reorder what a reviewer reads, or characters XML cannot carry.
//! Escaped, they are shown as Rust writes them (`\u{1b}`), so nothing is lost.

use std::borrow::Cow;

/// Which line structure survives escaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Newlines and tabs are kept (multi-line text: program output, tracebacks).
    Keep,
    /// Everything is on one line: newlines are shown as `\n`.
    Join,
}

fn needs_escape(c: char, lines: Lines) -> bool {
    match c {
        '\n' | '\t' => lines == Lines::Join,
        // Bidirectional overrides and isolates reorder the text around them.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        // Noncharacters that XML cannot carry.
        '\u{fffe}' | '\u{ffff}' => true,
        c => c.is_control(),
    }
}

/// `text` with control characters (C0, DEL, C1), bidi overrides and XML's
/// forbidden noncharacters escaped; borrowed when there is nothing to escape.
pub fn escape(text: &str, lines: Lines) -> Cow<'_, str> {
    if !text.chars().any(|c| needs_escape(c, lines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c, lines) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.extend(c.escape_unicode()),
        }
    }
    Cow::Owned(out)
}

/// Lossy UTF-8 of `bytes`, escaped (see [`escape`]).
pub fn escape_bytes(bytes: &[u8], lines: Lines) -> String {
    escape(&String::from_utf8_lossy(bytes), lines).into_owned()
}

/// `text` cut to at most `max` characters, with a note of how many were cut;
/// borrowed when it fits.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let cut = text[end..].chars().count();
            Cow::Owned(format!("{}… ({cut} more characters)", &text[..end]))
        }
    }
}

/// `text` clipped to `max` characters, then escaped onto one line and quoted
/// in backticks: how messages show a token, a line or a value.
pub fn quote(text: &str, max: usize) -> String {
    format!("`{}`", escape(&clip(text, max), Lines::Join))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_drive_a_terminal_or_break_xml() {
        assert_eq!(escape("plain", Lines::Keep), "plain");
        assert!(matches!(escape("plain", Lines::Keep), Cow::Borrowed(_)));
        assert_eq!(escape("\u{1b}[31mred", Lines::Keep), "\\u{1b}[31mred");
        assert_eq!(escape("a\nb\tc\r", Lines::Keep), "a\nb\tc\\r");
        assert_eq!(escape("a\nb", Lines::Join), "a\\nb");
        assert_eq!(escape("x\u{202e}y", Lines::Keep), "x\\u{202e}y");
        assert_eq!(escape("\u{9b}\u{7f}", Lines::Keep), "\\u{9b}\\u{7f}");
        assert_eq!(escape("\u{ffff}", Lines::Keep), "\\u{ffff}");
    }

    #[test]
    fn clips_by_characters_with_a_count() {
        assert_eq!(clip("héllo", 5), "héllo");
        assert_eq!(clip("héllo wörld", 5), "héllo… (6 more characters)");
        assert_eq!(quote("a\u{1b}b", 10), "`a\\u{1b}b`");
        assert!(quote(&"x".repeat(100), 60).contains("40 more characters"));
    }
}
