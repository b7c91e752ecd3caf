//! A Judge0-compatible subset of the API, under `/judge0`, for clients
//! written against Judge0 (its official Python SDK among them): "run this
//! code" submissions judged by the same queue and sandbox as exercises,
//! stored as runs (`store::runs`), never mixed with exercise submissions.
//! Served when `gavel serve --judge0` enables it; docs/judge0.md says what
//! is supported, what is refused and how verdicts and limits map.

pub mod request;
pub mod shapes;

use crate::http::{ApiError, AppState, Segment, read_body};
use crate::store::{NewRun, Refusal, StoredRun};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::{HeaderMap, StatusCode, request::Parts};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gavel_api::shapes::Quotas;
use gavel_judge::program::{ProgramResult, ProgramStatus};
use request::{FUEL_PER_SECOND, defaults};
use serde_json::{Map, Value};
use shapes::{
    About, Batch, ConfigInfo, Created, Language, LanguageDetails, Options, PYTHON_IDS, STATUSES,
    SubmissionView, status,
};
use std::sync::Arc;
use std::time::Duration;

/// How the Judge0 surface is served.
#[derive(Debug, Clone, Copy)]
pub struct Judge0Config {
    /// Per-candidate limits on runs (`in_flight`: runs waiting or running;
    /// `per_exercise_per_hour`: runs per hour), apart from exercise
    /// submissions'.
    pub quotas: Quotas,
}

/// The default quotas on runs: a batch fits.
pub const DEFAULT_QUOTAS: Quotas = Quotas {
    in_flight: defaults::MAX_BATCH,
    per_exercise_per_hour: 300,
    max_source_bytes: gavel_core::limits::DEFAULT_SOURCE_KIB * 1024,
};

/// The largest request body: a batch of sources with their inputs.
const MAX_BODY: u64 = 16 << 20;

/// How long `wait=true` waits for a result before answering with the
/// submission as it stands.
const MAX_WAIT: Duration = Duration::from_secs(120);

type Shared = Arc<AppState>;

/// An error as Judge0 answers it.
#[derive(Debug)]
pub(crate) enum Judge0Error {
    /// A status with an empty body (401, 403).
    Bare(StatusCode),
    /// A status with `{"error": message}`.
    Message(StatusCode, String),
    /// 422 with each invalid field's messages.
    Fields(request::FieldErrors),
    /// An error of gavel's own API (the surface is off, the state failed).
    Api(ApiError),
}

impl IntoResponse for Judge0Error {
    fn into_response(self) -> Response {
        match self {
            Judge0Error::Bare(status) => status.into_response(),
            Judge0Error::Message(status, message) => {
                (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
            }
            Judge0Error::Fields(errors) => {
                (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(errors)).into_response()
            }
            Judge0Error::Api(error) => error.into_response(),
        }
    }
}

impl From<crate::store::StoreError> for Judge0Error {
    fn from(e: crate::store::StoreError) -> Judge0Error {
        Judge0Error::Api(e.into())
    }
}

impl From<ApiError> for Judge0Error {
    fn from(e: ApiError) -> Judge0Error {
        Judge0Error::Api(e)
    }
}

/// The candidate whose gavel token is in `X-Auth-Token` (Judge0's
/// authentication header). Every route of the surface needs one; when the
/// surface is off, every route is gavel's `404 no_route`.
pub(crate) struct Judge0Candidate {
    id: i64,
    quotas: Quotas,
}

impl FromRequestParts<Shared> for Judge0Candidate {
    type Rejection = Judge0Error;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Judge0Error> {
        let Some(quotas) = state.judge0 else {
            return Err(ApiError::no_route().into());
        };
        let token = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Judge0Error::Bare(StatusCode::UNAUTHORIZED))?;
        let account = state
            .store
            .authenticate(token)
            .await?
            .ok_or(Judge0Error::Bare(StatusCode::UNAUTHORIZED))?;
        if account.revoked {
            return Err(Judge0Error::Bare(StatusCode::FORBIDDEN));
        }
        Ok(Judge0Candidate {
            id: account.id,
            quotas: Quotas {
                max_source_bytes: state.quotas.max_source_bytes,
                ..quotas
            },
        })
    }
}

/// The query parameters Judge0 reads.
#[derive(Debug, Default)]
struct Params {
    base64: bool,
    wait: bool,
    fields: Option<String>,
    tokens: Option<String>,
}

