//! The reactor kind of runner image: a WASI preview 1 core module driven
//! through its exports, as the scientific image is (a statically linked
//! CPython with numpy, pandas and scipy, snapshotted by gavel, see
//! `snapshot`). A run instantiates the snapshot, writes the text
//! `import gavel_door; gavel_door.serve()` into its memory (`host_alloc`) and
//! calls `turn(ptr, len)`. The runner asks for its job through the reactor's
//! one host import, the door (`host.call(ptr, len, out_ptr_ptr, out_len_ptr)`),
//! and hands back its result through it: a channel apart from stdout, as the
//! component's typed returns are. Limits, clocks, output and files are the
//! run's, as for every kind (see `run`).

use super::classify::{Called, Returned};
use super::clock::{VirtualTime, WALL_CLOCK_START};
use super::engine::{Profile, wasmtime_error};
use super::guest::{Guest, RunState};
use super::run::Kind;
use crate::error::SandboxError;
use crate::job::{DataKind, Entry, Job};
use crate::outcome::{Decision, PyError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use gavel_core::Shape;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use wasmtime::{Caller, Engine, Extern, InstancePre, Linker, Memory, Module, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// What a run's `turn` executes.
const TURN: &[u8] = b"import gavel_door\ngavel_door.serve()\n";

/// Where the guest finds its standard library (a zip, read-only), as the
/// interpreter was built to look for it.
pub(crate) const LIB_GUEST_DIR: &str = "/usr/local/lib";

/// The largest result the runner may hand back: a function's value is
/// judged from it, and the host holds it in memory.
const MAX_RESULT: usize = 64 << 20;

/// The door's answers, as the reactor's host protocol defines them.
const DOOR_FAULT: i32 = -2;

/// WASI errno values `poll_oneoff` answers with.
const EINVAL: i32 = 28;
const ENOSYS: i32 = 52;

/// The WASI state of one run of a reactor: preview 1, and the door.
pub(crate) struct ReactorWasi {
    pub(crate) p1: WasiP1Ctx,
    pub(crate) door: Door,
    /// The run's stat trampoline, once made (see `stats_without_host_identity`).
    pub(crate) trampoline: Option<wasmtime::Instance>,
}

/// One run's door: what the guest is given when it asks, and what it handed
/// back. Each is passed once per run (the runner asks once and reports
/// once): a later call is refused without copying anything, so a program
/// cannot make the host copy a large job or result over and over for the
/// little fuel a call costs it.
#[derive(Default)]
pub(crate) struct Door {
    /// The answer to the first frame that is not a result: the job (or, when
    /// the image is built, the runner's sources); taken when given.
    pub(crate) given: Option<Vec<u8>>,
    /// The first result frame, without its `done` prefix.
    pub(crate) result: Option<Vec<u8>>,
}

/// A reactor image linked with WASI preview 1 and the door, ready to
/// instantiate once per run.
pub(crate) struct ReactorImage {
    pre: InstancePre<RunState<ReactorWasi>>,
    /// The directory holding the standard library's zip, seen read-only at
    /// [`LIB_GUEST_DIR`].
    lib: PathBuf,
}

/// The directory beside a reactor image that holds its standard library.
pub(crate) fn lib_dir(image: &std::path::Path) -> PathBuf {
    image.with_file_name("lib")
}

/// A linker for reactors: WASI preview 1 (with timers on the run's virtual
/// time) and the door.
pub(crate) fn linker(engine: &Engine) -> Result<Linker<RunState<ReactorWasi>>, SandboxError> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_async(&mut linker, |state: &mut RunState<ReactorWasi>| {
        &mut state.wasi.p1
    })
    .map_err(wasmtime_error("cannot link WASI preview 1"))?;
    // wasmtime-wasi's `poll_oneoff` sleeps on the host's clock; here a
    // sleep moves the run's virtual time, as the component's timers do.
    linker.allow_shadowing(true);
    stats_without_host_identity(&mut linker, engine)?;
    linker
        .func_wrap_async(
            "wasi_snapshot_preview1",
            "poll_oneoff",
            |mut caller: Caller<'_, RunState<ReactorWasi>>,
             (subs, events, count, written): (i32, i32, i32, i32)| {
                Box::new(async move {
                    let time = caller.data().time.clone();
                    let memory = memory(&mut caller)?;
                    match poll(&mut caller, memory, &time, [subs, events, count, written]) {
                        Polled::Done(errno) => Ok(errno),
                        // Past the run's wall time: the run is ended from
                        // outside (see `VirtualTime::exceeded`).
                        Polled::PastLimit => std::future::pending().await,
                    }
                })
            },
        )
        .map_err(wasmtime_error("cannot link the virtual clock"))?;
    linker
        .func_wrap_async(
            "host",
            "call",
            |mut caller: Caller<'_, RunState<ReactorWasi>>,
             (ptr, len, out_ptr, out_len): (i32, i32, i32, i32)| {
                Box::new(async move { door(&mut caller, ptr, len, out_ptr, out_len).await })
            },
        )
        .map_err(wasmtime_error("cannot link the reactor's door"))?;
    Ok(linker)
}

/// Replaces `fd_filestat_get` and `path_filestat_get` with wasmtime-wasi's
/// own followed by a rewrite of what they wrote: no device or inode number
/// and no access or status-change time reach the guest (all three differ
/// between two copies of the same file), only its type, size and
/// modification time, which the image fixes. Whatever the interpreter
/// keeps of a stat is then the same on every machine, in its snapshot and
/// in runs.
///
/// wasmtime-wasi's functions find the guest's memory through the instance
/// that calls them, so they are called through a trampoline: a small module
/// instantiated once per run (at its first stat) that imports the guest's
/// memory, exports it, and calls them.
fn stats_without_host_identity(
    linker: &mut Linker<RunState<ReactorWasi>>,
    engine: &Engine,
) -> Result<(), SandboxError> {
    let mut plain = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_async(&mut plain, |state: &mut RunState<ReactorWasi>| {
        &mut state.wasi.p1
    })
    .map_err(wasmtime_error("cannot link WASI preview 1"))?;
    let trampoline = Module::new(engine, STAT_TRAMPOLINE)
        .map_err(wasmtime_error("cannot compile the stat trampoline"))?;
    let stats = std::sync::Arc::new(Stats { plain, trampoline });
    let inner = stats.clone();
    linker
        .func_wrap_async(
            "wasi_snapshot_preview1",
            "fd_filestat_get",
            move |mut caller: Caller<'_, RunState<ReactorWasi>>, (fd, at): (i32, i32)| {
                let stats = inner.clone();
                Box::new(async move {
                    let instance = stats.trampoline(&mut caller).await?;
                    let errno = instance
                        .get_typed_func::<(i32, i32), i32>(&mut caller, "fd_filestat_get")?
                        .call_async(&mut caller, (fd, at))
                        .await?;
                    without_identity(&mut caller, errno, at)
                })
            },
        )
        .map_err(wasmtime_error("cannot link WASI preview 1"))?;
    linker
        .func_wrap_async(
            "wasi_snapshot_preview1",
            "path_filestat_get",
            move |mut caller: Caller<'_, RunState<ReactorWasi>>,
                  (fd, flags, path, len, at): (i32, i32, i32, i32, i32)| {
                let stats = stats.clone();
                Box::new(async move {
                    let instance = stats.trampoline(&mut caller).await?;
                    let errno = instance
                        .get_typed_func::<(i32, i32, i32, i32, i32), i32>(
                            &mut caller,
                            "path_filestat_get",
                        )?
                        .call_async(&mut caller, (fd, flags, path, len, at))
                        .await?;
                    without_identity(&mut caller, errno, at)
                })
            },
        )
        .map_err(wasmtime_error("cannot link WASI preview 1"))?;
    Ok(())
}

