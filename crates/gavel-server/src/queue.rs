//! The judging side of the server: the catalog, prepared once at start, and
//! the workers that take submissions from the queue in the database, judge
//! them with the engine and commit their results (see `store` for the
//! exactly-once rule). Each test's result is committed as it finishes, and
//! listeners of that submission are woken.

use crate::store::{Claimed, Store, StoreError, now_ms, release_time};
use gavel_exercise::Exercise;
use gavel_judge::pack::{PackError, PublicPack, public_pack};
use gavel_judge::{Judge, JudgeError, Options, Prepared, Selection, SubmissionResult, TestResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};

/// How long an idle worker waits before looking at the queue again even
/// without a wake-up (submissions added by another process).
const POLL: Duration = Duration::from_secs(1);

/// The catalog and the queue's workers.
pub struct Queue {
    store: Store,
    judge: Arc<Judge>,
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
}

impl Queue {
    /// Prepares every exercise of `catalog` and puts submissions a stopped
    /// server left running back in the queue.
    pub async fn start(
        store: Store,
        judge: Arc<Judge>,
        catalog: &[Arc<Exercise>],
        options: Options,
    ) -> Result<Arc<Queue>, QueueError> {
        let requeued = store.requeue_running().await?;
        if requeued > 0 {
            tracing::info!(
                requeued,
                "submissions left running by a stopped server are queued again"
            );
        }
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

    /// Runs `count` workers until [`Queue::stop`]; a submission being
    /// judged when the server is killed is judged again at the next start.
    pub async fn work(self: &Arc<Self>, count: usize) {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..count.max(1) {
            let this = self.clone();
            workers.spawn(async move { this.worker().await });
        }
        while workers.join_next().await.is_some() {}
    }

    async fn worker(&self) {
        let mut stopping = self.stopping.subscribe();
        let mut backoff = Backoff::default();
        loop {
            if *stopping.borrow() {
                return;
            }
            match self.store.claim().await {
                Ok(Some(claimed)) => {
                    backoff.reset();
                    self.judge_one(claimed).await;
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
        let id = claimed.id;
        let Some(prepared) = self.prepared.get(&claimed.exercise).cloned() else {
            // Only a catalog changed under a running server gets here; the
            // next start refuses to run without the exercise.
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
                if store.add_test(id, position, &json).await.is_ok() {
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
        let ((), result) = tokio::join!(writer, judged);
        if self.commit(id, claimed.submitted_at, &result).await {
            tracing::info!(submission = id, verdict = %result.verdict.code(), "judged");
        }
        self.forget(id);
    }

    /// Commits a judged result, retrying while the state cannot be written:
    /// a submission is judged once, however long the disk stays full. Gives
    /// up only when the server stops (the submission is then judged again at
    /// the next start). Whether the result was committed.
    async fn commit(&self, id: i64, submitted_at: i64, result: &SubmissionResult) -> bool {
        let mut stopping = self.stopping.subscribe();
        let mut backoff = Backoff::default();
        loop {
            let release_at = release_time(submitted_at, now_ms());
            match self.store.finish(id, result, release_at).await {
                Ok(true) => return true,
                Ok(false) => {
                    tracing::warn!(
                        submission = id,
                        "was no longer running; its result is dropped"
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
