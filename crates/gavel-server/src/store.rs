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
//!
//! The release rule, which keeps a submission's judging time coarse
//! (docs/confidentiality.md): a result is committed with `finished_at` set
//! to its release time, `submitted_at` plus one of few whole numbers of
//! seconds ([`release_time`]), and
//! until then every candidate-facing read shows the submission `running`
//! without a result. A candidate's next submission is not claimed before the
//! previous one is released, so its start tells nothing finer either.

use futures_util::TryStreamExt;
use gavel_api::shapes::{Quotas, SubmissionInfo, SubmissionStatus};
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
    /// The database's storage is full: writes fail until space is freed.
    #[error("the state database's storage is full: {0}")]
    Full(sqlx::Error),
    /// The database failed.
    #[error("the state database failed: {0}")]
    Db(sqlx::Error),
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

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        if storage_full(&e) {
            StoreError::Full(e)
        } else {
            StoreError::Db(e)
        }
    }
}

/// Whether `e` says the disk (or the database's quota) is full: SQLite's
/// `SQLITE_FULL`, PostgreSQL's `disk_full`, or `ENOSPC` from the OS.
fn storage_full(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("13" | "53100")),
        sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
        _ => false,
    }
}

impl StoreError {
    /// Whether the state cannot be written because its storage is full (the
    /// server answers 503 and retries; nothing is lost).
    pub fn is_full(&self) -> bool {
        matches!(self, StoreError::Full(_))
    }
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
    /// When it was received (ms since the epoch): its release time counts
    /// from here.
    pub submitted_at: i64,
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
    outage: std::sync::Arc<Outage>,
}

/// Whether writes to the state are failing: an outage (a full disk) is
/// logged once when it starts and once when it ends, not at every attempt.
#[derive(Debug, Default)]
struct Outage {
    since: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Outage {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<std::time::Instant>> {
        self.since.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn failed(&self, e: &StoreError) {
        let mut since = self.lock();
        if since.is_none() {
            *since = Some(std::time::Instant::now());
            tracing::error!(
                "cannot write the server's state: {e}; new submissions are refused (503) and \
                 judged results wait until it is writable"
            );
        }
    }

    fn succeeded(&self) {
        if let Some(since) = self.lock().take() {
            tracing::info!(after = ?since.elapsed(), "the server's state can be written again");
        }
    }
}

/// The columns [`info`] reads (a macro, so queries stay static strings).
macro_rules! submission_columns {
    () => {
        "id, exercise, status, submitted_at, finished_at, verdict, points, max_points"
    };
}

/// When a result judged by `now` is released (ms since the epoch): a whole
/// number of seconds after `submitted_at`, by the confidentiality rules'
/// schedule ([`gavel_judge::disclose::release_after`]).
pub fn release_time(submitted_at: i64, now: i64) -> i64 {
    let elapsed = Duration::from_millis(u64::try_from(now - submitted_at).unwrap_or(0));
    let after = gavel_judge::disclose::release_after(elapsed).as_millis();
    submitted_at.saturating_add(i64::try_from(after).unwrap_or(i64::MAX))
}

/// Whether a row's result may be shown at `now`: judged and released.
fn released(row: &sqlx::sqlite::SqliteRow, now: i64) -> bool {
    let status: String = row.get("status");
    let finished: Option<i64> = row.get("finished_at");
    status == "done" && finished.is_some_and(|f| f <= now)
}

/// A submission as its candidate may see it at `now`: one judged but not
/// yet released is still `running`, without a verdict.
fn info(row: &sqlx::sqlite::SqliteRow, now: i64) -> SubmissionInfo {
    let status: String = row.get("status");
    let status = SubmissionStatus::from_name(&status).unwrap_or(SubmissionStatus::Queued);
    if status == SubmissionStatus::Done && !released(row, now) {
        return SubmissionInfo {
            id: row.get("id"),
            exercise: row.get("exercise"),
            status: SubmissionStatus::Running,
            submitted_at: rfc3339(row.get("submitted_at")),
            finished_at: None,
            verdict: None,
            points: None,
            max_points: None,
        };
    }
    let verdict: Option<String> = row.get("verdict");
    SubmissionInfo {
        id: row.get("id"),
        exercise: row.get("exercise"),
        status,
        submitted_at: rfc3339(row.get("submitted_at")),
        finished_at: row.get::<Option<i64>, _>("finished_at").map(rfc3339),
        verdict: verdict.as_deref().and_then(Verdict::from_code),
        points: row.get("points"),
        max_points: row
            .get::<Option<i64>, _>("max_points")
            .and_then(|m| u32::try_from(m).ok()),
    }
}

/// A submission as its candidate may see it, with what the live view needs.
#[derive(Debug, Clone)]
pub struct Visible {
    /// The submission.
    pub info: SubmissionInfo,
    /// Its result, once released.
    pub result: Option<SubmissionResult>,
    /// When a judged submission is released (ms since the epoch), while it
    /// is not yet.
    pub release_at: Option<i64>,
}

/// Creates the database file readable by the server's user only (SQLite
/// gives its `-wal` and `-shm` files the database's mode), and tightens
/// the files of an older state.
fn private_files(dir: &Path) -> std::io::Result<()> {
    let db = dir.join("state.sqlite");
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&db)?;
        for suffix in ["", "-wal", "-shm"] {
            let path = dir.join(format!("state.sqlite{suffix}"));
            match std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    #[cfg(not(unix))]
    let _ = db;
    Ok(())
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
        private_files(dir).map_err(dir_error)?;
        let options = SqliteConnectOptions::new()
            .filename(dir.join("state.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A write that failed half-way (a full disk fails a COMMIT, and
            // SQLite may have rolled back already) can leave a connection
            // that believes it is still in a transaction; such a connection
            // is closed rather than handed out again.
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    use sqlx::Connection as _;
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            outage: std::sync::Arc::default(),
        })
    }

    /// Notes how a write went, for the outage log.
    fn track<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match &result {
            Ok(_) => self.outage.succeeded(),
            Err(e @ (StoreError::Full(_) | StoreError::Db(_))) => self.outage.failed(e),
            Err(_) => {}
        }
        result
    }

