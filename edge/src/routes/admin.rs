//! The site owner's API, behind the admin key (`Authorization: Bearer KEY`).
//!
//! `GET /v1/admin/sites/{site}/events?limit=50&before=INDEX` lists stored
//! records newest first; `next_before` in the answer fetches the next page.
//! `GET /v1/admin/sites/{site}/export` streams every record, oldest first, as
//! JSON Lines `{"index":N,"record":{...}}` with the record's logged bytes.
//! Paging limits are core's (`assent_core::log::sequencer::PageRequest`).

use assent_core::ids::SiteId;
use assent_core::log::sequencer::PageRequest;
use futures_util::stream;
use sha2::{Digest, Sha256};
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::messages;
use crate::routes::Query;

/// The token of `Authorization: Bearer <token>`.
pub fn bearer(req: &Request) -> Option<String> {
    req.headers()
        .get("authorization")
        .ok()
        .flatten()
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
}

/// Checks the bearer token against the `ADMIN_KEY` secret.
pub fn authorize(req: &Request, env: &Env) -> Result<(), ApiError> {
    let expected = env
        .secret("ADMIN_KEY")
        .map(|s| s.to_string())
        .map_err(|_| ApiError::Unauthorized)?;
    let given = bearer(req).ok_or(ApiError::Unauthorized)?;
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
pub async fn list_events(req: &Request, env: &Env, site: &SiteId) -> Result<Response, ApiError> {
    authorize(req, env)?;
    let q = Query::parse(req, &["limit", "before"])?;
    let page = PageRequest::new(q.u64("limit")?, q.u64("before")?)?;
    let page = messages::call(env, site, &messages::PAGE, &page).await?;
    // Records are spliced in as stored (canonical bytes), never re-serialised.
    let records: Vec<String> = page.records.iter().map(|r| r.to_json()).collect();
    let next = page
        .next_before
        .map_or("null".to_string(), |n| n.to_string());
    let body = format!(
        "{{\"total\":{},\"next_before\":{next},\"records\":[{}]}}",
        page.total,
        records.join(",")
    );
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::ok(body)?.with_headers(headers))
}

/// Streams the whole log as JSON Lines, a page at a time, so an export of
/// any size runs in constant memory.
pub fn export(req: &Request, env: &Env, site: &SiteId) -> Result<Response, ApiError> {
    authorize(req, env)?;
    Query::parse(req, &[])?;
    let state = (env.clone(), site.clone(), Some(0u64));
    let pages = stream::unfold(state, |(env, site, from)| async move {
        let from = from?;
        match messages::call(&env, &site, &messages::EXPORT, &from).await {
            Ok(page) => {
                let lines: String = page.records.iter().map(|r| r.to_json() + "\n").collect();
                Some((
                    Ok::<Vec<u8>, worker::Error>(lines.into_bytes()),
                    (env, site, page.next),
                ))
            }
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
