//! `results.csv`: a row per candidate for a spreadsheet.

use crate::result::points;
use crate::summary::{ExerciseStatus, GradeSummary};
use std::collections::BTreeSet;

/// Defuses spreadsheet formulas: a cell that starts with `=`, `+`, `-`, `@`
/// or a control character is prefixed with `'` (candidate folder names and
/// file names are untrusted).
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The exercises as columns: the assignment's, then any other submitted.
pub(crate) fn columns(summary: &GradeSummary) -> Vec<String> {
    let mut columns = summary.exercises.clone();
    let extra: BTreeSet<&String> = summary
        .candidates
        .iter()
        .flat_map(|c| c.verdicts.keys())
        .filter(|id| !summary.exercises.contains(id))
        .collect();
    columns.extend(extra.into_iter().cloned());
    columns
}

/// Writes the CSV: per exercise its verdict (or `missing`) and its points
/// (and its efficiency, for an exercise any candidate has one for), then the totals as numbers and the files not graded. With `bom`, a UTF-8
/// byte-order mark first, which some spreadsheets need to read UTF-8.
pub(crate) fn write(
    w: &mut dyn std::io::Write,
    summary: &GradeSummary,
    bom: bool,
) -> std::io::Result<()> {
    if bom {
        w.write_all("\u{feff}".as_bytes())?;
    }
    let columns = columns(summary);
    let mut writer = csv::Writer::from_writer(w);
    let measured: BTreeSet<&String> = summary
        .candidates
        .iter()
        .flat_map(|c| c.efficiency.keys())
        .collect();
    let mut header = vec!["candidate".to_owned()];
    for id in &columns {
        header.push(id.clone());
        header.push(format!("{id} points"));
        if measured.contains(id) {
            header.push(format!("{id} efficiency"));
        }
    }
    header.extend(["points", "max_points", "percent", "not_graded"].map(str::to_owned));
    writer.write_record(&header)?;
    for candidate in &summary.candidates {
        let mut row = vec![cell(&candidate.candidate)];
        for id in &columns {
            match candidate.verdicts.get(id) {
                Some(ExerciseStatus::Graded(verdict)) => row.push(verdict.code().to_owned()),
                Some(ExerciseStatus::Missing) => row.push("missing".to_owned()),
                None => row.push(String::new()),
            }
            row.push(
                candidate
                    .exercise_points
                    .get(id)
                    .map(|p| points::show(*p))
                    .unwrap_or_default(),
            );
            if measured.contains(id) {
                row.push(
                    candidate
                        .efficiency
                        .get(id)
                        .map(|c| c.label.clone())
                        .unwrap_or_default(),
                );
            }
        }
        let percent = if candidate.max_points == 0 {
            0.0
        } else {
            100.0 * candidate.points / f64::from(candidate.max_points)
        };
        row.push(points::show(candidate.points));
        row.push(candidate.max_points.to_string());
        row.push(format!("{percent:.1}"));
        let not_graded: Vec<String> = candidate.problems.iter().map(|p| p.to_string()).collect();
        row.push(cell(&not_graded.join("; ")));
        writer.write_record(&row)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell("alice"), "alice");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
    }
}
