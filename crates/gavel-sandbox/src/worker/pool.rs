//! gavel's side of its workers: idle worker processes, started on demand, one
//! request at a time each.

use super::wire::{Answer, Init, Reply, Request, decode, encode, read_frame_async};
use crate::error::{ProtocolError, SandboxError};
use crate::host::run::watchdog;
use crate::image::Image;
use crate::job::{Interaction, Job};
use crate::outcome::RunResult;
use gavel_core::{Cache, Limits};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// A worker's own watchdog fires first; this covers a worker that hangs.
const WORKER_GRACE: Duration = Duration::from_secs(10);

/// How to start a worker: the program and the arguments that make it one
/// (for gavel, its own executable with a hidden subcommand that calls
/// [`crate::worker::serve`]).
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
}

/// One running worker.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl Worker {
    async fn start(command: &WorkerCommand, init: &[u8]) -> Result<Worker, SandboxError> {
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| SandboxError::WorkerStart {
                program: command.program.clone(),
                source,
            })?;
        let mut stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        stdin
            .write_all(init)
            .await
            .map_err(SandboxError::WorkerPipe)?;
        Ok(Worker {
            child,
            stdin,
            stdout,
        })
    }

    async fn ask(&mut self, frame: &[u8]) -> Result<Reply, SandboxError> {
        self.stdin
            .write_all(frame)
            .await
            .map_err(SandboxError::WorkerPipe)?;
        self.stdin.flush().await.map_err(SandboxError::WorkerPipe)?;
        let body = read_frame_async(&mut self.stdout)
            .await
            .map_err(SandboxError::WorkerPipe)?;
        Ok(decode(&body)?)
    }
}

/// Idle workers, started on demand up to the sandbox's slots. Dropped, it
/// closes their input and waits for them to exit, so none is left behind and
/// their resource use is accounted to this process.
pub(crate) struct Workers {
    command: WorkerCommand,
    init: Vec<u8>,
    idle: Mutex<Vec<Worker>>,
}

impl Workers {
    /// Workers started with `command` that run `image` from `cache`; none is
    /// started yet.
    pub(crate) fn new(
        command: WorkerCommand,
        cache: &Cache,
        image: &Image,
    ) -> Result<Workers, SandboxError> {
        Ok(Workers {
            command,
            init: encode(&Init::new(cache, image))?,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Runs one job in a worker.
    pub(crate) async fn run(&self, job: &Job) -> Result<RunResult, SandboxError> {
        let watchdog = watchdog(&job.limits) + WORKER_GRACE;
        match self.ask(&Request::Run(job.clone()), watchdog).await? {
            Answer::Run(report) => Ok(report.into()),
            _ => Err(ProtocolError::Mismatch.into()),
        }
    }

    /// Runs `program` against `interactor` in one worker.
    pub(crate) async fn interact(
        &self,
        program: &Job,
        interactor: &Job,
    ) -> Result<Interaction, SandboxError> {
        let watchdog = watchdog(&program.limits).max(watchdog(&interactor.limits)) + WORKER_GRACE;
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
            _ => Err(ProtocolError::Mismatch.into()),
        }
    }

    /// The standard-library modules the image holds, as a worker lists them.
    pub(crate) async fn preloaded_modules(&self) -> Result<Vec<String>, SandboxError> {
        let watchdog = watchdog(&Limits::default()) + WORKER_GRACE;
        match self.ask(&Request::Modules, watchdog).await? {
            Answer::Modules(modules) => Ok(modules),
            _ => Err(ProtocolError::Mismatch.into()),
        }
    }

    /// Sends `request` to an idle worker (or a new one). The caller holds a
    /// slot, so there are never more workers than slots. A worker that fails
    /// or outlives the watchdog is killed, and the run is the judge's failure;
    /// a worker that answered with a failure is kept.
    async fn ask(&self, request: &Request, watchdog: Duration) -> Result<Answer, SandboxError> {
        let frame = encode(request)?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut worker = match idle {
            Some(worker) => worker,
            None => Worker::start(&self.command, &self.init).await?,
        };
        let reply = match tokio::time::timeout(watchdog, worker.ask(&frame)).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(e)) => {
                let _ = worker.child.start_kill();
                return Err(e);
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
        reply.map_err(SandboxError::from)
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
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !children.is_empty() {
            children.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
            if std::time::Instant::now() > deadline {
                for child in &mut children {
                    let _ = child.start_kill();
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