/// The trampoline: the guest's memory re-exported, and the two stat calls
/// made from its own code (so that it is their caller).
const STAT_TRAMPOLINE: &str = r#"(module
  (import "env" "memory" (memory 0))
  (import "wasi" "fd_filestat_get" (func $fd (param i32 i32) (result i32)))
  (import "wasi" "path_filestat_get" (func $path (param i32 i32 i32 i32 i32) (result i32)))
  (export "memory" (memory 0))
  (func (export "fd_filestat_get") (param i32 i32) (result i32)
    (call $fd (local.get 0) (local.get 1)))
  (func (export "path_filestat_get") (param i32 i32 i32 i32 i32) (result i32)
    (call $path (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4))))"#;

/// What the stat functions call: wasmtime-wasi's own, through the trampoline.
struct Stats {
    plain: Linker<RunState<ReactorWasi>>,
    trampoline: Module,
}

impl Stats {
    /// The run's trampoline instance, made at its first stat.
    async fn trampoline(
        &self,
        caller: &mut Caller<'_, RunState<ReactorWasi>>,
    ) -> wasmtime::Result<wasmtime::Instance> {
        if let Some(instance) = caller.data().wasi.trampoline {
            return Ok(instance);
        }
        let memory = memory(caller)?;
        let fd = self.wasi(caller, "fd_filestat_get")?;
        let path = self.wasi(caller, "path_filestat_get")?;
        let imports = [Extern::Memory(memory), fd, path];
        let instance =
            wasmtime::Instance::new_async(&mut *caller, &self.trampoline, &imports).await?;
        caller.data_mut().wasi.trampoline = Some(instance);
        Ok(instance)
    }

