//! `gavel import kattis|polygon PKG OUT`: a Kattis or Polygon problem
//! package as a gavel exercise (see `gavel_exercise::kattis`,
//! `gavel_exercise::polygon`).

use super::print_json;
use crate::cli::ImportCommand;
use crate::exit::Code;
use anyhow::Result;
use console::style;

pub(crate) fn execute(command: ImportCommand) -> Result<Code> {
    let (imported, out, json) = match command {
        ImportCommand::Kattis { package, out, json } => {
            (gavel_exercise::kattis::import(&package, &out)?, out, json)
        }
        ImportCommand::Polygon { package, out, json } => {
            (gavel_exercise::polygon::import(&package, &out)?, out, json)
        }
    };
    if json {
        print_json(&imported)?;
        return Ok(Code::Accepted);
    }
    let judged_by = match (&imported.checker_from, &imported.interactor_from) {
        (Some(from), _) => format!("a checker (from {from})"),
        (_, Some(from)) => format!("an interactor (from {from})"),
        _ => imported
            .comparison
            .as_ref()
            .map(|c| format!("comparison `{}`", c.name()))
            .unwrap_or_default(),
    };
    eprintln!(
        "imported `{}` into {}: {} public and {} hidden tests, {} groups with rules, {}; \
         {}, {} known-bad solutions",
        imported.id,
        out.display(),
        imported.public_tests,
        imported.hidden_tests,
        imported.groups.len(),
        judged_by,
        if imported.reference_from.is_empty() {
            "no reference (a fixed budget)".to_owned()
        } else {
            format!("reference {}", imported.reference_from)
        },
        imported.known_bad,
    );
    if !imported.notes.is_empty() {
        eprintln!(
            "{}",
            style("not converted (no verdict depends on these):").dim()
        );
        for note in &imported.notes {
            eprintln!("  {}", crate::render::safe_line(&note.to_string()));
        }
    }
    eprintln!(
        "next: `gavel check {}` judges the reference and known-bad solutions",
        out.display()
    );
    Ok(Code::Accepted)
}
