//! The judge's own failures ([`SandboxError`]), and [`Failure`], the same
//! failure as data: a worker process sends it back instead of text, so a
//! caller sees the same variant whether a job ran in this process or in a
//! worker.

use crate::image::ImageError;
use gavel_core::cache::CacheError;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;
use thiserror::Error;

/// A failure of the judge itself (never of the program being judged).
#[derive(Debug, Error)]
pub enum SandboxError {
    /// The runner image is missing or unusable.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// wasmtime could not be set up, or rejected the image.
    #[error("{context}: {message}")]
    Wasmtime {
        /// What was being done.
        context: Cow<'static, str>,
        /// wasmtime's error, with its causes.
        message: String,
    },
    /// A run's working directory could not be prepared.
    #[error("cannot prepare the files of a run in `{}`: {source}", path.display())]
    Files {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file name of a job would leave its directory.
    #[error("invalid file name for a run: `{0}`")]
    FileName(String),
    /// A run made no progress for far longer than its limits allow.
    #[error(
        "a run did not finish within {0:?} of real time; the judge is stuck or the machine overloaded"
    )]
    Watchdog(Duration),
    /// A worker process could not be started.
    #[error("cannot start a worker process `{}`: {source}", program.display())]
    WorkerStart {
        /// The worker's executable.
        program: PathBuf,
        /// Why it could not be started.
        source: std::io::Error,
    },
    /// The pipe between gavel and a worker process broke: the worker died
    /// (it takes only its own run with it), or, seen from the worker, gavel did.
    #[error("a worker process failed: {0}")]
    WorkerPipe(#[source] std::io::Error),
    /// gavel and a worker process did not understand each other.
    #[error("a worker process failed: {0}")]
    WorkerProtocol(#[from] ProtocolError),
}

/// How a message between gavel and a worker process went wrong: a bug, or
/// the two from different builds (the protocol is private to one build).
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum ProtocolError {
    /// A message could not be encoded.
    #[error("cannot encode a message: {0}")]
    Encode(String),
    /// A message that arrived could not be decoded.
    #[error("cannot decode a message: {0}")]
    Decode(String),
    /// A worker answered another request than the one it was sent.
    #[error("a worker answered another request than the one it was sent")]
    Mismatch,
}

/// A [`SandboxError`] as it crosses from a worker process to gavel, variant
/// for variant. What cannot cross as it is (an I/O error) crosses as
/// [`IoFailure`]; every other field as it is.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Failure {
    Image(ImageFailure),
    Wasmtime { context: String, message: String },
    Files { path: PathBuf, source: IoFailure },
    FileName(String),
    Watchdog(Duration),
    WorkerStart { program: PathBuf, source: IoFailure },
    WorkerPipe(IoFailure),
    WorkerProtocol(ProtocolError),
}

/// [`ImageError`] (and the [`CacheError`] inside it) for the wire.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum ImageFailure {
    NoCacheDirectory,
    CacheIo {
        path: PathBuf,
        source: IoFailure,
    },
    Io {
        path: PathBuf,
        source: IoFailure,
    },
    PythonMissing {
        program: String,
        source: IoFailure,
    },
    ToolInstall {
        tool: String,
        status: String,
        output: String,
    },
    Build {
        name: String,
        status: String,
        output: String,
    },
    Download {
        package: String,
        status: String,
        output: String,
        wheel: String,
        sha256: String,
    },
    Invalid {
        path: PathBuf,
        reason: String,
    },
}

/// An I/O error for the wire: an error of the operating system comes back
/// as itself (same kind, same message); any other as its message.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct IoFailure {
    os_code: Option<i32>,
    message: String,
}

impl From<&std::io::Error> for IoFailure {
    fn from(error: &std::io::Error) -> Self {
        IoFailure {
            os_code: error.raw_os_error(),
            message: error.to_string(),
        }
    }
}

impl From<IoFailure> for std::io::Error {
    fn from(failure: IoFailure) -> Self {
        match failure.os_code {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::other(failure.message),
        }
    }
}

impl From<&SandboxError> for Failure {
    fn from(error: &SandboxError) -> Self {
        match error {
            SandboxError::Image(e) => Failure::Image(e.into()),
            SandboxError::Wasmtime { context, message } => Failure::Wasmtime {
                context: context.to_string(),
                message: message.clone(),
            },
            SandboxError::Files { path, source } => Failure::Files {
                path: path.clone(),
                source: source.into(),
            },
            SandboxError::FileName(name) => Failure::FileName(name.clone()),
            SandboxError::Watchdog(after) => Failure::Watchdog(*after),
            SandboxError::WorkerStart { program, source } => Failure::WorkerStart {
                program: program.clone(),
                source: source.into(),
            },
            SandboxError::WorkerPipe(source) => Failure::WorkerPipe(source.into()),
            SandboxError::WorkerProtocol(e) => Failure::WorkerProtocol(e.clone()),
        }
    }
}

