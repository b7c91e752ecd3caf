//! The server's state in SQLite (`DIR/state.sqlite`): accounts, submissions
//! and their results, and the queue. Every statement is portable SQL with
//! `$N` parameters; migrations are versioned (`migrations/`).
//!
//! The queue's rule for exactly-once judging: a submission is committed
//! `queued` before it is acknowledged; a judge claims it by moving it to
//! `running` in one statement; its result and `done` are committed in one
//! transaction, only from `running`. A server that stops (or is killed) with
//! submissions `running` puts them back to `queued` when it starts, dropping
//! their partial test rows, so each ends `done` exactly once.

use crate::shapes::{Quotas, Status, SubmissionInfo};
use futures_util::TryStreamExt;
use gavel_exercise::Verdict;
use gavel_judge::SubmissionResult;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The state directory could not be made.
    #[error("cannot use the state directory `{path}`: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("the state database failed: {0}")]
    Db(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("cannot migrate the state database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// `invite` of a name that is taken.
    #[error("a candidate named `{0}` exists already (names are never reused)")]
    Exists(String),
    /// `revoke` of an unknown name.
    #[error("no candidate named `{0}`")]
    NoSuchCandidate(String),
    /// A stored result does not read back.
    #[error("the stored result of submission {0} cannot be read: {1}")]
    Corrupt(i64, String),
}

/// An invited candidate, as `admin list` shows them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CandidateRow {
    /// Their name.
    pub name: String,
    /// When they were invited (RFC 3339).
    pub invited_at: String,
    /// When their token was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Submissions so far.
    pub submissions: i64,
}

/// Whom a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Their row.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// Whether the token was revoked.
    pub revoked: bool,
}

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Too many queued or running.
    InFlight(u32),
    /// Too many for this exercise in the last hour; the oldest of them leaves
    /// the window in this many seconds.
    Hourly {
        /// The limit.
        limit: u32,
        /// Seconds until one more is allowed.
        retry_after: u64,
    },
}

/// A submission a judge claimed.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Its id.
    pub id: i64,
    /// The exercise.
    pub exercise: String,
    /// The source.
    pub source: Vec<u8>,
}

/// The queue and the accounts, for `admin status`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct QueueStatus {
    /// Submissions waiting.
    pub queued: i64,
    /// Submissions being judged.
    pub running: i64,
    /// Submissions judged.
    pub done: i64,
    /// Invited candidates (revoked included).
    pub candidates: i64,
    /// Candidates whose token was revoked.
    pub revoked: i64,
    /// Submissions per exercise.
    pub per_exercise: std::collections::BTreeMap<String, i64>,
}

/// A result chosen for a report.
#[derive(Debug, Clone)]
pub struct ChosenResult {
    /// The candidate.
    pub candidate: String,
    /// The exercise.
    pub exercise: String,
    /// The submission.
    pub submission: i64,
    /// Its result.
    pub result: SubmissionResult,
    /// Its source (lossy UTF-8), for the reports' source views and
    /// similarity.
    pub source: String,
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A time for people and JSON: RFC 3339, UTC.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The hex sha256 of a token: what the database holds.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new bearer token: 256 random bits.
fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Db(sqlx::Error::Protocol(format!("no randomness: {e}"))))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("gvl_{hex}"))
}

/// How a transaction that reads and then writes begins: SQLite takes the
/// write lock at once (a deferred one could not upgrade its read once
/// another connection has written). The one statement that is not portable;
/// PostgreSQL's equivalent is a plain `BEGIN` with its row locks.
const WRITE_TRANSACTION: &str = "BEGIN IMMEDIATE";

/// The server's state.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// The columns [`info`] reads (a macro, so queries stay static strings).
macro_rules! submission_columns {
    () => {
        "id, exercise, status, submitted_at, finished_at, verdict, points, max_points"
    };
}

fn info(row: &sqlx::sqlite::SqliteRow) -> SubmissionInfo {
    let status: String = row.get("status");
    let verdict: Option<String> = row.get("verdict");
    SubmissionInfo {
        id: row.get("id"),
        exercise: row.get("exercise"),
        status: Status::from_name(&status).unwrap_or(Status::Queued),
        submitted_at: rfc3339(row.get("submitted_at")),
        finished_at: row.get::<Option<i64>, _>("finished_at").map(rfc3339),
        verdict: verdict.as_deref().and_then(Verdict::from_code),
        points: row.get("points"),
        max_points: row
            .get::<Option<i64>, _>("max_points")
            .and_then(|m| u32::try_from(m).ok()),
    }
}

