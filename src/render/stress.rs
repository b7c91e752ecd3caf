//! `gavel stress` on a terminal.

use super::submission::test_lines;
use super::{safe, safe_line};
use console::style;
use gavel_judge::stress::StressReport;
use std::io::Write;

pub(crate) fn report(report: &StressReport, seeds: u64) {
    let _ = write_report(&mut std::io::stdout().lock(), report, seeds);
}

/// The search, then the smallest disagreement: the brute force's result in
/// full and the test to save.
pub(crate) fn write_report(
    out: &mut dyn Write,
    report: &StressReport,
    seeds: u64,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} · generator args `{}` · sizes up to {} · seeds 1…{seeds} · {} inputs tried",
        style("stress").bold(),
        safe_line(&report.exercise),
        safe_line(&report.args),
        report.largest_size,
        report.tried,
    )?;
    let Some(found) = &report.found else {
        return writeln!(
            out,
            "{} the brute force agrees with the reference on every input",
            style("no disagreement:").green().bold()
        );
    };
    let shrunk = if (found.first_found.n, found.first_found.seed) == (found.n, found.seed) {
        String::new()
    } else {
        format!(
            " (first at n = {}, seed {}; shrunk)",
            found.first_found.n, found.first_found.seed
        )
    };
    writeln!(
        out,
        "{} n = {}, seed {}{shrunk} · generator args `{}`",
        style("disagreement:").red().bold(),
        found.n,
        found.seed,
        safe_line(&found.args),
    )?;
    if let Some(why) = &found.reference_failed {
        writeln!(out, "  the reference failed: {}", safe_line(why))?;
    }
    if let Some(brute) = &found.brute {
        writeln!(out, "  the brute force against the reference's answer:")?;
        for line in test_lines(brute, 0).lines() {
            writeln!(out, "  {line}")?;
        }
    }
    for file in &found.test_files {
        writeln!(
            out,
            "{}",
            style(format!("--- save as tests/…/{}", safe_line(&file.name))).dim()
        )?;
        write!(out, "{}", safe(&file.contents))?;
        if !file.contents.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(())
}
