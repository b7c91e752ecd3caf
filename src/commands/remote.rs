//! The candidate's commands against a gavel server: `list`, `show`,
//! `submit`, `submissions`, `fetch`, and `login`/`logout`.

use super::{Session, print_json};
use crate::cli::{FetchArgs, JudgeArgs};
use crate::exit::Code;
use crate::remote::{self, Login};
use crate::render;
use anyhow::{Context as _, Result};
use gavel_judge::{Event, Reporter as _};
use gavel_server::client::Client;
use gavel_server::shapes::{Pack, StreamLine};
use std::path::Path;

pub(crate) fn list(client: &Client, json: bool) -> Result<Code> {
    let items = client.exercises()?;
    if json {
        print_json(&items)?;
    } else {
        render::list::list(&items, &format!("the server {}", client.base()));
    }
    Ok(Code::Accepted)
}

pub(crate) fn show(client: &Client, id: &str, json: bool) -> Result<Code> {
    let details = client.exercise(id)?;
    if json {
        print_json(&details)?;
    } else {
        render::list::show(&details);
    }
    Ok(Code::Accepted)
}

pub(crate) fn submit(client: &Client, args: &JudgeArgs) -> Result<Code> {
    anyhow::ensure!(
        !args.stop_on_first_failure,
        "--stop-on-first-failure is for local runs; the server judges every test"
    );
    let source = std::fs::read(&args.file)
        .with_context(|| format!("cannot read the solution `{}`", args.file.display()))?;
    let details = client.exercise(&args.id)?;
    let submission = client.submit(&args.id, &source)?;
    tracing::info!(id = submission.id, "submitted");
    let result = if args.json {
        client.follow(submission.id, |_| {})?
    } else {
        let names: Vec<&str> = details.examples.iter().map(|e| e.name.as_str()).collect();
        let total = details.public_tests + details.hidden_tests;
        let live = render::submission::Live::counted(
            &details.title,
            &details.id,
            &format!("submission {} to {}", submission.id, client.base()),
            &names,
            total,
        );
        let result = client.follow(submission.id, |line| match line {
            StreamLine::Status(status) => live.status(status.name()),
            StreamLine::Test(test) => live.report(Event::TestFinished {
                candidate: None,
                exercise: &details.id,
                test,
            }),
            StreamLine::Done(_) => {}
        });
        match result {
            Ok(result) => {
                live.finish(&result);
                result
            }
            Err(e) => {
                live.abandon();
                return Err(e.into());
            }
        }
    };
    super::finish_result(&result, args.json, args.exercism.as_deref())
}

pub(crate) fn submissions(session: &Session, json: bool) -> Result<Code> {
    let client = session
        .remote()?
        .context("`submissions` lists your submissions to a server: run `gavel login URL TOKEN` or pass --server and --token")?;
    let list = client.submissions()?;
    if json {
        print_json(&list)?;
    } else {
        render::remote::submissions(&list, client.base());
    }
    Ok(Code::Accepted)
}

pub(crate) fn login(url: &str, token: &str) -> Result<Code> {
    let client = Client::new(url, token);
    let me = client.me()?;
    let path = remote::save(&Login {
        server: client.base().to_owned(),
        token: token.to_owned(),
    })?;
    eprintln!(
        "logged in to {} as {} (saved in {}, readable by you only)",
        client.base(),
        render::safe_line(&me.name),
        path.display()
    );
    Ok(Code::Accepted)
}

pub(crate) fn logout() -> Result<Code> {
    if remote::forget()? {
        eprintln!("logged out: the saved server and token are gone");
    } else {
        eprintln!("no saved login");
    }
    Ok(Code::Accepted)
}

/// Writes a candidate's copy of an exercise as `DIR/exercises/ID/` and the
/// starter as `DIR/ID.py` (kept if it exists: it may be the candidate's work).
pub(crate) fn fetch(session: &Session, args: &FetchArgs) -> Result<Code> {
    let pack = match session.remote()? {
        Some(client) => client.pack(&args.id)?,
        None => local_pack(session, &args.id)?,
    };
    let exercise_dir = args.dir.join("exercises").join(&pack.exercise);
    anyhow::ensure!(
        !exercise_dir.exists(),
        "`{}` exists already; remove it to fetch the exercise again",
        exercise_dir.display()
    );
    let mut starter = None;
    for file in &pack.files {
        let bytes = file
            .bytes()
            .with_context(|| format!("the server sent `{}` damaged", file.path))?;
        let relative = Path::new(&file.path);
        anyhow::ensure!(
            relative
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_))),
            "the server sent a file outside the exercise: `{}`",
            file.path
        );
        if file.path == "starter.py" {
            starter = Some(bytes.clone());
        }
        let path = exercise_dir.join(relative);
        gavel_core::fs::write_atomically(&path, &bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let starter_path = args.dir.join(format!("{}.py", pack.exercise));
    let wrote_starter = match starter {
        Some(bytes) if !starter_path.exists() => {
            gavel_core::fs::write_atomically(&starter_path, &bytes)
                .with_context(|| format!("cannot write `{}`", starter_path.display()))?;
            true
        }
        _ => false,
    };
    render::remote::fetched(&pack.exercise, &args.dir, &starter_path, wrote_starter);
    Ok(Code::Accepted)
}

fn local_pack(session: &Session, id: &str) -> Result<Pack> {
    let exercise = session.exercise(id)?;
    let judge = session.judge()?;
    let prepared = session
        .runtime
        .block_on(judge.prepare(exercise, gavel_judge::Selection::Public))?;
    let pack = gavel_judge::pack::public_pack(&prepared)?;
    Ok(Pack {
        exercise: id.to_owned(),
        files: pack
            .files
            .iter()
            .map(|(path, bytes)| gavel_server::shapes::PackFile::new(path.clone(), bytes))
            .collect(),
    })
}
