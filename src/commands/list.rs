//! `gavel list` and `gavel show`: what a candidate may read.

use super::{Session, print_json};
use crate::exit::Code;
use crate::render;
use anyhow::Result;
use gavel_exercise::view::{ExerciseDetails, ExerciseSummary};

pub(crate) fn list(session: &Session, json: bool) -> Result<Code> {
    let items: Vec<ExerciseSummary> = session
        .catalog()?
        .iter()
        .map(|e| ExerciseSummary::of(e))
        .collect();
    if json {
        print_json(&items)?;
    } else {
        render::list::list(&items, &session.catalog_dir()?.label);
    }
    Ok(Code::Accepted)
}

pub(crate) fn show(session: &Session, id: &str, json: bool) -> Result<Code> {
    let details = ExerciseDetails::of(&*session.exercise(id)?);
    if json {
        print_json(&details)?;
    } else {
        render::list::show(&details);
    }
    Ok(Code::Accepted)
}
