//! Origins and CORS. A browser request from a page is accepted only from the
//! site's allowed origins or from the edge's own configured origin (its demo
//! pages; see [`crate::public_origin`]);
//! requests without an `Origin` header (servers, curl) are not browser
//! requests and are judged by their content alone.

use assent_core::config::SiteConfig;
use assent_core::error::EventError;
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::public_origin::self_origin;

/// Checks the `Origin` header against the site; returns the origin to echo in
/// `Access-Control-Allow-Origin`, if any.
pub fn check(req: &Request, env: &Env, site: &SiteConfig) -> Result<Option<String>, ApiError> {
    let origin = match req.headers().get("origin").ok().flatten() {
        Some(o) => o,
        None => return Ok(None),
    };
    let own = self_origin(req, env).is_some_and(|s| s == origin);
    if own || site.is_origin_allowed(&origin) {
        Ok(Some(origin))
    } else {
        let refused = EventError::OriginNotAllowed {
            origin: origin.chars().take(80).collect(),
        };
        Err(ApiError::Core(refused.into()))
    }
}

/// Adds CORS headers to `resp`. Every response reaching here was built by
/// this Worker (`site_log` already rebuilds what a Durable Object answered,
/// whose headers are immutable in workerd), so its headers can be set in place.
pub fn decorate(mut resp: Response, allow_origin: Option<&str>) -> Response {
    let headers = resp.headers_mut();
    if let Some(origin) = allow_origin {
        let _ = headers.set("access-control-allow-origin", origin);
        if origin != "*" {
            // The widget sends credentials, so an edge on a sibling subdomain
            // receives and sets its consent cookie (see `consent_cookie`).
            let _ = headers.set("access-control-allow-credentials", "true");
        }
    }
    let _ = headers.append("vary", "Origin");
    resp
}

/// The answer to a CORS preflight from an allowed origin.
pub fn preflight(allow_origin: Option<&str>) -> Response {
    let headers = Headers::new();
    if let Some(origin) = allow_origin {
        let _ = headers.set("access-control-allow-origin", origin);
        let _ = headers.set("access-control-allow-methods", "GET, POST, OPTIONS");
        // authorization: a receipt presented for the subject's own state;
        // assent-key, assent-subject: the widget's subject key and the
        // subject it proves (assent_core::subject_key).
        let _ = headers.set(
            "access-control-allow-headers",
            "content-type, authorization, assent-key, assent-subject",
        );
        let _ = headers.set("access-control-max-age", "86400");
        if origin != "*" {
            let _ = headers.set("access-control-allow-credentials", "true");
        }
    }
    let _ = headers.set("vary", "Origin");
    Response::empty()
        .map(|r| r.with_status(204).with_headers(headers))
        .unwrap_or_else(|_| ApiError::Internal("preflight".into()).to_response())
}
