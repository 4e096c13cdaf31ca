//! An owner's acts on one subject (erasure, restore, restriction,
//! rectification, objection), each in the subject's shard, and the owner's
//! record of consent given offline (`form::attest`), in the contacts' home
//! shard as a form's submission.

use assent_core::admin::Principal;
use assent_core::config::SiteConfig;
use assent_core::rights::bin::Deletion;
use assent_core::utc::rfc3339;
use worker::{Env, Request, Response};

use super::admin::{appended, json_value, malformed, Route};
use crate::error::ApiError;
use crate::messages::{self, EraseRequest, Object};
use crate::routes::events::bounded_body;
use crate::routes::{edge_context, fresh_event_id, Query};

/// Answers one of this module's routes, for `principal` (authorised and audited).
pub(super) async fn handle(
    route: Route,
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
    principal: &Principal,
) -> Result<Response, ApiError> {
    match route {
        Route::Erase(subject) => {
            Query::parse(&req, &[])?;
            let at = Object::of(site, &subject);
            let request = EraseRequest {
                subject,
                who: principal.name().to_string(),
                event_id: fresh_event_id()?,
                ctx: edge_context(env, at)?,
            };
            match messages::call(env, at, &messages::ERASE, &request).await? {
                Deletion::Erased(a) => appended(a),
                // In the bin: accepted, erased at `purge_at`; again: the same entry.
                Deletion::Binned { entry, new } => {
                    json_value(&entry.view(), if new { 202 } else { 200 })
                }
            }
        }
        Route::Restore(subject) => {
            Query::parse(&req, &[])?;
            let at = Object::of(site, &subject);
            let entry = messages::call(env, at, &messages::RESTORE, &subject).await?;
            let mut view = entry.view();
            view["restored_at"] = rfc3339(worker::Date::now().as_millis()).into();
            json_value(&view, 200)
        }
        Route::Restrict(subject) => {
            Query::parse(&req, &[])?;
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Body {
                restricted: bool,
            }
            let body: Body =
                serde_json::from_slice(&bounded_body(&mut req).await?).map_err(malformed)?;
            let at = Object::of(site, &subject);
            let request = messages::RestrictRequest {
                subject,
                restricted: body.restricted,
                event_id: fresh_event_id()?,
                ctx: edge_context(env, at)?,
            };
            appended(messages::call(env, at, &messages::RESTRICT, &request).await?)
        }
        Route::Rectify(subject) => {
            Query::parse(&req, &[])?;
            let changes =
                serde_json::from_slice(&bounded_body(&mut req).await?).map_err(malformed)?;
            let at = Object::of(site, &subject);
            let request = messages::RectifyRequest {
                subject,
                changes,
                event_id: fresh_event_id()?,
                ctx: edge_context(env, at)?,
            };
            appended(messages::call(env, at, &messages::RECTIFY, &request).await?)
        }
        Route::Object(subject) => {
            Query::parse(&req, &[])?;
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Body {
                channel: assent_core::form::Channel,
            }
            let body: Body =
                serde_json::from_slice(&bounded_body(&mut req).await?).map_err(malformed)?;
            let at = Object::of(site, &subject);
            let request = messages::ObjectRequest {
                subject,
                channel: body.channel,
                event_id: fresh_event_id()?,
                ctx: edge_context(env, at)?,
            };
            appended(messages::call(env, at, &messages::OBJECT, &request).await?)
        }
        Route::Note(subject) => {
            Query::parse(&req, &[])?;
            let text = assent_core::form::notes::NoteInput::check(&bounded_body(&mut req).await?)?;
            let at = Object::of(site, &subject);
            let request = messages::NoteRequest {
                subject,
                by: principal.name().to_owned(),
                text,
                id: fresh_event_id()?,
                ctx: edge_context(env, at)?,
            };
            let note = messages::call(env, at, &messages::NOTE, &request).await?;
            json_value(
                &serde_json::to_value(&note).map_err(|e| ApiError::Internal(e.to_string()))?,
                201,
            )
        }
        Route::Attest => {
            Query::parse(&req, &[])?;
            let limit = assent_core::form::attest::MAX_BATCH_BYTES;
            let body = crate::routes::events::body_up_to(&mut req, limit).await?;
            super::attest::post(&body, env, site, principal).await
        }
        _ => unreachable!("routed here by admin::handle"),
    }
}
