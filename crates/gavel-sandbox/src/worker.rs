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
//! The protocol is private to one build of gavel: the parent starts workers
//! from its own executable, sends each an [`Init`] and then jobs, each framed
//! as a little-endian `u32` length and a postcard body, and reads back one
//! reply per job.

use crate::image::Image;
use crate::outcome::{Judgement, Outcome, PyError, RunReport, TimeLimit};
use crate::pipe::Message;
use crate::sandbox::{Interaction, Job, Sandbox, SandboxError};
use gavel_core::Cache;
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// How to start a worker: the program and the arguments that make it one
/// (for gavel, its own executable with a hidden subcommand that calls [`serve`]).
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
}

/// The first message to a worker: what to load. The image travels as JSON:
/// its origin is an internally tagged enum, which postcard cannot carry.
#[derive(Serialize, Deserialize)]
struct Init {
    cache: PathBuf,
    image_json: String,
}

/// [`Outcome`] for the wire: postcard needs externally tagged enums.
#[derive(Serialize, Deserialize)]
enum WireOutcome {
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

/// A [`RunReport`] for the wire.
#[derive(Serialize, Deserialize)]
struct WireReport {
    outcome: WireOutcome,
    exit_code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    return_json: Option<String>,
    judgement: Option<Judgement>,
    code: Option<Vec<u8>>,
    fuel: u64,
    wall_ms: f64,
    peak_memory_bytes: u64,
}

impl From<RunReport> for WireReport {
    fn from(report: RunReport) -> Self {
        WireReport {
            outcome: report.outcome.into(),
            exit_code: report.exit_code,
            stdout: report.stdout,
            stderr: report.stderr,
            return_json: report.return_json,
            judgement: report.judgement,
            code: report.code.map(Vec::from),
            fuel: report.fuel,
            wall_ms: report.wall_ms,
            peak_memory_bytes: report.peak_memory_bytes,
        }
    }
}

impl From<WireReport> for RunReport {
    fn from(report: WireReport) -> Self {
        RunReport {
            outcome: report.outcome.into(),
            exit_code: report.exit_code,
            stdout: report.stdout,
            stderr: report.stderr,
            return_json: report.return_json,
            judgement: report.judgement,
            code: report.code.map(bytes::Bytes::from),
            fuel: report.fuel,
            wall_ms: report.wall_ms,
            peak_memory_bytes: report.peak_memory_bytes,
        }
    }
}

/// What the parent asks of a worker.
#[derive(Serialize, Deserialize)]
#[expect(
    clippy::large_enum_variant,
    reason = "one request per run, encoded once"
)]
enum Request {
    Run(Job),
    Interact(Job, Job),
}

/// A worker's answer.
#[derive(Serialize, Deserialize)]
#[expect(
    clippy::large_enum_variant,
    reason = "one answer per run, decoded and moved once"
)]
enum Answer {
    Run(WireReport),
    Interact {
        program: WireReport,
        interactor: WireReport,
        transcript: Vec<Message>,
        deadlock: bool,
        interactor_ended_first: bool,
    },
}

/// A worker's reply: the answer, or why the judge failed.
type Reply = Result<Answer, String>;

fn encode<T: Serialize>(value: &T) -> std::io::Result<Vec<u8>> {
    let body = postcard::to_stdvec(value).map_err(std::io::Error::other)?;
    let len = u32::try_from(body.len()).map_err(std::io::Error::other)?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&body);
    Ok(frame)
}

fn decode<T: for<'de> Deserialize<'de>>(body: &[u8]) -> std::io::Result<T> {
    postcard::from_bytes(body).map_err(std::io::Error::other)
}

fn read_frame(input: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
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

/// A worker's main loop: loads the image named by the first message, then
/// runs each job it receives on stdin and writes its report to stdout, until
/// stdin closes.
pub fn serve() -> Result<(), SandboxError> {
    let io = |e: std::io::Error| SandboxError::Worker(e.to_string());
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    let Some(init) = read_frame(&mut input).map_err(io)? else {
        return Ok(());
    };
    let init: Init = decode(&init).map_err(io)?;
    let image: Image = serde_json::from_str(&init.image_json).map_err(|e| io(e.into()))?;
    let sandbox = Sandbox::new(&Cache::at(init.cache), image, 1)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(io)?;
    while let Some(frame) = read_frame(&mut input).map_err(io)? {
        let request: Request = decode(&frame).map_err(io)?;
        let reply: Reply = match request {
            Request::Run(job) => runtime
                .block_on(sandbox.run_here(&job))
                .map(|report| Answer::Run(report.into())),
            Request::Interact(program, interactor) => runtime
                .block_on(sandbox.interact_here(&program, &interactor))
                .map(|i| Answer::Interact {
                    program: i.program.into(),
                    interactor: i.interactor.into(),
                    transcript: i.transcript,
                    deadlock: i.deadlock,
                    interactor_ended_first: i.interactor_ended_first,
                }),
        }
        .map_err(|e| e.to_string());
        output.write_all(&encode(&reply).map_err(io)?).map_err(io)?;
        output.flush().map_err(io)?;
    }
    Ok(())
}

/// One running worker.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl Worker {
    async fn start(command: &WorkerCommand, init: &[u8]) -> std::io::Result<Worker> {
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let mut stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        stdin.write_all(init).await?;
        Ok(Worker {
            child,
            stdin,
            stdout,
        })
    }

    async fn run(&mut self, frame: &[u8]) -> std::io::Result<Reply> {
        self.stdin.write_all(frame).await?;
        self.stdin.flush().await?;
        let mut len = [0; 4];
        self.stdout.read_exact(&mut len).await?;
        let mut body = vec![0; u32::from_le_bytes(len) as usize];
        self.stdout.read_exact(&mut body).await?;
        decode(&body)
    }
}

