//! A request the edge cannot route or read: refused before any rule of a
//! site is asked (the edge's router, its body and rate limits, its keys).

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

/// A request the edge cannot route or read.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum RequestError {
    /// The site id is well-formed but the edge serves no such site.
    #[error("site {site:?} is not served by this edge")]
    SiteUnknown {
        /// The site id asked for.
        site: String,
    },
    /// No route has this path.
    #[error("no such resource")]
    NotFound,
    /// The route exists, but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The body is larger than the route reads.
    #[error("request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body stopped before its end: the client or the network broke
    /// it off while the route read it. Nothing was read into a record.
    #[error("the request body could not be read to its end")]
    BodyUnreadable,
    /// An owner's route without a bearer key, or with one the edge never
    /// issued.
    #[error("a valid admin key is required")]
    Unauthorized,
    /// This client sent too many requests for this site; retry later.
    #[error("too many requests; retry in a minute")]
    RateLimited,
    /// A preview of a draft was asked to record something: a preview shows
    /// the draft and records nothing.
    #[error("this is a preview of a draft: nothing is recorded")]
    PreviewOnly,
}

impl RequestError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::SiteUnknown { .. } => "site_unknown",
            RequestError::NotFound => "not_found",
            RequestError::MethodNotAllowed => "method_not_allowed",
            RequestError::BodyTooLarge { .. } => "body_too_large",
            RequestError::BodyUnreadable => "body_unreadable",
            RequestError::Unauthorized => "unauthorized",
            RequestError::RateLimited => "rate_limited",
            RequestError::PreviewOnly => "preview_only",
        }
    }
}

impl From<RequestError> for Error {
    fn from(e: RequestError) -> Self {
        Error::Request(e)
    }
}
