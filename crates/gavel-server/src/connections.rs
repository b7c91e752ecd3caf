//! How the server accepts and keeps connections, so that no client can hold
//! it: a request's head must arrive within a timeout (hyper counts it from
//! the moment a connection opens or its previous response was sent, so it
//! also closes idle kept-alive connections), a body within another (see
//! `api::read_source`), and the number of open connections is capped below
//! the process's file-descriptor limit. At the cap, the connection idle the
//! longest is closed to make room; a client that is waiting for a response
//! is never closed. So a flood of idle or half-sent connections costs the
//! server nothing it needs, and `/health` keeps answering.

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tower::ServiceExt as _;

/// Time a client has to send a request's head: from opening the connection,
/// or from the end of the previous response on a kept-alive one.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Time a client has to send a request's whole body.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The most connections served at once by default (fewer when the
/// file-descriptor limit leaves less room, see [`max_connections_for`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// File descriptors kept for everything but connections: the database and
/// its journal, the listener, logs, the runner image, each run's files and
/// each sandbox worker's pipes.
fn reserved_descriptors(jobs: usize) -> u64 {
    64 + 8 * jobs as u64
}

/// How many connections fit under a file-descriptor limit of `nofile` with
/// `jobs` judging slots, or `None` when none would.
pub fn max_connections_for(nofile: u64, jobs: usize) -> Option<usize> {
    let room = nofile.checked_sub(reserved_descriptors(jobs))?;
    let room = usize::try_from(room).unwrap_or(usize::MAX);
    (room >= 4).then(|| room.min(DEFAULT_MAX_CONNECTIONS))
}

/// Limits on connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time to send a request's head (also an idle connection's lifetime).
    pub header_timeout: Duration,
    /// Time to send a request's body.
    pub body_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// One open connection, as the registry sees it.
#[derive(Debug)]
struct Connection {
    /// Requests whose response is not sent in full yet.
    busy: AtomicUsize,
    /// When it last became idle (or opened).
    idle_since: Mutex<Instant>,
    /// Closes it.
    close: Notify,
}

