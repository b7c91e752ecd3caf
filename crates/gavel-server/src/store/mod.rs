//! The server's state: accounts, submissions and their results, the queue,
//! the workers. Embedded in SQLite (`DIR/state.sqlite`) by default, or in
//! PostgreSQL (`--database postgres://…`), through sqlx's `Any` driver: every
//! statement is portable SQL with `$N` parameters, except where a backend
//! needs its own (how a write transaction begins, how a claim locks), and
//! each backend has its migrations (`migrations/sqlite`, `migrations/postgres`)
//! describing the same tables.
//!
//! The queue's rule for exactly-once judging: a submission is committed
//! `queued` before it is acknowledged; a worker claims it by moving it to
//! `running` under a lease (its id and an expiry it renews while judging);
//! its result and `done` are committed in one statement, only by the worker
//! holding it. A lease that runs out (a worker killed or cut off) puts the
//! submission back within reach of every worker, its partial test rows
//! dropped; the server's own workers' submissions go back at its next start.
//! So each submission ends `done` exactly once.
//!
//! The release rule, which keeps a submission's judging time coarse
//! (docs/confidentiality.md): a result is committed with `finished_at` set
//! to its release time, `submitted_at` plus one of few whole numbers of
//! seconds ([`release_time`]), and until then every candidate-facing read
//! shows the submission `running` without a result. A candidate's next
//! submission is not claimed before the previous one is released, so its
//! start tells nothing finer either.

mod accounts;
mod claims;
mod reports;
mod runs;
mod submissions;

pub use accounts::{Account, CandidateRow};
pub use claims::{Claimed, Kind, Lease, WorkerInfo};
pub use reports::{ChosenResult, QueueStatus, WORKER_SEEN};
pub use runs::{NewRun, RunSpec, StoredRun};
pub use submissions::{Refusal, Visible};

use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Row, Transaction};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Where the state is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite database in this directory (`--state DIR`).
    Dir(PathBuf),
    /// A database server's URL (`--database postgres://…`).
    Url(String),
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Dir(dir) => write!(f, "{}", dir.display()),
            // The password, if any, is not for logs.
            Database::Url(url) => match url.split_once('@') {
                Some((scheme_user, host)) => {
                    let scheme = scheme_user.split("://").next().unwrap_or("");
                    write!(f, "{scheme}://…@{host}")
                }
                None => write!(f, "{url}"),
            },
        }
    }
}

/// Which database engine holds the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL, shared by the server and remote workers.
    Postgres,
}

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
    /// A database URL gavel does not speak.
    #[error(
        "`{0}` is not a database gavel can use: give `--state DIR` (SQLite) or `--database postgres://USER@HOST/DB`"
    )]
    Unsupported(String),
    /// The database server cannot be reached, or refused the connection.
    #[error("cannot connect: {0}")]
    Connect(sqlx::Error),
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

/// Milliseconds since the epoch, by this machine's clock.
fn local_ms() -> i64 {
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

/// When a result judged by `now` is released (ms since the epoch): a whole
/// number of seconds after `submitted_at`, by the confidentiality rules'
/// schedule ([`gavel_judge::disclose::release_after`]).
pub fn release_time(submitted_at: i64, now: i64) -> i64 {
    let elapsed = Duration::from_millis(u64::try_from(now - submitted_at).unwrap_or(0));
    let after = gavel_judge::disclose::release_after(elapsed).as_millis();
    submitted_at.saturating_add(i64::try_from(after).unwrap_or(i64::MAX))
}

/// The server's state. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The URL connected to, for PostgreSQL's notifications.
    url: Arc<str>,
    /// The database's clock minus this machine's, in ms (see [`Store::now`]).
    clock_offset: Arc<std::sync::atomic::AtomicI64>,
    outage: Arc<Outage>,
}

/// PostgreSQL's notification channel for new submissions (workers wake).
const QUEUED: &str = "gavel_queued";
/// PostgreSQL's notification channel for a submission that changed (its id
/// as the payload; the server's live views wake).
const CHANGED: &str = "gavel_changed";

/// What a [`Listener`] heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// A submission was queued.
    Queued,
    /// This submission changed (a test or its result was stored).
    Changed(i64),
}

/// Notifications from other processes sharing a PostgreSQL state: what
/// lets a worker start at once on a new submission, and the server's live
/// views show a remote worker's tests at once. (Polling stays the
/// fallback: a notification is a hint, never the only way to learn.)
pub struct Listener(sqlx::postgres::PgListener);