/// The parent's side: idle workers, started on demand up to the sandbox's slots.
/// Dropped, it closes their input and waits for them to exit, so none is left
/// behind and their resource use is accounted to this process.
pub(crate) struct Workers {
    command: WorkerCommand,
    init: Vec<u8>,
    idle: Mutex<Vec<Worker>>,
}

impl Workers {
    pub(crate) fn new(
        command: WorkerCommand,
        cache: &Cache,
        image: &Image,
    ) -> Result<Workers, SandboxError> {
        let init = Init {
            cache: cache.root().to_owned(),
            image_json: serde_json::to_string(image).expect("an image serialises"),
        };
        Ok(Workers {
            command,
            init: encode(&init).map_err(|e| SandboxError::Worker(e.to_string()))?,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends `request` to an idle worker (or a new one). The caller holds a
    /// slot, so there are never more workers than slots. A worker that fails
    /// or outlives the watchdog is killed, and the run is the judge's failure.
    async fn ask(
        &self,
        request: &Request,
        watchdog: std::time::Duration,
    ) -> Result<Answer, SandboxError> {
        let frame = encode(request)
            .map_err(|e| SandboxError::Worker(format!("cannot encode a worker's request: {e}")))?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut worker = match idle {
            Some(worker) => worker,
            None => Worker::start(&self.command, &self.init)
                .await
                .map_err(|e| SandboxError::Worker(format!("cannot start a worker process: {e}")))?,
        };
        let reply = match tokio::time::timeout(watchdog, worker.run(&frame)).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(e)) => {
                let _ = worker.child.start_kill();
                return Err(SandboxError::Worker(format!(
                    "a worker process failed: {e}"
                )));
            }
            Err(_) => {
                let _ = worker.child.start_kill();
                return Err(SandboxError::Watchdog(watchdog));
            }
        };
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(worker);
        reply.map_err(SandboxError::Worker)
    }

    pub(crate) async fn run(
        &self,
        job: &Job,
        watchdog: std::time::Duration,
    ) -> Result<RunReport, SandboxError> {
        match self.ask(&Request::Run(job.clone()), watchdog).await? {
            Answer::Run(report) => Ok(report.into()),
            Answer::Interact { .. } => Err(SandboxError::Worker(
                "a worker answered the wrong request".to_owned(),
            )),
        }
    }

    pub(crate) async fn interact(
        &self,
        program: &Job,
        interactor: &Job,
        watchdog: std::time::Duration,
    ) -> Result<Interaction, SandboxError> {
        let request = Request::Interact(program.clone(), interactor.clone());
        match self.ask(&request, watchdog).await? {
            Answer::Interact {
                program,
                interactor,
                transcript,
                deadlock,
                interactor_ended_first,
            } => Ok(Interaction {
                program: program.into(),
                interactor: interactor.into(),
                transcript,
                deadlock,
                interactor_ended_first,
            }),
            Answer::Run(_) => Err(SandboxError::Worker(
                "a worker answered the wrong request".to_owned(),
            )),
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        let workers = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        let mut children: Vec<Child> = workers
            .into_iter()
            .map(|worker| {
                // End of input: the worker's loop ends and it exits.
                drop(worker.stdin);
                worker.child
            })
            .collect();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !children.is_empty() {
            children.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
            if std::time::Instant::now() > deadline {
                for child in &mut children {
                    let _ = child.start_kill();
                }
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
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
                judgement: Some(Judgement::Partial {
                    points: 0.5,
                    message: "half".to_owned(),
                }),
                code: Some(vec![0xe3, 0, 1]),
                fuel: 42,
                wall_ms: 1.5,
                peak_memory_bytes: 7,
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
        assert_eq!(round_trip(&job).source, job.source);
    }
}
