//! Python as people read it: values as Python reprs (`None`, `'a'`), a
//! function test as the call a candidate would write, and a small lexer of
//! Python source (for highlighting and for comparing submissions token by
//! token). The lexer never fails: anything it does not know is one
//! `Other` character, so hostile or broken source is still shown.

use gavel_core::shape::Shape;
use serde_json::Value;

/// `value` as Python's `repr` shows it: `None`, `True`, `'text'`, `[1, 2]`,
/// `{'a': 1}`. Numbers keep every digit written.
pub fn repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(value, &mut out);
    out
}

fn write_repr(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(key, out);
                out.push_str(": ");
                write_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// Width under which a list or dict is written on one line by [`pretty`].
const ONE_LINE: usize = 60;

/// `value` as a Python repr over several lines, for a diff: a list or dict
/// that fits in a short line stays on it, a longer one has an item per line,
/// indented by two spaces per level. Ends with a line break.
pub fn pretty(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(value, 0, &mut out);
    out.push('\n');
    out
}

fn write_pretty(value: &Value, depth: usize, out: &mut String) {
    let items: Vec<(Option<&String>, &Value)> = match value {
        Value::Array(items) => items.iter().map(|v| (None, v)).collect(),
        Value::Object(map) => map.iter().map(|(k, v)| (Some(k), v)).collect(),
        _ => return write_repr(value, out),
    };
    let flat = repr(value);
    if flat.len() <= ONE_LINE || items.is_empty() {
        out.push_str(&flat);
        return;
    }
    let (open, close) = if value.is_array() {
        ('[', ']')
    } else {
        ('{', '}')
    };
    out.push(open);
    for (key, item) in items {
        out.push('\n');
        out.push_str(&"  ".repeat(depth + 1));
        if let Some(key) = key {
            write_str(key, out);
            out.push_str(": ");
        }
        write_pretty(item, depth + 1, out);
        out.push(',');
    }
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
    out.push(close);
}

/// A string literal the way Python's `repr` picks quotes: single unless the
/// text has a single quote and no double one.
fn write_str(text: &str, out: &mut String) {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// The call of a function test in Python syntax: `two_sum([2, 7], 9)`.
/// A linked list or tree argument is shown as the list it is built from,
/// wrapped in its shape's name (`linked_list([1, 2])`). `None` when the
/// arguments are not a JSON list (they always are for a loaded exercise).
pub fn call(function: &str, args: &str, shapes: &[Shape]) -> Option<String> {
    let Ok(Value::Array(args)) = serde_json::from_str::<Value>(args) else {
        return None;
    };
    let shown: Vec<String> = args
        .iter()
        .enumerate()
        .map(
            |(i, arg)| match shapes.get(i).copied().unwrap_or_default() {
                Shape::Json => repr(arg),
                shape => format!("{}({})", shape.name(), repr(arg)),
            },
        )
        .collect();
    Some(format!("{function}({})", shown.join(", ")))
}

/// What a piece of Python source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword (`def`, `return`, `None`, …).
    Keyword,
    /// A name that is a builtin function or type (`len`, `range`, `int`, …).
    Builtin,
    /// Any other name.
    Name,
    /// A number literal.
    Number,
    /// A string literal, prefixes and triple quotes included.
    String,
    /// A comment to the end of its line.
    Comment,
    /// An operator or punctuation.
    Operator,
    /// Spaces, tabs and line breaks.
    Space,
    /// Anything else (a character the lexer does not know).
    Other,
}

/// One token: its kind and where it is in the source (byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte offset of its start.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case",
];

const BUILTINS: &[&str] = &[
    "abs",
    "all",
    "any",
    "bool",
    "dict",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "input",
    "int",
    "isinstance",
    "iter",
    "len",
    "list",
    "map",
    "max",
    "min",
    "next",
    "object",
    "open",
    "ord",
    "chr",
    "pow",
    "print",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "type",
    "zip",
    "super",
    "self",
];

