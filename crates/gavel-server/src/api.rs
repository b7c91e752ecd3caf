//! The HTTP API (docs/api.md): routes, bearer-token authentication, quotas,
//! and errors as JSON with their status.

use crate::http::{ApiError, AppState, Segment, read_body};
use crate::judge0;
use crate::store::{Account, Refusal, StoreError};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use gavel_api::shapes::{
    Health, Me, Pack, PackFile, StreamLine, SubmissionDetails, SubmissionStatus,
};
use gavel_exercise::Verdict;
use gavel_exercise::view::{ExerciseDetails, ExerciseSummary};
use gavel_judge::TestResult;
use std::sync::Arc;
use std::time::Duration;

/// The OpenAPI description of this API, served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("../../../docs/openapi.json");

type Shared = Arc<AppState>;

/// The candidate a request's bearer token belongs to.
pub(crate) struct Candidate(Account);

impl FromRequestParts<Shared> for Candidate {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let unauthorized =
            |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("send `Authorization: Bearer TOKEN`"))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer TOKEN`"))?;
        let account = state
            .store
            .authenticate(token)
            .await?
            .ok_or_else(|| unauthorized("unknown token"))?;
        if account.revoked {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "revoked",
                "this token was revoked; ask the hiring team",
            ));
        }
        Ok(Candidate(account))
    }
}

/// The routes, as served: the router and the list the OpenAPI description
/// is checked against.
pub struct Routes {
    router: Router<Shared>,
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<Shared>,
    ) -> Routes {
        self.list.push((method, path));
        self.router = self.router.route(path, route);
        self
    }

    /// Every (method, path) served.
    pub fn list(&self) -> &[(&'static str, &'static str)] {
        &self.list
    }
}

/// The API's routes.
pub fn routes() -> Routes {
    Routes {
        router: Router::new(),
        list: Vec::new(),
    }
    .add("get", "/api/v1/health", get(health))
    .add("get", "/api/v1/openapi.json", get(openapi))
    .add("get", "/api/v1/me", get(me))
    .add("get", "/api/v1/exercises", get(exercises))
    .add("get", "/api/v1/exercises/{id}", get(exercise))
    .add("get", "/api/v1/exercises/{id}/pack", get(pack))
    .add("post", "/api/v1/exercises/{id}/submissions", post(submit))
    .add("get", "/api/v1/submissions", get(submissions))
    .add("get", "/api/v1/submissions/{id}", get(submission))
    .add("get", "/api/v1/submissions/{id}/events", get(events))
    // The Judge0-compatible surface (`serve --judge0`; else `no_route`).
    .add("get", "/judge0/about", get(judge0::about))
    .add("get", "/judge0/languages", get(judge0::languages))
    .add("get", "/judge0/languages/{id}", get(judge0::language))
    .add("get", "/judge0/statuses", get(judge0::statuses))
    .add("get", "/judge0/config_info", get(judge0::config_info))
    .add("post", "/judge0/submissions", post(judge0::create))
    .add("get", "/judge0/submissions/{token}", get(judge0::get_one))
    .add(
        "post",
        "/judge0/submissions/batch",
        post(judge0::create_batch),
    )
    .add("get", "/judge0/submissions/batch", get(judge0::get_batch))
}

/// The router with its state, and JSON for unknown routes and methods.
pub(crate) fn router(state: Shared) -> Router {
    routes()
        .router
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "no_route",
                "method not allowed here",
            )
        })
        .with_state(state)
}

async fn health() -> axum::Json<Health> {
    axum::Json(Health {
        ok: true,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn me(State(state): State<Shared>, Candidate(account): Candidate) -> axum::Json<Me> {
    axum::Json(Me {
        name: account.name,
        limits: state.quotas,
    })
}

async fn exercises(State(state): State<Shared>, _: Candidate) -> axum::Json<Vec<ExerciseSummary>> {
    axum::Json(
        state
            .queue
            .exercises()
            .iter()
            .map(|e| ExerciseSummary::of(e))
            .collect(),
    )
}

async fn exercise(
    State(state): State<Shared>,
    _: Candidate,
    Segment(id): Segment,
) -> Result<axum::Json<ExerciseDetails>, ApiError> {
    let exercise = state
        .queue
        .exercise(&id)
        .ok_or_else(|| ApiError::not_found(format!("no exercise `{id}`")))?;
    Ok(axum::Json(ExerciseDetails::of(exercise)))
}

async fn pack(
    State(state): State<Shared>,
    _: Candidate,
    Segment(id): Segment,
) -> Result<axum::Json<Pack>, ApiError> {
    let pack = state
        .queue
        .pack(&id)
        .await
        .map_err(|e| match e {
            crate::queue::PackFailed::Pack(e @ gavel_judge::pack::PackError::Suite(_)) => {
                ApiError::new(StatusCode::CONFLICT, "no_pack", e.to_string())
            }
            e => {
                tracing::error!(exercise = %id, "cannot make its pack: {e}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "cannot make the exercise's pack",
                )
            }
        })?
        .ok_or_else(|| ApiError::not_found(format!("no exercise `{id}`")))?;
    Ok(axum::Json(Pack {
        exercise: id,
        files: pack
            .files
            .iter()
            .map(|(path, bytes)| PackFile::new(path.clone(), bytes))
            .collect(),
    }))
}

async fn read_source(
    headers: &HeaderMap,
    body: Body,
    max: u64,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let bytes = read_body(headers, body, max, timeout)
        .await
        .map_err(|mut e| {
            if e.status == StatusCode::PAYLOAD_TOO_LARGE {
                e.body.message = format!("a source may be at most {max} bytes");
            }
            e
        })?;
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the body must be the Python source",
        ));
    }
    Ok(bytes)
}

async fn submit(
    State(state): State<Shared>,
    Candidate(account): Candidate,
    Segment(id): Segment,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if state.queue.exercise(&id).is_none() {
        return Err(ApiError::not_found(format!("no exercise `{id}`")));
    }
    let source = read_source(
        &headers,
        body,
        state.quotas.max_source_bytes,
        state.body_timeout,
    )
    .await?;
    let stored = {
        let _one_at_a_time = state.submitting.lock().await;
        state
            .store
            .submit(account.id, &id, &source, &state.quotas)
            .await?
    };
    let info = match stored {
        Ok(info) => info,
        Err(Refusal::InFlight(limit)) => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_in_flight",
                format!(
                    "at most {limit} submissions may wait or run at once; wait for one to finish"
                ),
            ));
        }
        Err(Refusal::QueueFull) => {
            // Only runs are refused for this (`submit_runs`).
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the queue is full; try again later",
            ));
        }
        Err(Refusal::Hourly { limit, retry_after }) => {
            let mut error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "hourly_limit",
                format!(
                    "at most {limit} submissions per exercise in an hour; try again in {retry_after} s"
                ),
            );
            error.retry_after = Some(retry_after);
            return Err(error);
        }
    };
    tracing::info!(submission = info.id, candidate = %account.name, exercise = %id, "queued");
    state.queue.queued();
    let location = format!("/api/v1/submissions/{}", info.id);
    let mut response = (StatusCode::ACCEPTED, axum::Json(info)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn submissions(
    State(state): State<Shared>,
    Candidate(account): Candidate,
) -> Result<Response, ApiError> {
    Ok(axum::Json(state.store.submissions_of(account.id).await?).into_response())
}

fn submission_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found(format!("no submission `{id}`")))
}

async fn submission(
    State(state): State<Shared>,
    Candidate(account): Candidate,
    Segment(id): Segment,
) -> Result<axum::Json<SubmissionDetails>, ApiError> {
    let id = submission_id(&id)?;
    // Another candidate's submission is "not found": its existence is theirs.
    let visible = state
        .store
        .submission(account.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no submission {id}")))?;
    Ok(axum::Json(SubmissionDetails {
        submission: visible.info,
        result: visible.result,
    }))
}

/// How long a live view waits for a change before looking anyway.
const FOLLOW_POLL: Duration = Duration::from_secs(1);

/// A live view of one submission, as the stream's state.
///
/// It sends the tests the engine reported live (public ones judged before
/// any hidden one) as they are stored; every other test only when the
/// result is released, just before it. So when a hidden test finished is
/// never visible, and the result itself arrives a whole number of seconds
/// after the submission (docs/confidentiality.md).
struct Follow {
    state: Shared,
    candidate: i64,
    id: i64,
    position: i64,
    sent: std::collections::HashSet<String>,
    status: Option<SubmissionStatus>,
    /// When the judged result is released, while it is not yet.
    release_at: Option<i64>,
    changes: tokio::sync::watch::Receiver<u64>,
    stopping: tokio::sync::watch::Receiver<bool>,
    ended: bool,
}

fn line(item: &StreamLine) -> String {
    let mut text = serde_json::to_string(item).unwrap_or_default();
    text.push('\n');
    text
}

impl Follow {
    /// The next lines to send, waiting for a change when there are none;
    /// `None` when the stream ends.
    async fn next(&mut self) -> Option<Result<String, std::io::Error>> {
        while !self.ended {
            self.changes.borrow_and_update();
            match self.poll().await {
                Ok(Some(text)) => return Some(Ok(text)),
                Ok(None) => {}
                // The state may be unreadable for a while (a full disk can
                // fail a new connection): the view waits and looks again, so
                // it still ends with the result.
                Err(e) => tracing::debug!(submission = self.id, "live view cannot read: {e}"),
            }
            if *self.stopping.borrow() {
                // The server is stopping: the client follows again later.
                return None;
            }
            let wait = match self.release_at {
                Some(at) => {
                    Duration::from_millis(u64::try_from(at - self.state.store.now()).unwrap_or(0))
                        .min(FOLLOW_POLL)
                }
                None => FOLLOW_POLL,
            };
            tokio::select! {
                _ = self.changes.changed() => {}
                _ = self.stopping.changed() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        None
    }

    /// The lines of the tests stored since the last ones sent.
    async fn new_tests(&mut self) -> Result<String, StoreError> {
        let tests = self.state.store.tests_after(self.id, self.position).await?;
        let mut text = String::new();
        if let Some((last, _)) = tests.last() {
            self.position = *last;
            for (_, json) in &tests {
                if let Ok(test) = serde_json::from_str::<TestResult>(json)
                    && self.sent.insert(test.name.clone())
                {
                    text.push_str(&line(&StreamLine::Test(Box::new(test))));
                }
            }
        }
        Ok(text)
    }

    async fn poll(&mut self) -> Result<Option<String>, StoreError> {
        let tests = self.new_tests().await?;
        if !tests.is_empty() {
            return Ok(Some(tests));
        }
        let Some(visible) = self.state.store.submission(self.candidate, self.id).await? else {
            self.ended = true;
            return Ok(None);
        };
        self.release_at = visible.release_at;
        if let Some(result) = visible.result {
            self.ended = true;
            self.state.queue.release(self.id);
            // The last live tests may have been stored after the read above;
            // then every test not sent yet, in order; then the result.
            let mut text = self.new_tests().await?;
            for test in &result.tests {
                if test.verdict != Verdict::CompileError && self.sent.insert(test.name.clone()) {
                    text.push_str(&line(&StreamLine::Test(Box::new(test.clone()))));
                }
            }
            text.push_str(&line(&StreamLine::Done(Box::new(result))));
            return Ok(Some(text));
        }
        if self.status != Some(visible.info.status) {
            self.status = Some(visible.info.status);
            return Ok(Some(line(&StreamLine::Status(visible.info.status))));
        }
        Ok(None)
    }
}

async fn events(
    State(state): State<Shared>,
    Candidate(account): Candidate,
    Segment(id): Segment,
) -> Result<Response, ApiError> {
    let id = submission_id(&id)?;
    if state.store.submission(account.id, id).await?.is_none() {
        return Err(ApiError::not_found(format!("no submission {id}")));
    }
    let follow = Follow {
        changes: state.queue.watch(id),
        stopping: state.stopping.clone(),
        state: state.clone(),
        candidate: account.id,
        id,
        position: -1,
        sent: std::collections::HashSet::new(),
        status: None,
        release_at: None,
        ended: false,
    };
    let stream = futures_util::stream::unfold(follow, |mut follow| async move {
        follow.next().await.map(|item| (item, follow))
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response())
}
