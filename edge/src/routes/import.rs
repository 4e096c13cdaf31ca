//! `POST /v1/admin/sites/{site}/suppressions/import?first_row=N&kind=opt_out&channels=email,sms`
//! (or `kind=blocked`): an opt-out or block list (CSV), checked row by row,
//! its entries suppressed and recorded in the log, and each listed
//! contact's consent on the list's channels withdrawn (`withdrawn` in the
//! answer counts them).
//!
//! The body is `text/csv`, at most [`MAX_BATCH_BYTES`] and
//! [`MAX_BATCH_ROWS`] rows (a header aside): one batch of a list, as
//! `assent import` sends them. Rows are checked by core
//! (`rights::import::check_batch`) and numbered from `first_row` (the
//! number of the body's first line in the owner's file; 1 when absent), so
//! a report names the file's rows. Each address becomes its lookup key here
//! (HMAC under the site's `FORM_SECRET`): addresses never reach the log
//! object, and no row is ever written to a log line. The keys go to the
//! object in one typed message ([`IMPORT`]) with a fresh event id; the
//! answer is the batch's report, with the `import` record's `event_id` and
//! `index` when one was appended.

use assent_core::config::SiteConfig;
use assent_core::form::config::Channel;
use assent_core::form::identity::lookup_key;
use assent_core::form::store::SuppressionKind;
use assent_core::rights::import::{check_batch, Entry, List, MAX_BATCH_BYTES, MAX_BATCH_ROWS};
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, WireError};
use crate::routes::{edge_context, forms, fresh_event_id, query_invalid, Query};
use crate::site_import::{ImportRequest, IMPORT};

/// An error only this route knows, with its status and stable code.
fn refused(status: u16, code: &str, message: String) -> ApiError {
    ApiError::Relayed(WireError {
        status,
        code: code.into(),
        message,
    })
}

/// Whether the request says its body is CSV (`text/csv`, any parameters).
fn is_csv(req: &Request) -> bool {
    req.headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))
        })
}

/// Imports one batch of a list.
pub async fn post(mut req: Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let q = Query::parse(&req, &["first_row", "kind", "channels"])?;
    let first_row = q.u64("first_row")?.unwrap_or(1);
    if first_row == 0 {
        return Err(query_invalid("first_row"));
    }
    let list = list_of(q.get("kind"), q.get("channels"))?;
    if !is_csv(&req) {
        return Err(refused(
            415,
            "content_type_invalid",
            "the body must be text/csv".into(),
        ));
    }
    let body = crate::routes::events::body_up_to(&mut req, MAX_BATCH_BYTES).await?;
    // Count before checking: a batch over the limit costs no more work.
    let lines = body.split(|b| *b == b'\n').count();
    if lines > MAX_BATCH_ROWS + 2 {
        return Err(too_many_rows());
    }
    let checked = check_batch(&body, first_row);
    if checked.report.rows > MAX_BATCH_ROWS as u64 {
        return Err(too_many_rows());
    }
    let mut report = checked.report;
    let mut answer = serde_json::Map::new();
    if !checked.entries.is_empty() {
        let secret = forms::form_secret(env)?;
        let lookups = checked
            .entries
            .into_iter()
            .map(|(_, entry)| match entry {
                Entry::Email(email) => lookup_key(secret.lookup(), &site.site, &email),
                Entry::Lookup(key) => key,
            })
            .collect();
        let request = ImportRequest {
            lookups,
            list,
            event_id: fresh_event_id()?,
            ctx: edge_context(env, &site.site)?,
        };
        let outcome = messages::call(env, &site.site, &IMPORT, &request).await?;
        report.accepted = outcome.accepted;
        report.withdrawn = outcome.withdrawn;
        report.duplicated = outcome.duplicated;
        if let Some(record) = outcome.record {
            answer.insert("event_id".into(), record.event_id.to_string().into());
            answer.insert("index".into(), record.index.into());
        }
    }
    let mut body = serde_json::to_value(&report).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Some(fields) = body.as_object_mut() {
        fields.extend(answer);
    }
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::ok(body.to_string())?.with_headers(headers))
}

/// The list a query names: `kind=opt_out` (the default) with `channels`, a
/// comma-separated subset of email, sms, phone and post (absent: every
/// channel), or `kind=blocked` (every channel; `channels` refused).
fn list_of(kind: Option<&str>, channels: Option<&str>) -> Result<List, ApiError> {
    let kind = match kind {
        None | Some("opt_out") => SuppressionKind::OptOut,
        Some("blocked") => SuppressionKind::Blocked,
        Some(_) => return Err(query_invalid("kind")),
    };
    let channels = match channels {
        None => None,
        Some(_) if kind == SuppressionKind::Blocked => return Err(query_invalid("channels")),
        Some(list) => {
            let mut named = list
                .split(',')
                .map(|c| Channel::parse(c.trim()).ok_or_else(|| query_invalid("channels")))
                .collect::<Result<Vec<_>, _>>()?;
            named.sort();
            named.dedup();
            Some(named)
        }
    };
    Ok(List { kind, channels })
}

fn too_many_rows() -> ApiError {
    refused(
        413,
        "batch_too_large",
        format!("a request holds at most {MAX_BATCH_ROWS} rows"),
    )
}