    fn wasi(
        &self,
        caller: &mut Caller<'_, RunState<ReactorWasi>>,
        name: &str,
    ) -> wasmtime::Result<Extern> {
        self.plain.get(&mut *caller, "wasi_snapshot_preview1", name)
    }
}

/// Clears the device, inode, access and status-change fields of the
/// 64-byte `filestat` at `at` after a successful call.
fn without_identity(
    caller: &mut Caller<'_, RunState<ReactorWasi>>,
    errno: i32,
    at: i32,
) -> wasmtime::Result<i32> {
    if errno != 0 {
        return Ok(errno);
    }
    let memory = memory(caller)?;
    let data = memory.data_mut(&mut *caller);
    let start = at as u32 as usize;
    let Some(stat) = data.get_mut(start..start.saturating_add(64)) else {
        return Ok(errno);
    };
    stat[..16].fill(0);
    let modified: [u8; 8] = stat[48..56].try_into().expect("8 bytes");
    stat[40..48].copy_from_slice(&modified);
    stat[56..64].copy_from_slice(&modified);
    Ok(errno)
}

fn memory(caller: &mut Caller<'_, RunState<ReactorWasi>>) -> wasmtime::Result<Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(memory)) => Ok(memory),
        _ => Err(wasmtime::Error::msg("the reactor exports no memory")),
    }
}

/// Reads `len` bytes at `ptr` of the guest's memory, or `None` when they are
/// not all inside it.
fn read(data: &[u8], ptr: i32, len: usize) -> Option<&[u8]> {
    let start = usize::try_from(ptr as u32).ok()?;
    data.get(start..start.checked_add(len)?)
}

