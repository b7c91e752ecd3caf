//! stdout and stderr of a run, captured in memory under one shared cap.

use bytes::Bytes;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi_io::async_trait;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{OutputStream, StreamError};

#[derive(Debug, Default)]
struct Buffers {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    overflowed: bool,
}

/// The two output streams of one run. Both count against a single budget; the
/// first write that would pass it keeps what fits, marks the overflow and traps
/// the guest, so host memory stays bounded and the run ends at once.
#[derive(Debug, Clone)]
pub(crate) struct CapturedOutput {
    cap: usize,
    buffers: Arc<Mutex<Buffers>>,
}

/// What a run wrote.
pub(crate) struct Captured {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub overflowed: bool,
}

impl CapturedOutput {
    pub(crate) fn new(cap: u64) -> Self {
        CapturedOutput {
            cap: usize::try_from(cap).unwrap_or(usize::MAX),
            buffers: Arc::default(),
        }
    }

    pub(crate) fn stdout(&self) -> Capped<Stream> {
        Capped(Stream {
            output: self.clone(),
            is_stderr: false,
        })
    }

    pub(crate) fn stderr(&self) -> Capped<Stream> {
        Capped(Stream {
            output: self.clone(),
            is_stderr: true,
        })
    }

    pub(crate) fn take(&self) -> Captured {
        let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        let taken = std::mem::take(&mut *buffers);
        Captured {
            stdout: taken.stdout,
            stderr: taken.stderr,
            overflowed: taken.overflowed,
        }
    }

    fn remaining(&self) -> usize {
        let buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        self.cap
            .saturating_sub(buffers.stdout.len() + buffers.stderr.len())
    }

    /// Appends what fits; returns false when the budget ran out.
    fn append(&self, is_stderr: bool, data: &[u8]) -> bool {
        let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        let used = buffers.stdout.len() + buffers.stderr.len();
        let room = self.cap.saturating_sub(used);
        let fits = data.len().min(room);
        let target = if is_stderr {
            &mut buffers.stderr
        } else {
            &mut buffers.stdout
        };
        target.extend_from_slice(&data[..fits]);
        if fits < data.len() {
            buffers.overflowed = true;
            return false;
        }
        true
    }
}

/// Where a capped output stream's bytes go: a run's captured stdout or
/// stderr, or one side of an interaction's pipes.
pub(crate) trait Sink: std::fmt::Debug + Clone + Send + Sync + 'static {
    /// Takes what fits; false when the cap is passed, which traps the guest
    /// (so host memory stays bounded and the run ends at once).
    fn append(&self, data: &[u8]) -> bool;

    /// How much a write may offer (WASI's `check-write`).
    fn offer(&self) -> usize;
}

/// A WASI output stream (both the 0.2 stream and the async writer) over a
/// [`Sink`]. It never blocks and is never a terminal.
#[derive(Debug, Clone)]
pub(crate) struct Capped<S>(pub(crate) S);

const OVERFLOW: &str = "output limit exceeded";

#[async_trait]
impl<S: Sink> Pollable for Capped<S> {
    async fn ready(&mut self) {}
}

impl<S: Sink> OutputStream for Capped<S> {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        if self.0.append(&bytes) {
            Ok(())
        } else {
            Err(StreamError::trap(OVERFLOW))
        }
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(self.0.offer())
    }
}

impl<S: Sink> tokio::io::AsyncWrite for Capped<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.0.append(buf) {
            Poll::Ready(Ok(buf.len()))
        } else {
            Poll::Ready(Err(io::Error::other(OVERFLOW)))
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl<S: Sink> IsTerminal for Capped<S> {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl<S: Sink> StdoutStream for Capped<S> {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

/// One of the two streams of a run.
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    output: CapturedOutput,
    is_stderr: bool,
}

impl Sink for Stream {
    fn append(&self, data: &[u8]) -> bool {
        self.output.append(self.is_stderr, data)
    }

    fn offer(&self) -> usize {
        // Offer the whole remaining budget and one byte more. A smaller offer
        // makes the guest's C library do short writes, and CPython drops what a
        // short write left over without an error; this way a write that passes
        // the cap reaches `write` and is detected there.
        self.output.remaining().saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_streams_share_one_budget_and_keep_what_fits() {
        let output = CapturedOutput::new(10);
        let mut out = output.stdout();
        let mut err = output.stderr();
        assert!(out.write(Bytes::from_static(b"hello")).is_ok());
        assert!(err.write(Bytes::from_static(b"oops")).is_ok());
        assert!(out.write(Bytes::from_static(b"world")).is_err());
        let captured = output.take();
        assert_eq!(captured.stdout, b"hellow");
        assert_eq!(captured.stderr, b"oops");
        assert!(captured.overflowed);
    }
}
