//! The CSV and HTML reports of a graded batch.

use crate::batch::StoredResult;
use gavel_exercise::{Verdict, Visibility};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The results of one candidate.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CandidateReport {
    /// The candidate.
    pub name: String,
    /// Points earned over all exercises.
    pub points: u32,
    /// Points possible over the exercises submitted.
    pub max_points: u32,
    /// The results, by exercise id.
    pub results: BTreeMap<String, StoredResult>,
    /// Files that were not graded, and why.
    pub problems: Vec<String>,
}

impl CandidateReport {
    /// A candidate with no results yet.
    pub fn new(name: &str) -> CandidateReport {
        CandidateReport {
            name: name.to_owned(),
            points: 0,
            max_points: 0,
            results: BTreeMap::new(),
            problems: Vec::new(),
        }
    }
}

/// Quotes a CSV field, and defuses spreadsheet formulas: a cell that starts
/// with `=`, `+`, `-` or `@` is prefixed with `'` (candidate folder names are
/// untrusted).
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One row per candidate, a column per exercise (`verdict points/max`), and
/// the totals.
pub fn csv(exercises: &[String], candidates: &[CandidateReport]) -> String {
    let mut out = String::from("candidate");
    for id in exercises {
        out.push(',');
        out.push_str(&csv_field(id));
    }
    out.push_str(",points,max_points\n");
    for candidate in candidates {
        out.push_str(&csv_field(&candidate.name));
        for id in exercises {
            out.push(',');
            if let Some(stored) = candidate.results.get(id) {
                let r = &stored.result;
                out.push_str(&format!("{} {}/{}", r.verdict, r.points, r.max_points));
            }
        }
        let _ = writeln!(out, ",{},{}", candidate.points, candidate.max_points);
    }
    out
}

/// Escapes text for HTML, control characters shown escaped.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accepted => "ac",
        Verdict::Skipped => "sk",
        Verdict::InternalError => "ie",
        _ => "bad",
    }
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}\
.ac{color:#176f2c;font-weight:bold}.bad{color:#b3261e;font-weight:bold}.sk{color:#777}.ie{color:#8a2be2;font-weight:bold}\
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;max-width:100%}.del{color:#b3261e}.ins{color:#176f2c}\
details{margin:.3em 0 .3em 1em}summary{cursor:pointer}h2{margin-top:1.5em;border-bottom:1px solid #ddd}.muted{color:#777}";

/// A self-contained HTML report: an overview table, then per candidate, per
/// exercise, per test, with diffs for public tests. Hidden tests show only
/// name, verdict and resources.
pub fn html_report(
    title: &str,
    exercises: &[String],
    candidates: &[CandidateReport],
    image_sha256: &str,
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1>\
         <p class=\"muted\">runner image sha256 <code>{}</code> · {} candidates · {} exercises</p>",
        html(title),
        html(title),
        html(image_sha256),
        candidates.len(),
        exercises.len()
    );
    out.push_str("<table><tr><th>candidate</th>");
    for id in exercises {
        let _ = write!(out, "<th>{}</th>", html(id));
    }
    out.push_str("<th>points</th></tr>");
    for (i, c) in candidates.iter().enumerate() {
        let _ = write!(out, "<tr><td><a href=\"#c{i}\">{}</a></td>", html(&c.name));
        for id in exercises {
            match c.results.get(id) {
                Some(s) => {
                    let r = &s.result;
                    let _ = write!(
                        out,
                        "<td><span class=\"{}\">{}</span> {}/{}</td>",
                        verdict_class(r.verdict),
                        r.verdict,
                        r.points,
                        r.max_points
                    );
                }
                None => out.push_str("<td class=\"muted\">—</td>"),
            }
        }
        let _ = write!(out, "<td>{}/{}</td></tr>", c.points, c.max_points);
    }
    out.push_str("</table>");
    for (i, c) in candidates.iter().enumerate() {
        let _ = write!(
            out,
            "<h2 id=\"c{i}\">{}</h2><p>{} / {} points</p>",
            html(&c.name),
            c.points,
            c.max_points
        );
        if !c.problems.is_empty() {
            out.push_str("<p>Not graded:</p><ul>");
            for p in &c.problems {
                let _ = write!(out, "<li>{}</li>", html(p));
            }
            out.push_str("</ul>");
        }
        for (id, stored) in &c.results {
            let r = &stored.result;
            let _ = write!(
                out,
                "<details><summary><b>{}</b> <span class=\"{}\">{}</span> {}/{} <span class=\"muted\">{} · source sha256 {}</span></summary>",
                html(id),
                verdict_class(r.verdict),
                r.verdict.name(),
                r.points,
                r.max_points,
                html(&stored.file),
                &r.source_sha256[..12.min(r.source_sha256.len())]
            );
            if let Some(error) = &r.compile_error {
                let _ = write!(
                    out,
                    "<pre>{}</pre>",
                    html(if error.traceback.is_empty() {
                        &error.message
                    } else {
                        &error.traceback
                    })
                );
            }
            out.push_str("<table><tr><th>test</th><th>verdict</th><th>fuel</th><th>wall ms</th><th>memory MiB</th><th>details</th></tr>");
            for t in &r.tests {
                let mut details = String::new();
                if let Some(m) = &t.message {
                    details.push_str(&html(m));
                }
                if !t.diff.is_empty() {
                    details.push_str("<pre>");
                    for line in &t.diff {
                        let class = match line.tag {
                            '-' => "del",
                            '+' => "ins",
                            _ => "muted",
                        };
                        let _ = writeln!(
                            details,
                            "<span class=\"{class}\">{} {}</span>",
                            line.tag,
                            html(&line.text)
                        );
                    }
                    details.push_str("</pre>");
                }
                let name = match t.visibility {
                    Visibility::Public => html(&t.name),
                    Visibility::Hidden => {
                        format!("{} <span class=\"muted\">(hidden)</span>", html(&t.name))
                    }
                };
                let _ = write!(
                    out,
                    "<tr><td>{name}</td><td class=\"{}\">{}</td><td>{} / {}</td><td>{:.1}</td><td>{:.1}</td><td>{details}</td></tr>",
                    verdict_class(t.verdict),
                    t.verdict,
                    super::human_fuel(t.fuel),
                    super::human_fuel(t.fuel_limit),
                    t.wall_ms,
                    t.peak_memory_bytes as f64 / (1024.0 * 1024.0),
                );
            }
            out.push_str("</table></details>");
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("alice"), "alice");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }

    #[test]
    fn html_escapes_markup() {
        assert_eq!(html("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(html("\u{1b}[31m"), "\\u{1b}[31m");
    }
}