/// The door: a frame starting with `done` is the runner's result; any other
/// is answered with what the run gives ([`Door::given`]), in memory the
/// guest allocates (`host_alloc`).
async fn door(
    caller: &mut Caller<'_, RunState<ReactorWasi>>,
    ptr: i32,
    len: i32,
    out_ptr: i32,
    out_len: i32,
) -> wasmtime::Result<i32> {
    let memory = memory(caller)?;
    let len = len as u32 as usize;
    if len > MAX_RESULT + 4 {
        return Err(wasmtime::Error::msg(format!(
            "the program's result is larger than {} MiB",
            MAX_RESULT >> 20
        )));
    }
    let Some(frame) = read(memory.data(&*caller), ptr, len) else {
        return Ok(DOOR_FAULT);
    };
    if frame.starts_with(b"done") {
        if caller.data().wasi.door.result.is_some() {
            return Ok(DOOR_FAULT);
        }
        let result = frame[4..].to_vec();
        caller.data_mut().wasi.door.result = Some(result);
        return Ok(0);
    }
    let Some(answer) = caller.data_mut().wasi.door.given.take() else {
        return Ok(DOOR_FAULT);
    };
    let Ok(answer_len) = i32::try_from(answer.len()) else {
        return Ok(DOOR_FAULT);
    };
    let Some(Extern::Func(alloc)) = caller.get_export("host_alloc") else {
        return Ok(DOOR_FAULT);
    };
    let at = alloc
        .typed::<i32, i32>(&*caller)?
        .call_async(&mut *caller, answer_len)
        .await?;
    let data = memory.data_mut(&mut *caller);
    let size = data.len();
    let fits = |at: i32, n: usize| {
        (at as u32 as usize)
            .checked_add(n)
            .is_some_and(|end| end <= size)
    };
    if at == 0 || !fits(at, answer.len()) || !fits(out_ptr, 4) || !fits(out_len, 4) {
        return Ok(DOOR_FAULT);
    }
    let start = at as u32 as usize;
    data[start..start + answer.len()].copy_from_slice(&answer);
    let put = |data: &mut [u8], at: i32, value: u32| {
        let at = at as u32 as usize;
        data[at..at + 4].copy_from_slice(&value.to_le_bytes());
    };
    put(data, out_ptr, at as u32);
    put(data, out_len, answer_len as u32);
    Ok(0)
}

/// How a `poll_oneoff` ended.
enum Polled {
    /// With this errno (0: events written).
    Done(i32),
    /// The wait would pass the run's wall time.
    PastLimit,
}

/// WASI preview 1's `poll_oneoff` for clock subscriptions only (what
/// `time.sleep` makes): ready at once, moving the run's virtual time to the
/// earliest deadline. Subscriptions to files answer ENOSYS: a run's stdin is
/// never waited on.
fn poll(
    caller: &mut Caller<'_, RunState<ReactorWasi>>,
    memory: Memory,
    time: &VirtualTime,
    [subs, events, count, written]: [i32; 4],
) -> Polled {
    const SUB: usize = 48;
    const EVENT: usize = 32;
    // More subscriptions than any sleep makes: the host copies no more.
    const MAX_SUBSCRIPTIONS: usize = 64;
    let count = count as u32 as usize;
    if count > MAX_SUBSCRIPTIONS {
        return Polled::Done(EINVAL);
    }
    let data = memory.data_mut(&mut *caller);
    let Some(table) = count
        .checked_mul(SUB)
        .and_then(|n| read(data, subs, n))
        .map(<[u8]>::to_vec)
    else {
        return Polled::Done(EINVAL);
    };
    if count == 0 {
        return Polled::Done(EINVAL);
    }
    let now = time.now();
    let mut deadlines = Vec::with_capacity(count);
    for sub in table.chunks_exact(SUB) {
        let u64_at = |at: usize| u64::from_le_bytes(sub[at..at + 8].try_into().expect("8 bytes"));
        if sub[8] != 0 {
            return Polled::Done(ENOSYS);
        }
        let clock = u32::from_le_bytes(sub[16..20].try_into().expect("4 bytes"));
        let timeout = u64_at(24);
        let absolute = sub[40] & 1 == 1;
        let wall_start = u64::try_from(WALL_CLOCK_START.as_nanos()).unwrap_or(u64::MAX);
        let deadline = match (absolute, clock) {
            (false, _) => now.saturating_add(timeout),
            // The realtime clock reads WALL_CLOCK_START plus virtual time.
            (true, 0) => timeout.saturating_sub(wall_start),
            (true, _) => timeout,
        };
        deadlines.push((u64_at(0), deadline));
    }
    let until = deadlines.iter().map(|&(_, d)| d).min().unwrap_or(now);
    if !time.wait_until(until) {
        return Polled::PastLimit;
    }
    let ready: Vec<u64> = deadlines
        .iter()
        .filter(|&&(_, d)| d <= until)
        .map(|&(userdata, _)| userdata)
        .collect();
    let Some(out) = ready
        .len()
        .checked_mul(EVENT)
        .and_then(|n| read(data, events, n))
    else {
        return Polled::Done(EINVAL);
    };
    if out.len() != ready.len() * EVENT || read(data, written, 4).is_none() {
        return Polled::Done(EINVAL);
    }
    let start = events as u32 as usize;
    for (i, userdata) in ready.iter().enumerate() {
        let event = &mut data[start + i * EVENT..start + (i + 1) * EVENT];
        event.fill(0);
        event[..8].copy_from_slice(&userdata.to_le_bytes());
        // error 0, type 0 (clock)
    }
    let at = written as u32 as usize;
    data[at..at + 4].copy_from_slice(&(ready.len() as u32).to_le_bytes());
    Polled::Done(0)
}

