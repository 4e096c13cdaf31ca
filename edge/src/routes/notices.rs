//! `GET /v1/sites/{site}/notices/{hash}`: the notice archive. The answer is
//! the exact bytes whose SHA-256 is `hash` (the RFC 8785 text of a banner or
//! form notice), as kept by the site's log object from the first record
//! that referred to it, or from the first time it was asked for while the
//! site showed it (`assent_core::log::archive`). Immutable: cached for a year.

use assent_core::ids::{NoticeHash, SiteId};
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, NoticeQuery};
use crate::routes::Query;

/// Answers a notice of the archive; `notice_hash_invalid` (400) for a hash
/// that is not 64 lowercase hex digits, `notice_unknown` (404) for one the
/// archive does not keep and the site does not show.
pub async fn get(
    req: &Request,
    env: &Env,
    site: &SiteId,
    hash: &str,
) -> Result<Response, ApiError> {
    Query::parse(req, &[])?;
    let query = NoticeQuery {
        site: site.clone(),
        hash: NoticeHash::new(hash)?,
    };
    let notice = messages::call(env, site, &messages::NOTICE, &query).await?;
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "public, max-age=31536000, immutable")?;
    Ok(Response::ok(notice.canonical)?.with_headers(headers))
}