    /// Invites `name`: returns their token, which is stored only hashed.
    pub async fn invite(&self, name: &str) -> Result<String, StoreError> {
        let result = async {
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
        .await;
        self.track(result)
    }

    /// Revokes `name`'s token.
    pub async fn revoke(&self, name: &str) -> Result<(), StoreError> {
        let result = async {
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
        .await;
        self.track(result)
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
        let result = async {
            let now = now_ms();
            let mut tx = self.pool.begin_with(WRITE_TRANSACTION).await?;
            // A judged submission holds its slot until it is released: freeing it
            // earlier would tell, through a refusal, when judging ended.
            let in_flight: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM submissions WHERE candidate_id = $1 \
                 AND (status <> 'done' OR finished_at > $2)",
            )
            .bind(candidate)
            .bind(now)
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
            Ok(Ok(info(&row, now)))
        }
        .await;
        self.track(result)
    }

    /// A candidate's submission as they may see it now: its result once
    /// released.
    pub async fn submission(&self, candidate: i64, id: i64) -> Result<Option<Visible>, StoreError> {
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
        let now = now_ms();
        let info = info(&row, now);
        let judged = row.get::<String, _>("status") == "done";
        let (result, release_at) = if released(&row, now) {
            let json: Option<String> = row.get("result");
            let result = match json {
                Some(json) => Some(
                    serde_json::from_str(&json)
                        .map_err(|e| StoreError::Corrupt(id, e.to_string()))?,
                ),
                None => None,
            };
            (result, None)
        } else if judged {
            (None, row.get::<Option<i64>, _>("finished_at"))
        } else {
            (None, None)
        };
        Ok(Some(Visible {
            info,
            result,
            release_at,
        }))
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
        let now = now_ms();
        Ok(rows.iter().map(|row| info(row, now)).collect())
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
        let result = async {
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
        .await;
        match result {
            Ok(0) => Ok(0),
            result => self.track(result),
        }
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

    /// Claims the oldest queued submission whose candidate has none being
    /// judged or waiting for its release, if any. The claim is committed
    /// before it is returned: a claim that could not be written is not one.
    pub async fn claim(&self) -> Result<Option<Claimed>, StoreError> {
        let result = async {
            let now = now_ms();
            let mut tx = self.pool.begin_with(WRITE_TRANSACTION).await?;
            let row = sqlx::query(
                "UPDATE submissions SET status = 'running', attempts = attempts + 1, started_at = $1 \
                 WHERE id = (SELECT s.id FROM submissions s WHERE s.status = 'queued' \
                     AND NOT EXISTS (SELECT 1 FROM submissions o \
                         WHERE o.candidate_id = s.candidate_id \
                           AND (o.status = 'running' OR (o.status = 'done' AND o.finished_at > $1))) \
                     ORDER BY s.id LIMIT 1) \
                   AND status = 'queued' \
                 RETURNING id, submitted_at, exercise, source",
            )
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(row.map(|row| Claimed {
                id: row.get("id"),
                submitted_at: row.get("submitted_at"),
                exercise: row.get("exercise"),
                source: row.get("source"),
            }))
        }
        .await;
        // Claiming nothing writes nothing: no sign the state is writable.
        match result {
            Ok(None) => Ok(None),
            result => self.track(result),
        }
    }

    /// Records a test of a running submission.
    pub async fn add_test(&self, id: i64, position: i64, result: &str) -> Result<(), StoreError> {
        let result = async {
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
        .await;
        self.track(result)
    }

    /// Commits a running submission's result, to be released at
    /// `release_at` (see [`release_time`]). Returns false if it was not
    /// running (nothing is written).
    pub async fn finish(
        &self,
        id: i64,
        result: &SubmissionResult,
        release_at: i64,
    ) -> Result<bool, StoreError> {
        let result = async {
            let json =
                serde_json::to_string(result).map_err(|e| StoreError::Corrupt(id, e.to_string()))?;
            let updated = sqlx::query(
                "UPDATE submissions SET status = 'done', finished_at = $1, verdict = $2, points = $3, \
                   max_points = $4, result = $5 \
                 WHERE id = $6 AND status = 'running'",
            )
            .bind(release_at)
            .bind(result.verdict.code())
            .bind(result.points)
            .bind(i64::from(result.max_points))
            .bind(json)
            .bind(id)
            .execute(&self.pool)
            .await?;
            Ok(updated.rows_affected() == 1)
        }
        .await;
        self.track(result)
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
        let result = async {
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
        .await;
        self.track(result)
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
        }
    }

    #[tokio::test]
    async fn a_candidates_next_submission_waits_for_the_previous_ones_release() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let quotas = Quotas {
            in_flight: 2,
            ..quotas()
        };
        let mut ids = Vec::new();
        for name in ["ada", "bob"] {
            let token = store.invite(name).await.unwrap();
            ids.push(store.authenticate(&token).await.unwrap().unwrap().id);
        }
        let (ada, bob) = (ids[0], ids[1]);
        let first = store
            .submit(ada, "e", b"1", &quotas)
            .await
            .unwrap()
            .unwrap();
        let second = store
            .submit(ada, "e", b"2", &quotas)
            .await
            .unwrap()
            .unwrap();
        let bobs = store
            .submit(bob, "e", b"3", &quotas)
            .await
            .unwrap()
            .unwrap();
        // One of Ada's at a time: Bob's comes before her second.
        assert_eq!(store.claim().await.unwrap().unwrap().id, first.id);
        assert_eq!(store.claim().await.unwrap().unwrap().id, bobs.id);
        assert!(store.claim().await.unwrap().is_none());
        // Judged, not released: still running to Ada, without a verdict,
        // holding its slot, and her next one waits.
        let release_at = now_ms() + 60_000;
        assert!(store.finish(first.id, &result(), release_at).await.unwrap());
        let seen = store.submission(ada, first.id).await.unwrap().unwrap();
        assert_eq!(
            (seen.info.status, seen.info.verdict, seen.result.is_none()),
            (SubmissionStatus::Running, None, true)
        );
        assert_eq!(seen.release_at, Some(release_at));
        assert_eq!(
            store.submit(ada, "e", b"4", &quotas).await.unwrap(),
            Err(Refusal::InFlight(2))
        );
        assert!(store.claim().await.unwrap().is_none());
        // Released: done, with its result; the next one is claimed.
        sqlx::query("UPDATE submissions SET finished_at = $1 WHERE id = $2")
            .bind(now_ms() - 1)
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
        assert_eq!(store.claim().await.unwrap().unwrap().id, second.id);
    }

    #[test]
    fn results_are_released_whole_seconds_after_their_submission() {
        assert_eq!(release_time(1_000, 1_000), 2_000);
        assert_eq!(release_time(1_000, 2_500), 3_000);
        assert_eq!(release_time(1_000, 30_000), 41_000);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_state_is_readable_by_the_servers_user_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let store = Store::open(&state).await.unwrap();
        store.invite("ada").await.unwrap();
        for file in ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"] {
            let mode = std::fs::metadata(state.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
        }
    }
}
