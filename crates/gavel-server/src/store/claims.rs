//! The queue from a worker's side: claiming a submission under a lease,
//! renewing it, recording tests, committing the result, and the workers'
//! heartbeats.

use super::{Backend, Store, StoreError};
use gavel_judge::SubmissionResult;
use sqlx::Row;
use std::time::Duration;

/// A submission a worker claimed.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Its id.
    pub id: i64,
    /// When it was received (ms since the epoch): its release time counts
    /// from here.
    pub submitted_at: i64,
    /// The exercise (empty for a run).
    pub exercise: String,
    /// The source.
    pub source: Vec<u8>,
    /// An exercise submission, or a run of the Judge0-compatible API.
    pub kind: Kind,
}

/// What a submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A candidate's solution to an exercise.
    Exercise,
    /// "Run this code" (the Judge0-compatible API): no exercise, nothing hidden.
    Run,
}

/// Who holds a claim, and for how long after each renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The worker's id (the server's own workers are [`Lease::SERVER`]).
    pub worker: String,
    /// How long a claim lasts without a renewal.
    pub duration: Duration,
}

impl Lease {
    /// The worker id of the server's own workers, whose claims the server
    /// takes back at its next start (it cannot still be judging them).
    pub const SERVER: &'static str = "serve";

    fn until(&self, now: i64) -> i64 {
        now.saturating_add(i64::try_from(self.duration.as_millis()).unwrap_or(i64::MAX / 2))
    }
}

/// A worker, as `gavel admin status` shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WorkerInfo {
    /// Its id.
    pub id: String,
    /// The machine it runs on.
    pub host: String,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it last reported (RFC 3339).
    pub last_seen: String,
    /// Submissions it is judging.
    pub in_flight: i64,
}

/// The claim: the oldest submission that is queued or whose lease ran out,
/// of a candidate with none other being judged or waiting for release,
/// moved to `running` under a lease, in one statement, if the setup the
/// server announced is the claimer's. `$lock` locks the
/// chosen row on PostgreSQL (other workers skip it rather than wait).
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE submissions SET status = 'running', attempts = attempts + 1, \
               started_at = $1, worker = $2, lease_until = $3 \
             WHERE id = (SELECT s.id FROM submissions s \
                 WHERE (s.status = 'queued' OR (s.status = 'running' AND s.lease_until < $1)) \
                   AND NOT EXISTS (SELECT 1 FROM submissions o \
                     WHERE o.candidate_id = s.candidate_id AND o.id <> s.id \
                       AND ((o.status = 'running' AND o.lease_until >= $1) \
                         OR (o.status = 'done' AND o.finished_at > $1))) \
                   AND EXISTS (SELECT 1 FROM meta WHERE key = 'setup' AND value = $4) \
                 ORDER BY s.id LIMIT 1",
            $lock,
            ") RETURNING id, submitted_at, exercise, source, attempts, kind"
        )
    };
}

/// Claims take this advisory lock on PostgreSQL, so that two workers never
/// claim two submissions of one candidate at once: the per-candidate rule
/// reads rows another claim may be changing, which `SKIP LOCKED` alone
/// would let both read as they were. It is held for one statement.
const CLAIM_LOCK: i64 = 0x6761_7665_6c00_0001;

