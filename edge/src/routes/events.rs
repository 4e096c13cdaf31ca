//! `POST /v1/sites/{site}/events`: validate one consent event with core, add
//! what only the edge knows, and append it to the site's log.

use assent_core::config::SiteConfig;
use assent_core::event::{ConsentEvent, Context};
use assent_core::log::sequencer::{AppendRequest, AppendStatus, Proof};
use assent_core::subject_key::{self, SubjectKey};
use futures_util::StreamExt;
use worker::{Date, Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::public_origin::PublicOrigins;
use crate::{consent_cookie, messages, MAX_BODY_BYTES};
use assent_core::error::RequestError;

/// Reads the body, refusing a declared length over the limit before reading
/// anything and stopping as soon as a streamed body passes it.
pub(crate) async fn bounded_body(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    body_up_to(req, MAX_BODY_BYTES).await
}

/// Reads the body, refusing a declared length over `limit` before reading
/// anything and stopping as soon as a streamed body (no `Content-Length`)
/// passes it.
pub(crate) async fn body_up_to(req: &mut Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = ApiError::from(RequestError::BodyTooLarge { limit });
    let unreadable = || ApiError::from(RequestError::BodyUnreadable);
    let declared = req.headers().get("content-length").ok().flatten();
    if let Some(declared) = declared {
        match declared.trim().parse::<u64>() {
            // The runtime holds a body to its declared length: read it whole,
            // in one call (the chunked read below costs 0.2 ms more an event).
            Ok(n) if n <= limit as u64 => {
                let body = req.bytes().await.map_err(|_| unreadable())?;
                return if body.len() > limit {
                    Err(too_large)
                } else {
                    Ok(body)
                };
            }
            _ => return Err(too_large),
        }
    }
    // A body broken off on its way (here or in `bytes` above) is the
    // request's fault, not the edge's: a stable 400, never `internal`.
    let mut body = Vec::new();
    let Ok(mut stream) = req.stream() else {
        return Ok(body); // no body at all
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| unreadable())?;
        body.extend_from_slice(&chunk);
        if body.len() > limit {
            return Err(too_large);
        }
    }
    Ok(body)
}

/// Validates and appends; 201 for a new event, 200 with the first answer for a repeat.
pub async fn post(mut req: Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let body = bounded_body(&mut req).await?;
    let mut event = ConsentEvent::from_json(&body)?;
    let now_ms = Date::now().as_millis();
    // Read once: whose pages are the edge's own, the issuer and the log origin
    // (a missing configuration fails the append, after the event is judged).
    let public = PublicOrigins::from_env(env);
    let own = public.as_ref().ok().and_then(|p| p.own(&req));
    event.validate(
        site,
        &Context {
            now_ms,
            self_origin: own.as_deref(),
        },
    )?;
    // A TC string says exactly what the choice does (core's one rule); on a
    // TCF site a banner event without one (chosen before the page's CMP had
    // loaded) is given it. Only such a site, or an event that carries a
    // string, costs the isolate the vendor list's parse.
    if site.tcf.is_some() || event.tc_string.is_some() {
        assent_core::tcf::choice::complete(site, crate::sites::gvl(), &mut event)?;
    }

    // The widget's key for this subject: judged before anything is stored,
    // kept (as a hash) with the subject's first record and required with
    // every later one (core's `Proof`).
    let subject_key = match req.headers().get(subject_key::HEADER).ok().flatten() {
        Some(text) => Some(SubjectKey::parse(&text)?.hash(&event.subject)),
        None => None,
    };
    let public = public?;
    let geo = crate::geo::of(&req, env);
    // The subject's shard, from its id alone: nothing site-wide on the way.
    let shard = messages::Object::of(site, &event.subject);
    let appended = match messages::call(
        env,
        shard,
        &messages::APPEND,
        &AppendRequest {
            event,
            received_at_ms: now_ms,
            sec_gpc: req.headers().get("sec-gpc").ok().flatten().as_deref() == Some("1"),
            country: geo.country.clone(),
            regime: geo.regime(site),
            origin: public.log_origin(shard)?,
            issuer: public.canonical().to_string(),
            form: None,
            import: None,
            proof: Proof::SubjectKey(subject_key),
        },
    )
    .await
    {
        Ok(appended) => appended,
        // The subject is erased: its choice must not come back from the
        // cookie either (the widget forgets it and asks afresh).
        Err(e) if e.code() == "subject_erased" => {
            let mut resp = e.to_response();
            consent_cookie::clear(&mut resp, &req, site);
            return Ok(resp);
        }
        Err(e) => return Err(e),
    };
    let status = match appended.status {
        AppendStatus::New => 201,
        AppendStatus::Repeat => 200,
    };
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    let mut resp = Response::ok(appended.answer)?
        .with_status(status)
        .with_headers(headers);
    // Only the choice in force goes into the cookie: this event's own
    // receipt, which the sender already holds, and only while no later event
    // of the subject follows it in the log.
    if appended.in_force {
        consent_cookie::set(&mut resp, &req, site, &appended.receipt);
    }
    Ok(resp)
}
