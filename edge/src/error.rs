//! The API error: every failure leaves the edge as
//! `{"error": {"code": "...", "message": "..."}}` with a 4xx status, or as a
//! 500 with code `internal` and no details (the details go to the log only).

use assent_core::Error as CoreError;
use serde_json::json;
use worker::Response;

/// Everything the HTTP API can refuse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A rule of assent-core was broken (the code is core's).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The site id is well-formed but the edge has no such site.
    #[error("site {0:?} is not served by this edge")]
    SiteUnknown(String),
    /// No route has this path.
    #[error("no such resource")]
    NotFound,
    /// The route exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The body is larger than the API reads.
    #[error("request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The admin key is missing or wrong.
    #[error("a valid admin key is required")]
    Unauthorized,
    /// An event id was reused for a different event.
    #[error("event id {0} was already used for a different event")]
    EventIdConflict(String),
    /// The log has no record yet, so there is no checkpoint to show.
    #[error("the log is empty: no checkpoint yet")]
    LogEmpty,
    /// This client sent too many requests for this site; retry later.
    #[error("too many requests; retry in a minute")]
    RateLimited,
    /// A query parameter is missing or malformed.
    #[error("query parameter {0:?} is invalid")]
    QueryInvalid(&'static str),
    /// A fault of the edge itself; the message is never shown to clients.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Core(e) => e.code(),
            ApiError::SiteUnknown(_) => "site_unknown",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::Unauthorized => "unauthorized",
            ApiError::EventIdConflict(_) => "event_id_conflict",
            ApiError::RateLimited => "rate_limited",
            ApiError::LogEmpty => "log_empty",
            ApiError::QueryInvalid(_) => "query_invalid",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Core(CoreError::OriginNotAllowed { .. }) => 403,
            ApiError::Core(_) => 400,
            ApiError::SiteUnknown(_) | ApiError::NotFound | ApiError::LogEmpty => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::BodyTooLarge { .. } => 413,
            ApiError::Unauthorized => 401,
            ApiError::EventIdConflict(_) => 409,
            ApiError::RateLimited => 429,
            ApiError::QueryInvalid(_) => 400,
            ApiError::Internal(_) => 500,
        }
    }

    /// The JSON error response.
    pub fn to_response(&self) -> Response {
        let message = match self {
            ApiError::Internal(detail) => {
                worker::console_error!("internal error: {detail}");
                "internal error".to_string()
            }
            other => other.to_string(),
        };
        let body = json!({"error": {"code": self.code(), "message": message}});
        let mut resp = Response::from_json(&body).unwrap_or_else(|_| Response::empty().unwrap());
        resp = resp.with_status(self.status());
        let _ = resp.headers_mut().set("cache-control", "no-store");
        if matches!(self, ApiError::RateLimited) {
            let _ = resp.headers_mut().set("retry-after", "60");
        }
        resp
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}
