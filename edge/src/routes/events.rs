//! `POST /v1/sites/{site}/events`: validate one consent event with core, add
//! what only the edge knows, and append it to the site's log.

use assent_core::config::SiteConfig;
use assent_core::event::{ConsentEvent, Context};
use assent_core::record::ServerFacts;
use worker::{Date, Env, Request, Response};

use crate::error::ApiError;
use crate::{consent_cookie, cors, site_log, MAX_BODY_BYTES};

/// Validates and appends; 201 for a new event, 200 with the first answer for a repeat.
pub async fn post(mut req: Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(ApiError::BodyTooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    let body = req.bytes().await?;
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::BodyTooLarge {
            limit: MAX_BODY_BYTES,
        });
    }

    let event = ConsentEvent::from_json(&body)?;
    let now_ms = Date::now().as_millis();
    let self_origin = cors::self_origin(&req);
    event.validate(
        site,
        &Context {
            now_ms,
            self_origin: self_origin.as_deref(),
        },
    )?;

    let facts = ServerFacts {
        received_at_ms: now_ms,
        sec_gpc: req.headers().get("sec-gpc").ok().flatten().as_deref() == Some("1"),
        country: req.cf().and_then(|cf| cf.country()),
    };
    let url = req.url().map_err(ApiError::from)?;
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => return Err(ApiError::Internal("request URL without host".into())),
    };
    let log_origin = format!("{host}/{}", site.site);
    let issuer = url.origin().ascii_serialization();
    let first_party = consent_cookie::first_party(&req);
    let mut resp = site_log::append(
        env,
        &site.site,
        event,
        facts,
        log_origin,
        issuer,
        first_party,
    )
    .await?;
    let latest = resp.headers().get(site_log::LATEST_RECEIPT).ok().flatten();
    let _ = resp.headers_mut().delete(site_log::LATEST_RECEIPT);
    if let (Some(receipt), true) = (latest, resp.status_code() < 300) {
        consent_cookie::set(&mut resp, &req, site, &receipt);
    }
    Ok(resp)
}
