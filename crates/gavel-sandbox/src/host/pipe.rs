//! The pipes between a program and an interactor: each one's stdout is the
//! other's stdin. A deadlock (both waiting to read, nothing in either pipe) is
//! seen the moment the second side starts waiting.

use super::output::{Capped, Sink};
use crate::job::{Message, Side};
use bytes::{Bytes, BytesMut};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::sync::Notify;
use wasmtime_wasi::cli::{IsTerminal, StdinStream};
use wasmtime_wasi_io::async_trait;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{InputStream, StreamError};

/// Where a side's pipe and counters are in [`State`]'s arrays.
fn index(side: Side) -> usize {
    match side {
        Side::Program => 0,
        Side::Interactor => 1,
    }
}

/// The pipe into one side.
#[derive(Debug, Default)]
struct Inbox {
    data: BytesMut,
    /// The sender has finished: once drained, reads see the end.
    closed: bool,
    /// The receiver has finished: what is sent now is dropped.
    gone: bool,
    /// The receiver is waiting for data.
    waiting: bool,
}

#[derive(Debug, Default)]
struct State {
    inboxes: [Inbox; 2],
    deadlock: bool,
    sent: [u64; 2],
    overflowed: [bool; 2],
    transcript: Vec<Message>,
    transcript_bytes: usize,
    first_to_end: Option<Side>,
}

/// Bytes of transcript kept; past this the rest is dropped (and said so).
const TRANSCRIPT_CAP: usize = 64 << 10;

/// The two pipes of one interaction.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
    /// Bytes each side may send, as its output limit.
    caps: [u64; 2],
}

impl Link {
    pub(crate) fn new(program_cap: u64, interactor_cap: u64) -> Link {
        Link {
            state: Arc::default(),
            changed: Arc::new(Notify::new()),
            caps: [program_cap, interactor_cap],
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stdin of `side`.
    pub(crate) fn reader(&self, side: Side) -> Reader {
        Reader {
            link: self.clone(),
            side,
        }
    }

    /// The stdout of `side`.
    pub(crate) fn writer(&self, side: Side) -> Capped<Writer> {
        Capped(Writer {
            link: self.clone(),
            side,
        })
    }

    /// `side` has ended: what it sent can be read to the end, and what is
    /// sent to it is dropped.
    pub(crate) fn finish(&self, side: Side) {
        let mut state = self.lock();
        state.first_to_end.get_or_insert(side);
        state.inboxes[index(side.other())].closed = true;
        let inbox = &mut state.inboxes[index(side)];
        inbox.gone = true;
        inbox.waiting = false;
        drop(state);
        self.changed.notify_waiters();
    }

    /// Resolves once both sides wait for each other.
    pub(crate) async fn deadlock(&self) {
        loop {
            let changed = self.changed.notified();
            if self.lock().deadlock {
                return;
            }
            changed.await;
        }
    }

    /// The side that ended first, if one has.
    pub(crate) fn first_to_end(&self) -> Option<Side> {
        self.lock().first_to_end
    }

    /// Whether `side` sent more than its output limit.
    pub(crate) fn overflowed(&self, side: Side) -> bool {
        self.lock().overflowed[index(side)]
    }

    /// What `side` sent, in order (clipped).
    pub(crate) fn sent_by(&self, side: Side) -> Vec<u8> {
        self.lock()
            .transcript
            .iter()
            .filter(|m| m.from == side)
            .flat_map(|m| m.text.bytes())
            .collect()
    }

    /// The exchange, in order (clipped).
    pub(crate) fn transcript(&self) -> Vec<Message> {
        self.lock().transcript.clone()
    }

    fn send(&self, side: Side, bytes: &[u8]) -> bool {
        let mut state = self.lock();
        state.sent[index(side)] += bytes.len() as u64;
        if state.sent[index(side)] > self.caps[index(side)] {
            state.overflowed[index(side)] = true;
            return false;
        }
        let room = TRANSCRIPT_CAP.saturating_sub(state.transcript_bytes);
        if room > 0 {
            let kept = &bytes[..bytes.len().min(room)];
            state.transcript_bytes += kept.len();
            let text = String::from_utf8_lossy(kept).into_owned();
            match state.transcript.last_mut() {
                Some(last) if last.from == side => last.text.push_str(&text),
                _ => state.transcript.push(Message { from: side, text }),
            }
            if kept.len() < bytes.len() {
                state.transcript.push(Message {
                    from: side,
                    text: "… [transcript cut]".to_owned(),
                });
            }
        }
        let inbox = &mut state.inboxes[index(side.other())];
        if !inbox.gone {
            inbox.data.extend_from_slice(bytes);
        }
        drop(state);
        self.changed.notify_waiters();
        true
    }

    /// Whether `side` can read now (data, or the end); if not, marks it
    /// waiting, and notes a deadlock when the other side waits too.
    fn readable(&self, side: Side) -> bool {
        let mut state = self.lock();
        let inbox = &state.inboxes[index(side)];
        if !inbox.data.is_empty() || inbox.closed || state.deadlock {
            state.inboxes[index(side)].waiting = false;
            return true;
        }
        state.inboxes[index(side)].waiting = true;
        let other = &state.inboxes[index(side.other())];
        if other.waiting && other.data.is_empty() && !other.closed {
            state.deadlock = true;
            drop(state);
            self.changed.notify_waiters();
        }
        false
    }
}

/// One side's stdin.
#[derive(Debug, Clone)]
pub(crate) struct Reader {
    link: Link,
    side: Side,
}

#[async_trait]
impl Pollable for Reader {
    async fn ready(&mut self) {
        loop {
            let changed = self.link.changed.notified();
            if self.link.readable(self.side) {
                return;
            }
            changed.await;
        }
    }
}

impl InputStream for Reader {
    fn read(&mut self, size: usize) -> Result<Bytes, StreamError> {
        let mut state = self.link.lock();
        let inbox = &mut state.inboxes[index(self.side)];
        if inbox.data.is_empty() {
            return if inbox.closed {
                Err(StreamError::Closed)
            } else {
                Ok(Bytes::new())
            };
        }
        let n = size.min(inbox.data.len());
        Ok(inbox.data.split_to(n).freeze())
    }
}

impl tokio::io::AsyncRead for Reader {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Only the WASI 0.2 stream is used by the runner image.
        Poll::Ready(Err(io::Error::other("not supported")))
    }
}

impl IsTerminal for Reader {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdinStream for Reader {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncRead + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn InputStream> {
        Box::new(self.clone())
    }
}

/// One side's stdout.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    link: Link,
    side: Side,
}

impl Sink for Writer {
    fn append(&self, data: &[u8]) -> bool {
        self.link.send(self.side, data)
    }

