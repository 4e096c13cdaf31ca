//! Origins and CORS. A browser request from a page is accepted only from the
//! site's allowed origins or from the edge's own origin (its demo pages);
//! requests without an `Origin` header (servers, curl) are not browser
//! requests and are judged by their content alone.

use assent_core::config::SiteConfig;
use worker::{Headers, Request, Response};

use crate::error::ApiError;

/// The edge's own origin, taken from the request URL.
pub fn self_origin(req: &Request) -> Option<String> {
    req.url().ok().map(|u| u.origin().ascii_serialization())
}

/// Checks the `Origin` header against the site; returns the origin to echo in
/// `Access-Control-Allow-Origin`, if any.
pub fn check(req: &Request, site: &SiteConfig) -> Result<Option<String>, ApiError> {
    let origin = match req.headers().get("origin").ok().flatten() {
        Some(o) => o,
        None => return Ok(None),
    };
    let own = self_origin(req).is_some_and(|s| s == origin);
    if own || site.is_origin_allowed(&origin) {
        Ok(Some(origin))
    } else {
        Err(assent_core::Error::OriginNotAllowed {
            origin: origin.chars().take(80).collect(),
        }
        .into())
    }
}

/// Adds CORS headers to `resp`. The response is rebuilt from its bytes, because
/// a response that came from a Durable Object has immutable headers in workerd.
pub async fn decorate(mut resp: Response, allow_origin: Option<&str>) -> Response {
    let status = resp.status_code();
    let headers = Headers::new();
    for (k, v) in resp.headers().entries() {
        let _ = headers.set(&k, &v);
    }
    if let Some(origin) = allow_origin {
        let _ = headers.set("access-control-allow-origin", origin);
    }
    let _ = headers.append("vary", "Origin");
    match resp.bytes().await.and_then(Response::from_bytes) {
        Ok(r) => r.with_status(status).with_headers(headers),
        Err(e) => ApiError::Internal(format!("rebuild response: {e}")).to_response(),
    }
}

/// The answer to a CORS preflight from an allowed origin.
pub fn preflight(allow_origin: Option<&str>) -> Response {
    let headers = Headers::new();
    if let Some(origin) = allow_origin {
        let _ = headers.set("access-control-allow-origin", origin);
        let _ = headers.set("access-control-allow-methods", "GET, POST, OPTIONS");
        let _ = headers.set("access-control-allow-headers", "content-type");
        let _ = headers.set("access-control-max-age", "86400");
    }
    let _ = headers.set("vary", "Origin");
    Response::empty()
        .map(|r| r.with_status(204).with_headers(headers))
        .unwrap_or_else(|_| ApiError::Internal("preflight".into()).to_response())
}