impl From<Failure> for SandboxError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Image(e) => SandboxError::Image(e.into()),
            Failure::Wasmtime { context, message } => SandboxError::Wasmtime {
                context: context.into(),
                message,
            },
            Failure::Files { path, source } => SandboxError::Files {
                path,
                source: source.into(),
            },
            Failure::FileName(name) => SandboxError::FileName(name),
            Failure::Watchdog(after) => SandboxError::Watchdog(after),
            Failure::WorkerStart { program, source } => SandboxError::WorkerStart {
                program,
                source: source.into(),
            },
            Failure::WorkerPipe(source) => SandboxError::WorkerPipe(source.into()),
            Failure::WorkerProtocol(e) => SandboxError::WorkerProtocol(e),
        }
    }
}

impl From<&ImageError> for ImageFailure {
    fn from(error: &ImageError) -> Self {
        match error {
            ImageError::Cache(CacheError::NoDirectory) => ImageFailure::NoCacheDirectory,
            ImageError::Cache(CacheError::Io { path, source }) => ImageFailure::CacheIo {
                path: path.clone(),
                source: source.into(),
            },
            ImageError::Io { path, source } => ImageFailure::Io {
                path: path.clone(),
                source: source.into(),
            },
            ImageError::PythonMissing { program, source } => ImageFailure::PythonMissing {
                program: program.clone(),
                source: source.into(),
            },
            ImageError::ToolInstall {
                tool,
                status,
                output,
            } => ImageFailure::ToolInstall {
                tool: tool.clone(),
                status: status.clone(),
                output: output.clone(),
            },
            ImageError::Build {
                name,
                status,
                output,
            } => ImageFailure::Build {
                name: name.clone(),
                status: status.clone(),
                output: output.clone(),
            },
            ImageError::Download {
                package,
                status,
                output,
                wheel,
                sha256,
            } => ImageFailure::Download {
                package: package.clone(),
                status: status.clone(),
                output: output.clone(),
                wheel: wheel.clone(),
                sha256: sha256.clone(),
            },
            ImageError::Invalid { path, reason } => ImageFailure::Invalid {
                path: path.clone(),
                reason: reason.clone(),
            },
        }
    }
}

impl From<ImageFailure> for ImageError {
    fn from(failure: ImageFailure) -> Self {
        match failure {
            ImageFailure::NoCacheDirectory => ImageError::Cache(CacheError::NoDirectory),
            ImageFailure::CacheIo { path, source } => ImageError::Cache(CacheError::Io {
                path,
                source: source.into(),
            }),
            ImageFailure::Io { path, source } => ImageError::Io {
                path,
                source: source.into(),
            },
            ImageFailure::PythonMissing { program, source } => ImageError::PythonMissing {
                program,
                source: source.into(),
            },
            ImageFailure::ToolInstall {
                tool,
                status,
                output,
            } => ImageError::ToolInstall {
                tool,
                status,
                output,
            },
            ImageFailure::Build {
                name,
                status,
                output,
            } => ImageError::Build {
                name,
                status,
                output,
            },
            ImageFailure::Download {
                package,
                status,
                output,
                wheel,
                sha256,
            } => ImageError::Download {
                package,
                status,
                output,
                wheel,
                sha256,
            },
            ImageFailure::Invalid { path, reason } => ImageError::Invalid { path, reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Permission denied, the same number on every Unix.
    const EACCES: i32 = 13;

    /// `error` as a worker sends it and gavel reads it back.
    fn crossed(error: &SandboxError) -> SandboxError {
        let bytes = postcard::to_stdvec(&Failure::from(error)).unwrap();
        postcard::from_bytes::<Failure>(&bytes).unwrap().into()
    }

    #[test]
    fn every_failure_crosses_as_the_same_variant_with_the_same_text() {
        let denied = || std::io::Error::from_raw_os_error(EACCES);
        let errors = [
            SandboxError::Image(ImageError::Io {
                path: "/cache/images/x".into(),
                source: denied(),
            }),
            SandboxError::Image(ImageError::Cache(CacheError::Io {
                path: "/cache/locks/compile.lock".into(),
                source: std::io::Error::other("the lock is held by another process"),
            })),
            SandboxError::Image(ImageError::Invalid {
                path: "x.wasm".into(),
                reason: "not a component".to_owned(),
            }),
            SandboxError::Wasmtime {
                context: "cannot instantiate the runner image".into(),
                message: "pool exhausted".to_owned(),
            },
            SandboxError::Files {
                path: "/cache/runs/p1".into(),
                source: denied(),
            },
            SandboxError::FileName("../x".to_owned()),
            SandboxError::Watchdog(Duration::from_millis(61_500)),
            SandboxError::WorkerPipe(std::io::ErrorKind::UnexpectedEof.into()),
            SandboxError::WorkerProtocol(ProtocolError::Decode("end of buffer".to_owned())),
        ];
        for error in errors {
            let back = crossed(&error);
            assert_eq!(
                std::mem::discriminant(&back),
                std::mem::discriminant(&error)
            );
            assert_eq!(back.to_string(), error.to_string());
        }
        let SandboxError::Files { source, .. } = crossed(&SandboxError::Files {
            path: "/x".into(),
            source: denied(),
        }) else {
            panic!()
        };
        assert_eq!(source.kind(), std::io::ErrorKind::PermissionDenied);
    }
}