    fn offer(&self) -> usize {
        usize::MAX / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime_wasi_io::streams::OutputStream;

    #[tokio::test]
    async fn a_message_crosses_and_the_end_is_seen_once_drained() {
        let link = Link::new(100, 100);
        let mut to_interactor = link.writer(Side::Program);
        let mut interactor_in = link.reader(Side::Interactor);
        to_interactor.write(Bytes::from_static(b"5\n")).unwrap();
        interactor_in.ready().await;
        assert_eq!(interactor_in.read(10).unwrap(), "5\n");
        link.finish(Side::Program);
        interactor_in.ready().await;
        assert!(matches!(interactor_in.read(10), Err(StreamError::Closed)));
        assert_eq!(link.transcript()[0].text, "5\n");
    }

    #[tokio::test]
    async fn both_sides_waiting_is_a_deadlock_at_once() {
        let link = Link::new(100, 100);
        assert!(!link.readable(Side::Program));
        assert!(!link.readable(Side::Interactor));
        tokio::time::timeout(std::time::Duration::from_secs(1), link.deadlock())
            .await
            .expect("the deadlock is seen");
    }

    #[test]
    fn sending_past_the_limit_overflows_and_late_output_is_dropped() {
        let link = Link::new(4, 100);
        let mut program_out = link.writer(Side::Program);
        link.finish(Side::Interactor);
        assert!(program_out.write(Bytes::from_static(b"1234")).is_ok());
        assert!(link.lock().inboxes[index(Side::Interactor)].data.is_empty());
        assert!(program_out.write(Bytes::from_static(b"5")).is_err());
        assert!(link.overflowed(Side::Program));
    }
}
