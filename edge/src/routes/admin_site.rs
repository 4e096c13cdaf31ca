//! An owner's views and runs over the whole site (the recycle bin,
//! retention, statistics, the requests queue), asked of every shard.

use assent_core::admin::Principal;
use assent_core::config::SiteConfig;
use assent_core::utc::rfc3339;
use worker::{Env, Request, Response};

use super::admin::{json_text, json_value, request_view, Route};
use crate::error::ApiError;
use crate::messages::{self, Object, RequestDecide};
use crate::routes::events::bounded_body;
use crate::routes::{edge_context, fresh_event_id, query_invalid, Query};

/// Answers one of this module's routes, for `principal` (authorised and audited).
pub(super) async fn handle(
    route: Route,
    req: Request,
    env: &Env,
    site: &'static SiteConfig,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let id = &site.site;
    match route {
        Route::RecycleBin => {
            let q = Query::parse(&req, &["limit"])?;
            let limit = assent_core::paging::RECYCLE_BIN.of(q.u64("limit")?);
            let mut bin: Vec<_> =
                messages::call_each(env, site, &messages::RECYCLE_BIN, |_| Ok(limit))
                    .await?
                    .into_iter()
                    .flatten()
                    .collect();
            // The soonest purge first, over every shard.
            bin.sort_by_key(|e| e.purge_ms);
            bin.truncate(limit as usize);
            let list: Vec<serde_json::Value> = bin.iter().map(|e| e.view()).collect();
            json_value(
                &serde_json::json!({"days": site.rights.recycle_bin_days, "subjects": list}),
                200,
            )
        }
        Route::RecycleBinPurge => {
            let q = Query::parse(&req, &["as_of"])?;
            let mut ctx = edge_context(env, id)?;
            // Without a time, the owner empties the bin; with one (a forced
            // clock, under `make dev` and the tests only), what is due by
            // then goes, as the alarm would take it then.
            let until_ms = match q.u64("as_of")? {
                Some(_) if !crate::dev_mode(env) => return Err(query_invalid("as_of")),
                Some(at) => {
                    ctx.now_ms = at;
                    at
                }
                None => u64::MAX,
            };
            let now = ctx.now_ms;
            let purged = messages::call_each(env, site, &messages::PURGE, |at| {
                let mut ctx = ctx.clone();
                ctx.origin = edge_context(env, at)?.origin;
                Ok(messages::PurgeRequest { until_ms, ctx })
            })
            .await?;
            let more = purged
                .iter()
                .any(|p| p.len() as u64 == assent_core::schedule::Job::Purge.batch());
            let purged: Vec<_> = purged.into_iter().flatten().collect();
            let list: Vec<serde_json::Value> = purged.iter().map(|e| e.view()).collect();
            json_value(
                &serde_json::json!({"as_of": rfc3339(now), "purged": list, "more": more}),
                200,
            )
        }
        Route::Retention | Route::RetentionRun => {
            let q = Query::parse(&req, &["as_of"])?;
            let mut ctx = edge_context(env, id)?;
            if let Some(at) = q.u64("as_of")? {
                // A forced clock, for trying a retention policy out: under
                // `make dev` and the tests only, never in a deploy.
                if !crate::dev_mode(env) {
                    return Err(query_invalid("as_of"));
                }
                ctx.now_ms = at;
            }
            let due: Vec<_> = if matches!(route, Route::Retention) {
                messages::call_each(env, site, &messages::RETENTION_DUE, |_| Ok(ctx.now_ms)).await?
            } else {
                messages::call_each(env, site, &messages::RETENTION_RUN, |at| {
                    let mut ctx = ctx.clone();
                    ctx.origin = edge_context(env, at)?.origin;
                    Ok(ctx)
                })
                .await?
            }
            .into_iter()
            .flatten()
            .collect();
            let list: Vec<serde_json::Value> = due
                .iter()
                .map(|d| serde_json::json!({"subject": d.subject, "reason": d.reason, "last_activity_at": rfc3339(d.last_activity_ms)}))
                .collect();
            json_value(
                &serde_json::json!({"as_of": rfc3339(ctx.now_ms), "policy": site.rights.retention, "subjects": list}),
                200,
            )
        }
        route => queue(route, req, env, site, principal).await,
    }
}

