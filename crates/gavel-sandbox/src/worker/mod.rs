//! Runs in worker processes, one run at a time each.
//!
//! A run writes to a few hundred pages of the interpreter's snapshot, each a
//! copy-on-write fault. In a process whose threads run wasm on several cores
//! at once, every such fault also flushes the other cores' TLBs by
//! inter-processor interrupt; in a virtual machine each of those is a VM exit.
//! Measured on two cores, two runs at a time in one process cost 66% more CPU
//! than one. A worker process is single-threaded while it runs a program, so
//! its faults flush nothing elsewhere; and a worker that crashes takes only its
//! own run with it.
//!
//! gavel starts workers from its own executable (`pool`), sends each what to
//! load and then one request at a time, and reads back one reply per request
//! (`wire`). A worker loads the image into its own host; gavel, which only
//! starts them, never does. A reply that is a failure of the judge carries
//! it typed, so a caller sees the same [`SandboxError`] either way.

mod pool;
mod wire;

pub use pool::WorkerCommand;
pub(crate) use pool::Workers;

use crate::error::{Failure, SandboxError};
use crate::host::Host;
use std::io::Write;
use wire::{Answer, Init, Reply, Request, decode, encode, read_frame};

/// A worker's main loop: loads the image named by the first message, then
/// answers each request it receives on stdin on stdout, until stdin closes.
/// A worker that cannot load the image answers every request with why.
pub fn serve() -> Result<(), SandboxError> {
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    let Some(init) = read_frame(&mut input).map_err(SandboxError::WorkerPipe)? else {
        return Ok(());
    };
    let ready = start(&init);
    while let Some(frame) = read_frame(&mut input).map_err(SandboxError::WorkerPipe)? {
        let reply = reply(&ready, &frame);
        // A reply too large to frame is still answered: with that failure.
        let frame = encode(&reply).or_else(|e| encode(&Reply::Err(Failure::WorkerProtocol(e))))?;
        output.write_all(&frame).map_err(SandboxError::WorkerPipe)?;
        output.flush().map_err(SandboxError::WorkerPipe)?;
    }
    Ok(())
}

/// The host for the image `init` names, one run at a time, and the runtime
/// that drives it.
fn start(init: &[u8]) -> Result<(Host, tokio::runtime::Runtime), SandboxError> {
    let (cache, image) = decode::<Init>(init)?.open()?;
    let host = Host::load(&cache, &image, 1, &mut |_| {})?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| SandboxError::WorkerStart {
            program: std::env::current_exe().unwrap_or_default(),
            source,
        })?;
    Ok((host, runtime))
}

/// The reply to the request in `frame`: its answer, or why it has none.
fn reply(ready: &Result<(Host, tokio::runtime::Runtime), SandboxError>, frame: &[u8]) -> Reply {
    match ready {
        Ok((host, runtime)) => answer(host, runtime, frame),
        Err(e) => Err(Failure::from(e)),
    }
}

fn answer(host: &Host, runtime: &tokio::runtime::Runtime, frame: &[u8]) -> Reply {
    let request: Request = decode(frame).map_err(Failure::WorkerProtocol)?;
    let answered = match request {
        Request::Run(job) => runtime
            .block_on(host.run(&job))
            .map(|report| Answer::Run(report.into())),
        Request::Interact(program, interactor) => runtime
            .block_on(host.interact(&program, &interactor))
            .map(Answer::from),
        Request::Modules => runtime
            .block_on(host.preloaded_modules())
            .map(Answer::Modules),
    };
    answered.map_err(|e| Failure::from(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ProtocolError;
    use crate::image::{Image, ImageError, Origin};
    use gavel_core::Cache;

    /// A worker that cannot load its image answers each request with why,
    /// typed, rather than dying: gavel then reports what went wrong, not a
    /// broken pipe.
    #[test]
    fn a_worker_that_cannot_load_its_image_knows_why() {
        assert!(matches!(
            start(b"\xff\xff\xff"),
            Err(SandboxError::WorkerProtocol(ProtocolError::Decode(_)))
        ));
        let dir = tempfile::tempdir().unwrap();
        let image = Image {
            name: "gone".to_owned(),
            python_version: String::new(),
            path: dir.path().join("gone.wasm"),
            sha256: "00".repeat(32),
            size: 0,
            source_key: String::new(),
            origin: Origin::File,
        };
        let init = encode(&Init::new(&Cache::at(dir.path()), &image)).unwrap();
        let ready = start(&init[4..]);
        let Err(error) = &ready else {
            panic!("an image that is not there loaded")
        };
        assert!(
            matches!(error, SandboxError::Image(ImageError::Io { path, .. }) if *path == image.path),
            "{error}"
        );
        let request = encode(&Request::Modules).unwrap();
        let Err(failure) = reply(&ready, &request[4..]) else {
            panic!("a worker without an image answered")
        };
        assert_eq!(SandboxError::from(failure).to_string(), error.to_string());
    }
}