impl Params {
    fn of(
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Params, Judge0Error> {
        let Query(pairs) =
            query.map_err(|e| Judge0Error::Message(StatusCode::BAD_REQUEST, e.body_text()))?;
        let mut params = Params::default();
        for (key, value) in pairs {
            let yes = || value == "true" || value == "1";
            match key.as_str() {
                "base64_encoded" => params.base64 = yes(),
                "wait" => params.wait = yes(),
                "fields" => params.fields = Some(value),
                "tokens" => params.tokens = Some(value),
                _ => {}
            }
        }
        Ok(params)
    }

    /// The fields asked for, checked against those a submission has.
    fn fields(&self) -> Result<Vec<&'static str>, Judge0Error> {
        let Some(asked) = self
            .fields
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        else {
            return Ok(shapes::DEFAULT_FIELDS.to_vec());
        };
        if asked == "*" {
            return Ok(shapes::ALL_FIELDS.to_vec());
        }
        let mut fields = Vec::new();
        let mut unknown = Vec::new();
        for name in asked.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match shapes::ALL_FIELDS.iter().find(|f| **f == name) {
                Some(field) => fields.push(*field),
                None => unknown.push(name.to_owned()),
            }
        }
        if unknown.is_empty() {
            Ok(fields)
        } else {
            Err(Judge0Error::Message(
                StatusCode::BAD_REQUEST,
                format!("invalid fields: [{}]", unknown.join(", ")),
            ))
        }
    }
}

pub(crate) async fn about(_: Judge0Candidate) -> axum::Json<About> {
    axum::Json(About {
        version: shapes::VERSION,
        homepage: "https://judge0.com (this server is gavel; see its docs/judge0.md)".to_owned(),
        source_code: "gavel".to_owned(),
        maintainer: format!("gavel {}", env!("CARGO_PKG_VERSION")),
    })
}

fn language_name() -> String {
    "Python (3.14, gavel sandbox)".to_owned()
}

pub(crate) async fn languages(_: Judge0Candidate) -> axum::Json<Vec<Language>> {
    axum::Json(
        PYTHON_IDS
            .iter()
            .map(|&id| Language {
                id,
                name: language_name(),
            })
            .collect(),
    )
}

pub(crate) async fn language(
    _: Judge0Candidate,
    Segment(id): Segment,
) -> Result<axum::Json<LanguageDetails>, Judge0Error> {
    let id: i64 = id.parse().unwrap_or(-1);
    if !PYTHON_IDS.contains(&id) {
        return Err(Judge0Error::Message(
            StatusCode::NOT_FOUND,
            format!("language with id {id} doesn't exist"),
        ));
    }
    Ok(axum::Json(LanguageDetails {
        id,
        name: language_name(),
        is_archived: false,
        source_file: "script.py",
        compile_cmd: None,
        run_cmd: "python3 script.py",
    }))
}

pub(crate) async fn statuses(_: Judge0Candidate) -> axum::Json<Vec<shapes::Status>> {
    axum::Json(STATUSES.to_vec())
}

pub(crate) async fn config_info(
    State(state): State<Shared>,
    candidate: Judge0Candidate,
) -> axum::Json<ConfigInfo> {
    let _ = state;
    axum::Json(ConfigInfo {
        maintenance_mode: false,
        enable_wait_result: true,
        enable_compiler_options: false,
        allowed_languages_for_compile_options: Vec::new(),
        enable_command_line_arguments: false,
        enable_submission_delete: false,
        enable_callbacks: false,
        callbacks_max_tries: 0,
        callbacks_timeout: 0.0,
        enable_additional_files: false,
        max_queue_size: defaults::MAX_QUEUE,
        cpu_time_limit: defaults::CPU_TIME,
        max_cpu_time_limit: defaults::MAX_CPU_TIME,
        cpu_extra_time: defaults::CPU_EXTRA_TIME,
        max_cpu_extra_time: defaults::MAX_CPU_EXTRA_TIME,
        wall_time_limit: defaults::WALL_TIME,
        max_wall_time_limit: defaults::MAX_WALL_TIME,
        memory_limit: defaults::MEMORY_KB,
        max_memory_limit: defaults::MAX_MEMORY_KB,
        stack_limit: defaults::STACK_KB,
        max_stack_limit: defaults::STACK_KB,
        max_processes_and_or_threads: defaults::PROCESSES,
        max_max_processes_and_or_threads: defaults::MAX_PROCESSES,
        enable_per_process_and_thread_time_limit: false,
        allow_enable_per_process_and_thread_time_limit: true,
        enable_per_process_and_thread_memory_limit: false,
        allow_enable_per_process_and_thread_memory_limit: true,
        max_file_size: defaults::FILE_SIZE_KB,
        max_max_file_size: defaults::MAX_FILE_SIZE_KB,
        number_of_runs: 1,
        max_number_of_runs: defaults::MAX_RUNS,
        redirect_stderr_to_stdout: false,
        max_extract_size: 0,
        enable_batched_submissions: true,
        // A batch larger than the quota on runs in flight would be refused.
        max_submission_batch_size: candidate.quotas.in_flight.clamp(1, defaults::MAX_BATCH),
        submission_cache_duration: 0.0,
        use_docs_as_homepage: false,
        enable_network: false,
        allow_enable_network: false,
    })
}

