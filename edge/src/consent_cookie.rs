//! The consent cookie the edge sets itself, for edges on the site's own
//! domain or a subdomain of it (`consent.example.com` for `www.example.com`).
//!
//! Browsers cap storage that scripts write (Safari: 7 days without a visit),
//! which would ask returning visitors again long before the consent lifetime
//! ends. A cookie set by the server in an HTTP answer is not capped that way.
//!
//! The cookie holds the receipt of the visitor's choice in force: the last
//! event in log order (the log says whether an answer's event is that), signed
//! by the edge. An append sets it only to that event's own receipt, so a
//! sender learns nothing of a subject's other events. It is `HttpOnly` (the widget never reads it: the config answer
//! hands the choice back as `choice`), `SameSite=Lax`, and lives for the
//! site's consent lifetime. It is only set on same-origin or same-site
//! requests (`Sec-Fetch-Site`).
//!
//! Over https it is `__Host-assent_<site>` (`Secure`, `Path=/`, no `Domain`):
//! browsers let only this host set such a cookie, so a sibling subdomain
//! cannot plant one (cookie tossing), and cookies under the plain name are
//! ignored there. Over http (local development) it is `assent_<site>`, scoped
//! to the site's API path.

use assent_core::config::SiteConfig;
use assent_core::event::ConsentEvent;
use assent_core::ids::SiteId;
use assent_core::receipt;
use worker::{Env, Request, Response};

/// Over https: the `__Host-` name, which only this host can set.
fn secure(req: &Request) -> bool {
    // The URL's text, not a parsed `Url`: parsing is 0.14 ms under workerd.
    req.inner().url().starts_with("https:")
}

use crate::signing;

/// Cookies above this size are not set (browsers keep at most 4096 bytes).
const MAX_VALUE: usize = 3800;

fn name(site: &SiteId, secure: bool) -> String {
    let prefix = if secure { "__Host-" } else { "" };
    format!("{prefix}assent_{site}")
}

/// `/…/v1/sites/{site}`: the path of the site's API under this edge.
fn scope(req: &Request, site: &SiteId) -> Option<String> {
    let path = req.url().ok()?.path().to_string();
    let marker = format!("/v1/sites/{site}");
    let end = path.find(&marker)? + marker.len();
    Some(path[..end].to_string())
}

/// Whether the request comes from a page of this site's own domain: only then
/// is a cookie useful (and the browser would store it).
pub fn first_party(req: &Request) -> bool {
    let fetch_site = req.headers().get("sec-fetch-site").ok().flatten();
    matches!(fetch_site.as_deref(), Some("same-origin" | "same-site"))
}

/// Adds `Set-Cookie` with `receipt` (the subject's latest) to an append's answer.
pub fn set(resp: &mut Response, req: &Request, site: &SiteConfig, receipt: &str) {
    put(
        resp,
        req,
        site,
        receipt,
        u64::from(site.consent_lifetime_days) * 86_400,
    );
}

/// Removes the consent cookie (an erased subject's choice must not come back
/// from it: the next page asks afresh).
pub fn clear(resp: &mut Response, req: &Request, site: &SiteConfig) {
    put(resp, req, site, "", 0);
}

fn put(resp: &mut Response, req: &Request, site: &SiteConfig, value: &str, max_age: u64) {
    let secure = secure(req);
    let path = if secure {
        Some("/".to_string())
    } else {
        scope(req, &site.site)
    };
    let Some(path) = path.filter(|_| first_party(req) && value.len() <= MAX_VALUE) else {
        return;
    };
    let cookie = format!(
        "{}={value}; Path={path}; Max-Age={max_age}; SameSite=Lax; HttpOnly{}",
        name(&site.site, secure),
        if secure { "; Secure" } else { "" },
    );
    let _ = resp.headers_mut().append("set-cookie", &cookie);
}

/// The event of the request's consent cookie, if its receipt verifies with
/// this edge's keys (current or retired) and is for this site.
pub fn read(req: &Request, env: &Env, site: &SiteConfig) -> Option<ConsentEvent> {
    let header = req.headers().get("cookie").ok().flatten()?;
    let wanted = name(&site.site, secure(req));
    let jwks = signing::jwks(env).ok()?;
    // Several cookies of one name can arrive (other paths or domains over
    // http): the one that verifies and is last in log order wins.
    header
        .split(';')
        .filter_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            if k != wanted {
                return None;
            }
            let verified = receipt::verify(v, &jwks).ok()?;
            let event: ConsentEvent =
                serde_json::from_value(verified.claims.record.get("event")?.clone()).ok()?;
            (event.site == site.site).then_some((verified.claims.log.index, event))
        })
        .max_by_key(|(index, _)| *index)
        .map(|(_, event)| event)
}
