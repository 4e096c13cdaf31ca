//! The breach register (`assent_core::breach`) and the erasure of a
//! revoked key's name, the owner's accountability routes:
//!
//! - `POST /v1/admin/sites/{site}/breaches`: record an incident; the
//!   contacts it affects are counted from the contact list at once.
//! - `GET .../breaches`, `GET .../breaches/{id}`: the register, newest
//!   first, each incident with its clock (`deadline`, `hours_left`).
//! - `POST .../breaches/{id}`: a notification's status, the measures, a
//!   recount; applied in the directory, so two updates never cross.
//! - `POST .../keys/{key}/erase-name`: the operator erases a revoked key's
//!   name from the key and the audit trail, whose chain stays whole.
//!
//! Each is audited like every owner route, with the incident's or key's id.

use assent_core::breach::{BreachId, Incident, Input, Update};
use assent_core::config::SiteConfig;
use assent_core::rights::contacts::{Filter, SCAN};
use worker::{Env, Request, Response};

use super::admin::{json_value, key_view, Route};
use crate::error::ApiError;
use crate::messages::{self, BreachUpdateRequest, ContactsRequest};
use crate::routes::events::bounded_body;
use crate::routes::Query;

/// Most contact-list calls one count makes: 900 of Cloudflare's 1,000
/// subrequests, 900,000 contacts.
const COUNT_PAGES: usize = 900;

/// A fresh incident id.
pub(super) fn fresh_id() -> Result<BreachId, ApiError> {
    Ok(BreachId::from_random(crate::routes::random()?))
}

/// Answers one of this module's routes, for `principal` (authorised and audited).
pub(super) async fn handle(
    route: Route,
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
    principal: &assent_core::admin::Principal,
) -> Result<Response, ApiError> {
    Query::parse(&req, &[])?;
    let id = &site.site;
    let now = worker::Date::now().as_millis();
    match route {
        Route::BreachRecord(breach) => {
            let input = Input::from_json(&bounded_body(&mut req).await?)?;
            let mut incident = Incident::record(input, breach, principal.name(), now)?;
            incident.count(affected(env, site, incident.filter()).await?, now);
            let stored = messages::call(env, id, &messages::BREACH_PUT, &incident).await?;
            json_value(&stored.view(now), 201)
        }
        Route::BreachList => {
            let all = messages::call(env, id, &messages::BREACHES, &()).await?;
            let views: Vec<serde_json::Value> = all.iter().map(|i| i.view(now)).collect();
            json_value(&serde_json::json!({ "breaches": views }), 200)
        }
        Route::BreachGet(breach) => {
            let incident = messages::call(env, id, &messages::BREACH, &breach).await?;
            json_value(&incident.view(now), 200)
        }
        Route::BreachUpdate(breach) => {
            let update = Update::from_json(&bounded_body(&mut req).await?)?;
            let affected = if update.recount {
                let held = messages::call(env, id, &messages::BREACH, &breach).await?;
                Some(affected(env, site, held.filter()).await?)
            } else {
                None
            };
            let request = BreachUpdateRequest {
                id: breach,
                update,
                affected,
            };
            let updated = messages::call(env, id, &messages::BREACH_UPDATE, &request).await?;
            json_value(&updated.view(now), 200)
        }
        Route::KeyEraseName(key) => {
            let (erased, kept) = messages::call(env, id, &messages::KEY_ERASE_NAME, &key).await?;
            let mut view = key_view(&erased);
            view["name_erased_at"] = erased.name_erased_ms.map(assent_core::utc::rfc3339).into();
            view["entries_keeping_the_name"] = kept.into();
            json_value(&view, 200)
        }
        _ => unreachable!("routed here by admin::handle"),
    }
}

/// How many contacts `filter` selects: the contact list's pages, counted.
async fn affected(env: &Env, site: &SiteConfig, filter: Filter) -> Result<u64, ApiError> {
    let mut count = 0;
    let mut after = None;
    for _ in 0..COUNT_PAGES {
        let page = ContactsRequest {
            filter: filter.clone(),
            after,
            limit: SCAN,
        };
        let got = messages::call(env, &site.site, &messages::CONTACTS, &page).await?;
        count += got.rows.len() as u64;
        match got.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(count)
}
