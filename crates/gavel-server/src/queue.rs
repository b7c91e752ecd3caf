//! The judging side: the catalog, prepared once at start, and the workers
//! that take submissions from the queue in the database, judge them with the
//! engine and commit their results (see `store` for the exactly-once rule).
//! Each test's result is committed as it finishes, and listeners of that
//! submission are woken.
//!
//! The same queue runs inside `gavel serve` (its own workers, and the live
//! views' wake-ups) and as `gavel worker` on other machines sharing a
//! PostgreSQL state. The server announces its judging [`Setup`] in the
//! database; a worker judges only under the same one.

use crate::store::{Claimed, Heard, Kind, Lease, Store, StoreError, release_time};
use gavel_exercise::{Exercise, Verdict};
use gavel_judge::pack::{PackError, PublicPack, public_pack};
use gavel_judge::program::{ProgramRun, ProgramStatus};
use gavel_judge::setup::{Difference, Setup};
use gavel_judge::{Judge, JudgeError, Options, Prepared, Selection, SubmissionResult, TestResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};

/// How long an idle worker waits before looking at the queue again even
/// without a wake-up (a notification missed, or SQLite shared by processes).
const POLL: Duration = Duration::from_secs(1);

/// How often a worker reports that it is alive (and checks the setup).
const HEARTBEAT: Duration = Duration::from_secs(5);

/// How long the server's own claims last without a renewal (they go back
/// to the queue at its next start anyway).
pub const SERVER_LEASE: Duration = Duration::from_secs(30);

/// The key under which the server announces its [`Setup`].
const SETUP_KEY: &str = "setup";
/// The key under which it announces its `--max-source`, in bytes.
const MAX_SOURCE_KEY: &str = "max_source_bytes";

/// Who runs the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// `gavel serve`: announces its setup, and takes back its own claims at
    /// start (one server per state).
    Server,
    /// `gavel worker`: judges under the server's setup, with its own lease.
    Worker {
        /// Its id (unique: the host, the process, a random part).
        id: String,
        /// The machine it runs on.
        host: String,
        /// How long a claim lasts without a renewal.
        lease: Duration,
    },
}

/// The catalog and the queue's workers.
pub struct Queue {
    store: Store,
    judge: Arc<Judge>,
    role: Role,
    lease: Lease,
    /// The setup's JSON, as announced: claims are made only under it.
    setup: String,
    in_flight: AtomicI64,
    /// Why the workers stopped by themselves (the setup changed).
    failed: Mutex<Option<QueueError>>,
    exercises: HashMap<String, Arc<Exercise>>,
    prepared: HashMap<String, Arc<Prepared>>,
    packs: Mutex<HashMap<String, Arc<PublicPack>>>,
    options: Options,
    wake: Notify,
    watchers: Mutex<HashMap<i64, watch::Sender<u64>>>,
    stopping: watch::Sender<bool>,
}

/// Why an exercise's pack could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PackFailed {
    /// Preparing its public tests failed.
    #[error(transparent)]
    Judge(#[from] JudgeError),
    /// Writing its files failed.
    #[error(transparent)]
    Pack(#[from] PackError),
}

/// Why judging could not start.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The state failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An exercise could not be prepared.
    #[error("cannot prepare the catalog: {0}")]
    Prepare(#[from] JudgeError),
    /// Queued submissions need exercises the catalog lacks.
    #[error(
        "{count} queued submission(s) need exercise(s) the catalog lacks: {missing}; \
         start the server with the catalog they were submitted to"
    )]
    MissingExercises {
        /// How many submissions.
        count: usize,
        /// Which exercises.
        missing: String,
    },
    /// A worker found no server's setup in the database.
    #[error(
        "no server has announced what to judge with in this database; start `gavel serve` on it first"
    )]
    NoServer,
    /// A worker's setup is not the server's.
    #[error("this worker judges differently from the server ({}); run it with the server's catalog and runner image, and the same gavel version", join_differences(.0))]
    Setup(Vec<Difference>),
    /// The server's announced setup does not read back.
    #[error("the server's announced setup cannot be read: {0}")]
    Announcement(String),
}