impl Kind for ReactorImage {
    type Code = Module;
    const PROFILE: Profile = Profile::Reactor;

    fn link(
        engine: &Engine,
        module: Module,
        image: &std::path::Path,
    ) -> Result<Self, SandboxError> {
        let pre = linker(engine)?
            .instantiate_pre(&module)
            .map_err(wasmtime_error("the runner image does not fit this host"))?;
        Ok(ReactorImage {
            pre,
            lib: lib_dir(image),
        })
    }

    async fn preloaded_modules(
        &self,
        store: &mut Store<RunState<ReactorWasi>>,
    ) -> Result<Vec<String>, SandboxError> {
        let request = serde_json::json!({ "entry": "preloaded" }).to_string();
        let result = self
            .turn(store, request.into_bytes())
            .await
            .map_err(wasmtime_error(
                "the runner image failed to list its modules",
            ))?;
        let result = result.ok_or_else(|| SandboxError::Wasmtime {
            context: "the runner image failed to list its modules".into(),
            message: "it gave no result".into(),
        })?;
        serde_json::from_slice(&result).map_err(|e| SandboxError::Wasmtime {
            context: "the runner image failed to list its modules".into(),
            message: e.to_string(),
        })
    }
}

impl ReactorImage {
    /// Instantiates the image and runs one turn with `request` behind the
    /// door; the result frame, if the runner handed one back.
    async fn turn(
        &self,
        store: &mut Store<RunState<ReactorWasi>>,
        request: Vec<u8>,
    ) -> wasmtime::Result<Option<Vec<u8>>> {
        store.data_mut().wasi.door = Door {
            given: Some(request),
            result: None,
        };
        let instance = self.pre.instantiate_async(&mut *store).await?;
        turn(store, &instance, TURN).await?;
        Ok(store.data_mut().wasi.door.result.take())
    }
}

/// Calls the reactor's `turn` with `text` (Python source) in its memory;
/// its status (0: the text ran to its end).
pub(crate) async fn turn<T: Send>(
    store: &mut Store<T>,
    instance: &wasmtime::Instance,
    text: &[u8],
) -> wasmtime::Result<i32> {
    let alloc = instance.get_typed_func::<i32, i32>(&mut *store, "host_alloc")?;
    let turn = instance.get_typed_func::<(i32, i32), i32>(&mut *store, "turn")?;
    let memory = instance
        .get_memory(&mut *store, "memory")
        .ok_or_else(|| wasmtime::Error::msg("the reactor exports no memory"))?;
    let len = i32::try_from(text.len())?;
    let at = alloc.call_async(&mut *store, len).await?;
    if at == 0 {
        return Err(wasmtime::Error::msg(
            "the reactor could not allocate its turn",
        ));
    }
    memory.write(&mut *store, at as u32 as usize, text)?;
    turn.call_async(&mut *store, (at, len)).await
}

