//! The messages between gavel and its workers, and how they are framed: a
//! little-endian `u32` length and a postcard body. The protocol is private to
//! one build of gavel, which starts workers from its own executable.

use crate::error::{Failure, ProtocolError};
use crate::image::Image;
use crate::job::{Interaction, Job, Message};
use crate::outcome::{Decision, Outcome, PyError, RunResult, TimeLimit};
use gavel_core::Cache;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::PathBuf;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The first message to a worker: what to load. The image travels as JSON:
/// its origin is an internally tagged enum, which postcard cannot carry.
#[derive(Serialize, Deserialize)]
pub(crate) struct Init {
    cache: PathBuf,
    image_json: String,
}

impl Init {
    pub(crate) fn new(cache: &Cache, image: &Image) -> Init {
        Init {
            cache: cache.root().to_owned(),
            image_json: serde_json::to_string(image).expect("an image serialises"),
        }
    }

    /// The cache and the image the worker is to use.
    pub(crate) fn open(self) -> Result<(Cache, Image), ProtocolError> {
        let image = serde_json::from_str(&self.image_json)
            .map_err(|e| ProtocolError::Decode(e.to_string()))?;
        Ok((Cache::at(self.cache), image))
    }
}

/// What gavel asks of a worker.
#[derive(Serialize, Deserialize)]
#[expect(
    clippy::large_enum_variant,
    reason = "one request per run, encoded once"
)]
pub(crate) enum Request {
    Run(Job),
    Interact(Job, Job),
    /// The standard-library modules the image holds.
    Modules,
}

/// A worker's answer.
#[derive(Serialize, Deserialize)]
#[expect(
    clippy::large_enum_variant,
    reason = "one answer per run, decoded and moved once"
)]
pub(crate) enum Answer {
    Run(WireReport),
    Interact {
        program: WireReport,
        interactor: WireReport,
        transcript: Vec<Message>,
        deadlock: bool,
        interactor_ended_first: bool,
    },
    Modules(Vec<String>),
}

impl From<Interaction> for Answer {
    fn from(interaction: Interaction) -> Self {
        Answer::Interact {
            program: interaction.program.into(),
            interactor: interaction.interactor.into(),
            transcript: interaction.transcript,
            deadlock: interaction.deadlock,
            interactor_ended_first: interaction.interactor_ended_first,
        }
    }
}

/// A worker's reply to one request: the answer, or why the judge failed.
pub(crate) type Reply = Result<Answer, Failure>;

/// [`Outcome`] for the wire: postcard needs externally tagged enums.
#[derive(Serialize, Deserialize)]
pub(crate) enum WireOutcome {
    Ok,
    RuntimeError(Option<PyError>),
    CompileError(PyError),
    TimeLimit(TimeLimit),
    MemoryLimit,
    OutputLimit,
}

impl From<Outcome> for WireOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Ok => WireOutcome::Ok,
            Outcome::RuntimeError { error } => WireOutcome::RuntimeError(error),
            Outcome::CompileError { error } => WireOutcome::CompileError(error),
            Outcome::TimeLimit { limit } => WireOutcome::TimeLimit(limit),
            Outcome::MemoryLimit => WireOutcome::MemoryLimit,
            Outcome::OutputLimit => WireOutcome::OutputLimit,
        }
    }
}

impl From<WireOutcome> for Outcome {
    fn from(outcome: WireOutcome) -> Self {
        match outcome {
            WireOutcome::Ok => Outcome::Ok,
            WireOutcome::RuntimeError(error) => Outcome::RuntimeError { error },
            WireOutcome::CompileError(error) => Outcome::CompileError { error },
            WireOutcome::TimeLimit(limit) => Outcome::TimeLimit { limit },
            WireOutcome::MemoryLimit => Outcome::MemoryLimit,
            WireOutcome::OutputLimit => Outcome::OutputLimit,
        }
    }
}

/// A [`RunResult`] for the wire (its compiled code, which JSON skips, included).
#[derive(Serialize, Deserialize)]
pub(crate) struct WireReport {
    outcome: WireOutcome,
    exit_code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    return_json: Option<String>,
    decision: Option<Decision>,
    code: Option<Vec<u8>>,
    fuel: u64,
    wall_ms: f64,
    peak_memory_bytes: u64,
    written: Vec<(String, Vec<u8>)>,
}

impl From<RunResult> for WireReport {
    fn from(report: RunResult) -> Self {
        WireReport {
            outcome: report.outcome.into(),
            exit_code: report.exit_code,
            stdout: report.stdout,
            stderr: report.stderr,
            return_json: report.return_json,
            decision: report.decision,
            code: report.code.map(Vec::from),
            fuel: report.fuel,
            wall_ms: report.wall_ms,
            peak_memory_bytes: report.peak_memory_bytes,
            written: report
                .written
                .into_iter()
                .map(|(name, bytes)| (name, bytes.into()))
                .collect(),
        }
    }
}

