//! `gavel serve` and `gavel admin`: the server, and its candidates and
//! reports for the hiring team (see `gavel_server`).

use super::{Session, print_json};
use crate::cli::{AdminArgs, AdminCommand, Pick, ServeArgs};
use crate::exit::Code;
use crate::render;
use anyhow::{Context as _, Result};
use gavel_api::shapes::Quotas;
use gavel_core::limits;
use gavel_judge::Options;
use gavel_server::connections::{ConnectionLimits, max_connections_for};
use gavel_server::queue::Queue;
use gavel_server::store::Store;
use gavel_server::{Choice, ServeConfig};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

pub(crate) fn serve(session: &Session, args: ServeArgs) -> Result<Code> {
    let catalog = session.catalog()?;
    let label = session.catalog_dir()?.label.clone();
    let judge = Arc::new(session.judge()?);
    let max_source_bytes = limits::kib(args.max_source);
    let quotas = Quotas {
        in_flight: args.in_flight.max(1),
        per_exercise_per_hour: args.per_hour.max(1),
        max_source_bytes,
    };
    let max_connections = match args.max_connections {
        Some(n) => n.max(1),
        None => {
            let nofile = raise_open_files_limit();
            max_connections_for(nofile, session.jobs).with_context(|| {
                format!(
                    "the limit on open files ({nofile}) leaves no room for connections; raise it (`ulimit -n`)"
                )
            })?
        }
    };
    tracing::info!(max_connections, "connections");
    session.runtime.block_on(async {
        let store = Store::open(&args.state).await?;
        let catalog_path = std::path::absolute(&session.catalog_dir()?.path)?;
        store
            .set_meta("catalog", &catalog_path.to_string_lossy())
            .await?;
        eprintln!("gavel: preparing {} exercises of {label}", catalog.len());
        let options = Options {
            max_source_bytes,
            ..Options::default()
        };
        let queue = Queue::start(store.clone(), judge, &catalog, options).await?;
        let config = ServeConfig {
            listen: args.listen,
            quotas,
            jobs: session.jobs,
            connections: ConnectionLimits {
                header_timeout: Duration::from_secs_f64(args.header_timeout),
                body_timeout: Duration::from_secs_f64(args.body_timeout),
                max_connections,
            },
        };
        gavel_server::serve(store, queue, config, shutdown_signal(), |address| {
            eprintln!("gavel: listening on http://{address}");
        })
        .await?;
        eprintln!("gavel: stopped");
        anyhow::Ok(Code::Accepted)
    })
}

/// Raises the soft limit on open files to the hard one, as servers do (each
/// connection is a file), and returns the limit in force.
#[cfg(unix)]
fn raise_open_files_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    #[allow(unsafe_code)]
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    limit.rlim_cur
}

#[cfg(not(unix))]
fn raise_open_files_limit() -> u64 {
    2048
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// `gavel admin invite --json`.
#[derive(Serialize)]
struct Invited<'a> {
    name: &'a str,
    token: &'a str,
}

pub(crate) fn admin(session: &Session, args: AdminArgs) -> Result<Code> {
    session.runtime.block_on(async {
        let store = Store::open(&args.state).await?;
        let code = match args.command {
            AdminCommand::Invite { name, json } => {
                anyhow::ensure!(
                    !name.trim().is_empty() && !name.chars().any(char::is_control),
                    "a candidate's name must be printable and not empty"
                );
                let token = store.invite(&name).await?;
                if json {
                    print_json(&Invited {
                        name: &name,
                        token: &token,
                    })?;
                } else {
                    println!("{token}");
                    eprintln!(
                        "invited {}: send them the token; they run `gavel login URL TOKEN`",
                        render::safe_line(&name)
                    );
                }
                Code::Accepted
            }
            AdminCommand::Revoke { name } => {
                store.revoke(&name).await?;
                eprintln!("revoked the token of {}", render::safe_line(&name));
                Code::Accepted
            }
            AdminCommand::List { json } => {
                let list = store.candidates().await?;
                if json {
                    print_json(&list)?;
                } else {
                    render::server::candidates(&list);
                }
                Code::Accepted
            }
            AdminCommand::Status { json } => {
                let status = store.status().await?;
                if json {
                    print_json(&status)?;
                } else {
                    render::server::status(&status);
                }
                Code::Accepted
            }
            AdminCommand::Report {
                out,
                submission,
                exercises,
                report,
                json,
            } => {
                // The catalog the server served, unless --catalog says otherwise.
                if let Some(path) = store.meta("catalog").await? {
                    let label = format!("`{path}` (the server's)");
                    session.prefer_catalog(path.into(), label);
                }
                let catalog = session.catalog()?;
                let assignment =
                    exercises.unwrap_or_else(|| catalog.iter().map(|e| e.id.clone()).collect());
                let choice = match submission {
                    Pick::Best => Choice::Best,
                    Pick::Latest => Choice::Latest,
                };
                let summary = gavel_server::report(
                    &store,
                    &args.state,
                    &catalog,
                    assignment,
                    &out,
                    choice,
                    report.options(),
                )
                .await
                .context("cannot write the reports")?;
                if json {
                    print_json(&summary)?;
                } else {
                    render::grade::summary(&summary);
                }
                Code::judged(summary.all_accepted(), summary.internal_error())
            }
        };
        store.close().await;
        anyhow::Ok(code)
    })
}