impl Guest for ReactorImage {
    type Wasi = ReactorWasi;

    fn wasi(builder: &mut WasiCtxBuilder) -> ReactorWasi {
        ReactorWasi {
            p1: builder.build_p1(),
            door: Door::default(),
            trampoline: None,
        }
    }

    fn configure(&self, builder: &mut WasiCtxBuilder, _job: &Job) -> Result<(), SandboxError> {
        // What the runner needs: the standard library, read-only.
        builder
            .preopened_dir(&self.lib, LIB_GUEST_DIR, FsPerms::ReadOnly)
            .map_err(wasmtime_error(
                "cannot map the runner image's standard library",
            ))?;
        Ok(())
    }

    async fn call(
        &self,
        store: &mut Store<RunState<ReactorWasi>>,
        job: &Job,
    ) -> wasmtime::Result<Called> {
        let request = serde_json::to_vec(&Request::of(job)?)?;
        let result = self.turn(store, request).await?;
        let Some(result) = result else {
            return Ok(Called::plain(Returned::RuntimeError(no_result(
                "the runner was stopped before it reported (was it replaced?)",
            ))));
        };
        Ok(read_result(&job.entry, &result).unwrap_or_else(|e| {
            Called::plain(Returned::RuntimeError(no_result(&format!(
                "the runner's report could not be read: {e}"
            ))))
        }))
    }
}

fn no_result(message: &str) -> PyError {
    PyError {
        kind: "RunnerError".to_owned(),
        message: message.to_owned(),
        traceback: String::new(),
        line: None,
    }
}

/// The job, as `gavel_door.serve` reads it.
#[derive(Serialize, Default)]
struct Request<'a> {
    entry: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    source: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    args_json: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<Vec<u8>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    returns: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<&'a str>,
}

fn shape(shape: Shape) -> u8 {
    match shape {
        Shape::Json => 0,
        Shape::LinkedList => 1,
        Shape::BinaryTree => 2,
    }
}

impl<'a> Request<'a> {
    fn of(job: &'a Job) -> wasmtime::Result<Request<'a>> {
        let source = BASE64.encode(&job.source);
        let code = BASE64.encode(&job.code);
        Ok(match &job.entry {
            Entry::Compile => Request {
                entry: "compile",
                source,
                ..Request::default()
            },
            Entry::Script => Request {
                entry: "run_script",
                source,
                code,
                ..Request::default()
            },
            Entry::Function(call) => Request {
                entry: "call_function",
                source,
                code,
                name: Some(&call.name),
                args_json: Some(&call.args_json),
                params: Some(call.params.iter().map(|&s| shape(s)).collect()),
                returns: Some(shape(call.returns)),
                ..Request::default()
            },
            Entry::Check(check) => Request {
                entry: "check",
                source,
                kind: Some(match check.kind {
                    DataKind::Text => 0,
                    DataKind::Json => 1,
                }),
                input: Some(&check.input),
                expected: Some(&check.expected),
                output: Some(&check.output),
                ..Request::default()
            },
            Entry::Interact { input } => Request {
                entry: "interact",
                source,
                input: Some(input),
                ..Request::default()
            },
            // `run` gives a native program to `native`, never to an image.
            Entry::Native(_) => {
                return Err(wasmtime::Error::msg(
                    "a native program is not run by the runner image",
                ));
            }
        })
    }
}

/// The runner's results, as `gavel_door` writes them: the types of the
/// component's WIT interface (`runner-images/python-3.14/wit/runner.wit`).
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Ok(String),
    Exit(i32),
    CompileError(Failure),
    RuntimeError(Failure),
}

