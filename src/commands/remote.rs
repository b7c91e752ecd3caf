//! The candidate's commands against a gavel server: `list`, `show`,
//! `submit`, `submissions`, `fetch`, and `login`/`logout`.

use super::{Session, print_json};
use crate::cli::{FetchArgs, JudgeArgs};
use crate::exit::Code;
use crate::login::{self, Login};
use crate::render;
use anyhow::{Context as _, Result};
use gavel_api::Client;
use gavel_api::shapes::{Pack, StreamLine};
use gavel_judge::JudgeProgress as _;

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
            StreamLine::Test(test) => live.test_finished(test),
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
        render::server::submissions(&list, client.base());
    }
    Ok(Code::Accepted)
}

pub(crate) fn login(url: &str, token: &str) -> Result<Code> {
    let client = Client::new(url, token);
    let me = client.me()?;
    let path = login::save(&Login {
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
    if login::forget()? {
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
    let unpacked = pack.unpack(&args.dir)?;
    render::server::fetched(&pack.exercise, &args.dir, &unpacked);
    Ok(Code::Accepted)
}

fn local_pack(session: &Session, id: &str) -> Result<Pack> {
    let exercise = session.exercise(id)?;
    gavel_judge::pack::packable(&exercise)?;
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
            .map(|(path, bytes)| gavel_api::shapes::PackFile::new(path.clone(), bytes))
            .collect(),
    })
}
