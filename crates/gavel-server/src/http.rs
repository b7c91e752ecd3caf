//! What the HTTP handlers share (gavel's API and the Judge0 surface): the
//! state, errors as JSON with their status, path segments, request bodies.

use crate::queue::Queue;
use crate::store::{Store, StoreError};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use gavel_api::shapes::{ErrorBody, Quotas};
use std::sync::Arc;
use std::time::Duration;

/// What every handler shares.
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) queue: Arc<Queue>,
    pub(crate) quotas: Quotas,
    /// Quota checks and inserts of one server happen one at a time, so two
    /// requests cannot both pass a check.
    pub(crate) submitting: tokio::sync::Mutex<()>,
    pub(crate) stopping: tokio::sync::watch::Receiver<bool>,
    /// How long a request's body may take to arrive.
    pub(crate) body_timeout: Duration,
    /// The Judge0-compatible surface's quotas on runs, when it is enabled.
    pub(crate) judge0: Option<Quotas>,
}

/// An error of the API: a status and a JSON body.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: ErrorBody,
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: code.to_owned(),
                message: message.into(),
            },
            retry_after: None,
        }
    }

    pub(crate) fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    pub(crate) fn no_route() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such route")
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        if e.is_full() {
            // Logged once per outage by the store; the client tries again.
            let mut error = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_full",
                "the server's storage is full; nothing was lost, try again later",
            );
            error.retry_after = Some(STORAGE_RETRY_AFTER);
            return error;
        }
        tracing::error!("{e}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server's state failed; try again",
        )
    }
}

/// Seconds a client is asked to wait while the server's storage is full.
const STORAGE_RETRY_AFTER: u64 = 30;

/// A path parameter, refused as JSON like every other error (axum's own
/// rejection is plain text, e.g. for `%ff`, which is not UTF-8).
pub(crate) struct Segment(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(segment)) => Ok(Segment(segment)),
            Err(rejection) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                rejection.body_text(),
            )),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A request's whole body, at most `max` bytes (413 beyond), within
/// `timeout` (408 after).
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    max: u64,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a request's body may be at most {max} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let limit = usize::try_from(max).unwrap_or(usize::MAX);
    // A whole body within the timeout, however slowly it trickles in: a
    // body shorter than its Content-Length would otherwise hold the
    // connection for ever.
    let read = tokio::time::timeout(timeout, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!("the body did not arrive within {} s", timeout.as_secs_f64()),
            )
        })?;
    let bytes = read.map_err(|e| {
        let length_limit = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if length_limit {
            too_large()
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("cannot read the body: {e}"),
            )
        }
    })?;
    Ok(bytes)
}
