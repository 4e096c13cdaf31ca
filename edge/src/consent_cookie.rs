//! The consent cookie the edge sets itself, for edges that run on the site's
//! own domain (a route such as `example.com/assent/*`).
//!
//! Browsers cap storage that scripts write (Safari: 7 days without a visit),
//! which would ask returning visitors again long before the consent lifetime
//! ends. A cookie set by the server in an HTTP answer is not capped that way.
//! The cookie holds the visitor's latest stored event, is `HttpOnly` (the
//! widget never reads it: the config answer hands the choice back as
//! `choice`), `SameSite=Lax`, lives for the site's consent lifetime, and is
//! scoped to the site's API path, so no page request carries it.
//!
//! It is only set on same-origin or same-site requests (`Sec-Fetch-Site`):
//! a third-party edge gets no cookie, and the widget's local storage stays
//! the only copy there.

use assent_core::config::SiteConfig;
use assent_core::event::ConsentEvent;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use worker::{Request, Response};

/// Cookies above this size are not set (browsers keep at most 4096 bytes).
const MAX_VALUE: usize = 3800;

fn name(site: &str) -> String {
    format!("assent_{site}")
}

/// `/…/v1/sites/{site}`: the path of the site's API under this edge.
fn scope(req: &Request, site: &str) -> Option<String> {
    let path = req.url().ok()?.path().to_string();
    let marker = format!("/v1/sites/{site}");
    let end = path.find(&marker)? + marker.len();
    Some(path[..end].to_string())
}

fn first_party(req: &Request) -> bool {
    let fetch_site = req.headers().get("sec-fetch-site").ok().flatten();
    matches!(fetch_site.as_deref(), Some("same-origin" | "same-site"))
}

/// Adds `Set-Cookie` with `event` to the answer of a stored event.
pub fn set(resp: &mut Response, req: &Request, site: &SiteConfig, event: &ConsentEvent) {
    let (Some(path), true) = (scope(req, &site.site), first_party(req)) else {
        return;
    };
    let Ok(json) = serde_json::to_vec(event) else {
        return;
    };
    let value = URL_SAFE_NO_PAD.encode(json);
    if value.len() > MAX_VALUE {
        return;
    }
    let secure = req.url().is_ok_and(|u| u.scheme() == "https");
    let cookie = format!(
        "{}={value}; Path={path}; Max-Age={}; SameSite=Lax; HttpOnly{}",
        name(&site.site),
        u64::from(site.consent_lifetime_days) * 86_400,
        if secure { "; Secure" } else { "" },
    );
    let _ = resp.headers_mut().append("set-cookie", &cookie);
}

/// The event in the request's consent cookie, if there is a well-formed one
/// for this site. It is the visitor's own copy, so it is only ever used to
/// spare them the banner, never as proof (the log is the proof).
pub fn read(req: &Request, site: &SiteConfig) -> Option<ConsentEvent> {
    let header = req.headers().get("cookie").ok().flatten()?;
    let wanted = name(&site.site);
    let value = header.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == wanted).then_some(v)
    })?;
    let json = URL_SAFE_NO_PAD.decode(value).ok()?;
    let event = ConsentEvent::from_json(&json).ok()?;
    (event.site == site.site).then_some(event)
}