fn join_differences(differences: &[Difference]) -> String {
    differences
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Queue {
    /// Prepares every exercise of `catalog`. As the server: announces the
    /// setup and puts submissions a stopped server left running back in the
    /// queue. As a worker: refuses to run under another setup than the
    /// server's.
    pub async fn start(
        store: Store,
        judge: Arc<Judge>,
        catalog: &[Arc<Exercise>],
        mut options: Options,
        role: Role,
    ) -> Result<Arc<Queue>, QueueError> {
        let ours = Setup::of(&judge, catalog);
        let setup =
            serde_json::to_string(&ours).map_err(|e| QueueError::Announcement(e.to_string()))?;
        let lease = match &role {
            Role::Server => {
                store.set_meta(SETUP_KEY, &setup).await?;
                store
                    .set_meta(MAX_SOURCE_KEY, &options.max_source_bytes.to_string())
                    .await?;
                let lease = Lease {
                    worker: Lease::SERVER.to_owned(),
                    duration: SERVER_LEASE,
                };
                let requeued = store.requeue(&lease.worker).await?;
                if requeued > 0 {
                    tracing::info!(
                        requeued,
                        "submissions left running by a stopped server are queued again"
                    );
                }
                lease
            }
            Role::Worker { id, lease, .. } => {
                check_setup(&store, &ours).await?;
                // The server's limit on sources, so that what it accepted
                // is judged as it would judge it.
                if let Some(bytes) = store
                    .meta(MAX_SOURCE_KEY)
                    .await?
                    .and_then(|v| v.parse().ok())
                {
                    options.max_source_bytes = bytes;
                }
                Lease {
                    worker: id.clone(),
                    duration: *lease,
                }
            }
        };
        let waiting = store.waiting_exercises().await?;
        let missing: Vec<&String> = waiting
            .keys()
            .filter(|id| !catalog.iter().any(|e| &e.id == *id))
            .collect();
        if !missing.is_empty() {
            return Err(QueueError::MissingExercises {
                count: missing.iter().map(|id| waiting[*id]).sum::<i64>() as usize,
                missing: missing
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let mut prepared = HashMap::new();
        let mut tasks = tokio::task::JoinSet::new();
        for exercise in catalog {
            let judge = judge.clone();
            let exercise = exercise.clone();
            tasks.spawn(async move {
                let id = exercise.id.clone();
                let result = judge.prepare(exercise, Selection::All).await;
                (id, result)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let (id, result) = joined.map_err(|e| JudgeError::Panicked(e.to_string()))?;
            let ready = result?;
            tracing::debug!(exercise = %id, tests = ready.tests.len(), "prepared");
            prepared.insert(id, Arc::new(ready));
        }
        Ok(Arc::new(Queue {
            store,
            judge,
            role,
            lease,
            setup,
            in_flight: AtomicI64::new(0),
            failed: Mutex::new(None),
            exercises: catalog.iter().map(|e| (e.id.clone(), e.clone())).collect(),
            prepared,
            packs: Mutex::new(HashMap::new()),
            options,
            wake: Notify::new(),
            watchers: Mutex::new(HashMap::new()),
            stopping: watch::channel(false).0,
        }))
    }

    /// The catalog's exercises, in id order.
    pub fn exercises(&self) -> Vec<Arc<Exercise>> {
        let mut all: Vec<Arc<Exercise>> = self.exercises.values().cloned().collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// One exercise.
    pub fn exercise(&self, id: &str) -> Option<&Arc<Exercise>> {
        self.exercises.get(id)
    }

    /// The options submissions are judged with.
    pub fn options(&self) -> Options {
        self.options
    }

    /// The candidate's copy of an exercise (made once, then kept).
    pub async fn pack(&self, id: &str) -> Result<Option<Arc<PublicPack>>, PackFailed> {
        if let Some(pack) = self.lock_packs().get(id) {
            return Ok(Some(pack.clone()));
        }
        let Some(exercise) = self.exercises.get(id) else {
            return Ok(None);
        };
        gavel_judge::pack::packable(exercise)?;
        let prepared = self
            .judge
            .prepare(exercise.clone(), Selection::Public)
            .await?;
        let pack = Arc::new(public_pack(&prepared)?);
        self.lock_packs().insert(id.to_owned(), pack.clone());
        Ok(Some(pack))
    }

    fn lock_packs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<PublicPack>>> {
        self.packs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes an idle worker: a submission was queued.
    pub fn queued(&self) {
        self.wake.notify_one();
    }

    /// A receiver that changes whenever submission `id` does.
    pub fn watch(&self, id: i64) -> watch::Receiver<u64> {
        self.lock_watchers()
            .entry(id)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    fn changed(&self, id: i64) {
        if let Some(sender) = self.lock_watchers().get(&id) {
            sender.send_modify(|n| *n += 1);
        }
    }

    fn forget(&self, id: i64) {
        let mut watchers = self.lock_watchers();
        if let Some(sender) = watchers.get(&id) {
            sender.send_modify(|n| *n += 1);
            if sender.receiver_count() == 0 {
                watchers.remove(&id);
            }
        }
    }

    /// A live view of `id` ended: its watcher goes unless another view uses it.
    pub fn release(&self, id: i64) {
        let mut watchers = self.lock_watchers();
        if watchers.get(&id).is_some_and(|s| s.receiver_count() <= 1) {
            watchers.remove(&id);
        }
    }

    fn lock_watchers(&self) -> std::sync::MutexGuard<'_, HashMap<i64, watch::Sender<u64>>> {
        self.watchers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the workers to stop after their current submission.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
        self.wake.notify_waiters();
    }

    /// Runs `count` workers until [`Queue::stop`], with what they need
    /// beside them: the heartbeat (when judging), and PostgreSQL's
    /// notifications (new submissions wake the workers, a remote worker's
    /// tests wake the live views). A submission being judged when the
    /// process is killed is judged again: by the server at its next start,
    /// or by any worker once its lease runs out. Returns an error when the
    /// workers stopped by themselves (the server's setup changed).
    pub async fn work(self: &Arc<Self>, count: usize) -> Result<(), QueueError> {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..count {
            let this = self.clone();
            workers.spawn(async move { this.worker().await });
        }
        let mut beside = tokio::task::JoinSet::new();
        if count > 0 {
            let this = self.clone();
            beside.spawn(async move { this.heartbeat().await });
        }
        let this = self.clone();
        beside.spawn(async move { this.listen().await });
        let mut stopping = self.stopping.subscribe();
        if count > 0 {
            while workers.join_next().await.is_some() {}
        } else {
            while !*stopping.borrow_and_update() {
                if stopping.changed().await.is_err() {
                    break;
                }
            }
        }
        beside.abort_all();
        while beside.join_next().await.is_some() {}
        match self.failed.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Reports the worker alive, measures the database's clock, and, for a
    /// remote worker, stops the queue if the server now judges differently.
    async fn heartbeat(&self) {
        let host = match &self.role {
            Role::Server => "serve".to_owned(),
            Role::Worker { host, .. } => host.clone(),
        };
        let mut stopping = self.stopping.subscribe();
        loop {
            let in_flight = self.in_flight.load(Ordering::Relaxed);
            if let Err(e) = self
                .store
                .heartbeat(&self.lease.worker, &host, in_flight)
                .await
            {
                tracing::debug!("cannot report the worker alive: {e}");
            }
            if let Err(e) = self.store.sync_clock().await {
                tracing::debug!("cannot read the database's clock: {e}");
            }
            if matches!(self.role, Role::Worker { .. }) {
                match self.check_setup().await {
                    Err(
                        e @ (QueueError::Setup(_)
                        | QueueError::NoServer
                        | QueueError::Announcement(_)),
                    ) => {
                        tracing::error!("{e}; stopping");
                        *self.failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        self.stop();
                        return;
                    }
                    Err(e) => tracing::debug!("cannot read the server's setup: {e}"),
                    Ok(()) => {}
                }
            }
            tokio::select! {
                _ = stopping.changed() => return,
                () = tokio::time::sleep(HEARTBEAT) => {}
            }
        }
    }

    async fn check_setup(&self) -> Result<(), QueueError> {
        let ours: Setup = serde_json::from_str(&self.setup)
            .map_err(|e| QueueError::Announcement(e.to_string()))?;
        check_setup(&self.store, &ours).await
    }

    /// Wakes workers and live views on other processes' notifications
    /// (PostgreSQL; nothing to do on SQLite).
    async fn listen(&self) {
        let mut listener = match self.store.listen().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!("cannot listen for notifications (polling instead): {e}");
                return;
            }
        };
        loop {
            match listener.recv().await {
                Ok(Heard::Queued) => self.wake.notify_waiters(),
                Ok(Heard::Changed(id)) => self.changed(id),
                Err(e) => {
                    tracing::debug!("notifications interrupted: {e}");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    }

    async fn worker(&self) {
        let mut stopping = self.stopping.subscribe();
        let mut backoff = Backoff::default();
        loop {
            if *stopping.borrow() {
                return;
            }
            match self.store.claim(&self.lease, &self.setup).await {
                Ok(Some(claimed)) => {
                    backoff.reset();
                    self.in_flight.fetch_add(1, Ordering::Relaxed);
                    self.judge_one(claimed).await;
                    self.in_flight.fetch_sub(1, Ordering::Relaxed);
                }
                Ok(None) => {
                    backoff.reset();
                    tokio::select! {
                        () = self.wake.notified() => {}
                        _ = stopping.changed() => {}
                        () = tokio::time::sleep(POLL) => {}
                    }
                }
                Err(e) => {
                    // Logged by the store, once per outage; waiting longer
                    // each time, so a full disk is not hammered.
                    tracing::debug!("cannot read the queue: {e}");
                    tokio::select! {
                        _ = stopping.changed() => {}
                        () = tokio::time::sleep(backoff.next()) => {}
                    }
                }
            }
        }
    }

    async fn judge_one(&self, claimed: Claimed) {
        if claimed.kind == Kind::Run {
            return self.judge_run(claimed).await;
        }
        let id = claimed.id;
        let Some(prepared) = self.prepared.get(&claimed.exercise).cloned() else {
            // Claims are made under this catalog's setup, so only a catalog
            // edited under a running process gets here; its lease runs out
            // and a process with the exercise judges it.
            tracing::error!(submission = id, exercise = %claimed.exercise, "not in the catalog");
            return;
        };
        tracing::info!(submission = id, exercise = %claimed.exercise, "judging");
        self.changed(id);
        // The tests the engine reports live (public ones, docs/api.md) are
        // written in order by one task, so positions are dense. Writing them
        // is for live views only: one that fails is not worth failing the
        // submission for (the result holds every test).
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let store = self.store.clone();
        let writer = async {
            let mut position = 0;
            while let Some(json) = rx.recv().await {
                if store
                    .add_test(id, &self.lease.worker, position, &json)
                    .await
                    .is_ok()
                {
                    self.changed(id);
                }
                position += 1;
            }
        };
        let judged = async move {
            let progress = move |test: &TestResult| {
                if let Ok(json) = serde_json::to_string(test) {
                    let _ = tx.send(json);
                }
            };
            self.judge
                .judge(&prepared, claimed.source.into(), self.options, &progress)
                .await
        };
        let judging = async { tokio::join!(writer, judged).1 };
        // Judging stops as soon as the lease is lost: another worker has the
        // submission, and this result would not be committed.
        let result = tokio::select! {
            result = judging => result,
            () = self.hold(id) => {
                tracing::warn!(submission = id, "lost its lease; another worker judges it");
                self.forget(id);
                return;
            }
        };
        if self.commit(id, claimed.submitted_at, &result).await {
            tracing::info!(submission = id, verdict = %result.verdict.code(), "judged");
        }
        self.forget(id);
    }

    /// Runs a claimed "run this code" submission once and commits its result,
    /// released at once (nothing in it is hidden).
    async fn judge_run(&self, claimed: Claimed) {
        let id = claimed.id;
        let spec = match self.store.run_spec(id).await {
            Ok(Some(spec)) => spec,
            Ok(None) => {
                tracing::error!(submission = id, "a run without its request");
                return;
            }
            Err(e) => {
                // Its lease runs out and it is claimed again.
                tracing::warn!(submission = id, "cannot read the run's request: {e}");
                return;
            }
        };
        tracing::info!(submission = id, "running");
        self.changed(id);
        let run = ProgramRun {
            source: claimed.source.into(),
            stdin: spec.stdin.into(),
            expected_output: spec.expected_output.map(Into::into),
            limits: spec.limits,
            max_source_bytes: self.options.max_source_bytes,
        };
        let result = tokio::select! {
            result = self.judge.run_program(&run) => result,
            () = self.hold(id) => {
                tracing::warn!(submission = id, "lost its lease; another worker runs it");
                self.forget(id);
                return;
            }
        };
        let verdict = verdict_of(result.status);
        let worker = &self.lease.worker;
        let committed = self
            .commit_with(id, || {
                self.store.finish_run(id, worker, verdict.code(), &result)
            })
            .await;
        if committed {
            tracing::info!(submission = id, verdict = %verdict.code(), "ran");
        }
        self.forget(id);
    }

    /// Renews the lease on `id` while it is judged; completes only when the
    /// lease is lost (a renewal that cannot be written is tried again: the
    /// lease lasts three renewals' time).
    async fn hold(&self, id: i64) {
        let every = self.lease.duration / 3;
        loop {
            tokio::time::sleep(every).await;
            match self.store.renew(id, &self.lease).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::debug!(submission = id, "cannot renew the lease: {e}"),
            }
        }
    }

    /// Commits a judged result, retrying while the state cannot be written:
    /// a submission is judged once, however long the disk stays full. Gives
    /// up only when the process stops (the submission is then judged again,
    /// see [`Queue::work`]). Whether the result was committed.
    async fn commit(&self, id: i64, submitted_at: i64, result: &SubmissionResult) -> bool {
        self.commit_with(id, || async {
            let release_at = release_time(submitted_at, self.store.now());
            self.store
                .finish(id, &self.lease.worker, result, release_at)
                .await
        })
        .await
    }

    /// [`Queue::commit`]'s retries around `store`, one write of a result
    /// (an exercise's, or a run's).
    async fn commit_with<F, W>(&self, id: i64, mut store: F) -> bool
    where
        F: FnMut() -> W,
        W: std::future::Future<Output = Result<bool, StoreError>>,
    {
        let mut stopping = self.stopping.subscribe();
        let mut backoff = Backoff::default();
        loop {
            match store().await {
                Ok(true) => return true,
                Ok(false) => {
                    tracing::warn!(
                        submission = id,
                        "is no longer this worker's; its result is dropped"
                    );
                    return false;
                }
                Err(e) => {
                    tracing::debug!(submission = id, "cannot store the result yet: {e}");
                    if *stopping.borrow() {
                        return false;
                    }
                    tokio::select! {
                        _ = stopping.changed() => {}
                        () = tokio::time::sleep(backoff.next()) => {}
                    }
                }
            }
        }
    }
}

/// The verdict a run's status stands for (in the state's `verdict` column).
fn verdict_of(status: ProgramStatus) -> Verdict {
    match status {
        ProgramStatus::Accepted => Verdict::Accepted,
        ProgramStatus::WrongAnswer => Verdict::WrongAnswer,
        ProgramStatus::CompileError => Verdict::CompileError,
        ProgramStatus::RuntimeError => Verdict::RuntimeError,
        ProgramStatus::TimeLimit => Verdict::TimeLimit,
        ProgramStatus::MemoryLimit => Verdict::MemoryLimit,
        ProgramStatus::OutputLimit => Verdict::OutputLimit,
        ProgramStatus::InternalError => Verdict::InternalError,
    }
}

/// Checks that the server announced `ours` as the setup to judge with.
async fn check_setup(store: &Store, ours: &Setup) -> Result<(), QueueError> {
    let announced = store.meta(SETUP_KEY).await?.ok_or(QueueError::NoServer)?;
    let theirs: Setup =
        serde_json::from_str(&announced).map_err(|e| QueueError::Announcement(e.to_string()))?;
    let differences = ours.differences(&theirs);
    if differences.is_empty() {
        Ok(())
    } else {
        Err(QueueError::Setup(differences))
    }
}

/// Waits between attempts to write a state that failed: from half a second,
/// doubling, to half a minute.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(500);
    const MOST: Duration = Duration::from_secs(30);

    fn next(&mut self) -> Duration {
        let wait = Self::FIRST.saturating_mul(1 << self.failures.min(10));
        self.failures += 1;
        wait.min(Self::MOST)
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_ceiling_and_starts_again() {
        let mut backoff = Backoff::default();
        let waits: Vec<u64> = (0..9).map(|_| backoff.next().as_millis() as u64).collect();
        assert_eq!(
            waits,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        backoff.reset();
        assert_eq!(backoff.next(), Backoff::FIRST);
    }
}