impl Store {
    /// Opens (creating if needed) the state in `dir`, bringing its schema up
    /// to date.
    pub async fn open(dir: &Path) -> Result<Store, StoreError> {
        let dir_error = |source| StoreError::Dir {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(dir_error)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Sources and tokens' hashes: for the server's user only.
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(dir_error)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(dir.join("state.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// Invites `name`: returns their token, which is stored only hashed.
    pub async fn invite(&self, name: &str) -> Result<String, StoreError> {
        let token = new_token()?;
        let inserted = sqlx::query(
            "INSERT INTO candidates (name, token_sha256, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(token_hash(&token))
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Exists(name.to_owned()));
        }
        Ok(token)
    }

    /// Revokes `name`'s token.
    pub async fn revoke(&self, name: &str) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE candidates SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(name)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 0 {
            let exists = sqlx::query("SELECT 1 FROM candidates WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NoSuchCandidate(name.to_owned()));
            }
        }
        Ok(())
    }

    /// Every invited candidate, by name.
    pub async fn candidates(&self) -> Result<Vec<CandidateRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.name, c.created_at, c.revoked_at, \
               (SELECT COUNT(*) FROM submissions s WHERE s.candidate_id = c.id) AS submissions \
             FROM candidates c ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| CandidateRow {
                name: row.get("name"),
                invited_at: rfc3339(row.get("created_at")),
                revoked_at: row.get::<Option<i64>, _>("revoked_at").map(rfc3339),
                submissions: row.get("submissions"),
            })
            .collect())
    }

    /// The account a token belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Account>, StoreError> {
        let row =
            sqlx::query("SELECT id, name, revoked_at FROM candidates WHERE token_sha256 = $1")
                .bind(token_hash(token))
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|row| Account {
            id: row.get("id"),
            name: row.get("name"),
            revoked: row.get::<Option<i64>, _>("revoked_at").is_some(),
        }))
    }

    /// Stores a submission as `queued`, unless it is over `quotas`. The
    /// caller serialises calls (the quota check and the insert belong
    /// together).
    pub async fn submit(
        &self,
        candidate: i64,
        exercise: &str,
        source: &[u8],
        quotas: &Quotas,
    ) -> Result<Result<SubmissionInfo, Refusal>, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin_with(WRITE_TRANSACTION).await?;
        let in_flight: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM submissions WHERE candidate_id = $1 AND status <> 'done'",
        )
        .bind(candidate)
        .fetch_one(&mut *tx)
        .await?
        .get("n");
        if in_flight >= i64::from(quotas.in_flight) {
            return Ok(Err(Refusal::InFlight(quotas.in_flight)));
        }
        let hour_ago = now - 3_600_000;
        let recent = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(submitted_at) AS oldest FROM submissions \
             WHERE candidate_id = $1 AND exercise = $2 AND submitted_at > $3",
        )
        .bind(candidate)
        .bind(exercise)
        .bind(hour_ago)
        .fetch_one(&mut *tx)
        .await?;
        let count: i64 = recent.get("n");
        if count >= i64::from(quotas.per_exercise_per_hour) {
            let oldest: Option<i64> = recent.get("oldest");
            let retry_ms = oldest.map_or(0, |o| o - hour_ago).max(1000);
            return Ok(Err(Refusal::Hourly {
                limit: quotas.per_exercise_per_hour,
                retry_after: (retry_ms as u64).div_ceil(1000),
            }));
        }
        let digest = Sha256::digest(source);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let row = sqlx::query(concat!(
            "INSERT INTO submissions (candidate_id, exercise, source, source_sha256, submitted_at, status) \
             VALUES ($1, $2, $3, $4, $5, 'queued') RETURNING ",
            submission_columns!()
        ))
        .bind(candidate)
        .bind(exercise)
        .bind(source)
        .bind(hex)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(info(&row)))
    }

    /// A candidate's submission, with its result once done.
    pub async fn submission(
        &self,
        candidate: i64,
        id: i64,
    ) -> Result<Option<(SubmissionInfo, Option<SubmissionResult>)>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            submission_columns!(),
            ", result FROM submissions WHERE id = $1 AND candidate_id = $2"
        ))
        .bind(id)
        .bind(candidate)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let result: Option<String> = row.get("result");
        let result = match result {
            Some(json) => Some(
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(id, e.to_string()))?,
            ),
            None => None,
        };
        Ok(Some((info(&row), result)))
    }

    /// A candidate's submissions, newest first.
    pub async fn submissions_of(&self, candidate: i64) -> Result<Vec<SubmissionInfo>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            submission_columns!(),
            " FROM submissions WHERE candidate_id = $1 ORDER BY id DESC"
        ))
        .bind(candidate)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(info).collect())
    }

    /// The test rows of a submission after `position`, in order.
    pub async fn tests_after(
        &self,
        id: i64,
        position: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT position, result FROM submission_tests \
             WHERE submission_id = $1 AND position > $2 ORDER BY position",
        )
        .bind(id)
        .bind(position)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("position"), r.get("result")))
            .collect())
    }

    /// Puts submissions a stopped server left `running` back in the queue.
    pub async fn requeue_running(&self) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin_with(WRITE_TRANSACTION).await?;
        sqlx::query(
            "DELETE FROM submission_tests WHERE submission_id IN \
             (SELECT id FROM submissions WHERE status = 'running')",
        )
        .execute(&mut *tx)
        .await?;
        let moved =
            sqlx::query("UPDATE submissions SET status = 'queued' WHERE status = 'running'")
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(moved)
    }

    /// The exercises of submissions not yet done, with how many each.
    pub async fn waiting_exercises(
        &self,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT exercise, COUNT(*) AS n FROM submissions WHERE status <> 'done' GROUP BY exercise",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("exercise"), r.get("n")))
            .collect())
    }

    /// Claims the oldest queued submission, if any.
    pub async fn claim(&self) -> Result<Option<Claimed>, StoreError> {
        let row = sqlx::query(
            "UPDATE submissions SET status = 'running', attempts = attempts + 1, started_at = $1 \
             WHERE id = (SELECT id FROM submissions WHERE status = 'queued' ORDER BY id LIMIT 1) \
               AND status = 'queued' \
             RETURNING id, exercise, source",
        )
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| Claimed {
            id: row.get("id"),
            exercise: row.get("exercise"),
            source: row.get("source"),
        }))
    }

    /// Records a test of a running submission.
    pub async fn add_test(&self, id: i64, position: i64, result: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO submission_tests (submission_id, position, result) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(position)
        .bind(result)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Commits a running submission's result. Returns false if it was not
    /// running (nothing is written).
    pub async fn finish(&self, id: i64, result: &SubmissionResult) -> Result<bool, StoreError> {
        let json =
            serde_json::to_string(result).map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
        let updated = sqlx::query(
            "UPDATE submissions SET status = 'done', finished_at = $1, verdict = $2, points = $3, \
               max_points = $4, result = $5 \
             WHERE id = $6 AND status = 'running'",
        )
        .bind(now_ms())
        .bind(result.verdict.code())
        .bind(result.points)
        .bind(i64::from(result.max_points))
        .bind(json)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The queue and the accounts.
    pub async fn status(&self) -> Result<QueueStatus, StoreError> {
        let mut status = QueueStatus::default();
        for row in sqlx::query("SELECT status, COUNT(*) AS n FROM submissions GROUP BY status")
            .fetch_all(&self.pool)
            .await?
        {
            let n: i64 = row.get("n");
            match row.get::<String, _>("status").as_str() {
                "queued" => status.queued = n,
                "running" => status.running = n,
                _ => status.done = n,
            }
        }
        let row = sqlx::query("SELECT COUNT(*) AS n, COUNT(revoked_at) AS revoked FROM candidates")
            .fetch_one(&self.pool)
            .await?;
        status.candidates = row.get("n");
        status.revoked = row.get("revoked");
        for row in sqlx::query(
            "SELECT exercise, COUNT(*) AS n FROM submissions GROUP BY exercise ORDER BY exercise",
        )
        .fetch_all(&self.pool)
        .await?
        {
            status
                .per_exercise
                .insert(row.get("exercise"), row.get("n"));
        }
        Ok(status)
    }

    /// Each candidate's chosen judged submission per exercise: the one with
    /// the most points (the earliest of equals), or the latest.
    pub async fn chosen_results(&self, best: bool) -> Result<Vec<ChosenResult>, StoreError> {
        let query = if best {
            concat!(
                "SELECT c.name, s.exercise, s.id, s.result, s.source FROM submissions s \
                 JOIN candidates c ON c.id = s.candidate_id \
                 WHERE s.status = 'done' ORDER BY c.name, s.exercise, ",
                "s.points DESC, s.id ASC"
            )
        } else {
            concat!(
                "SELECT c.name, s.exercise, s.id, s.result, s.source FROM submissions s \
                 JOIN candidates c ON c.id = s.candidate_id \
                 WHERE s.status = 'done' ORDER BY c.name, s.exercise, ",
                "s.id DESC"
            )
        };
        // Streamed: only the chosen submissions are held, not every one.
        let mut rows = sqlx::query(query).fetch(&self.pool);
        let mut chosen: Vec<ChosenResult> = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let candidate: String = row.get("name");
            let exercise: String = row.get("exercise");
            if chosen
                .last()
                .is_some_and(|c| c.candidate == candidate && c.exercise == exercise)
            {
                continue;
            }
            let id: i64 = row.get("id");
            let json: String = row.get("result");
            let result =
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
            let source: Vec<u8> = row.get("source");
            chosen.push(ChosenResult {
                candidate,
                exercise,
                submission: id,
                result,
                source: String::from_utf8_lossy(&source).into_owned(),
            });
        }
        Ok(chosen)
    }

    /// How many times each submission was judged to the end, and how many
    /// submissions are done (for tests of the exactly-once rule).
    pub async fn attempts(&self, id: i64) -> Result<Option<(String, i64)>, StoreError> {
        let row = sqlx::query("SELECT status, attempts FROM submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (r.get("status"), r.get("attempts"))))
    }

    /// Records a fact about the server (`catalog`: the catalog it serves).
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A fact recorded by [`Store::set_meta`].
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get("value")))
    }

    /// Closes the pool (waits for connections to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotas() -> Quotas {
        Quotas {
            in_flight: 2,
            per_exercise_per_hour: 3,
            max_source_bytes: 1 << 20,
        }
    }

    #[tokio::test]
    async fn tokens_are_stored_hashed_and_revocation_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let token = store.invite("ada").await.unwrap();
        assert!(token.starts_with("gvl_") && token.len() == 68);
        assert!(matches!(
            store.invite("ada").await,
            Err(StoreError::Exists(_))
        ));
        let account = store.authenticate(&token).await.unwrap().unwrap();
        assert_eq!((account.name.as_str(), account.revoked), ("ada", false));
        assert!(store.authenticate("gvl_nope").await.unwrap().is_none());
        store.revoke("ada").await.unwrap();
        assert!(store.authenticate(&token).await.unwrap().unwrap().revoked);
        assert!(matches!(
            store.revoke("bob").await,
            Err(StoreError::NoSuchCandidate(_))
        ));
        // The database holds no token.
        let bytes = std::fs::read(dir.path().join("state.sqlite")).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&token[4..]));
        // Reopened: the state is there.
        store.close().await;
        let again = Store::open(dir.path()).await.unwrap();
        assert!(again.authenticate(&token).await.unwrap().unwrap().revoked);
    }

    #[tokio::test]
    async fn quotas_refuse_and_the_queue_judges_each_submission_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let token = store.invite("ada").await.unwrap();
        let id = store.authenticate(&token).await.unwrap().unwrap().id;
        let first = store
            .submit(id, "e", b"print(1)", &quotas())
            .await
            .unwrap()
            .unwrap();
        store
            .submit(id, "e", b"print(2)", &quotas())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.submit(id, "e", b"print(3)", &quotas()).await.unwrap(),
            Err(Refusal::InFlight(2))
        );
        let claimed = store.claim().await.unwrap().unwrap();
        assert_eq!(claimed.id, first.id);
        store.add_test(claimed.id, 0, "{}").await.unwrap();
        // A stop: the running one goes back, without its partial tests.
        assert_eq!(store.requeue_running().await.unwrap(), 1);
        assert!(store.tests_after(first.id, -1).await.unwrap().is_empty());
        let again = store.claim().await.unwrap().unwrap();
        assert_eq!(again.id, first.id);
        assert_eq!(
            store.attempts(first.id).await.unwrap().unwrap(),
            ("running".into(), 2)
        );
    }
}