/// A new token: a random UUID (version 4), as Judge0's.
fn new_token() -> Result<String, Judge0Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        Judge0Error::Message(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("no randomness: {e}"),
        )
    })?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// A checked request, ready to store.
fn new_run(checked: request::Checked) -> Result<NewRun, Judge0Error> {
    let request = serde_json::to_string(&checked.options)
        .map_err(|e| Judge0Error::Message(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(NewRun {
        token: new_token()?,
        source: checked.source,
        stdin: checked.stdin,
        expected_output: checked.expected_output,
        limits: checked.limits,
        request,
    })
}

/// Stores runs for `candidate`, refused as Judge0 refuses a full queue, or
/// as gavel's quotas refuse.
async fn store_runs(
    state: &AppState,
    candidate: &Judge0Candidate,
    runs: &[NewRun],
) -> Result<(), Judge0Error> {
    let stored = {
        let _one_at_a_time = state.submitting.lock().await;
        state
            .store
            .submit_runs(candidate.id, runs, &candidate.quotas, defaults::MAX_QUEUE)
            .await?
    };
    match stored {
        Ok(()) => {
            state.queue.queued();
            Ok(())
        }
        Err(Refusal::QueueFull) => Err(Judge0Error::Message(
            StatusCode::SERVICE_UNAVAILABLE,
            "queue is full".to_owned(),
        )),
        Err(Refusal::InFlight(limit)) => Err(Judge0Error::Message(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "at most {limit} of your submissions may wait or run at once; wait for one to finish"
            ),
        )),
        Err(Refusal::Hourly { limit, retry_after }) => Err(Judge0Error::Message(
            StatusCode::TOO_MANY_REQUESTS,
            format!("at most {limit} submissions in an hour; try again in {retry_after} s"),
        )),
    }
}

/// Reads a JSON request body (at most [`MAX_BODY`]).
async fn json_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, Judge0Error> {
    let bytes = read_body(headers, body, MAX_BODY, state.body_timeout).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Judge0Error::Message(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON: {e}"),
        )
    })
}

