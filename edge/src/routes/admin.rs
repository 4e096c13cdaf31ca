//! The site owner's API, behind the admin key (`Authorization: Bearer KEY`).
//!
//! `GET /v1/admin/sites/{site}/events?limit=50&before=INDEX` lists stored
//! records newest first; `next_before` in the answer fetches the next page.
//! `GET /v1/admin/sites/{site}/export` streams every record, oldest first, as
//! JSON Lines `{"index":N,"record":{...}}` with the record's logged bytes.

use assent_core::config::SiteConfig;
use futures_util::stream;
use sha2::{Digest, Sha256};
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::routes::query_u64;
use crate::site_log;

/// Default and largest page size.
const DEFAULT_LIMIT: u64 = 50;
const MAX_LIMIT: u64 = 500;

/// Checks the bearer token against the `ADMIN_KEY` secret.
pub fn authorize(req: &Request, env: &Env) -> Result<(), ApiError> {
    let expected = env
        .secret("ADMIN_KEY")
        .map(|s| s.to_string())
        .map_err(|_| ApiError::Unauthorized)?;
    let given = req
        .headers()
        .get("authorization")
        .ok()
        .flatten()
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
        .ok_or(ApiError::Unauthorized)?;
    // Comparing digests keeps the comparison's timing independent of how many
    // leading bytes of the key a guess got right.
    let ok = !expected.is_empty()
        && Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes());
    if ok {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// Lists a page of stored records, newest first.
pub async fn list_events(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
) -> Result<Response, ApiError> {
    authorize(req, env)?;
    let limit = query_u64(req, "limit")?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::QueryInvalid("limit"));
    }
    let before = query_u64(req, "before")?;
    let mut path = format!("/records?limit={limit}");
    if let Some(before) = before {
        path.push_str(&format!("&before={before}"));
    }
    let mut resp = site_log::get(env, &site.site, &path).await?;
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// Streams the whole log as JSON Lines, a page of 1000 records at a time, so
/// an export of any size runs in constant memory.
pub fn export(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    authorize(req, env)?;
    let state = (env.clone(), site.site.clone(), Some(0u64));
    let pages = stream::unfold(state, |(env, site, from)| async move {
        let from = from?;
        match site_log::export_page_of(&env, &site, from).await {
            Ok((bytes, next)) => Some((Ok::<Vec<u8>, worker::Error>(bytes), (env, site, next))),
            Err(e) => Some((
                Err(worker::Error::RustError(e.to_string())),
                (env, site, None),
            )),
        }
    });
    let headers = Headers::new();
    headers.set("content-type", "application/x-ndjson")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_stream(pages)?.with_headers(headers))
}