impl Store {
    /// Claims, for `lease`, the oldest submission that is queued (or whose
    /// lease ran out) and whose candidate has no other being judged or
    /// waiting for its release. The claim is committed before it is
    /// returned: a claim that could not be written is not one. A submission
    /// claimed again loses the test rows of its earlier attempt.
    ///
    /// Nothing is claimed unless `setup` is what the server announced
    /// (`meta.setup`): a worker never judges under another catalog, image or
    /// rules, even for the moment between a server's restart with a new
    /// catalog and the worker's next look at the announcement.
    pub async fn claim(&self, lease: &Lease, setup: &str) -> Result<Option<Claimed>, StoreError> {
        let result = async {
            let now = self.now();
            let mut tx = self.begin_write().await?;
            if self.backend == Backend::Postgres {
                // Held to the commit; each statement after it reads what the
                // claims before it committed.
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(CLAIM_LOCK)
                    .execute(&mut *tx)
                    .await?;
            }
            let sql = match self.backend {
                Backend::Postgres => claim_sql!(" FOR UPDATE OF s SKIP LOCKED"),
                Backend::Sqlite => claim_sql!(""),
            };
            let row = sqlx::query(sql)
                .bind(now)
                .bind(&lease.worker)
                .bind(lease.until(now))
                .bind(setup)
                .fetch_optional(&mut *tx)
                .await?;
            let claimed = row.map(|row| {
                let attempts: i64 = row.get("attempts");
                (
                    Claimed {
                        id: row.get("id"),
                        submitted_at: row.get("submitted_at"),
                        exercise: row.get("exercise"),
                        source: row.get("source"),
                        kind: if row.get::<String, _>("kind") == "run" {
                            Kind::Run
                        } else {
                            Kind::Exercise
                        },
                    },
                    attempts,
                )
            });
            if let Some((claimed, attempts)) = &claimed
                && *attempts > 1
            {
                sqlx::query("DELETE FROM submission_tests WHERE submission_id = $1")
                    .bind(claimed.id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(claimed.map(|(claimed, _)| claimed))
        }
        .await;
        // Claiming nothing writes nothing: no sign the state is writable.
        match result {
            Ok(None) => Ok(None),
            result => self.track(result),
        }
    }

    /// Extends `lease` on submission `id`. False when the worker no longer
    /// holds it (its lease ran out and another claimed it): its result will
    /// not be committed.
    pub async fn renew(&self, id: i64, lease: &Lease) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE submissions SET lease_until = $1 \
             WHERE id = $2 AND worker = $3 AND status = 'running'",
        )
        .bind(lease.until(self.now()))
        .bind(id)
        .bind(&lease.worker)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Records a test of a submission `worker` holds (for live views).
    pub async fn add_test(
        &self,
        id: i64,
        worker: &str,
        position: i64,
        result: &str,
    ) -> Result<(), StoreError> {
        let result = async {
            sqlx::query(
                "INSERT INTO submission_tests (submission_id, position, result) \
                 SELECT id, $2, $3 FROM submissions \
                 WHERE id = $1 AND worker = $4 AND status = 'running'",
            )
            .bind(id)
            .bind(position)
            .bind(result)
            .bind(worker)
            .execute(&self.pool)
            .await?;
            Ok(())
        }
        .await;
        if result.is_ok() {
            self.notify(super::Heard::Changed(id)).await;
        }
        self.track(result)
    }

    /// Commits the result of a submission `worker` holds, to be released at
    /// `release_at` (see [`super::release_time`]). Returns false if the
    /// worker does not hold it (nothing is written): exactly one commit per
    /// submission.
    pub async fn finish(
        &self,
        id: i64,
        worker: &str,
        result: &SubmissionResult,
        release_at: i64,
    ) -> Result<bool, StoreError> {
        let json =
            serde_json::to_string(result).map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
        self.commit_result(
            id,
            worker,
            result.verdict.code(),
            result.points,
            i64::from(result.max_points),
            json,
            release_at,
        )
        .await
    }

    /// Commits a judged submission's result (see [`Store::finish`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn commit_result(
        &self,
        id: i64,
        worker: &str,
        verdict: &str,
        points: f64,
        max_points: i64,
        json: String,
        release_at: i64,
    ) -> Result<bool, StoreError> {
        let result = async {
            let updated = sqlx::query(
                "UPDATE submissions SET status = 'done', finished_at = $1, verdict = $2, points = $3, \
                   max_points = $4, result = $5, lease_until = NULL \
                 WHERE id = $6 AND status = 'running' AND worker = $7",
            )
            .bind(release_at)
            .bind(verdict)
            .bind(points)
            .bind(max_points)
            .bind(json)
            .bind(id)
            .bind(worker)
            .execute(&self.pool)
            .await?;
            Ok(updated.rows_affected() == 1)
        }
        .await;
        if let Ok(true) = result {
            self.notify(super::Heard::Changed(id)).await;
        }
        self.track(result)
    }