/// The statistics and the requests queue, over every shard.
async fn queue(
    route: Route,
    req: Request,
    env: &Env,
    site: &'static SiteConfig,
    principal: &Principal,
) -> Result<Response, ApiError> {
    match route {
        Route::Stats => {
            let q = Query::parse(&req, &["days"])?;
            let days = match q.u64("days")? {
                None => 30,
                Some(d @ 1..=366) => d as u32,
                Some(_) => return Err(query_invalid("days")),
            };
            let now = worker::Date::now().as_millis();
            let from =
                assent_core::stats::day_of(now.saturating_sub(u64::from(days - 1) * 86_400_000));
            // Each shard counts its own records; the site's are the sums.
            let rows: Vec<_> =
                messages::call_each(env, site, &messages::STATS, |_| Ok(from.clone()))
                    .await?
                    .into_iter()
                    .flatten()
                    .collect();
            let series = assent_core::stats::Series::build(&rows, now, days);
            let body =
                serde_json::to_string(&series).map_err(|e| ApiError::Internal(e.to_string()))?;
            json_text(body, 200)
        }
        Route::Requests => {
            let q = Query::parse(&req, &["limit"])?;
            let limit = assent_core::paging::REQUESTS.of(q.u64("limit")?);
            let mut queue: Vec<_> =
                messages::call_each(env, site, &messages::REQUESTS, |_| Ok(limit))
                    .await?
                    .into_iter()
                    .flatten()
                    .collect();
            // Each shard's queue is in order; merged, they are put in it again.
            queue.sort_by_key(assent_core::rights::requests::queue_order);
            queue.truncate(limit as usize);
            let now = worker::Date::now().as_millis();
            let list: Vec<serde_json::Value> = queue.iter().map(|r| request_view(r, now)).collect();
            json_value(&serde_json::json!({ "requests": list }), 200)
        }
        Route::LogRequest => log_request(req, env, site).await,
        Route::Decide(request, fulfil) => decide(req, env, site, principal, request, fulfil).await,
        _ => unreachable!("routed here by admin::handle"),
    }
}

/// `POST .../requests`: a request received by phone, letter or mail, logged by the owner.
async fn log_request(
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
) -> Result<Response, ApiError> {
    Query::parse(&req, &[])?;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        subject: assent_core::ids::SubjectId,
        kind: assent_core::rights::requests::RequestKind,
        via: assent_core::rights::requests::Via,
        #[serde(default)]
        channel: Option<assent_core::form::Channel>,
        #[serde(default)]
        detail: Option<String>,
    }
    let body: Body =
        serde_json::from_slice(&bounded_body(&mut req).await?).map_err(super::admin::malformed)?;
    // The center's requests are the person's own; the owner logs the others.
    if body.via == assent_core::rights::requests::Via::Center {
        return Err(
            assent_core::Error::from(assent_core::error::RightsError::RequestInvalid {
                reason: "via: phone, letter or email".into(),
            })
            .into(),
        );
    }
    let asked = assent_core::rights::requests::Asked {
        kind: body.kind,
        via: body.via,
        channel: body.channel,
        detail: body.detail,
    };
    let at = Object::of(site, &body.subject);
    let filed = messages::RequestFile {
        subject: body.subject,
        asked,
        id: fresh_event_id()?,
        ctx: edge_context(env, at)?,
    };
    let request = messages::call(env, at, &messages::REQUEST_FILE, &filed).await?;
    json_value(&request_view(&request, filed.ctx.now_ms), 201)
}

/// `POST .../requests/{id}/fulfil|refuse`, in the shard that keeps the request.
async fn decide(
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
    principal: &Principal,
    request: assent_core::ids::EventId,
    fulfil: bool,
) -> Result<Response, ApiError> {
    Query::parse(&req, &[])?;
    // A refusal gives its reason, which the person is told (Art. 12(4)).
    let reason = if fulfil {
        None
    } else {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Body {
            reason: String,
        }
        let body: Body = serde_json::from_slice(&bounded_body(&mut req).await?).map_err(|_| {
            ApiError::from(assent_core::Error::from(
                assent_core::error::RightsError::RequestInvalid {
                    reason: "a refusal gives its reason: {\"reason\": \"...\"}".into(),
                },
            ))
        })?;
        Some(body.reason)
    };
    // A request is kept in its subject's shard: the one that knows it decides.
    let mut decided = None;
    for at in Object::all(site) {
        let decide = RequestDecide {
            id: request.clone(),
            fulfil,
            reason: reason.clone(),
            who: principal.name().to_string(),
            erasure_id: fresh_event_id()?,
            ctx: edge_context(env, at)?,
        };
        match messages::call(env, at, &messages::REQUEST_DECIDE, &decide).await {
            Err(e) if e.code() == "request_unknown" => decided = Some(Err(e)),
            answer => {
                decided = Some(answer.map(|d| (d, decide.ctx.now_ms)));
                break;
            }
        }
    }
    let (decided, now) = decided.expect("a site has a home shard")?;
    json_value(&request_view(&decided, now), 200)
}