/// Splits `source` into tokens covering every byte, in order.
pub fn lex(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = source[i..].chars().next().unwrap_or('\0');
        let kind = if c == '#' {
            i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
            TokenKind::Comment
        } else if c.is_whitespace() {
            i += source[i..]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(bytes.len() - i);
            TokenKind::Space
        } else if let Some(end) = string_end(source, i) {
            i = end;
            TokenKind::String
        } else if c.is_ascii_digit() || (c == '.' && next_is_digit(bytes, i + 1)) {
            i += source[i..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(bytes.len() - i);
            TokenKind::Number
        } else if c.is_alphabetic() || c == '_' {
            i += source[i..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(bytes.len() - i);
            let word = &source[start..i];
            if KEYWORDS.contains(&word) {
                TokenKind::Keyword
            } else if BUILTINS.contains(&word) {
                TokenKind::Builtin
            } else {
                TokenKind::Name
            }
        } else if c.is_ascii_punctuation() {
            i += operator_len(&bytes[i..]);
            TokenKind::Operator
        } else {
            i += c.len_utf8();
            TokenKind::Other
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

fn next_is_digit(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_some_and(u8::is_ascii_digit)
}

/// Three-, two- then one-character operators.
fn operator_len(rest: &[u8]) -> usize {
    const LONG: &[&[u8]] = &[
        b"**=", b"//=", b">>=", b"<<=", b"...", b"->", b"**", b"//", b"==", b"!=", b"<=", b">=",
        b"+=", b"-=", b"*=", b"/=", b"%=", b"&=", b"|=", b"^=", b"<<", b">>", b":=", b"@=",
    ];
    LONG.iter()
        .find(|op| rest.starts_with(op))
        .map_or(1, |op| op.len())
}

/// Where the string literal starting at `i` ends (with its prefix), if one
/// starts there. An unterminated one runs to the end of its line (or of the
/// source, for a triple-quoted one).
fn string_end(source: &str, i: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut j = i;
    while j < bytes.len() && j - i < 3 && b"rRbBuUfFtT".contains(&bytes[j]) {
        j += 1;
    }
    let quote = *bytes.get(j)?;
    if quote != b'\'' && quote != b'"' {
        return None;
    }
    let triple = bytes.get(j..j + 3) == Some(&[quote; 3][..]);
    let mut k = j + if triple { 3 } else { 1 };
    while k < bytes.len() {
        match bytes[k] {
            // Even in a raw string a backslash keeps the quote after it.
            b'\\' => k += 2,
            b'\n' if !triple => return Some(k),
            b if b == quote => {
                if !triple {
                    return Some(k + 1);
                }
                if bytes.get(k..k + 3) == Some(&[quote; 3][..]) {
                    return Some(k + 3);
                }
                k += 1;
            }
            _ => k += 1,
        }
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_python() {
        let value: Value =
            serde_json::from_str(r#"[null, true, false, 1.5, 36893488147419103232, "it's", "a\"b", {"k": [1]}, "tab\there"]"#).unwrap();
        assert_eq!(
            repr(&value),
            r#"[None, True, False, 1.5, 36893488147419103232, "it's", 'a"b', {'k': [1]}, 'tab\there']"#
        );
    }

    #[test]
    fn pretty_values_break_only_long_containers() {
        let short: Value = serde_json::from_str("[0, 1]").unwrap();
        assert_eq!(pretty(&short), "[0, 1]\n");
        let long: Value =
            serde_json::from_str(r#"{"words": ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"], "n": null}"#)
                .unwrap();
        assert_eq!(
            pretty(&long),
            "{\n  'words': [\n    'alpha',\n    'beta',\n    'gamma',\n    'delta',\n    'epsilon',\n    'zeta',\n    'eta',\n  ],\n  'n': None,\n}\n"
        );
    }

    #[test]
    fn calls_read_as_python() {
        assert_eq!(
            call(
                "two_sum",
                "[[2, 7, 11, 15], 9]",
                &[Shape::Json, Shape::Json]
            )
            .unwrap(),
            "two_sum([2, 7, 11, 15], 9)"
        );
        assert_eq!(
            call("height", "[[3, null, 4]]", &[Shape::BinaryTree]).unwrap(),
            "height(binary_tree([3, None, 4]))"
        );
        assert_eq!(call("f", "{}", &[]), None);
    }

    #[test]
    fn the_lexer_covers_every_byte_and_knows_python() {
        let source =
            "def f(x):  # note\n    return r'a\\'' + \"\"\"b\n\"\"\" + x**2 + 0x1f + é\n'open";
        let tokens = lex(source);
        let mut at = 0;
        for t in &tokens {
            assert_eq!(t.start, at);
            at = t.end;
        }
        assert_eq!(at, source.len());
        let kinds: Vec<(TokenKind, &str)> = tokens
            .iter()
            .filter(|t| t.kind != TokenKind::Space)
            .map(|t| (t.kind, &source[t.start..t.end]))
            .collect();
        assert_eq!(kinds[0], (TokenKind::Keyword, "def"));
        assert!(kinds.contains(&(TokenKind::Comment, "# note")));
        assert!(kinds.contains(&(TokenKind::String, "r'a\\''")));
        assert!(kinds.contains(&(TokenKind::String, "\"\"\"b\n\"\"\"")));
        assert!(kinds.contains(&(TokenKind::Operator, "**")));
        assert!(kinds.contains(&(TokenKind::Number, "0x1f")));
        assert!(kinds.contains(&(TokenKind::Name, "é")));
        assert_eq!(kinds.last(), Some(&(TokenKind::String, "'open")));
    }
}