impl Listener {
    /// The next notification; an error when the connection was lost (the
    /// listener reconnects on the next call, and what was sent meanwhile is
    /// missed, which polling covers).
    pub async fn recv(&mut self) -> Result<Heard, StoreError> {
        loop {
            let notification = self.0.recv().await?;
            match notification.channel() {
                QUEUED => return Ok(Heard::Queued),
                CHANGED => {
                    if let Ok(id) = notification.payload().parse() {
                        return Ok(Heard::Changed(id));
                    }
                }
                _ => {}
            }
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
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

/// The URL of the SQLite state in `dir`, made (private) if missing.
fn sqlite_url(dir: &Path) -> Result<String, StoreError> {
    let dir_error = |source| StoreError::Dir {
        path: dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(dir_error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Sources and tokens' hashes: for the server's user only.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(dir_error)?;
    }
    private_files(dir).map_err(dir_error)?;
    let path = std::path::absolute(dir.join("state.sqlite")).map_err(dir_error)?;
    // Percent-encoded, so any path is a URL path.
    let encoded: String = path
        .to_string_lossy()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    Ok(format!("sqlite://{encoded}?mode=rwc"))
}

impl Store {
    /// Opens (creating if needed) the state, bringing its schema up to date.
    pub async fn open(database: &Database) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = match database {
            Database::Dir(dir) => (sqlite_url(dir)?, Backend::Sqlite),
            Database::Url(url)
                if url.starts_with("postgres://") || url.starts_with("postgresql://") =>
            {
                (url.clone(), Backend::Postgres)
            }
            Database::Url(url) if url.starts_with("sqlite://") => (url.clone(), Backend::Sqlite),
            Database::Url(_) => return Err(StoreError::Unsupported(database.to_string())),
        };
        if backend == Backend::Postgres {
            // One connection first, for its error: the pool would retry
            // until its timeout and then say only that it timed out.
            use sqlx::Connection as _;
            let connection = sqlx::AnyConnection::connect(&url)
                .await
                .map_err(StoreError::Connect)?;
            connection.close().await.map_err(StoreError::Connect)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // What SQLite's own options would set: a journal that
                        // lets `admin` read while the server writes, waiting
                        // for a lock rather than failing, and foreign keys.
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 30000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
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
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        let store = Store {
            pool,
            backend,
            url: url.into(),
            clock_offset: Arc::default(),
            outage: Arc::default(),
        };
        store.sync_clock().await?;
        Ok(store)
    }

    /// Now, in ms since the epoch, by the database's clock: every process
    /// sharing a state (the server, workers on other machines) compares
    /// leases and release times on one clock, whatever their own say.
    pub fn now(&self) -> i64 {
        local_ms() + self.clock_offset.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Measures the database's clock against this machine's again (at open,
    /// and at each heartbeat of a worker). SQLite shares this machine's.
    pub async fn sync_clock(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            let before = local_ms();
            let theirs: i64 = sqlx::query(
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) AS now",
            )
            .fetch_one(&self.pool)
            .await?
            .get("now");
            let after = local_ms();
            // Read half-way through the round trip.
            let offset = theirs - (before + (after - before) / 2);
            self.clock_offset
                .store(offset, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    /// Listens for other processes' notifications; `None` on SQLite (one
    /// machine: the server polls, and wakes its own workers directly).
    pub async fn listen(&self) -> Result<Option<Listener>, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen_all([QUEUED, CHANGED]).await?;
        Ok(Some(Listener(listener)))
    }

    /// Tells other processes that `heard` happened (PostgreSQL only; a hint,
    /// so a failure is only logged).
    async fn notify(&self, heard: Heard) {
        if self.backend != Backend::Postgres {
            return;
        }
        let (channel, payload) = match heard {
            Heard::Queued => (QUEUED, String::new()),
            Heard::Changed(id) => (CHANGED, id.to_string()),
        };
        if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await
        {
            tracing::debug!("cannot notify {channel}: {e}");
        }
    }

    /// Opens the SQLite state in `dir` (see [`Store::open`]).
    pub async fn open_dir(dir: &Path) -> Result<Store, StoreError> {
        Store::open(&Database::Dir(dir.to_owned())).await
    }

    /// Which engine holds the state.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that reads and then writes. SQLite takes the
    /// write lock at once (a deferred one could not upgrade its read once
    /// another connection has written); PostgreSQL locks rows as it goes.
    async fn begin_write(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
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

    /// Records a fact about the server (`catalog`: the catalog it serves;
    /// what workers must judge with).
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
pub(crate) mod tests {
    use super::*;

    /// A store in a fresh directory (SQLite).
    pub(crate) async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).await.unwrap();
        (dir, store)
    }

    #[test]
    fn results_are_released_whole_seconds_after_their_submission() {
        assert_eq!(release_time(1_000, 1_000), 2_000);
        assert_eq!(release_time(1_000, 2_500), 3_000);
        assert_eq!(release_time(1_000, 30_000), 41_000);
    }

    #[test]
    fn a_database_url_shows_no_password() {
        let url = Database::Url("postgres://gavel:secret@db.example:5432/gavel".into());
        assert_eq!(url.to_string(), "postgres://…@db.example:5432/gavel");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_state_is_readable_by_the_servers_user_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let store = Store::open_dir(&state).await.unwrap();
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