pub(crate) async fn create(
    State(state): State<Shared>,
    candidate: Judge0Candidate,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Judge0Error> {
    let params = Params::of(query)?;
    let fields = params.fields()?;
    let body = json_body(&state, &headers, body).await?;
    let checked = request::check(&body, params.base64, candidate.quotas.max_source_bytes)
        .map_err(Judge0Error::Fields)?;
    let run = new_run(checked)?;
    store_runs(&state, &candidate, std::slice::from_ref(&run)).await?;
    tracing::info!(token = %run.token, "run queued");
    if !params.wait {
        let created = Created { token: run.token };
        return Ok((StatusCode::CREATED, axum::Json(created)).into_response());
    }
    let stored = wait_for(&state, candidate.id, &run.token).await?;
    let view = view(&stored, &fields, params.base64)?;
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// The run `token` once judged, or as it stands after [`MAX_WAIT`] (or when
/// the server stops).
async fn wait_for(state: &AppState, candidate: i64, token: &str) -> Result<StoredRun, Judge0Error> {
    let deadline = tokio::time::Instant::now() + MAX_WAIT;
    let mut stopping = state.stopping.clone();
    let over = |run: &StoredRun, stopping: &tokio::sync::watch::Receiver<bool>| {
        run.status == "done" || tokio::time::Instant::now() >= deadline || *stopping.borrow()
    };
    let first = stored_run(state, candidate, token).await?;
    if over(&first, &stopping) {
        return Ok(first);
    }
    // Watched from before the next read, so no change between a read and
    // the wait is missed.
    let mut changes = state.queue.watch(first.id);
    let waited = loop {
        match stored_run(state, candidate, token).await {
            Ok(run) if !over(&run, &stopping) => {}
            done => break done,
        }
        // Woken by the judge (here or, on PostgreSQL, elsewhere); polled
        // once a second besides, in case a wake-up was missed.
        tokio::select! {
            _ = changes.changed() => {}
            _ = stopping.changed() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
    };
    drop(changes);
    state.queue.release(first.id);
    waited
}

/// The candidate's run `token` as stored.
async fn stored_run(
    state: &AppState,
    candidate: i64,
    token: &str,
) -> Result<StoredRun, Judge0Error> {
    state
        .store
        .runs(candidate, &[token.to_owned()])
        .await?
        .pop()
        .flatten()
        .ok_or_else(|| {
            Judge0Error::Message(StatusCode::INTERNAL_SERVER_ERROR, "the run is gone".into())
        })
}

pub(crate) async fn create_batch(
    State(state): State<Shared>,
    candidate: Judge0Candidate,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Judge0Error> {
    let params = Params::of(query)?;
    let body = json_body(&state, &headers, body).await?;
    let Some(items) = body.get("submissions").and_then(Value::as_array) else {
        return Err(Judge0Error::Fields(
            [("submissions".to_owned(), vec!["must be a list".to_owned()])].into(),
        ));
    };
    let most = candidate.quotas.in_flight.clamp(1, defaults::MAX_BATCH) as usize;
    if items.is_empty() || items.len() > most {
        return Err(Judge0Error::Fields(
            [(
                "submissions".to_owned(),
                vec![format!(
                    "must hold from 1 to {most} submissions (max_submission_batch_size)"
                )],
            )]
            .into(),
        ));
    }
    let mut answers: Vec<Value> = Vec::with_capacity(items.len());
    let mut runs = Vec::new();
    for item in items {
        match request::check(item, params.base64, candidate.quotas.max_source_bytes) {
            Ok(checked) => {
                let run = new_run(checked)?;
                answers.push(serde_json::json!({ "token": run.token }));
                runs.push(run);
            }
            Err(errors) => answers.push(serde_json::to_value(errors).unwrap_or_default()),
        }
    }
    if !runs.is_empty() {
        store_runs(&state, &candidate, &runs).await?;
        tracing::info!(runs = runs.len(), "runs queued");
    }
    Ok((StatusCode::CREATED, axum::Json(answers)).into_response())
}

pub(crate) async fn get_one(
    State(state): State<Shared>,
    candidate: Judge0Candidate,
    Segment(token): Segment,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, Judge0Error> {
    let params = Params::of(query)?;
    let fields = params.fields()?;
    let run = state
        .store
        .runs(candidate.id, &[token])
        .await?
        .pop()
        .flatten()
        .ok_or_else(|| Judge0Error::Message(StatusCode::NOT_FOUND, "Not Found".to_owned()))?;
    Ok(axum::Json(view(&run, &fields, params.base64)?).into_response())
}

pub(crate) async fn get_batch(
    State(state): State<Shared>,
    candidate: Judge0Candidate,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, Judge0Error> {
    let params = Params::of(query)?;
    let fields = params.fields()?;
    let tokens: Vec<String> = params
        .tokens
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if tokens.is_empty() || tokens.len() > defaults::MAX_BATCH as usize {
        return Err(Judge0Error::Message(
            StatusCode::BAD_REQUEST,
            format!(
                "give from 1 to {} tokens, comma-separated, in `tokens`",
                defaults::MAX_BATCH
            ),
        ));
    }
    let mut submissions = Vec::with_capacity(tokens.len());
    for run in state.store.runs(candidate.id, &tokens).await? {
        submissions.push(match run {
            Some(run) => Some(view(&run, &fields, params.base64)?),
            None => None,
        });
    }
    Ok(axum::Json(Batch { submissions }).into_response())
}

/// Judge0's status id for a run as it stands.
fn status_id(run: &StoredRun) -> u8 {
    match (run.status.as_str(), &run.result) {
        ("queued", _) => 1,
        ("running", _) | (_, None) => 2,
        (_, Some(result)) => match result.status {
            ProgramStatus::Accepted => 3,
            ProgramStatus::WrongAnswer => 4,
            ProgramStatus::TimeLimit => 5,
            ProgramStatus::CompileError => 6,
            // Judge0's "file size exceeded": its limit on what a program writes.
            ProgramStatus::OutputLimit => 8,
            ProgramStatus::RuntimeError => 11,
            // Judge0 has no memory-limit status (judge0 #298).
            ProgramStatus::MemoryLimit => 12,
            ProgramStatus::InternalError => 13,
        },
    }
}

/// Seconds as Judge0 writes them: a decimal string.
fn seconds(value: f64) -> String {
    format!("{value:.3}")
}

/// A time as the SDK parses it (`%Y-%m-%dT%H:%M:%S.%fZ`).
fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A run as Judge0 shows it, with only `fields`; text fields in base64 when
/// asked, else as text (refused when not UTF-8, as Judge0 refuses).
fn view(run: &StoredRun, fields: &[&str], base64: bool) -> Result<Map<String, Value>, Judge0Error> {
    let options: Options = serde_json::from_str(&run.request).map_err(|e| {
        Judge0Error::Message(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("a stored run: {e}"),
        )
    })?;
    let mut not_text = false;
    let mut text = |bytes: &[u8]| -> String {
        if base64 {
            STANDARD.encode(bytes)
        } else {
            String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| {
                not_text = true;
                String::new()
            })
        }
    };
    let result: Option<&ProgramResult> = run.result.as_ref();
    let id = status_id(run);
    let full = SubmissionView {
        source_code: Some(text(&run.source)),
        language_id: options.language_id,
        stdin: Some(text(&run.stdin)),
        expected_output: run.expected_output.as_deref().map(&mut text),
        stdout: result.map(|r| text(&r.stdout)),
        status_id: id,
        created_at: timestamp(run.submitted_at),
        finished_at: run.finished_at.filter(|_| result.is_some()).map(timestamp),
        time: result.map(|r| seconds(r.fuel as f64 / FUEL_PER_SECOND as f64)),
        wall_time: None,
        memory: result.map(|r| r.peak_memory_bytes / 1024),
        stderr: result.map(|r| text(&r.stderr)),
        token: run.token.clone(),
        number_of_runs: options.number_of_runs,
        cpu_time_limit: seconds(options.cpu_time_limit),
        cpu_extra_time: seconds(options.cpu_extra_time),
        wall_time_limit: seconds(options.wall_time_limit),
        memory_limit: options.memory_limit,
        stack_limit: options.stack_limit,
        max_processes_and_or_threads: options.max_processes_and_or_threads,
        enable_per_process_and_thread_time_limit: options.enable_per_process_and_thread_time_limit,
        enable_per_process_and_thread_memory_limit: options
            .enable_per_process_and_thread_memory_limit,
        max_file_size: options.max_file_size,
        compile_output: result
            .and_then(|r| r.compile_output.as_deref())
            .map(|c| text(c.as_bytes())),
        exit_code: result.and_then(|r| r.exit_code),
        exit_signal: None,
        message: result.and_then(|r| r.message.clone()),
        compiler_options: None,
        command_line_arguments: None,
        redirect_stderr_to_stdout: options.redirect_stderr_to_stdout,
        callback_url: None,
        additional_files: None,
        enable_network: options.enable_network,
        status: status(id),
        language: Language {
            id: options.language_id,
            name: language_name(),
        },
    };
    if not_text {
        return Err(Judge0Error::Message(
            StatusCode::BAD_REQUEST,
            "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter".to_owned(),
        ));
    }
    let Value::Object(mut all) = serde_json::to_value(&full).unwrap_or_default() else {
        return Ok(Map::new());
    };
    all.retain(|key, _| fields.contains(&key.as_str()));
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_version_4_uuids() {
        let token = new_token().map_err(|_| ()).unwrap();
        let parts: Vec<&str> = token.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(token, new_token().map_err(|_| ()).unwrap());
    }

    #[test]
    fn every_status_is_judge0s() {
        assert_eq!(STATUSES.len(), 14);
        for (i, s) in STATUSES.iter().enumerate() {
            assert_eq!(usize::from(s.id), i + 1);
        }
        assert_eq!(status(5).description, "Time Limit Exceeded");
        assert_eq!(timestamp(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
