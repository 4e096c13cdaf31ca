//! The API error: every failure leaves the edge as
//! `{"error": {"code": "...", "message": "..."}}` with a 4xx status, or as a
//! 500 with code `internal` and no details (the details go to the log only).
//! Every code and status is core's (`assent_core::error`, its class): the
//! edge mints none, its own refusals too are core's `RequestError`.

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
            ApiError::NotConfigured(_) | ApiError::Internal(_) => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Core(e) => e.class().status(),
            ApiError::Relayed(e) => e.status,
            ApiError::NotConfigured(_) | ApiError::Internal(_) => 500,
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
        if self.status() == ErrorClass::TooMany.status() {
            let _ = resp.headers_mut().set("retry-after", "60");
        }
        resp
    }
}

impl From<assent_core::error::RequestError> for ApiError {
    fn from(e: assent_core::error::RequestError) -> Self {
        ApiError::Core(e.into())
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
