//! Work on many contacts, from their home shard:
//!
//! - `GET /v1/admin/sites/{site}/contacts`: the contact list with filters
//!   (`assent_core::rights::contacts`), a page at a time (`after`,
//!   `limit`; `next` while the selection goes on), as JSON or, with
//!   `format=csv`, the selection as CSV. Rows name subjects, never people:
//!   the list is a `read` operation.
//! - `GET`, `POST`, `DELETE .../closing`: the site's closing day, when
//!   everyone is anonymised (`assent_core::rights::retention`), set and
//!   taken back by the operator.

use assent_core::config::SiteConfig;
use assent_core::ids::SubjectId;
use assent_core::rights::contacts::{to_csv, Filter, PAGE_DEFAULT, PARAMETERS, SCAN};
use worker::{Env, Request, Response};

use super::admin::{csv_response, csv_wanted, json_value, Route};
use crate::error::ApiError;
use crate::messages::{self, ContactsRequest};
use crate::routes::{query_invalid, Query};

/// Most pages one CSV answer reads (the CLI pages on for more).
const CSV_PAGES: usize = 20;

/// `GET .../contacts`.
pub async fn list(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let mut allowed: Vec<&'static str> = PARAMETERS.to_vec();
    allowed.extend(["after", "limit", "format"]);
    let q = Query::parse(req, &allowed)?;
    let filter = Filter::parse(PARAMETERS.iter().filter_map(|p| q.get(p).map(|v| (*p, v))))?;
    let after = q
        .get("after")
        .map(|a| SubjectId::new(a).map_err(|_| query_invalid("after")))
        .transpose()?;
    let limit = q.u64("limit")?.unwrap_or(PAGE_DEFAULT);
    if limit == 0 || limit > SCAN {
        return Err(query_invalid("limit"));
    }
    let page = |after: Option<SubjectId>, limit: u64| ContactsRequest {
        filter: filter.clone(),
        after,
        limit,
    };
    if csv_wanted(&q)? {
        let mut rows = Vec::new();
        let mut after = after;
        let mut next = None;
        for _ in 0..CSV_PAGES {
            let got =
                messages::call(env, &site.site, &messages::CONTACTS, &page(after, SCAN)).await?;
            rows.extend(got.rows);
            next = got.next;
            match &next {
                Some(n) => after = Some(n.clone()),
                None => break,
            }
        }
        let mut resp = csv_response(to_csv(&rows), &format!("assent-{}-contacts.csv", site.site))?;
        // A selection larger than one answer says where to go on.
        if let Some(n) = next {
            resp.headers_mut().set("x-assent-next", n.as_str())?;
        }
        return Ok(resp);
    }
    let got = messages::call(env, &site.site, &messages::CONTACTS, &page(after, limit)).await?;
    let rows: Vec<serde_json::Value> = got.rows.iter().map(|r| r.view()).collect();
    json_value(
        &serde_json::json!({ "contacts": rows, "next": got.next }),
        200,
    )
}

/// `GET`, `POST` and `DELETE .../closing`.
pub(super) async fn closing(
    route: Route,
    mut req: Request,
    env: &Env,
    site: &SiteConfig,
    principal: &assent_core::admin::Principal,
) -> Result<Response, ApiError> {
    Query::parse(&req, &[])?;
    let view = |c: &assent_core::form::store::Closing| {
        serde_json::json!({
            "anonymise_by": assent_core::utc::rfc3339(c.anonymise_by_ms),
            "set_at": assent_core::utc::rfc3339(c.set_ms),
            "by": c.by,
        })
    };
    let day = match route {
        Route::Closing => {
            let held = messages::call(env, &site.site, &messages::CLOSING, &()).await?;
            return json_value(
                &serde_json::json!({ "closing": held.as_ref().map(view) }),
                200,
            );
        }
        Route::Close => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Body {
                anonymise_by: String,
            }
            let body: Body =
                serde_json::from_slice(&crate::routes::events::bounded_body(&mut req).await?)
                    .map_err(super::admin::malformed)?;
            Some(body.anonymise_by)
        }
        _ => None,
    };
    let request = messages::CloseRequest {
        day,
        by: principal.name().to_owned(),
        ctx: crate::routes::edge_context(env, &site.site)?,
    };
    let done = messages::call(env, &site.site, &messages::CLOSE, &request).await?;
    json_value(
        &serde_json::json!({ "closing": view(&done), "taken_back": request.day.is_none() }),
        200,
    )
}