    /// Puts the submissions `worker` left running back in the queue (the
    /// server's own, at its start and stop), dropping their partial tests.
    pub async fn requeue(&self, worker: &str) -> Result<u64, StoreError> {
        let result = async {
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "DELETE FROM submission_tests WHERE submission_id IN \
                 (SELECT id FROM submissions WHERE status = 'running' AND worker = $1)",
            )
            .bind(worker)
            .execute(&mut *tx)
            .await?;
            let moved = sqlx::query(
                "UPDATE submissions SET status = 'queued', worker = NULL, lease_until = NULL \
                 WHERE status = 'running' AND worker = $1",
            )
            .bind(worker)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(moved)
        }
        .await;
        match result {
            Ok(0) => Ok(0),
            result => {
                self.notify(super::Heard::Queued).await;
                self.track(result)
            }
        }
    }

    /// The exercises of submissions not yet done, with how many each.
    pub async fn waiting_exercises(
        &self,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT exercise, COUNT(*) AS n FROM submissions \
             WHERE status <> 'done' AND kind = 'exercise' GROUP BY exercise",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("exercise"), r.get("n")))
            .collect())
    }

    /// Records that a worker is alive, judging `in_flight` submissions.
    pub async fn heartbeat(
        &self,
        worker: &str,
        host: &str,
        in_flight: i64,
    ) -> Result<(), StoreError> {
        let now = self.now();
        sqlx::query(
            "INSERT INTO workers (id, host, started_at, last_seen, in_flight) VALUES ($1, $2, $3, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, in_flight = excluded.in_flight",
        )
        .bind(worker)
        .bind(host)
        .bind(now)
        .bind(in_flight)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The workers seen within `recent`, newest first.
    pub async fn workers(&self, recent: Duration) -> Result<Vec<WorkerInfo>, StoreError> {
        let since = self.now() - i64::try_from(recent.as_millis()).unwrap_or(i64::MAX / 2);
        let rows = sqlx::query(
            "SELECT id, host, started_at, last_seen, in_flight FROM workers \
             WHERE last_seen >= $1 ORDER BY last_seen DESC, id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| WorkerInfo {
                id: r.get("id"),
                host: r.get("host"),
                started_at: super::rfc3339(r.get("started_at")),
                last_seen: super::rfc3339(r.get("last_seen")),
                in_flight: r.get("in_flight"),
            })
            .collect())
    }

    /// A submission's status and how many times it was claimed (for tests
    /// of the exactly-once rule).
    pub async fn attempts(&self, id: i64) -> Result<Option<(String, i64)>, StoreError> {
        let row = sqlx::query("SELECT status, attempts FROM submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (r.get("status"), r.get("attempts"))))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::store;
    use super::*;
    use gavel_api::shapes::{Quotas, SubmissionStatus};
    use gavel_exercise::Verdict;

    fn quotas(in_flight: u32) -> Quotas {
        Quotas {
            in_flight,
            per_exercise_per_hour: 3,
            max_source_bytes: 1 << 20,
        }
    }

    fn lease(worker: &str, seconds: u64) -> Lease {
        Lease {
            worker: worker.to_owned(),
            duration: Duration::from_secs(seconds),
        }
    }

    fn result() -> SubmissionResult {
        SubmissionResult {
            exercise: "e".into(),
            verdict: Verdict::Accepted,
            points: 1.0,
            max_points: 1,
            score: 1.0,
            compile_error: None,
            tests: Vec::new(),
            groups: Vec::new(),
            hidden: None,
            disclosure: gavel_exercise::Disclosure::Verdicts,
            source_sha256: String::new(),
            image_sha256: String::new(),
            native_sha256: None,
            complexity: None,
        }
    }

    const SETUP: &str = "{}";

    async fn candidate(store: &Store, name: &str) -> i64 {
        store.set_meta("setup", SETUP).await.unwrap();
        let token = store.invite(name).await.unwrap();
        store.authenticate(&token).await.unwrap().unwrap().id
    }

    #[tokio::test]
    async fn quotas_refuse_and_a_stopped_servers_claims_go_back() {
        let (_dir, store) = store().await;
        let id = candidate(&store, "ada").await;
        let first = store
            .submit(id, "e", b"print(1)", &quotas(2))
            .await
            .unwrap()
            .unwrap();
        store
            .submit(id, "e", b"print(2)", &quotas(2))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .submit(id, "e", b"print(3)", &quotas(2))
                .await
                .unwrap(),
            Err(super::super::Refusal::InFlight(2))
        );
        let server = lease(Lease::SERVER, 60);
        // Under another setup than the one announced, nothing is claimed.
        assert!(
            store
                .claim(&server, "{\"other\":1}")
                .await
                .unwrap()
                .is_none()
        );
        let claimed = store.claim(&server, SETUP).await.unwrap().unwrap();
        assert_eq!(claimed.id, first.id);
        store
            .add_test(claimed.id, Lease::SERVER, 0, "{}")
            .await
            .unwrap();
        // A stop: the running one goes back, without its partial tests.
        assert_eq!(store.requeue(Lease::SERVER).await.unwrap(), 1);
        assert!(store.tests_after(first.id, -1).await.unwrap().is_empty());
        let again = store.claim(&server, SETUP).await.unwrap().unwrap();
        assert_eq!(again.id, first.id);
        assert_eq!(
            store.attempts(first.id).await.unwrap().unwrap(),
            ("running".into(), 2)
        );
    }

    #[tokio::test]
    async fn a_lease_that_runs_out_passes_the_submission_to_another_worker_once() {
        let (_dir, store) = store().await;
        let id = candidate(&store, "ada").await;
        let submitted = store
            .submit(id, "e", b"1", &quotas(2))
            .await
            .unwrap()
            .unwrap();
        let short = lease("w1", 0);
        let claimed = store.claim(&short, SETUP).await.unwrap().unwrap();
        store.add_test(claimed.id, "w1", 0, "{}").await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        // w1's lease ran out: w2 takes it, and w1's rows are gone.
        let w2 = lease("w2", 60);
        let again = store.claim(&w2, SETUP).await.unwrap().unwrap();
        assert_eq!(again.id, submitted.id);
        assert!(
            store
                .tests_after(submitted.id, -1)
                .await
                .unwrap()
                .is_empty()
        );
        // w1 can neither renew, add a test, nor commit; w2 commits once.
        assert!(!store.renew(submitted.id, &short).await.unwrap());
        store.add_test(submitted.id, "w1", 0, "{}").await.unwrap();
        assert!(
            store
                .tests_after(submitted.id, -1)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            !store
                .finish(submitted.id, "w1", &result(), 0)
                .await
                .unwrap()
        );
        assert!(store.renew(submitted.id, &w2).await.unwrap());
        assert!(
            store
                .finish(submitted.id, "w2", &result(), 0)
                .await
                .unwrap()
        );
        assert!(
            !store
                .finish(submitted.id, "w2", &result(), 0)
                .await
                .unwrap()
        );
        assert_eq!(
            store.attempts(submitted.id).await.unwrap().unwrap(),
            ("done".into(), 2)
        );
    }

    #[tokio::test]
    async fn a_candidates_next_submission_waits_for_the_previous_ones_release() {
        let (_dir, store) = store().await;
        let (ada, bob) = (
            candidate(&store, "ada").await,
            candidate(&store, "bob").await,
        );
        let first = store
            .submit(ada, "e", b"1", &quotas(2))
            .await
            .unwrap()
            .unwrap();
        let second = store
            .submit(ada, "e", b"2", &quotas(2))
            .await
            .unwrap()
            .unwrap();
        let bobs = store
            .submit(bob, "e", b"3", &quotas(2))
            .await
            .unwrap()
            .unwrap();
        let server = lease(Lease::SERVER, 60);
        // One of Ada's at a time: Bob's comes before her second.
        assert_eq!(
            store.claim(&server, SETUP).await.unwrap().unwrap().id,
            first.id
        );
        assert_eq!(
            store.claim(&server, SETUP).await.unwrap().unwrap().id,
            bobs.id
        );
        assert!(store.claim(&server, SETUP).await.unwrap().is_none());
        // Judged, not released: still running to Ada, without a verdict,
        // holding its slot, and her next one waits.
        let release_at = store.now() + 60_000;
        assert!(
            store
                .finish(first.id, Lease::SERVER, &result(), release_at)
                .await
                .unwrap()
        );
        let seen = store.submission(ada, first.id).await.unwrap().unwrap();
        assert_eq!(
            (seen.info.status, seen.info.verdict, seen.result.is_none()),
            (SubmissionStatus::Running, None, true)
        );
        assert_eq!(seen.release_at, Some(release_at));
        assert_eq!(
            store.submit(ada, "e", b"4", &quotas(2)).await.unwrap(),
            Err(super::super::Refusal::InFlight(2))
        );
        assert!(store.claim(&server, SETUP).await.unwrap().is_none());
        // Released: done, with its result; the next one is claimed.
        sqlx::query("UPDATE submissions SET finished_at = $1 WHERE id = $2")
            .bind(store.now() - 1)
            .bind(first.id)
            .execute(&store.pool)
            .await
            .unwrap();
        let seen = store.submission(ada, first.id).await.unwrap().unwrap();
        assert_eq!(
            (seen.info.status, seen.info.verdict),
            (SubmissionStatus::Done, Some(Verdict::Accepted))
        );
        assert!(seen.result.is_some() && seen.release_at.is_none());
        assert_eq!(
            store.claim(&server, SETUP).await.unwrap().unwrap().id,
            second.id
        );
    }
}