#[derive(Deserialize)]
struct Failure {
    kind: String,
    message: String,
    traceback: String,
    line: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Compiled {
    Code(String),
    SourceOnly,
    Failed(Outcome),
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum CheckOutcome {
    Judged(Judgement),
    Failed(Failure),
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Judgement {
    Accepted(String),
    Wrong(String),
    Partial((f64, String)),
}

fn read_result(entry: &Entry, result: &[u8]) -> Result<Called, String> {
    let error = |e: serde_json::Error| e.to_string();
    Ok(match entry {
        Entry::Compile => match serde_json::from_slice(result).map_err(error)? {
            Compiled::Code(code) => Called {
                code: Some(BASE64.decode(code).map_err(|e| e.to_string())?),
                ..Called::plain(Returned::Ok(String::new()))
            },
            Compiled::SourceOnly => Called::plain(Returned::Ok(String::new())),
            Compiled::Failed(outcome) => Called::plain(outcome.into()),
        },
        Entry::Script | Entry::Function(_) => Called::plain(
            serde_json::from_slice::<Outcome>(result)
                .map_err(error)?
                .into(),
        ),
        Entry::Check(_) | Entry::Interact { .. } => {
            match serde_json::from_slice(result).map_err(error)? {
                CheckOutcome::Judged(judgement) => Called {
                    decision: Some(judgement.into()),
                    ..Called::plain(Returned::Ok(String::new()))
                },
                CheckOutcome::Failed(failure) => {
                    Called::plain(Returned::RuntimeError(failure.into()))
                }
            }
        }
        Entry::Native(_) => return Err("a native program has no runner result".to_owned()),
    })
}

impl From<Outcome> for Returned {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Ok(value) => Returned::Ok(value),
            Outcome::Exit(code) => Returned::Exit(code),
            Outcome::CompileError(failure) => Returned::CompileError(failure.into()),
            Outcome::RuntimeError(failure) => Returned::RuntimeError(failure.into()),
        }
    }
}

impl From<Failure> for PyError {
    fn from(failure: Failure) -> Self {
        PyError {
            kind: failure.kind,
            message: failure.message,
            traceback: failure.traceback,
            line: (failure.line > 0).then_some(failure.line),
        }
    }
}

impl From<Judgement> for Decision {
    fn from(judgement: Judgement) -> Self {
        match judgement {
            Judgement::Accepted(feedback) => Decision::Accepted { feedback },
            Judgement::Wrong(message) => Decision::Wrong { message },
            Judgement::Partial((points, message)) => Decision::Partial { points, message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_read_as_the_runner_writes_them() {
        let called = read_result(
            &Entry::Script,
            br#"{"runtime_error": {"kind": "ZeroDivisionError", "message": "division by zero", "traceback": "t", "line": 3}}"#,
        )
        .unwrap();
        match called.returned {
            Returned::RuntimeError(e) => {
                assert_eq!(e.kind, "ZeroDivisionError");
                assert_eq!(e.line, Some(3));
            }
            other => panic!("{other:?}"),
        }
        let called = read_result(&Entry::Compile, br#""source_only""#).unwrap();
        assert!(called.code.is_none());
        let called = read_result(&Entry::Compile, br#"{"code": "AAEC"}"#).unwrap();
        assert_eq!(called.code, Some(vec![0, 1, 2]));
        let check = Entry::Interact { input: "".into() };
        let called = read_result(&check, br#"{"judged": {"partial": [0.5, "half"]}}"#).unwrap();
        assert!(matches!(called.decision, Some(Decision::Partial { points, .. }) if points == 0.5));
        assert!(read_result(&Entry::Script, b"{\"ok\": 1}").is_err());
    }
}
