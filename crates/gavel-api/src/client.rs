//! The candidate's client of `gavel serve`: blocking HTTP (the CLI does one
//! thing at a time), the same shapes as the server.

use crate::shapes::{ErrorBody, Me, Pack, StreamLine, SubmissionDetails, SubmissionInfo};
use gavel_exercise::view::{ExerciseDetails, ExerciseSummary};
use gavel_judge::SubmissionResult;
use std::io::BufRead;
use std::time::Duration;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached.
    #[error("cannot reach the gavel server at {url}: {reason}")]
    Unreachable {
        /// The server.
        url: String,
        /// Why.
        reason: String,
    },
    /// The token is unknown (401) or revoked (403).
    #[error("the server refused the token: {0} (check it, or `gavel login URL TOKEN` again)")]
    Token(String),
    /// Any other error the server answered with.
    #[error("the server answered {status}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The error's code (docs/api.md).
        code: String,
        /// What happened.
        message: String,
    },
    /// The answer was not what the API promises.
    #[error("the server's answer cannot be read: {0}")]
    Protocol(String),
}

/// A client of one server, with one candidate's token.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
}

type Response = ureq::http::Response<ureq::Body>;

impl Client {
    /// A client of the server at `base` (such as `http://127.0.0.1:8080`).
    pub fn new(base: &str, token: &str) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .build();
        Client {
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            agent: config.into(),
        }
    }

    /// The server's address.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> ClientError {
        ClientError::Unreachable {
            url: self.base.clone(),
            reason: e.to_string(),
        }
    }

    fn check(&self, mut response: Response) -> Result<Response, ClientError> {
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(response);
        }
        let body: Option<ErrorBody> = response.body_mut().read_json().ok();
        let (code, message) = body
            .map(|b| (b.error, b.message))
            .unwrap_or_else(|| ("unknown".into(), format!("HTTP {status}")));
        if status == 401 || status == 403 {
            return Err(ClientError::Token(message));
        }
        Err(ClientError::Api {
            status,
            code,
            message,
        })
    }

    fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let response = self
            .agent
            .get(self.url(path))
            .header("Authorization", format!("Bearer {}", self.token))
            .call()
            .map_err(|e| self.unreachable(e))?;
        let mut response = self.check(response)?;
        response
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_json()
            .map_err(|e| ClientError::Protocol(e.to_string()))
    }

    /// Who the token belongs to.
    pub fn me(&self) -> Result<Me, ClientError> {
        self.get("/me")
    }

    /// The exercises.
    pub fn exercises(&self) -> Result<Vec<ExerciseSummary>, ClientError> {
        self.get("/exercises")
    }

    /// One exercise as a candidate may read it.
    pub fn exercise(&self, id: &str) -> Result<ExerciseDetails, ClientError> {
        self.get(&format!("/exercises/{id}"))
    }

    /// The candidate's copy of an exercise.
    pub fn pack(&self, id: &str) -> Result<Pack, ClientError> {
        self.get(&format!("/exercises/{id}/pack"))
    }

    /// The candidate's submissions, newest first.
    pub fn submissions(&self) -> Result<Vec<SubmissionInfo>, ClientError> {
        self.get("/submissions")
    }

    /// One submission and its result once done.
    pub fn submission(&self, id: i64) -> Result<SubmissionDetails, ClientError> {
        self.get(&format!("/submissions/{id}"))
    }

    /// Uploads a source for an exercise.
    pub fn submit(&self, exercise: &str, source: &[u8]) -> Result<SubmissionInfo, ClientError> {
        let response = self
            .agent
            .post(self.url(&format!("/exercises/{exercise}/submissions")))
            .header("Authorization", format!("Bearer {}", self.token))
            .content_type("text/x-python")
            .send(source)
            .map_err(|e| self.unreachable(e))?;
        let mut response = self.check(response)?;
        response
            .body_mut()
            .read_json()
            .map_err(|e| ClientError::Protocol(e.to_string()))
    }

    /// Follows a submission to its result, calling `on_line` with each line
    /// of its live view. A dropped connection (a server restarting) is
    /// followed again; a test seen before is not reported twice.
    pub fn follow(
        &self,
        id: i64,
        mut on_line: impl FnMut(&StreamLine),
    ) -> Result<SubmissionResult, ClientError> {
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut failures = 0;
        loop {
            match self.follow_once(id, &mut seen, &mut on_line) {
                Ok(Some(result)) => return Ok(result),
                Ok(None) => failures = 0,
                Err(ClientError::Unreachable { .. }) if failures < 60 => failures += 1,
                Err(e) => return Err(e),
            }
            // The stream ended early: the server is restarting. The
            // submission is safe in its queue.
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn follow_once(
        &self,
        id: i64,
        seen: &mut std::collections::HashSet<String>,
        on_line: &mut impl FnMut(&StreamLine),
    ) -> Result<Option<SubmissionResult>, ClientError> {
        let response = self
            .agent
            .get(self.url(&format!("/submissions/{id}/events")))
            .header("Authorization", format!("Bearer {}", self.token))
            .call()
            .map_err(|e| self.unreachable(e))?;
        let response = self.check(response)?;
        let reader = std::io::BufReader::new(response.into_body().into_reader());
        for text in reader.lines() {
            let Ok(text) = text else {
                return Ok(None);
            };
            if text.trim().is_empty() {
                continue;
            }
            let line: StreamLine = serde_json::from_str(&text)
                .map_err(|e| ClientError::Protocol(format!("{e}: {text}")))?;
            match &line {
                StreamLine::Test(test) if !seen.insert(test.name.clone()) => continue,
                StreamLine::Done(result) => {
                    on_line(&line);
                    return Ok(Some((**result).clone()));
                }
                _ => on_line(&line),
            }
        }
        Ok(None)
    }
}
