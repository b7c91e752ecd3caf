//! `gavel serve` and `gavel worker`: the judge as an HTTP/JSON service
//! (axum on tokio) whose state — accounts, submissions, the queue, results
//! — lives in a database (SQLite embedded, or PostgreSQL shared with
//! workers on other machines, through sqlx). The JSON it speaks and the
//! candidate's client of it are the `gavel-api` crate.
//!
//! - [`store`]: the database, and the exactly-once rule of the queue.
//! - [`queue`]: the catalog prepared once, and the workers that judge
//!   queued submissions with the engine (the server's own, or a remote
//!   worker's).
//! - [`api`]: routes, authentication, quotas, errors (docs/api.md).
//! - [`connections`]: accepting connections, timeouts and the cap on them.
//!
//! What candidates see of their results is decided by the engine under the
//! confidentiality rules, once, where a result is made; the server stores
//! and serves those results as they are.

pub mod api;
pub mod connections;
mod http;
pub mod judge0;
pub mod queue;
pub mod store;

use crate::connections::ConnectionLimits;
use crate::queue::Queue;
use crate::store::{Store, StoreError};
use gavel_api::shapes::Quotas;
use gavel_exercise::Exercise;
use gavel_judge::batch::{
    BatchError, ExternalBatch, ExternalCandidate, ExternalResult, write_external,
};
use gavel_judge::report::ReportOptions;
use gavel_judge::summary::GradeSummary;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// The default per-candidate limits.
pub const DEFAULT_QUOTAS: Quotas = Quotas {
    in_flight: 2,
    per_exercise_per_hour: 10,
    max_source_bytes: gavel_core::limits::DEFAULT_SOURCE_KIB * 1024,
};

/// How long requests in progress get to finish when the server stops.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    /// The state failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// Per-candidate limits.
    pub quotas: Quotas,
    /// Submissions judged at once by the server itself (0: none, leaving
    /// the queue to `gavel worker`s).
    pub jobs: usize,
    /// Timeouts and the cap on connections.
    pub connections: ConnectionLimits,
    /// The Judge0-compatible surface under `/judge0`, when enabled.
    pub judge0: Option<judge0::Judge0Config>,
}

/// Serves the API and judges the queue until `shutdown` completes. Calls
/// `listening` with the bound address once requests are accepted. On
/// shutdown, streams end, workers stop, and submissions being judged go back
/// to the queue for the next start.
pub async fn serve(
    store: Store,
    queue: Arc<Queue>,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| ServeError::Listen(config.listen, e))?;
    let address = listener
        .local_addr()
        .map_err(|e| ServeError::Listen(config.listen, e))?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let state = Arc::new(http::AppState {
        store: store.clone(),
        queue: queue.clone(),
        quotas: config.quotas,
        submitting: tokio::sync::Mutex::new(()),
        stopping: stop_rx.clone(),
        body_timeout: config.connections.body_timeout,
        judge0: config.judge0.map(|j| j.quotas),
    });
    let workers = {
        let queue = queue.clone();
        tokio::spawn(async move {
            if let Err(e) = queue.work(config.jobs).await {
                tracing::error!("judging stopped: {e}");
            }
        })
    };
    let server = connections::serve(
        listener,
        api::router(state),
        config.connections,
        stop_rx,
        STOP_GRACE,
    );
    listening(address);
    let signal = {
        let queue = queue.clone();
        async move {
            shutdown.await;
            tracing::info!("stopping");
            queue.stop();
            let _ = stop_tx.send(true);
        }
    };
    tokio::spawn(signal);
    server.await;
    // Workers still judging are dropped with the runtime; what they held
    // goes back to the queue now (and would at the next start anyway).
    workers.abort();
    let _ = workers.await;
    let requeued = store.requeue(store::Lease::SERVER).await?;
    if requeued > 0 {
        tracing::info!(
            requeued,
            "submissions being judged are queued again for the next start"
        );
    }
    store.close().await;
    Ok(())
}

/// Which judged submission of a candidate stands for an exercise in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The one with the most points (the earliest of equals).
    Best,
    /// The latest.
    Latest,
}

/// Writes `grade`'s reports from the state: one row per invited candidate,
/// each exercise of `assignment` counted, missing ones as missing. The
/// image recorded is that of the results (empty when there are none).
pub async fn report(
    store: &Store,
    state_dir: &Path,
    exercises: &[Arc<Exercise>],
    assignment: Vec<String>,
    out: &Path,
    choice: Choice,
    report: ReportOptions,
) -> Result<GradeSummary, ReportError> {
    let mut image_sha256 = String::new();
    let mut candidates: BTreeMap<String, ExternalCandidate> = store
        .candidates()
        .await?
        .into_iter()
        .map(|c| {
            (
                c.name.clone(),
                ExternalCandidate {
                    name: c.name,
                    results: BTreeMap::new(),
                },
            )
        })
        .collect();
    for chosen in store.chosen_results(choice == Choice::Best).await? {
        if image_sha256.is_empty() {
            image_sha256.clone_from(&chosen.result.image_sha256);
        }
        if let Some(candidate) = candidates.get_mut(&chosen.candidate) {
            candidate.results.insert(
                chosen.exercise,
                ExternalResult {
                    label: format!("submission {}", chosen.submission),
                    result: chosen.result,
                    source: Some(chosen.source),
                },
            );
        }
    }
    let batch = ExternalBatch {
        out: out.to_owned(),
        origin: state_dir.to_owned(),
        assignment,
        candidates: candidates.into_values().collect(),
        image_sha256,
        report,
    };
    let exercises = exercises.to_vec();
    tokio::task::spawn_blocking(move || write_external(&exercises, batch))
        .await
        .map_err(|e| ReportError::Panicked(e.to_string()))?
        .map_err(ReportError::from)
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The state failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the reports failed.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// The task writing them failed (a bug of gavel).
    #[error("writing the reports failed: {0}")]
    Panicked(String),
}