impl From<WireReport> for RunResult {
    fn from(report: WireReport) -> Self {
        RunResult {
            outcome: report.outcome.into(),
            exit_code: report.exit_code,
            stdout: report.stdout,
            stderr: report.stderr,
            return_json: report.return_json,
            decision: report.decision,
            code: report.code.map(bytes::Bytes::from),
            fuel: report.fuel,
            wall_ms: report.wall_ms,
            peak_memory_bytes: report.peak_memory_bytes,
            written: report
                .written
                .into_iter()
                .map(|(name, bytes)| (name, bytes.into()))
                .collect(),
        }
    }
}

/// `value` as one frame.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, ProtocolError> {
    let body = postcard::to_stdvec(value).map_err(|e| ProtocolError::Encode(e.to_string()))?;
    let len = u32::try_from(body.len())
        .map_err(|_| ProtocolError::Encode(format!("{} bytes do not fit a frame", body.len())))?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&body);
    Ok(frame)
}

/// A frame's body, decoded.
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ProtocolError> {
    postcard::from_bytes(body).map_err(|e| ProtocolError::Decode(e.to_string()))
}

/// The next frame's body; `None` at the end of the input.
pub(crate) fn read_frame(input: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut len = [0; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut body = vec![0; u32::from_le_bytes(len) as usize];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// [`read_frame`] from an asynchronous input, where the end is an error: a
/// reply was due.
pub(crate) async fn read_frame_async(
    input: &mut (impl AsyncRead + Unpin),
) -> std::io::Result<Vec<u8>> {
    let mut len = [0; 4];
    input.read_exact(&mut len).await?;
    let mut body = vec![0; u32::from_le_bytes(len) as usize];
    input.read_exact(&mut body).await?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `value` framed, read back and decoded.
    fn round_trip<T: Serialize + for<'de> Deserialize<'de>>(value: &T) -> T {
        let frame = encode(value).unwrap();
        decode(&read_frame(&mut &frame[..]).unwrap().unwrap()).unwrap()
    }

    #[test]
    fn frames_round_trip_every_outcome() {
        for outcome in [
            Outcome::Ok,
            Outcome::RuntimeError {
                error: Some(PyError {
                    kind: "KeyError".to_owned(),
                    message: "'x'".to_owned(),
                    traceback: String::new(),
                    line: Some(3),
                }),
            },
            Outcome::TimeLimit {
                limit: TimeLimit::WallTime,
            },
            Outcome::MemoryLimit,
        ] {
            let reply: Reply = Ok(Answer::Run(WireReport {
                outcome: outcome.clone().into(),
                exit_code: Some(1),
                stdout: b"out".to_vec(),
                stderr: Vec::new(),
                return_json: Some("[1]".to_owned()),
                decision: Some(Decision::Partial {
                    points: 0.5,
                    message: "half".to_owned(),
                }),
                code: Some(vec![0xe3, 0, 1]),
                fuel: 42,
                wall_ms: 1.5,
                peak_memory_bytes: 7,
                written: vec![("judgemessage.txt".to_owned(), b"ok".to_vec())],
            }));
            let Ok(Answer::Run(report)) = round_trip(&reply) else {
                panic!()
            };
            assert_eq!(report.code.as_deref(), Some(&[0xe3, 0, 1][..]));
            assert_eq!(Outcome::from(report.outcome), outcome);
        }
        let init = Init {
            cache: PathBuf::from("/cache"),
            image_json: "{}".to_owned(),
        };
        assert_eq!(round_trip(&init).cache, init.cache);
        let job = Job::script("print(1)");
        let request = Request::Interact(job.clone(), job.clone());
        assert!(matches!(round_trip(&request), Request::Interact(..)));
        assert!(matches!(round_trip(&Request::Modules), Request::Modules));
        assert_eq!(round_trip(&job).source, job.source);
    }

    #[test]
    fn a_failure_crosses_as_a_failure() {
        let reply: Reply = Err(Failure::from(&crate::SandboxError::FileName(
            "../x".to_owned(),
        )));
        let Err(failure) = round_trip(&reply) else {
            panic!()
        };
        assert!(matches!(
            crate::SandboxError::from(failure),
            crate::SandboxError::FileName(name) if name == "../x"
        ));
    }

    #[tokio::test]
    async fn a_reply_cut_short_is_an_error_not_an_end() {
        let frame = encode(&Request::Modules).unwrap();
        assert!(read_frame_async(&mut &frame[..]).await.is_ok());
        let error = read_frame_async(&mut &frame[..frame.len() - 1])
            .await
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
        assert!(read_frame(&mut &[][..]).unwrap().is_none());
    }
}
