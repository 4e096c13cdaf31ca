//! The owner's opt-out and block lists (Keap's "block list", every CRM's
//! "opt-out list"), kept as lookup keys on the site's home shard:
//!
//! - `GET .../suppressions?kind=&after=&limit=`: a page by lookup key, with
//!   `next` when there is more; `?email=ADDRESS` finds that address's
//!   entry; `?format=csv` exports every entry (of `kind` when given).
//! - `DELETE .../suppressions/{lookup}`: takes an address off the lists,
//!   with an `unlist` record that commits to its key. An erasure's entry
//!   is the erasure's and stays (`not_listed`).
//!
//! Entries hold no address, only its keyed hash: the list shows what the
//! owner can match against their own (`lookup_key`), never more. Each call
//! is audited like every owner operation (`suppressions.list`,
//! `suppressions.remove`).

use assent_core::config::SiteConfig;
use assent_core::form::identity::{lookup_key, normalise_email};
use assent_core::form::store::{Suppression, SuppressionKind};
use assent_core::paging::SUPPRESSIONS as SUPPRESSIONS_PAGE;
use assent_core::rights::export::csv_rows;
use assent_core::rights::import::is_lookup_key;
use assent_core::utc::rfc3339;
use worker::{Env, Request, Response};

use super::admin::{csv_response, csv_wanted, json_value};
use crate::error::ApiError;
use crate::messages;
use crate::routes::{edge_context, forms, fresh_event_id, query_invalid, Query};
use crate::site_import::{ListPage, UnlistRequest, SUPPRESSIONS, UNLIST};

/// Entries a page holds by default, and at most (core's, which the object
/// caps its answer at too).
const PAGE: u64 = SUPPRESSIONS_PAGE.default;
const MAX_PAGE: u64 = SUPPRESSIONS_PAGE.max;

fn view(s: &Suppression) -> serde_json::Value {
    serde_json::json!({
        "lookup": s.lookup,
        "kind": s.kind,
        "since": rfc3339(s.created_ms),
        "event_id": s.event_id,
    })
}

/// `GET .../suppressions`.
pub async fn list(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let q = Query::parse(req, &["kind", "after", "limit", "email", "format"])?;
    let kind = match q.get("kind") {
        None => None,
        Some(k) => Some(SuppressionKind::parse(k).ok_or_else(|| query_invalid("kind"))?),
    };
    let after = q.get("after").map(str::to_owned);
    if after.as_deref().is_some_and(|a| !is_lookup_key(a)) {
        return Err(query_invalid("after"));
    }
    let only = match q.get("email") {
        Some(email) => {
            let secret = forms::form_secret(env)?;
            Some(lookup_key(
                secret.lookup(),
                &site.site,
                &normalise_email(email)?,
            ))
        }
        None => None,
    };
    let page = |after: Option<String>, limit: u64| ListPage {
        only: only.clone(),
        after,
        kind,
        limit,
    };
    if csv_wanted(&q)? {
        // Core's CSV writer, every cell neutralised, as every export.
        let mut rows = Vec::new();
        let mut after = after;
        loop {
            let entries =
                messages::call(env, &site.site, &SUPPRESSIONS, &page(after, MAX_PAGE)).await?;
            rows.extend(entries.iter().map(|s| {
                vec![
                    s.lookup.clone(),
                    s.kind.as_str().to_owned(),
                    rfc3339(s.created_ms),
                    s.event_id.to_string(),
                ]
            }));
            match entries.last() {
                Some(last) if only.is_none() && entries.len() as u64 == MAX_PAGE => {
                    after = Some(last.lookup.clone())
                }
                _ => break,
            }
        }
        let out = csv_rows(&["lookup", "kind", "since", "event_id"], rows);
        return csv_response(out, &format!("{}-lists.csv", site.site));
    }
    let limit = match q.u64("limit")? {
        None => PAGE,
        Some(n) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => return Err(query_invalid("limit")),
    };
    let entries = messages::call(env, &site.site, &SUPPRESSIONS, &page(after, limit)).await?;
    let next = (only.is_none() && entries.len() as u64 == limit)
        .then(|| entries.last().map(|s| s.lookup.clone()))
        .flatten();
    json_value(
        &serde_json::json!({
            "entries": entries.iter().map(view).collect::<Vec<_>>(),
            "next": next,
        }),
        200,
    )
}

/// `DELETE .../suppressions/{lookup}`.
pub async fn remove(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
    lookup: &str,
) -> Result<Response, ApiError> {
    Query::parse(req, &[])?;
    if !is_lookup_key(lookup) {
        return Err(ApiError::from(assent_core::error::RequestError::NotFound));
    }
    let request = UnlistRequest {
        lookup: lookup.to_owned(),
        event_id: fresh_event_id()?,
        ctx: edge_context(env, &site.site)?,
    };
    let record = messages::call(env, &site.site, &UNLIST, &request).await?;
    json_value(
        &serde_json::json!({"removed": lookup, "event_id": record.event_id, "index": record.index}),
        200,
    )
}