impl Connection {
    fn idle_since(&self) -> Option<Instant> {
        (self.busy.load(Ordering::Acquire) == 0)
            .then(|| *self.idle_since.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The open connections.
#[derive(Debug, Default)]
struct Registry {
    open: Mutex<HashMap<u64, Arc<Connection>>>,
    next: AtomicU64,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Connection>>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes room for one more connection under `max`: closes the
    /// connection idle the longest when needed. False when every open
    /// connection is busy.
    fn make_room(&self, max: usize) -> bool {
        let mut open = self.lock();
        if open.len() < max {
            return true;
        }
        self.close_oldest_idle(&mut open)
    }

    /// Closes the connection idle the longest, if any. It leaves the count
    /// at once: its task may take a moment to end.
    fn close_oldest_idle(&self, open: &mut HashMap<u64, Arc<Connection>>) -> bool {
        let oldest = open
            .iter()
            .filter_map(|(id, c)| c.idle_since().map(|since| (since, *id)))
            .min_by_key(|(since, _)| *since)
            .map(|(_, id)| id);
        match oldest.and_then(|id| open.remove(&id)) {
            Some(connection) => {
                connection.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// Frees a file descriptor when accepting failed for want of one.
    fn shed(&self) -> bool {
        let mut open = self.lock();
        self.close_oldest_idle(&mut open)
    }

    fn add(&self) -> (u64, Arc<Connection>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let connection = Arc::new(Connection {
            busy: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            close: Notify::new(),
        });
        self.lock().insert(id, connection.clone());
        (id, connection)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }
}

/// Marks a connection busy until dropped: held by a request's response body
/// until it is sent in full (a live view's stream is a busy connection).
struct Busy(Arc<Connection>);

impl Busy {
    fn enter(connection: Arc<Connection>) -> Busy {
        connection.busy.fetch_add(1, Ordering::AcqRel);
        Busy(connection)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        *self.0.idle_since.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its connection marked busy.
struct Guarded {
    inner: Body,
    _busy: Busy,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The answer to a connection over the cap when every open one is busy.
const BUSY_RESPONSE: &str = concat!(
    "HTTP/1.1 503 Service Unavailable\r\n",
    "content-type: application/json\r\n",
    "retry-after: 1\r\n",
    "connection: close\r\n",
    "content-length: 73\r\n\r\n",
    r#"{"error":"busy","message":"too many connections at once; try again soon"}"#,
);

/// Serves `router` on `listener` until `stop` turns true, then gives open
/// connections `grace` to finish their requests.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) {
    let registry = Arc::new(Registry::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let mut accept_failing = false;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                if accept_failing {
                    accept_failing = false;
                    tracing::info!("accepting connections again");
                }
                stream
            }
            Err(e) => {
                // Out of file descriptors, most likely: an idle connection
                // makes way; logged once, and retried without spinning.
                if !accept_failing {
                    accept_failing = true;
                    tracing::error!("cannot accept connections: {e}");
                }
                if !registry.shed() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                continue;
            }
        };
        if !registry.make_room(limits.max_connections) {
            tokio::spawn(refuse(stream));
            continue;
        }
        let (id, connection) = registry.add();
        let service = {
            let connection = connection.clone();
            let router = router.clone();
            hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let busy = Busy::enter(connection.clone());
                let router = router.clone();
                async move {
                    let response = router.oneshot(request.map(Body::new)).await?;
                    Ok::<_, Infallible>(
                        response.map(|inner| Body::new(Guarded { inner, _busy: busy })),
                    )
                }
            })
        };
        let served = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        let registry = registry.clone();
        tokio::spawn(async move {
            tokio::select! {
                result = served => {
                    if let Err(e) = result {
                        tracing::debug!("connection ended: {e}");
                    }
                }
                () = connection.close.notified() => {
                    tracing::debug!("closed an idle connection to make room");
                }
            }
            registry.remove(id);
        });
    }
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::debug!("connections still open after the grace period are dropped");
    }
}

/// Answers a connection the server has no room for, and closes it.
async fn refuse(mut stream: TcpStream) {
    let write = async {
        stream.write_all(BUSY_RESPONSE.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_response_is_well_formed() {
        let (head, body) = BUSY_RESPONSE.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"], "busy");
    }

    #[test]
    fn connections_fit_under_the_descriptor_limit() {
        assert_eq!(max_connections_for(96, 2), Some(16));
        assert_eq!(
            max_connections_for(1 << 20, 2),
            Some(DEFAULT_MAX_CONNECTIONS)
        );
        assert_eq!(max_connections_for(64, 2), None);
    }

    #[test]
    fn room_is_made_by_closing_the_longest_idle_connection() {
        let registry = Registry::default();
        let (_, first) = registry.add();
        std::thread::sleep(Duration::from_millis(2));
        let (_, second) = registry.add();
        std::thread::sleep(Duration::from_millis(2));
        let (_, third) = registry.add();
        let busy = Busy::enter(first.clone());
        // The cap reached: the idle one open longest goes, never the busy
        // one, and leaves the count at once.
        assert!(registry.make_room(3));
        let closed = second.close.notified();
        let mut closed = std::pin::pin!(closed);
        assert!(
            closed.as_mut().enable(),
            "the idle connection was asked to close"
        );
        assert_eq!(registry.lock().len(), 2);
        assert!(registry.make_room(3), "room without closing another");
        let (_, fourth) = registry.add();
        assert!(registry.make_room(3));
        let closed = third.close.notified();
        let mut closed = std::pin::pin!(closed);
        assert!(closed.as_mut().enable());
        // Every connection busy: no room.
        let _also = Busy::enter(fourth.clone());
        assert!(!registry.make_room(2));
        drop(busy);
        assert!(registry.make_room(2));
    }
}
