//! The API error: every failure leaves the edge as
//! `{"error": {"code": "...", "message": "..."}}` with a 4xx status, or as a
//! 500 with code `internal` and no details (the details go to the log only).

use assent_core::error::ErrorClass;
use assent_core::Error as CoreError;
use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::Response;

/// Everything the HTTP API can refuse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A rule of assent-core was broken, or the log refused or failed (the
    /// code is core's; a fault of the storage or the encoder is `internal`).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An error the site's log object answered, as it crossed the hop.
    #[error("{}", .0.message)]
    Relayed(WireError),
    /// The edge's public origin is not configured (`PUBLIC_ORIGINS`).
    #[error("the edge's public origin is not configured")]
    NotConfigured(&'static str),
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
    /// This client sent too many requests for this site; retry later.
    #[error("too many requests; retry in a minute")]
    RateLimited,
    /// A fault of the edge itself; the message is never shown to clients.
    #[error("internal error")]
    Internal(String),
}

/// Core errors that are the edge's own faults, not the caller's: a 500
/// (core's class decides, `assent_core::error::ErrorClass`).
fn fault(e: &CoreError) -> bool {
    e.class() == ErrorClass::Fault
}

impl ApiError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &str {
        match self {
            ApiError::Core(e) if fault(e) => "internal",
            ApiError::Core(e) => e.code(),
            ApiError::Relayed(e) => &e.code,
            ApiError::NotConfigured(_) => "internal",
            ApiError::SiteUnknown(_) => "site_unknown",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::Unauthorized => "unauthorized",
            ApiError::RateLimited => "rate_limited",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Core(e) => e.class().status(),
            ApiError::Relayed(e) => e.status,
            ApiError::NotConfigured(_) => 500,
            ApiError::SiteUnknown(_) | ApiError::NotFound => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::BodyTooLarge { .. } => 413,
            ApiError::Unauthorized => 401,
            ApiError::RateLimited => 429,
            ApiError::Internal(_) => 500,
        }
    }

    /// What a client may read: internals go to the log, never out.
    fn public_message(&self) -> String {
        if self.status() >= 500 && !matches!(self, ApiError::Relayed(_)) {
            worker::console_error!("internal error: {self:?}");
            return "internal error".to_string();
        }
        self.to_string()
    }

    /// The error as it crosses from the log object to the Worker.
    pub fn to_wire(&self) -> WireError {
        WireError {
            status: self.status(),
            code: self.code().to_string(),
            message: self.public_message(),
        }
    }

    /// The JSON error response.
    pub fn to_response(&self) -> Response {
        let body = json!({"error": {"code": self.code(), "message": self.public_message()}});
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

/// An error as it crosses the hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireError {
    /// HTTP status.
    pub status: u16,
    /// Stable code.
    pub code: String,
    /// Message for people (never internals: those stay in the object's log).
    pub message: String,
}
