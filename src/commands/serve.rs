//! `gavel serve` and `gavel admin`: the server, and its candidates and
//! reports for the hiring team (see `gavel_server`).

use super::{Session, print_json};
use crate::cli::{AdminArgs, AdminCommand, Pick, ServeArgs, WorkerArgs};
use crate::exit::Code;
use crate::render;
use anyhow::{Context as _, Result};
use gavel_api::shapes::Quotas;
use gavel_core::limits;
use gavel_judge::Options;
use gavel_server::connections::{ConnectionLimits, max_connections_for};
use gavel_server::queue::{Queue, Role};
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
        let database = args.state.database();
        let store = Store::open(&database)
            .await
            .with_context(|| format!("cannot open the state {database}"))?;
        let catalog_path = std::path::absolute(&session.catalog_dir()?.path)?;
        store
            .set_meta("catalog", &catalog_path.to_string_lossy())
            .await?;
        eprintln!("gavel: preparing {} exercises of {label}", catalog.len());
        let options = Options {
            max_source_bytes,
            ..Options::default()
        };
        let queue = Queue::start(store.clone(), judge, &catalog, options, Role::Server).await?;
        if session.judging == 0 {
            eprintln!(
                "gavel: judging nothing here (--jobs 0): run `gavel worker` on the same database"
            );
        }
        let config = ServeConfig {
            listen: args.listen,
            quotas,
            jobs: session.judging,
            connections: ConnectionLimits {
                header_timeout: Duration::from_secs_f64(args.header_timeout),
                body_timeout: Duration::from_secs_f64(args.body_timeout),
                max_connections,
            },
            judge0: args.judge0.then_some(gavel_server::judge0::Judge0Config {
                quotas: gavel_api::shapes::Quotas {
                    in_flight: args.judge0_in_flight,
                    per_exercise_per_hour: args.judge0_per_hour,
                    max_source_bytes: quotas.max_source_bytes,
                },
            }),
        };
        gavel_server::serve(store, queue, config, shutdown_signal(), |address| {
            eprintln!("gavel: listening on http://{address}");
        })
        .await?;
        eprintln!("gavel: stopped");
        anyhow::Ok(Code::Accepted)
    })
}

/// `gavel worker`: judges the queue of a server's state from this machine
/// until SIGINT or SIGTERM (what it holds then goes back to the queue), or
/// until the server announces another setup (exit 2).
pub(crate) fn worker(session: &Session, args: WorkerArgs) -> Result<Code> {
    let catalog = session.catalog()?;
    let label = session.catalog_dir()?.label.clone();
    let judge = Arc::new(session.judge()?);
    let database = args.state.database();
    let host = host_name();
    let id = format!("{host}:{}:{:04x}", std::process::id(), rand_u16());
    session.runtime.block_on(async {
        let store = Store::open(&database)
            .await
            .with_context(|| format!("cannot open the state {database}"))?;
        eprintln!("gavel: preparing {} exercises of {label}", catalog.len());
        let role = Role::Worker {
            id: id.clone(),
            host,
            lease: Duration::from_secs_f64(args.lease),
        };
        let queue = Queue::start(store.clone(), judge, &catalog, Options::default(), role)
            .await
            .with_context(|| format!("worker refused by {database}"))?;
        eprintln!(
            "gavel: worker {id} judging {} at a time for {database}",
            session.jobs
        );
        let stop = {
            let queue = queue.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                queue.stop();
            })
        };
        let mut worked = {
            let queue = queue.clone();
            let jobs = session.jobs;
            tokio::spawn(async move { queue.work(jobs).await })
        };
        // A signal stops claiming at once; what is being judged goes back
        // to the queue rather than making the operator wait for it.
        let outcome = tokio::select! {
            joined = &mut worked => Some(joined),
            _ = stop => None,
        };
        if outcome.is_none() {
            worked.abort();
            let _ = worked.await;
        }
        let requeued = store.requeue(&id).await?;
        if requeued > 0 {
            tracing::info!(requeued, "submissions being judged are queued again");
        }
        store.close().await;
        match outcome {
            Some(Ok(Err(e))) => Err(e).context("the worker stopped"),
            Some(Err(e)) => Err(anyhow::anyhow!("the worker failed: {e}")),
            Some(Ok(Ok(()))) | None => {
                eprintln!("gavel: worker {id} stopped");
                Ok(Code::Accepted)
            }
        }
    })
}

/// This machine's name, for `admin status`.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A random number, so two workers started in one process id namespace
/// (containers) still have different ids.
fn rand_u16() -> u16 {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    u16::from_le_bytes(bytes)
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
    let database = args.state.database();
    session.runtime.block_on(async {
        let store = Store::open(&database)
            .await
            .with_context(|| format!("cannot open the state {database}"))?;
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
                let origin = std::path::PathBuf::from(database.to_string());
                let summary = gavel_server::report(
                    &store,
                    &origin,
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
